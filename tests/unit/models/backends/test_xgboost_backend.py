"""drugml.models.backends.xgboost_backend: XGBoost JSON on disk, the sparse fingerprint layout."""

from __future__ import annotations

import numpy as np
import pytest

from drugml.models.backends import get_backend


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_saved_as_xgboost_json_and_loaded_unchanged(round_trip, task):
    files, before, after = round_trip(task, estimator_params={"n_estimators": 30})
    assert files == ["MODEL_CARD.md", "metadata.json", "model.json", "training_set.npz"]
    assert before.equals(after)


def test_defaults_and_what_the_card_leaves_out():
    backend = get_backend("xgboost")
    assert backend.default_params("classification")["eval_metric"] == "logloss"
    assert "eval_metric" not in backend.default_params("regression")
    assert set(backend.card_hidden_params) == {"tree_method", "eval_metric"}
    assert set(backend.versions()) == {"xgboost"}


def test_only_the_sparse_layout_changes_the_matrix():
    from drugml.featurize import ECFP

    backend, featurizer = get_backend("xgboost"), ECFP(n_bits=8)
    features = np.array([[0.0, 2.0, 0, 0, 0, 0, 0, 1.0]])
    assert backend.lay_out(features, "dense", featurizer) is features
    sparse = backend.lay_out(features, backend.input_layout(featurizer), featurizer)
    assert sparse.nnz == 2 and np.array_equal(sparse.toarray(), features)
