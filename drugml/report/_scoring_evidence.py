"""Why a campaign's ranking does or does not weight the structure: the scorers' measured
worth (:func:`drugml.structure.scoring.scoring_evidence`) in words and as a figure, under
the docked candidates."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from drugml.report._html import figure_html

__all__ = ["scoring_evidence_html"]

_CONSENSUS_WITH_MODEL = ("consensus_structure_model", "consensus_3d_model", "consensus_all")


def _auc(regime: Mapping[str, Any], name: str) -> str:
    return f"{regime[name]['roc_auc']:.2f}"


def _best_consensus(regime: Mapping[str, Any]) -> tuple[str, float]:
    name = max(_CONSENSUS_WITH_MODEL, key=lambda n: regime[n]["roc_auc"])
    return name, float(regime[name]["roc_auc"])


def _evidence_words(evidence: Mapping[str, Any]) -> str:
    full, low = evidence["a_all_data"], evidence["b_low_data"]["30"]
    best_name, best_auc = _best_consensus(full)
    low_name, low_auc = _best_consensus(low)
    low_baseline = max(low["model"]["roc_auc"], low["similarity_2d"]["roc_auc"])
    low_verdict = (
        f"beats the better of the model and 2D similarity by {low_auc - low_baseline:.2f}"
        if low_auc > low_baseline
        else f"does not beat the better of the model and 2D similarity ({low_baseline:.2f})"
    )
    return (
        '<p class="note">A docking score ranks the poses of one molecule better than it ranks '
        f"molecules. On {evidence['target']}'s {evidence['actives']} actives and "
        f"{evidence['inactives']} inactives matched in {evidence['matched_on']} "
        f"({html.escape(evidence['source'])}), ROC-AUC: Vina score "
        f"{_auc(full, 'docking_score')}, heavy-atom count {_auc(full, 'heavy_atoms')}, the "
        f"pose's interaction similarity to the reference complex "
        f"{_auc(full, 'interaction_similarity')}, the key interaction "
        f"{_auc(full, 'key_interaction')}, the 3D pharmacophore overlay on "
        f"{html.escape(evidence['reference_ligand'])} "
        f"{_auc(full, 'pharmacophore_similarity')}, 2D similarity to it "
        f"{_auc(full, 'similarity_2d')} and the potency model trained on "
        f"{evidence['training_pool']:,} compounds {_auc(full, 'model')}. No rank average of "
        f"structure scores with the model beats the model alone (best: {best_name}, "
        f"{best_auc:.2f}); with 30 training compounds the best ({low_name}, {low_auc:.2f}) "
        f"{low_verdict}. So this ranking does not weight docking or 3D similarity: they are "
        "here to read the poses. These are the benchmark target's figures; on another target "
        "run the benchmark on its own actives and inactives before weighting the structure. "
        "<code>pose_ok</code> is PoseBusters' docking checks (chemistry and clashes, not the "
        "binding mode).</p>"
    )


def scoring_evidence_html() -> str:
    """The scorers' evidence in words and the figure of :func:`drugml.viz.plot_scorer_evidence`
    ('' with a note when the shipped evidence cannot be read)."""
    from drugml.structure.scoring import ScorerError, scoring_evidence
    from drugml.viz import plot_scorer_evidence

    try:
        evidence = scoring_evidence()
    except ScorerError as exc:
        return f'<p class="note">{html.escape(str(exc))}</p>'
    figure = figure_html(
        plot_scorer_evidence(evidence),
        alt="ROC-AUC of every structure-based scorer beside heavy-atom count, 2D similarity "
        "and the potency model, and of the model and consensus scores against training size",
    )
    return _evidence_words(evidence) + figure
