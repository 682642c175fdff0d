"""Structures (proteins and RNA), their ligands and binding sites, and docking.

Example
-------
>>> from drugml.structure import load_structure
>>> [ligand.resname for ligand in load_structure("egfr_1m17").ligands()]
['AQ4']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drugml._util.lazy import lazy_submodules

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from drugml.structure._align import (
        place_like_reference,
        residue_mapping,
        sequence_identity,
        superpose,
    )
    from drugml.structure._residues import (
        NOT_LIGANDS,
        one_letter_code,
    )
    from drugml.structure._shape import (
        SHAPE_COLUMNS,
        SHAPE_STATUSES,
        ShapeSettings,
        ShapeSettingsError,
        shape_similarity,
    )
    from drugml.structure._shape_reference import (
        ReferenceLigand,
        ShapeReferenceError,
        crystal_ligand_pose,
        reference_ligands,
    )
    from drugml.structure._structure import (
        Chain,
        Ligand,
        Structure,
        StructureError,
        load_structure,
    )

# Public names, each imported from its private module on first use (light `import`).
_LAZY_NAMES = {
    "place_like_reference": "drugml.structure._align",
    "residue_mapping": "drugml.structure._align",
    "sequence_identity": "drugml.structure._align",
    "superpose": "drugml.structure._align",
    "NOT_LIGANDS": "drugml.structure._residues",
    "one_letter_code": "drugml.structure._residues",
    "SHAPE_COLUMNS": "drugml.structure._shape",
    "SHAPE_STATUSES": "drugml.structure._shape",
    "ShapeSettings": "drugml.structure._shape",
    "ShapeSettingsError": "drugml.structure._shape",
    "shape_similarity": "drugml.structure._shape",
    "ReferenceLigand": "drugml.structure._shape_reference",
    "crystal_ligand_pose": "drugml.structure._shape_reference",
    "ShapeReferenceError": "drugml.structure._shape_reference",
    "reference_ligands": "drugml.structure._shape_reference",
    "Chain": "drugml.structure._structure",
    "Ligand": "drugml.structure._structure",
    "Structure": "drugml.structure._structure",
    "StructureError": "drugml.structure._structure",
    "load_structure": "drugml.structure._structure",
}


__getattr__, __dir__ = lazy_submodules(
    __name__, ("dock", "pockets", "rna", "scoring"), globals(), _LAZY_NAMES
)

__all__ = [
    "NOT_LIGANDS",
    "SHAPE_COLUMNS",
    "SHAPE_STATUSES",
    "Chain",
    "Ligand",
    "ReferenceLigand",
    "ShapeReferenceError",
    "ShapeSettings",
    "ShapeSettingsError",
    "Structure",
    "StructureError",
    "crystal_ligand_pose",
    "dock",
    "load_structure",
    "one_letter_code",
    "place_like_reference",
    "pockets",
    "reference_ligands",
    "residue_mapping",
    "rna",
    "scoring",
    "sequence_identity",
    "shape_similarity",
    "superpose",
]
