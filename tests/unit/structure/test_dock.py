"""drugml.structure.dock: receptor and ligand preparation, boxes, Vina runs, statuses, poses.

Vina runs here use small molecules and a low exhaustiveness so that each takes
seconds; the validation of the protocol (redocking, cross-docking, enrichment)
is ``benchmarks/docking.py``.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("vina")
pytest.importorskip("meeko")

from drugml.errors import DrugmlError
from drugml.structure import dock

ANILINOQUINAZOLINE = "c1ccc(Nc2ncnc3ccccc23)cc1"  # the hinge-binding core of erlotinib
FAST = dict(exhaustiveness=1, n_poses=3, check_poses=False, pose_selection="score")


@pytest.fixture(scope="module")
def receptor():
    return dock.prepare_receptor("egfr_1m17", chains=["A"], keep_waters=["A:10"])


@pytest.fixture(scope="module")
def box():
    return dock.box_from_ligand("egfr_1m17", "AQ4")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# ---------------------------------------------------------------- receptor
def test_receptor_reports_what_was_removed_and_kept(receptor):
    report = receptor.report
    assert report["chains"] == ["A"]
    assert report["kept_waters"] == ["A:HOH10"]
    assert len(report["removed"]["waters"]) == 19  # 20 waters in 1M17, one kept
    assert report["removed"]["ligands"] == ["A:AQ4999"]
    assert report["altlocs_resolved"] == ["A:CYS751", "A:ASP831"]
    assert report["hydrogens_added"] > 2000
    # every heavy atom kept survives preparation, and the PDBQT holds no ligand
    assert report["heavy_atoms_out"] == report["heavy_atoms_in"]
    assert "AQ4" not in receptor.pdbqt and "HOH" in receptor.pdbqt


def test_receptor_errors_name_the_problem():
    with pytest.raises(dock.ReceptorError, match="no chain"):
        dock.prepare_receptor("egfr_1m17", chains=["Z"])
    with pytest.raises(dock.ReceptorError, match="not found"):
        dock.prepare_receptor("egfr_1m17", keep_waters=["A:4242"])
    with pytest.raises(dock.ReceptorError, match=r"does not exist|neither a file"):
        dock.prepare_receptor("no_such_structure.pdb")
    assert issubclass(dock.ReceptorError, DrugmlError)


def test_incomplete_and_nonstandard_residues_are_removed_and_reported(tmp_path):
    from drugml.data import path

    lines = path("egfr_1m17").read_text().splitlines()
    # LYS 721 loses its side chain beyond CB: no template matches it any more
    damaged = [
        line
        for line in lines
        if not (
            line.startswith("ATOM")
            and line[17:20] == "LYS"
            and line[22:26].strip() == "721"
            and line[12:16].strip() in ("CG", "CD", "CE", "NZ")
        )
    ]
    # a modified residue Meeko has no template for (selenomethionine)
    damaged = [
        line[:17] + "MSE" + line[20:]
        if line.startswith("ATOM") and line[22:26].strip() == "990"
        else line
        for line in damaged
    ]
    file = tmp_path / "damaged.pdb"
    file.write_text("\n".join(damaged) + "\n")
    receptor = dock.prepare_receptor(file, chains=["A"])
    assert receptor.report["removed"]["incomplete"] == ["A:721"]
    assert receptor.report["removed"]["nonstandard"] == ["A:MSE990"]
    assert any("missing atoms" in note for note in receptor.report["notes"])


def test_bridging_waters():
    assert dock.bridging_waters("egfr_1m17", "AQ4") == ["A:10"]
    assert dock.bridging_waters("egfr_5ug9", "8AM") == []  # the file holds no water


# --------------------------------------------------------------------- box
def test_boxes(receptor, box):
    ligand = np.array(
        [
            [float(x[30:38]), float(x[38:46]), float(x[46:54])]
            for x in __import__("drugml.structure", fromlist=["x"])
            .load_structure("egfr_1m17")
            .ligand_pdb("AQ4")
            .splitlines()
            if x.startswith(("ATOM", "HETATM"))
        ]
    )
    assert box.contains(ligand).all()
    assert min(box.size) >= 22.0
    by_residues = dock.box_from_residues("egfr_1m17", [719, 769, 831])
    assert by_residues.contains(np.array([box.center])).all()
    dock.check_box(receptor, box)
    far = dock.Box((200.0, 200.0, 200.0), (20.0, 20.0, 20.0))
    with pytest.raises(dock.DockingError, match="does not contain a pocket"):
        dock.check_box(receptor, far)
    with pytest.raises(dock.DockingError, match="None of the residues"):
        dock.box_from_residues("egfr_1m17", [5])


# ------------------------------------------------------------------ ligand
def test_ligand_preparation_protonates_and_types():
    from rdkit import Chem

    mol, pdbqt = dock.prepare_ligand("CN1CCN(CC1)c1ccccc1C(=O)O.Cl", ph=7.4)
    assert Chem.MolToSmiles(Chem.RemoveHs(mol)) == "C[NH+]1CCN(c2ccccc2C(=O)[O-])CC1"
    assert mol.GetNumConformers() == 1 and "ROOT" in pdbqt
    neutral, _ = dock.prepare_ligand("CN1CCN(CC1)c1ccccc1C(=O)O", ph=None)
    assert Chem.MolToSmiles(Chem.RemoveHs(neutral)) == "CN1CCN(c2ccccc2C(=O)O)CC1"
    same, _ = dock.prepare_ligand("CN1CCN(CC1)c1ccccc1C(=O)O", ph=None)
    assert np.allclose(neutral.GetConformer().GetPositions(), same.GetConformer().GetPositions())


@pytest.mark.parametrize(
    ("smiles", "status"),
    [
        ("not a smiles", "unparsable"),
        ("[Pt](N)(N)(Cl)Cl", "untypeable"),  # cisplatin: a metal Vina cannot type
        ("C1#CC1", "embedding_failed"),
    ],
)
def test_ligand_failures_have_a_status(smiles, status):
    with pytest.raises(dock.LigandPreparationError) as info:
        dock.prepare_ligand(smiles)
    assert info.value.status == status and info.value.reason


# ----------------------------------------------------------------- docking
@pytest.fixture(scope="module")
def docked(receptor, box, tmp_path_factory):
    settings = dock.DockingSettings(
        exhaustiveness=1,
        n_poses=4,
        seed=3,
        check_poses=True,
        key_interaction=dock.KeyInteraction("MET769"),
    )
    folder = tmp_path_factory.mktemp("receptor")
    return dock.dock(ANILINOQUINAZOLINE, receptor, box, settings, work_dir=folder), settings, folder


def test_same_seed_same_poses_and_reuse_does_not_change_them(docked, receptor, box):
    first, settings, folder = docked
    assert first.status == "docked", first.reason
    # another molecule docked in between with the same (cached) Vina object
    dock.dock(
        "c1ccc2[nH]ccc2c1", receptor, box, dock.DockingSettings(seed=3, **FAST), work_dir=folder
    )
    again = dock.dock(ANILINOQUINAZOLINE, receptor, box, settings, work_dir=folder)
    assert first.scores == again.scores and len(first.poses) > 1
    for a, b in zip(first.poses, again.poses, strict=True):
        assert np.array_equal(a.GetConformer().GetPositions(), b.GetConformer().GetPositions())
    row = first.row()
    assert row["docking_score"] < -4 and row["docking_ligand_efficiency"] > 0.2
    assert row["docking_best_score"] == round(min(first.scores), 3)


def test_pose_choice_checks_and_interactions_per_pose(docked):
    result, _, _ = docked
    assert len(result.interactions) == len(result.poses) == len(result.failed_checks)
    # the chosen pose: the best-scored one making the key interaction, else the best scored
    expected = result.key_interaction.index(True) if any(result.key_interaction) else 0
    assert result.chosen == expected
    assert result.row()["pose_ok"] == (not result.failed_checks[result.chosen])
    assert all(isinstance(found, list) for found in result.interactions)


def _crystal_erlotinib():
    from rdkit import Chem

    from drugml.structure import load_structure

    ligand = load_structure("egfr_1m17").ligand_mol(
        "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
    )
    return Chem.AddHs(ligand, addCoords=True)


def _shifted(mol, dx: float):
    from rdkit import Chem

    moved = Chem.Mol(mol)
    conf = moved.GetConformer()
    for i in range(moved.GetNumAtoms()):
        p = conf.GetAtomPosition(i)
        conf.SetAtomPosition(i, (p.x + dx, p.y, p.z))
    return moved


def test_hinge_hydrogen_bond_found_in_the_crystal_pose_only(receptor, box, tmp_path):
    paths = dock.receptor_files(receptor, box, tmp_path)
    crystal = _crystal_erlotinib()
    found = dock.pose_interactions([crystal, _shifted(crystal, 6.0)], paths["pdb"])
    key = dock.KeyInteraction("MET769")
    assert "MET769.A:HBAcceptor" in found[0]
    assert [any(key.matches(*item.rsplit(":", 1)) for item in f) for f in found] == [True, False]
    checks = dock.check_poses([crystal, _shifted(crystal, 2.5)], paths["pdb"])
    assert checks[0] == []  # the crystal pose passes PoseBusters' docking checks
    assert checks[1]  # pushed 2.5 A into the protein: clashes


def test_pose_rmsd_is_symmetry_aware():
    from rdkit import Chem

    ligand = Chem.RemoveHs(_crystal_erlotinib())
    assert dock.pose_rmsd(ligand, ligand) == pytest.approx(0.0, abs=1e-6)
    assert dock.pose_rmsd(_shifted(ligand, 1.0), ligand) == pytest.approx(1.0, abs=1e-6)
    # hydrogens and a protonation that differs from the crystal's bond orders do not matter
    charged = Chem.RWMol(ligand)
    charged.GetAtomWithIdx(0).SetFormalCharge(0)
    assert dock.pose_rmsd(Chem.AddHs(ligand, addCoords=True), ligand) == pytest.approx(
        0.0, abs=1e-6
    )


def test_bad_molecules_get_statuses_and_the_run_goes_on(receptor, tmp_path):
    small_box = dock.Box(dock.box_from_ligand("egfr_1m17", "AQ4").center, (8.0, 8.0, 8.0))
    molecules = ["not a smiles", "[Pt](N)(N)(Cl)Cl", "C1#CC1", "C" * 30, "c1ccc2[nH]ccc2c1"]
    table = dock.dock_many(
        molecules,
        receptor,
        small_box,
        tmp_path / "run",
        dock.DockingSettings(**FAST),
        progress=False,
    )
    assert len(table) == len(molecules)
    assert table["docking_status"].tolist() == [
        "unparsable",
        "untypeable",
        "embedding_failed",
        "too_large_for_box",
        "docked",
    ]
    assert table["docking_reason"].iloc[:4].str.len().gt(0).all()
    assert (tmp_path / "run" / "poses" / "000004.sdf").is_file()
    assert not (tmp_path / "run" / "poses" / "000000.sdf").exists()


def test_time_limit_stops_one_molecule(receptor, box, tmp_path):
    erlotinib = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
    settings = dock.DockingSettings(exhaustiveness=8, time_limit=1.0, check_poses=False)
    result = dock.dock(erlotinib, receptor, box, settings, work_dir=tmp_path)
    assert result.status == "timeout" and "1 s" in result.reason


def test_killed_run_resumes_to_identical_output(receptor, box, tmp_path):
    molecules = pd.DataFrame(
        {"id": ["a", "b", "c"], "smiles": [ANILINOQUINAZOLINE, "c1ccc2[nH]ccc2c1", "bad("]}
    )
    settings = dock.DockingSettings(seed=1, **FAST)
    out = tmp_path / "run"
    full = dock.dock_many(molecules, receptor, box, out, settings, progress=False)
    reference = (out / "docking.csv").read_bytes()
    poses = (out / "poses" / "000001.sdf").read_bytes()
    # a kill after the first molecule: later results missing, a half-written file left
    (out / "results" / "000001.json").unlink()
    (out / "results" / "000002.json").unlink()
    (out / "poses" / "000001.sdf").unlink()
    (out / "docking.csv").unlink()
    (out / "results" / ".000002.json.tmp-123").write_text("{")
    resumed = dock.dock_many(molecules, receptor, box, out, settings, progress=False)
    assert (out / "docking.csv").read_bytes() == reference
    assert (out / "poses" / "000001.sdf").read_bytes() == poses
    pd.testing.assert_frame_equal(full, resumed)
    assert not list((out / "results").glob(".*tmp*"))
    # other settings into the same folder: refused, nothing deleted
    with pytest.raises(dock.DockingError, match="other inputs or settings"):
        dock.dock_many(
            molecules, receptor, box, out, dock.DockingSettings(seed=2, **FAST), progress=False
        )
    assert json.loads((out / "results" / "000000.json").read_text())["status"] == "docked"


def test_settings_are_checked():
    with pytest.raises(dock.DockingError, match="scoring"):
        dock.DockingSettings(scoring="autodock4")
    with pytest.raises(dock.DockingError, match="time_limit"):
        dock.DockingSettings(time_limit=0)
    with pytest.raises(dock.DockingError, match="covalent_distance"):
        dock.DockingSettings(covalent_distance=0)


# ---------------------------------------------------------------- covalent
ACRYLAMIDE = "C=CC(=O)Nc1cccc(Nc2ncnc3ccccc23)c1"  # an anilinoquinazoline with a warhead


def test_warheads_are_found_and_the_reacted_form_is_not():
    from rdkit import Chem

    def found(smiles):
        return dock.warhead_atoms(Chem.MolFromSmiles(smiles))

    assert found(ACRYLAMIDE) == [0]  # the acrylamide's terminal CH2
    assert found("CN(C)C/C=C/C(=O)Nc1ccccc1") == [4]  # afatinib's crotonamide: its beta carbon
    assert found("ClCC(=O)Nc1ccccc1") == [1] and found("C=CS(=O)(=O)N") == [0]
    assert found("CCC(=O)Nc1ccccc1") == [] and found("c1ccccc1C=O") == []


def test_covalent_receptor_and_the_pose_within_reach_is_chosen(tmp_path):
    from drugml.structure import load_structure

    receptor = dock.prepare_receptor("egfr_5ug9", covalent_residue="CYS797")
    site = receptor.report["covalent"]
    sg = next(
        a.coord
        for a in load_structure("egfr_5ug9").model.get_atoms()
        if a.get_parent().id[1] == 797 and a.get_id() == "SG"
    )
    assert site["residue"] == "CYS797.X" and site["atom"] == "SG"
    assert np.allclose(site["position"], sg, atol=1e-3)
    residue = [line for line in receptor.pdbqt.splitlines() if line[22:26].strip() == "797"]
    assert residue and all(line[17:20] == "ALA" for line in residue)
    assert not any(line[12:16].strip() in ("SG", "HG") for line in residue)
    for bad, message in (
        ("CYS9999", "no such residue"),
        ("MET793", "supports"),
        ("C797x", "is not a residue like"),
    ):
        with pytest.raises(dock.ReceptorError, match=message):
            dock.prepare_receptor("egfr_5ug9", covalent_residue=bad)
    box = dock.box_from_ligand("egfr_5ug9", "8AM")
    settings = dock.DockingSettings(seed=2, covalent_distance=0.5, **FAST)
    first = dock.dock(ACRYLAMIDE, receptor, box, settings, work_dir=tmp_path / "a")
    assert first.status == "docked" and len(first.covalent_distance) == len(first.poses) > 1
    assert first.chosen == 0 and min(first.covalent_distance) > 0.5  # none within reach
    assert first.row()["docking_covalent_distance"] == round(first.covalent_distance[0], 2)
    # the reactive atom where the last pose's warhead is: that pose is the one within reach
    last = first.poses[-1]
    where = list(last.GetConformer().GetAtomPosition(dock.warhead_atoms(last)[0]))
    moved = dock.Receptor(
        receptor.name,
        receptor.pdbqt,
        receptor.pdb,
        {**receptor.report, "covalent": {**site, "position": where}},
    )
    again = dock.dock(ACRYLAMIDE, moved, box, settings, work_dir=tmp_path / "b")
    assert again.scores == first.scores and again.chosen == len(again.poses) - 1
    assert again.row()["docking_covalent_distance"] == 0.0
    plain = dock.dock(ANILINOQUINAZOLINE, receptor, box, settings, work_dir=tmp_path / "a")
    assert plain.covalent_distance == [] and np.isnan(plain.row()["docking_covalent_distance"])


def test_drugml_dock_command_docks_covalently_and_says_what_is_wrong(tmp_path, capsys):
    from drugml.cli import main

    out = tmp_path / "docked"
    argv = [
        "dock",
        ACRYLAMIDE,
        "--structure",
        "egfr_5ug9",
        "--ligand",
        "8AM",
        "--covalent-residue",
        "auto",
        "--key-residue",
        "MET793",
        "--exhaustiveness",
        "1",
        "--n-poses",
        "3",
        "--no-pose-checks",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    table = pd.read_csv(out / "docking.csv")
    assert table["docking_status"].tolist() == ["docked"]
    assert table["docking_covalent_distance"].notna().all()  # the receptor is covalent: CYS797
    assert json.loads((out / "receptor" / "receptor.json").read_text())["covalent"]["atom"] == "SG"
    assert "docked 1 of 1" in capsys.readouterr().out
    bad = [
        "dock",
        ACRYLAMIDE,
        "--structure",
        "egfr_5ug9",
        "--ligand",
        "8AM",
        "--covalent-residue",
        "CYS9999",
        "--out",
        str(tmp_path / "never"),
    ]
    assert main(bad) == 2
    assert "no such residue" in capsys.readouterr().err


@pytest.mark.slow
def test_dask_backend_gives_the_local_table(receptor, box, tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    molecules = [ANILINOQUINAZOLINE, "bad("]
    settings = dock.DockingSettings(seed=2, **FAST)
    local = dock.dock_many(molecules, receptor, box, tmp_path / "local", settings, progress=False)
    with (
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        distributed = dock.dock_many(
            molecules,
            receptor,
            box,
            tmp_path / "dask",
            settings,
            backend="dask",
            client=client,
            progress=False,
        )
    pd.testing.assert_frame_equal(local, distributed)
    assert distributed["docking_status"].tolist() == ["docked", "unparsable"]
