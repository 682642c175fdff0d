"""Concentration units: the ones a curation converts to nM, and how.

Molar units convert by their factor; mass concentrations (ug/mL, ng/mL,
mg/L ...) through the molar mass of the tested structure (salt included,
since that is what was weighed); any other unit is dropped with its reason.

Example
-------
>>> convert_to_nm(1.0, "µM")
(1000.0, None)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MASS_UNITS_G_PER_L", "MOLAR_UNITS_NM", "convert_to_nm", "molar_masses", "unit_key"]

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


def unit_key(unit: Any) -> str | None:
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
    key = unit_key(unit)
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


def molar_masses(smiles: pd.Series, units: pd.Series) -> list[float | None]:
    """Average molar mass of each row's input structure, only where a mass unit needs it."""
    from rdkit.Chem import Descriptors

    from drugml.chem import to_mol

    cache: dict[str, float | None] = {}
    masses: list[float | None] = []
    for smi, unit in zip(smiles, units, strict=True):
        if unit_key(unit) not in MASS_UNITS_G_PER_L:
            masses.append(None)
            continue
        if smi not in cache:
            mol = to_mol(smi)
            cache[smi] = Descriptors.MolWt(mol) if mol is not None else None
        masses.append(cache[smi])
    return masses
