"""Binding pockets found without a ligand: a grid-based cavity detector (numpy + scipy).

:func:`find_pockets` lays a grid over a structure's polymer heavy atoms
(ligands, waters, ions and additives removed), keeps the points with room
for a ligand atom that are *buried* — most rays cast from them meet the
protein within a few Å — groups them into connected pockets, describes each
(volume, depth, buriedness, lining residues, hydrophobicity) and ranks them
by a druggability-style heuristic (:func:`pocket_score`; not a trained
model). The method follows LIGSITE (Hendlich, Rippmann & Barnickel,
J. Mol. Graph. Model. 15, 359-363, 1997) and PocketPicker's buriedness
(Weisel, Proschak & Schneider, Chem. Cent. J. 1:7, 2007); all settings, with
their defaults, are fields of :class:`PocketSettings`.

:func:`box_from_pocket` turns a pocket into a docking box
(:class:`~drugml.structure.dock.Box`) for a target with no ligand bound.
Validation on the embedded complexes (is the crystal ligand in the top
pocket?) is ``benchmarks/pockets.py``.

Example
-------
>>> from drugml.structure.pockets import find_pockets, box_from_pocket
>>> pockets = find_pockets("egfr_1m17")  # the ligand AQ4 is removed first
>>> top = pockets[0]
>>> top.rank, "MET769.A" in top.residues  # the ATP site, hinge Met769 lining it
(1, True)
>>> from drugml.structure import load_structure
>>> ligand = load_structure("egfr_1m17").ligand_residue("AQ4")
>>> top.contains_ligand([atom.coord for atom in ligand.get_atoms()])
True
>>> box = box_from_pocket(top)
>>> min(box.size) >= 22.0
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drugml._util.lazy import lazy_submodules

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from drugml.structure.pockets._errors import PocketError
    from drugml.structure.pockets._grid import PocketSettings, polymer_atoms
    from drugml.structure.pockets._pocket import (
        POCKET_BOX_MARGIN,
        POCKET_COLUMNS,
        Pocket,
        box_from_pocket,
        find_pockets,
        pocket_score,
        pocket_table,
        select_pocket,
    )

# Public names, each imported from its private module on first use (light `import`).
_LAZY_NAMES = {
    "PocketError": "drugml.structure.pockets._errors",
    "PocketSettings": "drugml.structure.pockets._grid",
    "polymer_atoms": "drugml.structure.pockets._grid",
    "POCKET_BOX_MARGIN": "drugml.structure.pockets._pocket",
    "POCKET_COLUMNS": "drugml.structure.pockets._pocket",
    "Pocket": "drugml.structure.pockets._pocket",
    "box_from_pocket": "drugml.structure.pockets._pocket",
    "find_pockets": "drugml.structure.pockets._pocket",
    "pocket_score": "drugml.structure.pockets._pocket",
    "pocket_table": "drugml.structure.pockets._pocket",
    "select_pocket": "drugml.structure.pockets._pocket",
}


__getattr__, __dir__ = lazy_submodules(__name__, (), globals(), _LAZY_NAMES)

__all__ = [
    "POCKET_BOX_MARGIN",
    "POCKET_COLUMNS",
    "Pocket",
    "PocketError",
    "PocketSettings",
    "box_from_pocket",
    "find_pockets",
    "pocket_score",
    "pocket_table",
    "polymer_atoms",
    "select_pocket",
]
