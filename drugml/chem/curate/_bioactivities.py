"""Raw bioactivity records (a ChEMBL export) into a per-compound modelling table.

:func:`curate_bioactivities` runs the steps listed in :mod:`drugml.chem.curate`,
each a function here, and logs what each keeps and drops.

Example
-------
>>> import pandas as pd
>>> records = pd.DataFrame({"inchikey": ["K1", "K1", "K2"], "smiles": ["C", "C", "N"],
...                         "molecule_id": ["m1", "m2", "m3"], "pIC50": [6.0, 8.0, 5.0]})
>>> _aggregate(records, "pIC50", "IC50", disagreement=1.0)[["inchikey", "pIC50", "disagreement"]]
  inchikey  pIC50  disagreement
0       K1    7.0          True
1       K2    5.0         False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drugml._util.settings import with_options
from drugml.chem.curate._chembl import (
    RELATION_COLUMNS,
    TYPE_COLUMNS,
    activity_type_counts,
    check_activity_types,
    first_present,
    require_columns,
    unquote_relations,
)
from drugml.chem.curate._log import (
    CurationError,
    CurationLog,
    CurationOptionError,
    CurationResult,
    standardize_step,
)
from drugml.chem.curate._settings import CurationSettings
from drugml.chem.curate._units import convert_to_nm, molar_masses

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["curate_bioactivities"]


def curate_bioactivities(
    raw: pd.DataFrame,
    structures: pd.DataFrame | None = None,
    settings: CurationSettings | None = None,
    **options: Any,
) -> CurationResult:
    """Curate raw activity records into one row per compound; return ``(table, log)``.

    ``raw`` is a ChEMBL activity table in the API layout (read a web-interface
    export with :func:`read_chembl_activities` first). The options are those
    of :class:`CurationSettings`, given as keywords or as ``settings=`` (a
    keyword replaces the value of ``settings``); a misspelt one raises
    :class:`CurationOptionError` naming the closest. SMILES come from
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
    settings = with_options(
        CurationSettings, settings, options, "curate_bioactivities", CurationOptionError
    )
    columns = _check_input(raw, structures, settings)
    log = CurationLog(len(raw), settings.id_column, columns.record_id)
    frame = _filter_records(raw.copy(), columns, settings, log)
    frame, smiles = _join_structures(frame, structures, columns, settings, log)
    frame, row_std = standardize_step(log, frame, smiles, settings.n_jobs, settings.progress)
    records = _potencies(frame, smiles[frame.index], row_std, settings, log)
    table = _aggregate(records, settings.p_column, settings.label, settings.disagreement)
    table["active"] = table[settings.p_column] >= settings.active_threshold
    flagged = int(table["disagreement"].sum())
    why = f"{flagged:,} compounds flagged: measurements span more than {settings.disagreement:g}"
    log.aggregated(len(records), len(table), 0, why + " log units")
    return log.finish(table)


@dataclass(frozen=True)
class _Columns:
    """The columns a curation reads, with the defaults that depend on the tables resolved."""

    type: str
    relation: str
    record_id: str | None  # None where the table has no record ids
    raw_smiles: str | None  # the SMILES column of the activity table, if it has one
    structure_smiles: str | None  # else that of the structure table


def _check_input(
    raw: pd.DataFrame, structures: pd.DataFrame | None, settings: CurationSettings
) -> _Columns:
    """Every column and every wanted activity type, checked before any work starts."""
    from drugml.chem import SMILES_COLUMN_CANDIDATES

    id_column, smiles_column = settings.id_column, settings.smiles_column
    type_column = settings.type_column or first_present(raw, TYPE_COLUMNS[:2]) or "standard_type"
    relation_column = settings.relation_column or first_present(raw, RELATION_COLUMNS) or "relation"
    record_id_column = settings.record_id_column
    if record_id_column is not None and record_id_column not in raw.columns:
        record_id_column = None  # optional: only used to name dropped records
    raw_smiles = smiles_column if smiles_column in raw.columns else None
    if raw_smiles is None and smiles_column is None:
        raw_smiles = first_present(raw, SMILES_COLUMN_CANDIDATES)
    require_columns(
        raw,
        {
            "molecule id": id_column,
            "activity type": type_column,
            "relation": relation_column,
            "value": settings.value_column,
            "unit": settings.unit_column,
        },
        "activity table",
    )
    check_activity_types(settings.activity_types, activity_type_counts(raw, type_column))
    struct_smiles = None
    if raw_smiles is None:
        if structures is None:
            raise CurationError(
                "The activity table has no SMILES column; pass structures= (a table with "
                f"{id_column!r} and SMILES) or name the column with smiles_column=."
            )
        struct_smiles = smiles_column or first_present(structures, SMILES_COLUMN_CANDIDATES)
        require_columns(
            structures,
            {"molecule id": id_column, "SMILES": struct_smiles or "smiles"},
            "structure table",
        )
    return _Columns(type_column, relation_column, record_id_column, raw_smiles, struct_smiles)


def _filter_records(
    frame: pd.DataFrame, columns: _Columns, settings: CurationSettings, log: CurationLog
) -> pd.DataFrame:
    """Steps 1-4, record by record: activity type, relation, value present, exact duplicates."""
    import numpy as np
    import pandas as pd

    types, value_column = settings.activity_types, settings.value_column
    kinds = frame[columns.type]
    frame = log.step(
        "activity type",
        frame,
        kinds.isin(types),
        "activity type " + kinds.astype(str) + f" (wanted {', '.join(types)})",
    )
    # The web export quotes relations ('='); a table read without
    # read_chembl_activities would otherwise lose every record here.
    rel = unquote_relations(frame[columns.relation].astype(object))
    rel = rel.where(rel.notna(), "missing")
    frame = log.step(
        "relation",
        frame,
        rel.isin(settings.relations),
        "censored or qualified value (relation " + rel.astype(str) + ")",
    )
    values = pd.to_numeric(frame[value_column], errors="coerce")
    # The detail shows text that is not a number ("180000,0" from a spreadsheet).
    value_text = frame[value_column].map(lambda v: "no value" if pd.isna(v) else f"value {v!r}")
    frame = log.step(
        "value present",
        frame,
        values.notna() & np.isfinite(values),
        pd.Series("no numeric value", index=frame.index),
        value_text,
    )
    duplicated = frame.duplicated(keep="first")
    return log.step(
        "exact duplicates",
        frame,
        ~duplicated,
        pd.Series("exact duplicate of an earlier record", index=frame.index),
    )


def _join_structures(
    frame: pd.DataFrame,
    structures: pd.DataFrame | None,
    columns: _Columns,
    settings: CurationSettings,
    log: CurationLog,
) -> tuple[pd.DataFrame, pd.Series]:
    """Step 5: a SMILES for each record (ChEMBL activity dumps have none: joined on the id)."""
    import pandas as pd

    id_column = settings.id_column
    if columns.raw_smiles is not None:
        smiles_by_row = frame[columns.raw_smiles]
    else:
        lookup = structures.drop_duplicates(id_column).set_index(id_column)
        smiles_by_row = frame[id_column].map(lookup[columns.structure_smiles])
    frame = log.step(
        "structure",
        frame,
        smiles_by_row.notna(),
        pd.Series("no structure for the molecule id", index=frame.index),
        "no SMILES for " + frame[id_column].astype(str),
    )
    return frame, smiles_by_row[frame.index]


def _potencies(
    frame: pd.DataFrame,
    smiles_by_row: pd.Series,
    row_std: pd.DataFrame,
    settings: CurationSettings,
    log: CurationLog,
) -> pd.DataFrame:
    """Steps 7-9: values in nM (mass units through the molar mass of the tested structure),
    positive ones only, then pX; one row per record kept."""
    import numpy as np
    import pandas as pd

    unit_column = settings.unit_column
    molar_mass = molar_masses(smiles_by_row, frame[unit_column])
    converted = [
        convert_to_nm(v, u, m)
        for v, u, m in zip(
            pd.to_numeric(frame[settings.value_column]), frame[unit_column], molar_mass, strict=True
        )
    ]
    nm = pd.Series([c[0] for c in converted], index=frame.index, dtype=float)
    reasons = pd.Series([c[1] or "" for c in converted], index=frame.index)
    frame = log.step("unit conversion", frame, nm.notna(), reasons)
    nm = nm[frame.index]
    frame = log.step(
        "positive value", frame, nm > 0, pd.Series("value is zero or negative", index=frame.index)
    )
    nm, row_std = nm[frame.index], row_std.loc[frame.index]
    return pd.DataFrame(
        {
            "inchikey": row_std["inchikey"].to_numpy(),
            "smiles": row_std["smiles"].to_numpy(),
            "molecule_id": frame[settings.id_column].astype(str).to_numpy(),
            settings.p_column: 9.0 - np.log10(nm.to_numpy()),
        },
        index=frame.index,
    )


def _aggregate(records: pd.DataFrame, p_col: str, label: str, disagreement: float) -> pd.DataFrame:
    """Steps 10-11: one row per InChIKey, median pX and the spread of the replicates;
    ``disagreement`` flags a spread wider than that many log units."""
    import numpy as np

    grouped = records.groupby("inchikey", sort=True)
    table = grouped.agg(
        smiles=("smiles", "first"),
        molecule_id=("molecule_id", "min"),
        molecule_ids=("molecule_id", lambda ids: "; ".join(sorted(set(ids)))),
        **{p_col: (p_col, "median")},
        n_measurements=(p_col, "size"),
        **{
            f"{p_col}_std": (p_col, "std"),
            f"{p_col}_min": (p_col, "min"),
            f"{p_col}_max": (p_col, "max"),
        },
    ).reset_index()
    table.insert(5, f"{label}_nM", np.power(10.0, 9.0 - table[p_col]))
    table["disagreement"] = (table[f"{p_col}_max"] - table[f"{p_col}_min"]) > disagreement
    # Most potent first, as medicinal chemists read such tables.
    return table.sort_values([p_col, "inchikey"], ascending=[False, True]).reset_index(drop=True)
