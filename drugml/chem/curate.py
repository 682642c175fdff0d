"""From raw bioactivity records (a ChEMBL export) to a per-compound modelling table.

:func:`read_chembl_activities` reads a ChEMBL activity table in either of the
two layouts ChEMBL hands out: the API/SQL one (``molecule_chembl_id``,
``standard_type``, ``standard_value`` ...; comma- or tab-separated, zipped or
not) or the CSV its web interface exports (semicolon-separated, headers such as
``"Molecule ChEMBL ID"`` and ``"Standard Value"``, relations quoted as ``'='``).
Either comes back in the API layout (:data:`CHEMBL_WEB_EXPORT_COLUMNS` says
which header becomes which column), ready for :func:`curate_bioactivities`.

:func:`curate_bioactivities` checks its input before any work (every column it
needs, with the closest name suggested for a missing one; every wanted
activity type, see :func:`activity_type_counts`), then runs these steps and
logs, for each, how many records it kept and how many it dropped and why.
Nothing disappears silently: ``raw rows = dropped at every step + records
kept``, and every dropped record is listed with its step and reason in
``result.rejected``. A curation that leaves fewer than two compounds raises
:class:`CurationError` naming the step where the records were lost.

1. **activity type**: keep the wanted type(s) (IC50 by default; Ki, Kd, EC50 ...).
2. **relation**: keep exact values (``=``); ``<``/``>`` values are censored.
3. **value present**: a numeric value is needed.
4. **exact duplicates**: a record repeated verbatim counts once.
5. **structure**: join a SMILES on the molecule id (ChEMBL activity dumps have none).
6. **standardize**: :func:`drugml.chem.standardize` (salts stripped, neutralized);
   unparsable structures are dropped with RDKit's reason.
7. **unit conversion** to nM: molar units by their factor, mass concentrations
   (ug/mL, ng/mL, mg/L) through the molecular weight of the tested structure
   (salt included, since that is what was weighed); other units are dropped.
8. **positive value**: the log of zero or a negative value is undefined.
9. **pX = 9 - log10(value / nM)** (pIC50 for IC50).
10. **aggregate** replicate measurements per standardized structure (InChIKey):
    median pX, count, standard deviation, range; a compound whose
    measurements span more than ``disagreement`` log units (default 1, i.e.
    ten-fold) is flagged, not dropped.
11. **label** active when pX >= ``active_threshold``. The default 6.3
    (IC50 <= 500 nM) is the cut-off TeachOpenCADD uses for EGFR; it sits near
    the median of kinase-inhibitor potencies, so it gives balanced classes,
    and 500 nM is a common bar for a validated hit.

Example
-------
>>> from drugml import data
>>> from drugml.chem.curate import curate_bioactivities, read_chembl_activities
>>> table, log = curate_bioactivities(  # doctest: +SKIP
...     data.load("egfr_bioactivities_raw"), structures=data.load("egfr_compounds"))
>>> raw = read_chembl_activities("DOWNLOAD-EGFR.csv")  # doctest: +SKIP
>>> table, log = curate_bioactivities(raw)  # the export carries its SMILES  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from drugml._util.suggest import closest
from drugml.errors import DrugmlError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHEMBL_WEB_EXPORT_COLUMNS",
    "MASS_UNITS_G_PER_L",
    "MIN_COMPOUNDS",
    "MOLAR_UNITS_NM",
    "CurationError",
    "CurationResult",
    "activity_type_counts",
    "convert_to_nm",
    "curate_bioactivities",
    "curate_table",
    "curation_summary",
    "read_chembl_activities",
]


class CurationError(DrugmlError, ValueError):
    """Curation cannot run on this input, or would leave too few compounds to model.

    Raised before any work for a bad input (an activity type the table lacks,
    no structures); raised at the end when fewer than two compounds remain,
    with the finished :class:`CurationResult` as ``error.result`` (its log
    says where the records went).
    """

    def __init__(self, message: str, result: CurationResult | None = None) -> None:
        super().__init__(message)
        self.result = result


# --------------------------------------------------------------------------- reading

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
_TYPE_COLUMNS = ("standard_type", "type", "Standard Type")
_RELATION_COLUMNS = ("standard_relation", "relation")


def _header_key(name: Any) -> str:
    """A header compared loosely: case, surrounding quotes/space and a BOM do not count."""
    return " ".join(str(name).replace("\ufeff", "").strip().strip('"').split()).casefold()


_WEB_EXPORT_BY_KEY = {_header_key(k): v for k, v in CHEMBL_WEB_EXPORT_COLUMNS.items()}


def _snake_case(name: Any) -> str:
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
            columns=lambda c: _WEB_EXPORT_BY_KEY.get(_header_key(c)) or _snake_case(c)
        )
    for column in _RELATION_COLUMNS:
        if column in frame.columns:
            frame[column] = _unquote_relations(frame[column])
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


def _unquote_relations(relations: pd.Series) -> pd.Series:
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
    column = type_column or _first_present(raw, _TYPE_COLUMNS)
    if column is None or column not in raw.columns:
        from drugml.chem import ColumnNotFoundError

        wanted = type_column or " or ".join(repr(c) for c in _TYPE_COLUMNS)
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


def _check_activity_types(wanted: Sequence[str], counts: dict[str, int]) -> None:
    missing = [kind for kind in wanted if kind not in counts]
    if not missing:
        return
    # Only a spelling variant is suggested ("ic50", "IC 50"): a near name such
    # as EC50 for IC50 is another measurement, not a typo.
    by_spelling = {_snake_case(kind).replace("_", ""): kind for kind in counts}
    hints = [
        f"{kind!r} -> {by_spelling[key]!r}?"
        for kind in missing
        if (key := _snake_case(kind).replace("_", "")) in by_spelling
    ]
    names = ", ".join(repr(k) for k in missing)
    verb = "matches" if len(missing) == 1 else "match"
    message = f"activity_type {names} {verb} no record; {_describe_counts(counts)}."
    if hints:
        message += " Did you mean " + ", ".join(hints)
    raise CurationError(message)


# --------------------------------------------------------------------------- curation

#: Fewest compounds a curation may end with; fewer is an error, not an empty table.
MIN_COMPOUNDS = 2

#: Molar concentration units and their value in nM (spaces removed, micro as "u").
MOLAR_UNITS_NM = {
    "fM": 1e-6, "pM": 1e-3, "pmol/L": 1e-3,
    "nM": 1.0, "nmol/L": 1.0, "nmol.L-1": 1.0,
    "uM": 1e3, "umol/L": 1e3, "umol.L-1": 1e3,
    "mM": 1e6, "mmol/L": 1e6,
    "M": 1e9, "mol/L": 1e9,
}  # fmt: skip
#: Mass concentration units and their value in g/L (converted to nM through the molar mass).
MASS_UNITS_G_PER_L = {
    "ng/mL": 1e-6, "ng.mL-1": 1e-6, "ngml-1": 1e-6,
    "ug/mL": 1e-3, "ug.mL-1": 1e-3, "ugml-1": 1e-3, "mg/L": 1e-3, "mg.L-1": 1e-3,
    "mg/mL": 1.0, "mg.mL-1": 1.0, "g/L": 1.0,
}  # fmt: skip


def _unit_key(unit: Any) -> str | None:
    if not isinstance(unit, str) or not unit.strip():
        return None
    key = unit.strip().replace(" ", "").replace("µ", "u").replace("μ", "u")
    # "ug/ml" and "ug.ml-1" are the same unit as their "mL" spellings.
    return key.replace("ml", "mL") if key.endswith(("ml", "ml-1")) else key


def convert_to_nm(
    value: float, unit: Any, molar_mass: float | None = None
) -> tuple[float | None, str | None]:
    """Convert a concentration to nM; return ``(value_nm, None)`` or ``(None, reason)``.

    >>> convert_to_nm(0.041, "uM")
    (41.0, None)
    >>> convert_to_nm(2.0, "ug.mL-1", molar_mass=400.0)
    (5000.0, None)
    >>> convert_to_nm(5.0, "/uM")
    (None, "unit '/uM' cannot be converted to nM")
    """
    key = _unit_key(unit)
    if key is None:
        return None, "no unit given"
    if key in MOLAR_UNITS_NM:
        return value * MOLAR_UNITS_NM[key], None
    if key in MASS_UNITS_G_PER_L:
        if not molar_mass or not math.isfinite(molar_mass):
            return None, f"unit {unit!r} needs a molar mass, which is unknown"
        # g/L divided by g/mol is mol/L; times 1e9 is nM.
        return value * MASS_UNITS_G_PER_L[key] / molar_mass * 1e9, None
    return None, f"unit {unit!r} cannot be converted to nM"


class CurationResult(tuple):
    """``(table, log)`` as a pair, plus ``rejected``: every dropped record with step and reason.

    Unpack it as ``table, log = curate_bioactivities(...)``, or keep the result
    and use ``result.table``, ``result.log`` and ``result.rejected``.
    """

    def __new__(cls, table: pd.DataFrame, log: pd.DataFrame, rejected: pd.DataFrame):
        result = super().__new__(cls, (table, log))
        result.rejected = rejected
        return result

    @property
    def table(self) -> pd.DataFrame:
        return self[0]

    @property
    def log(self) -> pd.DataFrame:
        return self[1]


class _Log:
    """Collects per-step counts and the records each step drops."""

    def __init__(self, n_raw: int) -> None:
        self.rows: list[dict[str, Any]] = [
            {"step": "raw records", "n_in": n_raw, "n_out": n_raw, "n_dropped": 0,
             "n_merged": 0, "unit": "records", "reasons": ""}
        ]  # fmt: skip
        self.rejected: list[pd.DataFrame] = []

    def step(
        self,
        name: str,
        frame: pd.DataFrame,
        keep: pd.Series,
        reasons: pd.Series,
        record_id_column: str | None,
        id_column: str,
        details: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Keep rows where ``keep``; log the others with ``reasons`` (aligned to ``frame``).

        ``reasons`` are short categories (counted in the log); ``details``, when
        given, is the full per-record explanation kept in the rejected table.
        """
        import pandas as pd

        keep = keep.fillna(False).astype(bool)
        dropped = frame[~keep]
        counts = Counter(reasons[~keep].tolist())
        self.rows.append({
            "step": name, "n_in": len(frame), "n_out": int(keep.sum()),
            "n_dropped": len(dropped), "n_merged": 0, "unit": "records",
            "reasons": "; ".join(f"{reason}: {n:,}" for reason, n in counts.most_common()),
        })  # fmt: skip
        if len(dropped):
            self.rejected.append(pd.DataFrame({
                "raw_index": dropped.index,
                "record_id": dropped[record_id_column].to_numpy() if record_id_column else None,
                "molecule_id": dropped[id_column].to_numpy(),
                "step": name,
                "reason": reasons[~keep].to_numpy(),
                "detail": (details if details is not None else reasons)[~keep].to_numpy(),
            }))  # fmt: skip
        return frame[keep]


def _closest_column(name: str, columns: Sequence[Any]) -> Any | None:
    """The column most like ``name``, compared loosely (case, ``_`` vs space), or None."""
    return closest(name, columns, normalize=_snake_case)


def _require(frame: pd.DataFrame, columns: dict[str, str | None], what: str) -> None:
    from drugml.chem import ColumnNotFoundError

    missing = {role: name for role, name in columns.items() if name and name not in frame.columns}
    if missing:
        wanted = []
        for role, name in missing.items():
            closest = _closest_column(name, list(frame.columns))
            wanted.append(f"{name!r} ({role}" + (f"; closest: {closest!r})" if closest else ")"))
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


def _first_present(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def curate_bioactivities(
    raw: pd.DataFrame,
    structures: pd.DataFrame | None = None,
    *,
    activity_type: str | Sequence[str] = "IC50",
    relation: str | Sequence[str] = "=",
    id_column: str = "molecule_chembl_id",
    record_id_column: str | None = "activity_id",
    type_column: str | None = None,
    relation_column: str | None = None,
    value_column: str = "standard_value",
    unit_column: str = "standard_units",
    smiles_column: str | None = None,
    active_threshold: float = 6.3,
    disagreement: float = 1.0,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> CurationResult:
    """Curate raw activity records into one row per compound; return ``(table, log)``.

    ``raw`` is a ChEMBL activity table in the API layout (read a web-interface
    export with :func:`read_chembl_activities` first). SMILES come from
    ``raw`` itself (``smiles_column`` or a column named like ``smiles``) or
    from ``structures``, a table with ``id_column`` and a SMILES column. The
    type and relation columns default to ChEMBL's
    ``standard_type``/``standard_relation`` when present, else
    ``type``/``relation``; quoted relations (``'='``) count as unquoted.

    Before any work starts, every column is checked (a missing one raises
    :class:`~drugml.chem.ColumnNotFoundError` naming the closest column there
    is) and so is every wanted activity type (one the table lacks raises
    :class:`CurationError` listing the types it has, as
    :func:`activity_type_counts` counts them). A curation that ends with fewer
    than :data:`MIN_COMPOUNDS` compounds raises :class:`CurationError` naming
    the step that lost the records; ``error.result`` holds the log.

    The table has one row per InChIKey: ``inchikey``, ``smiles``
    (standardized), ``molecule_id`` (first id), ``molecule_ids`` (all ids),
    ``p{type}`` (median; e.g. ``pIC50``), ``{type}_nM``, ``n_measurements``,
    ``p{type}_std``, ``p{type}_min``, ``p{type}_max``, ``disagreement``
    (bool) and ``active`` (bool). The log has one row per step with
    ``n_in``, ``n_out``, ``n_dropped``, ``n_merged`` and the ``reasons``.

    >>> import pandas as pd
    >>> raw = pd.DataFrame({
    ...     "molecule_chembl_id": ["CHEMBL553", "CHEMBL553", "CHEMBL939", "CHEMBL939"],
    ...     "standard_type": "IC50", "standard_relation": ["=", "=", "=", ">"],
    ...     "standard_value": [2.0, 20.0, 33.0, 10000.0], "standard_units": "nM",
    ...     "canonical_smiles": ["C#Cc1cccc(Nc2ncnc3cc(OCCOC)c(OCCOC)cc23)c1"] * 2
    ...     + ["COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1"] * 2})
    >>> table, log = curate_bioactivities(raw)
    >>> table[["molecule_id", "pIC50", "n_measurements", "active"]].round(2)
      molecule_id  pIC50  n_measurements  active
    0   CHEMBL553   8.20               2    True
    1   CHEMBL939   7.48               1    True
    >>> try:
    ...     curate_bioactivities(raw, activity_type="Ki")
    ... except CurationError as error:
    ...     print(error)
    activity_type 'Ki' matches no record; the table has IC50 (4 records).
    """
    import numpy as np
    import pandas as pd

    from drugml.chem import SMILES_COLUMN_CANDIDATES, standardize

    types = [activity_type] if isinstance(activity_type, str) else list(activity_type)
    relations = [relation] if isinstance(relation, str) else list(relation)
    type_column = type_column or _first_present(raw, _TYPE_COLUMNS[:2]) or "standard_type"
    relation_column = relation_column or _first_present(raw, _RELATION_COLUMNS) or "relation"
    if record_id_column is not None and record_id_column not in raw.columns:
        record_id_column = None  # optional: only used to name dropped records
    raw_smiles = smiles_column if smiles_column in raw.columns else None
    if raw_smiles is None and smiles_column is None:
        raw_smiles = _first_present(raw, SMILES_COLUMN_CANDIDATES)
    _require(raw, {"molecule id": id_column, "activity type": type_column,
                   "relation": relation_column, "value": value_column,
                   "unit": unit_column}, "activity table")  # fmt: skip
    _check_activity_types(types, activity_type_counts(raw, type_column))
    if raw_smiles is None:
        if structures is None:
            raise CurationError(
                "The activity table has no SMILES column; pass structures= (a table with "
                f"{id_column!r} and SMILES) or name the column with smiles_column=."
            )
        struct_smiles = smiles_column or _first_present(structures, SMILES_COLUMN_CANDIDATES)
        _require(structures, {"molecule id": id_column, "SMILES": struct_smiles or "smiles"},
                 "structure table")  # fmt: skip

    label = types[0] if len(types) == 1 else "activity"
    p_col = f"p{label}"
    log = _Log(len(raw))
    frame = raw.copy()

    def step(name: str, keep: pd.Series, reasons: pd.Series, details=None) -> pd.DataFrame:
        return log.step(name, frame, keep, reasons, record_id_column, id_column, details)

    # 1-4: record-level filters
    kinds = frame[type_column]
    frame = step(
        "activity type",
        kinds.isin(types),
        "activity type " + kinds.astype(str) + f" (wanted {', '.join(types)})",
    )
    # The web export quotes relations ('='); a table read without
    # read_chembl_activities would otherwise lose every record here.
    rel = _unquote_relations(frame[relation_column].astype(object))
    rel = rel.where(rel.notna(), "missing")
    frame = step(
        "relation",
        rel.isin(relations),
        "censored or qualified value (relation " + rel.astype(str) + ")",
    )
    values = pd.to_numeric(frame[value_column], errors="coerce")
    # The detail shows text that is not a number ("180000,0" from a spreadsheet).
    value_text = frame[value_column].map(lambda v: "no value" if pd.isna(v) else f"value {v!r}")
    frame = step(
        "value present",
        values.notna() & np.isfinite(values),
        pd.Series("no numeric value", index=frame.index),
        value_text,
    )
    duplicated = frame.duplicated(keep="first")
    frame = step(
        "exact duplicates",
        ~duplicated,
        pd.Series("exact duplicate of an earlier record", index=frame.index),
    )

    # 5: structures
    if raw_smiles is not None:
        smiles_by_row = frame[raw_smiles]
    else:
        lookup = structures.drop_duplicates(id_column).set_index(id_column)[struct_smiles]
        smiles_by_row = frame[id_column].map(lookup)
    has_structure = smiles_by_row.notna()
    frame = step(
        "structure",
        has_structure,
        pd.Series("no structure for the molecule id", index=frame.index),
        "no SMILES for " + frame[id_column].astype(str),
    )
    smiles_by_row = smiles_by_row[frame.index]

    # 6: standardize each distinct input structure once
    unique_smiles = pd.unique(smiles_by_row.to_numpy())
    std = standardize(list(unique_smiles), n_jobs=n_jobs, progress=progress)
    std.index = unique_smiles
    row_std = std.loc[smiles_by_row.to_numpy()].set_index(frame.index)
    frame = step(
        "standardize",
        row_std["ok"],
        "structure rejected: " + row_std["error_type"].fillna("").astype(str),
        row_std["error"].fillna("").astype(str),
    )
    row_std = row_std.loc[frame.index]
    smiles_by_row = smiles_by_row[frame.index]

    # 7: units (mass units need the molar mass of the tested structure)
    molar_mass = _molar_masses(smiles_by_row, frame[unit_column])
    converted = [
        convert_to_nm(v, u, m)
        for v, u, m in zip(pd.to_numeric(frame[value_column]), frame[unit_column],
                           molar_mass, strict=True)
    ]  # fmt: skip
    nm = pd.Series([c[0] for c in converted], index=frame.index, dtype=float)
    reasons = pd.Series([c[1] or "" for c in converted], index=frame.index)
    frame = step("unit conversion", nm.notna(), reasons)
    nm, row_std = nm[frame.index], row_std.loc[frame.index]

    # 8-9: positive values, then pX
    frame = step(
        "positive value", nm > 0, pd.Series("value is zero or negative", index=frame.index)
    )
    nm, row_std = nm[frame.index], row_std.loc[frame.index]
    records = pd.DataFrame({
        "inchikey": row_std["inchikey"].to_numpy(),
        "smiles": row_std["smiles"].to_numpy(),
        "molecule_id": frame[id_column].astype(str).to_numpy(),
        p_col: 9.0 - np.log10(nm.to_numpy()),
    }, index=frame.index)  # fmt: skip

    # 10-11: aggregate per compound and label
    table = _aggregate(records, p_col, label, disagreement)
    table["active"] = table[p_col] >= active_threshold
    log.rows.append({
        "step": "aggregate per compound", "n_in": len(records), "n_out": len(table),
        "n_dropped": 0, "n_merged": len(records) - len(table), "unit": "compounds",
        "reasons": f"{int(table['disagreement'].sum()):,} compounds flagged: measurements "
                   f"span more than {disagreement:g} log units",
    })  # fmt: skip
    rejected = (
        pd.concat(log.rejected, ignore_index=True)
        if log.rejected
        else pd.DataFrame(
            columns=["raw_index", "record_id", "molecule_id", "step", "reason", "detail"]
        )
    )
    result = CurationResult(table, pd.DataFrame(log.rows), rejected)
    if len(table) < MIN_COMPOUNDS:
        # A model, a split or a ranking on 0 or 1 compounds is no result; say where they went.
        raise CurationError(_too_few_compounds_message(result.log, len(table)), result)
    return result


def curate_table(
    table: pd.DataFrame,
    *,
    smiles_column: str = "smiles",
    target_column: str | None = None,
    label_column: str | None = None,
    positive_label: Any = None,
    active_threshold: float | None = None,
    id_column: str | None = None,
    n_jobs: int = 1,
    progress: bool | None = False,
) -> CurationResult:
    """A plain table (SMILES and a value or a label) into one row per structure.

    The plain-table counterpart of :func:`curate_bioactivities`, with the same
    log and the same promise: ``rows = dropped + kept``, every dropped row in
    ``result.rejected`` with its step and reason.

    1. **value present**: ``target_column`` must hold a number, ``label_column``
       a value;
    2. **standardize** (:func:`drugml.chem.standardize`);
    3. **aggregate** per InChIKey: the median value (regression), or the
       majority label (classification; a tie between the two labels is
       dropped as conflicting, with the rows named).

    Give ``target_column`` for a value (``value`` in the table), with
    ``active_threshold`` to turn it into a label (value >= threshold is 1),
    or ``label_column`` for a label: 1/True is positive, or the value equal to
    ``positive_label``. The table has ``inchikey``, ``smiles``,
    ``molecule_id``, ``n_records`` and ``value`` and/or ``label`` (0/1).

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"smiles": ["CCO", "OCC", "c1ccccc1O", "CCN", "xyz"],
    ...                      "y": [1, 0, 1, 0, 1]})
    >>> table, log = curate_table(rows, label_column="y")
    >>> table[["smiles", "label", "n_records"]].values.tolist()
    [['Oc1ccccc1', 1, 1], ['CCN', 0, 1]]
    >>> log["n_dropped"].tolist()
    [0, 0, 0, 1, 2]
    """
    import numpy as np
    import pandas as pd

    from drugml.chem import standardize

    if (target_column is None) == (label_column is None):
        raise CurationError("give exactly one of target_column (a value) or label_column")
    columns = {"SMILES": smiles_column, "value": target_column, "label": label_column,
               "molecule id": id_column}  # fmt: skip
    _require(table, columns, "table")
    frame = table.reset_index(drop=True)
    ids = frame[id_column].astype(str) if id_column else pd.Series(
        [f"row {i}" for i in range(len(frame))], index=frame.index)  # fmt: skip
    frame = frame.assign(_molecule_id=ids)
    log = _Log(len(frame))

    def step(name: str, keep: pd.Series, reasons: pd.Series, details=None) -> pd.DataFrame:
        return log.step(name, frame, keep, reasons, None, "_molecule_id", details)

    if target_column is not None:
        values = pd.to_numeric(frame[target_column], errors="coerce")
        present = values.notna() & np.isfinite(values.astype(float))
        detail = "not a number: " + frame[target_column].astype(str)
        frame = step("value present", present, pd.Series("no numeric value", index=frame.index),
                     detail)  # fmt: skip
        frame = frame.assign(value=values[frame.index].astype(float))
        if active_threshold is not None:
            frame = frame.assign(label=(frame["value"] >= active_threshold).astype(int))
    else:
        raw = frame[label_column]
        frame = step("value present", raw.notna(),
                     pd.Series("no label", index=frame.index))  # fmt: skip
        frame = frame.assign(label=_labels(frame[label_column], positive_label, label_column))
    smiles = frame[smiles_column]
    has_smiles = smiles.notna() & (smiles.astype(str).str.strip() != "")
    frame = step("structure", has_smiles, pd.Series("no SMILES", index=frame.index))
    text = frame[smiles_column].astype(str).str.strip()
    unique = pd.unique(text.to_numpy())
    std = standardize(list(unique), n_jobs=n_jobs, progress=progress)
    std.index = unique
    row_std = std.loc[text.to_numpy()].set_index(frame.index)
    frame = step("standardize", row_std["ok"],
                 "structure rejected: " + row_std["error_type"].fillna("").astype(str),
                 row_std["error"].fillna("").astype(str))  # fmt: skip
    row_std = row_std.loc[frame.index]
    records = pd.DataFrame({"inchikey": row_std["inchikey"].to_numpy(),
                            "smiles": row_std["smiles"].to_numpy(),
                            "molecule_id": frame["_molecule_id"].to_numpy()},
                           index=frame.index)  # fmt: skip
    for column in ("value", "label"):
        if column in frame:
            records[column] = frame[column].to_numpy()
    aggregations: dict[str, Any] = {
        "smiles": ("smiles", "first"), "molecule_id": ("molecule_id", "first"),
        "n_records": ("smiles", "size")}  # fmt: skip
    if "value" in records:
        aggregations["value"] = ("value", "median")
    if "label" in records:
        aggregations["positive_fraction"] = ("label", "mean")
    grouped = records.groupby("inchikey", sort=False).agg(**aggregations).reset_index()
    conflicting = pd.Series(False, index=grouped.index)
    if "label" in records:
        conflicting = grouped["positive_fraction"] == 0.5
        grouped["label"] = (grouped["positive_fraction"] > 0.5).astype(int)
        if conflicting.any():
            bad = set(grouped.loc[conflicting, "inchikey"])
            lost = records[records["inchikey"].isin(bad)]
            log.rejected.append(pd.DataFrame({
                "raw_index": lost.index, "record_id": None,
                "molecule_id": lost["molecule_id"].to_numpy(), "step": "aggregate per compound",
                "reason": "conflicting labels for one structure",
                "detail": "as many positive as negative records for " + lost["inchikey"],
            }))  # fmt: skip
        grouped = grouped[~conflicting].drop(columns="positive_fraction").reset_index(drop=True)
    log.rows.append({
        "step": "aggregate per compound", "n_in": len(records), "n_out": len(grouped),
        "n_dropped": int(records["inchikey"].isin(
            set(records["inchikey"]) - set(grouped["inchikey"])).sum()),
        "n_merged": len(records) - len(grouped) - int(records["inchikey"].isin(
            set(records["inchikey"]) - set(grouped["inchikey"])).sum()),
        "unit": "compounds",
        "reasons": (f"{int(conflicting.sum()):,} structures with conflicting labels dropped"
                    if conflicting.any() else ""),
    })  # fmt: skip
    rejected = (pd.concat(log.rejected, ignore_index=True) if log.rejected else pd.DataFrame(
        columns=["raw_index", "record_id", "molecule_id", "step", "reason", "detail"]))  # fmt: skip
    result = CurationResult(grouped, pd.DataFrame(log.rows), rejected)
    if len(grouped) < MIN_COMPOUNDS:
        raise CurationError(_too_few_compounds_message(result.log, len(grouped)), result)
    return result


def _labels(values: pd.Series, positive: Any, column: str) -> pd.Series:
    """0/1 labels: 1 where the value is ``positive`` (default: 1 or True)."""
    text = values.astype(str).str.strip().str.lower()
    if positive is None:
        known = {"1", "1.0", "true", "0", "0.0", "false"}
        unknown = sorted(set(text) - known)
        if unknown:
            raise CurationError(f"label column {column!r} has the values {sorted(set(text))}; "
                                "say which one is positive (positive_label=...)")  # fmt: skip
        return text.isin({"1", "1.0", "true"}).astype(int)
    return (text == str(positive).strip().lower()).astype(int)


def _too_few_compounds_message(log: pd.DataFrame, n_compounds: int) -> str:
    """Which step(s) lost the records, from the log's per-step counts."""
    raw = int(log.iloc[0]["n_in"])
    steps = log[(log["unit"] == "records") & (log["step"] != "raw records")]
    kept = int(steps.iloc[-1]["n_out"]) if len(steps) else raw

    def lost(row: Any) -> str:
        why = f" ({row.reasons})" if row.reasons else ""
        return f"step {row.step!r} dropped {row.n_dropped:,}{why}"

    noun = "compound" if n_compounds == 1 else "compounds"
    head = (f"Curation left {n_compounds} {noun} from {raw:,} records; at least "
            f"{MIN_COMPOUNDS} are needed.")  # fmt: skip
    losses = [row for row in steps.itertuples() if row.n_dropped > 0]
    if kept == 0 and losses:
        last = losses[-1]
        if last.n_in == raw:
            where = f"All {raw:,} records were dropped at step {last.step!r}"
        else:
            where = f"The last {last.n_in:,} of {raw:,} records were dropped at step {last.step!r}"
        where += f" ({last.reasons})" if last.reasons else ""
        if len(losses) > 1:
            where += "; before that, " + "; ".join(lost(row) for row in losses[:-1])
    elif losses:
        kept_records = f"{kept:,} record{'s' if kept != 1 else ''}"
        where = (f"The {kept_records} kept describe one structure; "
                 + "; ".join(lost(row) for row in losses))  # fmt: skip
    else:
        where = f"No record was dropped: the {raw:,} records are all of one structure"
    return f"{head} {where}. The counts per step are in error.result.log."


def _molar_masses(smiles: pd.Series, units: pd.Series) -> list[float | None]:
    """Average molar mass of each row's input structure, only where a mass unit needs it."""
    from rdkit.Chem import Descriptors

    from drugml.chem import to_mol

    cache: dict[str, float | None] = {}
    masses: list[float | None] = []
    for smi, unit in zip(smiles, units, strict=True):
        if _unit_key(unit) not in MASS_UNITS_G_PER_L:
            masses.append(None)
            continue
        if smi not in cache:
            mol = to_mol(smi)
            cache[smi] = Descriptors.MolWt(mol) if mol is not None else None
        masses.append(cache[smi])
    return masses


def _aggregate(records: pd.DataFrame, p_col: str, label: str, disagreement: float) -> pd.DataFrame:
    import numpy as np

    grouped = records.groupby("inchikey", sort=True)
    table = grouped.agg(
        smiles=("smiles", "first"),
        molecule_id=("molecule_id", "min"),
        molecule_ids=("molecule_id", lambda ids: "; ".join(sorted(set(ids)))),
        **{p_col: (p_col, "median")},
        n_measurements=(p_col, "size"),
        **{f"{p_col}_std": (p_col, "std"), f"{p_col}_min": (p_col, "min"),
           f"{p_col}_max": (p_col, "max")},
    ).reset_index()  # fmt: skip
    table.insert(5, f"{label}_nM", np.power(10.0, 9.0 - table[p_col]))
    table["disagreement"] = (table[f"{p_col}_max"] - table[f"{p_col}_min"]) > disagreement
    # Most potent first, as medicinal chemists read such tables.
    return table.sort_values([p_col, "inchikey"], ascending=[False, True]).reset_index(drop=True)


def curation_summary(log: pd.DataFrame) -> str:
    """The curation log as text: one line per step, and the check that the numbers add up.

    >>> import pandas as pd
    >>> log = pd.DataFrame([
    ...     {"step": "raw records", "n_in": 3, "n_out": 3, "n_dropped": 0, "n_merged": 0,
    ...      "unit": "records", "reasons": ""},
    ...     {"step": "relation", "n_in": 3, "n_out": 2, "n_dropped": 1, "n_merged": 0,
    ...      "unit": "records", "reasons": "censored: 1"},
    ...     {"step": "aggregate per compound", "n_in": 2, "n_out": 1, "n_dropped": 0,
    ...      "n_merged": 1, "unit": "compounds", "reasons": ""}])
    >>> print(curation_summary(log))
    raw records                         3 records
    relation                            2 kept,       1 dropped (censored: 1)
    aggregate per compound              1 compounds from 2 records (1 replicates merged)
    check: 3 raw = 1 dropped + 2 kept records
    """
    lines = []
    record_steps = log[log["unit"] == "records"]
    for row in log.itertuples():
        if row.step == "raw records":
            lines.append(f"{row.step:<30}{row.n_out:>7,} records")
        elif row.unit == "records":
            why = f" ({row.reasons})" if row.reasons else ""
            lines.append(f"{row.step:<30}{row.n_out:>7,} kept, {row.n_dropped:>7,} dropped{why}")
        else:
            lines.append(
                f"{row.step:<30}{row.n_out:>7,} compounds from {row.n_in:,} records "
                f"({row.n_merged:,} replicates merged)"
            )
    raw = int(log.iloc[0]["n_in"])
    dropped = int(record_steps["n_dropped"].sum())
    kept = int(record_steps.iloc[-1]["n_out"])
    status = "" if raw == dropped + kept else "  <-- DOES NOT ADD UP"
    lines.append(f"check: {raw:,} raw = {dropped:,} dropped + {kept:,} kept records{status}")
    return "\n".join(lines)
