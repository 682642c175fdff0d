"""A plain table (SMILES and a value or a label) into one row per structure.

:func:`curate_table` is the plain-table counterpart of
:func:`~drugml.chem.curate.curate_bioactivities`, with the same log.

Example
-------
>>> import pandas as pd
>>> _labels(pd.Series(["yes", "no", "Yes"]), "yes", "active").tolist()
[1, 0, 1]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drugml._util.settings import with_options
from drugml.chem.curate._chembl import require_columns
from drugml.chem.curate._log import (
    CurationError,
    CurationLog,
    CurationOptionError,
    CurationResult,
    standardize_step,
)
from drugml.chem.curate._settings import TableCurationSettings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["curate_table"]


def curate_table(
    table: pd.DataFrame, settings: TableCurationSettings | None = None, **options: Any
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
    The options are those of :class:`TableCurationSettings`, given as
    keywords or as ``settings=`` (a keyword replaces the value of ``settings``).

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"smiles": ["CCO", "OCC", "c1ccccc1O", "CCN", "xyz"],
    ...                      "y": [1, 0, 1, 0, 1]})
    >>> table, log = curate_table(rows, label_column="y")
    >>> table[["smiles", "label", "n_records"]].values.tolist()
    [['Oc1ccccc1', 1, 1], ['CCN', 0, 1]]
    >>> log["n_dropped"].tolist()
    [0, 0, 0, 1, 2]
    """
    import pandas as pd

    settings = with_options(
        TableCurationSettings, settings, options, "curate_table", CurationOptionError
    )
    id_column = settings.id_column
    columns = {
        "SMILES": settings.smiles_column,
        "value": settings.target_column,
        "label": settings.label_column,
        "molecule id": id_column,
    }
    require_columns(table, columns, "table")
    frame = table.reset_index(drop=True)
    ids = (
        frame[id_column].astype(str)
        if id_column
        else pd.Series([f"row {i}" for i in range(len(frame))], index=frame.index)
    )
    frame = frame.assign(_molecule_id=ids)
    log = CurationLog(len(frame), "_molecule_id")
    frame = _values(frame, settings, log)
    frame, row_std = _standardized(frame, settings, log)
    grouped = _merge_per_structure(_records(frame, row_std), log)
    return log.finish(grouped)


def _values(frame: pd.DataFrame, settings: TableCurationSettings, log: CurationLog) -> pd.DataFrame:
    """Step 1, **value present**: the rows with a number (and its label) or a label."""
    import numpy as np
    import pandas as pd

    target_column, label_column = settings.target_column, settings.label_column
    if target_column is not None:
        values = pd.to_numeric(frame[target_column], errors="coerce")
        present = values.notna() & np.isfinite(values.astype(float))
        detail = "not a number: " + frame[target_column].astype(str)
        no_value = pd.Series("no numeric value", index=frame.index)
        frame = log.step("value present", frame, present, no_value, detail)
        frame = frame.assign(value=values[frame.index].astype(float))
        if settings.active_threshold is not None:
            frame = frame.assign(label=(frame["value"] >= settings.active_threshold).astype(int))
        return frame
    raw = frame[label_column]
    frame = log.step("value present", frame, raw.notna(), pd.Series("no label", index=frame.index))
    return frame.assign(label=_labels(frame[label_column], settings.positive_label, label_column))


def _standardized(
    frame: pd.DataFrame, settings: TableCurationSettings, log: CurationLog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step 2: the rows with a SMILES, standardized (each distinct one once)."""
    import pandas as pd

    smiles = frame[settings.smiles_column]
    has_smiles = smiles.notna() & (smiles.astype(str).str.strip() != "")
    frame = log.step("structure", frame, has_smiles, pd.Series("no SMILES", index=frame.index))
    text = frame[settings.smiles_column].astype(str).str.strip()
    return standardize_step(log, frame, text, settings.n_jobs, settings.progress)


def _records(frame: pd.DataFrame, row_std: pd.DataFrame) -> pd.DataFrame:
    """One row per record kept: its structure, its id, its value and/or label."""
    import pandas as pd

    records = pd.DataFrame(
        {
            "inchikey": row_std["inchikey"].to_numpy(),
            "smiles": row_std["smiles"].to_numpy(),
            "molecule_id": frame["_molecule_id"].to_numpy(),
        },
        index=frame.index,
    )
    for column in ("value", "label"):
        if column in frame:
            records[column] = frame[column].to_numpy()
    return records


def _merge_per_structure(records: pd.DataFrame, log: CurationLog) -> pd.DataFrame:
    """Step 3, **aggregate** per InChIKey: median value, majority label (a tie is dropped)."""
    import pandas as pd

    aggregations: dict[str, Any] = {
        "smiles": ("smiles", "first"),
        "molecule_id": ("molecule_id", "first"),
        "n_records": ("smiles", "size"),
    }
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
            log.rejected.append(
                pd.DataFrame(
                    {
                        "raw_index": lost.index,
                        "record_id": None,
                        "molecule_id": lost["molecule_id"].to_numpy(),
                        "step": "aggregate per compound",
                        "reason": "conflicting labels for one structure",
                        "detail": "as many positive as negative records for " + lost["inchikey"],
                    }
                )
            )
        grouped = grouped[~conflicting].drop(columns="positive_fraction").reset_index(drop=True)
    dropped = int(
        records["inchikey"].isin(set(records["inchikey"]) - set(grouped["inchikey"])).sum()
    )
    n_conflicting = int(conflicting.sum())
    why = f"{n_conflicting:,} structures with conflicting labels dropped" if n_conflicting else ""
    log.aggregated(len(records), len(grouped), dropped, why)
    return grouped


def _labels(values: pd.Series, positive: Any, column: str) -> pd.Series:
    """0/1 labels: 1 where the value is ``positive`` (default: 1 or True)."""
    text = values.astype(str).str.strip().str.lower()
    if positive is None:
        known = {"1", "1.0", "true", "0", "0.0", "false"}
        unknown = sorted(set(text) - known)
        if unknown:
            raise CurationError(
                f"label column {column!r} has the values {sorted(set(text))}; "
                "say which one is positive (positive_label=...)"
            )
        return text.isin({"1", "1.0", "true"}).astype(int)
    return (text == str(positive).strip().lower()).astype(int)
