"""Molecules in, one row out per record: reading, parsing and standardization.

Every function here keeps one output row per input record, in input order:
a record that cannot be read or parsed is not dropped but marked ``ok=False``
with an ``error_type`` and a human-readable ``error`` (RDKit's own log lines
are captured into that text, never printed). So ``len(out) == len(in)`` and
``out.ok.sum() + (~out.ok).sum() == len(in)`` always hold.

Standardization (:func:`standardize`), with RDKit's ``rdMolStandardize``, in
this order (each step can be switched off):

1. **parse** the SMILES with sanitization (unparsable SMILES, bad valences and
   unkekulizable aromatic systems are rejected with RDKit's reason);
2. **largest organic fragment**: salts, counter-ions and solvents are removed
   (``LargestFragmentChooser(preferOrganic=True)``); a record with no
   carbon-containing fragment (a metal salt, water) is rejected;
3. **normalize** functional groups (nitro, N-oxides, azides, ... to one form);
4. **neutralize** charges where a neutral form exists (``Uncharger``);
5. optional **canonical tautomer** (off by default: it is slow and can change
   the stereochemistry RDKit assigns);
6. write the canonical isomeric SMILES and the standard InChIKey. Stereo and
   isotopes are kept.

Example
-------
>>> from drugml.chem import standardize
>>> out = standardize(["CCO.Cl", "C1CC", "OC(=O)c1ccccc1[O-].[Na+]"])
>>> out[["smiles", "ok", "error_type"]].to_numpy().tolist()
[['CCO', True, None], [None, False, 'unparsable'], ['O=C(O)c1ccccc1O', True, None]]
"""

from __future__ import annotations

import gzip
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.parallel import check_n_jobs, flat_map_chunks
from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "SMILES_COLUMN_CANDIDATES",
    "ChemError",
    "ColumnNotFoundError",
    "MoleculeError",
    "MoleculeFileNotFoundError",
    "SmilesListError",
    "StandardizeOptions",
    "iter_molecules",
    "may_normalize",
    "parse_smiles",
    "read_molecules",
    "resolve_smiles_column",
    "smiles_table",
    "standardize",
    "standardize_mol",
    "to_mol",
]

#: Column names tried, in order and case-insensitively, when no SMILES column is named.
SMILES_COLUMN_CANDIDATES = ("smiles", "canonical_smiles", "smi", "isomeric_smiles", "input")
#: Column names tried for record identifiers when none is named.
ID_COLUMN_CANDIDATES = ("id", "name", "molecule_chembl_id", "compound id", "compound_id", "title")

#: Output columns of :func:`standardize`, in order.
STANDARDIZE_COLUMNS = ("input", "smiles", "inchikey", "ok", "error_type", "error")

_TIMESTAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ", re.MULTILINE)


class ChemError(DrugmlError):
    """Base class of the errors about molecules, tables of them and molecule files."""


class MoleculeError(ChemError, ValueError):
    """A molecule, a molecule file or an argument about them cannot be used as given.

    For instance a SMILES that does not standardize, a file whose format
    cannot be told, or SMILES and ids of different lengths; the message names
    the input and says why.
    """


class MoleculeFileNotFoundError(ChemError, FileNotFoundError):
    """The molecule file to read does not exist."""


class SmilesListError(ChemError, TypeError):
    """A function that takes a list of molecules got one string: wrap it, ``[smiles]``.

    Iterating a string would give one "molecule" per character, so drugml
    refuses it rather than returning a row per letter.
    """


class ColumnNotFoundError(ChemError, KeyError, ValueError):
    """A table lacks the column asked for; the message lists the columns it has."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0])


# --------------------------------------------------------------------------- parsing


def _captured(capture: Any) -> str:
    """The text of an ``rdBase.CaptureErrorLog``; RDKit can cut a UTF-8 character in half."""
    try:
        return capture.messages
    except UnicodeDecodeError:
        return "RDKit's message could not be decoded (non-ASCII input)"


def _rdkit_reason(messages: str, text: str = "") -> str:
    """RDKit's captured log as one line: no timestamps, repeats, echoes or caret lines."""
    lines: list[str] = []
    for line in _TIMESTAMP.sub("", messages).splitlines():
        line = line.strip().removeprefix("SMILES Parse Error: ")
        if (
            not line
            or line in lines
            or line == text
            or set(line) <= {"~", "^", " "}
            or line.startswith("Failed parsing SMILES")
        ):
            continue
        lines.append(line.rstrip(":"))
    return "; ".join(lines)


def _classify(reason: str) -> str:
    lowered = reason.lower()
    if "valence" in lowered:
        return "valence"
    if "kekulize" in lowered:
        return "kekulize"
    return "unparsable"


def parse_smiles(smiles: Any) -> tuple[Chem.Mol | None, str | None, str | None]:
    """Parse one SMILES; return ``(mol, error_type, error)``, never raise.

    ``error_type`` is one of ``empty``, ``invalid_type``, ``unparsable``,
    ``valence``, ``kekulize``; ``error`` repeats RDKit's reason.

    >>> parse_smiles("C(C)(C)(C)(C)C")[1:]
    ('valence', 'bad valence: Explicit valence for atom # 0 C, 5, is greater than permitted')
    """
    from rdkit import Chem, rdBase

    if smiles is None or (isinstance(smiles, float) and math.isnan(smiles)):
        return None, "empty", "missing SMILES (empty cell)"
    if not isinstance(smiles, str):
        return None, "invalid_type", f"not a SMILES string: {type(smiles).__name__} {smiles!r}"
    text = smiles.strip()
    if not text:
        return None, "empty", "empty SMILES"
    with rdBase.CaptureErrorLog() as capture:
        try:
            mol = Chem.MolFromSmiles(text)
        except Exception as exc:  # RDKit raises on a few inputs instead of returning None
            mol, extra = None, str(exc)
        else:
            extra = ""
    if mol is None:
        reason = _rdkit_reason(_captured(capture), text) or extra or "RDKit could not parse it"
        kind = _classify(reason)
        label = {"valence": "bad valence", "kekulize": "cannot kekulize"}.get(kind, "unparsable")
        return None, kind, f"{label}: {reason}"
    if mol.GetNumAtoms() == 0:
        return None, "empty", "SMILES has no atoms"
    return mol, None, None


def to_mol(smiles: Any) -> Chem.Mol | None:
    """Parse a SMILES quietly: a ``Mol`` or ``None`` (see :func:`parse_smiles` for why).

    >>> to_mol("c1ccccc1").GetNumAtoms(), to_mol("c1cccc1")
    (6, None)
    """
    from rdkit import Chem

    if isinstance(smiles, Chem.Mol):
        return smiles
    return parse_smiles(smiles)[0]


# ------------------------------------------------------------------- standardization


@dataclass(frozen=True)
class StandardizeOptions:
    """Switches of the standardization pipeline (see the module docstring).

    ``largest_fragment``: keep the largest organic fragment (strip salts and
    solvents). ``normalize``: normalize functional groups. ``neutralize``:
    neutralize charges. ``tautomer``: replace by RDKit's canonical tautomer.
    ``inchikey``: compute the standard InChIKey.
    """

    largest_fragment: bool = True
    normalize: bool = True
    neutralize: bool = True
    tautomer: bool = False
    inchikey: bool = True


# RDKit's default normalizations (rdMolStandardize, normalizations.in) that can
# fire on a molecule without formal charges; every other default rule needs a
# charged atom. A neutral molecule that matches none of these is left unchanged
# by the Normalizer, so it can skip that (costly) step. tests/test_chem.py
# checks the shortcut against the full Normalizer on every embedded molecule.
_NEUTRAL_NORMALIZATION_PATTERNS = (
    "[N,P,As,Sb;X3](=[O,S,Se,Te])=[O,S,Se,Te]",  # nitro to N+(O-)=O
    "[nH0+0]=[OH0+0]",  # pyridine oxide to n+O-
    "[*][N]=[N]#[N]",  # azide to N=N+=N-
    "[*]=[N]#[N]",  # diazo to =N+=N-
    "[!O][S+0;X3](=[O])[!O]",  # sulfoxide to -S+(O-)-
)


@cache
def _normalization_queries() -> tuple[Chem.Mol, list[Chem.Mol]]:
    from rdkit import Chem

    return (Chem.MolFromSmarts("[!+0]"),
            [Chem.MolFromSmarts(p) for p in _NEUTRAL_NORMALIZATION_PATTERNS])  # fmt: skip


def may_normalize(mol: Chem.Mol) -> bool:
    """False only when no default rule of RDKit's ``Normalizer`` can change ``mol``.

    A charged atom, or a group one of the neutral rules rewrites (nitro,
    N-oxide, azide, diazo, sulfoxide), makes it True; most drug-like molecules
    are False, and skipping the Normalizer for them saves its cost (checked
    against the full Normalizer on every embedded molecule in the tests).

    >>> from rdkit import Chem
    >>> may_normalize(Chem.MolFromSmiles("CCO")), may_normalize(Chem.MolFromSmiles("CS(C)=O"))
    (False, True)
    """
    charged, normalizable = _normalization_queries()
    if mol.HasSubstructMatch(charged):
        return True
    return any(mol.HasSubstructMatch(query) for query in normalizable)


class _Standardizer:
    """RDKit standardizer objects built once per process and reused for every molecule."""

    def __init__(self, options: StandardizeOptions) -> None:
        from rdkit import Chem
        from rdkit.Chem.MolStandardize import rdMolStandardize

        self.options = options
        self.chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
        self.normalizer = rdMolStandardize.Normalizer()
        self.uncharger = rdMolStandardize.Uncharger(canonicalOrder=True)
        self.tautomers = rdMolStandardize.TautomerEnumerator() if options.tautomer else None
        # Substructure queries run in C++: much cheaper than looping over atoms in Python.
        self.carbon = Chem.MolFromSmarts("[#6]")
        self.charged = Chem.MolFromSmarts("[!+0]")

    def __call__(self, mol: Chem.Mol) -> tuple[Chem.Mol | None, str | None, str | None]:
        """Standardize a parsed molecule in place; return ``(mol, error_type, error)``."""
        from rdkit import Chem

        options = self.options
        step = "fragment"
        try:
            if options.largest_fragment:
                # Most molecules have one fragment: skip the chooser's work for them.
                if len(Chem.GetMolFrags(mol)) > 1:
                    self.chooser.chooseInPlace(mol)
                    # chooseInPlace (unlike choose) leaves the ring information
                    # unset: ring counts, TPSA, Murcko scaffolds and Morgan
                    # fingerprints of the molecule would raise "RingInfo not
                    # initialized" (or count no aromatic ring). Perceive it again.
                    Chem.SanitizeMol(mol, Chem.SanitizeFlags.SANITIZE_SYMMRINGS)
                if not mol.HasSubstructMatch(self.carbon):
                    largest = Chem.MolToSmiles(mol)
                    reason = f"no organic fragment: no component contains carbon ({largest})"
                    return None, "no_organic_fragment", reason
            step = "normalize"
            if options.normalize and may_normalize(mol):
                self.normalizer.normalizeInPlace(mol)
            step = "neutralize"
            if options.neutralize and mol.HasSubstructMatch(self.charged):
                self.uncharger.unchargeInPlace(mol)
                # The uncharger can leave an aromatic system that no longer
                # kekulizes (e.g. a cyclopentadienyl anion): check it here.
                Chem.SanitizeMol(mol)
            step = "tautomer"
            if self.tautomers is not None:
                mol = self.tautomers.Canonicalize(mol)
        except Exception as exc:  # RDKit raises on rare structures; report, don't crash
            return None, "standardization_failed", f"{step} step failed: {exc}"
        return mol, None, None


def _standardize_one(item: Any, standardizer: _Standardizer) -> tuple:
    """One input to one output row (see ``STANDARDIZE_COLUMNS``)."""
    from rdkit import Chem, rdBase

    if isinstance(item, Chem.Mol):
        text = Chem.MolToSmiles(item)
        mol = Chem.Mol(item)  # never change the caller's molecule
        error_type = error = None
    else:
        text = item if isinstance(item, str) else (None if _is_missing(item) else str(item))
        mol, error_type, error = parse_smiles(item)
    if mol is None:
        return text, None, None, False, error_type, error
    mol, error_type, error = standardizer(mol)
    if mol is None:
        return text, None, None, False, error_type, error
    with rdBase.CaptureErrorLog() as capture:
        try:
            smiles = Chem.MolToSmiles(mol)
            key = Chem.MolToInchiKey(mol) if standardizer.options.inchikey else None
        except Exception as exc:
            reason = _rdkit_reason(_captured(capture)) or str(exc)
            return text, None, None, False, "standardization_failed", f"output failed: {reason}"
    return text, smiles, key or None, True, None, None


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _standardize_chunk(items: Sequence[Any], options: dict) -> list[tuple]:
    """Worker: standardize a chunk of inputs (runs in a separate process for n_jobs > 1)."""
    from rdkit import rdBase

    with rdBase.BlockLogs():  # warnings and info stay quiet; errors are captured per record
        standardizer = _Standardizer(StandardizeOptions(**options))
        return [_standardize_one(item, standardizer) for item in items]


def standardize_mol(mol: Chem.Mol | str, **options: bool) -> Chem.Mol:
    """Standardize one molecule and return it; raise :class:`MoleculeError` with the reason.

    Keyword options are those of :class:`StandardizeOptions`. The molecule
    returned is ready for any RDKit call (its ring information is set, also
    when salts or solvents were stripped from it).

    >>> from rdkit import Chem
    >>> Chem.MolToSmiles(standardize_mol("C[N+](C)(C)CC(=O)[O-].Cl"))
    'C[N+](C)(C)CC(=O)[O-]'
    """
    from rdkit import Chem, rdBase

    if isinstance(mol, Chem.Mol):
        parsed, error = Chem.Mol(mol), None
    else:
        parsed, _, error = parse_smiles(mol)
    if parsed is None:
        raise MoleculeError(f"Cannot standardize {mol!r}: {error}")
    with rdBase.BlockLogs():
        result, _, error = _Standardizer(StandardizeOptions(**options))(parsed)
    if result is None:
        raise MoleculeError(f"Cannot standardize {mol!r}: {error}")
    return result


def _resolve_column(
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
    column = _resolve_column(columns, wanted, SMILES_COLUMN_CANDIDATES, "SMILES", source)
    if column is None:
        raise ColumnNotFoundError(
            f"{source} has no SMILES column (looked for {', '.join(SMILES_COLUMN_CANDIDATES)}); "
            "name it with smiles_column=. Its columns are: " + ", ".join(repr(c) for c in columns)
        )
    return column


def standardize(
    molecules: Any,
    *,
    smiles_column: str | None = None,
    id_column: str | None = None,
    largest_fragment: bool = True,
    normalize: bool = True,
    neutralize: bool = True,
    tautomer: bool = False,
    inchikey: bool = True,
    n_jobs: int = 1,
    chunk_size: int = 1000,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Standardize molecules; one output row per input, in input order.

    ``molecules`` is a list/Series of SMILES strings or RDKit ``Mol`` objects,
    or a DataFrame (its SMILES column is ``smiles_column`` or found among
    :data:`SMILES_COLUMN_CANDIDATES`; a table from :func:`read_molecules`
    also carries its read errors through). The result has the input's index
    and the columns ``id`` (when the input has identifiers), ``input``,
    ``smiles``, ``inchikey``, ``ok``, ``error_type`` and ``error``; join it back
    to the input table by index.

    ``n_jobs`` processes share the work (``-1``: all cores); a progress bar
    shows for 10,000 or more inputs unless ``progress`` says otherwise.

    >>> out = standardize(["c1ccccc1C(=O)[O-].[Na+]", "", "[Na+].[Cl-]"])
    >>> out.smiles.tolist(), out.error_type.tolist()
    (['O=C(O)c1ccccc1', None, None], [None, 'empty', 'no_organic_fragment'])
    """
    import pandas as pd

    options = asdict(
        StandardizeOptions(largest_fragment, normalize, neutralize, tautomer, inchikey)
    )
    ids = None
    read_errors = None
    if isinstance(molecules, pd.DataFrame):
        if smiles_column is None and {"input", "read_error"} <= set(molecules.columns):
            smiles_column = "input"  # a table from read_molecules / iter_molecules
        column = resolve_smiles_column(list(molecules.columns), smiles_column, "The table")
        id_col = _resolve_column(
            list(molecules.columns), id_column, ID_COLUMN_CANDIDATES, "id", "The table"
        )
        index = molecules.index
        items = molecules[column].tolist()
        ids = molecules[id_col].tolist() if id_col is not None else None
        if "read_error" in molecules.columns:
            read_errors = molecules["read_error"].tolist()
    else:
        if isinstance(molecules, (str, bytes)):
            raise SmilesListError(
                "standardize takes a list of SMILES, not one string: use [smiles]"
            )
        index = molecules.index if isinstance(molecules, pd.Series) else None
        items = list(molecules)
    check_n_jobs(n_jobs, chunk_size)
    rows = flat_map_chunks(
        _standardize_chunk,
        items,
        (options,),
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        progress=progress,
        desc="standardize",
    )
    out = pd.DataFrame(rows, columns=list(STANDARDIZE_COLUMNS), index=index)
    out["ok"] = out["ok"].astype(bool)
    if read_errors is not None:
        # A record the reader could not read keeps the reader's reason.
        failed = [e is not None and not _is_missing(e) for e in read_errors]
        if any(failed):
            mask = pd.Series(failed, index=out.index)
            out.loc[mask, ["smiles", "inchikey"]] = None
            out.loc[mask, "ok"] = False
            out.loc[mask, "error_type"] = "read_error"
            out.loc[mask, "error"] = [e for e, f in zip(read_errors, failed, strict=True) if f]
    for column in ("input", "smiles", "inchikey", "error_type", "error"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    if ids is not None:
        out.insert(0, "id", ids)
    return out


# --------------------------------------------------------------------------- reading

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
        pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, EOFError,
        zlib.error, gzip.BadGzipFile,
    )  # fmt: skip
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
    id_col = _resolve_column(columns, id_column, ID_COLUMN_CANDIDATES, "id", source)
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
    id_col = _resolve_column(columns, id_column, ID_COLUMN_CANDIDATES, "id", source)
    extra = [c for c in columns if c not in (smiles_col, id_col)]
    record = 0
    for batch in handle.iter_batches(batch_size=chunk_size):
        chunk = batch.to_pandas()
        n = len(chunk)
        numbers = range(record + 1, record + n + 1)
        out = pd.DataFrame({
            "record": numbers,
            "id": chunk[id_col].to_numpy() if id_col is not None else numbers,
            "input": chunk[smiles_col].astype(object).to_numpy(),
            "read_error": [None] * n,
        })  # fmt: skip
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
                reason = _rdkit_reason(_captured(capture)) or extra or "no valid molecule block"
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
