"""Featurizers (fingerprints, descriptors, graphs) and fingerprint similarity.

Each featurizer is a scikit-learn transformer: it takes SMILES strings or
RDKit ``Mol`` objects (a list, a Series, or a one-column array/DataFrame as
``ColumnTransformer`` passes it) and returns a NumPy array, one row per input,
in input order. Parameters are stored unchanged in ``__init__`` so
``get_params``/``set_params``, ``clone``, ``Pipeline``, ``FeatureUnion`` and
``cross_val_score`` work.

- :class:`ECFP` / :class:`FCFP`: Morgan fingerprints (bits or counts, chirality).
- :class:`AtomPairs`, :class:`TopologicalTorsion`, :class:`MACCS`, :class:`Avalon` (bits or counts).
- :class:`ErG`: RDKit's extended reduced graph (315 ``float32`` pharmacophore-pair values).
- :class:`RDKitDescriptors`: every RDKit 2D descriptor (``Descriptors._descList``),
  with shared intermediates computed once per molecule; NaN/inf are reported.
- :class:`MolecularFeatures`: several featurizers on one parse per molecule
  (a ``FeatureUnion`` would parse once per featurizer).
- :class:`GraphFeaturizer`: DeepChem graph objects for graph neural networks.

Dtypes are compact: ``uint8`` bits, ``uint16`` counts, ``float32`` descriptors.
A molecule that cannot be parsed gives a row of NaN (the array is then
``float32``, since integers cannot hold NaN); a warning names its index and
reason, and ``last_invalid_`` lists them. With ``strict=True`` the call
raises :class:`FeaturizationError` instead.

Every featurizer class is registered where it is defined
(:func:`register_featurizer`); :func:`available_featurizers` lists them,
:func:`get_featurizer` finds one by name, and :func:`featurizer_spec` /
:func:`featurizer_from_spec` write and read the JSON a saved model keeps.

Example
-------
>>> from drugml.featurize import ECFP
>>> ECFP(n_bits=64).transform(["CCO"]).shape
(1, 64)
>>> X = ECFP(radius=2, n_bits=1024).fit_transform(["CCO", "c1ccccc1O"])
>>> X.shape, X.dtype.name
((2, 1024), 'uint8')
"""

from __future__ import annotations

# Featurizer modules register their classes on import: the registry is complete
# once this package is imported.
from drugml.featurize._base import (
    FeaturizationError,
    FeaturizerNotFittedError,
    FeaturizerTypeError,
    MolecularFeaturizer,
    UnknownFeaturizerError,
    as_molecule_list,
    parse_molecules,
)
from drugml.featurize._combined import MolecularFeatures
from drugml.featurize._descriptors import (
    RDKitDescriptors,
    calc_descriptors,
    shared_descriptor,
    shared_descriptors,
)
from drugml.featurize._fingerprints import (
    ECFP,
    FCFP,
    MACCS,
    AtomPairs,
    Avalon,
    ErG,
    TopologicalTorsion,
    bit_fingerprints,
    fingerprint_bits,
)
from drugml.featurize._graphs import GraphFeaturizer
from drugml.featurize._presets import FEATURIZER_PRESETS, featurizer_preset
from drugml.featurize._registry import (
    FEATURIZER_KINDS,
    available_featurizers,
    featurizer_from_spec,
    featurizer_kind,
    featurizer_spec,
    get_featurizer,
    register_featurizer,
)
from drugml.featurize._similarity import (
    max_tanimoto,
    nearest_tanimoto,
    tanimoto_blocks,
    tanimoto_similarity,
    top_tanimoto,
)
from drugml.featurize._table import featurize_table, iter_features

__all__ = [
    "ECFP",
    "FCFP",
    "FEATURIZER_KINDS",
    "FEATURIZER_PRESETS",
    "MACCS",
    "AtomPairs",
    "Avalon",
    "ErG",
    "FeaturizationError",
    "FeaturizerNotFittedError",
    "FeaturizerTypeError",
    "GraphFeaturizer",
    "MolecularFeatures",
    "MolecularFeaturizer",
    "RDKitDescriptors",
    "TopologicalTorsion",
    "UnknownFeaturizerError",
    "as_molecule_list",
    "available_featurizers",
    "bit_fingerprints",
    "calc_descriptors",
    "featurize_table",
    "featurizer_from_spec",
    "featurizer_kind",
    "featurizer_preset",
    "featurizer_spec",
    "fingerprint_bits",
    "get_featurizer",
    "iter_features",
    "max_tanimoto",
    "nearest_tanimoto",
    "parse_molecules",
    "register_featurizer",
    "shared_descriptor",
    "shared_descriptors",
    "tanimoto_blocks",
    "tanimoto_similarity",
    "top_tanimoto",
]
