"""Variant files in, variant tables out: MAF, annotated VCF and plain tables of protein changes.

:func:`read_variants` reads a MAF (``HGVSp_Short`` or ``HGVSp``), a VCF annotated with
a protein change (VEP's ``CSQ`` or SnpEff's ``ANN`` field), or a CSV/TSV file or
DataFrame with a column of protein changes, gzipped or not, into one table in the
columns of :data:`~drugml.variants.VARIANT_COLUMNS`: one row per record, each with a
status and, where it is not ``parsed``, the reason. No record is dropped.

Example
-------
>>> import pandas as pd
>>> from drugml.variants import read_variants
>>> read_variants(pd.DataFrame({"mutation": ["T790M", "p.Leu858Arg"]})).protein_change.tolist()
['T790M', 'L858R']
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml._util.suggest import suggest
from drugml.variants._protein_change import ProteinChange, VariantParseError, parse_protein_change
from drugml.variants._table import (
    VariantFileNotFoundError,
    VariantFormatError,
    variant_table,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GENE_COLUMN_CANDIDATES",
    "MAF_PROTEIN_COLUMNS",
    "PROTEIN_COLUMN_CANDIDATES",
    "SAMPLE_COLUMN_CANDIDATES",
    "VARIANT_FORMATS",
    "read_variants",
]

#: The values of ``read_variants(format=...)``.
VARIANT_FORMATS = ("auto", "maf", "vcf", "table")
#: Column names tried, in order and case-insensitively, for a plain table's protein changes.
PROTEIN_COLUMN_CANDIDATES = (
    "protein_change",
    "hgvsp",
    "hgvsp_short",
    "mutation",
    "variant",
    "aa_change",
)
#: Column names tried for a table's gene symbols.
GENE_COLUMN_CANDIDATES = ("gene", "hugo_symbol", "symbol", "gene_symbol", "gene_name")
#: Column names tried for a table's sample names.
SAMPLE_COLUMN_CANDIDATES = (
    "sample",
    "sample_id",
    "tumor_sample_barcode",
    "patient",
    "patient_id",
    "case_id",
)
#: A MAF's protein-change columns, the first filled one of each row being read.
MAF_PROTEIN_COLUMNS = ("HGVSp_Short", "HGVSp", "Protein_Change")

# SnpEff's ANN sub-fields: their order is fixed by the ANN specification, not by the header.
_ANN_FIELDS = (
    "Allele",
    "Annotation",
    "Annotation_Impact",
    "Gene_Name",
    "Gene_ID",
    "Feature_Type",
    "Feature_ID",
    "Transcript_BioType",
    "Rank",
    "HGVS.c",
    "HGVS.p",
)
# Where each annotation field keeps the gene, the protein change and the consequence.
_ANNOTATION_KEYS = {
    "CSQ": {"gene": "SYMBOL", "protein": "HGVSp", "consequence": "Consequence"},
    "ANN": {"gene": "Gene_Name", "protein": "HGVS.p", "consequence": "Annotation"},
}
_EMPTY = frozenset({"", ".", "-"})
_CSQ_FORMAT = re.compile(r'Format:\s*([^"]+)"')


def read_variants(
    source: str | Path | pd.DataFrame,
    format: str = "auto",
    gene: str | None = None,
    sample_column: str | None = None,
    *,
    protein_column: str | None = None,
    gene_column: str | None = None,
) -> pd.DataFrame:
    """Read variants into a table of protein changes, one row per record, none dropped.

    ``source`` is a file (gzipped or not) or a DataFrame; ``format`` is ``"maf"``,
    ``"vcf"``, ``"table"`` or ``"auto"`` (a file starting ``##fileformat=VCF`` is a VCF, one
    whose header has ``Hugo_Symbol`` a MAF, anything else a CSV/TSV table).

    - **MAF**: tab-separated, ``#`` lines before the header skipped; the protein change
      from ``HGVSp_Short``, else ``HGVSp``, else ``Protein_Change``; the gene from
      ``Hugo_Symbol``; the sample from ``Tumor_Sample_Barcode``.
    - **VCF**: the protein change (``HGVSp``) and gene (``SYMBOL``) of VEP's ``CSQ`` field,
      whose sub-fields the header's ``Format:`` names, or ``HGVS.p`` and ``Gene_Name`` of
      SnpEff's ``ANN`` field. A line gives one row per ALT allele and sample whose ``GT``
      carries that allele, or one row with sample None where no sample does. Of the
      annotations of one allele (matched by VEP's ``ALLELE_NUM`` where present, else by
      the allele), those of ``gene`` are taken if any, then the first that VEP flags
      ``CANONICAL=YES``, else the first with a protein change, else the first.
      A VCF whose header declares neither CSQ nor ANN raises :class:`VariantFormatError`
      before any record is read.
    - **table**: the protein changes from ``protein_column`` or the first of
      :data:`PROTEIN_COLUMN_CANDIDATES` present (case-insensitively); genes and samples
      from ``gene_column``/``sample_column`` or the usual names, if any.

    ``gene`` (a symbol, compared case-insensitively) marks records of other genes
    ``other_gene``; a MAF's or table's records without a gene take it (a VCF's, whose
    annotation names no gene, stay without). ``record`` is the 0-based position of the
    record in the input (the data line, for a VCF). Statuses and columns:
    :data:`VARIANT_STATUSES`, :data:`VARIANT_COLUMNS`.

    >>> import pandas as pd
    >>> cohort = pd.DataFrame(
    ...     {"gene": ["EGFR", "KRAS", "EGFR"], "aa_change": ["E746_A750del", "G12C", "."]}
    ... )
    >>> table = read_variants(cohort, gene="EGFR")
    >>> table[["gene", "protein_change", "status"]]
       gene protein_change             status
    0  EGFR   E746_A750del             parsed
    1  KRAS           G12C         other_gene
    2  EGFR           None  no_protein_change
    """
    import pandas as pd

    wanted = _check_options(format, gene)
    if isinstance(source, pd.DataFrame):
        path, frame = None, source
        kind = format if format != "auto" else _frame_format(source)
        if kind == "vcf":
            raise VariantFormatError("A VCF is read from its file; pass the path, not a DataFrame")
    else:
        path, frame = Path(source), None
        if not path.is_file():
            raise VariantFileNotFoundError(f"Variant file {path} does not exist.")
        kind = format if format != "auto" else _sniff_format(path)
    if kind == "vcf":
        _refuse_table_options(sample_column, protein_column, gene_column)
        return variant_table(_vcf_rows(path, wanted))
    if frame is None:
        frame = _read_delimited(path, kind)
    source_name = "The DataFrame" if path is None else f"{kind.upper()} file {path}"
    if kind == "maf":
        columns = _maf_columns(frame, source_name, protein_column, gene_column, sample_column)
    else:
        columns = _table_columns(frame, source_name, protein_column, gene_column, sample_column)
    return variant_table(_table_rows(frame, *columns, wanted))


# -- finding the format and the columns ---------------------------------------------------------


def _check_options(format: str, gene: str | None) -> str | None:
    """The gene asked for, stripped; a named error for an unknown format or a blank gene."""
    if format not in VARIANT_FORMATS:
        raise VariantFormatError(
            f"Unknown variant format {format!r}; use one of {', '.join(VARIANT_FORMATS)}"
            + suggest(format, VARIANT_FORMATS)
        )
    if gene is not None and (not isinstance(gene, str) or not gene.strip()):
        raise VariantFormatError(f"gene= must be a gene symbol such as 'EGFR', got {gene!r}")
    return gene.strip() if gene else None


def _refuse_table_options(sample: str | None, protein: str | None, gene: str | None) -> None:
    given = {"sample_column": sample, "protein_column": protein, "gene_column": gene}
    named = [name for name, value in given.items() if value is not None]
    if named:
        raise VariantFormatError(
            f"{', '.join(named)}: for MAF files and tables only; a VCF's samples are its "
            "genotype columns, and its genes and protein changes come from CSQ or ANN"
        )


def _open_text(path: Path) -> io.TextIOBase:
    """The file as text, gunzipped if it is gzipped (whatever its suffix says)."""
    with path.open("rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    if compressed:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace", newline="")


_UNREADABLE = (OSError, EOFError, zlib.error, UnicodeDecodeError)


def _sniff_format(path: Path) -> str:
    try:
        with _open_text(path) as handle:
            first = handle.readline()
            line = first
            while line.startswith("#"):
                line = handle.readline()
    except _UNREADABLE as exc:
        raise VariantFormatError(f"Cannot read variant file {path}: {exc}") from exc
    if not first.strip():
        raise VariantFormatError(f"Variant file {path} is empty")
    if first.startswith("##fileformat=VCF"):
        return "vcf"
    return "maf" if "Hugo_Symbol" in line.rstrip("\r\n").split("\t") else "table"


def _frame_format(frame: pd.DataFrame) -> str:
    columns = set(frame.columns)
    return "maf" if "Hugo_Symbol" in columns and columns & set(MAF_PROTEIN_COLUMNS) else "table"


def _read_delimited(path: Path, kind: str) -> pd.DataFrame:
    """A MAF or a CSV/TSV table as strings; ``#`` lines before the header are skipped."""
    import pandas as pd

    try:
        with _open_text(path) as handle:
            skipped = 0
            header = handle.readline()
            while header.startswith("#"):
                skipped += 1
                header = handle.readline()
            suffixes = [s.lower() for s in path.suffixes]
            tab = kind == "maf" or bool({".tsv", ".tab", ".maf"} & set(suffixes))
            sep = "\t" if tab or ("\t" in header and ".csv" not in suffixes) else ","
            return pd.read_csv(handle, sep=sep, names=_split_header(header, sep), dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, *_UNREADABLE) as exc:
        raise VariantFormatError(f"Cannot read {path} as a {kind.upper()} file: {exc}") from exc


def _split_header(header: str, sep: str) -> list[str]:
    names = [name.strip().strip('"') for name in header.rstrip("\r\n").split(sep)]
    if not any(names):
        raise VariantFormatError("The file has no header line naming its columns")
    return names


def _resolve(
    columns: Sequence[Any], wanted: str | None, candidates: Sequence[str], what: str, source: str
) -> str | None:
    """The column named ``wanted`` (an error if absent), else the first candidate present."""
    if wanted is not None:
        if wanted in columns:
            return wanted
        raise VariantFormatError(
            f"{source} has no {what} column {wanted!r}"
            + suggest(wanted, [str(c) for c in columns])
            + "; its columns are: "
            + ", ".join(repr(c) for c in columns)
        )
    by_lower = {str(column).strip().lower(): column for column in columns}
    return next((by_lower[c.lower()] for c in candidates if c.lower() in by_lower), None)


def _maf_columns(
    frame: pd.DataFrame, source: str, protein: str | None, gene: str | None, sample: str | None
) -> tuple[list[str], str | None, str | None, str | None]:
    columns = list(frame.columns)
    if protein is not None:
        proteins = [_resolve(columns, protein, (), "protein-change", source)]
    else:
        proteins = [c for c in MAF_PROTEIN_COLUMNS if c in columns]
    if not proteins:
        raise VariantFormatError(
            f"{source} has no protein-change column (looked for {', '.join(MAF_PROTEIN_COLUMNS)});"
            " annotate it with vcf2maf or VEP, or name one with protein_column=. "
            "Its columns are: " + ", ".join(repr(c) for c in columns)
        )
    gene_col = _resolve(columns, gene, ("Hugo_Symbol",), "gene", source)
    sample_col = _resolve(columns, sample, ("Tumor_Sample_Barcode",), "sample", source)
    note = "Variant_Classification" if "Variant_Classification" in columns else None
    return proteins, gene_col, sample_col, note


def _table_columns(
    frame: pd.DataFrame, source: str, protein: str | None, gene: str | None, sample: str | None
) -> tuple[list[str], str | None, str | None, str | None]:
    columns = list(frame.columns)
    protein_col = _resolve(columns, protein, PROTEIN_COLUMN_CANDIDATES, "protein-change", source)
    if protein_col is None:
        raise VariantFormatError(
            f"{source} has no protein-change column (looked for "
            f"{', '.join(PROTEIN_COLUMN_CANDIDATES)}); name it with protein_column=. "
            "Its columns are: " + ", ".join(repr(c) for c in columns)
        )
    gene_col = _resolve(columns, gene, GENE_COLUMN_CANDIDATES, "gene", source)
    sample_col = _resolve(columns, sample, SAMPLE_COLUMN_CANDIDATES, "sample", source)
    return [protein_col], gene_col, sample_col, None


# -- one row per record ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A cell as stripped text, or None for a missing one (None, NaN, pandas' NA)."""
    if isinstance(value, str):
        return value.strip()
    import pandas as pd

    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return str(value).strip()


class _Rows:
    """Makes the rows of a variant table; each distinct text is parsed once.

    With ``fill_gene``, a record without a gene takes the one asked for (a table of one
    gene's changes has no gene column); a VCF's record without one stays without.
    """

    def __init__(self, wanted: str | None, fill_gene: bool = True) -> None:
        self.wanted = wanted
        self.fill_gene = fill_gene
        self.parsed: dict[str, ProteinChange | VariantParseError] = {}

    def row(
        self, record: int, sample: Any, gene: Any, text: Any, empty_reason: str
    ) -> dict[str, Any]:
        text = _text(text)
        gene = _text(gene) or None
        row = {"record": record, "sample": _text(sample) or None, "gene": gene, "input": text}
        if text is None or text in _EMPTY:
            row.update(status="no_protein_change", reason=empty_reason)
        else:
            if text not in self.parsed:
                try:
                    self.parsed[text] = parse_protein_change(text)
                except VariantParseError as exc:
                    self.parsed[text] = exc
            change = self.parsed[text]
            if isinstance(change, VariantParseError):
                row.update(status="unparsable", reason=change.reason)
            else:
                row["gene"] = gene or change.gene
                row.update(
                    protein_change=change.notation,
                    kind=change.kind,
                    start=change.start,
                    end=change.end,
                    reference=change.reference,
                    alternate=change.alternate,
                )
                synonymous = change.kind == "synonymous"
                row["status"] = "synonymous" if synonymous else "parsed"
                row["reason"] = "the residue is unchanged" if synonymous else None
        if self.wanted is not None:
            if row["gene"] is None:
                row["gene"] = self.wanted if self.fill_gene else None
            elif row["gene"].upper() != self.wanted.upper():
                row.update(status="other_gene", reason=f"gene {row['gene']}, not {self.wanted}")
        return row


def _table_rows(
    frame: pd.DataFrame,
    protein_columns: list[str],
    gene_column: str | None,
    sample_column: str | None,
    note_column: str | None,
    wanted: str | None,
) -> list[dict[str, Any]]:
    rows = _Rows(wanted)
    n = len(frame)

    def values(column: str | None) -> list[Any]:
        return frame[column].tolist() if column is not None else [None] * n

    texts = [values(column) for column in protein_columns]
    genes, samples, notes = values(gene_column), values(sample_column), values(note_column)
    out = []
    for record in range(n):
        # A MAF row's first filled protein-change column (HGVSp_Short, else HGVSp ...).
        text = next(
            (t[record] for t in texts if _text(t[record]) not in (None, *_EMPTY)), texts[0][record]
        )
        note = _text(notes[record])
        empty = "no protein change given" + (f" ({note})" if note else "")
        out.append(rows.row(record, samples[record], genes[record], text, empty))
    return out


# -- VCF ------------------------------------------------------------------------------------------


def _vcf_annotation(meta: list[str], path: Path) -> tuple[str, tuple[str, ...]]:
    """The INFO key holding protein annotations and its sub-fields, from the header."""
    for line in meta:
        if line.startswith("##INFO=<ID=CSQ,"):
            match = _CSQ_FORMAT.search(line)
            if not match:
                raise VariantFormatError(
                    f"{path}: the CSQ header line does not say its sub-fields (no 'Format:')"
                )
            return "CSQ", tuple(field.strip() for field in match.group(1).split("|"))
    if any(line.startswith("##INFO=<ID=ANN,") for line in meta):
        return "ANN", _ANN_FIELDS
    raise VariantFormatError(
        f"{path} has no protein annotation: its header declares neither a VEP CSQ nor a "
        "SnpEff ANN INFO field. Annotate it first: `vep --vcf --hgvs ...` (Ensembl VEP) or "
        "`snpEff ann ...`, or give a MAF or a table of protein changes."
    )


def _vcf_rows(path: Path, wanted: str | None) -> list[dict[str, Any]]:
    rows, out = _Rows(wanted, fill_gene=False), []
    try:
        with _open_text(path) as handle:
            meta: list[str] = []
            line = handle.readline()
            while line.startswith("##"):
                meta.append(line.rstrip("\r\n"))
                line = handle.readline()
            if not line.startswith("#CHROM"):
                raise VariantFormatError(f"{path} is not a VCF: no '#CHROM' header line")
            key, fields = _vcf_annotation(meta, path)  # before any record is read
            samples = line.rstrip("\r\n").split("\t")[9:]
            record = 0
            for line in handle:
                if line.strip():
                    columns = line.rstrip("\r\n").split("\t")
                    out.extend(_vcf_line_rows(columns, record, samples, key, fields, rows))
                    record += 1
    except _UNREADABLE as exc:
        raise VariantFormatError(f"Cannot read VCF file {path}: {exc}") from exc
    return out


def _vcf_line_rows(
    columns: list[str],
    record: int,
    samples: list[str],
    key: str,
    fields: tuple[str, ...],
    rows: _Rows,
) -> Iterator[dict[str, Any]]:
    if len(columns) < 8:
        row = rows.row(record, None, None, None, "")
        reason = f"a VCF data line has at least 8 tab-separated columns, this one {len(columns)}"
        yield row | {"status": "unparsable", "reason": reason}
        return
    chrom, pos, _, ref, alt, _, _, info = columns[:8]
    entries = _annotations(info, key, fields)
    names = _ANNOTATION_KEYS[key]
    alternates = alt.split(",")
    for number, allele in enumerate(alternates, start=1):
        mine = _allele_annotations(entries, allele, number, ref, alternates)
        chosen = _choose(mine, rows.wanted, names) if mine else None
        if chosen is None:
            text, gene = None, None
            empty = f"{chrom}:{pos} {ref}>{allele}: no {key} annotation for this allele"
        else:
            text, gene = chosen.get(names["protein"]), chosen.get(names["gene"])
            consequence = (chosen.get(names["consequence"]) or "").replace("&", ", ")
            empty = f"{chrom}:{pos} {ref}>{allele}: no protein change" + (
                f" ({consequence})" if consequence else ""
            )
        carriers = _carriers(columns[8:], samples, number)
        for sample in carriers or [None]:
            yield rows.row(record, sample, gene, text, empty)


def _annotations(info: str, key: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    for item in info.split(";"):
        name, _, value = item.partition("=")
        if name == key and value:
            return [dict(zip(fields, entry.split("|"), strict=False)) for entry in value.split(",")]
    return []


def _allele_annotations(
    entries: list[dict[str, str]], allele: str, number: int, ref: str, alternates: list[str]
) -> list[dict[str, str]]:
    """The annotations of ALT allele ``number`` (1-based) of a line."""
    if any(entry.get("ALLELE_NUM") for entry in entries):
        return [entry for entry in entries if entry.get("ALLELE_NUM") == str(number)]
    if len(alternates) == 1:
        return entries
    # VEP writes an indel's allele without the first base all alleles share ("-" if none left).
    shared = all(a[:1] == ref[:1] for a in alternates) and ref[:1] not in ("", ".")
    spellings = {allele, (allele[1:] or "-") if shared else allele}
    return [entry for entry in entries if entry.get("Allele") in spellings]


def _choose(
    entries: list[dict[str, str]], wanted: str | None, names: dict[str, str]
) -> dict[str, str]:
    """The annotation to read: of the wanted gene, canonical, with a protein change, first."""
    pool = entries
    if wanted is not None:
        pool = [e for e in entries if (e.get(names["gene"]) or "").upper() == wanted.upper()]
        pool = pool or entries

    def rank(item: tuple[int, dict[str, str]]) -> tuple[bool, bool, int]:
        index, entry = item
        has_change = _text(entry.get(names["protein"])) not in (None, *_EMPTY)
        return entry.get("CANONICAL") != "YES", not has_change, index

    return min(enumerate(pool), key=rank)[1]


def _carriers(genotypes: list[str], samples: list[str], number: int) -> list[str]:
    """The samples whose GT holds allele ``number``."""
    if not genotypes or not samples:
        return []
    keys = genotypes[0].split(":")
    if "GT" not in keys:
        return []
    at = keys.index("GT")
    carriers = []
    for sample, value in zip(samples, genotypes[1:], strict=False):
        parts = value.split(":")
        if at < len(parts) and str(number) in re.split(r"[/|]", parts[at]):
            carriers.append(sample)
    return carriers
