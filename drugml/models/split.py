"""Train/test splits that tell the truth about how a model will do on new chemistry.

A random split puts close analogues of every test molecule into training and
flatters the model. Scaffold and cluster splits keep whole chemical series on
one side, which is closer to predicting compounds from a new project.

- :func:`random_split`: a seeded shuffle.
- :func:`scaffold_split`: Bemis-Murcko scaffold sets, largest to training, the
  rest to test (DeepChem's deterministic convention); ``balanced=True``
  shuffles the small sets with ``seed`` (Chemprop's balanced scaffold split).
- :func:`cluster_split`: Butina clusters of ECFP4 (Tanimoto), the same way.
- :class:`ScaffoldKFold` / :class:`ClusterKFold`: grouped K-fold cross-validation
  for ``cross_val_score`` and ``GridSearchCV``.

Every split returns sorted integer index arrays; with ``valid_size`` a
validation part is carved out of the training side for tuning, so the test
part is only looked at once. Molecules that cannot be parsed form one group
of their own (they cannot share a scaffold with anything).

Example
-------
>>> from drugml.models.split import scaffold_split
>>> train, test = scaffold_split(["c1ccccc1C", "c1ccccc1CC", "C1CCCCC1", "CCO"], test_size=0.5)
>>> train.tolist(), test.tolist()
([0, 1], [2, 3])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from drugml.errors import DrugmlError

__all__ = [
    "ClusterKFold",
    "ScaffoldKFold",
    "SplitError",
    "butina_clusters",
    "cluster_split",
    "random_split",
    "scaffold_split",
]


class SplitError(DrugmlError, ValueError):
    """The molecules cannot be split as asked: too few molecules or groups for the sizes
    or folds, sizes out of range, or one group holding almost every molecule.

    >>> random_split(["CCO"])
    Traceback (most recent call last):
    ...
    drugml.models.split.SplitError: Need at least 2 molecules to split, got 1
    """


def _check_sizes(n: int, test_size: float, valid_size: float) -> None:
    if n < 2:
        raise SplitError(f"Need at least 2 molecules to split, got {n}")
    if not 0 < test_size < 1:
        raise SplitError(f"test_size must be between 0 and 1, got {test_size}")
    if not 0 <= valid_size < 1 or test_size + valid_size >= 1:
        raise SplitError(
            f"valid_size must be >= 0 with test_size + valid_size < 1, got {valid_size}"
        )


def _result(n: int, test: Sequence[int], valid: Sequence[int] = ()) -> tuple[np.ndarray, ...]:
    test_set, valid_set = set(test), set(valid)
    train = np.array([i for i in range(n) if i not in test_set and i not in valid_set], dtype=int)
    parts = [train]
    if valid_set:
        parts.append(np.array(sorted(valid_set), dtype=int))
    parts.append(np.array(sorted(test_set), dtype=int))
    return tuple(parts)


def random_split(
    smiles: Sequence[Any], test_size: float = 0.2, seed: int = 0, valid_size: float = 0.0
) -> tuple[np.ndarray, ...]:
    """Seeded random split: ``(train, test)``, or ``(train, valid, test)`` with ``valid_size``.

    >>> [part.size for part in random_split(list(range(10)), test_size=0.3)]
    [7, 3]
    """
    n = len(smiles)
    _check_sizes(n, test_size, valid_size)
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, round(test_size * n))
    n_valid = round(valid_size * n) if valid_size else 0
    return _result(n, order[:n_test].tolist(), order[n_test : n_test + n_valid].tolist())


def _group_split(
    groups: Sequence[Any], test_size: float, valid_size: float, seed: int, balanced: bool
) -> tuple[np.ndarray, ...]:
    """Fill test (then valid) with whole groups; the largest groups stay in training."""
    n = len(groups)
    _check_sizes(n, test_size, valid_size)
    members: dict[Any, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group, []).append(i)
    sets = list(members.values())
    train_cutoff = (1 - test_size - valid_size) * n
    valid_cutoff = (1 - test_size) * n
    if balanced:
        # Sets too big for the held-out parts go to training first; the others
        # in a seeded random order (Chemprop's balanced scaffold split).
        rng = np.random.default_rng(seed)
        limit = max(test_size, valid_size) * n / 2
        big = [s for s in sets if len(s) > limit]
        small = [s for s in sets if len(s) <= limit]
        order = big + [small[i] for i in rng.permutation(len(small))]
    else:
        # DeepChem: largest sets first (ties by first member), so training gets
        # the big series and the held-out parts the small, rarer ones.
        order = sorted(sets, key=lambda s: (-len(s), s[0]))
    train: list[int] = []
    valid: list[int] = []
    test: list[int] = []
    for group in order:
        if len(train) + len(group) > train_cutoff:
            if len(train) + len(valid) + len(group) > valid_cutoff:
                test.extend(group)
            else:
                valid.extend(group)
        else:
            train.extend(group)
    if not test or not train:
        side = "test" if not test else "training"
        raise SplitError(
            f"The split left the {side} set empty: one group holds almost every molecule. "
            "Use a random split or another test_size."
        )
    return _result(n, test, valid)


def _scaffold_groups(smiles: Sequence[Any]) -> list[str]:
    from drugml.chem.scaffolds import scaffolds

    # Unparsable molecules share the group "<invalid>"; acyclic ones the empty scaffold.
    return [s if s is not None else "<invalid>" for s in scaffolds(list(smiles))]


def scaffold_split(
    smiles: Sequence[Any],
    test_size: float = 0.2,
    seed: int = 0,
    valid_size: float = 0.0,
    balanced: bool = False,
) -> tuple[np.ndarray, ...]:
    """Split by Bemis-Murcko scaffold: no scaffold is on both sides.

    Deterministic by default (``seed`` is used only with ``balanced=True``).

    >>> smiles = ["c1ccccc1C", "c1ccccc1N", "c1ccncc1", "C1CC1C", "CCO"]
    >>> [p.tolist() for p in scaffold_split(smiles, test_size=0.4)]
    [[0, 1, 2], [3, 4]]
    """
    return _group_split(_scaffold_groups(smiles), test_size, valid_size, seed, balanced)


def tanimoto_neighbours(fps: Sequence[Any], threshold: float) -> list[np.ndarray]:
    """For each fingerprint, the indices of those with Tanimoto similarity >= ``threshold``.

    The same pairs as RDKit's ``BulkTanimotoSimilarity`` gives, computed in
    tiles of matrix products (:func:`drugml.featurize.tanimoto_blocks`).

    >>> from drugml.featurize import bit_fingerprints
    >>> fps = bit_fingerprints(["c1ccccc1CCO", "c1ccccc1CCCO", "CCCCCCCC"])
    >>> [a.tolist() for a in tanimoto_neighbours(fps, 0.4)]
    [[0, 1], [0, 1], [2]]
    """
    from drugml.featurize import fingerprint_bits, tanimoto_blocks

    bits = fingerprint_bits(fps)
    found: list[list[np.ndarray]] = [[] for _ in range(len(fps))]
    for i, j, tile in tanimoto_blocks(bits, bits):
        rows, columns = np.nonzero(tile >= threshold)
        starts = np.flatnonzero(np.diff(rows, prepend=-1))  # rows come sorted
        for row, group in zip(rows[starts], np.split(columns + j, starts[1:]), strict=True):
            found[i + row].append(group)
    return [np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64) for parts in found]


def butina_clusters(smiles: Sequence[Any], threshold: float = 0.65) -> np.ndarray:
    """Butina (Taylor-Butina) clusters of ECFP4 fingerprints; one cluster id per molecule.

    Molecules with Tanimoto similarity >= ``threshold`` are neighbours. The
    molecule with most unassigned neighbours becomes a centroid and takes them;
    repeat. Cluster ids are numbered by size, 0 the largest. Memory grows with
    the number of neighbour pairs, not with n², so ten thousands of molecules fit.

    >>> butina_clusters(["c1ccccc1CCO", "c1ccccc1CCCO", "CCCCCCCC"], threshold=0.4).tolist()
    [0, 0, 1]
    """
    from drugml.featurize import bit_fingerprints

    fps = bit_fingerprints(smiles)
    n = len(fps)
    neighbours = tanimoto_neighbours(fps, threshold)
    order = sorted(range(n), key=lambda i: (-len(neighbours[i]), i))
    assignment = np.full(n, -1, dtype=int)
    clusters: list[list[int]] = []
    for centroid in order:
        if assignment[centroid] >= 0:
            continue
        members = [j for j in neighbours[centroid] if assignment[j] < 0]
        if centroid not in members:
            members.append(centroid)
        for j in members:
            assignment[j] = len(clusters)
        clusters.append(members)
    # Renumber by size so that cluster 0 is the largest.
    ranking = sorted(range(len(clusters)), key=lambda c: (-len(clusters[c]), min(clusters[c])))
    new_id = {old: new for new, old in enumerate(ranking)}
    return np.array([new_id[c] for c in assignment], dtype=int)


def cluster_split(
    smiles: Sequence[Any],
    test_size: float = 0.2,
    seed: int = 0,
    valid_size: float = 0.0,
    threshold: float = 0.65,
    balanced: bool = True,
) -> tuple[np.ndarray, ...]:
    """Split by Butina cluster (ECFP4 Tanimoto >= ``threshold``): no cluster on both sides.

    >>> smiles = ["c1ccccc1CCO", "c1ccccc1CCCO", "CCCCCCCC", "CCCCCCCCC"]
    >>> [p.tolist() for p in cluster_split(smiles, test_size=0.5, threshold=0.4, balanced=False)]
    [[0, 1], [2, 3]]
    """
    groups = butina_clusters(smiles, threshold).tolist()
    return _group_split(groups, test_size, valid_size, seed, balanced)


class _GroupKFold:
    """Grouped K-fold over SMILES, usable as ``cv=`` in scikit-learn."""

    def __init__(self, n_splits: int = 5) -> None:
        self.n_splits = n_splits

    def _groups(self, smiles: Sequence[Any]) -> list:
        raise NotImplementedError

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return self.n_splits

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train, test)`` index arrays; ``X`` holds the SMILES (1-D or one column)."""
        from sklearn.model_selection import GroupKFold

        from drugml.featurize import as_molecule_list

        smiles = as_molecule_list(X)
        if len(smiles) < self.n_splits:
            raise SplitError(f"Cannot make {self.n_splits} folds from {len(smiles)} molecules")
        group_ids = self._groups(smiles)
        n_groups = len(set(group_ids))
        if n_groups < self.n_splits:
            raise SplitError(
                f"Cannot make {self.n_splits} folds from {n_groups} groups "
                f"({type(self).__name__}); use fewer folds"
            )
        yield from GroupKFold(n_splits=self.n_splits).split(smiles, y, group_ids)


class ScaffoldKFold(_GroupKFold):
    """K-fold cross-validation where each scaffold is in exactly one test fold.

    >>> from sklearn.model_selection import cross_val_score  # doctest: +SKIP
    >>> cross_val_score(pipeline, smiles, y, cv=ScaffoldKFold(5))  # doctest: +SKIP
    """

    def _groups(self, smiles: Sequence[Any]) -> list:
        return _scaffold_groups(smiles)


class ClusterKFold(_GroupKFold):
    """K-fold cross-validation over Butina clusters (ECFP4 Tanimoto >= ``threshold``)."""

    def __init__(self, n_splits: int = 5, threshold: float = 0.65) -> None:
        super().__init__(n_splits)
        self.threshold = threshold

    def _groups(self, smiles: Sequence[Any]) -> list:
        return butina_clusters(smiles, self.threshold).tolist()
