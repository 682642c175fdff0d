"""Structures (proteins and RNA), their ligands and binding sites, and docking.

Example
-------
>>> from drugml.structure import load_structure
>>> [ligand.resname for ligand in load_structure("egfr_1m17").ligands()]
['AQ4']
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.structure._structure import (
    NOT_LIGANDS,
    Chain,
    Ligand,
    Structure,
    StructureError,
    load_structure,
    one_letter_code,
    place_like_reference,
    residue_mapping,
    sequence_identity,
    superpose,
)

__getattr__, __dir__ = lazy_submodules(__name__, ("dock", "rna"), globals())

__all__ = [
    "NOT_LIGANDS",
    "Chain",
    "Ligand",
    "Structure",
    "StructureError",
    "dock",
    "load_structure",
    "one_letter_code",
    "place_like_reference",
    "residue_mapping",
    "rna",
    "sequence_identity",
    "superpose",
]
