"""The variant table: its columns, the status of each record, and counts per variant and sample.

:func:`drugml.variants.read_variants` gives one row per input record in the columns
of :data:`VARIANT_COLUMNS`; every row carries one of :data:`VARIANT_STATUSES` and,
unless it was read as a protein change, the reason. Nothing is dropped:
:func:`variant_counts` and :func:`sample_counts` count every row, whatever its status.

Statuses
--------
``parsed``
    the record names a protein change that alters the protein (a missense change, a
    stop, an in-frame deletion or insertion, a frameshift ...).
``synonymous``
    the record names a residue that stays the same (``T790=``).
``no_protein_change``
    the record gives no protein change (an empty field or ``.``: an intron, a UTR, an
    intergenic variant); the reason names the consequence where the file gives one.
``unparsable``
    the protein change cannot be read; the reason says why (``p.?``, a splice site ...).
``other_gene``
    the record is on another gene than the one asked for (``gene=``).
``mapped``, ``outside_structure``, ``reference_mismatch``
    set when variants are placed on a structure (:func:`~drugml.variants.map_variants`,
    which adds the columns of :data:`MAPPED_COLUMNS`): the residue was found in the
    structure; it lies outside the reference sequence or the residues the structure
    models; the reference residue of the notation differs from the reference
    sequence's residue there.

Example
-------
>>> from drugml.variants import VARIANT_STATUSES
>>> VARIANT_STATUSES[:3]
('parsed', 'synonymous', 'no_protein_change')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drugml.variants._protein_change import VariantError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAPPED_COLUMNS",
    "VARIANT_COLUMNS",
    "VARIANT_STATUSES",
    "VariantFileNotFoundError",
    "VariantFormatError",
    "sample_counts",
    "variant_counts",
]

#: Every status a variant record may carry (the module docstring says what each means).
VARIANT_STATUSES = (
    "parsed",
    "synonymous",
    "no_protein_change",
    "unparsable",
    "other_gene",
    "mapped",
    "outside_structure",
    "reference_mismatch",
)

#: The columns of a variant table, in order: ``record`` (0-based position of the record in
#: the input: a table's row, a MAF's row, a VCF's data line), ``sample``, ``gene``,
#: ``input`` (the protein change as written), ``protein_change`` (its canonical short
#: notation, or None), ``kind``, ``start``, ``end``, ``reference``, ``alternate`` (see
#: :class:`~drugml.variants.ProteinChange`), ``status`` (one of :data:`VARIANT_STATUSES`)
#: and ``reason`` (why a record has its status; None for ``parsed``).
VARIANT_COLUMNS = (
    "record",
    "sample",
    "gene",
    "input",
    "protein_change",
    "kind",
    "start",
    "end",
    "reference",
    "alternate",
    "status",
    "reason",
)

#: The columns :func:`~drugml.variants.map_variants` adds to a variant table, in order:
#: ``structure_residue`` (the structure residue's id, ``"THR766.A"``; a span's first and
#: last modelled residues joined by ``_``), ``structure_number`` (its residue number, the
#: span's first), ``distance_to_ligand`` (Å, the shortest heavy-atom distance between the
#: residue, or any residue of a span, and the ligand; missing without a ligand),
#: ``lines_pocket`` (that distance within the pocket cutoff), ``key_residue`` and
#: ``covalent_residue`` (the change touches one of the key or covalent residues named, in
#: UniProt numbering). Rows that are not ``mapped`` have no structure residue.
MAPPED_COLUMNS = (
    "structure_residue",
    "structure_number",
    "distance_to_ligand",
    "lines_pocket",
    "key_residue",
    "covalent_residue",
)


class VariantFormatError(VariantError):
    """A variant file or table cannot be read as its format (a VCF without protein
    annotation, a table without a protein-change column, an unknown format ...)."""


class VariantFileNotFoundError(VariantError, FileNotFoundError):
    """A variant file does not exist."""


def variant_table(rows: list[dict]) -> pd.DataFrame:
    """Rows (dicts keyed by :data:`VARIANT_COLUMNS`) as a variant table with its dtypes."""
    import pandas as pd

    frame = pd.DataFrame.from_records(rows, columns=list(VARIANT_COLUMNS))
    frame["record"] = frame["record"].astype("int64")
    for column in ("start", "end"):
        frame[column] = frame[column].astype("Int64")
    for column in VARIANT_COLUMNS:
        if column not in ("record", "start", "end"):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _check_table(table: pd.DataFrame, needed: tuple[str, ...]) -> None:
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise VariantFormatError(
            "Not a variant table (read one with read_variants): it lacks the columns "
            + ", ".join(missing)
        )


def variant_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How often each variant occurs: one row per gene, protein change and status.

    Columns: ``gene``, ``protein_change``, ``kind``, ``start``, ``end``, ``status``,
    ``rows`` (rows of the table: a VCF line carried by three samples gives three) and
    ``samples`` (distinct samples). Every row of ``table`` is counted once, whatever
    its status: records without a protein change count under ``protein_change`` None,
    so the ``rows`` add up to ``len(table)``. Most frequent first.

    >>> from drugml.variants import read_variants
    >>> import pandas as pd
    >>> table = read_variants(pd.DataFrame({"mutation": ["L858R", "p.Leu858Arg", "p.?"]}))
    >>> variant_counts(table)[["protein_change", "status", "rows", "samples"]].values.tolist()
    [['L858R', 'parsed', 2, 0], [None, 'unparsable', 1, 0]]
    """
    import pandas as pd

    _check_table(table, VARIANT_COLUMNS)
    keys = ["gene", "protein_change", "status"]
    grouped = table.groupby(keys, dropna=False, sort=False)
    counts = grouped.agg(
        kind=("kind", "first"),
        start=("start", "first"),
        end=("end", "first"),
        rows=("record", "size"),
        samples=("sample", "nunique"),
    ).reset_index()
    counts = counts[["gene", "protein_change", "kind", "start", "end", "status", "rows", "samples"]]
    counts = counts.sort_values(["rows", "start"], ascending=[False, True], kind="stable")
    counts = counts.reset_index(drop=True)
    for column in ("gene", "protein_change", "kind"):
        counts[column] = counts[column].astype(object).where(counts[column].notna(), None)
    counts["start"] = counts["start"].astype("Int64")
    counts["end"] = counts["end"].astype("Int64")
    return pd.DataFrame(counts)


def sample_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many records each sample has, in all and by status.

    Columns: ``sample`` (in order, None last for records without one), ``rows`` and one
    column per status of :data:`VARIANT_STATUSES` (zero where none), in that order; the
    ``rows`` add up to ``len(table)``.

    >>> from drugml.variants import read_variants
    >>> import pandas as pd
    >>> table = read_variants(
    ...     pd.DataFrame({"sample": ["s1", "s1", "s2"], "mutation": ["L858R", "T790=", "?"]})
    ... )
    >>> sample_counts(table)[["sample", "rows", "parsed", "synonymous", "unparsable"]]
      sample  rows  parsed  synonymous  unparsable
    0     s1     2       1           1           0
    1     s2     1       0           0           1
    """
    import pandas as pd

    _check_table(table, ("sample", "status"))
    unknown = sorted(set(table["status"].dropna()) - set(VARIANT_STATUSES), key=str)
    if unknown or table["status"].isna().any():
        raise VariantFormatError(
            f"Statuses {unknown or [None]} are not variant statuses; "
            f"they are: {', '.join(VARIANT_STATUSES)}"
        )
    samples = table["sample"].astype(object).where(table["sample"].notna(), None)
    pairs = pd.DataFrame({"sample": samples, "status": table["status"].astype(object)})
    wide = pairs.groupby(["sample", "status"], dropna=False).size().unstack("status", fill_value=0)
    wide = wide.reindex(columns=list(VARIANT_STATUSES), fill_value=0).astype("int64")
    wide.insert(0, "rows", wide.sum(axis=1))
    wide = wide.rename_axis(index="sample", columns=None).reset_index()
    wide["sample"] = wide["sample"].astype(object).where(wide["sample"].notna(), None)
    return wide
