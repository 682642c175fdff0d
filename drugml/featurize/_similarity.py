"""Tanimoto similarity of fingerprints: tiled matrix products, the same values as RDKit.

:func:`tanimoto_blocks` tiles the query x reference similarities;
:func:`top_tanimoto`, :func:`max_tanimoto` and :func:`nearest_tanimoto` reduce
them; :func:`tanimoto_similarity` compares one query with many molecules.

Example
-------
>>> from drugml.featurize import bit_fingerprints, fingerprint_bits, max_tanimoto
>>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "c1ccccc1N"]))
>>> max_tanimoto(bits[:1], bits[1:]).round(3).tolist()
[0.375]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from drugml.featurize._base import FeaturizationError, parse_molecules

__all__ = [
    "max_tanimoto",
    "nearest_tanimoto",
    "tanimoto_blocks",
    "tanimoto_similarity",
    "top_tanimoto",
]


def tanimoto_blocks(query: np.ndarray, reference: np.ndarray, block: int = 2048):
    """Tanimoto similarities of every query row to every reference row, in tiles.

    ``query`` and ``reference`` are :func:`fingerprint_bits` matrices. Yields
    ``(row_offset, column_offset, similarities)`` for tiles of at most ``block``
    x ``block``: the same values as RDKit's ``BulkTanimotoSimilarity`` (the
    intersections are exact integer counts, the ratio is taken in double
    precision; two empty fingerprints have similarity 0), as matrix products,
    several times faster than a loop over queries.

    >>> from drugml.featurize import bit_fingerprints, fingerprint_bits
    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "c1ccccc1O", "CCCC"]))
    >>> [tile.round(2).tolist() for _, _, tile in tanimoto_blocks(bits[:1], bits)]
    [[[1.0, 1.0, 0.0]]]
    """
    from scipy import sparse

    query_counts = query.sum(axis=1, dtype=np.int64).astype(np.float64)
    reference_counts = reference.sum(axis=1, dtype=np.int64).astype(np.float64)
    for i in range(0, len(query), block):
        # Fingerprints are sparse (~50 of 2048 bits): a sparse left operand does a
        # fraction of a dense product's work. float32 sums of 0/1 products are exact
        # far beyond 2048 bits, so the counts are integers, as RDKit's.
        left = sparse.csr_matrix(query[i : i + block], dtype=np.float32)
        for j in range(0, len(reference), block):
            right = np.ascontiguousarray(reference[j : j + block].T, dtype=np.float32)
            common = np.asarray(left @ right, dtype=np.float64)
            union = query_counts[i : i + block, None] + reference_counts[None, j : j + block]
            union -= common
            with np.errstate(invalid="ignore", divide="ignore"):
                yield i, j, np.where(union > 0, common / union, 0.0)


def top_tanimoto(query: np.ndarray, reference: np.ndarray, k: int = 1) -> np.ndarray:
    """The ``k`` highest Tanimoto similarities of each query row to the reference rows.

    Shape ``(len(query), k)``, highest first; the values of
    :func:`nearest_tanimoto` (without the indices, which a screen does not
    need), at a fraction of its cost: a partial sort per tile, no tie-breaking
    sort. With fewer than ``k`` references the missing places hold 0.

    >>> from drugml.featurize import bit_fingerprints, fingerprint_bits
    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "CCCC", "c1ccccc1N"]))
    >>> top_tanimoto(bits[2:], bits, k=2).round(3).tolist()
    [[1.0, 0.375]]
    """
    best = np.zeros((len(query), k))
    for i, _, tile in tanimoto_blocks(query, reference):
        rows = slice(i, i + len(tile))
        if tile.shape[1] > k:
            tile = np.partition(tile, tile.shape[1] - k, axis=1)[:, -k:]
        merged = np.concatenate([best[rows], tile], axis=1)
        best[rows] = np.partition(merged, merged.shape[1] - k, axis=1)[:, -k:]
    return -np.sort(-best, axis=1)


def max_tanimoto(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each query row's highest Tanimoto similarity to any reference row (0 if none).

    >>> from drugml.featurize import bit_fingerprints, fingerprint_bits
    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "CCCC", "c1ccccc1N"]))
    >>> max_tanimoto(bits[2:], bits[:2]).round(3).tolist()
    [0.375]
    """
    best = np.zeros(len(query))
    for i, _, tile in tanimoto_blocks(query, reference):
        best[i : i + len(tile)] = np.maximum(best[i : i + len(tile)], tile.max(axis=1))
    return best


def nearest_tanimoto(
    query: np.ndarray, reference: np.ndarray, k: int = 1, exclude_self: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar reference rows of each query row: ``(similarities, indices)``.

    Both arrays have shape ``(len(query), k)``, most similar first (ties: lower
    index first); with fewer than ``k`` references the missing places hold
    similarity 0 and index -1. ``exclude_self`` (query and reference the same
    matrix) leaves each row out of its own neighbours.

    >>> from drugml.featurize import bit_fingerprints, fingerprint_bits
    >>> bits = fingerprint_bits(bit_fingerprints(["c1ccccc1O", "CCCC", "c1ccccc1N"]))
    >>> similarity, index = nearest_tanimoto(bits[2:], bits, k=2)
    >>> similarity.round(3).tolist(), index.tolist()
    ([[1.0, 0.375]], [[2, 0]])
    """
    n = len(query)
    best = np.zeros((n, k))
    where = np.full((n, k), -1, dtype=np.int64)
    for i, j, tile in tanimoto_blocks(query, reference):
        rows = slice(i, i + len(tile))
        if exclude_self:
            diagonal = np.arange(len(tile)) + i - j
            inside = (diagonal >= 0) & (diagonal < tile.shape[1])
            tile = tile.copy()
            tile[np.flatnonzero(inside), diagonal[inside]] = -1.0
        # The tile's own best k (a partial sort: linear in the tile's width) ...
        if tile.shape[1] > k:
            top = np.argpartition(-tile, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(tile.shape[1]), tile.shape)
        similarities = np.concatenate([best[rows], np.take_along_axis(tile, top, axis=1)], axis=1)
        indices = np.concatenate([where[rows], top + j], axis=1)
        # ... merged with the best so far: most similar first, ties by lower index.
        order = np.lexsort((indices, -similarities), axis=1)[:, :k]
        best[rows] = np.take_along_axis(similarities, order, axis=1)
        where[rows] = np.take_along_axis(indices, order, axis=1)
    missing = (where < 0) | (best < 0)  # no reference, or only the row itself
    best[missing], where[missing] = 0.0, -1
    return best, where


def tanimoto_similarity(
    query: Any, molecules: Sequence[Any], radius: int = 2, n_bits: int = 2048
) -> np.ndarray:
    """Tanimoto similarity of ECFP bit fingerprints between one query and many molecules.

    Unparsable molecules get NaN.

    >>> tanimoto_similarity("c1ccccc1O", ["c1ccccc1O", "CCCC", "bad"]).round(2).tolist()
    [1.0, 0.0, nan]
    """
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    from drugml.chem import parse_smiles

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    query_mol, _, error = parse_smiles(query) if isinstance(query, str) else (query, None, None)
    if query_mol is None:
        raise FeaturizationError(f"Cannot parse the query {query!r}: {error}")
    mols, _ = parse_molecules(list(molecules), full=False)
    query_fp = generator.GetFingerprint(query_mol)
    valid = [i for i, m in enumerate(mols) if m is not None]
    out = np.full(len(mols), np.nan)
    fps = [generator.GetFingerprint(mols[i]) for i in valid]
    out[valid] = DataStructs.BulkTanimotoSimilarity(query_fp, fps)
    return out
