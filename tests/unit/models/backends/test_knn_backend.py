"""drugml.models.backends.knn_backend: the Tanimoto kNN, rebuilt from the saved training set."""

from __future__ import annotations

import numpy as np
import pytest

from drugml.featurize import bit_fingerprints
from drugml.models.backends.knn_backend import TanimotoKNN


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_writes_no_file_of_its_own_and_loads_unchanged(round_trip, task):
    files, before, after = round_trip(task, estimator="knn")
    assert files == ["MODEL_CARD.md", "metadata.json", "training_set.npz"]
    assert before.equals(after)


def test_predicts_the_similarity_weighted_mean_of_the_nearest():
    fps = bit_fingerprints(["CCO", "CCCO", "CCCCO", "c1ccccc1"])
    knn = TanimotoKNN(k=2).fit(fps[:3], [1.0, 2.0, 3.0])
    assert knn.predict_value(fps[:1])[0] == pytest.approx(1.0, abs=0.5)
    # k larger than the training set: every training molecule counts.
    assert np.isfinite(TanimotoKNN(k=10).fit(fps[:2], [1.0, 2.0]).predict_value(fps)).all()
