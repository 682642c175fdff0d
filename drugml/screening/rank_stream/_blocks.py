"""The screen in blocks: partitioned by InChIKey, merged and scored a block at a time, written
back sorted, and read back in the global ranking order.

Every salt form and duplicate of a structure lands in one block, so a block
merges and scores with the in-memory functions themselves
(:func:`drugml.screening.screen.merge_salt_forms`,
:func:`drugml.screening.rank.score_candidates`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.screening.rank_stream._check import ScreenParts, corrupt_part
from drugml.screening.ranking_config import RankingConfig
from drugml.screening.validation import find_known_actives

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FLUSH_ROWS", "INCHIKEY", "READ_AHEAD_ROWS", "in_order", "partition", "score_blocks"]

#: Rows read from the screen before they are spread over the blocks.
FLUSH_ROWS = 25_000
#: Rows buffered ahead from all sorted blocks together while they are merged.
READ_AHEAD_ROWS = 50_000
INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")


def partition(
    screen: ScreenParts,
    work: Path,
    n_blocks: int,
    name_column: str | None,
    known_actives: Iterable[str] | None,
) -> tuple[list[Path], set[str] | None]:
    """Rows into ``n_blocks`` files by a hash of their InChIKey; the known actives' InChIKeys."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    wanted = list(known_actives) if known_actives is not None else None
    keys = {w for w in wanted or [] if INCHIKEY.match(str(w))}
    by_name = [w for w in wanted or [] if w not in keys]
    found: set[str] | None = None if wanted is None else set()
    paths = [work / f"block-{b:05d}.parquet" for b in range(n_blocks)]
    writers: list[Any] = [None] * n_blocks
    buffer: list[pa.Table] = []
    buffered = 0

    def flush() -> None:
        nonlocal buffer, buffered
        if not buffer:
            return
        table = pa.concat_tables(buffer)
        buffer, buffered = [], 0
        inchikeys = np.asarray(table.column("inchikey").to_pylist(), dtype=object)
        block = (pd.util.hash_array(inchikeys) % np.uint64(n_blocks)).astype(np.int64)
        order = np.argsort(block, kind="stable")
        table, block = table.take(pa.array(order)), block[order]
        bounds = np.searchsorted(block, np.arange(n_blocks + 1))
        for b in range(n_blocks):
            if bounds[b + 1] > bounds[b]:
                if writers[b] is None:
                    writers[b] = pq.ParquetWriter(paths[b], screen.schema)
                writers[b].write_table(table.slice(bounds[b], bounds[b + 1] - bounds[b]))
        del table
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages

    try:
        for part in screen.parts:
            try:
                table = pq.read_table(part)
            except Exception as exc:
                raise corrupt_part(part, exc, "resume the screen") from None
            table = table.select(screen.schema.names).cast(screen.schema)
            if found is not None:
                found |= _known_in(table, by_name, keys, name_column)
            buffer.append(table)
            buffered += table.num_rows
            if buffered >= FLUSH_ROWS:
                flush()
        flush()
    finally:
        for writer in writers:
            if writer is not None:
                writer.close()
    return [p for p, w in zip(paths, writers, strict=True) if w is not None], found


def _known_in(table: Any, names: list[str], keys: set[str], name_column: str | None) -> set[str]:
    """InChIKeys of one part's rows named like a known active (or given by InChIKey)."""
    found = set()
    if keys:
        inchikeys = table.column("inchikey").to_pylist()
        found |= {k for k in inchikeys if k in keys}
    if names and name_column:
        frame = table.select(["inchikey", name_column]).to_pandas()
        found |= find_known_actives(frame, names, name_column)
    return found


def score_blocks(
    blocks: list[Path],
    config: RankingConfig,
    name_column: str | None,
    trained_on: Mapping[str, Sequence[str]] | None,
    known: set[str] | None,
) -> tuple[dict[str, np.ndarray], list[Path], dict[str, Any]]:
    """Merge salt forms and score each block; write it back in ranking order.

    Returns the sort keys of every structure (``passes``, ``score``, ``record``,
    ``block``), the sorted block files and per-column extremes, failing counts
    per filter and the known actives' rows.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    keys: dict[str, list[np.ndarray]] = {"passes": [], "score": [], "record": [], "block": []}
    extremes: dict[str, Any] = {"min": {}, "max": {}, "failing": {}}
    sorted_blocks = []
    for b, path in enumerate(blocks):
        scored = _score_block(path, config, name_column, trained_on, known)
        keys["passes"].append(scored["passes_filters"].to_numpy(dtype=bool))
        keys["score"].append(scored["score"].to_numpy(dtype=float))
        keys["record"].append(scored["record"].to_numpy(dtype=np.int64))
        keys["block"].append(np.full(len(scored), b, dtype=np.int32))
        _update_extremes(extremes, scored, config)
        target = path.with_name(f"sorted-{b:05d}.parquet")
        # small row groups: the merge reads every block at once, a row group of each
        group = max(256, READ_AHEAD_ROWS // max(1, len(blocks)))
        table = pa.Table.from_pandas(scored, preserve_index=False)
        pq.write_table(table, target, row_group_size=group)
        sorted_blocks.append(target)
        del scored, table
    joined = {k: np.concatenate(v) if v else np.empty(0) for k, v in keys.items()}
    return joined, sorted_blocks, extremes


def _score_block(
    path: Path,
    config: RankingConfig,
    name_column: str | None,
    trained_on: Mapping[str, Sequence[str]] | None,
    known: set[str] | None,
) -> pd.DataFrame:
    """One block's structures (salt forms merged), scored and marked, in ranking order; the
    block's file is removed once read."""
    import pyarrow.parquet as pq

    from drugml.screening.rank import ranking_order, score_candidates
    from drugml.screening.screen import merge_salt_forms

    frame = pq.read_table(path).to_pandas()
    path.unlink()
    frame = frame.sort_values("record", ignore_index=True)
    merged = merge_salt_forms(frame, name_column)
    del frame
    scored = score_candidates(merged, config)
    del merged
    if trained_on is not None:
        scored["in_training_data"] = scored["inchikey"].isin(trained_on)
        scored["training_data_of"] = ["; ".join(trained_on.get(k, [])) for k in scored["inchikey"]]
    if known is not None:
        scored["known_active"] = scored["inchikey"].isin(known)
    order = ranking_order(
        scored["passes_filters"].to_numpy(),
        scored["score"].to_numpy(),
        scored["record"].to_numpy(),
    )
    return scored.iloc[order].reset_index(drop=True)


def _update_extremes(extremes: dict[str, Any], scored: pd.DataFrame, config: RankingConfig) -> None:
    """Each numeric column's smallest and largest finite value, and the molecules failing each
    filter, over the blocks scored so far."""
    import pandas as pd

    from drugml.screening.rank import apply_filters

    for column in scored.columns:
        series = scored[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = scored[column].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if len(values):
                lo, hi = float(values.min()), float(values.max())
                extremes["min"][column] = min(lo, extremes["min"].get(column, lo))
                extremes["max"][column] = max(hi, extremes["max"].get(column, hi))
    for column, rule in config.filters.items():
        passes, _ = apply_filters(scored[[column]], {column: rule})
        extremes["failing"][column] = extremes["failing"].get(column, 0) + int((~passes).sum())


class _Cursor:
    """Reads a sorted block front to back, ``take(n)`` rows at a time."""

    def __init__(self, path: Path, columns: list[str] | None, batch_size: int) -> None:
        import pyarrow.parquet as pq

        # one row group at a time: with threads, Arrow reads ahead through the whole block
        self.batches = pq.ParquetFile(path, pre_buffer=False).iter_batches(
            batch_size=batch_size, columns=columns, use_threads=False
        )
        self.pending: list[Any] = []
        self.available = 0

    def take(self, n: int) -> Any:
        import pyarrow as pa

        while self.available < n:
            batch = next(self.batches)
            self.pending.append(batch)
            self.available += batch.num_rows
        table = pa.Table.from_batches(self.pending) if self.pending else None
        assert table is not None
        head, rest = table.slice(0, n), table.slice(n)
        self.pending = rest.to_batches() if rest.num_rows else []
        self.available = rest.num_rows
        return head


def in_order(
    blocks: list[Path],
    sequence: np.ndarray,
    schema: Any,
    columns: list[str] | None,
    chunk_rows: int,
) -> Iterator[Any]:
    """The rows of sorted blocks in the global order ``sequence`` (the block of each row),
    ``chunk_rows`` at a time (pyarrow tables)."""
    import pyarrow as pa

    batch = max(256, READ_AHEAD_ROWS // max(1, len(blocks)))
    cursors = [_Cursor(path, columns, batch) for path in blocks]
    target = schema if columns is None else pa.schema([schema.field(c) for c in columns])
    for start in range(0, len(sequence), chunk_rows):
        chunk = sequence[start : start + chunk_rows]
        counts = np.bincount(chunk, minlength=len(blocks))
        tables = [cursors[b].take(int(n)).cast(target) for b, n in enumerate(counts) if n]
        table = pa.concat_tables(tables)
        by_block = np.argsort(chunk, kind="stable")
        where = np.empty(len(chunk), dtype=np.int64)
        where[by_block] = np.arange(len(chunk))
        yield table.take(pa.array(where))
