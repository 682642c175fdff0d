"""Physchem properties and the rules of thumb (Lipinski, Veber, lead-likeness), per molecule.

Example
-------
>>> from rdkit import Chem
>>> props = properties(Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O"))
>>> lipinski(props), veber(props)["veber_pass"]
({'ro5_violations': 0, 'ro5_pass': True}, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = [
    "PROPERTY_COLUMNS",
    "default_rotatable_is_strict",
    "leadlike",
    "lipinski",
    "properties",
    "property_rows",
    "rotatable_bond_count",
    "veber",
]

PROPERTY_COLUMNS = (
    "mw",
    "clogp",
    "hbd",
    "hba",
    "tpsa",
    "rotatable_bonds",
    "aromatic_rings",
    "heavy_atoms",
    "formal_charge",
)


def properties(mol: Chem.Mol) -> dict[str, float]:
    """Physchem properties of one molecule (see the table of :mod:`drugml.screening.filters`).

    >>> from rdkit import Chem
    >>> properties(Chem.MolFromSmiles("c1ccccc1O"))["hbd"]
    1
    """
    from rdkit import Chem
    from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

    return {
        "mw": Descriptors.MolWt(mol),
        "clogp": Crippen.MolLogP(mol),
        "hbd": rdMolDescriptors.CalcNumLipinskiHBD(mol),
        "hba": rdMolDescriptors.CalcNumLipinskiHBA(mol),
        "tpsa": rdMolDescriptors.CalcTPSA(mol),
        "rotatable_bonds": rotatable_bond_count(mol),
        "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(mol),
        "heavy_atoms": mol.GetNumHeavyAtoms(),
        "formal_charge": Chem.GetFormalCharge(mol),
    }


def rotatable_bond_count(mol: Chem.Mol) -> int:
    """``CalcNumRotatableBonds`` (RDKit's default definition), computed once per molecule in
    a :func:`drugml.featurize.shared_descriptors` block (the models' descriptors need it too)."""
    from rdkit.Chem import Descriptors

    from drugml.featurize import shared_descriptor

    return shared_descriptor(mol, "NumRotatableBonds", Descriptors.NumRotatableBonds)


@cache
def default_rotatable_is_strict() -> bool:
    """Whether RDKit's default rotatable-bond definition is the strict one QED uses (true
    since 2015): then QED reuses the value. Checked on molecules where the definitions differ."""
    from rdkit import Chem
    from rdkit.Chem import rdMolDescriptors as rdmd

    probes = [Chem.MolFromSmiles(s) for s in ("CC(=O)NC", "CC#CC", "C1CC1C1CC1", "CC(C)(C)C")]
    return all(
        rdmd.CalcNumRotatableBonds(m)
        == rdmd.CalcNumRotatableBonds(m, rdmd.NumRotatableBondsOptions.Strict)
        for m in probes
    )


def _props(mol_or_props: Any) -> dict[str, float]:
    return mol_or_props if isinstance(mol_or_props, dict) else properties(mol_or_props)


def lipinski(mol: Chem.Mol | dict) -> dict[str, Any]:
    """Lipinski's rule of five: violation count and pass (at most one violation).

    >>> from rdkit import Chem
    >>> lipinski(Chem.MolFromSmiles("CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"))
    {'ro5_violations': 2, 'ro5_pass': False}
    """
    p = _props(mol)
    violations = int(p["mw"] > 500) + int(p["clogp"] > 5) + int(p["hbd"] > 5) + int(p["hba"] > 10)
    return {"ro5_violations": violations, "ro5_pass": violations <= 1}


def veber(mol: Chem.Mol | dict) -> dict[str, bool]:
    """Veber's oral-bioavailability rule: <= 10 rotatable bonds and TPSA <= 140.

    >>> from rdkit import Chem
    >>> veber(Chem.MolFromSmiles("CCO"))
    {'veber_pass': True}
    """
    p = _props(mol)
    return {"veber_pass": p["rotatable_bonds"] <= 10 and p["tpsa"] <= 140}


def leadlike(mol: Chem.Mol | dict) -> dict[str, bool]:
    """Lead-likeness (Teague/Oprea, ZINC): 250 <= MW <= 350, cLogP <= 3.5, <= 7 rotatable bonds.

    >>> from rdkit import Chem
    >>> leadlike(Chem.MolFromSmiles("CCO"))
    {'leadlike_pass': False}
    """
    p = _props(mol)
    ok = 250 <= p["mw"] <= 350 and p["clogp"] <= 3.5 and p["rotatable_bonds"] <= 7
    return {"leadlike_pass": ok}


def property_rows(mols: Sequence[Chem.Mol]) -> list[dict[str, Any]]:
    """The cheap part of :func:`druglikeness_rows`: properties and rules, no alerts, QED or SA.

    One row per parsed molecule, with ``ok`` and ``error`` as there, and the
    same values (a screen's short-list profile computes these for every
    molecule and the rest only for molecules that can reach the short list).

    >>> from rdkit import Chem
    >>> row = property_rows([Chem.MolFromSmiles("c1ccccc1O")])[0]
    >>> row["hbd"], row["ro5_pass"], "qed" in row
    (1, True, False)
    """
    from rdkit import rdBase

    rows: list[dict[str, Any]] = []
    with rdBase.BlockLogs():
        for mol in mols:
            try:
                p = properties(mol)
                rows.append(
                    {"ok": True, "error": None, **p, **lipinski(p), **veber(p), **leadlike(p)}
                )
            except Exception as exc:  # as druglikeness_rows: the molecule fails, not the call
                rows.append({"ok": False, "error": f"property calculation failed: {exc}"})
    return rows
