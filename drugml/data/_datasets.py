"""Embedded data sets: list, locate, verify and load them, offline.

Every data set drugml uses ships in ``data/`` and is described by
``data/manifest.json`` (name, path, kind, sha256, rows, columns, licence,
source). Loading checks the file's sha256 and, for tables, its columns and
row count. A missing or altered file raises an error that names the file,
both checksums and how to restore it. Nothing is ever downloaded.

Example
-------
>>> from drugml import data
>>> table = data.load("egfr_compounds")
>>> table.shape
(5568, 5)
>>> data.path("egfr_1m17").name
'1M17.pdb'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.io import sha256
from drugml.errors import DrugmlError

if TYPE_CHECKING:  # pandas is imported when a table is actually loaded
    import pandas as pd

__all__ = [
    "DataError",
    "DataFileMissingError",
    "DataIntegrityError",
    "DataSchemaError",
    "Dataset",
    "UnknownDatasetError",
    "data_dir",
    "info",
    "list_datasets",
    "load",
    "path",
    "verify",
]

#: Environment variable that points drugml at another data folder (one with its
#: own ``manifest.json``), e.g. a copy on a shared drive.
DATA_DIR_ENV = "DRUGML_DATA_DIR"
MANIFEST_NAME = "manifest.json"


class DataError(DrugmlError):
    """Base class of the errors raised for embedded data sets."""


class UnknownDatasetError(DataError, LookupError):
    """The name is not in the manifest."""


class DataFileMissingError(DataError, FileNotFoundError):
    """A data set listed in the manifest has no file on disk."""


class DataIntegrityError(DataError):
    """A data file's sha256 differs from the one in the manifest."""


class DataSchemaError(DataError):
    """A table does not have the columns or row count the manifest states."""


@dataclass(frozen=True)
class Dataset:
    """One entry of the data manifest."""

    name: str
    path: Path  # absolute path of the file
    relative_path: str  # path inside the data folder, as the manifest gives it
    kind: str  # "table" or "structure"
    format: str
    sha256: str
    bytes: int
    rows: int
    unit: str  # what ``rows`` counts: "rows" for tables, "atoms" for structures
    columns: tuple[str, ...]
    description: str
    source: str
    licence: str
    target: str = ""
    read_options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def data_dir() -> Path:
    """Return the folder that holds the embedded data sets.

    Looked up in this order: the ``DRUGML_DATA_DIR`` environment variable; the
    ``data/`` folder of a source checkout (editable installs); the copy that a
    wheel carries inside the package (``drugml/_data``).

    >>> (data_dir() / "manifest.json").is_file()
    True
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser().resolve()
    package = Path(__file__).resolve().parents[1]  # drugml/
    for candidate in (package.parent / "data", package / "_data"):
        if (candidate / MANIFEST_NAME).is_file():
            return candidate
    raise DataFileMissingError(
        f"No drugml data folder found: looked for {MANIFEST_NAME} in {package.parent / 'data'} "
        f"and {package / '_data'}. Set {DATA_DIR_ENV} to a folder with a manifest, or reinstall "
        "drugml (the wheel carries its data)."
    )


@lru_cache(maxsize=8)
def _manifest(root: Path) -> dict[str, Dataset]:
    manifest_path = root / MANIFEST_NAME
    try:
        raw = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataFileMissingError(f"Data manifest {manifest_path} is missing.") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"Data manifest {manifest_path} is not valid JSON: {exc}") from exc
    special = ("path", "relative_path", "columns", "extra")
    known = set(Dataset.__dataclass_fields__) - set(special)
    datasets: dict[str, Dataset] = {}
    for entry in raw["datasets"]:
        datasets[entry["name"]] = Dataset(
            path=root / entry["path"],
            relative_path=entry["path"],
            columns=tuple(entry.get("columns", ())),
            extra={k: v for k, v in entry.items() if k not in known and k not in special},
            **{k: v for k, v in entry.items() if k in known},
        )
    return datasets


def _datasets() -> dict[str, Dataset]:
    return _manifest(data_dir())


def info(name: str) -> Dataset:
    """Return the manifest entry of one data set.

    >>> info("esol").rows
    1128
    """
    datasets = _datasets()
    try:
        return datasets[name]
    except KeyError:
        raise UnknownDatasetError(
            f"No data set named {name!r}. Known data sets: {', '.join(datasets)}"
        ) from None


def list_datasets() -> pd.DataFrame:
    """Return one row per embedded data set (name, kind, rows, licence, ...).

    >>> table = list_datasets()
    >>> table.loc[table["name"] == "esol", ["kind", "rows", "unit"]].to_numpy().tolist()
    [['table', 1128, 'rows']]
    """
    import pandas as pd

    rows = [
        {
            "name": d.name,
            "kind": d.kind,
            "format": d.format,
            "rows": d.rows,
            "unit": d.unit,
            "n_columns": len(d.columns),
            "target": d.target,
            "licence": d.licence,
            "description": d.description,
            "path": d.relative_path,
            "sha256": d.sha256,
        }
        for d in _datasets().values()
    ]
    return pd.DataFrame(rows)


# Files already checked in this process, keyed by (path, size, mtime): hashing
# is cheap but repeated loads in a loop need not pay it twice.
_VERIFIED: set[tuple[str, int, int]] = set()


def _restore_hint(dataset: Dataset) -> str:
    rel = dataset.relative_path
    return (
        f"Restore it with `git checkout -- data/{rel}` in a drugml checkout, or reinstall drugml "
        "(`pip install --force-reinstall --no-deps drugml`); see data/README.md for its source."
    )


def verify(name: str | None = None) -> None:
    """Check the sha256 of one data set (or of all when ``name`` is None).

    Raises :class:`DataFileMissingError` or :class:`DataIntegrityError`, whose
    message names the file, the expected and the found checksum.

    >>> verify("egfr_pdb_ligands")
    """
    names = [name] if name is not None else list(_datasets())
    for each in names:
        dataset = info(each)
        file = dataset.path
        try:
            stat = file.stat()
        except FileNotFoundError:
            raise DataFileMissingError(
                f"Data file {file} (data set {dataset.name!r}) is missing. "
                f"Expected sha256 {dataset.sha256}. {_restore_hint(dataset)}"
            ) from None
        key = (str(file), stat.st_size, stat.st_mtime_ns)
        if key in _VERIFIED:
            continue
        found = sha256(file)
        if found != dataset.sha256:
            raise DataIntegrityError(
                f"Data file {file} (data set {dataset.name!r}) has been altered: "
                f"expected sha256 {dataset.sha256}, found {found}. {_restore_hint(dataset)}"
            )
        _VERIFIED.add(key)


def path(name: str, verify_checksum: bool = True) -> Path:
    """Return the path of a data set's file, after checking its sha256.

    >>> path("rna_4gxy_cif").suffix
    '.cif'
    """
    if verify_checksum:
        verify(name)
    return info(name).path


def load(name: str, verify_checksum: bool = True) -> pd.DataFrame | Path:
    """Load a data set: a DataFrame for tables, the file path for structures.

    Tables are returned as the file holds them (column names and values are not
    cleaned; see ``data/README.md`` for each file's quirks). The columns and the
    row count are checked against the manifest.

    >>> load("approved_drugs").columns.tolist()
    ['first_approval', 'molecule_chembl_id', 'molecule_type', 'pref_name', 'smiles']
    >>> load("egfr_1m17").name
    '1M17.pdb'
    """
    dataset = info(name)
    file = path(name, verify_checksum=verify_checksum)
    if dataset.kind != "table":
        return file

    import pandas as pd

    frame = pd.read_csv(file, **dataset.read_options)
    found = tuple(str(c) for c in frame.columns)
    if found != dataset.columns:
        raise DataSchemaError(
            f"Data file {file} (data set {name!r}) has columns {list(found)}, "
            f"expected {list(dataset.columns)}."
        )
    if len(frame) != dataset.rows:
        raise DataSchemaError(
            f"Data file {file} (data set {name!r}) has {len(frame)} rows, expected {dataset.rows}."
        )
    return frame
