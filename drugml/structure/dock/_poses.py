"""Poses after docking: PoseBusters' checks, ProLIF's interactions, RMSD to a reference, and
the pose files of :func:`dock_many` read back."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.structure.dock._deps import ENGINE_CACHE, quiet_logs, require
from drugml.structure.dock._settings import DockingError

if TYPE_CHECKING:
    from rdkit import Chem


def _protein_for_prolif(receptor_pdb_path: str, pdb_text: str | None = None) -> Any:
    """ProLIF's protein of a PDB file with hydrogens, read once per process. With
    ``pdb_text`` the text is read instead and ``receptor_pdb_path`` only names it."""
    from rdkit import Chem

    plf = require("prolif", "Interaction fingerprints")
    key = ("prolif", receptor_pdb_path)
    if key not in ENGINE_CACHE:
        if pdb_text is None:
            mol = Chem.MolFromPDBFile(receptor_pdb_path, removeHs=False)
        else:
            mol = Chem.MolFromPDBBlock(pdb_text, removeHs=False)
        if mol is None:
            raise DockingError(f"RDKit cannot read the prepared receptor {receptor_pdb_path}")
        ENGINE_CACHE[key] = plf.Molecule.from_rdkit(mol)
    return ENGINE_CACHE[key]


def pose_fingerprints(poses: Sequence[Chem.Mol], protein: Any, count: bool = False) -> list[dict]:
    """ProLIF's fingerprint of each pose with a ProLIF protein: ``{(ligand residue, protein
    residue): {interaction: (metadata, ...)}}`` per pose (``count``: every atom combination,
    else the first found). Atom indices under ``parent_indices`` are the pose's own."""
    from rdkit import Chem

    quiet_logs()
    plf = require("prolif", "Interaction fingerprints")
    out = []
    with warnings.catch_warnings():  # MDAnalysis, under ProLIF, warns about its own modules
        warnings.simplefilter("ignore")
        for pose in poses:
            # a clean copy (same atom order): residue info on some atoms only would split the
            # ligand in ProLIF
            clean = Chem.MolFromMolBlock(Chem.MolToMolBlock(pose), removeHs=False)
            fingerprint = plf.Fingerprint(count=count)
            # n_jobs=1: ProLIF's default starts a process pool per call (one per pose here),
            # slower for one ligand and a pool inside each docking worker
            fingerprint.run_from_iterable(
                [plf.Molecule.from_rdkit(clean)], protein, progress=False, n_jobs=1
            )
            out.append(fingerprint.ifp[0])
    return out


def pose_interactions(poses: Sequence[Chem.Mol], receptor_pdb: str | Path) -> list[list[str]]:
    """ProLIF interactions of each pose with the receptor, as ``"RESIDUE.CHAIN:Interaction"``.

    ``receptor_pdb``: the prepared receptor with hydrogens (``receptor.pdb``).
    """
    quiet_logs()
    with warnings.catch_warnings():  # MDAnalysis, under ProLIF, warns about its own modules
        warnings.simplefilter("ignore")
        protein = _protein_for_prolif(str(receptor_pdb))
    return [interaction_labels(ifp) for ifp in pose_fingerprints(poses, protein)]


def interaction_labels(ifp: dict) -> list[str]:
    """One pose's ProLIF fingerprint as sorted ``"RESIDUE.CHAIN:Interaction"`` labels."""
    found = []
    for (_, residue), interactions in ifp.items():
        found += [f"{residue}:{name}" for name in interactions]
    return sorted(found, key=_residue_order)


def _residue_order(item: str) -> tuple[int, str]:
    residue = item.split(".")[0]
    digits = "".join(ch for ch in residue if ch.isdigit())
    return (int(digits) if digits else 0, item)


def check_poses(poses: Sequence[Chem.Mol], receptor_pdb: str | Path) -> list[list[str]]:
    """PoseBusters' docking checks of each pose: the names of the failed checks ([] = ok).

    The checks catch broken chemistry and clashes (bond lengths, planarity,
    internal clashes, overlap with the protein), not a wrong binding mode:
    a reversed pose with sound chemistry passes.
    """
    quiet_logs()
    posebusters = require("posebusters", "Pose checks")
    if not poses:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = posebusters.PoseBusters(config="dock").bust(list(poses), None, str(receptor_pdb))
    failed = []
    for _, row in table.iterrows():
        failed.append(
            [
                str(name)
                for name, value in row.items()
                if isinstance(value, (bool, np.bool_)) and not value
            ]
        )
    return failed


def pose_rmsd(pose: Chem.Mol, reference: Chem.Mol) -> float:
    """Symmetry-aware heavy-atom RMSD (Å) between a pose and a reference, in place (no
    alignment): the redocking measure. Atoms are matched by graph symmetry (RDKit
    ``CalcRMS``), so a flipped phenyl ring costs nothing."""
    from rdkit import Chem
    from rdkit.Chem import rdMolAlign

    probe, ref = Chem.RemoveAllHs(pose), Chem.RemoveAllHs(reference)
    try:
        return float(rdMolAlign.CalcRMS(probe, ref))
    except RuntimeError:
        # the pose's protonation (pH 7.4) may differ from the crystal ligand's bond orders:
        # match the two by connectivity alone
        return float(rdMolAlign.CalcRMS(_skeleton(probe), _skeleton(ref)))


def _skeleton(mol: Chem.Mol) -> Chem.Mol:
    """Single bonds, no charges, no aromaticity: matching by connectivity only."""
    from rdkit import Chem

    rw = Chem.RWMol(mol)
    for atom in rw.GetAtoms():
        atom.SetFormalCharge(0)
        atom.SetIsAromatic(False)
        atom.SetNoImplicit(True)
        atom.SetNumExplicitHs(0)
    for bond in rw.GetBonds():
        bond.SetBondType(Chem.BondType.SINGLE)
        bond.SetIsAromatic(False)
    out = rw.GetMol()
    out.UpdatePropertyCache(strict=False)
    return out


def read_poses(pose_file: str | Path) -> list[Chem.Mol]:
    """The poses of one docked molecule (an SDF written by :func:`dock_many`), best first."""
    from rdkit import Chem

    return [m for m in Chem.SDMolSupplier(str(pose_file), removeHs=False) if m is not None]
