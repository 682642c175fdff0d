"""The design stage in one call: proposals screened and ranked, beside their parents, a batch."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from drugml import data
from drugml.design import (
    PoolError,
    ProposalFolder,
    compare_with_parents,
    design_pool,
    design_stage,
)
from drugml.models import PropertyModel

SEEDS = pd.DataFrame(
    {
        "id": ["gefitinib", "erlotinib", "broken"],
        "smiles": [
            "COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1",
            "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC",
            "C1CC(N",
        ],
    }
)


@pytest.fixture(scope="module")
def potency(tmp_path_factory):
    """A small EGFR potency model, saved (the screen loads saved models)."""
    compounds = data.load("egfr_compounds").sample(300, random_state=0)
    model = PropertyModel(
        estimator="xgboost", estimator_params={"n_estimators": 30}, calibration_folds=3
    ).fit(compounds["smiles"], compounds["pIC50"])
    folder = tmp_path_factory.mktemp("models") / "potency"
    model.save(folder)
    return folder


def test_the_stage_scores_every_proposal_and_picks_a_batch(potency, tmp_path):
    folder = potency
    seeds = SEEDS.assign(potency_prediction=[7.0, 7.5, None])
    result = design_stage(
        seeds,
        {"potency": folder},
        tmp_path / "proposals",
        tasks={"potency": "regression"},
        objective="potency",
        pool="proposals",
        analogue_settings=_analogue_settings(max_per_seed=6),
        batch_settings=_batch_settings(k=3),
        # a docking filter cannot apply to proposals (never docked): the batch leaves it out
        ranking={"filters": {"pains": {"equals": False}, "docking_score": {"max": -7.0}}},
    )
    proposals, ranked, batch = result.proposals, result.ranked, result.next_batch
    made = proposals[proposals["proposal_status"] == "proposed"]
    # the broken seed keeps a row with its reason; the others gave proposals
    broken = proposals[proposals["parent_id"] == "broken"]
    assert len(broken) == 1 and broken["proposal_status"].iloc[0] != "proposed"
    assert broken["proposal_reason"].iloc[0]
    assert set(made["parent_id"]) == {"gefitinib", "erlotinib"}
    # every proposal scored (or rejected with a reason): counts in = counts out
    assert len(ranked) == len(made)
    assert set(ranked["id"]) == set(made["proposal_id"])
    # beside its parent: the parent's prediction and the change
    row = ranked.iloc[0]
    parent = seeds.set_index("id").loc[row["parent_id"], "potency_prediction"]
    assert row["potency_prediction_parent"] == pytest.approx(parent)
    assert row["potency_prediction_change"] == pytest.approx(row["potency_prediction"] - parent)
    # the batch: three proposals, each with its reason
    assert len(batch) == 3 and set(batch["source"]) == {"proposals"}
    assert batch["pick_reason"].str.len().min() > 10
    files = ProposalFolder(tmp_path / "proposals")
    assert files.proposals.is_file() and files.ranked.is_file() and files.library.is_file()
    assert json.loads(files.database.read_text())["sources"]  # what they were made from
    assert len(pd.read_csv(files.proposals)) == len(proposals)
    summary = result.summary
    assert summary["proposals"] == len(made) and summary["seeds_without_proposals"] == 1
    assert set(summary["proposals_not_kept"]) == {
        "the structure of a seed",
        "proposed already for an earlier seed",
    }


def _analogue_settings(**values):
    from drugml.design import AnalogueSettings

    return AnalogueSettings(**values)


def _batch_settings(**values):
    from drugml.design import NextBatchSettings

    return NextBatchSettings(**values)


def test_the_pool_leaves_out_measured_molecules_and_duplicates():
    screen = pd.DataFrame(
        {"inchikey": ["A", "B", "C"], "in_training_data": [False, True, False], "x": [1, 2, 3]}
    )
    proposals = pd.DataFrame({"inchikey": ["C", "D"], "in_training_data": [False, False]})
    pool = design_pool(screen, proposals)
    assert pool["inchikey"].tolist() == ["A", "C", "D"]
    # counts in = counts out: 5 rows given, 3 in the pool, 2 left out with their reason
    assert sorted(pool.attrs["left_out"].values()) == [1, 1]
    assert pool["source"].tolist() == ["screen", "screen", "proposals"]
    assert design_pool(screen, proposals, "proposals")["inchikey"].tolist() == ["C", "D"]
    assert design_pool(screen, None, "screen")["inchikey"].tolist() == ["A", "C"]


def test_an_empty_pool_and_an_unknown_pool_are_named_errors():
    with pytest.raises(PoolError, match="empty"):
        design_pool(None, pd.DataFrame({"inchikey": []}))
    with pytest.raises(PoolError, match="pool must be one of"):
        design_pool(None, None, "library")


def test_compare_with_parents_puts_each_proposal_beside_its_parent():
    proposals = pd.DataFrame(
        {"id": ["a-1", "a-2", "b-1"], "parent_id": ["a", "a", "b"], "qed": [0.7, 0.4, 0.9]}
    )
    parents = pd.DataFrame({"id": ["a", "b"], "qed": [0.5, 0.6]})
    out = compare_with_parents(proposals, parents, ["qed", "absent"])
    assert out["qed_parent"].tolist() == [0.5, 0.5, 0.6]
    assert out["qed_change"].round(2).tolist() == [0.2, -0.1, 0.3]
    assert "absent_change" not in out


def test_seeds_are_read_from_any_molecule_file_and_keep_every_record(tmp_path):
    from drugml.design import read_seeds

    smi = tmp_path / "seeds.smi"
    smi.write_text("CCOc1ccccc1 ether\nC1CC(N broken\nc1ccncc1\n")
    seeds = read_seeds(smi)
    assert seeds["smiles"].tolist() == ["CCOc1ccccc1", "C1CC(N", "c1ccncc1"]
    assert seeds["id"].tolist()[:2] == ["ether", "broken"] and seeds["id"].is_unique
    table = tmp_path / "seeds.csv"
    pd.DataFrame({"name": ["a", "b"], "structure": ["CCO", "CCN"]}).to_csv(table, index=False)
    read = read_seeds(table, smiles_column="structure", id_column="name", n=1)
    assert read.to_dict("records") == [{"smiles": "CCO", "id": "a"}]
