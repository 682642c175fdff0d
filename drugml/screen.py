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
(``client=`` a ``Client``, or a scheduler address). Workers load the models
from their saved directories (so on a real cluster ``out_dir`` must be on
storage every worker reads); the driver reads the library and writes every
file, so results do not depend on the backend. Memory stays bounded: at most
``2 x workers`` chunks are in flight and no chunk's molecules outlive it.

Example
-------
>>> from drugml import data
>>> from drugml.screen import load_results, screen_library
>>> summary = screen_library(data.path("approved_drugs"), {"potency": "models/egfr"},
...                          "screens/approved")  # doctest: +SKIP
>>> load_results("screens/approved").head()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._io import sha256, write_atomic, write_json_atomic
from drugml._version import __version__
from drugml.errors import DrugmlError
from drugml.schema import ALERT_CATALOGS, DEFAULT_ALERTS, filter_columns, model_column

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "REJECTED_WARNING_FRACTION",
    "NothingScreenedError",
    "ScreenConfigError",
    "load_rejects",
    "load_results",
    "merge_salt_forms",
    "score_chunk",
    "screen_library",
]

MANIFEST = "manifest.json"


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


# ---------------------------------------------------------------- scoring
def score_chunk(records: pd.DataFrame, model_dirs: Mapping[str, str],
                keep_columns: tuple[str, ...] = (),
                alerts: tuple[str, ...] = DEFAULT_ALERTS) -> tuple:  # fmt: skip
    """Score one chunk of library records: ``(scored, rejected)`` DataFrames.

    ``records`` has the columns of :func:`drugml.chem.iter_molecules`; the
    ``keep_columns`` of it are carried into the scored table; ``alerts`` are
    the alert catalogues checked. Every record ends in exactly one of the two
    tables.
    """
    import pandas as pd
    from rdkit import Chem, rdBase

    from drugml.chem import standardize
    from drugml.featurize import bit_fingerprints
    from drugml.filters import druglikeness_rows

    std = standardize(records[["record", "id", "input", "read_error"]], smiles_column="input",
                      id_column="id", progress=False)  # fmt: skip
    std.insert(0, "record", records["record"].to_numpy())
    for column in keep_columns:
        std[column] = records[column].to_numpy()
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
    if mols:
        fps = bit_fingerprints(mols, radius=2, n_bits=2048)
        features: dict[str | None, np.ndarray] = {}
        for name, directory in model_dirs.items():
            model = _load_model(directory)
            key = model.featurizer_key()
            if key is not None and key not in features:
                features[key] = model.featurizer_.transform(mols)
            out = model.predict_mols(mols, features.get(key), fps)
            for column in out.columns:
                scored[model_column(name, column)] = out[column].to_numpy()
        properties = pd.DataFrame.from_records(druglikeness_rows(mols, alerts))
        for column in filter_columns(alerts):
            scored[column] = properties[column].to_numpy() if column in properties else np.nan
    del mols
    return scored, rejected.sort_values("record", ignore_index=True)


# ----------------------------------------------------------------- output
def _part_paths(out_dir: Path, chunk: int) -> tuple[Path, Path]:
    return (out_dir / "parts" / f"part-{chunk:06d}.parquet",
            out_dir / "rejects" / f"part-{chunk:06d}.csv")  # fmt: skip


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


# ---------------------------------------------------------------- running
def _count_records(library: Path, read_options: dict) -> int | None:
    """Records in a plain SMILES file (a cheap line count), else None (unknown)."""
    if library.suffix.lower() in (".smi", ".smiles", ".ism", ".txt"):
        with library.open("rb") as handle:
            lines = sum(1 for _ in handle)
        with library.open("r", encoding="utf-8", errors="replace") as handle:
            first = handle.readline().split()
        return lines - (1 if first and first[0].lower() == "smiles" else 0)
    return None


class _LocalExecutor:
    """n_jobs=1: run in this process; else a process pool. Same submit/result interface."""

    def __init__(self, n_jobs: int) -> None:
        self.pool = None
        if n_jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: a forked copy of a process with OpenMP threads
            # (XGBoost, torch) can deadlock.
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=context)
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
    def __init__(self, client: Any) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            from drugml.errors import MissingDependencyError

            raise MissingDependencyError('backend="dask" needs the scale extra: '
                                         'pip install "drugml[scale]"') from exc  # fmt: skip
        self.own_client = not isinstance(client, Client)
        if client is None:
            raise ScreenConfigError('backend="dask" needs client= (a Client or scheduler address)')
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
) -> dict[str, Any]:
    """Score every molecule of a library with every model; write parts, rejects and a manifest.

    ``models``: name -> :class:`~drugml.models.PropertyModel` or saved model
    folder (the name prefixes its columns). ``keep_columns``: library columns
    to carry into the results (e.g. a name). ``alerts``: structural-alert
    catalogues of :data:`drugml.filters.ALERT_CATALOGS` to check (default
    PAINS and Brenk; add ``"nih"`` for NIH's, at about 1.3x the screen's
    time). Returns the summary (also in
    ``summary.json``): ``records``, ``scored``, ``rejected``, ``chunks``,
    ``chunks_resumed``, ``seconds``, ``molecules_per_second``. Read the
    results with :func:`load_results` and :func:`load_rejects`.
    """
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
    fingerprint = _fingerprint(library, chunk_size, model_dirs,
                               {**read_options, "keep_columns": list(keep_columns),
                                "alerts": list(alerts)})  # fmt: skip
    done = _check_resume(out, fingerprint, resume)
    for folder in ("parts", "rejects"):
        (out / folder).mkdir(exist_ok=True)
        for partial in (out / folder).glob(".part-*.tmp-*"):
            partial.unlink()  # half-written by a run that was killed
    finished = set(done)
    manifest = {"drugml": __version__, "fingerprint": fingerprint, "finished": sorted(finished)}
    write_json_atomic(out / MANIFEST, manifest)

    executor = _DaskExecutor(client) if backend == "dask" else _LocalExecutor(n_jobs)
    total = _count_records(library, read_options)
    bar = tqdm(total=total, unit="mol", desc="screen", disable=progress is False,
               smoothing=0.1, mininterval=0.5)  # fmt: skip
    start = time.perf_counter()
    counts = {"records": 0, "scored": 0, "rejected": 0}
    pending: dict[Any, tuple[int, int]] = {}

    def collect(future) -> None:
        chunk, n = pending.pop(future)
        scored, rejected = executor.result(future)
        if len(scored) + len(rejected) != n:
            raise RuntimeError(f"chunk {chunk}: {n} records in, "
                               f"{len(scored)} scored + {len(rejected)} rejected out")  # fmt: skip
        _write_chunk(out, chunk, scored, rejected)
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
            future = executor.submit(records, model_dirs, keep_columns, alerts)
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
    """
    aggregations: dict[str, Any] = {c: "first" for c in screened.columns if c != "inchikey"}
    aggregations["id"] = lambda ids: "; ".join(map(str, dict.fromkeys(ids)))
    if name_column:
        aggregations[name_column] = lambda names: "; ".join(map(str, dict.fromkeys(names)))
    unique = screened.groupby("inchikey", sort=False).agg(aggregations).reset_index()
    return unique.sort_values("record", ignore_index=True)
