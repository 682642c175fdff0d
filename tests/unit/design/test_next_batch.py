"""The next batch: acquisition order, diversity, filters, exclusions, reasons and errors."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from rdkit import DataStructs

from drugml import data, schema
from drugml.design import DesignError, NextBatchSettings, PoolError, next_batch
from drugml.design._next_batch import NextBatchOptionError, batch_summary
from drugml.featurize import bit_fingerprints
from drugml.models.split import butina_clusters

Z90 = 1.6448536269514722  # the normal quantile of a two-sided 90 % interval


@pytest.fixture(scope="module")
def pool() -> pd.DataFrame:
    """120 EGFR compounds (several close analogue series) with predictions and intervals."""
    egfr = data.load("egfr_compounds").head(120)
    rng = np.random.default_rng(0)
    prediction = egfr["pIC50"].to_numpy() + rng.normal(0, 0.3, len(egfr))
    half = rng.uniform(0.5, 2.0, len(egfr))
    return pd.DataFrame(
        {
            "id": egfr["molecule_chembl_id"].to_numpy(),
            "smiles": egfr["smiles"].to_numpy(),
            "potency_prediction": prediction,
            "potency_lower": prediction - half,
            "potency_upper": prediction + half,
            "potency_nearest_similarity": rng.uniform(0.2, 0.9, len(egfr)),
            "potency_in_domain": rng.uniform(size=len(egfr)) > 0.2,
            "ro5_violations": rng.integers(0, 3, len(egfr)),
        },
        index=pd.RangeIndex(100, 100 + len(egfr)),
    )


def _similarities(smiles: list[str]) -> list[float]:
    fps = bit_fingerprints(smiles)
    return [DataStructs.TanimotoSimilarity(a, b) for a, b in itertools.combinations(fps, 2)]


def test_batch_has_k_rows_the_pool_columns_and_the_batch_columns(pool) -> None:
    batch = next_batch(pool, "potency", k=8)
    assert len(batch) == 8
    assert list(batch.columns) == [*pool.columns, *schema.NEXT_BATCH_COLUMNS]
    assert batch["batch_rank"].tolist() == list(range(1, 9))
    assert set(batch.index) <= set(pool.index)  # the pool's index is kept
    assert (batch["objective"] == "potency_prediction").all()
    assert (batch["acquisition"] == "greedy").all()
    assert (batch["source"] == "screen").all()
    assert batch.attrs["pool"] == 120 and batch.attrs["eligible"] == 120


def test_greedy_without_diversity_takes_the_top_predictions(pool) -> None:
    batch = next_batch(pool, "potency", k=10, diversity="none")
    expected = pool["potency_prediction"].sort_values(ascending=False).index[:10]
    assert batch.index.tolist() == expected.tolist()
    assert batch["expected_value"].is_monotonic_decreasing


def test_similarity_diversity_is_honoured_and_walks_in_acquisition_order(pool) -> None:
    loose = next_batch(pool, "potency", k=10, diversity="none")
    assert max(_similarities(loose["smiles"].tolist())) > 0.5  # the pool has close analogues
    batch = next_batch(pool, "potency", k=10, diversity="similarity", max_similarity=0.5)
    assert max(_similarities(batch["smiles"].tolist())) <= 0.5
    assert batch.index[0] == loose.index[0]  # the best is always taken first
    assert batch["acquisition_value"].is_monotonic_decreasing
    # each molecule skipped before a pick was too close to an earlier pick
    order = pool["potency_prediction"].sort_values(ascending=False, kind="stable").index
    last = order.get_loc(batch.index[-1])
    fps = dict(zip(pool.index, bit_fingerprints(pool["smiles"].tolist()), strict=True))
    for label in order[: last + 1]:
        if label not in batch.index:
            earlier = [p for p in batch.index if order.get_loc(p) < order.get_loc(label)]
            best = max(DataStructs.BulkTanimotoSimilarity(fps[label], [fps[p] for p in earlier]))
            assert best > 0.5
    nearest = batch["nearest_pick_similarity"].to_numpy()
    assert np.isnan(nearest[0]) and (nearest[1:] <= 0.5).all()


def test_cluster_diversity_takes_one_per_butina_cluster(pool) -> None:
    batch = next_batch(pool, "potency", k=6, diversity="cluster", cluster_similarity=0.5)
    clusters = dict(
        zip(pool.index, butina_clusters(pool["smiles"].tolist(), threshold=0.5), strict=True)
    )
    picked = [clusters[i] for i in batch.index]
    assert len(set(picked)) == len(picked) == 6


def test_ucb_picks_the_uncertain_of_two_molecules_with_the_same_prediction() -> None:
    pool = pd.DataFrame(
        {
            "smiles": ["c1ccccc1O", "CCCCCCN"],
            "potency_prediction": [7.0, 7.0],
            "potency_lower": [6.8, 5.5],
            "potency_upper": [7.2, 8.5],
        }
    )
    assert next_batch(pool, "potency", k=1, acquisition="ucb").index[0] == 1
    assert next_batch(pool, "potency", k=1, acquisition="ucb", beta=0.0).index[0] == 0


def test_uncertainty_comes_from_the_interval_width_and_coverage(pool) -> None:
    batch = next_batch(pool, "potency", k=3, diversity="none")
    width = (batch["potency_upper"] - batch["potency_lower"]).to_numpy()
    assert batch["uncertainty"].to_numpy() == pytest.approx(width / (2 * Z90))
    wider = next_batch(pool, "potency", k=3, diversity="none", coverage=0.8)
    assert (wider["uncertainty"].to_numpy() > batch["uncertainty"].to_numpy()).all()


def test_classification_reads_the_probability_and_its_bernoulli_sigma() -> None:
    pool = pd.DataFrame(
        {
            "smiles": ["CCO", "CCCCO", "c1ccccc1O", "c1ccncc1"],
            "herg_probability": [0.9, 0.5, 0.1, 0.7],
        }
    )
    batch = next_batch(pool, "herg", k=2, task="classification")
    assert batch["objective"].tolist() == ["herg_probability"] * 2
    assert batch["expected_value"].tolist() == [0.9, 0.7]
    assert batch["uncertainty"].to_numpy() == pytest.approx(np.sqrt([0.09, 0.21]))


def test_ranking_filters_exclude_first_and_are_counted(pool) -> None:
    ranking = {"filters": {"ro5_violations": {"max": 0}}}
    batch = next_batch(pool, "potency", k=5, ranking=ranking, diversity="none")
    assert (batch["ro5_violations"] == 0).all()
    failing = int((pool["ro5_violations"] > 0).sum())
    assert batch.attrs["excluded"]["fail the ranking's hard filters"] == failing
    assert batch.attrs["filter_failures"] == {"ro5_violations (max 0.0)": failing}
    assert batch.attrs["eligible"] == len(pool) - failing
    assert f"{failing} fail the ranking's hard filters" in batch_summary(batch)
    unfiltered = next_batch(pool, "potency", k=5, diversity="none")
    assert (unfiltered["ro5_violations"] > 0).any()  # the filter changed the batch


def test_a_ranking_filter_on_a_missing_column_is_named(pool) -> None:
    with pytest.raises(PoolError, match="vina_score"):
        next_batch(pool, "potency", k=2, ranking={"filters": {"vina_score": {"max": -7}}})


def test_rows_without_a_prediction_are_excluded_and_counted(pool) -> None:
    holey = pool.copy()
    top = holey["potency_prediction"].idxmax()
    holey.loc[top, "potency_prediction"] = np.nan
    holey.loc[holey.index[:3], "potency_upper"] = np.nan
    batch = next_batch(holey, "potency", k=5, diversity="none")
    assert top not in batch.index
    missing = int(holey[["potency_prediction", "potency_upper"]].isna().any(axis=1).sum())
    (count,) = [
        n for reason, n in batch.attrs["excluded"].items() if "without a prediction" in reason
    ]
    assert count == missing
    assert batch.attrs["eligible"] == len(holey) - missing


def test_unparsable_smiles_are_skipped_and_counted(pool) -> None:
    broken = pool.copy()
    top = broken["potency_prediction"].idxmax()
    broken.loc[top, "smiles"] = "not a smiles"
    batch = next_batch(broken, "potency", k=3)
    assert top not in batch.index
    assert batch.attrs["excluded"]["skipped: their SMILES do not parse"] == 1


def test_pick_reason_says_why(pool) -> None:
    batch = next_batch(pool, "potency", k=3, acquisition="ucb", beta=1.0)
    first, second = batch["pick_reason"].iloc[0], batch["pick_reason"].iloc[1]
    row = batch.iloc[0]
    assert first.startswith(
        f"UCB {row['acquisition_value']:.2f} = predicted {row['expected_value']:.2f} + 1.0 × σ "
        f"{row['uncertainty']:.2f}"
    )
    assert ("in domain" in first) == bool(row["potency_in_domain"])
    assert first.endswith("first pick")
    assert f"most similar earlier pick {batch['nearest_pick_similarity'].iloc[1]:.2f}" in second


def test_thompson_batch_is_reproducible_with_the_seed(pool) -> None:
    one = next_batch(pool, "potency", k=10, acquisition="thompson", seed=1, diversity="none")
    again = next_batch(pool, "potency", k=10, acquisition="thompson", seed=1, diversity="none")
    other = next_batch(pool, "potency", k=10, acquisition="thompson", seed=2, diversity="none")
    assert one.index.tolist() == again.index.tolist()
    assert one.index.tolist() != other.index.tolist()


def test_settings_object_and_keyword_overrides(pool) -> None:
    settings = NextBatchSettings(k=4, acquisition="ucb", diversity="none")
    assert len(next_batch(pool, "potency", settings)) == 4
    assert len(next_batch(pool, "potency", settings, k=2)) == 2
    assert batch_summary(next_batch(pool, "potency", settings)).startswith("4 picked by ucb")
    with pytest.raises(NextBatchOptionError, match="did you mean `max_similarity`"):
        next_batch(pool, "potency", max_similarty=0.5)
    with pytest.raises(TypeError):
        next_batch(pool, "potency", settings={"k": 3})


def test_source_column(pool) -> None:
    mixed = pool.assign(origin=["screen", "proposals"] * 60)
    batch = next_batch(mixed, "potency", k=6, source_column="origin", diversity="none")
    assert batch["source"].tolist() == mixed.loc[batch.index, "origin"].tolist()
    with pytest.raises(PoolError, match="'nowhere'"):
        next_batch(mixed, "potency", k=2, source_column="nowhere")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": 0}, "k .* must be a whole number >= 1"),
        ({"acquisition": "gredy"}, "did you mean `greedy`"),
        ({"diversity": "clusters"}, "diversity must be one of"),
        ({"coverage": 1.5}, "coverage must be between 0 and 1"),
        ({"max_similarity": 0.0}, r"max_similarity must be in \(0, 1\]"),
        ({"beta": -1.0}, "beta must be >= 0"),
    ],
)
def test_bad_settings_are_named(options, message) -> None:
    with pytest.raises(DesignError, match=message):
        NextBatchSettings(**options)


def test_empty_pool_is_a_pool_error(pool) -> None:
    with pytest.raises(PoolError, match="empty"):
        next_batch(pool.iloc[:0], "potency", k=1)


def test_batch_larger_than_the_eligible_pool(pool) -> None:
    with pytest.raises(PoolError, match=r"A batch of 200 needs .* the pool has 120 of 120"):
        next_batch(pool, "potency", k=200)
    ranking = {"filters": {"ro5_violations": {"max": 0}}}
    with pytest.raises(PoolError, match="fail the ranking's hard filters"):
        next_batch(pool, "potency", k=119, ranking=ranking)


def test_diversity_the_pool_cannot_meet_says_how_many_and_what_to_change() -> None:
    series = ["C" * n + "O" for n in range(4, 14)]  # a homologous series: all alike
    pool = pd.DataFrame(
        {
            "smiles": series,
            "potency_prediction": np.linspace(5, 8, 10),
            "potency_lower": np.linspace(4, 7, 10),
            "potency_upper": np.linspace(6, 9, 10),
        }
    )
    with pytest.raises(PoolError, match=r"Only 1 of the 10 .* raise max_similarity"):
        next_batch(pool, "potency", k=3, max_similarity=0.3)
    with pytest.raises(PoolError, match=r"one per Butina cluster .* raise cluster_similarity"):
        next_batch(pool, "potency", k=3, diversity="cluster", cluster_similarity=0.2)
    assert len(next_batch(pool, "potency", k=3, diversity="none")) == 3


def test_unknown_objective_names_the_columns_the_pool_has(pool) -> None:
    with pytest.raises(PoolError, match=r"potncy_prediction.*models in the pool: potency"):
        next_batch(pool, "potncy", k=2)
    with pytest.raises(PoolError, match="potency_probability"):
        next_batch(pool, "potency", k=2, task="classification")
    with pytest.raises(DesignError, match="task must be one of"):
        next_batch(pool, "potency", k=2, task="ranking")


def test_diversity_needs_the_structures(pool) -> None:
    bare = pool.drop(columns="smiles")
    with pytest.raises(PoolError, match="no column 'smiles'"):
        next_batch(bare, "potency", k=2)
    batch = next_batch(bare, "potency", k=2, diversity="none")
    assert batch["nearest_pick_similarity"].isna().all()
