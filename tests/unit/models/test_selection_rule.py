"""The rule of estimator="auto": the ensemble unless a member beats it beyond noise, the noise
measured by a paired bootstrap on the same out-of-fold predictions."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from drugml.models._card import _selection_lines
from drugml.models._folds import (
    BOOTSTRAP_DRAWS,
    SELECTION_RULE,
    _bootstrap_weights,
    select_candidate,
    weighted_roc_auc,
)
from drugml.models.backends.auto_backend import ENSEMBLE, MENU

N = 1000
ALL = np.ones(N, dtype=bool)


def _classification(member_noise: dict[str, float], seed: int = 0):
    """Labels from a latent score, and each member's prediction: the score plus its noise."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=N)
    y = (latent + rng.normal(0, 0.5, N) > 0).astype(int)
    members = {name: latent + rng.normal(0, sd, N) for name, sd in member_noise.items()}
    return members, y


def test_a_member_clearly_better_than_the_ensemble_is_chosen():
    # knn sees the latent score; the other two are mostly noise and drag the mean down
    members, y = _classification({"xgboost": 3.0, "random_forest": 3.0, "knn": 0.1})
    choice, selection = select_candidate(members, y, ALL, "classification")
    assert choice == "knn"
    found = selection["differences"]["knn"]
    assert found["beyond_noise"] and found["lower_bound"] > 0
    assert found["difference"] == pytest.approx(
        selection["scores"]["knn"] - selection["scores"][ENSEMBLE]
    )
    assert selection["rule"] == SELECTION_RULE and selection["chosen"] == "knn"


def test_a_member_better_only_within_noise_leaves_the_ensemble():
    # Three near-identical members: one is a hair better than the mean, by noise alone.
    rng = np.random.default_rng(3)
    y = rng.normal(size=N)
    base = y + rng.normal(0, 1.0, N)
    members = {
        "xgboost": base + rng.normal(0, 0.05, N),
        "random_forest": base + rng.normal(0, 0.3, N),
        "knn": base + rng.normal(0, 0.3, N),
    }
    choice, selection = select_candidate(members, y, ALL, "regression")
    scores = selection["scores"]
    best = min(scores, key=scores.get)
    assert best != ENSEMBLE  # the old rule (best pooled score) would have taken a member
    found = selection["differences"][best]
    assert found["difference"] > 0 and not found["beyond_noise"]
    assert found["lower_bound"] < 0 < found["standard_error"]
    assert choice == ENSEMBLE and selection["chosen"] == ENSEMBLE


def test_equally_good_members_leave_the_ensemble_for_classification_too():
    members, y = _classification({name: 1.0 for name in MENU}, seed=1)
    choice, selection = select_candidate(members, y, ALL, "classification")
    assert choice == ENSEMBLE
    assert set(selection["differences"]) == set(MENU)
    assert set(selection["scores"]) == {*MENU, ENSEMBLE}


def test_the_choice_and_its_numbers_are_deterministic():
    members, y = _classification({"xgboost": 0.8, "random_forest": 0.9, "knn": 1.2}, seed=2)
    groups = [f"scaffold{i % 60}" for i in range(N)]
    first = select_candidate(members, y, ALL, "classification", groups)
    again = select_candidate(members, y, ALL, "classification", groups)
    assert first == again


def test_only_the_scored_molecules_count():
    members, y = _classification({"xgboost": 3.0, "random_forest": 3.0, "knn": 0.1})
    scored = np.arange(N) < 600
    _, selection = select_candidate(members, y, scored, "classification")
    assert selection["n_molecules"] == 600
    assert selection["scores"]["knn"] == pytest.approx(roc_auc_score(y[:600], members["knn"][:600]))


def test_scaffolds_are_resampled_whole_and_widen_the_noise():
    # The member's advantage lives in a few large scaffolds: resampling molecules
    # underestimates how much it would move with other scaffolds.
    rng = np.random.default_rng(4)
    groups = np.repeat(np.arange(25), N // 25).astype(str)
    y = rng.normal(size=N)
    shift = rng.normal(0, 0.6, 25)[np.repeat(np.arange(25), N // 25)]
    members = {
        "xgboost": y + shift + rng.normal(0, 0.5, N),
        "random_forest": y + rng.normal(0, 1.0, N),
        "knn": y + rng.normal(0, 1.0, N),
    }
    _, by_molecule = select_candidate(members, y, ALL, "regression")
    _, by_scaffold = select_candidate(members, y, ALL, "regression", groups)
    assert "25 scaffolds" in by_scaffold["noise"] and f"{N:,} molecules" in by_molecule["noise"]
    wide = by_scaffold["differences"]["xgboost"]["standard_error"]
    narrow = by_molecule["differences"]["xgboost"]["standard_error"]
    assert wide > 1.5 * narrow
    # Fewer than 20 scaffolds: too few to resample, molecules are.
    _, few = select_candidate(members, y, ALL, "regression", (np.arange(N) % 5).astype(str))
    assert f"{N:,} molecules" in few["noise"]


def test_weighted_roc_auc_is_scikit_learns_with_sample_weights_and_ties():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 500)
    score = np.round(rng.random(500) + 0.3 * y, 1)  # many ties
    weights = _bootstrap_weights(np.arange(500))[:5]
    ours = weighted_roc_auc(y, score, weights)
    theirs = [roc_auc_score(y, score, sample_weight=w) for w in weights]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    one_class = np.zeros((1, 500))
    one_class[0, y == 1] = 1.0
    assert np.isnan(weighted_roc_auc(y, score, one_class))[0]


def test_the_bootstrap_is_cheap():
    members, y = _classification({name: 1.0 for name in MENU})
    big = {name: np.tile(p, 4) for name, p in members.items()}
    start = time.perf_counter()
    select_candidate(big, np.tile(y, 4), np.ones(4 * N, dtype=bool), "classification")
    assert time.perf_counter() - start < 1.0  # 4,000 molecules, 4 candidates x 200 draws
    assert BOOTSTRAP_DRAWS <= 200


def test_the_card_states_the_rule_the_choice_and_each_difference():
    members, y = _classification({"xgboost": 3.0, "random_forest": 3.0, "knn": 0.1})
    _, selection = select_candidate(members, y, ALL, "classification")
    text = "\n".join(_selection_lines(selection))
    assert f"Rule: {SELECTION_RULE}. Chosen: **knn**." in text
    assert "- mean (the ensemble: the members' mean): ROC-AUC" in text
    knn = selection["differences"]["knn"]
    assert f"advantage over the ensemble {knn['difference']:+.3f}" in text
    assert f"(lower bound {knn['lower_bound']:+.3f}): beats the ensemble beyond noise" in text
    assert "no better than the ensemble" in text  # the two noisy members


def test_a_selection_saved_before_the_rule_still_reads():
    old = {
        "chosen": "xgboost",
        "metric": "rmse",
        "scores": {"xgboost": 0.61, "mean": 0.62},
        "n_molecules": 100,
        "how": "out-of-fold predictions",
    }
    text = "\n".join(_selection_lines(old))
    assert "Chosen: **xgboost**, by RMSE" in text and "- mean: RMSE 0.620" in text
