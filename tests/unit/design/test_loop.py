"""The retrospective loop: its bookkeeping, its use of next_batch, and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugml import data
from drugml.design import NextBatchSettings, PoolError, simulate_active_learning
from drugml.design import _loop as loop
from drugml.models import PropertyModel


@pytest.fixture(scope="module")
def egfr() -> pd.DataFrame:
    return data.load("egfr_compounds").head(300).reset_index(drop=True)


def _knn(task: str = "regression") -> PropertyModel:
    return PropertyModel(task=task, estimator="knn", calibration_folds=2, target_transform=None)


def _run(egfr: pd.DataFrame, strategy="greedy", **kwargs):
    options = {"initial_fraction": 0.05, "batch_fraction": 0.05, "rounds": 2, "seed": 0}
    return simulate_active_learning(
        egfr["smiles"], egfr["pIC50"], strategy=strategy, model=_knn(), **{**options, **kwargs}
    )


def test_one_row_per_round_with_the_bookkeeping(egfr) -> None:
    curve = _run(egfr, rounds=3)
    assert curve["round"].tolist() == [0, 1, 2, 3]
    assert curve["evaluated"].tolist() == [15, 30, 45, 60]
    assert curve["evaluated_fraction"].tolist() == pytest.approx([0.05, 0.1, 0.15, 0.2])
    for column in ("found_top_1pct", "found_top_5pct", "best_value"):
        assert curve[column].is_monotonic_increasing
    assert curve["found_top_1pct"].between(0, 1).all()
    assert (curve["strategy"] == "greedy").all() and (curve["seed"] == 0).all()
    assert (curve["seconds"].iloc[1:] > 0).all() and (curve["fit_seconds"].iloc[1:] > 0).all()
    assert curve["best_value"].iloc[-1] <= egfr["pIC50"].max()


def test_the_found_fractions_are_counted_against_the_measured_values(egfr, monkeypatch) -> None:
    picked: list[np.ndarray] = []
    real = loop.next_batch

    def spy(pool, objective, settings=None, **kwargs):
        batch = real(pool, objective, settings, **kwargs)
        picked.append(batch.index.to_numpy())
        return batch

    monkeypatch.setattr(loop, "next_batch", spy)
    curve = _run(egfr, rounds=2)
    y = egfr["pIC50"].to_numpy()
    start = np.random.default_rng(0).choice(300, 15, replace=False)  # the seed's random start
    evaluated = [start, start]
    for batch in picked:
        evaluated.append(np.concatenate([evaluated[-1], batch]))
    evaluated = evaluated[1:]
    assert len(np.unique(evaluated[-1])) == 45  # no molecule picked twice
    for q, column in ((0.01, "found_top_1pct"), (0.05, "found_top_5pct")):
        top = y >= np.sort(y)[::-1][int(np.ceil(q * 300)) - 1]  # ties at the cutoff count
        found = [np.isin(np.flatnonzero(top), e).mean() for e in evaluated]
        assert curve[column].tolist() == pytest.approx(found)
    assert curve["best_value"].tolist() == [y[e].max() for e in evaluated]


def test_each_round_calls_next_batch_on_the_unevaluated_pool(egfr, monkeypatch) -> None:
    calls = []
    real = loop.next_batch

    def spy(pool, objective, settings=None, **kwargs):
        calls.append((len(pool), settings, kwargs))
        return real(pool, objective, settings, **kwargs)

    monkeypatch.setattr(loop, "next_batch", spy)
    strategy = NextBatchSettings(acquisition="ucb", beta=0.5, diversity="similarity")
    _run(egfr, strategy=strategy, rounds=2)
    assert [n for n, _, _ in calls] == [285, 270]
    assert all(s.acquisition == "ucb" and s.beta == 0.5 and s.k == 15 for _, s, _ in calls)
    assert all(s.diversity == "similarity" for _, s, _ in calls)


def test_pi_asks_to_beat_the_best_value_measured_so_far(egfr, monkeypatch) -> None:
    thresholds = []
    real = loop.next_batch

    def spy(pool, objective, settings=None, **kwargs):
        thresholds.append(settings.threshold)
        return real(pool, objective, settings, **kwargs)

    monkeypatch.setattr(loop, "next_batch", spy)
    curve = _run(egfr, strategy="pi", rounds=2)
    assert thresholds == curve["best_value"].iloc[:2].tolist()


def test_same_seed_same_curve_and_the_model_is_cloned(egfr) -> None:
    model = _knn()
    kwargs = {"initial_fraction": 0.05, "batch_fraction": 0.05, "rounds": 2, "seed": 3}
    one = simulate_active_learning(
        egfr["smiles"], egfr["pIC50"], strategy="thompson", model=model, **kwargs
    )
    again = simulate_active_learning(
        egfr["smiles"], egfr["pIC50"], strategy="thompson", model=model, **kwargs
    )
    columns = ["evaluated", "found_top_1pct", "found_top_5pct", "best_value"]
    pd.testing.assert_frame_equal(one[columns], again[columns])
    assert not hasattr(model, "estimator_")  # the caller's model is never fitted


def test_random_fits_no_model(egfr) -> None:
    curve = _run(egfr, strategy="random")
    assert (curve["fit_seconds"] == 0).all()
    other = _run(egfr, strategy="random", seed=1)
    assert curve["found_top_5pct"].tolist() != other["found_top_5pct"].tolist() or (
        curve["best_value"].tolist() != other["best_value"].tolist()
    )


def test_classification_counts_the_positives_found() -> None:
    herg = data.load("herg").head(200)
    curve = simulate_active_learning(
        herg["smiles"], herg["y"], strategy="greedy", task="classification",
        model=_knn("classification"), initial_fraction=0.1, batch_fraction=0.05, rounds=2,
    )  # fmt: skip
    assert "found_positives" in curve and "found_top_1pct" not in curve
    assert curve["evaluated"].tolist() == [20, 30, 40]
    assert curve["found_positives"].is_monotonic_increasing
    assert curve["best_value"].iloc[-1] == 1.0


def test_missing_values_and_unparsable_smiles_are_skipped_and_counted(egfr) -> None:
    smiles = egfr["smiles"].tolist()
    y = egfr["pIC50"].to_numpy().copy()
    smiles[0] = "not a smiles"
    y[1] = np.nan
    curve = simulate_active_learning(
        smiles, y, strategy="random", initial_fraction=0.05, batch_fraction=0.05, rounds=1
    )
    assert curve.attrs == {"n": 298, "skipped": 2}


def test_too_few_values_to_fit_is_a_pool_error_before_work(egfr, monkeypatch) -> None:
    monkeypatch.setattr(loop, "next_batch", lambda *a, **k: pytest.fail("work started"))
    with pytest.raises(PoolError, match=r"holds 3 molecules .* at least 10"):
        simulate_active_learning(egfr["smiles"], egfr["pIC50"], strategy="greedy")
    with pytest.raises(PoolError, match="need 315 molecules; the data set has 300 usable"):
        simulate_active_learning(
            egfr["smiles"], egfr["pIC50"], strategy="greedy", initial_fraction=0.05,
            batch_fraction=0.05, rounds=20,
        )  # fmt: skip
    with pytest.raises(PoolError, match="one class only"):
        simulate_active_learning(
            egfr["smiles"], np.zeros(300), strategy="greedy", task="classification",
            initial_fraction=0.1,
        )  # fmt: skip
    with pytest.raises(PoolError, match="batch_fraction must be > 0"):
        simulate_active_learning(egfr["smiles"], egfr["pIC50"], strategy="greedy",
                                 initial_fraction=0.05, batch_fraction=0.0)  # fmt: skip
    with pytest.raises(PoolError, match="differ in length"):
        simulate_active_learning(egfr["smiles"], [1.0, 2.0], strategy="greedy")


def test_one_class_in_the_random_start_is_a_pool_error() -> None:
    smiles = data.load("egfr_compounds")["smiles"].head(400).tolist()
    y = np.zeros(400)
    y[-2:] = 1  # two positives: a start of 12 almost surely misses them
    with pytest.raises(PoolError, match=r"random start .* one class only"):
        simulate_active_learning(
            smiles, y, strategy="greedy", task="classification", initial_fraction=0.03, seed=0
        )


def test_unknown_strategy_is_named(egfr) -> None:
    with pytest.raises(Exception, match="did you mean `greedy`"):
        simulate_active_learning(egfr["smiles"], egfr["pIC50"], strategy="gredy")


def test_default_surrogate_is_a_property_model() -> None:
    model = loop.default_surrogate("classification", seed=4)
    assert isinstance(model, PropertyModel)
    assert model.task == "classification" and model.random_state == 4
