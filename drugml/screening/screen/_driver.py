"""The screen's driver: read the library in chunks, send them out, write what comes back.

:func:`screen_library` reads as its steps: check the library and the settings,
find the models, read the first chunk (the columns are checked before any
work), fingerprint the run and resume it, then :class:`_ChunkLoop` keeps
``slots`` chunks in flight and writes each one's files in chunk order, and the
summary closes the run.
"""

from __future__ import annotations

import copy
import itertools
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.settings import with_options
from drugml.schema import PROFILED
from drugml.screening.screen._bound import PoolThreshold, shortlist_bound
from drugml.screening.screen._executors import DaskExecutor, LocalExecutor, executor_for
from drugml.screening.screen._folder import ScreenFolder, screen_fingerprint
from drugml.screening.screen._results import load_rejects
from drugml.screening.screen._settings import (
    NothingScreenedError,
    ScreenConfigError,
    ScreenOptionError,
    ScreenSettings,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["REJECTED_WARNING_FRACTION", "screen_library"]

#: Above this fraction of rejected records a screen warns (the library is
#: probably not what the configuration thinks it is: wrong column, wrong format).
REJECTED_WARNING_FRACTION = 0.5


def screen_library(
    library_path: str | Path,
    models: Mapping[str, Any],
    out_dir: str | Path,
    settings: ScreenSettings | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Score every molecule of a library with every model; write parts, rejects and a manifest.

    ``models``: name -> :class:`~drugml.models.PropertyModel` or saved model
    folder (the name prefixes its columns). ``settings``: a
    :class:`ScreenSettings` (default: its defaults); each keyword of it
    (``chunk_size``, ``n_jobs``, ``backend``, ``client``, ``resume``,
    ``smiles_column``, ``id_column``, ``keep_columns``, ``alerts``,
    ``progress``, ``profile``, ``ranking``) can also be given here and
    overrides it; another keyword is refused with the closest one.
    ``keep_columns``: library columns
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
    library = _library_file(library_path)
    settings = with_options(ScreenSettings, settings, options, "screen_library", ScreenOptionError)
    folder = ScreenFolder(out_dir)
    folder.root.mkdir(parents=True, exist_ok=True)
    model_dirs = _model_directories(models, folder.root)
    chunks = _read_chunks(library, settings)
    fingerprint, threshold = _fingerprint_and_bound(library, model_dirs, settings)
    done = _resume(folder, fingerprint, settings.resume, threshold)
    loop = _ChunkLoop(folder, fingerprint, done, model_dirs, settings, threshold)
    seconds = loop.run(chunks, library)
    summary = loop.summary(library, seconds)
    folder.write_summary(summary)
    if settings.progress is not False:
        print(
            f"screened {summary['records']:,} records: {summary['scored']:,} scored, "
            f"{summary['rejected']:,} rejected, {seconds:.1f} s "
            f"({summary['molecules_per_second']} mol/s)"
        )
    _check_rejections(summary, folder, settings.read_options)
    return summary


def _library_file(library_path: str | Path) -> Path:
    library = Path(library_path)
    if not library.is_file():
        raise ScreenConfigError(f"Library file {library} does not exist")
    return library


def _model_directories(models: Mapping[str, Any], out_dir: Path) -> dict[str, str]:
    """Model directories by name; in-memory models are saved under ``out_dir/models``."""
    from drugml.models import PropertyModel, metadata_file

    if not isinstance(models, Mapping) or not models:
        raise ScreenConfigError("models must be a non-empty dict: name -> PropertyModel or folder")
    directories = {}
    for name, model in models.items():
        if not str(name).isidentifier():
            raise ScreenConfigError(f"Model name {name!r} must be a valid identifier")
        if isinstance(model, PropertyModel):
            directory = out_dir / "models" / name
            if not metadata_file(directory).is_file():
                model.save(directory)
            directories[name] = str(directory.resolve())
        else:
            directory = Path(model)
            if not metadata_file(directory).is_file():
                raise ScreenConfigError(f"Model {name!r}: {directory} is not a saved drugml model")
            directories[name] = str(directory.resolve())
    return directories


def _read_chunks(library: Path, settings: ScreenSettings) -> Iterator[pd.DataFrame]:
    """The library's chunks; reading the first one checks the columns before any work starts."""
    from drugml.chem import iter_molecules

    reader = iter_molecules(library, chunk_size=settings.chunk_size, **settings.read_options)
    first = next(reader, None)
    absent = [c for c in settings.keep_columns if first is not None and c not in first.columns]
    if absent:
        raise ScreenConfigError(
            f"Library {library} has no column(s) {absent}; it has "
            f"{[c for c in first.columns if c != 'read_error']}"
        )
    return itertools.chain([first] if first is not None else [], reader)


def _fingerprint_and_bound(
    library: Path, model_dirs: Mapping[str, str], settings: ScreenSettings
) -> tuple[dict[str, Any], PoolThreshold | None]:
    """The run's fingerprint (what a resume must match) and, for a short-list screen, the
    threshold of its bound."""
    options = {
        **settings.read_options,
        "keep_columns": list(settings.keep_columns),
        "alerts": list(settings.alerts),
    }
    threshold = None
    if settings.profile == "shortlist":
        bound, ranking = shortlist_bound(
            settings.ranking, model_dirs, settings.alerts, settings.keep_columns
        )
        threshold = PoolThreshold(bound)
        # a resumed short-list screen must bound with the same ranking
        options.update(profile=settings.profile, ranking=ranking)
    return screen_fingerprint(library, settings.chunk_size, model_dirs, options), threshold


def _resume(
    folder: ScreenFolder,
    fingerprint: Mapping[str, Any],
    resume: bool,
    threshold: PoolThreshold | None,
) -> set[int]:
    """The chunks an earlier run of this screen finished; the folder made ready, its manifest
    written."""
    import pandas as pd

    done = folder.finished_chunks(fingerprint, resume)
    if threshold is not None:
        for chunk in sorted(done):  # the threshold of a resumed screen starts where it was
            threshold.observe(pd.read_parquet(folder.chunk_paths(chunk)[0]))
    folder.prepare()  # and what a killed run half-wrote removed
    folder.write_manifest(fingerprint, done)
    return done


class _ChunkLoop:
    """Chunks out to the executor, at most ``slots`` in flight; results back in chunk order,
    each chunk's files written, then the manifest that marks it finished."""

    def __init__(
        self,
        folder: ScreenFolder,
        fingerprint: Mapping[str, Any],
        done: set[int],
        model_dirs: Mapping[str, str],
        settings: ScreenSettings,
        threshold: PoolThreshold | None,
    ) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.done = done
        self.finished = set(done)
        self.model_dirs = model_dirs
        self.settings = settings
        self.threshold = threshold
        self.counts = {"records": 0, "scored": 0, "rejected": 0, "profiled": 0}
        self.pending: dict[Any, tuple[int, int]] = {}

    def run(self, chunks: Iterable[pd.DataFrame], library: Path) -> float:
        """Screen every chunk not done yet; the seconds it took."""
        from tqdm.auto import tqdm

        settings = self.settings
        executor = executor_for(settings.backend, settings.client, settings.n_jobs)
        total = _count_records(library, settings.read_options)
        bar = tqdm(
            total=total,
            unit="mol",
            desc="screen",
            disable=settings.progress is False,
            smoothing=0.1,
            mininterval=0.5,
        )
        start = time.perf_counter()
        try:
            for chunk, records in enumerate(chunks):
                self.counts["records"] += len(records)
                if chunk in self.done:
                    bar.update(len(records))
                    continue
                while len(self.pending) >= executor.slots:
                    self._collect(executor, bar)
                self.pending[self._submit(executor, records)] = (chunk, len(records))
            while self.pending:
                self._collect(executor, bar)
        finally:
            bar.close()
            executor.close()
        return time.perf_counter() - start

    def _submit(self, executor: LocalExecutor | DaskExecutor, records: pd.DataFrame) -> Any:
        settings = self.settings
        args = (records, self.model_dirs, settings.keep_columns, settings.alerts)
        if self.threshold is None:
            return executor.submit(*args)
        # a copy: the threshold moves on while the chunk is out
        return executor.submit(*args, settings.profile, copy.copy(self.threshold.bound))

    def _collect(self, executor: LocalExecutor | DaskExecutor, bar: Any) -> None:
        """The first submitted chunk, waited for: results are written in chunk order."""
        future = next(iter(self.pending))
        chunk, n = self.pending.pop(future)
        scored, rejected = executor.result(future)
        if len(scored) + len(rejected) != n:
            raise RuntimeError(
                f"chunk {chunk}: {n} records in, "
                f"{len(scored)} scored + {len(rejected)} rejected out"
            )
        self.folder.write_chunk(chunk, scored, rejected)
        if self.threshold is not None:
            self.threshold.observe(scored)
            if PROFILED in scored:
                self.counts["profiled"] += int(scored[PROFILED].sum())
        self.finished.add(chunk)
        self.folder.write_manifest(self.fingerprint, self.finished)
        self.counts["scored"] += len(scored)
        self.counts["rejected"] += len(rejected)
        bar.update(n)

    def summary(self, library: Path, seconds: float) -> dict[str, Any]:
        """The run's ``summary.json``: counts of this run and of the chunks it resumed."""
        settings, counts = self.settings, self.counts
        resumed_scored, resumed_rejected = self.folder.chunk_counts(self.done)
        screened = counts["scored"] + counts["rejected"]
        summary = {
            "library": str(library),
            "records": counts["records"],
            "scored": counts["scored"] + resumed_scored,
            "rejected": counts["rejected"] + resumed_rejected,
            "chunks": len(self.finished),
            "chunks_resumed": len(self.done),
            "seconds": round(seconds, 2),
            "molecules_per_second": round(screened / seconds, 1) if seconds > 0 else None,
            "backend": settings.backend,
            "n_jobs": settings.n_jobs if settings.backend == "local" else None,
            "models": sorted(self.model_dirs),
            "alerts": list(settings.alerts),
        }
        if settings.profile == "shortlist":
            summary["profile"] = settings.profile
            # molecules of this run fully profiled (resumed chunks not counted)
            summary["profiled"] = counts["profiled"]
        return summary


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


def _check_rejections(
    summary: Mapping[str, Any], folder: ScreenFolder, read_options: Mapping[str, Any]
) -> None:
    """Stop when nothing was scored, warn when most records were rejected."""
    records, rejected = summary["records"], summary["rejected"]
    if records and rejected <= REJECTED_WARNING_FRACTION * records:
        return
    column = read_options.get("smiles_column")
    where = summary["library"] + (f" (SMILES column {column!r})" if column else "")
    if not records:
        raise NothingScreenedError(f"The library {where} has no records.")
    reasons = load_rejects(folder.root)["reason"].astype(str)
    counts = reasons.str.split(":").str[0].value_counts()
    examples = "; ".join(f"{n:,} x {kind}" for kind, n in counts.head(3).items())
    first = reasons.iloc[0]
    message = (
        f"{rejected:,} of {records:,} records of {where} were rejected ({examples}; "
        f"first: {first[:200]}). Is it the right file and SMILES column? Every reason: "
        f"{folder.rejects_dir}"
    )
    if rejected == records:
        raise NothingScreenedError(f"Nothing to rank: {message}")
    warnings.warn(message, stacklevel=3)
