"""Structure-based scorers in one registry: each a class that turns a table's evidence
(docking, interaction fingerprints, 3D overlays) into one score per molecule.

Built in (:func:`available_scorers`): ``docking_score``, ``ligand_efficiency``,
``size_corrected_score``, ``key_interaction``, ``interaction_similarity``,
``shape_similarity``, ``pharmacophore_similarity``,
``shape_pharmacophore_similarity``; the model's prediction (``model``); the
baselines every structure-based score is shown beside, ``heavy_atoms`` and
``similarity_2d``; and two consensus scorers, ``rank_average`` and
``scaffold_stack`` (a logistic regression fitted on the target's labelled
molecules in scaffold folds). Adding a scorer is one class with
:func:`register_scorer`; ``benchmarks/structure_scoring.py`` then measures it
beside the others, and :func:`scoring_evidence` gives what it measured.

Example
-------
>>> import pandas as pd
>>> from drugml.structure.scoring import make_scorer, score_table
>>> table = pd.DataFrame({"smiles": ["c1ccccc1", "CCO"], "docking_score": [-6.0, -3.5]})
>>> score_table(table, ["docking_score", "heavy_atoms"]).to_dict("list")
{'docking_score': [6.0, 3.5], 'heavy_atoms': [6.0, 3.0]}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

# the built-in scorers register themselves when their modules load (light: pandas, RDKit
# and scikit-learn are imported inside the functions)
from drugml.structure.scoring import _builtin, _consensus  # noqa: F401
from drugml.structure.scoring._base import (
    SCORER_KINDS,
    ScorerError,
    StructureScorer,
    available_scorers,
    make_scorer,
    register_scorer,
    scorer_class,
)
from drugml.structure.scoring._evidence import (
    EVIDENCE_FILE,
    evidence_from_results,
    scoring_evidence,
)

if TYPE_CHECKING:
    import pandas as pd

    from drugml.structure.scoring._consensus import Member

__all__ = [
    "EVIDENCE_FILE",
    "SCORER_KINDS",
    "ScorerError",
    "StructureScorer",
    "available_scorers",
    "evidence_from_results",
    "make_scorer",
    "register_scorer",
    "score_table",
    "scorer_class",
    "scoring_evidence",
]


def score_table(table: pd.DataFrame, scorers: Sequence[Member]) -> pd.DataFrame:
    """Each scorer's score of each row of ``table`` (columns: the scorers' names).

    ``scorers``: names, ``(name, parameters)`` pairs or scorer instances.
    """
    from drugml.structure.scoring._consensus import member_matrix, member_scorers

    return member_matrix(table, member_scorers(scorers))
