"""Covalent docking's receptor side: the residue a reference ligand is bonded to, and that
residue's reactive atom removed so that a warhead can take its place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.structure.dock._settings import COVALENT_RESIDUES, ReceptorError

if TYPE_CHECKING:
    from drugml.structure import Structure


def covalent_attachments(
    structure: Structure | str | Path, ligand: str, cutoff: float = 2.1
) -> list[str]:
    """Protein atoms within bonding distance (``cutoff`` Å) of a ligand, as ``"CYS797:SG"``:
    a covalent inhibitor. Vina docks without that bond, so such a ligand's crystal pose is
    not what a non-covalent redocking can reproduce (its warhead sits where the bond held it).

    >>> covalent_attachments("egfr_5ug9", "8AM"), covalent_attachments("egfr_1m17", "AQ4")
    (['CYS797:SG'], [])
    """
    from drugml.structure import load_structure

    if not hasattr(structure, "model"):
        structure = load_structure(structure)
    residue = structure.ligand_residue(ligand)
    coords = np.array([a.coord for a in residue.get_atoms() if a.element != "H"])
    found = []
    for chain in structure.model:
        for other in chain:
            if other is residue or other.id[0] != " ":
                continue
            for atom in other.get_atoms():
                if (
                    atom.element != "H"
                    and np.linalg.norm(coords - atom.coord, axis=1).min() <= cutoff
                ):
                    found.append(f"{other.get_resname().strip()}{other.id[1]}:{atom.get_id()}")
    return found


def reactive_residue(
    structure: Structure | str | Path, ligand: str, attachments: Sequence[str] | None = None
) -> str | None:
    """The residue a covalent reference ligand is bonded to, as ``prepare_receptor``'s
    ``covalent_residue`` takes it (``"CYS797"``); None when it is bonded to none drugml can
    dock covalently (:data:`COVALENT_RESIDUES`). ``attachments``: the ligand's
    :func:`covalent_attachments`, when the caller has them already.

    >>> reactive_residue("egfr_5ug9", "8AM"), reactive_residue("egfr_1m17", "AQ4")
    ('CYS797', None)
    """
    found = covalent_attachments(structure, ligand) if attachments is None else attachments
    return next((c.split(":")[0] for c in found if c[:3] in COVALENT_RESIDUES), None)


def _parse_residue(text: str) -> tuple[str, int, str | None]:
    """``"CYS797"`` / ``"CYS797.A"`` -> ``("CYS", 797, "A")`` (chain None when not given)."""
    import re

    match = re.fullmatch(r"\s*([A-Za-z]{3})(-?\d+)(?:\.([A-Za-z0-9]))?\s*", str(text))
    if match is None:
        raise ReceptorError(
            f"covalent_residue {text!r} is not a residue like 'CYS797' or "
            "'CYS797.A' (name, number, optional chain)"
        )
    return match.group(1).upper(), int(match.group(2)), match.group(3)


def remove_reactive_atom(pdb: str, residue: str, name: str) -> tuple[str, dict[str, Any]]:
    """The PDB text without the reactive atom of ``residue`` (and its hydrogen), the residue
    renamed (Cys -> Ala); and where that atom was. ``name``: the structure's, for errors."""
    resname, number, chain = _parse_residue(residue)
    if resname not in COVALENT_RESIDUES:
        raise ReceptorError(
            f"covalent_residue {residue!r}: covalent docking supports "
            f"{sorted(COVALENT_RESIDUES)} residues, not {resname}"
        )
    atom, removed, written_as = COVALENT_RESIDUES[resname]

    def ours(line: str) -> bool:
        return (
            line.startswith(("ATOM", "HETATM"))
            and line[17:20].strip() == resname
            and line[22:26].strip() == str(number)
            and (chain is None or line[21] == chain)
        )

    lines = pdb.splitlines()
    chains = sorted({line[21] for line in lines if ours(line)})
    if not chains:
        here = [line for line in lines if line.startswith("ATOM")]
        same = sorted(
            {
                line[17:20].strip() + str(number)
                for line in here
                if line[22:26].strip() == str(number)
            }
        )
        raise ReceptorError(
            f"covalent_residue {residue!r}: {name} has no such residue among the "
            f"kept chains (residue {number} there: {same or 'none'})"
        )
    if len(chains) > 1:
        raise ReceptorError(
            f"covalent_residue {residue!r} is in chains {chains} of {name}: "
            f"say which, e.g. '{resname}{number}.{chains[0]}'"
        )
    reactive = [line for line in lines if ours(line) and line[12:16].strip() == atom]
    if not reactive:
        raise ReceptorError(
            f"covalent_residue {residue!r}: {name}'s {resname}{number} has no "
            f"{atom} atom (an incomplete side chain)"
        )
    position = [float(reactive[0][30:38]), float(reactive[0][38:46]), float(reactive[0][46:54])]
    out = []
    for line in lines:
        if ours(line):
            if line[12:16].strip() in removed:
                continue
            line = f"{line[:17]}{written_as:>3}{line[20:]}"
        out.append(line)
    site = {
        "residue": f"{resname}{number}.{chains[0]}",
        "atom": atom,
        "written_as": written_as,
        "position": [round(x, 3) for x in position],
    }
    return "\n".join(out) + "\n", site
