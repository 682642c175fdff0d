"""Rank a finished screen of millions of molecules in bounded memory: ``drugml rank``.

:func:`rank_screen` reads a screen's Parquet parts (:mod:`drugml.screening.screen`) and
writes the same ranking as ``rank_candidates(merge_salt_forms(load_results(...)))``
without ever holding the screen in memory:

1. **check** the folder (:func:`check_screen`): a screen killed and not
   resumed, parts of two runs or a damaged part is refused with what to do;
2. **partition** the rows by a hash of their InChIKey into blocks of about
   ``block_rows`` rows (Parquet files in a work folder): every salt form and
   duplicate of a structure lands in the same block; known actives are found
   by name on the way, from the screen's own ``name_column``;
3. **merge and score** one block at a time with the in-memory functions
   themselves (:func:`drugml.screening.screen.merge_salt_forms`,
   :func:`drugml.screening.rank.score_candidates`): desirabilities, score, hard
   filters, novelty, training data and known actives; each block is written
   back sorted by the ranking's order rule;
4. **order** the whole screen: only three numbers per structure are kept
   (passes the filters, score, first record), sorted once; ``rank`` is the
   place in that order, exactly :func:`drugml.screening.rank.rank_candidates`' rule
   (passing first, by score, ties by record order);
5. **the best pool** (``pool_factor * top_k`` best passing molecules, the
   same pool the MaxMin picker sees) is read back: the diverse short list
   (``selected``) and the Pareto fronts are computed over it;
6. **write** ``ranked/part-NNNNNN.parquet`` in rank order (every structure,
   every column), ``ranked_candidates.csv``/``.parquet`` (the ``top_n``
   best), ``ranking_highlights.parquet`` (short list, pool, known actives and
   an even sample of the ranking for figures) and ``ranking.json`` (counts,
   histograms, the known actives' places: what a report needs), while the
   sorted blocks are merged.

**Pareto rank outside the pool.** ``pareto_rank`` is the non-dominated front
*among the pool* (1 = no molecule of the pool beats it on every objective at
once) and is null for every molecule outside the pool, failing molecules
included. :func:`drugml.screening.rank.rank_candidates` compares every molecule with
every other one (O(n^2): 125 GB of dominance bits for a million molecules), so
its fronts can differ from the pool's: a molecule that fails a filter can
dominate one of the pool. Within the pool, both functions agree with
``pareto_rank`` of the pool's desirabilities.

**Memory.** Only the sort keys grow with the screen (about 40 bytes per
structure: 40 MB for a million); a block of ``block_rows`` rows in pandas and
the output buffers are bounded. **Engine**: pyarrow (already a core
dependency) streams and partitions the Parquet parts, pandas and numpy score
each block with the very functions of the in-memory ranking; a columnar SQL
engine (DuckDB, Polars) would sort and group out of core too, but its
grouping would re-implement ``merge_salt_forms`` (first non-null value of
every column, ids joined in library order) and the scoring in another
language, a second definition of the same numbers to keep equal, and a new
dependency in every environment file.

**Nothing is overwritten by surprise.** An output folder that already holds a
ranking of another screen or configuration is refused unless
``overwrite=True``; the new ``ranked/`` is written beside the old one and
swapped in, ``ranking.json`` last (its presence marks a complete ranking).

Example
-------
>>> from drugml.screening.rank_stream import rank_screen
>>> ranked = rank_screen("screens/lib", "ranking.yaml", "ranked/lib")  # doctest: +SKIP
>>> ranked.top.head()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._util.io import write_atomic, write_json_atomic
from drugml.errors import DrugmlError
from drugml.schema import RANKED_CSV, RANKED_PARQUET
from drugml.screening.ranking_config import (
    RankingConfig,
    RankingConfigError,
    RankingSource,
    parse_ranking,
)
from drugml.screening.validation import find_known_actives

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "BLOCK_ROWS",
    "TOP_N",
    "CorruptPartError",
    "IncompleteScreenError",
    "MixedScreenError",
    "RankedScreen",
    "RankingExistsError",
    "ScreenFolderError",
    "ScreenParts",
    "check_screen",
    "default_rank_by",
    "rank_screen",
]

#: Rows of the ranking's top written to ``ranked_candidates.csv``.
TOP_N = 1000
#: Rows merged and scored at once (the bound on the ranking's working memory).
BLOCK_ROWS = 50_000
#: Rows per output part ``ranked/part-NNNNNN.parquet``.
PART_ROWS = 50_000
#: Rows read from the screen before they are spread over the blocks.
FLUSH_ROWS = 25_000
#: Rows buffered ahead from all sorted blocks together while they are merged.
READ_AHEAD_ROWS = 50_000
#: Passing molecules sampled evenly along the ranking for the report's figures.
SAMPLE_ROWS = 4000
#: Bins of the histograms in ``ranking.json``.
HISTOGRAM_BINS = 40

SUMMARY = "ranking.json"
RANKED = "ranked"
TOP_CSV = RANKED_CSV
TOP_PARQUET = RANKED_PARQUET
HIGHLIGHTS = "ranking_highlights.parquet"
INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")


class ScreenFolderError(DrugmlError, ValueError):
    """A folder is not a finished screen that can be ranked; the message says what to do."""


class IncompleteScreenError(ScreenFolderError):
    """The screen did not finish (killed and not resumed): resume it first."""


class MixedScreenError(ScreenFolderError):
    """The folder holds parts of two runs (other columns, another fingerprint, extra parts)."""


class CorruptPartError(ScreenFolderError):
    """A part file cannot be read: delete it and resume the screen, which redoes that chunk."""


class RankingExistsError(DrugmlError, FileExistsError):
    """The output folder holds another ranking; choose another folder or overwrite it."""


# ---------------------------------------------------------------- checking
@dataclass
class ScreenParts:
    """A checked screen folder: its parts in chunk order, their common schema, its row count."""

    folder: Path
    parts: list[Path]
    schema: Any
    rows: int
    manifest: dict[str, Any]
    summary: dict[str, Any]

    @property
    def identity(self) -> str:
        """A digest of the screen's fingerprint and counts (which screen a ranking is of)."""
        payload = json.dumps([self.manifest.get("fingerprint"), self.rows,
                              self.summary.get("records")],
                             sort_keys=True, default=str)  # fmt: skip
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def check_screen(screen_dir: str | Path) -> ScreenParts:
    """Check that ``screen_dir`` holds one finished screen; its parts and their common schema.

    Reads the manifest, ``summary.json`` and every part's Parquet footer (no
    rows). Raises :class:`IncompleteScreenError` (no ``summary.json``, or
    finished chunks that do not cover the screen: killed and not resumed),
    :class:`MixedScreenError` (parts that are not this run's chunks, other
    columns, counts or record ranges that disagree) or
    :class:`CorruptPartError` (a part that is not readable Parquet), each
    naming the file and the fix.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from drugml.screening.screen import MANIFEST

    folder = Path(screen_dir)
    where = "point at the output folder of `drugml screen` (or the screen/ folder of a " \
            "`drugml run` output)"  # fmt: skip
    if not folder.is_dir():
        raise ScreenFolderError(f"{folder} is not a folder; {where}")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ScreenFolderError(f"{folder} holds no screen (no {MANIFEST}); {where}")
    try:
        manifest = json.loads(manifest_path.read_text())
    except ValueError as exc:
        raise CorruptPartError(f"{manifest_path} is not valid JSON ({exc}); screen the library "
                               "again into an empty folder") from None  # fmt: skip
    fingerprint = manifest.get("fingerprint", {})
    library = fingerprint.get("library", "LIBRARY")
    resume = (f"resume it with the same library, models and settings: `drugml screen {library} "
              f"--model ... --out {folder}` (resuming is the default; in Python "
              "screen_library(..., resume=True)), or point at the folder of a finished "
              "screen")  # fmt: skip
    finished = sorted(int(c) for c in manifest.get("finished", []))
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise IncompleteScreenError(
            f"The screen in {folder} did not finish: {len(finished)} chunk(s) done and no "
            f"summary.json (killed and not resumed); {resume}")  # fmt: skip
    summary = json.loads(summary_path.read_text())
    chunks = int(summary.get("chunks", -1))
    expected = list(range(chunks))
    if finished != expected:
        missing = sorted(set(expected) - set(finished))
        raise IncompleteScreenError(
            f"The screen in {folder} is incomplete: its manifest lists {len(finished)} finished "
            f"chunk(s) of {chunks} (missing e.g. {missing[:5]}): a later run was killed and not "
            f"resumed; {resume}")  # fmt: skip
    models = sorted(fingerprint.get("models", {}))
    if summary.get("models") is not None and sorted(summary["models"]) != models:
        raise MixedScreenError(f"{summary_path} names the models {summary['models']}, the "
                               f"manifest {models}: they are of two runs; screen again into an "
                               "empty folder, or point at the right folder")  # fmt: skip
    from drugml.screening.screen import part_paths

    parts = [part_paths(folder, chunk)[0] for chunk in expected]
    absent = [p for p in parts if not p.is_file()]
    if absent:
        raise IncompleteScreenError(f"The screen in {folder} lacks {len(absent)} part file(s) of "
                                    f"finished chunks (e.g. {absent[0].name}); {resume}: it "
                                    "redoes those chunks")  # fmt: skip
    on_disk = sorted((folder / "parts").glob("part-*.parquet"))
    extra = sorted(set(on_disk) - set(parts))
    if extra:
        raise MixedScreenError(
            f"{folder}/parts holds {len(extra)} part(s) that are not chunks of this screen "
            f"(e.g. {extra[0].name}; the screen has {chunks}): parts of two runs. Screen again "
            "into an empty folder, or point at the right folder")  # fmt: skip
    schemas, rows, ranges = [], 0, []
    for part in parts:
        try:
            metadata = pq.read_metadata(part)
            schema = metadata.schema.to_arrow_schema()
        except Exception as exc:
            raise _corrupt(part, exc, resume) from None
        schemas.append(schema)
        rows += metadata.num_rows
        ranges.append(_record_range(metadata, schema))
    names = set(schemas[0].names) if schemas else set()
    for part, schema in zip(parts, schemas, strict=True):
        if set(schema.names) != names:
            more, fewer = sorted(set(schema.names) - names), sorted(names - set(schema.names))
            raise MixedScreenError(
                f"{part} has other columns than {parts[0].name} (more: {more}, fewer: {fewer}): "
                "parts of two configurations in one folder. Screen again into an empty folder, "
                "or point at the right folder")  # fmt: skip
    known = [(lo, hi, p) for (lo, hi), p in zip(ranges, parts, strict=True) if lo is not None]
    known.sort(key=lambda item: item[0])
    for (_, hi, first), (lo, _, second) in itertools.pairwise(known):
        if lo <= hi:
            raise MixedScreenError(f"{first.name} and {second.name} hold the same records "
                                   f"(records up to {hi} and from {lo}): parts of two runs. "
                                   "Screen again into an empty folder")  # fmt: skip
    if summary.get("scored") is not None and rows != int(summary["scored"]):
        raise MixedScreenError(f"The parts of {folder} hold {rows:,} rows, its summary.json says "
                               f"{int(summary['scored']):,} scored: they are of two runs. Screen "
                               "again into an empty folder")  # fmt: skip
    if not schemas or not rows:
        raise ScreenFolderError(f"The screen in {folder} scored no molecule: nothing to rank")
    for required in ("record", "inchikey", "id"):
        if required not in names:
            raise MixedScreenError(f"The parts of {folder} have no {required!r} column: not a "
                                   f"drugml screen; {where}")  # fmt: skip
    try:
        common = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise MixedScreenError(f"The parts of {folder} disagree on column types ({exc}): parts of "
                               "two runs. Screen again into an empty folder") from None  # fmt: skip
    common = pa.schema([common.field(name) for name in schemas[0].names])
    return ScreenParts(folder, parts, common, rows, manifest, summary)


def _corrupt(part: Path, exc: Exception, resume: str) -> CorruptPartError:
    return CorruptPartError(f"{part} is damaged, not a readable Parquet file ({exc}). Delete it "
                            f"and {resume.split(', or point')[0]}: the screen redoes that chunk "
                            "only")  # fmt: skip


def _record_range(metadata: Any, schema: Any) -> tuple[int | None, int | None]:
    """Smallest and largest ``record`` of a part from its footer statistics (None if absent)."""
    if "record" not in schema.names or metadata.num_rows == 0:
        return None, None
    index = schema.names.index("record")
    lows, highs = [], []
    for group in range(metadata.num_row_groups):
        stats = metadata.row_group(group).column(index).statistics
        if stats is None or not stats.has_min_max:
            return None, None
        lows.append(stats.min)
        highs.append(stats.max)
    return min(lows), max(highs)


# ----------------------------------------------------------------- result
@dataclass
class RankedScreen:
    """A ranking written by :func:`rank_screen`: what a report or a validation needs.

    ``top``: the ``top_n`` best rows (every column); ``highlights``: the short
    list, the pool (``in_pool``), the known actives and an even sample of
    passing molecules (``in_sample``); ``summary``: ``ranking.json`` (counts,
    histograms, the known actives' places). Every row is in ``folder/ranked/``.
    """

    folder: Path
    summary: dict[str, Any]
    top: Any = field(repr=False)
    highlights: Any = field(repr=False)

    @classmethod
    def load(cls, folder: str | Path) -> RankedScreen:
        """Read a finished ranking folder (``ranking.json`` marks it complete)."""
        import pandas as pd

        folder = Path(folder)
        if not (folder / SUMMARY).is_file():
            raise ScreenFolderError(f"{folder} holds no finished ranking (no {SUMMARY}); run "
                                    f"`drugml rank SCREEN_DIR --out {folder}`")  # fmt: skip
        summary = json.loads((folder / SUMMARY).read_text())
        return cls(folder, summary, pd.read_parquet(folder / TOP_PARQUET),
                   pd.read_parquet(folder / HIGHLIGHTS))  # fmt: skip

    def __len__(self) -> int:
        return int(self.summary["structures"])

    @property
    def selected(self) -> pd.DataFrame:
        """The diverse short list, in rank order."""
        return self.highlights[self.highlights["selected"]].reset_index(drop=True)

    @property
    def known(self) -> pd.DataFrame:
        """The known actives found, in rank order (empty without known actives)."""
        if "known_active" not in self.highlights:
            return self.highlights.iloc[:0]
        return self.highlights[self.highlights["known_active"]].reset_index(drop=True)

    @property
    def sample(self) -> pd.DataFrame:
        """Passing molecules evenly spaced along the ranking (for scatter plots)."""
        return self.highlights[self.highlights["in_sample"]].reset_index(drop=True)

    @property
    def pool(self) -> pd.DataFrame:
        """The best pool: the molecules with a ``pareto_rank``."""
        return self.highlights[self.highlights["in_pool"]].reset_index(drop=True)

    @property
    def known_inchikeys(self) -> set[str]:
        """InChIKeys of the known actives found in the screen."""
        return set(self.summary.get("known_actives", {}).get("inchikeys", []))

    def enrichment(self, by: str = "rank", without_training: bool = False) -> dict[str, Any]:
        """:func:`drugml.models.metrics.enrichment_summary` of the known actives, from their places.

        ``by``: ``"rank"`` or a column of ``rank_by`` (higher is better);
        ``without_training``: the training compounds left out first.
        """
        from drugml.models.metrics import enrichment_from_positions

        places = self.summary.get("known_actives", {}).get("places", {})
        key = f"{by}|{'unseen' if without_training else 'all'}"
        if key not in places:
            raise KeyError(f"no places by {by!r} in this ranking; it has {sorted(places)}")
        entry = places[key]
        return enrichment_from_positions(entry["positions"], entry["n"], by=by)

    @property
    def training_marked(self) -> bool:
        """Whether the ranking knows which compounds trained a model (``trained_on`` given)."""
        return self.summary.get("stamp", {}).get("trained_on") is not None

    def validation(self, leads: Mapping[str, str]) -> dict[str, Any]:
        """The known actives' enrichment, as a run's ``metrics.json`` keeps it.

        ``all_compounds`` by the final ranking and ``<lead>_alone`` by each lead
        model's column (``leads``: model -> column of ``rank_by``), each also
        ``..._without_training_compounds`` where training compounds are marked.
        """
        places = self.summary.get("known_actives", {}).get("places", {})
        orders = {"all_compounds": "rank"}
        orders.update({f"{name}_alone": column for name, column in leads.items()
                       if f"{column}|all" in places})  # fmt: skip
        out: dict[str, Any] = {}
        for key, by in orders.items():
            out[key] = self.enrichment(by)
            if self.training_marked:
                unseen = "without_training_compounds"
                key = unseen if key == "all_compounds" else f"{key}_{unseen}"
                out[key] = self.enrichment(by, without_training=True)
        return out

    def histogram(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``(counts, edges)`` of a column over every structure (``score`` and properties)."""
        entry = self.summary["histograms"][column]
        return np.asarray(entry["counts"]), np.asarray(entry["edges"])


def default_rank_by(config: RankingSource) -> list[str]:
    """Prediction columns scored by an increasing objective: each ranks the known actives
    alone too (what the other objectives cost).

    >>> default_rank_by({"objectives": {"p": {"column": "potency_prediction",
    ...                                       "shape": "increasing", "low": 6, "high": 8}}})
    ['potency_prediction']
    """
    columns = [
        o.column
        for o in parse_ranking(config).objectives.values()
        if o.shape == "increasing" and o.column.endswith(("_prediction", "_probability"))
    ]
    return list(dict.fromkeys(columns))


# ---------------------------------------------------------------- ranking
def rank_screen(
    screen_dir: str | Path,
    config: RankingSource,
    out_dir: str | Path,
    *,
    name_column: str | None = None,
    trained_on: Mapping[str, Sequence[str]] | None = None,
    known_actives: Iterable[str] | None = None,
    rank_by: Sequence[str] | None = None,
    top_n: int = TOP_N,
    overwrite: bool = False,
    block_rows: int = BLOCK_ROWS,
) -> RankedScreen:
    """Rank every molecule of a finished screen in bounded memory; see the module docstring.

    ``config``: a ranking configuration (a :class:`~.ranking_config.RankingConfig`, or a
    dict or YAML/TOML file that :func:`~.ranking_config.parse_ranking` reads).
    ``name_column``: the kept library column of names, joined like ids when salt forms merge.
    ``trained_on``:
    InChIKey -> the models trained on it (adds ``in_training_data`` and
    ``training_data_of``). ``known_actives``: names (matched on
    ``name_column`` as :func:`drugml.screening.validation.find_known_actives` does) or
    InChIKeys (adds ``known_active``). ``rank_by``: columns (higher is better)
    by which the known actives are placed too (default
    :func:`default_rank_by`). ``top_n``: rows of ``ranked_candidates.csv``.
    Writes into ``out_dir`` (see the module docstring) and returns the
    :class:`RankedScreen`.
    """
    config = parse_ranking(config)
    if not isinstance(top_n, int) or top_n < 1:
        raise RankingConfigError(f"top_n (--top) must be at least 1, got {top_n!r}: the rows of "
                                 "ranked_candidates.csv")  # fmt: skip
    screen = check_screen(screen_dir)
    names = screen.schema.names
    derivable = {f"{c[: -len('_lower')]}_interval_width" for c in names if c.endswith("_lower")}
    missing = [c for c in config.columns() if c not in names and c not in derivable]
    if missing:
        raise RankingConfigError(f"The screen in {screen.folder} lacks column(s) {missing} named "
                                 f"by the ranking configuration; it has {names}")  # fmt: skip
    if name_column and name_column not in names:
        raise ScreenFolderError(f"name_column {name_column!r} is not a column of the screen in "
                                f"{screen.folder}; it has {names}")  # fmt: skip
    rank_by = [c for c in (default_rank_by(config) if rank_by is None else rank_by) if c in names]
    out = Path(out_dir)
    stamp = {"screen": screen.identity, "ranking": config.as_dict(), "name_column": name_column,
             "known_actives": sorted(known_actives) if known_actives is not None else None,
             "trained_on": _digest(trained_on), "top_n": top_n}  # fmt: skip
    _check_out(out, stamp, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    work = out / f".rank-work-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        n_blocks = max(1, math.ceil(screen.rows / max(1, block_rows)))
        blocks, known = _partition(screen, work, n_blocks, name_column, known_actives)
        keys, blocks, extremes = _score_blocks(blocks, config, name_column, trained_on, known)
        result = _write_ranking(out, work, screen, blocks, keys, extremes, config, stamp,
                                rank_by, known, top_n)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _digest(value: Any) -> str | None:
    if value is None:
        return None
    text = json.dumps(value if not isinstance(value, Mapping) else sorted(
        (k, list(v)) for k, v in value.items()), default=str)  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_out(out: Path, stamp: Mapping[str, Any], overwrite: bool) -> None:
    """Refuse an output folder holding another ranking (unless ``overwrite``)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise RankingExistsError(f"{out} exists and is not a folder; choose another --out")
    previous = out / SUMMARY
    if previous.is_file():
        try:
            old = json.loads(previous.read_text()).get("stamp")
        except ValueError:
            old = None
        same = json.loads(json.dumps(old, default=str)) == json.loads(
            json.dumps(stamp, default=str)
        )
        if same or overwrite:
            return
        raise RankingExistsError(f"{out} holds a ranking of another screen or configuration; "
                                 "choose another --out, or overwrite it (--overwrite; "
                                 "overwrite=True in Python)")  # fmt: skip
    if (out / RANKED).exists() and not overwrite:
        raise RankingExistsError(f"{out}/{RANKED} exists but is not a finished drugml ranking (no "
                                 f"{SUMMARY}); choose another --out, or --overwrite")  # fmt: skip


def _partition(screen: ScreenParts, work: Path, n_blocks: int, name_column: str | None,
               known_actives: Iterable[str] | None
               ) -> tuple[list[Path], set[str] | None]:  # fmt: skip
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
                raise _corrupt(part, exc, "resume the screen") from None
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


def _score_blocks(blocks: list[Path], config: RankingConfig, name_column: str | None,
                  trained_on: Mapping[str, Sequence[str]] | None, known: set[str] | None
                  ) -> tuple[dict[str, np.ndarray], list[Path], dict[str, Any]]:  # fmt: skip
    """Merge salt forms and score each block; write it back in ranking order.

    Returns the sort keys of every structure (``passes``, ``score``, ``record``,
    ``block``), the sorted block files and per-column extremes, failing counts
    per filter and the known actives' rows.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from drugml.screening.rank import apply_filters, ranking_order, score_candidates
    from drugml.screening.screen import merge_salt_forms

    keys: dict[str, list[np.ndarray]] = {"passes": [], "score": [], "record": [], "block": []}
    extremes: dict[str, Any] = {"min": {}, "max": {}, "failing": {}}
    sorted_blocks = []
    for b, path in enumerate(blocks):
        frame = pq.read_table(path).to_pandas()
        path.unlink()
        frame = frame.sort_values("record", ignore_index=True)
        merged = merge_salt_forms(frame, name_column)
        del frame
        scored = score_candidates(merged, config)
        del merged
        if trained_on is not None:
            scored["in_training_data"] = scored["inchikey"].isin(trained_on)
            scored["training_data_of"] = ["; ".join(trained_on.get(k, []))
                                          for k in scored["inchikey"]]  # fmt: skip
        if known is not None:
            scored["known_active"] = scored["inchikey"].isin(known)
        order = ranking_order(scored["passes_filters"].to_numpy(), scored["score"].to_numpy(),
                              scored["record"].to_numpy())  # fmt: skip
        scored = scored.iloc[order].reset_index(drop=True)
        keys["passes"].append(scored["passes_filters"].to_numpy(dtype=bool))
        keys["score"].append(scored["score"].to_numpy(dtype=float))
        keys["record"].append(scored["record"].to_numpy(dtype=np.int64))
        keys["block"].append(np.full(len(scored), b, dtype=np.int32))
        for column in scored.columns:
            if pd.api.types.is_numeric_dtype(scored[column]) and \
                    not pd.api.types.is_bool_dtype(scored[column]):  # fmt: skip
                values = scored[column].to_numpy(dtype=float)
                values = values[np.isfinite(values)]
                if len(values):
                    lo, hi = float(values.min()), float(values.max())
                    extremes["min"][column] = min(lo, extremes["min"].get(column, lo))
                    extremes["max"][column] = max(hi, extremes["max"].get(column, hi))
        for column, rule in config.filters.items():
            passes, _ = apply_filters(scored[[column]], {column: rule})
            extremes["failing"][column] = extremes["failing"].get(column, 0) + int((~passes).sum())
        target = path.with_name(f"sorted-{b:05d}.parquet")
        # small row groups: the merge reads every block at once, a row group of each
        group = max(256, READ_AHEAD_ROWS // max(1, len(blocks)))
        pq.write_table(pa.Table.from_pandas(scored, preserve_index=False), target,
                       row_group_size=group)  # fmt: skip
        sorted_blocks.append(target)
        del scored
    joined = {k: np.concatenate(v) if v else np.empty(0) for k, v in keys.items()}
    return joined, sorted_blocks, extremes


class _Cursor:
    """Reads a sorted block front to back, ``take(n)`` rows at a time."""

    def __init__(self, path: Path, columns: list[str] | None, batch_size: int) -> None:
        import pyarrow.parquet as pq

        # one row group at a time: with threads, Arrow reads ahead through the whole block
        self.batches = pq.ParquetFile(path, pre_buffer=False).iter_batches(
            batch_size=batch_size, columns=columns, use_threads=False)  # fmt: skip
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


def _in_order(blocks: list[Path], sequence: np.ndarray, schema: Any, columns: list[str] | None,
              chunk_rows: int) -> Iterator[Any]:  # fmt: skip
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


def _write_ranking(out: Path, work: Path, screen: ScreenParts, blocks: list[Path],
                   keys: Mapping[str, np.ndarray], extremes: Mapping[str, Any],
                   config: RankingConfig, stamp: Mapping[str, Any], rank_by: list[str],
                   known: set[str] | None, top_n: int) -> RankedScreen:  # fmt: skip
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from drugml.screening.rank import pareto_rank, ranking_order

    order = ranking_order(keys["passes"], keys["score"], keys["record"])
    sequence = keys["block"][order]
    n = len(order)
    n_passing = int(keys["passes"].sum())
    schema = pa.unify_schemas([pq.read_schema(p) for p in blocks], promote_options="permissive")
    first = pq.read_schema(blocks[0]).names
    schema = pa.schema([schema.field(c) for c in first])
    objectives = [f"d_{name}" for name in config.objectives]
    top_k = config.top_k
    pool_size = min(n_passing, max(top_k, top_k * config.pool_factor)) if top_k else 0
    # The pool: Pareto fronts and (maxmin) the short list.
    columns = ["smiles", *objectives] if "smiles" in schema.names else objectives
    pool = next(_in_order(blocks, sequence[:pool_size], schema, columns, max(1, pool_size)),
                None) if pool_size else None  # fmt: skip
    pareto = np.zeros(0, dtype=np.int64)
    selected: list[int] = []
    if pool is not None:
        pool_frame = pool.to_pandas()
        pareto = pareto_rank(pool_frame[objectives].to_numpy(dtype=float))
        if "smiles" in pool_frame and top_k > 0:
            selected = _select(pool_frame, blocks, sequence, schema, config, n_passing)
    chosen = np.zeros(n, dtype=bool)
    chosen[selected] = True
    # Known actives: their places by rank and by each rank_by column, with and without
    # the training compounds.
    watch = _watch_known(blocks, sequence, schema, known, rank_by) if known is not None else None
    bins = HISTOGRAM_BINS
    hist_columns = [c for c in ("score", *objectives, *[o.column for o in
                                config.objectives.values()], "mw", "clogp", "qed",
                                "sa_score", *rank_by) if c in extremes["min"]]  # fmt: skip
    hist_columns = list(dict.fromkeys(hist_columns))
    histograms = {c: np.zeros(bins, dtype=np.int64) for c in hist_columns}
    edges = {c: np.histogram_bin_edges([], bins=bins, range=(extremes["min"][c],
                                                                  extremes["max"][c]))
             for c in hist_columns}  # fmt: skip
    step = max(1, math.ceil(n_passing / SAMPLE_ROWS))
    ranked_dir = out / f".{RANKED}.tmp-{os.getpid()}"
    shutil.rmtree(ranked_dir, ignore_errors=True)
    ranked_dir.mkdir()
    highlights, top_tables = [], []
    counts = {"in_training_data": 0, "known_active": 0}
    output_schema = None
    for index, table in enumerate(_in_order(blocks, sequence, schema, None, PART_ROWS)):
        start = index * PART_ROWS
        rows = np.arange(start, start + table.num_rows)
        table = _ranking_columns(table, rows, pareto, chosen)
        if output_schema is None:
            output_schema = table.schema
        table = table.cast(output_schema)
        pq.write_table(table, ranked_dir / f"part-{index:06d}.parquet")
        for column in hist_columns:
            values = table.column(column).to_numpy(zero_copy_only=False).astype(float)
            histograms[column] += np.histogram(values[np.isfinite(values)],
                                               bins=edges[column])[0]  # fmt: skip
        passes = table.column("passes_filters").to_numpy(zero_copy_only=False)
        in_sample = passes & ((rows % step) == 0) & (rows < n_passing)
        in_pool = rows < pool_size
        flags = chosen[rows] | in_sample | in_pool
        for column in counts:
            if column in table.schema.names:
                values = table.column(column).to_numpy(zero_copy_only=False).astype(bool)
                counts[column] += int(values.sum())
                if column == "known_active":
                    flags |= values
        if watch is not None:
            watch.update(table, rows)
        if flags.any():
            keep = np.flatnonzero(flags)
            highlights.append(table.take(pa.array(keep))
                              .append_column("in_pool", pa.array(in_pool[keep]))
                              .append_column("in_sample", pa.array(in_sample[keep])))  # fmt: skip
        if start < top_n:
            top_tables.append(table.slice(0, top_n - start).to_pandas())  # a copy, not a view
        del table
        pa.default_memory_pool().release_unused()
    # Commit: ranking.json goes last; its presence marks a finished ranking.
    (out / SUMMARY).unlink(missing_ok=True)
    final = out / RANKED
    if final.exists():
        old = out / f".{RANKED}.old-{os.getpid()}"
        os.replace(final, old)
        os.replace(ranked_dir, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(ranked_dir, final)
    top = pd.concat(top_tables, ignore_index=True)
    write_atomic(out / TOP_CSV, lambda p: top.to_csv(p, index=False))
    write_atomic(out / TOP_PARQUET, lambda p: top.to_parquet(p, index=False))
    highlight = (pa.concat_tables(highlights).to_pandas() if highlights
                 else top.iloc[:0].assign(in_pool=False, in_sample=False))  # fmt: skip
    write_atomic(out / HIGHLIGHTS, lambda p: highlight.to_parquet(p, index=False))
    summary = {
        "screen": str(screen.folder),
        "screen_records": screen.summary.get("records"),
        "screen_rows": screen.rows,
        "structures": n,
        "salt_forms_merged": screen.rows - n,
        "passing": n_passing,
        "failing_by_filter": extremes["failing"],
        "pool": pool_size,
        "selected": int(chosen.sum()),
        "in_training_data": counts["in_training_data"],
        "parts": len(list(final.glob("part-*.parquet"))),
        "top_n": int(min(top_n, n)),
        "pareto_rank": "non-dominated front among the pool (the pool_factor x top_k best "
                       "passing molecules); null outside the pool",
        "histograms": {c: {"counts": histograms[c].tolist(), "edges": edges[c].tolist()}
                       for c in hist_columns},
        "known_actives": ({"inchikeys": sorted(known), "found": counts["known_active"],
                           "places": watch.places() if watch is not None else {}}
                          if known is not None else {}),
        "ranking": config.as_dict(),
        "stamp": stamp,
    }  # fmt: skip
    write_json_atomic(out / SUMMARY, json.loads(json.dumps(summary, default=_json_default)))
    return RankedScreen(out, json.loads((out / SUMMARY).read_text()), top, highlight)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


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


def _select(pool: pd.DataFrame, blocks: list[Path], sequence: np.ndarray, schema: Any,
            config: RankingConfig, n_passing: int) -> list[int]:  # fmt: skip
    """Places (0-based) of the diverse short list (:func:`~.rank.diverse_selection`)."""
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
    for table in _in_order(blocks, sequence[:n_passing], schema, ["smiles"], 5000):
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


class _KnownWatch:
    """Places of the known actives in the final order and by each ``rank_by`` column,
    with and without the training compounds, gathered while the ranking streams past."""

    def __init__(self, rows: pd.DataFrame, rank_by: list[str]) -> None:
        self.rows = rows  # the known actives: place, training flag, rank_by values
        self.rank_by = rank_by
        k = len(rows)
        self.training_before = np.zeros(k, dtype=np.int64)
        self.n = 0
        self.n_training = 0
        self.above = {(c, s): np.zeros(k, dtype=np.int64) for c in rank_by
                      for s in ("all", "unseen")}  # fmt: skip

    def update(self, table: Any, rows: np.ndarray) -> None:
        place = self.rows["place"].to_numpy()
        training = (table.column("in_training_data").to_numpy(zero_copy_only=False).astype(bool)
                    if "in_training_data" in table.schema.names
                    else np.zeros(table.num_rows, dtype=bool))  # fmt: skip
        self.n += table.num_rows
        self.n_training += int(training.sum())
        self.training_before += np.array([int(training[rows < p].sum()) for p in place],
                                         dtype=np.int64)  # fmt: skip
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
        out = {"rank|all": {"positions": place.tolist(), "n": self.n},
               "rank|unseen": {"positions": (place - self.training_before)[~seen].tolist(),
                               "n": self.n - self.n_training}}  # fmt: skip
        for column in self.rank_by:
            out[f"{column}|all"] = {"positions": self.above[(column, "all")].tolist(),
                                    "n": self.n}  # fmt: skip
            out[f"{column}|unseen"] = {"positions": self.above[(column, "unseen")][~seen].tolist(),
                                       "n": self.n - self.n_training}  # fmt: skip
        return out


def _watch_known(blocks: list[Path], sequence: np.ndarray, schema: Any, known: set[str],
                 rank_by: list[str]) -> _KnownWatch:  # fmt: skip
    """The known actives' places and values, read from the sorted blocks (a first pass)."""
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    columns = ["inchikey", *rank_by] + (["in_training_data"]
                                        if "in_training_data" in schema.names else [])  # fmt: skip
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
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[*columns, "block", "row"])  # fmt: skip
    places = []
    for b, r in zip(rows["block"], rows["row"], strict=True):
        places.append(int(np.flatnonzero(sequence == b)[r]))
    rows["place"] = np.asarray(places, dtype=np.int64)
    if "in_training_data" not in rows:
        rows["in_training_data"] = False
    return _KnownWatch(rows.sort_values("place", ignore_index=True), rank_by)


def _string_array(values: Iterable[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(values), type=pa.string())
