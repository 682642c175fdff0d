"""Embedded data sets (with provenance, licence and sha256) and installed assets.

Example
-------
>>> from drugml import data
>>> data.list_datasets()["name"].tolist()[:2]
['egfr_compounds', 'egfr_bioactivities_raw']
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.data._datasets import (
    DATA_DIR_ENV,
    MANIFEST_NAME,
    DataError,
    DataFileMissingError,
    DataIntegrityError,
    DataSchemaError,
    Dataset,
    UnknownDatasetError,
    data_dir,
    info,
    list_datasets,
    load,
    path,
    verify,
)

__getattr__, __dir__ = lazy_submodules(__name__, ("assets",), globals())

__all__ = [
    "DATA_DIR_ENV",
    "MANIFEST_NAME",
    "DataError",
    "DataFileMissingError",
    "DataIntegrityError",
    "DataSchemaError",
    "Dataset",
    "UnknownDatasetError",
    "assets",
    "data_dir",
    "info",
    "list_datasets",
    "load",
    "path",
    "verify",
]
