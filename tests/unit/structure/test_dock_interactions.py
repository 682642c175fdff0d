"""drugml.structure.dock: interaction-fingerprint rescoring of poses against a reference.

No docking here: the crystal ligand of 1M17 plays the pose, beside copies moved out of
the pocket; the docking choice is tested on a result built from them.
"""

from __future__ import annotations

import importlib.util
import json
import math
import warnings

import numpy as np
import pytest

# find_spec, not importorskip: importing ProLIF here would let MDAnalysis warn
if importlib.util.find_spec("prolif") is None or importlib.util.find_spec("meeko") is None:
    pytest.skip("needs prolif and meeko (drugml[dock])", allow_module_level=True)

from drugml.structure import dock

ERLOTINIB = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(scope="module")
def pocket(tmp_path_factory):
    """The prepared 1M17 pocket (PDB with hydrogens), as docking computes interactions."""
    receptor = dock.prepare_receptor("egfr_1m17", chains=["A"], keep_waters=["A:10"])
    box = dock.box_from_ligand("egfr_1m17", "AQ4")
    return dock.receptor_files(receptor, box, tmp_path_factory.mktemp("receptor"))["pdb"]


@pytest.fixture(scope="module")
def crystal():
    from rdkit import Chem

    from drugml.structure import load_structure

    ligand = load_structure("egfr_1m17").ligand_mol("AQ4", ERLOTINIB)
    return Chem.AddHs(ligand, addCoords=True)


@pytest.fixture(scope="module")
def reference(pocket):
    from drugml.structure import load_structure

    # without hydrogens: reference_interactions adds them
    return dock.reference_interactions(
        pocket, load_structure("egfr_1m17").ligand_mol("AQ4", ERLOTINIB)
    )


@pytest.fixture(scope="module")
def moved(crystal, pocket):
    """The crystal pose 8 Å away from the pocket (along the line from the atoms lining it to
    the ligand), and 40 Å away (touching nothing)."""
    from rdkit import Chem

    protein = Chem.MolFromPDBFile(pocket, removeHs=False).GetConformer().GetPositions()
    centre = crystal.GetConformer().GetPositions().mean(axis=0)
    lining = protein[np.linalg.norm(protein - centre, axis=1) < 12.0]
    away = (centre - lining.mean(axis=0)) / np.linalg.norm(centre - lining.mean(axis=0))
    return _shifted(crystal, 8.0 * away), _shifted(crystal, 40.0 * away)


def _shifted(mol, vector):
    from rdkit import Chem

    out = Chem.Mol(mol)
    conf = out.GetConformer()
    for i in range(out.GetNumAtoms()):
        p = conf.GetAtomPosition(i)
        conf.SetAtomPosition(i, (p.x + vector[0], p.y + vector[1], p.z + vector[2]))
    return out


# ---------------------------------------------------------------- reference
def test_the_crystal_ligand_is_its_own_reference(reference, crystal, pocket):
    assert "MET769.A:HBAcceptor" in reference.interactions  # the hinge hydrogen bond
    assert reference.source == f"AQ4999.A in {pocket.rsplit('/', 1)[-1]}"
    found = dock.pose_interactions([crystal], pocket)[0]
    assert set(found) == set(reference.interactions)
    assert dock.interaction_similarity(found, reference) == 1.0
    assert dock.interaction_similarity(found, reference, metric="recall") == 1.0
    # the settings take the reference as it is, or its labels
    settings = dock.DockingSettings(reference_interactions=reference)
    assert settings.reference_interactions == reference.interactions


def test_a_reference_ligand_outside_the_receptor_is_refused(moved, pocket):
    with pytest.raises(dock.DockingError, match="no interaction"):
        dock.reference_interactions(pocket, moved[1])
    with pytest.raises(dock.DockingError, match="no receptor PDB"):
        dock.reference_interactions("no/such/receptor.pdb", moved[1])


def test_interaction_records_name_the_ligand_atoms(crystal, pocket):
    records = dock.pose_interaction_records(crystal, pocket)
    assert all(set(r) == {"residue", "interaction", "ligand_atoms", "distance"} for r in records)
    labels = {f"{r['residue']}:{r['interaction']}" for r in records}
    assert labels == set(dock.pose_interactions([crystal], pocket)[0])  # one per pair
    (hinge,) = [r for r in records if r["interaction"] == "HBAcceptor"]
    assert hinge["residue"] == "MET769.A" and 2.5 < hinge["distance"] < 3.2
    # the acceptor is the quinazoline's N1, an atom of the pose as given
    (atom,) = hinge["ligand_atoms"]
    assert crystal.GetAtomWithIdx(atom).GetSymbol() == "N"
    assert crystal.GetAtomWithIdx(atom).GetIsAromatic()
    every = dock.pose_interaction_records(crystal, pocket, every_occurrence=True)
    assert len(every) > len(records) and {f"{r['residue']}:{r['interaction']}" for r in every} == (
        labels
    )


# --------------------------------------------------------------- similarity
def test_tanimoto_penalizes_extra_interactions_and_recall_does_not():
    reference = ["MET769.A:HBAcceptor", "LEU694.A:Hydrophobic", "LEU820.A:VdWContact"]
    sprawling = [*reference, "CYS773.A:VdWContact", "ARG817.A:VdWContact", "ASP831.A:Anionic"]
    assert dock.interaction_similarity(sprawling, reference) == 0.5
    assert dock.interaction_similarity(sprawling, reference, metric="recall") == 1.0
    # same pairs written twice or as one "; "-joined string (the SDF property)
    assert dock.interaction_similarity("; ".join(reference * 2), reference) == 1.0
    assert dock.interaction_similarity(sprawling, reference, ignore=["VdWContact"]) == 2 / 3
    assert dock.interaction_similarity([], reference) == 0.0
    for bad, message in (
        (dict(metric="dice"), "metric"),
        (dict(reference=[]), "no interaction"),
        (dict(reference=["MET769.A"]), "RESIDUE.CHAIN:Interaction"),
    ):
        arguments = {"pose_interactions": reference, "reference": reference, **bad}
        with pytest.raises(dock.DockingError, match=message):
            dock.interaction_similarity(**arguments)


def test_the_most_similar_pose_within_the_energy_range_is_chosen():
    scores = [-10.0, -9.5, -9.0, -6.0]
    assert dock.most_similar_pose(scores, [0.2, 0.6, 0.6, 0.9], energy_range=3.0) == 1
    assert dock.most_similar_pose(scores, [0.2, 0.6, 0.6, 0.9], energy_range=4.0) == 3
    assert dock.most_similar_pose(scores, [0.0, 0.0, 0.0, 0.0], energy_range=3.0) == 0


# ---------------------------------------------------------------- rescoring
def test_rescoring_a_pose_file_gives_a_reason_for_zero(reference, crystal, moved, pocket, tmp_path):
    from rdkit import Chem

    near, far = moved
    # a pose file as dock_many writes it: best score first, rank, score and interactions
    poses = [Chem.Mol(near), Chem.Mol(crystal), Chem.Mol(far)]
    interactions = dock.pose_interactions(poses, pocket)
    path = tmp_path / "000000.sdf"
    with Chem.SDWriter(str(path)) as writer:
        for rank, (pose, score, found) in enumerate(
            zip(poses, [-10.0, -9.0, -8.5], interactions, strict=True), start=1
        ):
            pose.SetDoubleProp("docking_score", score)
            pose.SetIntProp("pose_rank", rank)
            pose.SetProp("interactions", "; ".join(found))
            writer.write(pose)
    table = dock.rescore_poses(path, None, reference, key_interaction=dock.KeyInteraction("MET769"))
    assert list(table.columns) == list(dock.RESCORE_COLUMNS)
    assert table["interaction_similarity"].tolist() == [0.0, 1.0, 0.0]
    assert table["most_similar"].tolist() == [False, True, False]
    assert table["key_interaction"].tolist() == [False, True, False]
    assert "none of the reference's" in table["reason"][0] and table["reason"][1] == ""
    assert "no interaction" in table["reason"][2] and table["n_interactions"][2] == 0
    assert table["docking_score"].tolist() == [-10.0, -9.0, -8.5]
    # outside the energy range the crystal pose cannot be chosen: the best score is
    narrow = dock.rescore_poses(path, None, reference, energy_range=0.5)
    assert narrow["most_similar"].tolist() == [True, False, False]
    # computed again from the receptor: the same similarities
    again = dock.rescore_poses(path, pocket, reference)
    assert again["interaction_similarity"].tolist() == [0.0, 1.0, 0.0]
    with pytest.raises(dock.DockingError, match="no 'interactions' property"):
        dock.rescore_poses([crystal], None, reference)
    with pytest.raises(dock.DockingError, match="no pose file"):
        dock.rescore_poses(tmp_path / "missing.sdf", None, reference)


# ------------------------------------------------------------------ docking
def test_docking_chooses_by_similarity_and_keeps_it_in_the_payload(
    reference, crystal, moved, pocket
):
    from drugml.structure.dock._settings import result_from_payload, result_to_payload
    from drugml.structure.dock._vina import _annotate_poses, _choose_by_interactions

    near, far = moved
    settings = dock.DockingSettings(
        pose_selection="interaction_similarity", reference_interactions=reference.interactions
    )
    result = dock.DockingResult(
        "docked", scores=[-10.0, -9.5, -6.5], poses=[near, crystal, far], heavy_atoms=29
    )
    _choose_by_interactions(result, settings, pocket)
    assert result.interaction_similarity == [0.0, 1.0, 0.0] and result.chosen == 1
    assert result.key_interaction == []  # no key interaction asked for: none reported
    _annotate_poses(result)
    row = result.row()
    assert row["docking_interaction_similarity"] == row["docking_best_interaction_similarity"] == 1
    assert row["docking_score"] == -9.5 and row["docking_pose_rank"] == 2
    assert row["docking_size_corrected_score"] == round(9.5 / 29**0.3, 4)
    # the result file of dock_many (JSON, poses apart) gives back the lists and the row
    payload = result_to_payload(result)
    payload.pop("sdf")
    back = result_from_payload({**json.loads(json.dumps(payload)), "sdf": ""})
    assert back.interaction_similarity == result.interaction_similarity
    assert back.interactions == result.interactions and back.row() == row
    # by score: the best-scored pose, its similarity reported
    by_score = dock.DockingResult("docked", scores=[-10.0, -9.5, -6.5], poses=[near, crystal, far])
    _choose_by_interactions(
        by_score,
        dock.DockingSettings(pose_selection="score", reference_interactions=reference),
        pocket,
    )
    assert by_score.chosen == 0 and by_score.row()["docking_best_interaction_similarity"] == 1


def test_without_a_reference_nothing_changes(crystal):
    from drugml.structure.dock._vina import _choose_by_interactions

    result = dock.DockingResult("docked", scores=[-9.0], poses=[crystal], heavy_atoms=29)
    _choose_by_interactions(result, dock.DockingSettings(pose_selection="score"), "unused.pdb")
    assert result.interactions == [] and result.interaction_similarity == []
    row = result.row()
    assert math.isnan(row["docking_interaction_similarity"])
    assert math.isnan(row["docking_best_interaction_similarity"])
    assert not math.isnan(row["docking_size_corrected_score"])
    # a run's fingerprint without a reference is the one it was before the setting existed
    assert "reference_interactions" not in dock.DockingSettings().as_dict()
    with_reference = dock.DockingSettings(reference_interactions=("MET769.A:HBAcceptor",))
    assert with_reference.as_dict()["reference_interactions"] == ["MET769.A:HBAcceptor"]
    with pytest.raises(dock.DockingError, match="needs reference_interactions"):
        dock.DockingSettings(pose_selection="interaction_similarity")
    with pytest.raises(dock.DockingError, match=r"MET769\.A:HBAcceptor"):
        dock.DockingSettings(reference_interactions=("MET769",))
    with pytest.raises(dock.DockingError, match="sequence"):
        dock.DockingSettings(reference_interactions="MET769.A:HBAcceptor")
