"""Structural alerts and QED of molecules: through the alert screen, or RDKit's own path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from drugml.schema import ALERT_CATALOGS
from drugml.screening.filters._catalogs import (
    alerts_from_names,
    catalog_alerts,
    check_catalogs,
    filter_catalog,
)
from drugml.screening.filters._properties import (
    default_rotatable_is_strict,
    rotatable_bond_count,
)
from drugml.screening.filters._query_screen import alert_screen

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = ["alert_matches", "alerts_and_qed", "qed", "structural_alerts"]


def _qed_from_alert_count(mol: Chem.Mol, alerts: int) -> float:
    """``QED.qed(mol)`` with the structural-alert count already known.

    The other seven properties are computed exactly as ``QED.properties``
    does; only valid for a molecule without explicit hydrogens (QED removes
    them first, and the alert count was found on ``mol`` itself).
    """
    from rdkit import Chem
    from rdkit.Chem import QED, Crippen, MolSurf
    from rdkit.Chem import rdMolDescriptors as rdmd

    properties = QED.QEDproperties(
        MW=rdmd._CalcMolWt(mol),
        ALOGP=Crippen.MolLogP(mol),
        HBA=sum(
            len(mol.GetSubstructMatches(pattern))
            for pattern in QED.Acceptors
            if mol.HasSubstructMatch(pattern)
        ),
        HBD=rdmd.CalcNumHBD(mol),
        PSA=MolSurf.TPSA(mol),
        ROTB=rotatable_bond_count(mol)
        if default_rotatable_is_strict()
        else rdmd.CalcNumRotatableBonds(mol, rdmd.NumRotatableBondsOptions.Strict),
        AROM=len(Chem.GetSSSR(Chem.DeleteSubstructs(Chem.Mol(mol), QED.AliphaticRings))),
        ALERTS=alerts,
    )
    return float(QED.qed(mol, qedProperties=properties))


def alerts_and_qed(
    mols: Sequence[Chem.Mol], catalogs: Sequence[str] = tuple(ALERT_CATALOGS), with_qed: bool = True
) -> list[tuple[dict[str, Any], float | None]]:
    """Alerts (and QED) for many molecules at once, through the query screen."""
    check_catalogs(catalogs)
    screen = alert_screen(tuple(catalogs))
    if screen is None:  # this RDKit's catalogue could not be read: the plain path
        return [(catalog_alerts(m, catalogs), qed(m) if with_qed else None) for m in mols]
    query_screen, labels, n_catalog = screen
    out = []
    for mol, hits in zip(mols, query_screen.matches(mols), strict=True):
        found: dict[str, set[str]] = {}
        qed_alerts = 0
        for k in hits:
            if k < n_catalog:
                found.setdefault(labels[k][0], set()).add(labels[k][1])
            else:
                qed_alerts += 1
        value = None
        if with_qed:
            explicit_h = mol.GetNumAtoms() != mol.GetNumHeavyAtoms()
            value = qed(mol) if explicit_h else _qed_from_alert_count(mol, qed_alerts)
        out.append((alerts_from_names(found, catalogs), value))
    return out


def structural_alerts(
    mol: Chem.Mol, catalogs: Sequence[str] = tuple(ALERT_CATALOGS)
) -> dict[str, Any]:
    """Match PAINS, Brenk and NIH alerts; return a flag and the alert names per catalogue.

    >>> from rdkit import Chem
    >>> hits = structural_alerts(Chem.MolFromSmiles("S=C1SC(=Cc2ccccc2)C(=O)N1"))
    >>> hits["pains"], hits["pains_alerts"], hits["nih_alerts"]
    (True, 'ene_rhod_A(235)', 'rhodanine')
    """
    return alerts_and_qed([mol], catalogs, with_qed=False)[0][0]


def alert_matches(mol: Chem.Mol, catalog: str = "pains") -> list[tuple[str, tuple[int, ...]]]:
    """Atoms matched by each alert of a catalogue, for drawing: ``[(name, atom_ids), ...]``.

    >>> from rdkit import Chem
    >>> alert_matches(Chem.MolFromSmiles("S=C1SC(=Cc2ccccc2)C(=O)N1"), "pains")
    [('ene_rhod_A(235)', (0, 1, 2, 3, 4, 11, 12, 13))]
    """
    check_catalogs([catalog])
    matches = []
    for entry in filter_catalog(catalog).GetMatches(mol):
        atoms: set[int] = set()
        for filter_match in entry.GetFilterMatches(mol):
            atoms.update(pair[1] for pair in filter_match.atomPairs)
        matches.append((entry.GetDescription(), tuple(sorted(atoms))))
    return matches


def qed(mol: Chem.Mol) -> float:
    """Quantitative estimate of drug-likeness (0 .. 1), RDKit's ``QED.qed``.

    >>> from rdkit import Chem
    >>> round(qed(Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")), 3)
    0.55
    """
    from rdkit.Chem import QED

    return float(QED.qed(mol))
