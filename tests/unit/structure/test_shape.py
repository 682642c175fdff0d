"""drugml.structure.shape_similarity: overlays on EGFR's erlotinib pose, statuses, settings."""

from __future__ import annotations

import math
import time

import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import AllChem

from drugml.chem import SmilesListError
from drugml.structure import (
    SHAPE_COLUMNS,
    ReferenceLigand,
    ShapeReferenceError,
    ShapeSettings,
    ShapeSettingsError,
    StructureError,
    reference_ligands,
    shape_similarity,
)

ERLOTINIB = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
GEFITINIB = "COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1"
PARACETAMOL = "CC(=O)Nc1ccc(O)cc1"
FAST = ShapeSettings(n_conformers=1)


@pytest.fixture(scope="module")
def crystal() -> ReferenceLigand:
    return ReferenceLigand.from_structure("egfr_1m17", "AQ4", ERLOTINIB)


def test_erlotinib_fits_its_own_crystal_pose_and_gefitinib_beats_paracetamol(crystal):
    # Three conformers: with the default one, gefitinib's first conformer is a poor fit
    table = shape_similarity([ERLOTINIB, GEFITINIB, PARACETAMOL], crystal, ShapeSettings(3))
    assert list(table.columns) == list(SHAPE_COLUMNS)
    assert table["shape_status"].tolist() == ["ok"] * 3
    assert (table["shape_reference"] == "egfr_1m17:AQ4").all()
    erlotinib, gefitinib, paracetamol = table["shape_pharmacophore_similarity"]
    assert table.loc[0, "shape_similarity"] > 0.6
    assert min(erlotinib, gefitinib) > paracetamol + 0.2
    combined = (table["shape_similarity"] + table["pharmacophore_similarity"]) / 2
    assert (combined - table["shape_pharmacophore_similarity"]).abs().max() < 1e-3


def test_a_3d_molecule_is_a_reference_and_a_molecule_is_re_embedded(crystal):
    given = ReferenceLigand.from_mol(crystal.mol, "given pose")
    assert given.source == "given" and crystal.source == "crystal"
    assert given.mol.GetNumAtoms() == crystal.mol.GetNumAtoms() == 29
    # The molecule's own (crystal) coordinates are not used: not 1.0, but close in shape.
    row = shape_similarity([crystal.mol], given, FAST).iloc[0]
    assert row["shape_status"] == "ok" and 0.6 < row["shape_similarity"] < 1.0


def test_failures_are_statuses_in_input_order(crystal):
    molecules = ["C1CC", None, "C1#CC1", GEFITINIB, "[H][H]", "CCO"]
    table = shape_similarity(molecules, crystal, ShapeSettings(n_conformers=1, max_heavy_atoms=20))
    assert len(table) == len(molecules)
    assert table["shape_status"].tolist() == [
        "unparsable",
        "unparsable",
        "embedding_failed",
        "too_large",
        "unparsable",
        "ok",
    ]
    failed = table[table["shape_status"] != "ok"]
    assert failed["shape_reason"].str.len().gt(0).all()
    assert failed["shape_similarity"].isna().all() and (failed["shape_reference"] == "").all()
    assert "31 heavy atoms" in table.loc[3, "shape_reason"]


def test_a_molecule_etkdg_cannot_embed_fails_in_seconds_not_minutes(crystal):
    dolasetron = "O=C(O[C@@H]1C[C@@H]2C[C@H]3C[C@H](C1)N2CC3=O)c1c[nH]c2ccccc12"
    start = time.perf_counter()
    row = shape_similarity([dolasetron], crystal).iloc[0]
    assert row["shape_status"] == "embedding_failed"
    assert time.perf_counter() - start < 30  # 20 s of CPU with RDKit's default attempts


def test_same_seed_same_scores_whatever_n_jobs(crystal):
    small = ["CCO", "c1ccccc1", "CC(=O)O", "CCN", "c1ccncc1", "OCCO", "CC(C)O", "C1CCCCC1"]
    molecules = [*small * 3, PARACETAMOL, "Oc1ccccc1", "CCOC(=O)C"]  # 27: two chunks of 25
    serial = shape_similarity(molecules, crystal, FAST, n_jobs=1)
    parallel = shape_similarity(molecules, crystal, FAST, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert (
        serial["shape_similarity"].iloc[:8].tolist()
        == serial["shape_similarity"].iloc[8:16].tolist()
    )


def test_molecules_as_rdkit_mols_score_like_their_smiles(crystal):
    by_smiles = shape_similarity([GEFITINIB], crystal, FAST)
    by_mol = shape_similarity([Chem.MolFromSmiles(GEFITINIB)], crystal, FAST)
    pd.testing.assert_frame_equal(by_smiles, by_mol)


def test_the_best_reference_is_named(crystal):
    refs = [crystal, ReferenceLigand.from_smiles("c1ccccc1C", name="toluene")]
    table = shape_similarity([GEFITINIB, "c1ccccc1CC"], refs, FAST)
    assert table["shape_reference"].tolist() == ["egfr_1m17:AQ4", "toluene"]


def test_a_generated_reference_is_the_same_every_time():
    first = ReferenceLigand.from_smiles(PARACETAMOL)
    second = reference_ligands(PARACETAMOL)[0]
    assert first.source == "generated" and first.name == PARACETAMOL
    assert first.mol.GetConformer().GetPositions().tolist() == (
        second.mol.GetConformer().GetPositions().tolist()
    )


def test_reference_errors_are_named():
    with pytest.raises(ShapeReferenceError, match="unclosed ring"):
        ReferenceLigand.from_smiles("C1CC")
    flat = Chem.MolFromSmiles("c1ccccc1O")
    AllChem.Compute2DCoords(flat)
    with pytest.raises(ShapeReferenceError, match="2D"):
        ReferenceLigand.from_mol(flat)
    with pytest.raises(ShapeReferenceError, match="no conformer"):
        ReferenceLigand.from_mol(Chem.MolFromSmiles("CCO"))
    with pytest.raises(ShapeReferenceError, match="no ligand 'XYZ'") as info:
        ReferenceLigand.from_structure("egfr_1m17", "XYZ", "CCO")
    assert isinstance(info.value, StructureError)
    with pytest.raises(ShapeReferenceError, match="bond orders"):
        ReferenceLigand.from_structure("egfr_1m17", "AQ4", "")
    with pytest.raises(ShapeReferenceError, match="more than once"):
        reference_ligands(["CCO", "CCO"])
    with pytest.raises(ShapeReferenceError, match="at least one"):
        reference_ligands([])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n_conformers", 0),
        ("n_conformers", 2.5),
        ("n_conformers", True),
        ("seed", -1),
        ("opt_param", 1.5),
        ("opt_param", math.nan),
        ("max_heavy_atoms", 0),
    ],
)
def test_impossible_settings_are_refused(field, value):
    with pytest.raises(ShapeSettingsError, match=field):
        ShapeSettings(**{field: value})


def test_bad_calls_raise_before_any_work(crystal):
    with pytest.raises(SmilesListError):
        shape_similarity(GEFITINIB, crystal)
    with pytest.raises(ShapeSettingsError):
        shape_similarity([GEFITINIB], crystal, settings={"n_conformers": 1})
    empty = shape_similarity([], crystal)
    assert empty.empty and list(empty.columns) == list(SHAPE_COLUMNS)
