"""ChEMBL activity tables: reading either layout, their activity types, their columns.

:func:`read_chembl_activities` reads a ChEMBL activity table in either of the
two layouts ChEMBL hands out (the API/SQL one, or the CSV its web interface
exports) and returns it in the API layout; :func:`activity_type_counts` says
which activity types it holds. :func:`require_columns` and
:func:`check_activity_types` check a table before a curation does any work,
naming the closest column or the spelling variant of a type that is there.

Example
-------
>>> snake_case('"Molecule ChEMBL ID"')
'molecule_chembl_id'
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from drugml._util.suggest import closest
from drugml.chem.curate._log import CurationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHEMBL_WEB_EXPORT_COLUMNS",
    "RELATION_COLUMNS",
    "TYPE_COLUMNS",
    "activity_type_counts",
    "check_activity_types",
    "first_present",
    "read_chembl_activities",
    "require_columns",
    "snake_case",
    "unquote_relations",
]

#: Header of ChEMBL's web-interface activity export -> column of the API/SQL layout.
#: The export (``DOWNLOAD-*.csv``) is semicolon-separated, every field in double
#: quotes, relations quoted again as ``'='``, decimals with a point; it has no
#: activity id. Older exports stop at "Cell ChEMBL ID"; newer ones add the
#: assay-parameter/variant columns and the last four. A header not listed here
#: becomes its snake_case spelling ("Activity ID" -> ``activity_id``).
CHEMBL_WEB_EXPORT_COLUMNS: dict[str, str] = {
    "Molecule ChEMBL ID": "molecule_chembl_id",
    "Molecule Name": "molecule_pref_name",
    "Molecule Max Phase": "max_phase",
    "Molecular Weight": "full_mwt",
    "#RO5 Violations": "num_ro5_violations",
    "AlogP": "alogp",
    "Compound Key": "compound_key",
    "Smiles": "canonical_smiles",
    "Standard Type": "standard_type",
    "Standard Relation": "standard_relation",
    "Standard Value": "standard_value",
    "Standard Units": "standard_units",
    "pChEMBL Value": "pchembl_value",
    "Data Validity Comment": "data_validity_comment",
    "Comment": "activity_comment",
    "Uo Units": "uo_units",
    "Ligand Efficiency BEI": "ligand_efficiency_bei",
    "Ligand Efficiency LE": "ligand_efficiency_le",
    "Ligand Efficiency LLE": "ligand_efficiency_lle",
    "Ligand Efficiency SEI": "ligand_efficiency_sei",
    "Potential Duplicate": "potential_duplicate",
    "Assay ChEMBL ID": "assay_chembl_id",
    "Assay Description": "assay_description",
    "Assay Type": "assay_type",
    "BAO Format ID": "bao_format",
    "BAO Label": "bao_label",
    "Assay Organism": "assay_organism",
    "Assay Tissue ChEMBL ID": "assay_tissue_chembl_id",
    "Assay Tissue Name": "assay_tissue",
    "Assay Cell Type": "assay_cell_type",
    "Assay Subcellular Fraction": "assay_subcellular_fraction",
    "Assay Parameters": "assay_parameters",
    "Assay Variant Accession": "assay_variant_accession",
    "Assay Variant Mutation": "assay_variant_mutation",
    "Target ChEMBL ID": "target_chembl_id",
    "Target Name": "target_pref_name",
    "Target Organism": "target_organism",
    "Target Type": "target_type",
    "Document ChEMBL ID": "document_chembl_id",
    "Source ID": "src_id",
    "Source Description": "src_description",
    "Document Journal": "document_journal",
    "Document Year": "document_year",
    "Cell ChEMBL ID": "cell_chembl_id",
    "Properties": "activity_properties",
    "Action Type": "action_type",
    "Standard Text Value": "standard_text_value",
    "Value": "value",
}

#: Type columns tried, in order, when none is named (API, older API dumps, web export).
TYPE_COLUMNS = ("standard_type", "type", "Standard Type")
RELATION_COLUMNS = ("standard_relation", "relation")


def _header_key(name: Any) -> str:
    """A header compared loosely: case, surrounding quotes/space and a BOM do not count."""
    return " ".join(str(name).replace("\ufeff", "").strip().strip('"').split()).casefold()


_WEB_EXPORT_BY_KEY = {_header_key(k): v for k, v in CHEMBL_WEB_EXPORT_COLUMNS.items()}


def snake_case(name: Any) -> str:
    words = "".join(c if c.isalnum() else " " for c in _header_key(name)).split()
    return "_".join(words)


def _chembl_layout(columns: Iterable[Any]) -> str | None:
    """``"api"``, ``"web export"`` or None, from the column names alone."""
    names = {str(c) for c in columns}
    if "molecule_chembl_id" in names and names & {"standard_type", "type"}:
        return "api"
    keys = {_header_key(c) for c in names}
    if {"molecule chembl id", "standard type"} <= keys:
        return "web export"
    return None


def _first_line(path: Path) -> str:
    """The header line of a plain, gzipped or zipped text table."""
    import gzip
    import zipfile

    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                raise CurationError(f"{path} is an empty archive: no activity table in it.")
            with archive.open(members[0]) as handle:
                raw = handle.readline()
    elif suffix == ".gz":
        with gzip.open(path, "rb") as handle:
            raw = handle.readline()
    else:
        with path.open("rb") as handle:
            raw = handle.readline()
    return raw.decode("utf-8-sig", errors="replace")


def _separator(header: str) -> str:
    # The web export is the only ChEMBL table with semicolons; its headers hold
    # no commas, and an API header no semicolons, so the most frequent wins.
    return max((";", "\t", ","), key=header.count)


def read_chembl_activities(source: str | os.PathLike[str] | IO[Any] | pd.DataFrame) -> pd.DataFrame:
    r"""A ChEMBL activity table, in either ChEMBL layout, as a DataFrame in the API layout.

    ``source`` is a path (CSV/TSV, optionally ``.zip``/``.gz``; Parquet), an
    open text file, or a DataFrame already read. The layout is told from the
    headers: the API/SQL one (``molecule_chembl_id`` with ``standard_type``
    or ``type``) is returned as read; the web-interface export
    (``"Molecule ChEMBL ID"``, ``"Standard Type"`` ...; semicolons) gets its
    columns renamed by :data:`CHEMBL_WEB_EXPORT_COLUMNS`, so ``"Smiles"``
    becomes ``canonical_smiles`` and ``"Standard Relation"`` becomes
    ``standard_relation``. In both, relations lose the quotes the export puts
    around them (``'='`` -> ``=``). ``result.attrs["chembl_format"]`` says
    which layout was read. A table in neither layout raises
    :class:`CurationError` listing the columns expected and those found.

    >>> import io
    >>> export = io.StringIO(
    ...     '"Molecule ChEMBL ID";"Smiles";"Standard Type";"Standard Relation";'
    ...     '"Standard Value";"Standard Units";"pChEMBL Value"\n'
    ...     '"CHEMBL553";"C#Cc1cccc(Nc2ncnc3cc(OCCOC)c(OCCOC)cc23)c1";"IC50";"\'=\'";'
    ...     '"2.0";"nM";"8.70"\n')
    >>> raw = read_chembl_activities(export)
    >>> raw.attrs["chembl_format"]
    'web export'
    >>> raw[["molecule_chembl_id", "standard_relation", "standard_value", "pchembl_value"]]
      molecule_chembl_id standard_relation  standard_value  pchembl_value
    0          CHEMBL553                 =             2.0            8.7
    """
    import io

    import pandas as pd

    from drugml._util.io import PARQUET_SUFFIXES

    if isinstance(source, pd.DataFrame):
        frame, where = source.copy(), "The table"
    elif hasattr(source, "read"):
        text = source.read()
        text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
        sep = _separator(text.split("\n", 1)[0])
        frame, where = pd.read_csv(io.StringIO(text), sep=sep), "The table"
    else:
        path = Path(source)
        where = f"{path}"
        if not path.is_file():
            raise FileNotFoundError(f"ChEMBL activity file {path} does not exist.")
        if path.suffix.lower() in PARQUET_SUFFIXES:
            frame = pd.read_parquet(path)
        else:
            header = _first_line(path)
            sep = _separator(header)
            # A table written by pandas with its index has an unnamed first column.
            index_col = 0 if header.split(sep, 1)[0].strip().strip('"') == "" else None
            frame = pd.read_csv(path, sep=sep, index_col=index_col)
            if index_col is not None:
                frame.index.name = None

    layout = _chembl_layout(frame.columns)
    if layout is None:
        raise CurationError(_not_chembl_message(where, list(frame.columns)))
    if layout == "web export":
        frame = frame.rename(
            columns=lambda c: _WEB_EXPORT_BY_KEY.get(_header_key(c)) or snake_case(c)
        )
    for column in RELATION_COLUMNS:
        if column in frame.columns:
            frame[column] = unquote_relations(frame[column])
    frame.attrs["chembl_format"] = layout
    return frame


def _not_chembl_message(where: str, columns: list[Any]) -> str:
    found = ", ".join(repr(c) for c in columns[:40]) + (" ..." if len(columns) > 40 else "")
    message = (
        f"{where} is not a ChEMBL activity table in a layout drugml knows: expected either "
        "the API/SQL columns ('molecule_chembl_id' with 'standard_type' or 'type', "
        "'standard_relation', 'standard_value', 'standard_units') or the web-interface "
        "export's semicolon-separated headers ('Molecule ChEMBL ID', 'Standard Type', "
        f"'Standard Relation', 'Standard Value', 'Standard Units', 'Smiles'). It has: {found}."
    )
    if len(columns) == 1:
        message += " It was read as one column: ChEMBL tables are separated by ';', ',' or tabs."
    return message


def unquote_relations(relations: pd.Series) -> pd.Series:
    """``'='`` -> ``=``: the web export quotes each relation; missing ones stay missing."""
    if relations.dtype == object or str(relations.dtype) in ("string", "str"):
        return relations.where(
            relations.isna(), relations.astype(str).str.strip().str.strip("'\"").str.strip()
        )
    return relations


def activity_type_counts(
    raw: pd.DataFrame | str | os.PathLike[str], type_column: str | None = None
) -> dict[str, int]:
    """Records per activity type, most frequent first: what ``activity_type=`` can ask for.

    ``raw`` is an activity table (or a path, read with :func:`read_chembl_activities`);
    the type column is ``type_column`` or the first of ``standard_type``,
    ``type`` and ``Standard Type`` that it has. Cheap (no structure is
    touched), so a configuration check can call it before a run.

    >>> import pandas as pd
    >>> activity_type_counts(pd.DataFrame({"standard_type": ["IC50", "Ki", "IC50", None]}))
    {'IC50': 2, 'Ki': 1}
    """
    import pandas as pd

    if not isinstance(raw, pd.DataFrame):
        raw = read_chembl_activities(raw)
    column = type_column or first_present(raw, TYPE_COLUMNS)
    if column is None or column not in raw.columns:
        from drugml.chem import ColumnNotFoundError

        wanted = type_column or " or ".join(repr(c) for c in TYPE_COLUMNS)
        raise ColumnNotFoundError(
            f"The activity table has no activity-type column {wanted}; "
            "its columns are: " + ", ".join(repr(c) for c in raw.columns)
        )
    counts = raw[column].dropna().astype(str).value_counts(sort=False)
    # Most records first; equal counts by name, so the order does not depend on the file.
    ordered = sorted(counts.items(), key=lambda item: (-int(item[1]), item[0]))
    return {kind: int(n) for kind, n in ordered}


def _describe_counts(counts: dict[str, int], limit: int = 12) -> str:
    if not counts:
        return "the table has no record with an activity type"
    shown = [f"{kind} ({n:,} record{'s' if n != 1 else ''})" for kind, n in counts.items()]
    more = len(shown) - limit
    return "the table has " + ", ".join(shown[:limit]) + (f" and {more:,} more" if more > 0 else "")


def _spelling(kind: Any) -> str:
    """An activity type without its case, spaces and punctuation: "IC 50" -> "ic50"."""
    return snake_case(kind).replace("_", "")


def _spelling_variant(kind: str, counts: dict[str, int]) -> str | None:
    """The type counted that is ``kind`` spelt otherwise ("ic50", "IC 50"), or None.

    Only a spelling variant is suggested: a near name such as EC50 for IC50 is
    another measurement, not a typo.
    """
    # Reversed: where two counted types are spelt alike, the last one is named.
    match = closest(kind, reversed(list(counts)), normalize=_spelling)
    return match if match is not None and _spelling(match) == _spelling(kind) else None


def check_activity_types(wanted: Sequence[str], counts: dict[str, int]) -> None:
    """Raise :class:`CurationError` for a wanted activity type that ``counts`` lacks.

    The message lists the types the table has, and a spelling variant of the
    type asked for where there is one.

    >>> try:
    ...     check_activity_types(["ic50"], {"IC50": 3, "Ki": 1})
    ... except CurationError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    activity_type 'ic50' matches no record; the table has IC50 (3 records), Ki ... 'ic50' -> 'IC50'?
    """
    missing = [kind for kind in wanted if kind not in counts]
    if not missing:
        return
    hints = [
        f"{kind!r} -> {variant!r}?"
        for kind in missing
        if (variant := _spelling_variant(kind, counts)) is not None
    ]
    names = ", ".join(repr(k) for k in missing)
    verb = "matches" if len(missing) == 1 else "match"
    message = f"activity_type {names} {verb} no record; {_describe_counts(counts)}."
    if hints:
        message += " Did you mean " + ", ".join(hints)
    raise CurationError(message)


def _closest_column(name: str, columns: Sequence[Any]) -> Any | None:
    """The column most like ``name``, compared loosely (case, ``_`` vs space), or None."""
    return closest(name, columns, normalize=snake_case)


def require_columns(frame: pd.DataFrame, columns: dict[str, str | None], what: str) -> None:
    """Raise :class:`~drugml.chem.ColumnNotFoundError` for each named column ``frame`` lacks.

    ``columns`` maps a role ("molecule id") to the column asked for (None: not
    needed); the message names the closest column there is for each missing
    one, and points a ChEMBL web export to :func:`read_chembl_activities`.
    """
    from drugml.chem import ColumnNotFoundError

    missing = {role: name for role, name in columns.items() if name and name not in frame.columns}
    if missing:
        wanted = []
        for role, name in missing.items():
            near = _closest_column(name, list(frame.columns))
            wanted.append(f"{name!r} ({role}" + (f"; closest: {near!r})" if near else ")"))
        message = (
            f"The {what} lacks the column(s) {', '.join(wanted)}; its columns are: "
            + ", ".join(repr(c) for c in frame.columns)
            + ". Name the right ones with the matching *_column= arguments."
        )
        if _chembl_layout(frame.columns) == "web export":
            message += (
                " It looks like a ChEMBL web-interface export: read it with "
                "drugml.chem.curate.read_chembl_activities(), which gives it the API column names."
            )
        raise ColumnNotFoundError(message)


def first_present(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    """The first of ``names`` that is a column of ``frame``, or None."""
    return next((n for n in names if n in frame.columns), None)
