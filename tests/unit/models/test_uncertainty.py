"""Adaptive conformal intervals: valid by similarity stratum, wider far from the training data."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from drugml import data
from drugml.models import ModelInputError, PropertyModel, choose_target_transform
from drugml.models.uncertainty import SimilarityConformal, conformal_quantile

FAST = {"n_estimators": 40}


def _heteroscedastic(n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    similarity = rng.uniform(0.05, 0.95, n)
    errors = rng.normal(0.0, 0.2 + 2.0 * (1 - similarity))  # far from the data: bigger errors
    return similarity, errors


def test_coverage_holds_in_every_similarity_stratum_and_widths_grow_with_distance():
    similarity, errors = _heteroscedastic()
    calibrator = SimilarityConformal(coverage=0.9).fit(
        errors, np.zeros_like(errors), similarity, domain_threshold=0.1
    )
    test_similarity, test_errors = _heteroscedastic(seed=1)
    half = calibrator.half_width(test_similarity)
    inside = np.abs(test_errors) <= half
    for low, high in ((0.0, 0.1), (0.1, 0.4), (0.4, 0.7), (0.7, 1.0)):
        stratum = (test_similarity >= low) & (test_similarity < high)
        assert abs(inside[stratum].mean() - 0.9) < 0.04, (low, high, inside[stratum].mean())
    # A constant width over-covers near the data and under-covers far from it.
    constant = np.abs(test_errors) <= conformal_quantile(errors, 0.9)
    assert constant[test_similarity < 0.2].mean() < 0.85 < constant[test_similarity > 0.8].mean()
    assert np.all(np.diff(calibrator.half_width(np.linspace(0, 1, 50))) <= 1e-12)
    # Less similar than any calibration molecule: the widest interval, never none.
    assert calibrator.half_width(np.array([0.0]))[0] == half.max()


def test_round_trip_and_a_tiny_calibration_set():
    similarity, errors = _heteroscedastic(400)
    calibrator = SimilarityConformal().fit(errors, np.zeros(400), similarity)
    again = SimilarityConformal.from_dict(json.loads(json.dumps(calibrator.to_dict())))
    grid = np.linspace(0, 1, 11)
    np.testing.assert_array_equal(again.half_width(grid), calibrator.half_width(grid))
    small = SimilarityConformal().fit(errors[:30], np.zeros(30), similarity[:30])
    assert len(small.quantiles_) == 1 and np.isfinite(small.half_width(grid)).all()


@pytest.fixture(scope="module")
def esol():
    table = data.load("esol")
    return (
        table["smiles"].str.strip().tolist(),
        table["measured log solubility in mols per litre"].to_numpy(),
    )


def test_a_model_gives_wider_intervals_to_molecules_unlike_its_training_data(esol, tmp_path):
    smiles, y = esol
    model = PropertyModel(estimator="xgboost", estimator_params=FAST).fit(smiles[:700], y[:700])
    new = model.predict([*smiles[700:900], "C1CCC2(CC1)OCCO2", "O=C(O)c1ccccc1"])
    width = (new["upper"] - new["lower"]).to_numpy()
    assert width.std() > 0.05  # not one width for every molecule
    from scipy.stats import spearmanr

    assert spearmanr(width, new["nearest_similarity"]).statistic < -0.3
    # Saved and loaded: the same intervals; the card says how they adapt.
    loaded = PropertyModel.load(model.save(tmp_path / "m"))
    again = loaded.predict(smiles[700:900])
    np.testing.assert_allclose(again["upper"], new["upper"][:200])
    card = (tmp_path / "m" / "MODEL_CARD.md").read_text()
    assert "adaptive conformal interval" in card and "Half-width by local similarity" in card


def test_a_model_saved_with_one_width_still_loads_and_keeps_it(esol, tmp_path):
    smiles, y = esol
    directory = (
        PropertyModel(estimator="xgboost", estimator_params=FAST)
        .fit(smiles[:300], y[:300])
        .save(tmp_path / "m")
    )
    meta = json.loads((directory / "metadata.json").read_text())
    meta["interval_calibrator"], meta["conformal_quantile"] = None, 1.25
    for key in ("target_transform", "target_transform_note"):
        meta.pop(key)
    meta["params"].pop("target_transform")
    (directory / "metadata.json").write_text(json.dumps(meta))
    old = PropertyModel.load(directory).predict(smiles[300:320])
    np.testing.assert_allclose(old["upper"] - old["lower"], 2.5)


def test_a_skewed_positive_target_is_fitted_on_the_log_scale_and_said_so(esol):
    smiles, y = esol
    half_life = 10 ** (-0.5 * y)  # strictly positive, lognormal-like
    with pytest.warns(UserWarning, match="fitted on log10 of it"):
        model = PropertyModel(estimator="xgboost", estimator_params=FAST).fit(
            smiles[:400], half_life[:400]
        )
    assert model.target_transform_ == "log"
    out = model.predict(smiles[400:450])
    assert (out["lower"] > 0).all() and (out["lower"] <= out["prediction"]).all()
    assert (out["prediction"] <= out["upper"]).all()
    # Multiplicative intervals: wider above the prediction than below it.
    assert ((out["upper"] - out["prediction"]) > (out["prediction"] - out["lower"])).mean() > 0.9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = PropertyModel(estimator="xgboost", estimator_params=FAST, target_transform=None)
        plain.fit(smiles[:400], half_life[:400])
    assert plain.target_transform_ is None
    assert choose_target_transform(y, "auto") == (None, None)  # log solubility: no transform


def test_bad_targets_are_clear_errors_or_warnings(esol):
    smiles, y = esol
    with pytest.raises(ModelInputError, match=r"needs strictly positive targets; .* are not"):
        PropertyModel(target_transform="log", estimator="xgboost", estimator_params=FAST).fit(
            smiles[:100], y[:100]
        )
    with pytest.raises(ModelInputError, match="target_transform must be one of"):
        PropertyModel(target_transform="sqrt").fit(smiles[:100], y[:100])
    with pytest.raises(ModelInputError, match="two classes labelled 0 and 1; the targets have 1"):
        PropertyModel(task="classification").fit(smiles[:100], np.ones(100))
    with pytest.warns(UserWarning, match="40 usable molecules"):
        PropertyModel(estimator="xgboost", estimator_params=FAST).fit(smiles[:40], y[:40])
    targets = y[:120].copy()
    targets[:3] = [np.nan, np.inf, -np.inf]
    with pytest.warns(UserWarning, match="3 missing or infinite targets"):
        model = PropertyModel(estimator="xgboost", estimator_params=FAST).fit(smiles[:120], targets)
    assert model.training_info_["n_molecules"] == 117
