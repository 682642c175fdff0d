"""Screen a molecule library larger than memory: chunks, every model, filters, resumable output.

:func:`screen_library` streams a library (SMILES, CSV/TSV, SDF, Parquet,
optionally gzipped) in chunks of ``chunk_size`` records. Each chunk is
standardized, each molecule parsed and featurized once, scored by every model
(prediction, uncertainty, applicability domain), and given its drug-likeness
properties and structural alerts. Results go to ``out_dir``:

- ``parts/part-NNNNNN.parquet``: one scored row per accepted record (columns
  ``record``, ``id``, ``input``, ``smiles``, ``inchikey``, the kept columns,
  per model the columns of :func:`drugml.schema.model_columns`
  (``<name>_prediction``, ``<name>_lower``/``_upper`` or
  ``<name>_probability``, ``<name>_nearest_similarity``, ``<name>_in_domain``),
  then :func:`drugml.schema.filter_columns`);
- ``rejects/part-NNNNNN.csv``: one row per rejected record (``record``,
  ``input``, ``reason``); for every chunk, scored + rejected = records read;
- ``manifest.json``: the run's fingerprint (library checksum, chunk size,
  models) and the finished chunks; ``summary.json`` at the end.

**Resumable.** Each part is written to a temporary name and renamed (atomic
on one file system), and the manifest is rewritten the same way after each
chunk. A run killed at any moment and started again (``resume=True``)
skips the finished chunks and redoes the rest: the final rows are exactly
those of an uninterrupted run, without loss or duplicates. An output folder
written for a different library, chunk size or models is refused, with the
difference named.

**Backends.** ``backend="local"`` uses ``n_jobs`` worker processes (1: this
process); ``backend="dask"`` sends chunks to a ``dask.distributed`` cluster
(``client=`` a ``Client`` or a scheduler address; ``None`` starts a
``LocalCluster`` of ``n_jobs`` one-thread workers for the screen). Workers load the models
from their saved directories (so on a real cluster ``out_dir`` must be on
storage every worker reads); the driver reads the library and writes every
file, so results do not depend on the backend. Memory stays bounded: at most
``2 x workers`` chunks are in flight and no chunk's molecules outlive it.

Example
-------
>>> from drugml import data
>>> from drugml.screening.screen import load_results, screen_library
>>> summary = screen_library(data.path("approved_drugs"), {"potency": "models/egfr"},
...                          "screens/approved")  # doctest: +SKIP
>>> load_results("screens/approved").head()  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._util.io import sha256, write_atomic, write_json_atomic
from drugml._version import __version__
from drugml.errors import DrugmlError
from drugml.schema import (
    ALERT_CATALOGS,
    DEFAULT_ALERTS,
    INTERVAL_WIDTH,
    MODEL_OUTPUTS,
    PROFILED,
    filter_columns,
    model_column,
)
from drugml.screening.ranking_config import RankingConfigError, RankingSource, parse_ranking

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PROFILES",
    "REJECTED_WARNING_FRACTION",
    "NothingScreenedError",
    "ScreenConfigError",
    "ShortlistBound",
    "load_rejects",
    "load_results",
    "merge_salt_forms",
    "part_paths",
    "score_chunk",
    "screen_library",
]

MANIFEST = "manifest.json"

#: ``profile=`` values of :func:`screen_library` (see :class:`ShortlistBound`).
PROFILES = ("full", "shortlist")
#: Columns a molecule of the short-list profile may leave empty: what the
#: domain search gives (the interval and the domain) and the expensive
#: drug-likeness (alerts, QED, SA score). Properties and rules are always there.
_DOMAIN_OUTPUTS = ("lower", "upper", "nearest_similarity", "in_domain")


class ScreenConfigError(DrugmlError, ValueError):
    """The screen cannot start: a missing file or model, or an output folder of another run."""


class NothingScreenedError(DrugmlError, ValueError):
    """Every record of the library was rejected (or it has none): nothing to rank.

    The rejects, with their reasons, are written before this is raised.
    """


#: Above this fraction of rejected records a screen warns (the library is
#: probably not what the configuration thinks it is: wrong column, wrong format).
REJECTED_WARNING_FRACTION = 0.5


# ------------------------------------------------------------------ models
_MODEL_CACHE: dict[str, Any] = {}


def _load_model(directory: str):
    """Each worker process loads a model directory once."""
    from drugml.models import PropertyModel

    if directory not in _MODEL_CACHE:
        _MODEL_CACHE[directory] = PropertyModel.load(directory)
    return _MODEL_CACHE[directory]


def _model_directories(models: Mapping[str, Any], out_dir: Path) -> dict[str, str]:
    """Model directories by name; in-memory models are saved under ``out_dir/models``."""
    from drugml.models import PropertyModel

    if not isinstance(models, Mapping) or not models:
        raise ScreenConfigError("models must be a non-empty dict: name -> PropertyModel or folder")
    directories = {}
    for name, model in models.items():
        if not str(name).isidentifier():
            raise ScreenConfigError(f"Model name {name!r} must be a valid identifier")
        if isinstance(model, PropertyModel):
            directory = out_dir / "models" / name
            if not (directory / "metadata.json").is_file():
                model.save(directory)
            directories[name] = str(directory.resolve())
        else:
            directory = Path(model)
            if not (directory / "metadata.json").is_file():
                raise ScreenConfigError(f"Model {name!r}: {directory} is not a saved drugml model")
            directories[name] = str(directory.resolve())
    return directories


# ------------------------------------------------------- short-list bound
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
            d = (np.full(len(table), missing) if values is None
                 else desirability(values, shape, low, high, margin, self.floor))  # fmt: skip
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


class _PoolThreshold:
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
        profiled = scored[PROFILED].to_numpy(dtype=bool) if PROFILED in scored else (
            np.ones(len(scored), dtype=bool))  # fmt: skip
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


# ---------------------------------------------------------------- scoring
def score_chunk(records: pd.DataFrame, model_dirs: Mapping[str, str],
                keep_columns: tuple[str, ...] = (),
                alerts: tuple[str, ...] = DEFAULT_ALERTS, profile: str = "full",
                bound: ShortlistBound | None = None) -> tuple:  # fmt: skip
    """Score one chunk of library records: ``(scored, rejected)`` DataFrames.

    ``records`` has the columns of :func:`drugml.chem.iter_molecules`; the
    ``keep_columns`` of it are carried into the scored table; ``alerts`` are
    the alert catalogues checked. Every record ends in exactly one of the two
    tables. ``profile="shortlist"`` with a ``bound`` (:class:`ShortlistBound`)
    leaves the domain and the expensive drug-likeness columns of molecules
    that cannot reach the short list empty and adds :data:`drugml.schema.PROFILED`.
    """
    import pandas as pd
    from rdkit import Chem, rdBase

    from drugml.chem import standardize
    from drugml.featurize import bit_fingerprints, fingerprint_bits, shared_descriptors
    from drugml.screening.filters import druglikeness_rows

    std = standardize(records[["record", "id", "input", "read_error"]], smiles_column="input",
                      id_column="id", progress=False)  # fmt: skip
    std.insert(0, "record", records["record"].to_numpy())
    for column in keep_columns:
        # as text: a chunk whose names are all empty would read as float NaN, and the
        # parts of one screen must agree on every column's type
        std[column] = pd.array(records[column].to_numpy(), dtype="string")
    rejected = std.loc[~std["ok"], ["record", "input"]].copy()
    # The message already starts with what went wrong ("unparsable: ...",
    # "bad valence: ..."): the error type is said only where there is no message.
    rejected["reason"] = [
        error if error else str(kind)
        for kind, error in zip(std.loc[~std["ok"], "error_type"], std.loc[~std["ok"], "error"],
                               strict=True)
    ]  # fmt: skip
    accepted = std[std["ok"]].reset_index(drop=True)
    with rdBase.BlockLogs():
        mols = [Chem.MolFromSmiles(s) for s in accepted["smiles"]]
    lost = [i for i, m in enumerate(mols) if m is None]  # standardized but unreadable: rare
    if lost:
        extra = accepted.loc[lost, ["record", "input"]].assign(
            reason="standardized SMILES does not parse again"
        )
        rejected = pd.concat([rejected, extra], ignore_index=True)
        keep = [i for i, m in enumerate(mols) if m is not None]
        accepted = accepted.loc[keep].reset_index(drop=True)
        mols = [mols[i] for i in keep]
    scored = accepted[["record", "id", "input", "smiles", "inchikey", *keep_columns]].copy()
    shortlist = profile == "shortlist"
    if mols:
        # The models' descriptors and the drug-likeness properties share values.
        with shared_descriptors():
            fps = bit_fingerprints(mols, radius=2, n_bits=2048)
            bits = fingerprint_bits(fps)  # every model's domain search reads these
            features: dict[str | None, np.ndarray] = {}
            models = {name: _load_model(directory) for name, directory in model_dirs.items()}
            for model in models.values():
                key = model.featurizer_key()
                if key is not None and key not in features:
                    features[key] = model.featurizer_.transform(mols)
            if not shortlist:
                for name, model in models.items():
                    out = model.predict_mols(mols, features.get(model.featurizer_key()), fps,
                                             domain_bits=bits)  # fmt: skip
                    for column in out.columns:
                        scored[model_column(name, column)] = out[column].to_numpy()
                rows = druglikeness_rows(mols, alerts)
                profiled = None
            else:
                rows, profiled = _shortlist_profile(scored, mols, fps, bits, models, features,
                                                    alerts, bound)  # fmt: skip
        properties = pd.DataFrame.from_records(rows)
        for column in filter_columns(alerts):
            scored[column] = properties[column].to_numpy() if column in properties else np.nan
        if profiled is not None:
            for name in alerts:  # flags of molecules not profiled are unknown, not False
                scored[name] = pd.array(scored[name].to_numpy(), dtype="boolean")
            scored[PROFILED] = profiled
    elif shortlist:
        scored[PROFILED] = np.zeros(0, dtype=bool)
    del mols
    return scored, rejected.sort_values("record", ignore_index=True)


def _shortlist_profile(scored: pd.DataFrame, mols: list, fps: list, bits: np.ndarray,
                       models: Mapping[str, Any], features: Mapping[str | None, np.ndarray],
                       alerts: tuple[str, ...], bound: ShortlistBound | None
                       ) -> tuple[list[dict], np.ndarray]:  # fmt: skip
    """The short-list profile of one chunk: predictions, properties and rules of every
    molecule (into ``scored``), the rest for those that may reach the pool.

    Returns the drug-likeness rows and the ``profiled`` mask.
    """
    import pandas as pd

    from drugml.screening.filters import druglikeness_rows, property_rows

    n = len(mols)
    predictions = {}
    for name, model in models.items():
        out = model.predict_mols(mols, features.get(model.featurizer_key()), fps, domain=False)
        predictions[name] = out
        for column in out.columns:  # .array: in_domain stays a nullable boolean
            scored[model_column(name, column)] = out[column].array
    rows = property_rows(mols)
    properties = pd.DataFrame.from_records(rows)
    for column in properties.columns.drop(["ok", "error"]):
        scored[column] = properties[column].to_numpy()
    domain = {model_column(name, output) for name in models for output in _DOMAIN_OUTPUTS
              if output in MODEL_OUTPUTS}  # fmt: skip
    profile = set(filter_columns(alerts)) - set(properties.columns)
    if bound is None:
        searched = np.ones(n, dtype=bool)
    else:
        searched = bound.needed(scored, unknown=domain | profile)
    if searched.any():
        chosen = np.flatnonzero(searched)
        for name, model in models.items():
            features_ = features.get(model.featurizer_key())
            out = model.predict_mols([mols[i] for i in chosen],
                                     None if features_ is None else features_[chosen],
                                     [fps[i] for i in chosen],
                                     domain_bits=bits[chosen])  # fmt: skip
            first = predictions[name]
            if not all(np.array_equal(out[c].to_numpy(), first[c].to_numpy()[chosen])
                       for c in first.columns if c not in _DOMAIN_OUTPUTS):  # fmt: skip
                # a backend whose answer depends on the batch: search with the whole chunk
                out = model.predict_mols(mols, features_, fps, domain=searched,
                                         domain_bits=bits).iloc[chosen]  # fmt: skip
            for output in _DOMAIN_OUTPUTS:
                if output not in out:
                    continue
                column = model_column(name, output)
                values = pd.array(np.full(n, np.nan), dtype="boolean") if output == "in_domain" \
                    else np.full(n, np.nan)  # fmt: skip
                values[chosen] = out[output].to_numpy()
                scored[column] = values
    profiled = searched.copy()
    if bound is not None and searched.any():
        chosen = np.flatnonzero(searched)
        profiled[chosen] = bound.needed(scored.iloc[chosen], unknown=profile)
    full = druglikeness_rows([mols[i] for i in np.flatnonzero(profiled)], alerts)
    for i, row in zip(np.flatnonzero(profiled), full, strict=True):
        rows[i] = row
    return rows, profiled


# ----------------------------------------------------------------- output
def part_paths(out_dir: Path, chunk: int) -> tuple[Path, Path]:
    """The scored part (Parquet) and the rejects (CSV) of chunk ``chunk`` of a screen.

    >>> part_paths(Path("screen"), 3)[0].as_posix()
    'screen/parts/part-000003.parquet'
    """
    return (out_dir / "parts" / f"part-{chunk:06d}.parquet",
            out_dir / "rejects" / f"part-{chunk:06d}.csv")  # fmt: skip


_part_paths = part_paths


def _write_chunk(out_dir: Path, chunk: int, scored: pd.DataFrame, rejected: pd.DataFrame) -> None:
    part, rejects = _part_paths(out_dir, chunk)
    write_atomic(rejects, lambda p: rejected.to_csv(p, index=False))
    write_atomic(part, lambda p: scored.to_parquet(p, index=False))


def _fingerprint(library: Path, chunk_size: int, model_dirs: Mapping[str, str],
                 read_options: dict) -> dict:  # fmt: skip
    models = {}
    for name, directory in sorted(model_dirs.items()):
        models[name] = hashlib.sha256((Path(directory) / "metadata.json").read_bytes()).hexdigest()
    return {"library": str(library.resolve()), "library_sha256": sha256(library),
            "chunk_size": chunk_size, "models": models, "read_options": read_options}  # fmt: skip


def _check_resume(out_dir: Path, fingerprint: dict, resume: bool) -> set[int]:
    """Finished chunks to skip; refuses an output folder that belongs to another run."""
    manifest_path = out_dir / MANIFEST
    if not manifest_path.is_file():
        return set()
    manifest = json.loads(manifest_path.read_text())
    if not resume:
        for folder in ("parts", "rejects"):
            for old in (out_dir / folder).glob("part-*"):
                old.unlink()
        manifest_path.unlink()
        return set()
    previous = manifest.get("fingerprint", {})
    differences = [key for key in fingerprint if previous.get(key) != fingerprint[key]]
    if differences:
        raise ScreenConfigError(
            f"{out_dir} holds a screen of a different run (differs in: {', '.join(differences)});"
            " refusing to resume into it. Use another output folder, or resume=False to "
            "overwrite it."
        )
    done = set()
    for chunk in manifest.get("finished", []):
        part, rejects = _part_paths(out_dir, chunk)
        if part.is_file() and rejects.is_file():
            done.add(int(chunk))
    return done


def _shortlist_bound(ranking: Any, model_dirs: Mapping[str, str], alerts: tuple[str, ...],
                     keep_columns: tuple[str, ...]) -> tuple[ShortlistBound, dict]:  # fmt: skip
    """The bound of a short-list screen and its ranking configuration (checked)."""
    from drugml.schema import screen_columns

    try:
        config = parse_ranking(ranking)
    except RankingConfigError as exc:
        raise ScreenConfigError(f"profile='shortlist': {exc}") from None
    tasks = {name: json.loads((Path(directory) / "metadata.json").read_text())["params"]["task"]
             for name, directory in model_dirs.items()}  # fmt: skip
    columns = screen_columns(tasks, alerts, keep_columns, derived=True)
    return ShortlistBound(config, columns), json.loads(json.dumps(config.as_dict(), default=str))


# ---------------------------------------------------------------- running
def _count_records(library: Path, read_options: dict) -> int | None:
    """The progress bar's total: records of a SMILES file and rows of a Parquet file
    (exact), lines after the header of a CSV/TSV (a quoted line break would count
    twice: a bar's estimate only); None for SDF and compressed files (unknown)."""
    from drugml._util.io import PARQUET_SUFFIXES

    suffix = library.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(library).metadata.num_rows)
    if suffix not in (".smi", ".smiles", ".ism", ".txt", ".csv", ".tsv", ".tab"):
        return None
    with library.open("rb") as handle:
        lines = sum(1 for _ in handle)
    if suffix in (".csv", ".tsv", ".tab"):
        return max(lines - 1, 0)
    with library.open("r", encoding="utf-8", errors="replace") as handle:
        first = handle.readline().split()
    return lines - (1 if first and first[0].lower() == "smiles" else 0)


class _LocalExecutor:
    """n_jobs=1: run in this process; else a process pool. Same submit/result interface."""

    def __init__(self, n_jobs: int) -> None:
        self.pool = None
        if n_jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: a forked copy of a process with OpenMP threads
            # (XGBoost, torch) can deadlock.
            from drugml._util.parallel import limit_threads, threads_per_worker

            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=context,
                                            initializer=limit_threads,
                                            initargs=(threads_per_worker(n_jobs),))  # fmt: skip
        self.slots = max(1, n_jobs) * 2

    def submit(self, *args):
        if self.pool is None:
            from concurrent.futures import Future

            future: Future = Future()
            future.set_result(score_chunk(*args))
            return future
        return self.pool.submit(score_chunk, *args)

    @staticmethod
    def result(future):
        return future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class _DaskExecutor:
    """Chunks on a Dask cluster: ``client`` a Client, a scheduler address, or None for a
    LocalCluster of ``n_jobs`` single-threaded worker processes, closed with the executor."""

    def __init__(self, client: Any, n_jobs: int = 1) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            from drugml.errors import MissingDependencyError

            raise MissingDependencyError('backend="dask" needs the scale extra: '
                                         'pip install "drugml[scale]"') from exc  # fmt: skip
        self.own_client = not isinstance(client, Client)
        self.cluster = None
        if client is None:
            # processes of one thread, like the local backend: the per-molecule
            # Python loops hold the GIL, so threads would take turns
            import dask

            # no statistical profiler: its samples (an hour's worth, for the dashboard)
            # make a long screen's workers grow
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(n_workers=max(1, n_jobs), threads_per_worker=1,
                                            processes=True, dashboard_address=None)  # fmt: skip
            client = self.cluster
        self.client = Client(client) if self.own_client else client
        workers = len(self.client.scheduler_info().get("workers", {})) or 1
        self.slots = workers * 2
        self.inputs: dict[Any, Any] = {}

    def submit(self, records, *args):
        # The chunk goes to a worker by scatter, not inside the task: a scheduler
        # that is never idle keeps what it deserialized from submitted tasks,
        # so embedded chunks made its memory grow with the library.
        data = self.client.scatter(records, hash=False)
        future = self.client.submit(score_chunk, data, *args, pure=False)
        self.inputs[future.key] = data
        return future

    def result(self, future):
        try:
            return future.result()
        finally:
            self.inputs.pop(future.key, None)

    def close(self) -> None:
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def screen_library(
    library_path: str | Path,
    models: Mapping[str, Any],
    out_dir: str | Path,
    chunk_size: int = 1000,
    n_jobs: int = 1,
    backend: str = "local",
    client: Any = None,
    resume: bool = True,
    smiles_column: str | None = None,
    id_column: str | None = None,
    keep_columns: tuple[str, ...] | list[str] = (),
    alerts: tuple[str, ...] | list[str] = DEFAULT_ALERTS,
    progress: bool | None = None,
    profile: str = "full",
    ranking: RankingSource = None,
) -> dict[str, Any]:
    """Score every molecule of a library with every model; write parts, rejects and a manifest.

    ``models``: name -> :class:`~drugml.models.PropertyModel` or saved model
    folder (the name prefixes its columns). ``keep_columns``: library columns
    to carry into the results as text (e.g. a name). ``alerts``: structural-alert
    catalogues of :data:`drugml.screening.filters.ALERT_CATALOGS` to check (default
    PAINS and Brenk; add ``"nih"`` for NIH's, at about 1.3x the screen's
    time). Returns the summary (also in
    ``summary.json``): ``records``, ``scored``, ``rejected``, ``chunks``,
    ``chunks_resumed``, ``seconds``, ``molecules_per_second``. Read the
    results with :func:`load_results` and :func:`load_rejects`.

    ``profile="shortlist"`` (with ``ranking``: the ranking configuration, a
    dict or file as :func:`~drugml.screening.ranking_config.parse_ranking` reads, default
    the default ranking) still scores every molecule with every model, but
    searches the training set and computes alerts, QED and SA score only for
    molecules that can still reach the ranking's short list; the others get
    empty values and ``profiled = False``. The short list is that of
    ``profile="full"`` (the argument: :class:`ShortlistBound`). It pays when
    the ranking has objectives on model columns: they bound what a molecule
    can reach before its profile is known.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from drugml.chem import iter_molecules

    library = Path(library_path)
    if not library.is_file():
        raise ScreenConfigError(f"Library file {library} does not exist")
    if chunk_size < 1:
        raise ScreenConfigError(f"chunk_size must be at least 1, got {chunk_size}")
    if backend not in ("local", "dask"):
        raise ScreenConfigError(f"backend must be 'local' or 'dask', got {backend!r}")
    alerts = tuple(alerts)
    unknown = [name for name in alerts if name not in ALERT_CATALOGS]
    if unknown or len(set(alerts)) != len(alerts):
        raise ScreenConfigError(f"alerts must be distinct names of {list(ALERT_CATALOGS)}, "
                                f"got {list(alerts)}")  # fmt: skip
    if profile not in PROFILES:
        raise ScreenConfigError(f"profile must be one of {PROFILES}, got {profile!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_dirs = _model_directories(models, out)
    read_options = {"smiles_column": smiles_column, "id_column": id_column}
    keep_columns = tuple(keep_columns)
    # Reading the first chunk checks the columns before any work starts.
    reader = iter_molecules(library, chunk_size=chunk_size, **read_options)
    first = next(reader, None)
    absent = [c for c in keep_columns if first is not None and c not in first.columns]
    if absent:
        raise ScreenConfigError(f"Library {library} has no column(s) {absent}; it has "
                                f"{[c for c in first.columns if c != 'read_error']}")  # fmt: skip
    chunks = itertools.chain([first] if first is not None else [], reader)
    options = {**read_options, "keep_columns": list(keep_columns), "alerts": list(alerts)}
    threshold = None
    if profile == "shortlist":
        bound, ranking_config = _shortlist_bound(ranking, model_dirs, alerts, keep_columns)
        threshold = _PoolThreshold(bound)
        # a resumed short-list screen must bound with the same ranking
        options.update(profile=profile, ranking=ranking_config)
    fingerprint = _fingerprint(library, chunk_size, model_dirs, options)
    done = _check_resume(out, fingerprint, resume)
    if threshold is not None:
        for chunk in sorted(done):  # the threshold of a resumed screen starts where it was
            threshold.observe(pd.read_parquet(_part_paths(out, chunk)[0]))
    for folder in ("parts", "rejects"):
        (out / folder).mkdir(exist_ok=True)
        for partial in (out / folder).glob(".part-*.tmp-*"):
            partial.unlink()  # half-written by a run that was killed
    finished = set(done)
    manifest = {"drugml": __version__, "fingerprint": fingerprint, "finished": sorted(finished)}
    write_json_atomic(out / MANIFEST, manifest)

    executor = _DaskExecutor(client, n_jobs) if backend == "dask" else _LocalExecutor(n_jobs)
    total = _count_records(library, read_options)
    bar = tqdm(total=total, unit="mol", desc="screen", disable=progress is False,
               smoothing=0.1, mininterval=0.5)  # fmt: skip
    start = time.perf_counter()
    counts = {"records": 0, "scored": 0, "rejected": 0, "profiled": 0}
    pending: dict[Any, tuple[int, int]] = {}

    def collect(future) -> None:
        chunk, n = pending.pop(future)
        scored, rejected = executor.result(future)
        if len(scored) + len(rejected) != n:
            raise RuntimeError(f"chunk {chunk}: {n} records in, "
                               f"{len(scored)} scored + {len(rejected)} rejected out")  # fmt: skip
        _write_chunk(out, chunk, scored, rejected)
        if threshold is not None:
            threshold.observe(scored)
            if PROFILED in scored:
                counts["profiled"] += int(scored[PROFILED].sum())
        finished.add(chunk)
        manifest["finished"] = sorted(finished)
        write_json_atomic(out / MANIFEST, manifest)
        counts["scored"] += len(scored)
        counts["rejected"] += len(rejected)
        bar.update(n)

    try:
        for chunk, records in enumerate(chunks):
            counts["records"] += len(records)
            if chunk in done:
                bar.update(len(records))
                continue
            while len(pending) >= executor.slots:
                collect(_first_done(pending))
            if threshold is None:
                future = executor.submit(records, model_dirs, keep_columns, alerts)
            else:
                future = executor.submit(records, model_dirs, keep_columns, alerts, profile,
                                         copy.copy(threshold.bound))  # fmt: skip
            pending[future] = (chunk, len(records))
        while pending:
            collect(_first_done(pending))
    finally:
        bar.close()
        executor.close()
    seconds = time.perf_counter() - start
    resumed_counts = _resumed_counts(out, done)
    summary = {
        "library": str(library),
        "records": counts["records"],
        "scored": counts["scored"] + resumed_counts[0],
        "rejected": counts["rejected"] + resumed_counts[1],
        "chunks": len(finished),
        "chunks_resumed": len(done),
        "seconds": round(seconds, 2),
        "molecules_per_second": round((counts["scored"] + counts["rejected"]) / seconds, 1)
        if seconds > 0 else None,
        "backend": backend,
        "n_jobs": n_jobs if backend == "local" else None,
        "models": sorted(model_dirs),
        "alerts": list(alerts),
    }  # fmt: skip
    if profile == "shortlist":
        summary["profile"] = profile
        # molecules of this run fully profiled (resumed chunks not counted)
        summary["profiled"] = counts["profiled"]
    write_json_atomic(out / "summary.json", summary)
    if progress is not False:
        print(f"screened {summary['records']:,} records: {summary['scored']:,} scored, "
              f"{summary['rejected']:,} rejected, {seconds:.1f} s "
              f"({summary['molecules_per_second']} mol/s)")  # fmt: skip
    _check_rejections(summary, out, read_options)
    return summary


def _check_rejections(summary: Mapping[str, Any], out: Path, read_options: dict) -> None:
    """Stop when nothing was scored, warn when most records were rejected."""
    records, rejected = summary["records"], summary["rejected"]
    if records and rejected <= REJECTED_WARNING_FRACTION * records:
        return
    column = read_options.get("smiles_column")
    where = summary["library"] + (f" (SMILES column {column!r})" if column else "")
    if not records:
        raise NothingScreenedError(f"The library {where} has no records.")
    reasons = load_rejects(out)["reason"].astype(str)
    counts = reasons.str.split(":").str[0].value_counts()
    examples = "; ".join(f"{n:,} x {kind}" for kind, n in counts.head(3).items())
    first = reasons.iloc[0]
    message = (f"{rejected:,} of {records:,} records of {where} were rejected ({examples}; "
               f"first: {first[:200]}). Is it the right file and SMILES column? Every reason: "
               f"{out / 'rejects'}")  # fmt: skip
    if rejected == records:
        raise NothingScreenedError(f"Nothing to rank: {message}")
    warnings.warn(message, stacklevel=3)


def _first_done(pending: dict) -> Any:
    """The first submitted future, waited for: results are written in chunk order."""
    return next(iter(pending))


def _resumed_counts(out: Path, done: set[int]) -> tuple[int, int]:
    import pandas as pd
    import pyarrow.parquet as pq

    scored = rejected = 0
    for chunk in done:
        part, rejects = _part_paths(out, chunk)
        scored += pq.ParquetFile(part).metadata.num_rows
        rejected += len(pd.read_csv(rejects, usecols=["record"]))  # inputs may hold newlines
    return scored, rejected


def load_results(out_dir: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All scored rows of a screen, in record order."""
    import pandas as pd

    parts = [pd.read_parquet(p, columns=columns)
             for p in sorted((Path(out_dir) / "parts").glob("part-*.parquet"))]  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=columns or ["record"])
    frame = pd.concat([p for p in parts if len(p)] or parts, ignore_index=True)
    return frame.sort_values("record", ignore_index=True) if "record" in frame else frame


def load_rejects(out_dir: str | Path) -> pd.DataFrame:
    """All rejected records of a screen (``record``, ``input``, ``reason``), in record order."""
    import pandas as pd

    parts = [pd.read_csv(p, dtype={"input": object, "reason": object})
             for p in sorted((Path(out_dir) / "rejects").glob("part-*.csv"))]  # fmt: skip
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["record", "input", "reason"])
    return pd.concat(parts, ignore_index=True).sort_values("record", ignore_index=True)


def merge_salt_forms(screened: pd.DataFrame, name_column: str | None = None) -> pd.DataFrame:
    """One row per parent structure (InChIKey): salts and duplicates merged, ids/names joined.

    Salt forms of one drug (``ERLOTINIB`` and ``ERLOTINIB HYDROCHLORIDE``)
    standardize to one parent with one InChIKey and therefore one set of
    scores: one row keeps them, its ``id`` (and ``name_column``) joining
    every record's, in the order of the library.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"record": [0, 1, 2], "id": ["a", "b", "c"],
    ...                      "inchikey": ["K1", "K2", "K1"], "qed": [0.5, 0.7, 0.5]})
    >>> merge_salt_forms(rows)[["id", "inchikey"]].values.tolist()
    [['a; c', 'K1'], ['b', 'K2']]

    Each other column takes the first non-empty value of the group; in a
    screen of the short-list profile (with a :data:`~drugml.schema.PROFILED`
    column) every column but the ids and names is the first record's, empty
    values included, so that a structure whose first record was not profiled
    is not given a later record's values (see :class:`ShortlistBound`).
    """
    joined: dict[str, Any] = {"id": lambda ids: "; ".join(map(str, dict.fromkeys(ids)))}
    if name_column:
        joined[name_column] = lambda names: "; ".join(map(str, dict.fromkeys(names)))
    if PROFILED in screened:
        ordered = screened.sort_values("record", kind="stable") if "record" in screened \
            else screened  # fmt: skip
        unique = ordered.drop_duplicates("inchikey", keep="first").set_index("inchikey")
        groups = ordered.groupby("inchikey", sort=False)
        for column, function in joined.items():
            unique[column] = groups[column].agg(function)
        unique = unique.reset_index()
    else:
        aggregations: dict[str, Any] = {c: "first" for c in screened.columns if c != "inchikey"}
        aggregations.update(joined)
        unique = screened.groupby("inchikey", sort=False).agg(aggregations).reset_index()
    return unique.sort_values("record", ignore_index=True)
