"""Molecule files in, tables of records out: SMILES, CSV/TSV, SDF and Parquet, gzipped or not.

:func:`iter_molecules` streams a file as chunks of records, :func:`read_molecules`
reads it whole, and :func:`smiles_table` wraps a list of SMILES in the same
table format. Every record gives a row (one that cannot be read carries the
reason in ``read_error``), ready for :func:`drugml.chem.standardize`; the column
holding the SMILES is found by :func:`resolve_smiles_column`.

Example
-------
>>> from drugml.chem import smiles_table
>>> smiles_table(["CCO"]).columns.tolist()
['record', 'id', 'input', 'read_error']
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.chem._molecules import (
    ColumnNotFoundError,
    MoleculeError,
    MoleculeFileNotFoundError,
    captured_messages,
    rdkit_reason,
)
from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ID_COLUMN_CANDIDATES",
    "SMILES_COLUMN_CANDIDATES",
    "iter_molecules",
    "read_molecules",
    "resolve_column",
    "resolve_smiles_column",
    "smiles_table",
]

#: Column names tried, in order and case-insensitively, when no SMILES column is named.
SMILES_COLUMN_CANDIDATES = ("smiles", "canonical_smiles", "smi", "isomeric_smiles", "input")
#: Column names tried for record identifiers when none is named.
ID_COLUMN_CANDIDATES = ("id", "name", "molecule_chembl_id", "compound id", "compound_id", "title")


def resolve_column(
    columns: Sequence[str], wanted: str | None, candidates: Sequence[str], what: str, source: str
) -> str | None:
    """Find a column by name, or by the usual names; raise listing what is there."""
    if wanted is not None:
        if wanted in columns:
            return wanted
        raise ColumnNotFoundError(
            f"{source} has no {what} column {wanted!r}; its columns are: "
            + ", ".join(repr(c) for c in columns)
        )
    by_lower = {str(c).strip().lower(): c for c in columns}
    for candidate in candidates:
        if candidate in by_lower:
            return by_lower[candidate]
    return None


def resolve_smiles_column(
    columns: Sequence[str], wanted: str | None = None, source: str = "The table"
) -> str:
    """The SMILES column of a table: ``wanted`` if given, else the first of
    :data:`SMILES_COLUMN_CANDIDATES` present (case-insensitively).

    ``source`` names the table in the error (e.g. ``"CSV file lib.csv"``):
    :class:`ColumnNotFoundError` says which column was looked for and lists
    the columns the table has.

    >>> resolve_smiles_column(["ID", "Canonical_SMILES", "pIC50"])
    'Canonical_SMILES'
    >>> resolve_smiles_column(["id", "structure"], "structure")
    'structure'
    >>> resolve_smiles_column(["id", "mol"], source="lib.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    drugml.chem._molecules.ColumnNotFoundError: lib.csv has no SMILES column (looked for smiles, ...
    """
    column = resolve_column(columns, wanted, SMILES_COLUMN_CANDIDATES, "SMILES", source)
    if column is None:
        raise ColumnNotFoundError(
            f"{source} has no SMILES column (looked for {', '.join(SMILES_COLUMN_CANDIDATES)}); "
            "name it with smiles_column=. Its columns are: " + ", ".join(repr(c) for c in columns)
        )
    return column


_FORMATS = {
    ".smi": "smi",
    ".smiles": "smi",
    ".ism": "smi",
    ".txt": "smi",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".sdf": "sdf",
    ".sd": "sdf",
    ".mol": "sdf",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: How each format is named in messages.
_FORMAT_NAMES = {"smi": "SMILES", "csv": "CSV", "tsv": "TSV", "sdf": "SDF", "parquet": "Parquet"}


def _detect_format(path: Path, format: str | None) -> tuple[str, bool]:
    compressed = path.suffix.lower() == ".gz"
    if format is not None:
        if format not in {"smi", "csv", "tsv", "sdf", "parquet"}:
            raise MoleculeError(
                f"Unknown format {format!r}; use one of smi, csv, tsv, sdf, parquet"
            )
        return format, compressed
    suffix = Path(path.stem).suffix.lower() if compressed else path.suffix.lower()
    try:
        return _FORMATS[suffix], compressed
    except KeyError:
        raise MoleculeError(
            f"Cannot tell the format of {path} from its suffix {suffix!r}; supported: "
            + ", ".join(sorted(_FORMATS))
            + " (optionally .gz), or pass format="
        ) from None


def _open_text(path: Path, compressed: bool) -> io.TextIOBase:
    if compressed:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace", newline="")


def iter_molecules(
    path: str | Path,
    *,
    chunk_size: int = 10_000,
    smiles_column: str | None = None,
    id_column: str | None = None,
    format: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Stream a molecule file as DataFrames of at most ``chunk_size`` records.

    Formats (by suffix, optionally gzipped): SMILES (``.smi``: ``SMILES [id]``
    per line; every line is a record, blank ones too, except a first line
    that starts with the word ``smiles``), CSV/TSV (named or detected SMILES
    and id columns; other columns are kept), SDF (``.sdf``; properties become
    columns) and Parquet (``.parquet``, read in row batches; columns as CSV).

    Every chunk has the columns ``record`` (1-based record number in the file),
    ``id``, ``input`` (SMILES) and ``read_error`` (``None``, or why the record
    could not be read); pass a chunk to :func:`standardize` as it is. The
    whole file is never held in memory. A file that is missing, of an unknown
    format or unreadable as its format (an empty CSV, a Parquet or gzip file
    that is not one) raises a :class:`ChemError` naming the file and why.

    >>> from drugml import data
    >>> chunks = iter_molecules(data.path("approved_drugs"), chunk_size=1000)
    >>> [len(c) for c in chunks]
    [1000, 1000, 628]
    """
    path = Path(path)
    if chunk_size < 1:
        raise MoleculeError(f"chunk_size must be at least 1, got {chunk_size}")
    if not path.is_file():
        raise MoleculeFileNotFoundError(f"Molecule file {path} does not exist.")
    kind, compressed = _detect_format(path, format)
    if kind in ("csv", "tsv"):
        chunks = _iter_table(path, kind, compressed, chunk_size, smiles_column, id_column)
    elif kind == "smi":
        chunks = _iter_smi(path, compressed, chunk_size)
    elif kind == "parquet":
        chunks = _iter_parquet(path, chunk_size, smiles_column, id_column)
    else:
        chunks = _iter_sdf(path, compressed, chunk_size, id_column)
    try:
        yield from chunks
    except DrugmlError:
        raise  # already names the file and what is wrong (a missing column ...)
    except _unreadable_file_errors(kind) as exc:
        # pandas, pyarrow and gzip say what is wrong, not in which file: say both.
        what = _FORMAT_NAMES[kind] + (", gzipped" if compressed else "")
        raise MoleculeError(f"Cannot read {path} ({what}): {str(exc).strip()}") from exc


def _unreadable_file_errors(kind: str) -> tuple[type[BaseException], ...]:
    """What the readers raise for a file that is not what its suffix says (or is broken)."""
    import zlib

    import pandas as pd

    errors: tuple[type[BaseException], ...] = (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
        EOFError,
        zlib.error,
        gzip.BadGzipFile,
    )
    if kind == "parquet":
        import pyarrow as pa

        errors += (pa.ArrowException,)
    return errors


def read_molecules(path: str | Path, **options: Any) -> pd.DataFrame:
    """Read a whole molecule file into one table (see :func:`iter_molecules`).

    >>> from drugml import data
    >>> table = read_molecules(data.path("esol"))
    >>> len(table), table.loc[1, ["id", "input"]].tolist()
    (1128, ['Fenfuram', 'Cc1occc1C(=O)Nc2ccccc2'])
    """
    import pandas as pd

    chunks = list(iter_molecules(path, **options))
    if not chunks:
        return pd.DataFrame(columns=["record", "id", "input", "read_error"])
    return pd.concat(chunks, ignore_index=True)


def _frame(records: list[dict], extra_columns: Sequence[str] = ()) -> pd.DataFrame:
    import pandas as pd

    columns = ["record", "id", "input", "read_error", *extra_columns]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("id", "input", "read_error"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _iter_table(
    path: Path,
    kind: str,
    compressed: bool,
    chunk_size: int,
    smiles_column: str | None,
    id_column: str | None,
) -> Iterator[pd.DataFrame]:
    import pandas as pd

    sep = "\t" if kind == "tsv" else ","
    header = pd.read_csv(path, sep=sep, nrows=0, compression="gzip" if compressed else None)
    columns = list(header.columns)
    source = f"{kind.upper()} file {path}"
    smiles_col = resolve_smiles_column(columns, smiles_column, source)
    id_col = resolve_column(columns, id_column, ID_COLUMN_CANDIDATES, "id", source)
    extra = [c for c in columns if c not in (smiles_col, id_col)]
    reader = pd.read_csv(
        path,
        sep=sep,
        chunksize=chunk_size,
        dtype={smiles_col: object},
        compression="gzip" if compressed else None,
    )
    record = 0
    for chunk in reader:
        n = len(chunk)
        out = pd.DataFrame(
            {
                "record": range(record + 1, record + n + 1),
                "id": chunk[id_col].to_numpy()
                if id_col is not None
                else range(record + 1, record + n + 1),
                "input": chunk[smiles_col].to_numpy(),
                "read_error": [None] * n,
            }
        )
        for column in extra:
            out[column] = chunk[column].to_numpy()
        record += n
        yield out


def _iter_parquet(
    path: Path, chunk_size: int, smiles_column: str | None, id_column: str | None
) -> Iterator[pd.DataFrame]:
    import pandas as pd
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    columns = list(handle.schema_arrow.names)
    source = f"Parquet file {path}"
    smiles_col = resolve_smiles_column(columns, smiles_column, source)
    id_col = resolve_column(columns, id_column, ID_COLUMN_CANDIDATES, "id", source)
    extra = [c for c in columns if c not in (smiles_col, id_col)]
    record = 0
    for batch in handle.iter_batches(batch_size=chunk_size):
        chunk = batch.to_pandas()
        n = len(chunk)
        numbers = range(record + 1, record + n + 1)
        out = pd.DataFrame(
            {
                "record": numbers,
                "id": chunk[id_col].to_numpy() if id_col is not None else numbers,
                "input": chunk[smiles_col].astype(object).to_numpy(),
                "read_error": [None] * n,
            }
        )
        for column in extra:
            out[column] = chunk[column].to_numpy()
        record += n
        yield out


def _iter_smi(path: Path, compressed: bool, chunk_size: int) -> Iterator[pd.DataFrame]:
    records: list[dict] = []
    with _open_text(path, compressed) as handle:
        number = 0
        for line_number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if (
                line_number == 1
                and line.split(maxsplit=1)[:1]
                and line.split()[0].lower() == "smiles"
            ):
                continue  # a header line is not a record
            number += 1
            parts = line.strip().split(maxsplit=1)
            smiles = parts[0] if parts else ""
            identifier = parts[1].strip() if len(parts) > 1 else f"line {line_number}"
            records.append(
                {"record": number, "id": identifier, "input": smiles, "read_error": None}
            )
            if len(records) == chunk_size:
                yield _frame(records)
                records = []
    if records:
        yield _frame(records)


def _iter_sdf_blocks(handle: io.TextIOBase) -> Iterator[tuple[str, bool]]:
    """Yield ``(record_text, complete)``; a final record without ``$$$$`` is incomplete."""
    lines: list[str] = []
    for line in handle:
        if line.rstrip("\r\n") == "$$$$":
            yield "".join(lines), True
            lines = []
        else:
            lines.append(line)
    if any(line.strip() for line in lines):
        yield "".join(lines), False


def _sdf_properties(block: str) -> dict[str, str]:
    properties: dict[str, str] = {}
    lines = block.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(">"):
            match = re.search(r"<([^>]+)>", line)
            if match:
                values = []
                for value in lines[i + 1 :]:
                    if not value.strip():
                        break
                    values.append(value)
                properties[match.group(1)] = "\n".join(values)
    return properties


def _iter_sdf(
    path: Path, compressed: bool, chunk_size: int, id_column: str | None
) -> Iterator[pd.DataFrame]:
    from rdkit import Chem, rdBase

    records: list[dict] = []
    property_names: list[str] = []
    with _open_text(path, compressed) as handle, rdBase.BlockLogs():
        for number, (block, complete) in enumerate(_iter_sdf_blocks(handle), start=1):
            properties = _sdf_properties(block)
            for name in properties:
                if name not in property_names:
                    property_names.append(name)
            title = block.splitlines()[0].strip() if block.strip() else ""
            identifier = properties.get(id_column) if id_column else None
            identifier = identifier or title or f"record {number}"
            with rdBase.CaptureErrorLog() as capture:
                try:
                    mol = (
                        Chem.MolFromMolBlock(block)
                        if "M  END" in block or "V3000" in block
                        else None
                    )
                except Exception as exc:
                    mol, extra = None, str(exc)
                else:
                    extra = ""
            smiles, error = None, None
            if mol is None:
                reason = (
                    rdkit_reason(captured_messages(capture)) or extra or "no valid molecule block"
                )
                error = f"SDF record {number} could not be read: {reason}"
                if not complete:
                    error = (
                        f"SDF record {number} is incomplete (the file ends before $$$$): {reason}"
                    )
            elif mol.GetNumAtoms() == 0:
                error = f"SDF record {number} has no atoms"
            else:
                smiles = Chem.MolToSmiles(mol)
            records.append(
                {
                    "record": number,
                    "id": identifier,
                    "input": smiles,
                    "read_error": error,
                    **properties,
                }
            )
            if len(records) == chunk_size:
                yield _frame(records, property_names)
                records = []
    if records:
        yield _frame(records, property_names)


def smiles_table(smiles: Iterable[str], ids: Iterable[Any] | None = None) -> pd.DataFrame:
    """Wrap SMILES (and optional ids) in the reader's table format.

    >>> smiles_table(["CCO", "c1ccccc1"], ids=["ethanol", "benzene"]).id.tolist()
    ['ethanol', 'benzene']
    """
    smiles = list(smiles)
    ids = list(ids) if ids is not None else list(range(1, len(smiles) + 1))
    if len(ids) != len(smiles):
        raise MoleculeError(f"Got {len(smiles)} SMILES but {len(ids)} ids.")
    return _frame(
        [
            {"record": i, "id": identifier, "input": s, "read_error": None}
            for i, (s, identifier) in enumerate(zip(smiles, ids, strict=True), start=1)
        ]
    )
