"""The design stage in one call: analogues of seeds, scored and ranked, then the next batch.

:func:`design_stage` is what ``drugml run`` does with a ``design:`` section, and what a
script calls with its own seeds and models: propose analogues
(:func:`~drugml.design.propose_analogues`), screen and rank them with every model
(:func:`~drugml.design.score_proposals`), put each beside its parent, then pick the next
batch (:func:`~drugml.design.next_batch`) from the screen, the proposals or both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml import schema
from drugml.design._errors import PoolError
from drugml.design._scoring import ProposalFolder, compare_with_parents, score_proposals

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_POOL", "POOLS", "DesignResult", "design_pool", "design_stage", "read_seeds"]

#: Where the next batch is picked from; the first is the default.
POOLS = ("both", "screen", "proposals")
DEFAULT_POOL = POOLS[0]


@dataclass
class DesignResult:
    """What the design stage made: every proposal (with seeds that gave none), the proposed
    molecules scored, ranked and beside their parents, the next batch, and a summary."""

    proposals: Any
    ranked: Any
    next_batch: Any
    summary: dict[str, Any] = field(default_factory=dict)


def read_seeds(
    path: str | Path,
    *,
    smiles_column: str | None = None,
    id_column: str | None = None,
    n: int | None = None,
) -> pd.DataFrame:
    """The first ``n`` seed molecules of a file as ``smiles`` and ``id`` columns.

    Any molecule file :func:`drugml.chem.read_molecules` reads (SMILES, CSV/TSV, SDF,
    Parquet; SMILES and id columns named or detected). A record without an id is
    ``seed-<record>``; a record that cannot be read keeps its row (empty SMILES), and
    :func:`~drugml.design.propose_analogues` gives it a status row with the reason. A file
    that cannot be read raises the reader's error, naming the file.

    >>> from drugml import data
    >>> read_seeds(data.path("esol"), n=2)["id"].tolist()
    ['Amigdalin', 'Fenfuram']
    """
    import pandas as pd

    from drugml.chem import read_molecules

    table = read_molecules(path, smiles_column=smiles_column, id_column=id_column)
    table = table.head(n) if n is not None else table
    ids = [
        f"seed-{record}" if given is None or str(given) == "" else str(given)
        for given, record in zip(table["id"], table["record"], strict=True)
    ]
    smiles = [text if isinstance(text, str) else "" for text in table["input"]]
    return pd.DataFrame({"smiles": smiles, "id": ids})


def _parent_columns(models: Mapping[str, str]) -> list[str]:
    """The columns a proposal is compared on with its parent: every model's prediction (or
    probability), QED, SA score, the ranking's score."""
    columns = [schema.prediction_column(name, task) for name, task in models.items()]
    return [*columns, "qed", "sa_score", "score"]


def design_stage(
    seeds: pd.DataFrame,
    models: Mapping[str, Any],
    out_dir: str | Path,
    *,
    tasks: Mapping[str, str],
    objective: str,
    ranking: Any = None,
    screened: pd.DataFrame | None = None,
    pool: str = DEFAULT_POOL,
    analogue_settings: Any = None,
    batch_settings: Any = None,
    database: Any = None,
    known: Mapping[str, str] | None = None,
    trained_on: Mapping[str, Sequence[str]] | None = None,
    id_column: str = "id",
    screen_options: Mapping[str, Any] | None = None,
) -> DesignResult:
    """Propose analogues of ``seeds``, score and rank them, and pick the next batch.

    ``seeds``: rows of a ranking (``smiles`` and ``id_column``; their model columns are
    the parents' values the proposals are compared with). ``models``: name -> model or
    saved folder; ``tasks``: name -> task. ``objective``: the model the acquisition reads.
    ``screened``: the ranked screen, pooled with the proposals unless ``pool`` says
    otherwise. ``known``: InChIKey -> where it is known (training set, library): a
    proposal found there is not new. ``trained_on``: InChIKey -> the models trained on
    it; measured molecules are left out of the pool (testing them again teaches nothing).
    Writes ``out_dir`` (:class:`~drugml.design.ProposalFolder`).
    """
    import pandas as pd

    from drugml.design._analogues import propose_analogues
    from drugml.design._fragments import load_fragment_database
    from drugml.design._next_batch import next_batch
    from drugml.screening.ranking_config import parse_ranking

    if pool not in POOLS:
        raise PoolError(f"pool must be one of {POOLS}, got {pool!r}")
    timings: dict[str, float] = {}
    tick = time.perf_counter()
    database = load_fragment_database(database)
    proposals = propose_analogues(
        seeds, database, analogue_settings, known=known, id_column=id_column
    )
    timings["propose"] = time.perf_counter() - tick
    tick = time.perf_counter()
    folder = ProposalFolder(Path(out_dir))
    folder.root.mkdir(parents=True, exist_ok=True)
    folder.database.write_text(json.dumps(database.manifest, indent=1) + "\n")
    ranked = score_proposals(
        proposals, models, folder.root, ranking, trained_on=trained_on, **(screen_options or {})
    )
    if len(ranked):
        ranked = compare_with_parents(
            ranked, seeds.rename(columns={id_column: "id"}), _parent_columns(tasks)
        )
        ranked.to_csv(folder.ranked, index=False)
    timings["score"] = time.perf_counter() - tick
    tick = time.perf_counter()
    pooled = design_pool(screened, ranked, pool)
    # proposals are not docked (and only the top of a screen is): docking filters stay out
    without_docking = parse_ranking(ranking).without_docking()
    batch = next_batch(
        pooled, objective, batch_settings, task=tasks[objective], ranking=without_docking,
        source_column="source",
    )  # fmt: skip
    timings["next_batch"] = time.perf_counter() - tick
    summary = _summary(proposals, ranked, pooled, batch, database, timings)
    return DesignResult(pd.DataFrame(proposals), ranked, batch, summary)


def design_pool(
    screened: pd.DataFrame | None, proposals: pd.DataFrame | None, pool: str = DEFAULT_POOL
) -> pd.DataFrame:
    """The molecules a batch is picked from, each with its ``source`` (screen or proposals),
    one row per structure; measured ones (``in_training_data``) left out: testing them
    again teaches nothing.

    >>> import pandas as pd
    >>> screen = pd.DataFrame({"inchikey": ["A", "B"], "in_training_data": [False, True]})
    >>> design_pool(screen, pd.DataFrame({"inchikey": ["C"]}))["source"].tolist()
    ['screen', 'proposals']
    """
    import pandas as pd

    if pool not in POOLS:
        raise PoolError(f"pool must be one of {POOLS}, got {pool!r}")
    parts = []
    if pool in ("both", "screen") and screened is not None:
        parts.append(screened.assign(source="screen"))
    if pool in ("both", "proposals") and proposals is not None:
        parts.append(proposals.assign(source="proposals"))
    if not parts or not sum(len(p) for p in parts):
        raise PoolError(f"the pool ({pool}) is empty: no screened molecule and no proposal")
    table = pd.concat(parts, ignore_index=True, sort=False)
    given = len(table)
    if "in_training_data" in table:
        table = table[~table["in_training_data"].fillna(False).astype(bool)]
    measured = given - len(table)
    keyed = table["inchikey"].notna()  # a row without a key is never taken for another's twin
    twins = keyed & table.duplicated("inchikey")
    table = table[~twins].reset_index(drop=True)
    # every row given is in the pool or counted here (the batch's summary reports them)
    table.attrs["left_out"] = {
        "measured (in a model's training data)": int(measured),
        "the same structure twice (screen and proposals)": int(twins.sum()),
    }
    return table


def _summary(
    proposals: pd.DataFrame,
    ranked: pd.DataFrame,
    pooled: pd.DataFrame,
    batch: pd.DataFrame,
    database: Any,
    timings: Mapping[str, float],
) -> dict[str, Any]:
    """Counts of the stage for ``metrics.json`` and the report."""
    proposed = proposals["proposal_status"] == "proposed"
    in_domain = [c for c in ranked.columns if c.endswith("_in_domain")]
    return {
        "seeds": int(proposals["parent_id"].nunique()),
        "seeds_without_proposals": int(proposals.loc[~proposed, "parent_id"].nunique()),
        "proposals": int(proposed.sum()),
        "proposals_not_kept": dict(proposals.attrs.get("dropped", {})),
        "scored": len(ranked),
        "new": int(ranked["is_new"].fillna(False).astype(bool).sum()) if len(ranked) else 0,
        "passing_filters": int(ranked["passes_filters"].sum()) if len(ranked) else 0,
        "in_every_domain": int(ranked[in_domain].fillna(False).astype(bool).all(axis=1).sum())
        if in_domain and len(ranked)
        else 0,
        "pool": len(pooled),
        "left_out_of_pool": dict(pooled.attrs.get("left_out", {})),
        "batch": len(batch),
        "batch_from_proposals": int((batch["source"] == "proposals").sum()),
        "fragment_database": getattr(database, "manifest", {}),
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }
