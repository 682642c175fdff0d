"""Genomic variants of a target: a cohort's mutations read as protein changes.

A sequencing study gives its mutations as a MAF, a VCF annotated by VEP (``CSQ``)
or SnpEff (``ANN``), or a plain table of protein changes (``T790M``,
``p.Leu858Arg``, ``E746_A750del``). :func:`read_variants` reads any of them into
one table (:data:`VARIANT_COLUMNS`): one row per record, each protein change in a
canonical short notation with its kind, residue span and residues, and a status
(:data:`VARIANT_STATUSES`) with the reason; no record is dropped.
:func:`variant_counts` and :func:`sample_counts` count them per variant and per
sample, every status included. :func:`parse_protein_change` reads one notation
into a :class:`ProteinChange`.

To place them on a structure, a :class:`ReferenceSequence` gives the protein's
sequence in UniProt numbering (the numbering of the protein changes): from a PDB or
mmCIF file's sequence and UniProt cross-reference (:func:`reference_from_pdb`) or a
FASTA (:func:`reference_from_fasta`). :func:`sequence_mapping` aligns it to the
residues a chain models (:func:`mapping_summary`: the numbering offset, the gaps, the
identity, in words), and :func:`map_variants` gives each variant its structure
residue, its distance to the ligand, whether it lines the pocket and whether it is a
key or covalent residue (:data:`MAPPED_COLUMNS`), with the status ``mapped``,
``outside_structure`` or ``reference_mismatch``.

Example
-------
>>> import pandas as pd
>>> from drugml.variants import read_variants, variant_counts
>>> cohort = pd.DataFrame(
...     {
...         "sample": ["P1", "P1", "P2", "P3"],
...         "protein_change": ["p.Leu858Arg", "p.Thr790Met", "L858R", "p.Glu746_Ala750del"],
...     }
... )
>>> table = read_variants(cohort, gene="EGFR")
>>> table[["sample", "protein_change", "kind", "start", "status"]]
  sample protein_change      kind  start  status
0     P1          L858R  missense    858  parsed
1     P1          T790M  missense    790  parsed
2     P2          L858R  missense    858  parsed
3     P3   E746_A750del  deletion    746  parsed
>>> variant_counts(table)[["protein_change", "rows", "samples"]].values.tolist()
[['L858R', 2, 2], ['E746_A750del', 1, 1], ['T790M', 1, 1]]
>>> from drugml.variants import map_variants, reference_from_pdb
>>> mapped = map_variants(table, reference_from_pdb("egfr_1m17"), "egfr_1m17", ligand="AQ4")
>>> mapped[["protein_change", "status", "structure_residue", "distance_to_ligand"]]
  protein_change  status  structure_residue  distance_to_ligand
0          L858R  mapped           LEU834.A               10.12
1          T790M  mapped           THR766.A                3.41
2          L858R  mapped           LEU834.A               10.12
3   E746_A750del  mapped  GLU722.A_ALA726.A                6.97
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drugml._util.lazy import lazy_submodules

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from drugml.variants._mapping import (
        MAPPING_COLUMNS,
        MAPPING_STATUSES,
        StructureMappingError,
        mapping_summary,
        sequence_mapping,
    )
    from drugml.variants._placement import map_variants
    from drugml.variants._protein_change import (
        PROTEIN_CHANGE_KINDS,
        ProteinChange,
        VariantError,
        VariantParseError,
        parse_protein_change,
    )
    from drugml.variants._readers import (
        GENE_COLUMN_CANDIDATES,
        MAF_PROTEIN_COLUMNS,
        PROTEIN_COLUMN_CANDIDATES,
        SAMPLE_COLUMN_CANDIDATES,
        VARIANT_FORMATS,
        read_variants,
    )
    from drugml.variants._reference import (
        ReferenceSequence,
        ReferenceSequenceError,
        reference_from_fasta,
        reference_from_pdb,
    )
    from drugml.variants._table import (
        MAPPED_COLUMNS,
        VARIANT_COLUMNS,
        VARIANT_STATUSES,
        VariantFileNotFoundError,
        VariantFormatError,
        sample_counts,
        variant_counts,
    )

# Public names, each imported from its private module on first use (light `import`).
_LAZY_NAMES = {
    "PROTEIN_CHANGE_KINDS": "drugml.variants._protein_change",
    "ProteinChange": "drugml.variants._protein_change",
    "VariantError": "drugml.variants._protein_change",
    "VariantParseError": "drugml.variants._protein_change",
    "parse_protein_change": "drugml.variants._protein_change",
    "MAPPING_COLUMNS": "drugml.variants._mapping",
    "MAPPING_STATUSES": "drugml.variants._mapping",
    "StructureMappingError": "drugml.variants._mapping",
    "mapping_summary": "drugml.variants._mapping",
    "sequence_mapping": "drugml.variants._mapping",
    "map_variants": "drugml.variants._placement",
    "ReferenceSequence": "drugml.variants._reference",
    "ReferenceSequenceError": "drugml.variants._reference",
    "reference_from_fasta": "drugml.variants._reference",
    "reference_from_pdb": "drugml.variants._reference",
    "GENE_COLUMN_CANDIDATES": "drugml.variants._readers",
    "MAF_PROTEIN_COLUMNS": "drugml.variants._readers",
    "PROTEIN_COLUMN_CANDIDATES": "drugml.variants._readers",
    "SAMPLE_COLUMN_CANDIDATES": "drugml.variants._readers",
    "VARIANT_FORMATS": "drugml.variants._readers",
    "read_variants": "drugml.variants._readers",
    "MAPPED_COLUMNS": "drugml.variants._table",
    "VARIANT_COLUMNS": "drugml.variants._table",
    "VARIANT_STATUSES": "drugml.variants._table",
    "VariantFileNotFoundError": "drugml.variants._table",
    "VariantFormatError": "drugml.variants._table",
    "sample_counts": "drugml.variants._table",
    "variant_counts": "drugml.variants._table",
}

__getattr__, __dir__ = lazy_submodules(__name__, (), globals(), _LAZY_NAMES)

__all__ = [
    "GENE_COLUMN_CANDIDATES",
    "MAF_PROTEIN_COLUMNS",
    "MAPPED_COLUMNS",
    "MAPPING_COLUMNS",
    "MAPPING_STATUSES",
    "PROTEIN_CHANGE_KINDS",
    "PROTEIN_COLUMN_CANDIDATES",
    "SAMPLE_COLUMN_CANDIDATES",
    "VARIANT_COLUMNS",
    "VARIANT_FORMATS",
    "VARIANT_STATUSES",
    "ProteinChange",
    "ReferenceSequence",
    "ReferenceSequenceError",
    "StructureMappingError",
    "VariantError",
    "VariantFileNotFoundError",
    "VariantFormatError",
    "VariantParseError",
    "map_variants",
    "mapping_summary",
    "parse_protein_change",
    "read_variants",
    "reference_from_fasta",
    "reference_from_pdb",
    "sample_counts",
    "sequence_mapping",
    "variant_counts",
]
