"""The ranking written: the global order, the pool's picks, every structure's row in rank order
(``ranked/``), the top, the highlights and ``ranking.json`` (see :mod:`.rank_stream`)."""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._util.io import json_default, write_atomic, write_json_atomic
from drugml.schema import RANKED_CSV, RANKED_PARQUET
from drugml.screening.rank_stream._blocks import in_order
from drugml.screening.rank_stream._check import ScreenParts
from drugml.screening.rank_stream._known import KnownWatch, watch_known
from drugml.screening.rank_stream._ranked import (
    HIGHLIGHTS,
    RANKED,
    SUMMARY,
    RankedScreen,
)
from drugml.screening.ranking_config import RankingConfig

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HISTOGRAM_BINS", "PART_ROWS", "SAMPLE_ROWS", "write_ranking"]

#: Rows per output part ``ranked/part-NNNNNN.parquet``.
PART_ROWS = 50_000
#: Passing molecules sampled evenly along the ranking for the report's figures.
SAMPLE_ROWS = 4000
#: Bins of the histograms in ``ranking.json``.
HISTOGRAM_BINS = 40
#: What ``pareto_rank`` means in a streamed ranking (said in ``ranking.json``).
_PARETO_NOTE = (
    "non-dominated front among the pool (the pool_factor x top_k best passing molecules); "
    "null outside the pool"
)


def write_ranking(
    out: Path,
    screen: ScreenParts,
    blocks: list[Path],
    keys: Mapping[str, np.ndarray],
    extremes: Mapping[str, Any],
    config: RankingConfig,
    stamp: Mapping[str, Any],
    rank_by: list[str],
    known: set[str] | None,
    top_n: int,
) -> RankedScreen:
    """Merge the sorted blocks into the ranking and write every file of it into ``out``."""
    import pyarrow as pa

    order = _global_order(keys, blocks, config)
    pareto, chosen = _pool_picks(blocks, order, config)
    # Known actives: their places by rank and by each rank_by column, with and without
    # the training compounds.
    watch = None
    if known is not None:
        watch = watch_known(blocks, order.sequence, order.schema, known, rank_by)
    histograms = _Histograms(extremes, config, rank_by)
    parts = _PartWriter(out, order, pareto, chosen, histograms, watch, top_n)
    for index, table in enumerate(in_order(blocks, order.sequence, order.schema, None, PART_ROWS)):
        parts.write(index, table)
        del table
        pa.default_memory_pool().release_unused()
    # Commit: ranking.json goes last; its presence marks a finished ranking.
    (out / SUMMARY).unlink(missing_ok=True)
    final = _swap_in(out, parts.directory)
    top, highlight = _write_tables(out, parts)
    summary = {
        "screen": str(screen.folder),
        "screen_records": screen.summary.get("records"),
        "screen_rows": screen.rows,
        "structures": order.n,
        "salt_forms_merged": screen.rows - order.n,
        "passing": order.n_passing,
        "failing_by_filter": extremes["failing"],
        "pool": order.pool_size,
        "selected": int(chosen.sum()),
        "in_training_data": parts.counts["in_training_data"],
        "parts": len(list(final.glob("part-*.parquet"))),
        "top_n": int(min(top_n, order.n)),
        "pareto_rank": _PARETO_NOTE,
        "histograms": histograms.as_dict(),
        "known_actives": _known_summary(known, parts.counts, watch),
        "ranking": config.as_dict(),
        "stamp": stamp,
    }
    write_json_atomic(out / SUMMARY, json.loads(json.dumps(summary, default=json_default)))
    return RankedScreen(out, json.loads((out / SUMMARY).read_text()), top, highlight)


@dataclass
class _Order:
    """The whole screen's order: the block of each place, and the counts that bound it."""

    sequence: np.ndarray  # the block of the structure at each place, best first
    n: int  # structures
    n_passing: int  # structures passing the hard filters (the first places)
    pool_size: int  # the best passing structures the short list is picked from
    schema: Any  # the sorted blocks' common schema


def _global_order(
    keys: Mapping[str, np.ndarray], blocks: list[Path], config: RankingConfig
) -> _Order:
    """Sort the three keys of every structure once: ``rank`` is the place in that order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from drugml.screening.rank import ranking_order

    order = ranking_order(keys["passes"], keys["score"], keys["record"])
    n_passing = int(keys["passes"].sum())
    schema = pa.unify_schemas([pq.read_schema(p) for p in blocks], promote_options="permissive")
    first = pq.read_schema(blocks[0]).names
    schema = pa.schema([schema.field(c) for c in first])
    top_k = config.top_k
    pool_size = min(n_passing, max(top_k, top_k * config.pool_factor)) if top_k else 0
    return _Order(keys["block"][order], len(order), n_passing, pool_size, schema)


def _pool_picks(
    blocks: list[Path], order: _Order, config: RankingConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The pool's Pareto fronts and (by place) the diverse short list picked from it."""
    from drugml.screening.rank import pareto_rank

    objectives = [f"d_{name}" for name in config.objectives]
    columns = ["smiles", *objectives] if "smiles" in order.schema.names else objectives
    pool = None
    if order.pool_size:
        pool_rows = order.sequence[: order.pool_size]
        pool = next(in_order(blocks, pool_rows, order.schema, columns, order.pool_size), None)
    pareto = np.zeros(0, dtype=np.int64)
    selected: list[int] = []
    if pool is not None:
        pool_frame = pool.to_pandas()
        pareto = pareto_rank(pool_frame[objectives].to_numpy(dtype=float))
        if "smiles" in pool_frame and config.top_k > 0:
            selected = _select(
                pool_frame, blocks, order.sequence, order.schema, config, order.n_passing
            )
    chosen = np.zeros(order.n, dtype=bool)
    chosen[selected] = True
    return pareto, chosen


class _Histograms:
    """Histograms of the score, the objectives and the properties over every structure, with
    fixed edges from the blocks' extremes, filled while the ranking streams past."""

    def __init__(self, extremes: Mapping[str, Any], config: RankingConfig, rank_by: list[str]):
        objectives = [f"d_{name}" for name in config.objectives]
        wanted = (
            "score",
            *objectives,
            *[o.column for o in config.objectives.values()],
            "mw",
            "clogp",
            "qed",
            "sa_score",
            *rank_by,
        )
        self.columns = list(dict.fromkeys(c for c in wanted if c in extremes["min"]))
        bins = HISTOGRAM_BINS
        self.counts = {c: np.zeros(bins, dtype=np.int64) for c in self.columns}
        self.edges = {
            c: np.histogram_bin_edges([], bins=bins, range=(extremes["min"][c], extremes["max"][c]))
            for c in self.columns
        }

    def add(self, table: Any) -> None:
        for column in self.columns:
            values = table.column(column).to_numpy(zero_copy_only=False).astype(float)
            finite = values[np.isfinite(values)]
            self.counts[column] += np.histogram(finite, bins=self.edges[column])[0]

    def as_dict(self) -> dict[str, dict[str, list]]:
        return {
            c: {"counts": self.counts[c].tolist(), "edges": self.edges[c].tolist()}
            for c in self.columns
        }


class _PartWriter:
    """Writes the ranking's parts in rank order into a fresh folder beside ``ranked/``, and
    gathers on the way what the rest needs: histograms, counts, the known actives' places,
    the highlights and the top rows."""

    def __init__(
        self,
        out: Path,
        order: _Order,
        pareto: np.ndarray,
        chosen: np.ndarray,
        histograms: _Histograms,
        watch: KnownWatch | None,
        top_n: int,
    ) -> None:
        self.directory = out / f".{RANKED}.tmp-{os.getpid()}"
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir()
        self.order, self.pareto, self.chosen = order, pareto, chosen
        self.histograms, self.watch, self.top_n = histograms, watch, top_n
        self.step = max(1, math.ceil(order.n_passing / SAMPLE_ROWS))
        self.highlights: list[Any] = []
        self.top_tables: list[pd.DataFrame] = []
        self.counts = {"in_training_data": 0, "known_active": 0}
        self.schema: Any = None

    def write(self, index: int, table: Any) -> None:
        """Part ``index`` (``PART_ROWS`` places from ``index * PART_ROWS``)."""
        import pyarrow.parquet as pq

        start = index * PART_ROWS
        rows = np.arange(start, start + table.num_rows)
        table = _ranking_columns(table, rows, self.pareto, self.chosen)
        if self.schema is None:
            self.schema = table.schema
        table = table.cast(self.schema)
        pq.write_table(table, self.directory / f"part-{index:06d}.parquet")
        self.histograms.add(table)
        self._highlight(table, rows)
        if start < self.top_n:
            self.top_tables.append(table.slice(0, self.top_n - start).to_pandas())  # a copy

    def _highlight(self, table: Any, rows: np.ndarray) -> None:
        """Keep the rows of the short list, the pool, the sample and the known actives;
        count the training compounds and the known actives."""
        import pyarrow as pa

        passes = table.column("passes_filters").to_numpy(zero_copy_only=False)
        in_sample = passes & ((rows % self.step) == 0) & (rows < self.order.n_passing)
        in_pool = rows < self.order.pool_size
        flags = self.chosen[rows] | in_sample | in_pool
        for column in self.counts:
            if column in table.schema.names:
                values = table.column(column).to_numpy(zero_copy_only=False).astype(bool)
                self.counts[column] += int(values.sum())
                if column == "known_active":
                    flags |= values
        if self.watch is not None:
            self.watch.update(table, rows)
        if flags.any():
            keep = np.flatnonzero(flags)
            kept = table.take(pa.array(keep))
            kept = kept.append_column("in_pool", pa.array(in_pool[keep]))
            self.highlights.append(kept.append_column("in_sample", pa.array(in_sample[keep])))


def _swap_in(out: Path, ranked_dir: Path) -> Path:
    """The new ``ranked/`` in place of the old one (if any); its path."""
    final = out / RANKED
    if final.exists():
        old = out / f".{RANKED}.old-{os.getpid()}"
        os.replace(final, old)
        os.replace(ranked_dir, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(ranked_dir, final)
    return final


def _write_tables(out: Path, parts: _PartWriter) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``ranked_candidates.csv``/``.parquet`` (the top) and the highlights."""
    import pandas as pd
    import pyarrow as pa

    top = pd.concat(parts.top_tables, ignore_index=True)
    write_atomic(out / RANKED_CSV, lambda p: top.to_csv(p, index=False))
    write_atomic(out / RANKED_PARQUET, lambda p: top.to_parquet(p, index=False))
    if parts.highlights:
        highlight = pa.concat_tables(parts.highlights).to_pandas()
    else:
        highlight = top.iloc[:0].assign(in_pool=False, in_sample=False)
    write_atomic(out / HIGHLIGHTS, lambda p: highlight.to_parquet(p, index=False))
    return top, highlight


def _known_summary(
    known: set[str] | None, counts: Mapping[str, int], watch: KnownWatch | None
) -> dict[str, Any]:
    if known is None:
        return {}
    places = watch.places() if watch is not None else {}
    return {"inchikeys": sorted(known), "found": counts["known_active"], "places": places}


def _ranking_columns(table: Any, rows: np.ndarray, pareto: np.ndarray, chosen: np.ndarray) -> Any:
    """Add ``rank``, ``pareto_rank`` and ``selected`` where :func:`rank_candidates` has them."""
    import pyarrow as pa

    table = table.add_column(0, "rank", pa.array(rows + 1, type=pa.int64()))
    inside = rows < len(pareto)
    values = np.zeros(len(rows), dtype=np.int64)
    values[inside] = pareto[rows[inside]]
    column = pa.array(values, mask=~inside, type=pa.int64())
    names = table.schema.names
    table = table.add_column(names.index("filter_reasons") + 1, "pareto_rank", column)
    names = table.schema.names
    after = names.index("novelty") + 1 if "novelty" in names else names.index("pareto_rank") + 1
    return table.add_column(after, "selected", pa.array(chosen[rows]))


def _select(
    pool: pd.DataFrame,
    blocks: list[Path],
    sequence: np.ndarray,
    schema: Any,
    config: RankingConfig,
    n_passing: int,
) -> list[int]:
    """Places (0-based) of the diverse short list
    (:func:`~drugml.screening.rank.diverse_selection`)."""
    import pandas as pd

    from drugml.screening.rank import diverse_selection

    k = config.top_k
    if config.diversity == "maxmin":
        frame = pd.DataFrame({"smiles": pool["smiles"], "passes_filters": True})
        return sorted(int(i) for i in diverse_selection(frame, k, config))
    # sphere: walks down every passing molecule until k are kept
    from rdkit import DataStructs

    from drugml.chem import to_mol
    from drugml.featurize import bit_fingerprints

    kept: list[int] = []
    fps: list[Any] = []
    threshold = config.max_similarity
    radius = config.diversity_radius
    offset = 0
    for table in in_order(blocks, sequence[:n_passing], schema, ["smiles"], 5000):
        mols = [to_mol(s) for s in table.column("smiles").to_pylist()]
        usable = [offset + i for i, m in enumerate(mols) if m is not None]
        new = bit_fingerprints([m for m in mols if m is not None], radius=radius, n_bits=2048)
        offset += table.num_rows
        for place, fp in zip(usable, new, strict=True):
            if not fps or max(DataStructs.BulkTanimotoSimilarity(fp, fps)) < threshold:
                kept.append(place)
                fps.append(fp)
            if len(kept) == k:
                return kept
    return kept
