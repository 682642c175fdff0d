"""What a model reads: the default featurizer, which backends read its matrix, and the
training input made usable (SMILES or Mols parsed, targets as floats, the records that
cannot be used dropped and counted).

>>> items, mols, targets, skipped, keep = clean_training_inputs(["CCO", "CCN"], [1.0, 2.0])
>>> targets.tolist(), skipped
([1.0, 2.0], {'invalid_smiles': 0, 'missing_or_infinite_target': 0})
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from drugml.models._errors import ModelInputError
from drugml.models.backends import ALL_INPUTS, FEATURES, ModelBackend

__all__ = [
    "FAST_DESCRIPTORS",
    "as_targets",
    "clean_training_inputs",
    "default_featurizer",
    "reads_features",
]

#: Cheap RDKit descriptors (about 0.4 ms a molecule together, against 6.5 ms for
#: all of them) that carry most of the physchem signal for ADMET endpoints such
#: as solubility (see benchmarks/featurizer_selection.py).
FAST_DESCRIPTORS = (
    "MolWt", "HeavyAtomCount", "MolLogP", "MolMR", "TPSA", "LabuteASA", "NumHDonors",
    "NumHAcceptors", "NumRotatableBonds", "NumAromaticRings", "NumAliphaticRings",
    "RingCount", "FractionCSP3", "NumHeteroatoms", "NHOHCount", "NOCount",
    "HallKierAlpha", "Kappa1", "Chi0v", "Chi1v",
    *(f"SlogP_VSA{i}" for i in range(1, 13)), *(f"SMR_VSA{i}" for i in range(1, 11)),
)  # fmt: skip


def default_featurizer():
    """The featurizer a :class:`PropertyModel` uses unless told otherwise.

    ECFP4 counts (2048) plus a few cheap physchem descriptors, each molecule
    parsed once; chosen on validation data (see ``benchmarks/featurizer_selection.py``).
    """
    from drugml.featurize import ECFP, MolecularFeatures, RDKitDescriptors

    return MolecularFeatures(
        [
            ("ecfp", ECFP(radius=2, n_bits=2048, counts=True)),
            ("physchem", RDKitDescriptors(descriptors=list(FAST_DESCRIPTORS))),
        ]
    )


def reads_features(backend: ModelBackend) -> bool:
    """Whether the backend reads the featurizer's matrix (alone or among other inputs)."""
    return backend.input_kind in (FEATURES, ALL_INPUTS)


def as_targets(y: Any) -> np.ndarray:
    """Targets as a float array (NaN stays NaN; pandas nullable values become NaN)."""
    return np.asarray(y.tolist() if hasattr(y, "tolist") else list(y), dtype=float)


def clean_training_inputs(
    smiles: Any, y: Any
) -> tuple[list, list, np.ndarray, dict[str, int], np.ndarray]:
    """``(items, mols, targets, skipped, keep)``: the usable records, the count of those
    dropped by reason, and the mask of the usable inputs. A warning counts the dropped ones
    (it points at the caller of :meth:`PropertyModel.fit <drugml.models.PropertyModel.fit>`,
    which calls this)."""
    from drugml.featurize import as_molecule_list, parse_molecules

    items = as_molecule_list(smiles)
    targets = as_targets(y)
    if len(items) != len(targets):
        raise ModelInputError(f"Got {len(items)} molecules but {len(targets)} target values.")
    mols, invalid = parse_molecules(items, full=True)
    bad_target = ~np.isfinite(targets)
    bad_mol = np.zeros(len(items), dtype=bool)
    bad_mol[[i for i, _ in invalid]] = True
    keep = ~bad_target & ~bad_mol
    skipped = {
        "invalid_smiles": int(bad_mol.sum()),
        "missing_or_infinite_target": int((bad_target & ~bad_mol).sum()),
    }
    if skipped["invalid_smiles"] or skipped["missing_or_infinite_target"]:
        examples = "; ".join(f"[{i}] {items[i]!r}: {r}" for i, r in invalid[:5])
        warnings.warn(
            f"PropertyModel.fit skipped {int((~keep).sum())} of {len(items)} records: "
            f"{skipped['invalid_smiles']} unparsable SMILES, "
            f"{skipped['missing_or_infinite_target']} missing or infinite targets"
            + (f" (e.g. {examples})" if examples else ""),
            stacklevel=3,
        )
    kept_items = [items[i] for i in np.flatnonzero(keep)]
    kept_mols = [mols[i] for i in np.flatnonzero(keep)]
    return kept_items, kept_mols, targets[keep], skipped, keep
