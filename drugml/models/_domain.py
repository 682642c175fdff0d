"""The applicability domain: ECFP4 fingerprints of the training set, the similarity of each
molecule to its nearest training molecules, and the fingerprints packed for saving.

``nearest_similarity`` (Tanimoto, ECFP4, :data:`DOMAIN_BITS` bits) decides ``in_domain``;
the mean similarity to the :data:`LOCAL_NEIGHBOURS` nearest is the difficulty the
regression intervals adapt to (:mod:`drugml.models.uncertainty`).

>>> from rdkit import Chem
>>> fps = domain_fingerprints([Chem.MolFromSmiles("CCO"), Chem.MolFromSmiles("CCN")])
>>> packed = pack_fingerprints(fps)
>>> packed.shape, [a == b for a, b in zip(unpack_fingerprints(packed), fps)]
((2, 256), [True, True])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from drugml.models._errors import ModelInputError
from drugml.models.backends import FINGERPRINT_BITS

__all__ = [
    "DOMAIN_BITS",
    "LOCAL_NEIGHBOURS",
    "domain_fingerprints",
    "domain_mask",
    "domain_search_inputs",
    "domain_threshold",
    "nearest_similarity",
    "neighbour_similarities",
    "pack_fingerprints",
    "unpack_fingerprints",
]

#: Bits of the ECFP4 fingerprints of the applicability domain (and of the knn backend).
DOMAIN_BITS = FINGERPRINT_BITS
#: Training molecules whose mean similarity measures how densely the training data
#: surround a molecule: the difficulty the intervals adapt to (drugml.models.uncertainty).
LOCAL_NEIGHBOURS = 5


def domain_fingerprints(mols: Sequence) -> list:
    """ECFP4 bit vectors of ``mols`` (radius 2, :data:`DOMAIN_BITS` bits)."""
    from drugml.featurize import bit_fingerprints

    return bit_fingerprints(mols, radius=2, n_bits=DOMAIN_BITS)


def domain_mask(domain: bool | np.ndarray, n: int) -> np.ndarray:
    """``domain`` of :meth:`PropertyModel.predict_mols <drugml.models.PropertyModel.predict_mols>`
    (``True``, ``False`` or a boolean mask) as a mask of the ``n`` molecules to search for."""
    if domain is True or domain is False:
        searched = np.full(n, domain, dtype=bool)
    else:
        searched = np.asarray(domain, dtype=bool)
    if len(searched) != n:
        raise ModelInputError(f"domain mask has {len(searched)} entries for {n} molecules")
    return searched


def domain_search_inputs(
    mols: list,
    searched: np.ndarray,
    fps: Sequence | None,
    bits: np.ndarray | None,
    estimator_reads_fingerprints: bool,
) -> tuple[Sequence, np.ndarray]:
    """``(fingerprints, bits)``: the molecules' domain fingerprints (as given, computed, or
    placeholders where neither searched nor read by the estimator) and the
    :func:`~drugml.featurize.fingerprint_bits` of those ``searched``."""
    from drugml.featurize import fingerprint_bits

    if fps is None:
        if searched.any() or estimator_reads_fingerprints:
            fps = domain_fingerprints(mols)
        else:
            fps = [None] * len(mols)  # neither searched nor read by the estimator
    if not searched.any():
        return fps, np.zeros((0, DOMAIN_BITS), dtype=np.uint8)
    if bits is not None:
        if len(bits) != len(mols):
            raise ModelInputError(f"domain_bits has {len(bits)} rows for {len(mols)} molecules")
        return fps, bits[searched]
    return fps, fingerprint_bits([fps[i] for i in np.flatnonzero(searched)])


def domain_threshold(requested: float | None, similarity: np.ndarray) -> float:
    """The threshold asked for, or the 5th percentile of the out-of-fold molecules'
    ``similarity`` to their fold's nearest training molecule."""
    return float(requested) if requested is not None else float(np.percentile(similarity, 5))


def neighbour_similarities(
    query: np.ndarray, reference: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(nearest, local)``: similarity to the nearest reference row, and the mean
    similarity to the :data:`LOCAL_NEIGHBOURS` nearest (0 where there are none)."""
    from drugml.featurize import top_tanimoto

    if not len(reference) or not len(query):
        return np.zeros(len(query)), np.zeros(len(query))
    similarities = top_tanimoto(query, reference, k=LOCAL_NEIGHBOURS)
    return similarities[:, 0], similarities.mean(axis=1)


def nearest_similarity(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each query's Tanimoto similarity to its nearest reference (0 with no reference).

    Both are :func:`~drugml.featurize.fingerprint_bits` matrices; the values
    are RDKit's (``BulkTanimotoSimilarity``), computed in tiles.
    """
    from drugml.featurize import max_tanimoto

    if not len(reference) or not len(query):
        return np.zeros(len(query))
    return max_tanimoto(query, reference)


def pack_fingerprints(fps: Sequence) -> np.ndarray:
    """The bit vectors as a ``uint8`` matrix, 8 bits a byte (``training_set.npz``)."""
    from rdkit import DataStructs

    bits = np.zeros((len(fps), DOMAIN_BITS), dtype=np.uint8)
    for i, fp in enumerate(fps):
        DataStructs.ConvertToNumpyArray(fp, bits[i])
    return np.packbits(bits, axis=1)


def unpack_fingerprints(packed: np.ndarray) -> list:
    """The bit vectors :func:`pack_fingerprints` packed."""
    from rdkit import DataStructs

    fps = []
    for row in np.unpackbits(packed, axis=1)[:, :DOMAIN_BITS]:
        fp = DataStructs.ExplicitBitVect(DOMAIN_BITS)
        fp.SetBitsFromList(np.flatnonzero(row).tolist())
        fps.append(fp)
    return fps
