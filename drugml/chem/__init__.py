"""Molecules: parsing, standardization, file readers, scaffolds and bioactivity curation.

Example
-------
>>> from drugml.chem import to_mol
>>> to_mol("CCO").GetNumAtoms()
3
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.chem._molecules import (
    ChemError,
    ColumnNotFoundError,
    MoleculeError,
    MoleculeFileNotFoundError,
    SmilesListError,
    parse_smiles,
    to_mol,
)
from drugml.chem._readers import (
    ID_COLUMN_CANDIDATES,
    SMILES_COLUMN_CANDIDATES,
    iter_molecules,
    read_molecules,
    resolve_smiles_column,
    smiles_table,
)
from drugml.chem._standardize import (
    STANDARDIZE_COLUMNS,
    StandardizeOptions,
    may_normalize,
    standardize,
    standardize_mol,
)

__getattr__, __dir__ = lazy_submodules(__name__, ("curate", "scaffolds"), globals())

__all__ = [
    "ID_COLUMN_CANDIDATES",
    "SMILES_COLUMN_CANDIDATES",
    "STANDARDIZE_COLUMNS",
    "ChemError",
    "ColumnNotFoundError",
    "MoleculeError",
    "MoleculeFileNotFoundError",
    "SmilesListError",
    "StandardizeOptions",
    "curate",
    "iter_molecules",
    "may_normalize",
    "parse_smiles",
    "read_molecules",
    "resolve_smiles_column",
    "scaffolds",
    "smiles_table",
    "standardize",
    "standardize_mol",
    "to_mol",
]
