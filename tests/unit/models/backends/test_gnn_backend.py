"""drugml.models.backends.gnn_backend: the D-MPNN's weights as NPZ arrays (the ``deep`` extra)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from drugml.models.backends import get_backend

HAS_DEEP = all(importlib.util.find_spec(m) for m in ("torch", "torch_geometric"))
TINY = {"epochs": 2, "hidden": 32, "batch_size": 50}


@pytest.mark.skipif(not HAS_DEEP, reason="the deep extra is not installed")
def test_weights_saved_as_arrays_and_loaded_unchanged(round_trip):
    files, before, after = round_trip(estimator="gnn", estimator_params=TINY)
    assert files == ["MODEL_CARD.md", "gnn_weights.npz", "metadata.json", "training_set.npz"]
    assert before.equals(after)


def test_defaults_are_the_estimators_own():
    from drugml.models.gnn import DMPNNEstimator

    params = get_backend("gnn").default_params("regression")
    assert params == {
        k: v for k, v in DMPNNEstimator().get_params().items() if k not in ("task", "random_state")
    }
    assert params["epochs"] == 50 and params["hidden"] == 300


@pytest.mark.skipif(not HAS_DEEP, reason="the deep extra is not installed")
def test_a_fit_uses_the_threads_it_is_given_and_restores_torchs(monkeypatch):
    import torch

    from drugml.models.gnn import DMPNNEstimator

    seen = []

    def fit(self, mols, y):
        seen.append(torch.get_num_threads())
        return self

    monkeypatch.setattr(DMPNNEstimator, "fit", fit)
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # a machine-wide pool, as a user's session has
    try:
        backend = get_backend("gnn")
        for threads in (1, -1):
            backend.fit(
                [], np.zeros(0), task="regression", params={}, random_state=0, threads=threads
            )
            assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == [1, 2]  # n_jobs=1: one thread; -1: the pool as it was
