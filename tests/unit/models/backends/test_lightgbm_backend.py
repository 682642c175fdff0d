"""drugml.models.backends.lightgbm_backend: LightGBM's text model on disk, deterministic fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugml.campaign.config import ModelConfig, estimator_names
from drugml.errors import DrugmlError
from drugml.models import ModelLoadError, PropertyModel
from drugml.models.backends import available_backends, get_backend
from drugml.models.backends.auto_backend import MENU

QUICK = {"n_estimators": 50}


def _model(task: str = "regression", **params) -> PropertyModel:
    params.setdefault("estimator_params", QUICK)
    return PropertyModel(task=task, estimator="lightgbm", calibration_folds=3, **params)


def test_registered_but_not_in_the_auto_menu():
    assert "lightgbm" in available_backends() and "lightgbm" in estimator_names()
    assert "lightgbm" not in MENU
    backend = get_backend("lightgbm")
    assert backend.input_kind == "features" and set(backend.versions()) == {"lightgbm"}
    defaults = backend.default_params("classification")
    assert defaults["deterministic"] and defaults["force_row_wise"]
    assert defaults["verbosity"] == -1


def test_a_campaign_model_may_name_it():
    data = {"table": "t", "target_column": "y"}
    config = ModelConfig(name="a", data=data, estimator="lightgbm")
    assert config.estimator == "lightgbm" and config.task == "regression"
    with pytest.raises(ValueError, match="does not take estimator_params"):
        ModelConfig(name="a", data=data, estimator="lightgbm", estimator_params={"n_trees": 5})


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_saved_as_lightgbm_text_and_loaded_unchanged(round_trip, task):
    files, before, after = round_trip(task, estimator="lightgbm", estimator_params=QUICK)
    assert files == ["MODEL_CARD.md", "metadata.json", "model.txt", "training_set.npz"]
    pd.testing.assert_frame_equal(before, after)


def test_fit_predict_regression_is_deterministic(esol_small):
    smiles, y, new = esol_small
    first = _model(random_state=3).fit(smiles, y)
    again = _model(random_state=3).fit(smiles, y)
    out = first.predict(new)
    assert out["ok"].all() and np.isfinite(out["prediction"]).all()
    pd.testing.assert_frame_equal(out, again.predict(new))
    assert first.cv_metrics_["rmse"] < 1.5  # log solubility spans about 10 units
    other = _model(random_state=4).fit(smiles, y).predict(new)
    assert not np.array_equal(out["prediction"], other["prediction"])  # the seed is used


def test_classification_gives_probabilities(esol_small):
    smiles, y, new = esol_small
    model = _model("classification").fit(smiles, (y < -3).astype(int))
    out = model.predict(new)
    probability = out["probability"].to_numpy()
    assert np.isfinite(probability).all()
    assert ((probability >= 0) & (probability <= 1)).all()


def test_an_unknown_setting_is_named(esol_small):
    smiles, y, _ = esol_small
    with pytest.raises(DrugmlError, match=r"does not take estimator_params \['n_trees'\]"):
        _model(estimator_params={"n_trees": 5}).fit(smiles, y)
    with pytest.raises(DrugmlError, match=r"\['random_state'\]"):
        _model(estimator_params={"random_state": 5}).fit(smiles, y)


def test_a_model_file_of_the_other_task_or_garbage_is_refused(esol_small, tmp_path):
    smiles, y, _ = esol_small
    path = (
        _model(estimator_params={"n_estimators": 5}).fit(smiles[:60], y[:60]).save(tmp_path / "m")
    )
    text = (path / "model.txt").read_text()
    (path / "model.txt").write_text(text.replace("objective=regression", "objective=binary"))
    with pytest.raises(ModelLoadError, match="objective 'binary'"):
        PropertyModel.load(path)
    (path / "model.txt").write_text("objective=regression\nnot a model\n")
    with pytest.raises(ModelLoadError, match="not a LightGBM text model"):
        PropertyModel.load(path)
    (path / "model.txt").unlink()
    with pytest.raises(ModelLoadError, match=r"no model\.txt"):
        PropertyModel.load(path)
