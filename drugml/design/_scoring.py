"""Proposals scored like everything else: the screen's code, then the ranking.

A table of proposals (:func:`drugml.design.propose_analogues`) goes through
:func:`drugml.screening.screen.screen_library` with the campaign's models (every model's
prediction, interval and domain, the alerts, QED and SA score: the same columns as a
screen; resumable; local processes or Dask) and then
:func:`drugml.screening.rank.rank_candidates` with the campaign's ranking. Each proposal
keeps its parent and transformation (:data:`drugml.schema.PROPOSAL_COLUMNS`), and
:func:`compare_with_parents` puts each beside its parent: the predicted change of every
model with its interval, what it costs elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml import schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ProposalFolder", "compare_with_parents", "score_proposals"]

#: Proposal columns carried through the screen beside its own (the screen keeps the id).
_CARRIED = [c for c in schema.PROPOSAL_COLUMNS if c != "proposal_id"]


@dataclass(frozen=True)
class ProposalFolder:
    """The files of a design stage's folder (``proposals/`` of a run).

    >>> ProposalFolder("run/proposals").ranked.name
    'ranked_proposals.csv'
    """

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def proposals(self) -> Path:
        """Every proposal and every seed that gave none (with its status and reason)."""
        return self.root / "proposals.csv"

    @property
    def library(self) -> Path:
        """The proposed molecules as the screen reads them (SMILES and proposal id)."""
        return self.root / "proposed_molecules.csv"

    @property
    def screen(self) -> Path:
        """The proposals' screen (:mod:`drugml.screening.screen` owns what is inside)."""
        return self.root / "screen"

    @property
    def ranked(self) -> Path:
        """The proposed molecules scored and ranked, best first."""
        return self.root / "ranked_proposals.csv"

    @property
    def database(self) -> Path:
        """The fragment database's manifest (what the proposals were made from)."""
        return self.root / "fragment_database.json"


def score_proposals(
    proposals: pd.DataFrame,
    models: Mapping[str, Any],
    out_dir: str | Path,
    ranking: Any = None,
    *,
    trained_on: Mapping[str, Sequence[str]] | None = None,
    **screen_options: Any,
) -> pd.DataFrame:
    """Screen and rank the proposed molecules; write ``proposals.csv`` and the ranking.

    ``models``: name -> :class:`~drugml.models.PropertyModel` or saved model folder, as
    :func:`~drugml.screening.screen.screen_library` takes them. ``ranking``: a ranking
    configuration (its docking objectives and filters are left out: proposals are not
    docked). ``trained_on``: InChIKey -> the models trained on it (sets
    ``in_training_data``). ``screen_options``: keywords of the screen
    (``n_jobs``, ``alerts``, ``backend``, ``client``, ``resume``, ``progress``, ...).
    Returns the ranked proposals (also in ``ranked_proposals.csv``): the screen's and
    the ranking's columns, then the proposal's own. Proposals the screen rejects are in
    the screen's ``rejected`` files with their reason; seeds that gave no proposal stay in
    ``proposals.csv`` with theirs.
    """
    import pandas as pd

    from drugml.screening.rank import rank_candidates
    from drugml.screening.ranking_config import parse_ranking
    from drugml.screening.screen import load_results, screen_library

    folder = ProposalFolder(Path(out_dir))
    folder.root.mkdir(parents=True, exist_ok=True)
    proposals.to_csv(folder.proposals, index=False)
    proposed = proposals[proposals["proposal_status"] == "proposed"]
    if not len(proposed):  # every seed's reason is in proposals.csv; nothing to screen
        return pd.DataFrame(columns=["id", "inchikey", "smiles", *_CARRIED])
    library = folder.library
    proposed[["smiles", "proposal_id"]].to_csv(library, index=False)
    options = {"progress": False, **screen_options}
    screen_library(
        library, models, folder.screen, smiles_column="smiles", id_column="proposal_id",
        **options,
    )  # fmt: skip
    screened = load_results(folder.screen)
    carried = proposed.set_index("proposal_id")[[c for c in _CARRIED if c in proposed]]
    screened = screened.join(carried, on="id")
    ranked = rank_candidates(screened, parse_ranking(ranking).without_docking())
    known = trained_on or {}
    ranked["in_training_data"] = ranked["inchikey"].isin(known)
    ranked["training_data_of"] = ["; ".join(known.get(k, [])) for k in ranked["inchikey"]]
    ranked.to_csv(folder.ranked, index=False)
    return pd.DataFrame(ranked)


def compare_with_parents(
    ranked_proposals: pd.DataFrame,
    parents: pd.DataFrame,
    columns: Sequence[str],
    parent_id_column: str = "id",
) -> pd.DataFrame:
    """Each proposal beside its parent: ``<column>_parent`` and ``<column>_change`` per column.

    ``parents``: the seeds' rows of the ranking (the same columns, ``parent_id_column``
    naming them as the proposals' ``parent_id`` does).

    >>> import pandas as pd
    >>> kids = pd.DataFrame({"id": ["a-1"], "parent_id": ["a"], "qed": [0.7]})
    >>> seeds = pd.DataFrame({"id": ["a"], "qed": [0.5]})
    >>> compare_with_parents(kids, seeds, ["qed"])["qed_change"].round(2).tolist()
    [0.2]
    """
    wanted = [c for c in columns if c in ranked_proposals and c in parents]
    base = parents.drop_duplicates(parent_id_column).set_index(parent_id_column)[wanted]
    base = base.add_suffix("_parent")
    out = ranked_proposals.join(base, on="parent_id")
    for column in wanted:
        out[f"{column}_change"] = out[column] - out[f"{column}_parent"]
    return out
