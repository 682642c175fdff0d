"""File helpers every stage shares: checksums, atomic writes, tables by extension.

Private to the package (the leading underscore): stages import these names,
users do not need them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "json_default",
    "read_table",
    "sha256",
    "table_columns",
    "write_atomic",
    "write_json_atomic",
]

PARQUET_SUFFIXES = (".parquet", ".pq")
TAB_SUFFIXES = (".tsv", ".tab")


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def json_default(value: Any) -> Any:
    """``json.dumps(..., default=json_default)``: numpy scalars as Python numbers, the rest as
    text (paths, dates).

    >>> import numpy as np
    >>> values = {"n": np.int64(3), "x": np.float32(0.5), "ok": np.bool_(True)}
    >>> json.dumps(values, default=json_default)
    '{"n": 3, "x": 0.5, "ok": true}'
    """
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def write_atomic(path: str | Path, write: Callable[[Path], Any]) -> None:
    """``write(temporary)`` then rename onto ``path``: readers never see half a file."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(temporary)
    os.replace(temporary, path)


def write_json_atomic(path: str | Path, payload: Any) -> None:
    """JSON (indented, newline at the end) written atomically."""
    write_atomic(path, lambda p: p.write_text(json.dumps(payload, indent=2) + "\n"))


def _separator(path: Path, sep: str | None) -> str:
    if sep is not None:
        return sep
    return "\t" if path.suffix.lower() in TAB_SUFFIXES else ","


def read_table(path: str | Path, sep: str | None = None, **kwargs: Any) -> pd.DataFrame:
    """A CSV/TSV/Parquet file as a DataFrame (separator from the extension unless given)."""
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return pd.read_parquet(path, **kwargs)
    return pd.read_csv(path, sep=_separator(path, sep), **kwargs)


def table_columns(path: str | Path, sep: str | None = None) -> list[str]:
    """The column names of a CSV/TSV/Parquet file, without reading its rows."""
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    return list(pd.read_csv(path, sep=_separator(path, sep), nrows=0).columns)
