"""Featurizers (fingerprints, descriptors, graphs) and fingerprint similarity.

Example
-------
>>> from drugml.featurize import ECFP
>>> ECFP(n_bits=64).transform(["CCO"]).shape
(1, 64)
"""

from __future__ import annotations

from drugml.featurize._featurizers import (
    ECFP,
    FCFP,
    MACCS,
    AtomPairs,
    FeaturizationError,
    FeaturizerNotFittedError,
    FeaturizerTypeError,
    GraphFeaturizer,
    MolecularFeatures,
    MolecularFeaturizer,
    RDKitDescriptors,
    TopologicalTorsion,
    as_molecule_list,
    bit_fingerprints,
    calc_descriptors,
    featurize_table,
    fingerprint_bits,
    iter_features,
    max_tanimoto,
    nearest_tanimoto,
    parse_molecules,
    shared_descriptor,
    shared_descriptors,
    tanimoto_blocks,
    tanimoto_similarity,
    top_tanimoto,
)

__all__ = [
    "ECFP",
    "FCFP",
    "MACCS",
    "AtomPairs",
    "FeaturizationError",
    "FeaturizerNotFittedError",
    "FeaturizerTypeError",
    "GraphFeaturizer",
    "MolecularFeatures",
    "MolecularFeaturizer",
    "RDKitDescriptors",
    "TopologicalTorsion",
    "as_molecule_list",
    "bit_fingerprints",
    "calc_descriptors",
    "featurize_table",
    "fingerprint_bits",
    "iter_features",
    "max_tanimoto",
    "nearest_tanimoto",
    "parse_molecules",
    "shared_descriptor",
    "shared_descriptors",
    "tanimoto_blocks",
    "tanimoto_similarity",
    "top_tanimoto",
]
