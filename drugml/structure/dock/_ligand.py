"""Ligand preparation (SMILES to a protonated, embedded, Meeko-typed molecule) and warheads."""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from drugml.structure.dock._deps import require
from drugml.structure.dock._settings import WARHEADS, DockingSettings, LigandPreparationError

if TYPE_CHECKING:
    from rdkit import Chem

#: Elements Vina's scoring types (AutoDock 4 types used by Meeko).
_DOCKABLE_ELEMENTS = frozenset({"H", "C", "N", "O", "F", "P", "S", "Cl", "Br", "I", "Si", "B"})
#: Counter ions of salts: the largest fragment is docked without them.
_COUNTER_IONS = frozenset({"Li", "Na", "K", "Mg", "Ca"})


def prepare_ligand(
    molecule: str | Chem.Mol,
    ph: float | None = DockingSettings.ph,
    seed: int = DockingSettings.seed,
) -> tuple[Chem.Mol, str]:
    """``(mol, pdbqt)``: a 3D molecule with hydrogens, protonated at ``ph``, and its PDBQT.

    ``ph=None`` keeps the input's protonation. Salts: the largest fragment is
    docked. Raises :class:`LigandPreparationError` with a status of
    :data:`DOCKING_STATUSES`.

    >>> mol, pdbqt = prepare_ligand("CN1CCN(CC1)c1ccccc1C(=O)O")
    >>> from rdkit import Chem
    >>> Chem.MolToSmiles(Chem.RemoveHs(mol))  # zwitterion at pH 7.4
    'C[NH+]1CCN(c2ccccc2C(=O)[O-])CC1'
    """
    from rdkit import Chem
    from rdkit.Chem.MolStandardize import rdMolStandardize

    require("meeko", "Ligand preparation")
    mol = _parse(molecule)
    if len(Chem.GetMolFrags(mol)) > 1:
        mol = rdMolStandardize.LargestFragmentChooser().choose(mol)
    if ph is not None:
        mol = _protonate(mol, ph)
    for atom in mol.GetAtoms():
        if atom.GetNumRadicalElectrons():
            raise LigandPreparationError(
                "untypeable", f"atom {atom.GetSymbol()}{atom.GetIdx()} is a radical"
            )
    with_h = _embed(Chem.AddHs(mol), seed)
    return with_h, _ligand_pdbqt(with_h)


def _parse(molecule: str | Chem.Mol) -> Chem.Mol:
    """The molecule (a copy), refused when it does not parse or holds a metal."""
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(molecule) if isinstance(molecule, str) else Chem.Mol(molecule)
    if mol is None or mol.GetNumAtoms() == 0:
        raise LigandPreparationError("unparsable", f"SMILES {molecule!r} does not parse")
    metals = sorted({a.GetSymbol() for a in mol.GetAtoms()} - _DOCKABLE_ELEMENTS - _COUNTER_IONS)
    if metals:
        # Vina has no atom type for a metal, and dropping it would dock another molecule
        raise LigandPreparationError("untypeable", f"Vina has no atom type for {metals}")
    return mol


def _embed(with_h: Chem.Mol, seed: int) -> Chem.Mol:
    """One ETKDG conformer (random coordinates as the fallback), MMFF-optimized when MMFF
    knows every atom; ``with_h`` is changed in place and returned."""
    from rdkit import rdBase
    from rdkit.Chem import AllChem

    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    with rdBase.BlockLogs():
        status = AllChem.EmbedMolecule(with_h, params)
        if status < 0:
            params.useRandomCoords = True
            status = AllChem.EmbedMolecule(with_h, params)
        if status < 0:
            raise LigandPreparationError(
                "embedding_failed",
                "ETKDG found no 3D conformer (strained or impossible stereochemistry?)",
            )
        if AllChem.MMFFHasAllMoleculeParams(with_h):
            AllChem.MMFFOptimizeMolecule(with_h, maxIters=500)
    return with_h


def _protonate(mol: Chem.Mol, ph: float) -> Chem.Mol:
    from rdkit import Chem

    dimorphite = require("dimorphite_dl", "Protonation at a pH")
    logging.getLogger("dimorphite_dl").setLevel(logging.ERROR)
    with contextlib.suppress(AttributeError):  # Dimorphite logs through loguru
        dimorphite.logger.disable("dimorphite_dl")
    smiles = Chem.MolToSmiles(mol)
    try:
        variants = dimorphite.protonate_smiles(smiles, ph_min=ph, ph_max=ph, max_variants=1)
    except Exception:  # Dimorphite fails on some unusual input; keep it as given
        return mol
    protonated = Chem.MolFromSmiles(variants[0]) if variants else None
    return protonated if protonated is not None else mol


def _ligand_pdbqt(mol: Chem.Mol) -> str:
    from meeko import MoleculePreparation, PDBQTWriterLegacy

    odd = sorted({a.GetSymbol() for a in mol.GetAtoms()} - _DOCKABLE_ELEMENTS)
    if odd:
        raise LigandPreparationError("untypeable", f"Vina has no atom type for {odd}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            setups = MoleculePreparation().prepare(mol)
            text, ok, error = PDBQTWriterLegacy.write_string(setups[0])
    except Exception as exc:
        raise LigandPreparationError("untypeable", f"Meeko: {exc}") from None
    if not ok:
        raise LigandPreparationError("untypeable", f"Meeko: {error.strip()}")
    return text


def warhead_atoms(mol: Chem.Mol) -> list[int]:
    """Atoms of ``mol`` a cysteine or serine can bond (:data:`WARHEADS`), in atom order.

    >>> from rdkit import Chem
    >>> warhead_atoms(Chem.MolFromSmiles("C=CC(=O)Nc1ccccc1"))
    [0]
    >>> warhead_atoms(Chem.MolFromSmiles("CCC(=O)Nc1ccccc1"))  # the reacted form: none
    []
    """
    found: set[int] = set()
    for smarts in WARHEADS.values():
        found.update(match[0] for match in mol.GetSubstructMatches(_smarts(smarts)))
    return sorted(found)


@functools.cache
def _smarts(smarts: str) -> Chem.Mol:
    from rdkit import Chem

    return Chem.MolFromSmarts(smarts)


def warhead_distances(poses: Sequence[Chem.Mol], position: Sequence[float]) -> list[float]:
    """Per pose, the distance (Å) from its nearest warhead atom to ``position`` (NaN: the
    molecule has no warhead)."""
    out = []
    target = np.asarray(position, dtype=float)
    for pose in poses:
        atoms = warhead_atoms(pose)
        if not atoms:
            out.append(math.nan)
            continue
        coords = pose.GetConformer().GetPositions()[atoms]
        out.append(float(np.linalg.norm(coords - target, axis=1).min()))
    return out
