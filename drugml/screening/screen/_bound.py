"""The short-list bound: which molecules of a screen can still reach the ranking's short list.

:class:`ShortlistBound` is the argument (and the worker's test, sent with each
chunk); :class:`PoolThreshold` is the driver's side, the ``P``-th best exact
score over the chunks collected so far.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.schema import INTERVAL_WIDTH, PROFILED
from drugml.screening.ranking_config import RankingConfigError, RankingSource, parse_ranking
from drugml.screening.screen._settings import ScreenConfigError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PoolThreshold", "ShortlistBound", "shortlist_bound"]

#: Relative margin under the threshold before a molecule is skipped: scores
#: computed in another order (another engine, another BLAS) differ in the last
#: bits, never by this much.
_MARGIN = 1e-9


class ShortlistBound:
    """Which molecules of a screen can still reach the ranking's short list.

    ``profile="shortlist"`` scores every molecule with every model and
    computes its properties and rules, but its domain search (interval,
    nearest similarity, in domain), structural alerts, QED and SA score only
    when it may still reach the short list: the diverse pick of
    :func:`drugml.screening.rank.rank_candidates` (``diversity: maxmin``) looks only at
    the *pool*, the ``P = max(top_k, pool_factor * top_k)`` best molecules that
    pass the hard filters (by score, after merging salt forms by InChIKey).

    **The argument.** A molecule's score is the weighted geometric mean of
    desirabilities in [floor, 1], non-decreasing in each, and the hard
    filters are a conjunction. So with a column still unknown, the highest
    score the molecule can get is its score with that column's desirability
    at 1, and it can pass only if the filters on the known columns pass:
    :meth:`upper` (``U``). The screen keeps ``T``, the ``P``-th best exact
    score among passing, fully profiled molecules that are the first record
    of their InChIKey (a structure's merged row is that of its first record)
    seen in the chunks finished so far: ``T`` can only be below the final
    ``P``-th best, since the final pool is taken over a superset. A molecule
    with ``U < T`` (less a relative :data:`_MARGIN`) therefore has a true
    score strictly below that of every pool member: it is not in the pool of
    the full profile. Its row in the short-list profile has empty columns,
    whose desirability is the floor (<= the true one) and whose filters
    fail, so its score there is no higher: it is not in that pool either.
    Every pool member is fully profiled with the very numbers of the full
    profile, so both pools hold the same molecules in the same order, and
    the diverse pick, which sees only the pool, is the same. That holds for
    a ranking of the merged rows and of the plain rows alike (the ``P``-th
    best of the records is at least that of the structures). Molecules
    skipped get ``profiled = False`` (:data:`drugml.schema.PROFILED`).

    ``T`` is taken from the chunks collected before a chunk is sent out, so
    which molecules are profiled depends on the number of workers and on a
    resume; the short list does not. A ranking whose filter reads a column
    the screen does not write cannot be bounded: every molecule is profiled.

    >>> bound = ShortlistBound({"objectives": {"p": {"column": "p_prediction",
    ...     "shape": "increasing", "low": 5, "high": 8}, "q": {"column": "qed",
    ...     "shape": "increasing", "low": 0, "high": 1}}, "filters": {}, "floor": 0.01,
    ...     "top_k": 1, "pool_factor": 2, "diversity": "maxmin"}, {"p_prediction", "qed"})
    >>> import pandas as pd
    >>> table = pd.DataFrame({"p_prediction": [8.0, 5.0]})
    >>> bound.upper(table, unknown={"qed"})[0].round(3).tolist()   # qed at its best (1)
    [1.0, 0.1]
    """

    def __init__(self, ranking: RankingSource, screen_columns: Any) -> None:
        ranking = parse_ranking(ranking)
        if ranking.diversity != "maxmin":
            raise ScreenConfigError(
                "profile='shortlist' needs the ranking's diversity: maxmin (its pool is the "
                "pool_factor * top_k best molecules); diversity: sphere walks down the ranking "
                "as far as it must, so no molecule can be left out. Use profile='full'."
            )
        # plain values: the bound travels to worker processes
        self.objectives = [
            (o.column, o.shape, o.low, o.high, o.margin, o.weight)
            for o in ranking.objectives.values()
        ]
        self.filters = {c: rule.rules() for c, rule in ranking.filters.items()}
        self.floor = ranking.floor
        self.pool = max(ranking.top_k, ranking.top_k * ranking.pool_factor)
        self.screen_columns = frozenset(screen_columns)
        self.threshold: float | None = None

    def __getstate__(self) -> dict:
        return self.__dict__

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def _values(self, table: pd.DataFrame, column: str, unknown: Any) -> Any:
        """A column's values, None when unknown (``<model>_interval_width`` from its ends)."""
        if column in unknown or column not in self.screen_columns:
            return None
        if column in table:
            values = table[column]
            # nullable booleans (a short-list screen's flags): NA fails every rule
            return values.astype(float) if values.dtype == "boolean" else values
        if column.endswith(f"_{INTERVAL_WIDTH}"):
            name = column[: -len(INTERVAL_WIDTH) - 1]
            if f"{name}_lower" in unknown:
                return None
            return table[f"{name}_upper"] - table[f"{name}_lower"]
        return None

    def _score(self, table: pd.DataFrame, unknown: Any, missing: float) -> np.ndarray:
        from drugml.screening.rank import desirability

        logs, weights = [], []
        for column, shape, low, high, margin, weight in self.objectives:
            values = self._values(table, column, unknown)
            d = (
                np.full(len(table), missing)
                if values is None
                else desirability(values, shape, low, high, margin, self.floor)
            )
            with np.errstate(divide="ignore"):
                logs.append(np.log(d))
            weights.append(weight)
        w = np.asarray(weights)
        if not len(table):
            return np.zeros(0)
        return np.exp(np.column_stack(logs) @ w / w.sum())

    def _passes(self, table: pd.DataFrame, unknown: Any, optimistic: bool) -> np.ndarray:
        from drugml.screening.rank import apply_filters

        known, passes = {}, np.ones(len(table), dtype=bool)
        for column in self.filters:
            values = self._values(table, column, unknown)
            if values is None:
                if not optimistic:
                    passes[:] = False
                continue
            known[column] = values
        if known:
            import pandas as pd

            frame = pd.DataFrame(known, index=table.index)
            passes &= apply_filters(frame, {c: self.filters[c] for c in known})[0]
        return passes

    def upper(self, table: pd.DataFrame, unknown: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(score, may_pass)``: the best score each molecule can reach with the ``unknown``
        columns at their best, and whether it can still pass the filters."""
        return self._score(table, unknown, 1.0), self._passes(table, unknown, optimistic=True)

    def exact(self, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``(score, passes)`` of fully profiled rows (a column the screen does not write:
        its desirability at the floor, its filter failed, so the score is a lower bound)."""
        return self._score(table, (), self.floor), self._passes(table, (), optimistic=False)

    def needed(self, table: pd.DataFrame, unknown: Any) -> np.ndarray:
        """The molecules that may still reach the pool (all while there is no threshold)."""
        if self.threshold is None:
            return np.ones(len(table), dtype=bool)
        score, may_pass = self.upper(table, unknown)
        return may_pass & (score >= self.threshold * (1 - _MARGIN))


class PoolThreshold:
    """The driver's side of :class:`ShortlistBound`: ``T`` over the chunks collected so far.

    First records of an InChIKey are recognized with a Bloom filter of the keys
    seen (fixed memory; a false positive only leaves a molecule out of ``T``,
    which lowers it: safe).
    """

    BITS = 1 << 26  # 8 MB: under 1e-5 false positives at 1M keys, ~4 % at 10M
    HASHES = 4

    def __init__(self, bound: ShortlistBound) -> None:
        self.bound = bound
        self.seen = np.zeros(self.BITS // 8, dtype=np.uint8)
        self.best: list[float] = []  # min-heap of the pool's scores

    def _positions(self, key: str) -> list[int]:
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        a, b = int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little") | 1
        return [(a + i * b) % self.BITS for i in range(self.HASHES)]

    def observe(self, scored: pd.DataFrame) -> None:
        """Take in one chunk's scored rows, in chunk order."""
        import heapq

        if not len(scored) or not self.bound.pool:
            return
        if PROFILED in scored:
            profiled = scored[PROFILED].to_numpy(dtype=bool)
        else:
            profiled = np.ones(len(scored), dtype=bool)
        score, passes = self.bound.exact(scored)
        order = np.argsort(scored["record"].to_numpy(), kind="stable")
        keys = scored["inchikey"].to_numpy()
        for i in order:
            key = str(keys[i])
            positions = self._positions(key)
            first = not all(self.seen[p >> 3] & (1 << (p & 7)) for p in positions)
            for p in positions:
                self.seen[p >> 3] |= 1 << (p & 7)
            if first and profiled[i] and passes[i]:
                if len(self.best) < self.bound.pool:
                    heapq.heappush(self.best, float(score[i]))
                elif score[i] > self.best[0]:
                    heapq.heapreplace(self.best, float(score[i]))
        if len(self.best) == self.bound.pool:
            self.bound.threshold = self.best[0]


def shortlist_bound(
    ranking: Any,
    model_dirs: Mapping[str, str],
    alerts: tuple[str, ...],
    keep_columns: tuple[str, ...],
) -> tuple[ShortlistBound, dict]:
    """The bound of a short-list screen and its ranking configuration (checked)."""
    from drugml.models import metadata_file
    from drugml.schema import screen_columns

    try:
        config = parse_ranking(ranking)
    except RankingConfigError as exc:
        raise ScreenConfigError(f"profile='shortlist': {exc}") from None
    tasks = {
        name: json.loads(metadata_file(directory).read_text())["params"]["task"]
        for name, directory in model_dirs.items()
    }
    columns = screen_columns(tasks, alerts, keep_columns, derived=True)
    return ShortlistBound(config, columns), json.loads(json.dumps(config.as_dict(), default=str))
