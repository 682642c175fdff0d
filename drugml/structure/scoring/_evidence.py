"""What the structure-based scorers are worth, as measured: the summary of
``benchmarks/structure_scoring.py`` shipped with drugml (``evidence.json``), so that a report
or a notebook can say why a ranking does or does not weight docking, and show the figure.

The benchmark writes this file next to its full results; ``tests`` check that the two agree.

>>> evidence = scoring_evidence()
>>> evidence["target"], evidence["a_all_data"]["model"]["roc_auc"] > 0.5
('EGFR', True)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drugml.structure.scoring._base import ScorerError

__all__ = ["EVIDENCE_FILE", "EVIDENCE_REGIMES", "evidence_from_results", "scoring_evidence"]

#: The shipped summary of benchmarks/results/structure_scoring.json.
EVIDENCE_FILE = Path(__file__).with_name("evidence.json")
#: The benchmark's regimes kept in the summary.
EVIDENCE_REGIMES = ("a_all_data", "b_low_data", "c_unlike_reference", "targets")


def evidence_from_results(results: Mapping[str, Any]) -> dict[str, Any]:
    """The summary kept in :data:`EVIDENCE_FILE`, from the benchmark's full results
    (``set``, ``docking``, ``scoring``): who was scored, with what, and every regime's
    metrics."""
    scoring = results["scoring"]
    return {
        "target": "EGFR",
        "structure": results["docking"]["protocol"]["receptor"],
        "reference_ligand": "erlotinib (AQ4 in 1M17)",
        "actives": results["set"]["actives"],
        "inactives": results["set"]["inactives"],
        "matched_on": "heavy atoms, logP, H-bond donors, acceptors and charge",
        "training_pool": results["set"]["training_pool"],
        "source": "benchmarks/results/structure_scoring.json",
        **{regime: scoring[regime] for regime in EVIDENCE_REGIMES},
    }


def scoring_evidence(path: str | Path | None = None) -> dict[str, Any]:
    """The measured worth of every scorer (:data:`EVIDENCE_FILE` by default): ROC-AUC, EF1 %
    and BEDROC per scorer on (a) the whole matched set with the model trained on all data,
    (b) the model trained on 10, 30 and 100 compounds, (c) the actives least like the reference,
    and the issue's targets with ``met`` true or false."""
    source = Path(path) if path is not None else EVIDENCE_FILE
    try:
        evidence = json.loads(source.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ScorerError(
            f"the scorers' evidence {source} cannot be read ({exc}); rebuild it with "
            "`python benchmarks/structure_scoring.py --part score`"
        ) from None
    missing = [key for key in EVIDENCE_REGIMES if key not in evidence]
    if missing:
        raise ScorerError(f"the scorers' evidence {source} lacks {', '.join(missing)}")
    return evidence
