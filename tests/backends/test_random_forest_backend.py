"""drugml.models.backends.random_forest_backend: skops on disk, only trusted types loaded."""

from __future__ import annotations

import pytest

from drugml.models import ModelLoadError, PropertyModel


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_saved_with_skops_and_loaded_unchanged(round_trip, task):
    files, before, after = round_trip(task, estimator="random_forest",
                                      estimator_params={"n_estimators": 30})  # fmt: skip
    assert files == ["MODEL_CARD.md", "metadata.json", "model.skops", "training_set.npz"]
    assert before.equals(after)


def test_a_file_with_foreign_types_is_refused(esol_small, tmp_path):
    from fractions import Fraction

    import skops.io

    smiles, y, _ = esol_small
    model = PropertyModel(estimator="random_forest", estimator_params={"n_estimators": 5})
    path = model.fit(smiles[:60], y[:60]).save(tmp_path / "forest")
    skops.io.dump({"model": model.estimator_, "extra": Fraction(1, 3)}, path / "model.skops")
    with pytest.raises(ModelLoadError, match=r"unexpected object types.*fractions\.Fraction"):
        PropertyModel.load(path)
