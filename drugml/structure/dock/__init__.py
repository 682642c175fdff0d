"""Docking: receptor, box, ligand preparation, Vina runs, poses and their checks.

Example
-------
>>> from drugml.structure.dock import DockingSettings
>>> DockingSettings().exhaustiveness
8
"""

from __future__ import annotations

from drugml.structure.dock._dock import (
    COVALENT_RESIDUES,
    DOCKING_STATUSES,
    MANIFEST,
    POSE_SELECTIONS,
    SCORING_FUNCTIONS,
    WARHEADS,
    Box,
    DockingError,
    DockingResult,
    DockingSettings,
    KeyInteraction,
    LigandPreparationError,
    Receptor,
    ReceptorError,
    box_from_ligand,
    box_from_residues,
    bridging_waters,
    check_box,
    check_poses,
    covalent_attachments,
    dock,
    dock_many,
    pose_interactions,
    pose_rmsd,
    prepare_ligand,
    prepare_receptor,
    reactive_residue,
    read_poses,
    receptor_files,
    warhead_atoms,
    warhead_distances,
)

__all__ = [
    "COVALENT_RESIDUES",
    "DOCKING_STATUSES",
    "MANIFEST",
    "POSE_SELECTIONS",
    "SCORING_FUNCTIONS",
    "WARHEADS",
    "Box",
    "DockingError",
    "DockingResult",
    "DockingSettings",
    "KeyInteraction",
    "LigandPreparationError",
    "Receptor",
    "ReceptorError",
    "box_from_ligand",
    "box_from_residues",
    "bridging_waters",
    "check_box",
    "check_poses",
    "covalent_attachments",
    "dock",
    "dock_many",
    "pose_interactions",
    "pose_rmsd",
    "prepare_ligand",
    "prepare_receptor",
    "reactive_residue",
    "read_poses",
    "receptor_files",
    "warhead_atoms",
    "warhead_distances",
]
