"""drugml.structure.pockets: ligand-free pocket detection, descriptors, ranking, boxes, errors.

The validation on every embedded complex (is the crystal ligand in the top
pocket?) is ``benchmarks/pockets.py``; here 1M17 stands for it.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from drugml.errors import DrugmlError
from drugml.structure import StructureError, load_structure
from drugml.structure.pockets import (
    POCKET_COLUMNS,
    Pocket,
    PocketError,
    PocketSettings,
    box_from_pocket,
    find_pockets,
    pocket_table,
    polymer_atoms,
    select_pocket,
)

TINY_PDB = """\
ATOM      1  N   ALA A   1       0.000   0.000   0.000  1.00  0.00           N
ATOM      2  CA  ALA A   1       1.458   0.000   0.000  1.00  0.00           C
ATOM      3  C   ALA A   1       2.009   1.420   0.000  1.00  0.00           C
ATOM      4  O   ALA A   1       1.251   2.390   0.000  1.00  0.00           O
ATOM      5  CB  ALA A   1       1.988  -0.773  -1.199  1.00  0.00           C
END
"""


@pytest.fixture(scope="module")
def egfr():
    return load_structure("egfr_1m17")


@pytest.fixture(scope="module")
def pockets(egfr):
    return find_pockets(egfr)


@pytest.fixture(scope="module")
def aq4(egfr):
    residue = egfr.ligand_residue("AQ4")
    return np.array([a.coord for a in residue.get_atoms() if a.element != "H"], dtype=float)


def test_the_top_pocket_of_1m17_holds_erlotinib_although_it_was_removed(pockets, aq4):
    top = pockets[0]
    assert top.rank == 1
    assert top.contains_ligand(aq4)  # centroid and >= half the heavy atoms in its grid
    assert top.contains(aq4).mean() >= 0.9
    assert {"MET769.A", "THR766.A", "LYS721.A"} <= set(top.residues)  # hinge, gatekeeper, Lys
    assert not any(p.contains_ligand(aq4) for p in pockets[1:])


def test_ligands_waters_and_ions_are_not_part_of_the_grid(egfr, pockets, tmp_path):
    atoms = polymer_atoms(egfr)
    assert "AQ4" not in {label[:3] for label in atoms.residues}
    assert not any(label.startswith("HOH") for label in atoms.residues)
    # The same protein written without its ligand and waters gives the same pockets.
    chain = egfr.model["A"]
    polymer = set(egfr.chain("A").residue_ids)
    apo = tmp_path / "apo.pdb"
    apo.write_text(egfr.to_pdb([r for r in chain if (r.id[1], r.id[2]) in polymer]))
    again = find_pockets(apo)
    assert [p.volume for p in again] == [p.volume for p in pockets]


def test_pockets_are_ranked_by_score_and_described(pockets):
    settings = PocketSettings()
    assert [p.rank for p in pockets] == list(range(1, len(pockets) + 1))
    scores = [p.score for p in pockets]
    assert scores == sorted(scores, reverse=True)
    atoms = polymer_atoms(load_structure("egfr_1m17"))
    for p in pockets:
        assert p.volume == len(p.points) * settings.spacing**3 >= settings.min_volume
        assert settings.min_buriedness <= p.buriedness <= 1
        assert 0 < p.hydrophobicity < 1 and 0 < p.score <= 1 and p.depth > 0
        assert np.allclose(p.center, p.points.mean(axis=0))
        # every point has room for a ligand atom
        gaps = np.linalg.norm(atoms.coords[None, :, :] - p.points[:50, None, :], axis=2)
        assert gaps.min() >= settings.free_distance - 1e-6


def test_as_dict_is_json_and_leaves_the_points_out(pockets):
    record = json.loads(json.dumps(pockets[0].as_dict()))
    assert "points" not in record
    assert record["rank"] == 1 and record["n_points"] == len(pockets[0].points)
    assert record["residues"][0].endswith(".A") and record["structure"] == "egfr_1m17"


def test_pocket_table_has_one_row_per_pocket(pockets):
    table = pocket_table(pockets)
    assert list(table.columns) == list(POCKET_COLUMNS)
    assert table["rank"].tolist() == [p.rank for p in pockets]
    assert "MET769.A" in table.loc[0, "residues"].split()


def test_contains_uses_the_grid_tolerance(pockets):
    top = pockets[0]
    assert top.default_tolerance == pytest.approx(math.sqrt(3) / 2 + 0.5)
    point = top.points[0]
    near = point + np.array([top.default_tolerance - 0.01, 0, 0])
    far = top.points.max(axis=0) + 10
    assert top.contains([point, near, far]).tolist() == [True, True, False]
    assert top.contains(far, tolerance=100).tolist() == [True]
    assert not top.contains_ligand(np.empty((0, 3)))


def test_box_from_pocket_spans_the_points_plus_a_margin(pockets):
    from drugml.structure.dock import BOX_MIN_SIZE, Box
    from drugml.structure.pockets import POCKET_BOX_MARGIN

    top = pockets[0]
    low, high = top.points.min(axis=0), top.points.max(axis=0)
    box = box_from_pocket(top)
    assert isinstance(box, Box)
    assert np.allclose(box.center, (low + high) / 2)
    assert np.allclose(box.size, np.maximum(high - low + 2 * POCKET_BOX_MARGIN, BOX_MIN_SIZE))
    assert box.contains(top.points).all()
    tight = box_from_pocket(top, margin=0.0, min_size=0.0)
    assert np.allclose(tight.size, high - low)
    with pytest.raises(PocketError, match="margin"):
        box_from_pocket(top, margin=-1.0)


def test_select_pocket_names_how_many_pockets_there_are(pockets):
    assert select_pocket(pockets, 1) is pockets[0]
    with pytest.raises(PocketError, match=rf"No pocket of rank 99: {len(pockets)} pocket"):
        select_pocket(pockets, 99)
    with pytest.raises(PocketError, match="no pockets"):
        select_pocket([], 1)


def test_a_structure_with_no_cavity_raises_and_suggests_lowering_min_volume(tmp_path):
    path = tmp_path / "tiny.pdb"
    path.write_text(TINY_PDB)
    with pytest.raises(PocketError, match="lower min_volume") as info:
        find_pockets(path)
    assert "min_volume=100.0" in str(info.value)
    assert isinstance(info.value, StructureError) and isinstance(info.value, DrugmlError)


def test_bad_settings_and_chains_are_refused_before_work(egfr):
    with pytest.raises(PocketError, match="Unknown pocket setting"):
        find_pockets(egfr, spacin=1.0)
    with pytest.raises(PocketError, match="min_buriedness"):
        PocketSettings(min_buriedness=1.5)
    with pytest.raises(PocketError, match="spacing"):
        PocketSettings(spacing=0)
    with pytest.raises(PocketError, match="connectivity"):
        PocketSettings(connectivity=8)
    with pytest.raises(PocketError, match=r"no polymer chain \['B'\].*\['A'\]"):
        find_pockets(egfr, chains=["B"])


def test_settings_override_one_field(egfr):
    small = find_pockets(egfr, min_volume=50)
    assert len(small) >= 3 and min(p.volume for p in small) >= 50
    assert isinstance(small[0], Pocket)


def test_the_facade_is_lazy_and_complete():
    import drugml.structure as structure

    assert structure.pockets.find_pockets is find_pockets
    assert "pockets" in structure.__all__


def test_pocket_view_draws_the_chosen_pockets(egfr, pockets):
    pytest.importorskip("py3Dmol")
    from drugml.viz import pocket_legend, pocket_view

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no local 3Dmol.js: the CDN notice
        view = pocket_view(egfr, pockets, top=2)
        html = view.to_html()
    assert "Pocket 1" in html and "Pocket 2" in html and "Pocket 3" not in html
    assert "Pocket 1" in pocket_legend(pockets[:2])
    with pytest.raises(PocketError, match="No pocket of rank 9"):
        pocket_view(egfr, pockets, ranks=[9])
