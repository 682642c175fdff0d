"""drugml.models.split: seeded, deterministic, no scaffold or cluster on both sides."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

from drugml import data
from drugml.chem.scaffolds import scaffolds
from drugml.featurize import ECFP
from drugml.models.split import (
    ClusterKFold,
    ScaffoldKFold,
    butina_clusters,
    cluster_split,
    random_split,
    scaffold_split,
)

EGFR = data.load("egfr_compounds").iloc[::4].reset_index(drop=True)
SMILES = EGFR["smiles"].tolist()


def _is_partition(parts, n):
    joined = np.concatenate(parts)
    return sorted(joined.tolist()) == list(range(n)) and all(np.all(np.diff(p) > 0) for p in parts)


@pytest.mark.parametrize("split", [random_split, scaffold_split, cluster_split])
def test_splits_partition_indices_with_requested_sizes(split):
    train, valid, test = split(SMILES, test_size=0.2, valid_size=0.1, seed=3)
    assert _is_partition([train, valid, test], len(SMILES))
    assert abs(len(test) / len(SMILES) - 0.2) < 0.03
    assert abs(len(valid) / len(SMILES) - 0.1) < 0.03
    again = split(SMILES, test_size=0.2, valid_size=0.1, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((train, valid, test), again, strict=True))


def test_scaffold_split_keeps_scaffolds_on_one_side_and_big_series_in_training():
    train, test = scaffold_split(SMILES, test_size=0.2)
    groups = np.array(scaffolds(SMILES), dtype=object)
    assert not set(groups[train]) & set(groups[test])
    largest = max(set(groups), key=list(groups).count)
    assert largest in set(groups[train])  # DeepChem convention
    balanced = scaffold_split(SMILES, test_size=0.2, balanced=True, seed=1)
    other = scaffold_split(SMILES, test_size=0.2, balanced=True, seed=2)
    assert not np.array_equal(balanced[1], other[1])  # the seed matters when balanced
    assert not set(groups[balanced[0]]) & set(groups[balanced[1]])


def test_cluster_split_keeps_clusters_apart():
    clusters = butina_clusters(SMILES, threshold=0.65)
    train, test = cluster_split(SMILES, test_size=0.2, threshold=0.65)
    assert not set(clusters[train]) & set(clusters[test])
    assert clusters.min() == 0 and np.bincount(clusters)[0] == np.bincount(clusters).max()


def test_random_split_differs_by_seed():
    assert not np.array_equal(random_split(SMILES, seed=1)[1], random_split(SMILES, seed=2)[1])


def test_kfold_splitters_work_with_cross_val_score():
    pipeline = Pipeline([("ecfp", ECFP(n_bits=512)), ("ridge", Ridge(alpha=30.0))])
    for cv in (ScaffoldKFold(4), ClusterKFold(4)):
        folds = list(cv.split(SMILES))
        assert len(folds) == 4
        groups = np.array(scaffolds(SMILES), dtype=object)
        if isinstance(cv, ScaffoldKFold):
            for train, test in folds:
                assert not set(groups[train]) & set(groups[test])
        scores = cross_val_score(pipeline, SMILES, EGFR["pIC50"], cv=cv)
        assert np.isfinite(scores).all()


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least 2 molecules"):
        random_split(["CCO"])
    with pytest.raises(ValueError, match="test_size"):
        scaffold_split(SMILES, test_size=1.5)
    with pytest.raises(ValueError, match="Cannot make 5 folds from 3 molecules"):
        list(ScaffoldKFold(5).split(["CCO", "CCN", "c1ccccc1"]))
    with pytest.raises(ValueError, match="from 1 groups"):
        list(ScaffoldKFold(2).split(["c1ccccc1C", "c1ccccc1N", "c1ccccc1O"]))
    with pytest.raises(ValueError, match="one group holds almost every molecule"):
        scaffold_split(["c1ccccc1C", "c1ccccc1N", "c1ccccc1O", "c1ccccc1F"], test_size=0.2)
