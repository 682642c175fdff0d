"""The structure-based scorer registry: every built-in scorer passes the same API checks;
consensus scorers combine members honestly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugml.structure.scoring import (
    SCORER_KINDS,
    ScorerError,
    StructureScorer,
    available_scorers,
    make_scorer,
    register_scorer,
    score_table,
    scorer_class,
)

ERLOTINIB = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
GEFITINIB = "COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1"

#: Parameters a scorer needs before it can score (the rest score with their defaults).
NEEDED = {
    "similarity_2d": {"references": [ERLOTINIB]},
    "rank_average": {"members": ["docking_score", "shape_similarity"]},
    "scaffold_stack": {"members": ["docking_score", "shape_similarity"]},
}


def evidence_table() -> pd.DataFrame:
    """Every column a built-in scorer reads, for four molecules (one not docked)."""
    return pd.DataFrame(
        {
            "smiles": [ERLOTINIB, GEFITINIB, "c1ccccc1O", "CCN(CC)CC"],
            "docking_score": [-9.5, -9.1, -5.0, np.nan],
            "docking_ligand_efficiency": [0.33, 0.30, 0.71, np.nan],
            "docking_size_corrected_score": [3.4, 3.3, 2.9, np.nan],
            "docking_key_interaction": [True, True, False, None],
            "docking_interaction_similarity": [0.9, 0.7, 0.1, np.nan],
            "shape_similarity": [0.95, 0.7, 0.3, 0.2],
            "pharmacophore_similarity": [0.9, 0.6, 0.1, 0.0],
            "shape_pharmacophore_similarity": [0.92, 0.65, 0.2, 0.1],
            "potency_prediction": [8.5, 8.0, 4.0, 4.5],
        }
    )


@pytest.mark.parametrize("name", available_scorers())
def test_every_scorer_keeps_the_contract(name):
    cls = scorer_class(name)
    assert cls.kind in SCORER_KINDS
    assert cls.description and "\n" not in cls.description and len(cls.description) <= 100
    scorer = make_scorer(name, **NEEDED.get(name, {}))
    rebuilt = cls(**scorer.get_params())  # parameters stored unchanged
    assert repr(rebuilt) == repr(scorer)
    table = evidence_table()
    if name == "scaffold_stack":
        scorer.fit(table, [1, 1, 0, 0])
    scores = scorer.score(table)
    assert list(scores.index) == list(table.index)
    assert scores.dtype == float
    assert scores.notna().sum() >= 3, name  # only the molecule without docking may be NaN


def test_missing_columns_are_named():
    with pytest.raises(ScorerError, match="docking_interaction_similarity"):
        make_scorer("interaction_similarity").score(pd.DataFrame({"smiles": ["C"]}))


def test_unknown_scorer_gets_a_suggestion():
    with pytest.raises(ScorerError, match="did you mean `docking_score`"):
        make_scorer("docking_scor")
    with pytest.raises(ScorerError, match="unexpected keyword"):
        make_scorer("docking_score", radius=3)


def test_registering_a_scorer_is_one_class():
    @register_scorer
    class Charge(StructureScorer):
        name = "test_charge"
        kind = "baseline"
        columns = ("charge",)
        description = "toy"

        def score(self, table):
            return table["charge"].astype(float)

    assert "test_charge" in available_scorers()
    table = pd.DataFrame({"charge": [1, 0]})
    assert score_table(table, ["test_charge"])["test_charge"].tolist() == [1.0, 0.0]
    with pytest.raises(ScorerError, match="kind"):

        @register_scorer
        class Bad(StructureScorer):
            name = "bad"
            kind = "magic"


def test_rank_average_uses_the_members_it_has():
    table = evidence_table()
    scores = make_scorer(
        "rank_average", members=["docking_score", "pharmacophore_similarity"]
    ).score(table)
    # the molecule that was not docked is ranked by its pharmacophore overlap alone
    assert scores.iloc[3] == pytest.approx(0.25)
    assert scores.idxmax() == 0
    weighted = make_scorer(
        "rank_average", members=["docking_score", "pharmacophore_similarity"], weights=[1, 0]
    ).score(table)
    assert np.isnan(weighted.iloc[3])  # the only weighted member has no score there
    with pytest.raises(ScorerError, match="weights"):
        make_scorer("rank_average", members=["docking_score"], weights=[1, 2]).score(table)


def test_scaffold_stack_scores_unseen_scaffolds_out_of_fold():
    rng = np.random.default_rng(0)
    # 40 molecules, 8 scaffolds; one member tracks the label, one is noise
    rings = ["c1ccccc1", "c1ccncc1", "C1CCCCC1", "c1ccc2ccccc2c1", "c1ccsc1", "c1cocc1",
             "C1CCNCC1", "C1CCOC1"]  # fmt: skip
    smiles = [f"{rings[i % 8]}C{'C' * (i // 8)}O" for i in range(40)]
    labels = np.array([i % 2 for i in range(40)])
    table = pd.DataFrame(
        {
            "smiles": smiles,
            "pharmacophore_similarity": labels * 0.5 + rng.normal(0, 0.2, 40),
            "shape_similarity": rng.normal(0, 1, 40),
        }
    )
    stack = make_scorer("scaffold_stack", members=["pharmacophore_similarity", "shape_similarity"])
    out = stack.out_of_fold(table, labels)
    from sklearn.metrics import roc_auc_score

    assert out.notna().all()
    assert roc_auc_score(labels, out) > 0.8
    with pytest.raises(ScorerError, match="after fit"):
        stack.score(table)


# ------------------------------------------------------------------ evidence
def test_shipped_evidence_is_the_benchmarks_summary():
    import json
    from pathlib import Path

    from drugml.structure.scoring import evidence_from_results, scoring_evidence

    results = Path(__file__).parents[3] / "benchmarks" / "results" / "structure_scoring.json"
    if not results.is_file():
        pytest.skip("benchmarks/ is not in this installation")
    assert scoring_evidence() == evidence_from_results(json.loads(results.read_text()))


def test_unreadable_evidence_is_a_named_error(tmp_path):
    from drugml.structure.scoring import ScorerError, scoring_evidence

    broken = tmp_path / "evidence.json"
    broken.write_text("{not json")
    with pytest.raises(ScorerError, match=r"cannot be read.*structure_scoring.py --part score"):
        scoring_evidence(broken)
    broken.write_text('{"a_all_data": {}}')
    with pytest.raises(ScorerError, match="lacks b_low_data, c_unlike_reference, targets"):
        scoring_evidence(broken)


def test_evidence_figure_has_every_scorer():
    import matplotlib.pyplot as plt

    from drugml.structure.scoring import scoring_evidence
    from drugml.viz import VisualizationError, plot_scorer_evidence

    evidence = scoring_evidence()
    fig = plot_scorer_evidence(evidence)
    labels = {tick.get_text() for tick in fig.axes[0].get_yticklabels()}
    assert labels == set(evidence["a_all_data"])
    assert len(fig.axes[1].lines) == 6
    plt.close(fig)
    with pytest.raises(VisualizationError, match="lacks 'b_low_data'"):
        plot_scorer_evidence({"a_all_data": {}, "c_unlike_reference": {}})
