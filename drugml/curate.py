"""From raw bioactivity records (a ChEMBL-style export) to a per-compound modelling table.

:func:`curate_bioactivities` runs these steps and logs, for each, how many
records it kept and how many it dropped and why. Nothing disappears silently:
``raw rows = dropped at every step + records kept``, and every dropped record
is listed with its step and reason in ``result.rejected``.

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
>>> from drugml.curate import curate_bioactivities
>>> table, log = curate_bioactivities(  # doctest: +SKIP
...     data.load("egfr_bioactivities_raw"), structures=data.load("egfr_compounds"))
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MASS_UNITS_G_PER_L",
    "MOLAR_UNITS_NM",
    "CurationResult",
    "convert_to_nm",
    "curate_bioactivities",
    "curation_summary",
]

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


def _require(frame: pd.DataFrame, columns: dict[str, str | None], what: str) -> None:
    from drugml.chem import ColumnNotFoundError

    missing = {role: name for role, name in columns.items() if name and name not in frame.columns}
    if missing:
        wanted = ", ".join(f"{name!r} ({role})" for role, name in missing.items())
        raise ColumnNotFoundError(
            f"The {what} lacks the column(s) {wanted}; its columns are: "
            + ", ".join(repr(c) for c in frame.columns)
            + ". Name the right ones with the matching *_column= arguments."
        )


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

    ``raw`` is a ChEMBL-style activity table. SMILES come from ``raw`` itself
    (``smiles_column`` or a column named like ``smiles``) or from
    ``structures``, a table with ``id_column`` and a SMILES column. The type
    and relation columns default to ChEMBL's ``standard_type``/``standard_relation``
    when present, else ``type``/``relation``. All columns are checked before
    any work starts.

    The table has one row per InChIKey: ``inchikey``, ``smiles``
    (standardized), ``molecule_id`` (first id), ``molecule_ids`` (all ids),
    ``p{type}`` (median; e.g. ``pIC50``), ``{type}_nM``, ``n_measurements``,
    ``p{type}_std``, ``p{type}_min``, ``p{type}_max``, ``disagreement``
    (bool) and ``active`` (bool). The log has one row per step with
    ``n_in``, ``n_out``, ``n_dropped``, ``n_merged`` and the ``reasons``.
    """
    import numpy as np
    import pandas as pd

    from drugml.chem import SMILES_COLUMN_CANDIDATES, standardize

    types = [activity_type] if isinstance(activity_type, str) else list(activity_type)
    relations = [relation] if isinstance(relation, str) else list(relation)
    type_column = type_column or _first_present(raw, ("standard_type", "type")) or "standard_type"
    relation_column = (
        relation_column or _first_present(raw, ("standard_relation", "relation")) or "relation"
    )
    if record_id_column is not None and record_id_column not in raw.columns:
        record_id_column = None  # optional: only used to name dropped records
    raw_smiles = smiles_column if smiles_column in raw.columns else None
    if raw_smiles is None and smiles_column is None:
        raw_smiles = _first_present(raw, SMILES_COLUMN_CANDIDATES)
    _require(raw, {"molecule id": id_column, "activity type": type_column,
                   "relation": relation_column, "value": value_column,
                   "unit": unit_column}, "activity table")  # fmt: skip
    if raw_smiles is None:
        if structures is None:
            raise ValueError(
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
    rel = frame[relation_column].astype(object).where(frame[relation_column].notna(), "missing")
    frame = step(
        "relation",
        rel.isin(relations),
        "censored or qualified value (relation " + rel.astype(str) + ")",
    )
    values = pd.to_numeric(frame[value_column], errors="coerce")
    frame = step(
        "value present",
        values.notna() & np.isfinite(values),
        pd.Series("no numeric value", index=frame.index),
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
    return CurationResult(table, pd.DataFrame(log.rows), rejected)


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
