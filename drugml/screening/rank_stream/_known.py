"""The known actives in a streamed ranking: their places in the final order and by each
``rank_by`` column, with and without the training compounds (what their enrichment needs)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KnownWatch", "watch_known"]


class KnownWatch:
    """Places of the known actives in the final order and by each ``rank_by`` column,
    with and without the training compounds, gathered while the ranking streams past."""

    def __init__(self, rows: pd.DataFrame, rank_by: list[str]) -> None:
        self.rows = rows  # the known actives: place, training flag, rank_by values
        self.rank_by = rank_by
        k = len(rows)
        self.training_before = np.zeros(k, dtype=np.int64)
        self.n = 0
        self.n_training = 0
        self.above = {
            (c, s): np.zeros(k, dtype=np.int64) for c in rank_by for s in ("all", "unseen")
        }

    def update(self, table: Any, rows: np.ndarray) -> None:
        place = self.rows["place"].to_numpy()
        training = (
            table.column("in_training_data").to_numpy(zero_copy_only=False).astype(bool)
            if "in_training_data" in table.schema.names
            else np.zeros(table.num_rows, dtype=bool)
        )
        self.n += table.num_rows
        self.n_training += int(training.sum())
        self.training_before += np.array(
            [int(training[rows < p].sum()) for p in place], dtype=np.int64
        )
        for column in self.rank_by:
            values = table.column(column).to_numpy(zero_copy_only=False).astype(float)
            values = np.nan_to_num(values, nan=-np.inf)
            mine = np.nan_to_num(self.rows[column].to_numpy(dtype=float), nan=-np.inf)
            for i, (v, p) in enumerate(zip(mine, place, strict=True)):
                ahead = (values > v) | ((values == v) & (rows < p))
                self.above[(column, "all")][i] += int(ahead.sum())
                self.above[(column, "unseen")][i] += int((ahead & ~training).sum())

    def places(self) -> dict[str, dict[str, Any]]:
        place = self.rows["place"].to_numpy()
        seen = self.rows["in_training_data"].to_numpy(dtype=bool)
        out = {
            "rank|all": {"positions": place.tolist(), "n": self.n},
            "rank|unseen": {
                "positions": (place - self.training_before)[~seen].tolist(),
                "n": self.n - self.n_training,
            },
        }
        for column in self.rank_by:
            out[f"{column}|all"] = {"positions": self.above[(column, "all")].tolist(), "n": self.n}
            out[f"{column}|unseen"] = {
                "positions": self.above[(column, "unseen")][~seen].tolist(),
                "n": self.n - self.n_training,
            }
        return out


def watch_known(
    blocks: list[Path], sequence: np.ndarray, schema: Any, known: set[str], rank_by: list[str]
) -> KnownWatch:
    """The known actives' places and values, read from the sorted blocks (a first pass)."""
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    columns = ["inchikey", *rank_by] + (
        ["in_training_data"] if "in_training_data" in schema.names else []
    )
    offsets = np.zeros(len(blocks) + 1, dtype=np.int64)
    frames = []
    # place of row r of block b: where the r-th occurrence of b is in the sequence
    for b, path in enumerate(blocks):
        table = pq.read_table(path, columns=columns)
        hit = pc.is_in(table.column("inchikey"), value_set=_string_array(known))
        mask = hit.to_numpy(zero_copy_only=False)
        if mask.any():
            frame = table.filter(hit).to_pandas()
            frame["block"], frame["row"] = b, np.flatnonzero(mask)
            frames.append(frame)
        offsets[b + 1] = table.num_rows
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*columns, "block", "row"])
    )
    places = []
    for b, r in zip(rows["block"], rows["row"], strict=True):
        places.append(int(np.flatnonzero(sequence == b)[r]))
    rows["place"] = np.asarray(places, dtype=np.int64)
    if "in_training_data" not in rows:
        rows["in_training_data"] = False
    return KnownWatch(rows.sort_values("place", ignore_index=True), rank_by)


def _string_array(values: Iterable[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(values), type=pa.string())
