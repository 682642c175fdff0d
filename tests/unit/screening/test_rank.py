"""Multi-objective ranking: desirabilities, geometric mean, filters, Pareto fronts, diversity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugml import data
from drugml.campaign.pipeline import default_config_path, load_config
from drugml.screening.rank import (
    DEFAULT_RANKING,
    RankingConfigError,
    desirability,
    load_ranking_config,
    pareto_rank,
    rank_candidates,
)

#: The EGFR campaign's ranking: model objectives besides the screen's own properties.
RANKING = load_config(default_config_path()).ranking.as_dict()


def _candidates(n: int = 60) -> pd.DataFrame:
    drugs = data.load("approved_drugs").dropna(subset=["smiles"]).head(n)
    rng = np.random.default_rng(0)
    width = rng.uniform(1.5, 4.0, n)
    potency = rng.uniform(4, 9, n)
    return pd.DataFrame(
        {
            "smiles": drugs["smiles"].to_numpy(),
            "potency_prediction": potency,
            "potency_lower": potency - width / 2,
            "potency_upper": potency + width / 2,
            "potency_nearest_similarity": rng.uniform(0.1, 0.9, n),
            "potency_in_domain": True,
            "solubility_prediction": rng.uniform(-8, -1, n),
            "qed": rng.uniform(0, 1, n),
            "sa_score": rng.uniform(1, 7, n),
            "ro5_violations": rng.integers(0, 3, n),
            "pains": rng.random(n) < 0.1,
        }
    )


def test_desirability_shapes_and_missing_values():
    assert desirability([2, 3, 4], "decreasing", 2, 4).tolist() == [1.0, 0.5, 0.0]
    assert desirability([np.nan, 10], "increasing", 0, 5, floor=0.01).tolist() == [0.01, 1.0]
    with pytest.raises(RankingConfigError, match="high > low"):
        desirability([1], "increasing", 5, 5)
    with pytest.raises(RankingConfigError, match="Unknown desirability shape"):
        desirability([1], "bell", 0, 1)


def test_score_is_the_weighted_geometric_mean_and_the_order_follows_it():
    ranked = rank_candidates(_candidates(), RANKING)
    names = list(RANKING["objectives"])
    weights = np.array([RANKING["objectives"][n].get("weight", 1.0) for n in names])
    d = ranked[[f"d_{n}" for n in names]].to_numpy()
    expected = np.exp(np.log(d) @ weights / weights.sum())
    np.testing.assert_allclose(ranked["score"], expected)
    passing = ranked[ranked["passes_filters"]]
    assert passing["score"].is_monotonic_decreasing
    # Every failing molecule ranks after every passing one, and says why.
    assert ranked["passes_filters"].tolist() == sorted(ranked["passes_filters"], reverse=True)
    failing = ranked[~ranked["passes_filters"]]
    assert (failing["filter_reasons"].str.len() > 0).all()
    assert failing["pains"].all()  # the only default hard filter
    # The rule of five is scored: two violations cost a little, never a place after all passers.
    assert "ro5_violations" not in DEFAULT_RANKING["filters"]
    beyond = ranked[(ranked["ro5_violations"] == 2) & ~ranked["pains"]]
    assert len(beyond) and beyond["passes_filters"].all()
    assert np.allclose(beyond["d_rule_of_five"], 0.5)
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))


def test_pareto_front_is_not_dominated():
    ranked = rank_candidates(_candidates(), RANKING)
    d = ranked.filter(like="d_").to_numpy()
    front = d[ranked["pareto_rank"].to_numpy() == 1]
    for row in front:
        assert not ((d >= row).all(axis=1) & (d > row).any(axis=1)).any()
    assert pareto_rank(np.array([[1.0, 1.0], [1.0, 1.0]])).tolist() == [1, 1]  # ties share a front


@pytest.mark.parametrize("method", ["maxmin", "sphere"])
def test_diverse_selection(method):
    config = {**RANKING, "top_k": 8, "diversity": method, "max_similarity": 0.5}
    ranked = rank_candidates(_candidates(), config)
    chosen = ranked[ranked["selected"]]
    assert len(chosen) == 8 and chosen["passes_filters"].all()
    assert chosen["rank"].iloc[0] == 1  # the best molecule is always kept
    if method == "sphere":
        from rdkit import DataStructs

        from drugml.featurize import bit_fingerprints

        fps = bit_fingerprints(chosen["smiles"].tolist(), radius=2, n_bits=2048)
        for i, fp in enumerate(fps):
            others = fps[:i] + fps[i + 1 :]
            assert max(DataStructs.BulkTanimotoSimilarity(fp, others)) < 0.5


def test_ranking_is_deterministic_and_ignores_input_order():
    table = _candidates()
    a = rank_candidates(table, RANKING)
    b = rank_candidates(table.sample(frac=1.0, random_state=3), RANKING)
    assert a["smiles"].tolist()[:20] == b["smiles"].tolist()[:20]


def test_configuration_from_files_and_errors(tmp_path):
    path = tmp_path / "ranking.yaml"
    path.write_text("top_k: 3\nfilters: {}\n")
    config = load_ranking_config(path)
    assert config.top_k == 3 and config.filters == {} and config.objectives
    toml = tmp_path / "ranking.toml"
    toml.write_text('[objectives.qed]\ncolumn = "qed"\nshape = "increasing"\nlow = 0\nhigh = 1\n')
    assert list(load_ranking_config(toml).objectives) == ["qed"]
    with pytest.raises(RankingConfigError, match=r"`ranking.topk` is not a setting; did you mean"):
        load_ranking_config({"topk": 3})
    with pytest.raises(RankingConfigError, match="lacks column"):
        rank_candidates(_candidates().drop(columns=["qed"]), RANKING)
    with pytest.raises(RankingConfigError, match="does not exist"):
        load_ranking_config(tmp_path / "missing.yaml")


def _pareto_by_definition(scores: np.ndarray) -> list[int]:
    """Fronts peeled one by one, each row checked against every remaining row."""
    ranks, remaining, front = np.zeros(len(scores), dtype=int), np.arange(len(scores)), 0
    while len(remaining):
        front += 1
        subset = scores[remaining]
        dominated = np.array(
            [((subset >= row).all(axis=1) & (subset > row).any(axis=1)).any() for row in subset],
            dtype=bool,
        )
        ranks[remaining[~dominated]] = front
        remaining = remaining[dominated]
    return ranks.tolist()


@pytest.mark.parametrize(("n", "columns"), [(1, 2), (9, 3), (300, 2), (700, 6)])
def test_pareto_rank_equals_the_definition_with_ties_and_blocks(n, columns):
    rng = np.random.default_rng(n)
    scores = np.round(rng.random((n, columns)), 1)  # coarse values: many ties
    scores[::7] = scores[0]
    assert pareto_rank(scores, block=64).tolist() == _pareto_by_definition(scores)
