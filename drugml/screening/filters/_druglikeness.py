"""Every drug-likeness column of many molecules: rows in this process, or a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from drugml.schema import ALERT_CATALOGS
from drugml.screening.filters._alerts import alerts_and_qed
from drugml.screening.filters._catalogs import check_catalogs
from drugml.screening.filters._properties import (
    PROPERTY_COLUMNS,
    leadlike,
    lipinski,
    properties,
    veber,
)
from drugml.screening.filters._sa_score import sa_score

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = ["druglikeness", "druglikeness_rows"]


def _row(mol: Chem.Mol, alerts: dict[str, Any], qed_value: float) -> dict[str, Any]:
    p = properties(mol)
    return {
        **p,
        **lipinski(p),
        **veber(p),
        **leadlike(p),
        **alerts,
        "qed": qed_value,
        "sa_score": sa_score(mol),
    }


def druglikeness_rows(
    molecules: Sequence[Chem.Mol | str], catalogs: Sequence[str] = tuple(ALERT_CATALOGS)
) -> list[dict[str, Any]]:
    """The rows of :func:`druglikeness` as plain dicts, one per molecule, in this process.

    ``molecules``: ``Mol`` objects or SMILES; ``catalogs``: the alert
    catalogues to check (names of :data:`ALERT_CATALOGS`). Each row has
    ``ok`` and ``error``; rows of parsed molecules also have every property,
    rule, alert, ``qed`` and ``sa_score`` column. For code that already holds
    its chunk of molecules (a screen's worker): no table, no worker processes.

    >>> rows = druglikeness_rows(["c1ccccc1O", "C1CC"], catalogs=["pains"])
    >>> rows[0]["ok"], rows[0]["hbd"], rows[0]["pains"], rows[1]
    (True, 1, False, {'ok': False, 'error': "unparsable: unclosed ring for input: 'C1CC'"})
    """
    from drugml.featurize import shared_descriptors

    # Checked here, not per molecule: below, a failure marks the molecule, not the call.
    check_catalogs(catalogs)
    with shared_descriptors():  # properties and QED share the rotatable bonds
        return _druglikeness_rows(molecules, catalogs)


def _druglikeness_rows(
    molecules: Sequence[Chem.Mol | str], catalogs: Sequence[str]
) -> list[dict[str, Any]]:
    from rdkit import Chem, rdBase

    from drugml.chem import parse_smiles

    rows: list[dict[str, Any] | None] = []
    parsed: list[tuple[int, Chem.Mol]] = []
    with rdBase.BlockLogs():
        for item in molecules:
            if isinstance(item, Chem.Mol):
                mol, error = item, None
            else:
                mol, _, error = parse_smiles(item)
            if mol is None:
                rows.append({"ok": False, "error": error})
            else:
                parsed.append((len(rows), mol))
                rows.append(None)
        try:
            screened = alerts_and_qed([mol for _, mol in parsed], catalogs)
        except Exception:  # an odd structure broke the batch: find it one by one below
            screened = [None] * len(parsed)
        for (position, mol), result in zip(parsed, screened, strict=True):
            try:
                alerts, qed_value = result or alerts_and_qed([mol], catalogs)[0]
                rows[position] = {"ok": True, "error": None, **_row(mol, alerts, qed_value)}
            except Exception as exc:  # a descriptor failing on an odd structure
                rows[position] = {"ok": False, "error": f"property calculation failed: {exc}"}
    return rows  # type: ignore[return-value]


def druglikeness(
    molecules: Any,
    *,
    smiles_column: str | None = None,
    n_jobs: int = 1,
    chunk_size: int = 500,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Properties, rules, alerts, QED and SA score for each molecule; one row per input.

    ``molecules``: SMILES strings or ``Mol`` objects (list or Series), or a
    DataFrame whose SMILES column is ``smiles_column`` or found by name. The
    result keeps the input's index and adds ``ok``/``error``: a molecule that
    cannot be parsed gets NaN properties and the reason, never a crash.

    >>> out = druglikeness(["c1ccccc1O", "not a molecule"])
    >>> out.ok.tolist(), out.error.iloc[1].split(":")[0]
    ([True, False], 'unparsable')
    """
    import pandas as pd

    from drugml._util.parallel import flat_map_chunks
    from drugml.chem import SmilesListError, resolve_smiles_column

    if isinstance(molecules, pd.DataFrame):
        column = resolve_smiles_column(list(molecules.columns), smiles_column, "The table")
        items, index = molecules[column].tolist(), molecules.index
    else:
        if isinstance(molecules, str):
            raise SmilesListError(
                "druglikeness takes a list of SMILES, not one string: use [smiles]"
            )
        index = molecules.index if isinstance(molecules, pd.Series) else None
        items = list(molecules)
    rows = flat_map_chunks(
        druglikeness_rows,
        items,
        (),
        n_jobs=n_jobs,
        chunk_size=chunk_size,
        progress=progress,
        desc="druglikeness",
    )
    columns = [
        "ok",
        "error",
        *PROPERTY_COLUMNS,
        "ro5_violations",
        "ro5_pass",
        "veber_pass",
        "leadlike_pass",
    ]
    for name in ALERT_CATALOGS:
        columns += [name, f"{name}_alerts"]
    columns += ["qed", "sa_score"]
    return pd.DataFrame.from_records(rows, columns=columns, index=index)
