"""Classification you can trust: class-conditional conformal prediction sets (their coverage
per class, persistence, the ADMET panel's table), reliability curves and their plot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from drugml import data
from drugml.models import ModelInputError, PropertyModel
from drugml.models._conformal_sets import (
    CLASS_NAMES,
    class_p_values,
    fit_class_conformal,
    prediction_sets,
)
from drugml.models.metrics import expected_calibration_error, reliability_curve, set_coverage


def _calibrated(n: int, seed: int, positive_rate: float = 0.2):
    """Calibrated probabilities of an imbalanced problem and classes drawn from them."""
    rng = np.random.default_rng(seed)
    probability = rng.beta(positive_rate * 4, (1 - positive_rate) * 4, n)
    return probability, (rng.random(n) < probability).astype(int)


@pytest.mark.parametrize("coverage", [0.9, 0.8])
def test_sets_hold_each_class_at_the_nominal_coverage_on_new_data(coverage):
    calibration, calibration_y = _calibrated(2000, seed=0)
    state = fit_class_conformal(calibration, calibration_y, coverage)
    new, new_y = _calibrated(20000, seed=1)
    sets, size = prediction_sets(state, new)
    found = set_coverage(new_y, sets)
    # per class, the rare one (20 %) included: within a few points of nominal, not far above
    for name in CLASS_NAMES:
        assert coverage - 0.03 <= found[f"coverage_{name}"] <= coverage + 0.04, found
    assert found["mean_set_size"] == pytest.approx(size.mean())


def test_p_values_follow_the_definition():
    calibration, calibration_y = _calibrated(60, seed=2, positive_rate=0.4)
    state = fit_class_conformal(calibration, calibration_y, 0.9)
    new = np.array([0.0, 0.05, 0.3, 0.5, 0.77, 1.0, *calibration[:5]])
    expected = np.empty((len(new), 2))
    for label in (0, 1):
        own = calibration[calibration_y == label] if label else 1 - calibration[calibration_y == 0]
        scores = 1 - own  # nonconformity: 1 - p(own class)
        for i, p in enumerate(new):
            score = 1 - (p if label else 1 - p)
            expected[i, label] = (np.sum(scores >= score) + 1) / (len(scores) + 1)
    np.testing.assert_allclose(class_p_values(state, new), expected)


def test_set_names_and_sizes():
    # well separated classes of 19 each: the smallest p-value is 1/20 = 0.05
    inactive, active = np.linspace(0.05, 0.65, 19), np.linspace(0.35, 0.95, 19)
    state = fit_class_conformal(np.r_[inactive, active], np.r_[[0] * 19, [1] * 19], 0.9)
    sets, size = prediction_sets(state, np.array([0.99, 0.5, 0.01]))
    assert sets.tolist() == ["active", "active|inactive", "inactive"]
    assert size.tolist() == [1, 2, 1]
    # a low coverage leaves molecules between the classes with no plausible class
    low = fit_class_conformal(np.r_[inactive, active], np.r_[[0] * 19, [1] * 19], 0.3)
    sets, size = prediction_sets(low, np.array([0.5]))
    assert sets.tolist() == [""] and size.tolist() == [0]
    with pytest.raises(ModelInputError, match="coverage"):
        fit_class_conformal(np.array([0.5]), np.array([1]), 1.0)


@pytest.fixture(scope="module")
def herg():
    """A kNN hERG classifier on 520 molecules (the last 100 held out as its test fold)."""
    table = data.load("herg").sample(frac=1.0, random_state=0)
    smiles, y = table["smiles"].tolist(), table["y"].to_numpy().astype(int)
    model = PropertyModel(task="classification", estimator="knn", calibration_folds=4)
    model.fit(smiles[:520], y[:520], held_out=range(420, 520))
    return model, smiles[520:], y[520:]


def test_predict_gives_sets_that_cover_each_class_of_new_molecules(herg):
    model, smiles, y = herg
    out = model.predict([*smiles, "not a smiles"])
    assert list(out.columns[:4]) == ["prediction", "probability", "prediction_set", "set_size"]
    assert {"nearest_similarity", "in_domain"} <= set(out.columns)  # the domain, as regression
    good = out.iloc[:-1]
    assert set(good["prediction_set"]) <= {"active", "inactive", "active|inactive", ""}
    sizes = good["prediction_set"].map(lambda s: len(s.split("|")) if s else 0)
    assert (sizes == good["set_size"]).all()
    assert pd.isna(out["prediction_set"].iloc[-1]) and out["set_size"].isna().iloc[-1]
    assert str(out["set_size"].dtype) == "Int64"
    # 135 new molecules of the same data set: generous bounds around the nominal 90 %
    found = set_coverage(y, good["prediction_set"])
    assert found["coverage_active"] >= 0.8 and found["coverage_inactive"] >= 0.75, found
    held = model.held_out_predictions_
    assert list(held.columns[:4]) == ["prediction", "probability", "prediction_set", "set_size"]
    assert set_coverage(model.training_targets_[420:520], held["prediction_set"])["coverage"] > 0.8


def test_the_sets_are_saved_as_json_and_predict_the_same_after_loading(herg, tmp_path):
    model, smiles, _ = herg
    directory = model.save(tmp_path / "herg")
    meta = json.loads((directory / "metadata.json").read_text())
    state = meta["calibrator"]["prediction_sets"]  # beside the Platt scaling it is fitted on
    assert set(meta["calibrator"]) == {"slope", "intercept", "prediction_sets"}
    assert state["coverage"] == model.coverage
    counts = {name: len(state["scores"][name]) for name in CLASS_NAMES}
    assert sum(counts.values()) == 520
    card = (directory / "MODEL_CARD.md").read_text()
    assert "conformal prediction sets" in card and f"{counts['active']:,} active" in card
    loaded = PropertyModel.load(directory)
    pd.testing.assert_frame_equal(loaded.predict(smiles[:30]), model.predict(smiles[:30]))


def test_a_model_saved_before_sets_predicts_without_them(herg, tmp_path):
    model, smiles, _ = herg
    directory = model.save(tmp_path / "old")
    meta_file = directory / "metadata.json"
    meta = json.loads(meta_file.read_text())
    del meta["calibrator"]["prediction_sets"]
    meta_file.write_text(json.dumps(meta))
    out = PropertyModel.load(directory).predict(smiles[:5])
    assert "prediction_set" not in out and "probability" in out


def test_the_admet_table_carries_the_set_of_classification_endpoints(herg):
    from drugml.models.admet import ENDPOINTS, AdmetPanel

    model, smiles, _ = herg
    table = data.load("caco2_wang").head(200)
    caco2 = PropertyModel(estimator="knn", calibration_folds=3).fit(table["smiles"], table["y"])
    quantiles = {name: np.linspace(0, 1, 101) for name in ("herg", "caco2_wang")}
    panel = AdmetPanel(
        {name: ENDPOINTS[name] for name in quantiles},
        {"herg": model, "caco2_wang": caco2},
        quantiles,
    )
    tidy = panel.predict([smiles[0], "not a smiles"])
    herg_rows = tidy[tidy["endpoint"] == "herg"]
    first = herg_rows.iloc[0]
    assert first["prediction_set"] in {"active", "inactive", "active|inactive", ""}
    assert first["set_size"] == len(first["prediction_set"].split("|"))
    assert tidy.loc[~tidy["ok"], "prediction_set"].isna().all()
    assert tidy.loc[tidy["endpoint"] == "caco2_wang", "prediction_set"].isna().all()
    assert list(tidy.columns[7:9]) == ["prediction_set", "set_size"]
    wide = panel.predict_wide([smiles[0]])
    assert wide["herg_prediction_set"].iloc[0] == first["prediction_set"]
    assert wide["herg_set_size"].iloc[0] == first["set_size"]
    assert panel.predict([]).columns.tolist()[7:9] == ["prediction_set", "set_size"]


def test_reliability_curve_and_calibration_error():
    probability, y = _calibrated(20000, seed=3, positive_rate=0.5)
    curve = reliability_curve(y, probability, n_bins=10)
    assert list(curve.columns) == [
        "bin_lower",
        "bin_upper",
        "mean_predicted",
        "observed_fraction",
        "count",
    ]
    assert len(curve) == 10 and curve["count"].sum() == 20000
    filled = curve[curve["count"] > 100]
    np.testing.assert_allclose(filled["observed_fraction"], filled["mean_predicted"], atol=0.05)
    assert expected_calibration_error(y, probability) < 0.02
    overconfident = np.clip(0.5 + 1.8 * (probability - 0.5), 0, 1)
    assert expected_calibration_error(y, overconfident) > 0.1
    # a probability of exactly 1 is in the last bin; empty bins have no means
    edge = reliability_curve([1, 0], [1.0, 0.0], n_bins=4)
    assert edge["count"].tolist() == [1.0, 0.0, 0.0, 1.0]
    assert edge["mean_predicted"].isna().tolist() == [False, True, True, False]
    with pytest.raises(ModelInputError, match="0 or 1"):
        reliability_curve([2, 0], [0.5, 0.5])
    with pytest.raises(ModelInputError, match=r"\[0, 1\]"):
        expected_calibration_error([1, 0], [1.5, 0.5])


def test_reliability_plot_compares_models_on_one_axes():
    from drugml.viz import VisualizationError, reliability_plot

    probability, y = _calibrated(500, seed=4, positive_rate=0.5)
    ax = reliability_plot(y, probability, label="calibrated")
    reliability_plot(y, probability**2, ax=ax, label="shifted")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("calibrated ECE") and labels[1].startswith("shifted ECE")
    assert ax.get_xlabel() == "mean predicted probability"
    with pytest.raises(VisualizationError, match="reliability_plot"):
        reliability_plot([0, 1], [0.5])
    import matplotlib.pyplot as plt

    plt.close(ax.figure)  # other tests check that figures they make are closed
