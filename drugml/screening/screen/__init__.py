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

**Settings.** Every option is a field of :class:`ScreenSettings`, where its
default (:data:`DEFAULT_CHUNK_SIZE` ...) and its rule are declared once:
``screen_library(..., settings=ScreenSettings(...))``, and each keyword of
``screen_library`` overrides one field.

**Inside.** ``_settings`` (the options), ``_folder`` (:class:`ScreenFolder`,
the one owner of the folder's layout: manifest, parts, rejects, resume),
``_chunk`` (the worker: :func:`score_chunk`), ``_bound`` (the short-list
bound), ``_executors`` (local processes or Dask), ``_driver``
(:func:`screen_library`) and ``_results`` (reading a screen back).

Example
-------
>>> from drugml import data
>>> from drugml.screening.screen import load_results, screen_library
>>> summary = screen_library(data.path("approved_drugs"), {"potency": "models/egfr"},
...                          "screens/approved")  # doctest: +SKIP
>>> load_results("screens/approved").head()  # doctest: +SKIP
"""

from __future__ import annotations

from drugml.screening.screen._bound import ShortlistBound
from drugml.screening.screen._chunk import score_chunk
from drugml.screening.screen._driver import REJECTED_WARNING_FRACTION, screen_library
from drugml.screening.screen._folder import MANIFEST, ScreenFolder, part_paths
from drugml.screening.screen._results import load_rejects, load_results, merge_salt_forms
from drugml.screening.screen._settings import (
    BACKENDS,
    DEFAULT_CHUNK_SIZE,
    PROFILES,
    NothingScreenedError,
    ScreenConfigError,
    ScreenOptionError,
    ScreenSettings,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_CHUNK_SIZE",
    "MANIFEST",
    "PROFILES",
    "REJECTED_WARNING_FRACTION",
    "NothingScreenedError",
    "ScreenConfigError",
    "ScreenFolder",
    "ScreenOptionError",
    "ScreenSettings",
    "ShortlistBound",
    "load_rejects",
    "load_results",
    "merge_salt_forms",
    "part_paths",
    "score_chunk",
    "screen_library",
]
