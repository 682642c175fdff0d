"""The search box: around a reference ligand or pocket residues, checked against the receptor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from drugml.structure.dock._settings import DockingError

if TYPE_CHECKING:
    from drugml.structure import Structure

#: Default box: the ligand's (or residues') extent plus this margin (Å) on each side ...
BOX_MARGIN = 5.0
#: ... and at least this size (Å) per axis, room for larger candidates than the reference.
BOX_MIN_SIZE = 22.0


@dataclass(frozen=True)
class Box:
    """The search box: ``center`` and ``size`` (Å, per axis)."""

    center: tuple[float, float, float]
    size: tuple[float, float, float]

    def as_dict(self) -> dict[str, list[float]]:
        return {
            "center": [round(x, 3) for x in self.center],
            "size": [round(x, 3) for x in self.size],
        }

    def contains(self, coords: np.ndarray) -> np.ndarray:
        """Which of the points (n x 3) are inside the box."""
        half = np.asarray(self.size) / 2
        return (np.abs(np.asarray(coords) - np.asarray(self.center)) <= half).all(axis=1)


def _box_around(coords: np.ndarray, margin: float, min_size: float) -> Box:
    coords = np.asarray(coords, dtype=float)
    low, high = coords.min(axis=0), coords.max(axis=0)
    center = (low + high) / 2
    size = np.maximum(high - low + 2 * margin, min_size)
    return Box(tuple(float(x) for x in center), tuple(float(x) for x in size))


def box_from_ligand(
    structure: Structure | str | Path,
    ligand: str,
    margin: float = BOX_MARGIN,
    min_size: float = BOX_MIN_SIZE,
) -> Box:
    """A box around a ligand of a structure: its extent plus ``margin`` on each side, at
    least ``min_size`` Å per axis (room for larger candidates than the reference).

    >>> box_from_ligand("egfr_5ug9", "8AM").size
    (22.0, 22.0, 22.0)
    """
    from drugml.structure import StructureError, load_structure

    try:
        if not hasattr(structure, "model"):
            structure = load_structure(structure)
        pdb = structure.ligand_pdb(ligand)
    except StructureError as exc:
        raise DockingError(str(exc)) from None
    coords = [
        (float(line[30:38]), float(line[38:46]), float(line[46:54]))
        for line in pdb.splitlines()
        if line.startswith(("ATOM", "HETATM"))
    ]
    return _box_around(np.array(coords), margin, min_size)


def box_from_residues(
    structure: Structure | str | Path,
    residues: Iterable[int | str],
    margin: float = BOX_MARGIN,
    min_size: float = BOX_MIN_SIZE,
) -> Box:
    """A box around residues (numbers, or ``"A:769"``), e.g. a pocket with no ligand bound.

    >>> box_from_residues("egfr_1m17", [719, 769, 831]).size[0] >= 22
    True
    """
    from drugml.structure import load_structure

    if not hasattr(structure, "model"):
        structure = load_structure(structure)
    wanted = set()
    for item in residues:
        chain, _, number = str(item).rpartition(":")
        wanted.add((chain or None, int(number)))
    coords = [
        atom.coord
        for chain in structure.model
        for residue in chain
        for atom in residue.get_atoms()
        if any(n == residue.id[1] and c in (None, chain.id) for c, n in wanted)
        and residue.id[0] == " "
    ]
    if not coords:
        raise DockingError(
            f"None of the residues {sorted(n for _, n in wanted)} is in {structure.name}"
        )
    return _box_around(np.array(coords), margin, min_size)
