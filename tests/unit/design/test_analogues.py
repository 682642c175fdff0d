"""drugml.design's analogues: real EGFR seeds, a fragment database built from real EGFR
compounds; valid, reproducible proposals within their limits, and every seed accounted for."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from rdkit import Chem

from drugml import data, schema
from drugml.design import (
    AnalogueSettings,
    DesignError,
    build_fragment_database,
    draw_transformation,
    propose_analogues,
)
from drugml.design._analogues import Proposal, transformation_atoms

EGFR = data.load("egfr_compounds")
SEEDS = pd.DataFrame({"id": EGFR["molecule_chembl_id"].iloc[:3].tolist(),
                      "smiles": EGFR["smiles"].iloc[:3].tolist()})  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analogues")
    return build_fragment_database(EGFR["smiles"].head(50).tolist(), folder / "egfr50.db")


@pytest.fixture(scope="module")
def table(db):
    return propose_analogues(SEEDS, db, max_per_seed=8)


def _heavy(smiles):
    return Chem.MolFromSmiles(smiles).GetNumHeavyAtoms()


def _elements(fragment):
    mol = Chem.MolFromSmiles(fragment, sanitize=False)
    return {a.GetSymbol() for a in mol.GetAtoms() if a.GetAtomicNum() > 1}


def test_columns_are_the_schemas(table):
    names = [f.name for f in dataclasses.fields(Proposal)]
    assert list(table.columns) == names
    assert [n for n in names if n in schema.PROPOSAL_COLUMNS] == list(schema.PROPOSAL_COLUMNS)
    for name in names:  # every other column is one the screen writes (raises if unknown)
        assert schema.column_meaning(name)


def test_proposals_are_valid_and_keep_their_parent(table):
    assert (table["proposal_status"] == "proposed").all()
    assert table["parent_id"].unique().tolist() == SEEDS["id"].tolist()
    for row in table.itertuples():
        child = Chem.MolFromSmiles(row.smiles)
        assert child is not None and Chem.MolToSmiles(child) == row.smiles
        assert Chem.MolToInchiKey(child) == row.inchikey
        assert row.smiles != row.parent_smiles
        assert row.transformation == f"{row.replaced}>>{row.replacement}"
        assert row.heavy_atom_change == _heavy(row.smiles) - _heavy(row.parent_smiles)
        assert row.fragment_frequency >= 1 and 1 <= row.sa_score <= 10
        assert row.operation in ("mutate", "grow")
    assert table["proposal_id"].is_unique and table["smiles"].is_unique
    assert set(table["operation"]) == {"mutate", "grow"}
    assert table.groupby("parent_id").size().max() == 8  # max_per_seed


def test_same_seed_same_table_other_seed_other_choice(db, table):
    again = propose_analogues(SEEDS, db, max_per_seed=8)
    assert again.to_csv() == table.to_csv()  # byte-identical
    others = [set(propose_analogues(SEEDS, db, max_per_seed=8, random_seed=s)["smiles"])
              for s in (1, 2)]  # fmt: skip
    assert any(o != set(table["smiles"]) for o in others)


def test_a_seeds_proposals_do_not_depend_on_the_other_seeds(db, table):
    alone = propose_analogues(SEEDS.iloc[[2]], db, max_per_seed=8)
    first_two = table[table["parent_id"].isin(SEEDS["id"].iloc[:2])]
    # In the table the third seed loses what the first two proposed (or are): nothing else.
    taken = set(first_two["smiles"]) | set(first_two["parent_smiles"])
    third = table.loc[table["parent_id"] == SEEDS["id"].iloc[2], "smiles"].tolist()
    assert [s for s in alone["smiles"] if s not in taken] == third


def test_limits_are_respected(db):
    limited = propose_analogues(SEEDS, db, max_per_seed=30, min_heavy_atom_change=0,
                                max_heavy_atom_change=1, allowed_elements=("C", "N", "O"),
                                max_replaced_atoms=3)  # fmt: skip
    proposed = limited[limited["proposal_status"] == "proposed"]
    assert len(proposed) > 0
    assert proposed["heavy_atom_change"].between(0, 1).all()
    assert all(_elements(f) <= {"C", "N", "O"} for f in proposed["replacement"])
    mutated = proposed[proposed["operation"] == "mutate"]
    assert all(_heavy(f.replace("[H]", "")) <= 3 for f in mutated["replaced"])
    # Negative control: without those limits the same seeds get halogens and bigger changes.
    free = propose_analogues(SEEDS, db, max_per_seed=30)
    assert any(_elements(f) - {"C", "N", "O"} for f in free["replacement"])
    assert not free["heavy_atom_change"].between(0, 1).all()


def test_max_heavy_atoms_caps_the_proposals(db):
    cap = max(_heavy(s) for s in SEEDS["smiles"])
    capped = propose_analogues(SEEDS, db, max_per_seed=20, max_heavy_atoms=cap)
    proposed = capped[capped["proposal_status"] == "proposed"]
    assert (proposed["smiles"].map(_heavy) <= cap).all()


def test_every_seed_gets_a_row_with_the_reason(db):
    seeds = ["C1CC(", SEEDS["smiles"].iloc[0], "C[Si](C)(C)C", SEEDS["smiles"].iloc[0]]
    out = propose_analogues(seeds, db, max_per_seed=3)
    status = out.groupby("parent_id", sort=False)["proposal_status"].first()
    assert status.to_dict() == {"seed-1": "unparsable", "seed-2": "proposed",
                                "seed-3": "no_proposals", "seed-4": "duplicate_seed"}  # fmt: skip
    reasons = out.drop_duplicates("parent_id").set_index("parent_id")["proposal_reason"]
    assert "C1CC(" in reasons["seed-1"] and "replacements" in reasons["seed-3"]
    assert "seed-2" in reasons["seed-4"] and reasons["seed-2"] == ""
    assert out.loc[out["proposal_status"] != "proposed", "smiles"].isna().all()


def test_known_structures_are_marked(db, table):
    key = table["inchikey"].iloc[0]
    marked = propose_analogues(SEEDS, db, max_per_seed=8, known={key: "training:potency"})
    assert marked.loc[marked["inchikey"] == key, "known_as"].tolist() == ["training:potency"]
    assert marked.loc[marked["inchikey"] != key, "is_new"].all()
    assert not marked.loc[marked["inchikey"] == key, "is_new"].any()
    assert table["is_new"].all() and (table["known_as"] == "").all()


def test_molecules_as_seeds_and_parallel_give_the_same_proposals(db, table):
    mols = [Chem.MolFromSmiles(s) for s in SEEDS["smiles"]]
    ids = dict(zip([f"seed-{i}" for i in (1, 2, 3)], SEEDS["id"], strict=True))
    out = propose_analogues(mols, db, max_per_seed=8, n_jobs=2)
    out["parent_id"] = out["parent_id"].map(ids)
    assert out["smiles"].tolist() == table["smiles"].tolist()


def test_bad_requests_are_refused_before_work(db):
    with pytest.raises(TypeError, match="did you mean `max_per_seed`"):
        propose_analogues(SEEDS, db, max_per_sed=3)
    with pytest.raises(DesignError, match="radius 2 asked"):
        propose_analogues(SEEDS, db, radius=2)
    with pytest.raises(DesignError, match="operations"):
        propose_analogues(SEEDS, db, operations=("link",))
    with pytest.raises(DesignError, match="unique"):
        propose_analogues(pd.concat([SEEDS, SEEDS]), db)
    with pytest.raises(DesignError, match="no column 'SMILES'"):
        propose_analogues(SEEDS, db, smiles_column="SMILES")
    with pytest.raises(DesignError, match="not one string"):
        propose_analogues("CCO", db)
    assert AnalogueSettings().max_per_seed == 50


def test_the_shipped_database_is_the_default():
    out = propose_analogues(SEEDS.iloc[:1], max_per_seed=5)
    assert (out["proposal_status"] == "proposed").all() and len(out) == 5


def test_the_change_is_found_and_drawn():
    parent, child = Chem.MolFromSmiles("COc1ccccc1Cl"), Chem.MolFromSmiles("COc1ccccc1C#N")
    lost, gained = transformation_atoms(parent, child)
    assert [parent.GetAtomWithIdx(i).GetSymbol() for i in lost] == ["Cl"]
    assert sorted(child.GetAtomWithIdx(i).GetSymbol() for i in gained) == ["C", "N"]
    # Growing: nothing lost, the attachment atom of the parent is shown instead.
    lost, gained = transformation_atoms(Chem.MolFromSmiles("c1ccccc1"),
                                        Chem.MolFromSmiles("Cc1ccccc1"))  # fmt: skip
    assert len(lost) == 1 and gained == [0]
    svg = draw_transformation("COc1ccccc1Cl", "COc1ccccc1C#N", legends=("A", "B"))
    assert svg.startswith("<svg") and "<title>A -&gt; B</title>" in svg
    lost_colour, new_colour = "#F28C8C", "#7FD87F"  # viz.PAIR_COLORS in SVG
    assert lost_colour in svg and new_colour in svg
    plain = draw_transformation("COc1ccccc1Cl", "COc1ccccc1Cl")  # no change, no highlight
    assert lost_colour not in plain and new_colour not in plain
    with pytest.raises(DesignError, match="not a valid molecule"):
        draw_transformation("COc1ccccc1Cl", "C1CC(")
