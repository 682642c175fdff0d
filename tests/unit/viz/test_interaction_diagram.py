"""drugml.viz.interaction_diagram: erlotinib's 1M17 contacts (records written by hand in the
shape of pose_interaction_records) drawn as standalone, offline, deterministic SVG."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from rdkit import Chem
from rdkit.Chem import AllChem

from drugml.viz import INTERACTION_STYLES, VisualizationError, interaction_diagram

ERLOTINIB = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
N1, C2, ANILINE_N, ALKYNE_C, ALKYNE_END = 8, 9, 12, 18, 19
PHENYL = (13, 14, 15, 16, 17, 20)  # the ethynylphenyl ring
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def pose():
    """Erlotinib with explicit hydrogens and 3D coordinates, as a docked pose has them."""
    mol = Chem.AddHs(Chem.MolFromSmiles(ERLOTINIB))
    AllChem.EmbedMolecule(mol, randomSeed=7)
    mol.SetProp("_Name", "erlotinib")
    return mol


def _hydrogen_on(mol, atom):
    return next(n.GetIdx() for n in mol.GetAtomWithIdx(atom).GetNeighbors() if n.GetSymbol() == "H")


def _record(residue, interaction, atoms, distance=None):
    return {
        "residue": residue,
        "interaction": interaction,
        "ligand_atoms": atoms,
        "distance": distance,
    }


@pytest.fixture(scope="module")
def records(pose):
    nh = _hydrogen_on(pose, ANILINE_N)
    return [
        _record("MET769.A", "HBAcceptor", (N1,), 2.9),
        _record("LEU694.A", "Hydrophobic", PHENYL, 3.9),
        _record("ALA719.A", "Hydrophobic", (ALKYNE_END,)),
        _record("LYS721.A", "Hydrophobic", (ALKYNE_C,)),
        _record("LEU820.A", "Hydrophobic", (C2,), 3.7),
        _record("PHE699.A", "EdgeToFace", PHENYL, 5.0),
        _record("THR766.A", "HBDonor", (ANILINE_N, nh)),  # the NH's hydrogen: drawn from N
        _record("MET769.A", "VdWContact", (N1,)),
    ]


@pytest.fixture(scope="module")
def svg(pose, records):
    return interaction_diagram(pose, records)


def _texts(root, group):
    return [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == group
        for t in g.iter(f"{SVG}text")
    ]


def _boxes(root):
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "residues")
    return [
        tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
        for r in group.iter(f"{SVG}rect")
    ]


def test_the_diagram_is_valid_svg_with_a_node_per_residue_and_a_legend_per_type(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and (root.get("width"), root.get("height")) == ("520", "420")
    assert _texts(root, "residues") == [
        "Leu694", "Phe699", "Ala719", "Lys721", "Thr766", "Met769", "Leu820",
    ]  # fmt: skip
    legend = _texts(root, "legend")
    for kind in ("HBAcceptor", "HBDonor", "Hydrophobic", "EdgeToFace", "VdWContact"):
        assert legend.count(INTERACTION_STYLES[kind][1]) == 1
    assert len(legend) == 5
    # A line per atom, one from the ring's centre per ring contact; colours by type.
    lines = [
        ln
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "interactions"
        for ln in g.iter(f"{SVG}line")
    ]
    assert len(lines) == 8
    assert {ln.get("stroke") for ln in lines} == {
        INTERACTION_STYLES[k][0]
        for k in ("HBAcceptor", "HBDonor", "Hydrophobic", "EdgeToFace", "VdWContact")
    }
    assert "Met769: H-bond, ligand acceptor, 2.9 Å" in [ln.find(f"{SVG}title").text for ln in lines]
    assert root.find(f"{SVG}title").text.startswith("Interactions of erlotinib with 7 residues")


def test_the_svg_is_self_contained(svg):
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"]
    assert not re.search(r"<script|href=|@import|url\(|<image|<foreignObject", svg, re.IGNORECASE)


def test_nodes_do_not_overlap_each_other_and_stay_on_the_canvas(svg):
    boxes = _boxes(ET.fromstring(svg))
    for x, y, w, h in boxes:
        assert x >= 0 and x + w <= 520 and y >= 0 and y + h <= 420
    for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(boxes, 2):
        assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay


def test_the_output_is_deterministic_whatever_the_records_order(pose, records, svg):
    assert interaction_diagram(pose, records) == svg
    assert interaction_diagram(pose, records[::-1]) == svg
    assert interaction_diagram(Chem.Mol(pose), [dict(r) for r in records]) == svg


def test_a_hydrogen_stands_for_its_heavy_atom(pose):
    nh = _hydrogen_on(pose, ANILINE_N)
    by_h = interaction_diagram(pose, [_record("THR766.A", "HBDonor", [nh])])
    by_n = interaction_diagram(pose, [_record("THR766.A", "HBDonor", [ANILINE_N])])
    assert by_h == by_n and "skipped" not in by_h


def test_no_records_draws_the_molecule_alone_with_a_note(pose):
    svg = interaction_diagram(pose, [])
    root = ET.fromstring(svg)
    assert "no interactions found" in svg
    assert not [
        g for g in root.iter(f"{SVG}g") if g.get("class") in ("residues", "legend", "interactions")
    ]
    assert root.find(f"{SVG}title").text.endswith("0 residues; no interactions found")


def test_records_outside_the_molecule_are_skipped_warned_and_counted(pose, records):
    bad = _record("ASP831.A", "Anionic", (pose.GetNumAtoms(),))
    with pytest.warns(
        UserWarning, match=r"records \[1\] name atoms outside the molecule \(52 atoms\)"
    ):
        svg = interaction_diagram(pose, [records[0], bad])
    assert "1 record(s) skipped (atoms not in this molecule)" in svg
    assert "Asp831" not in svg
    ET.fromstring(svg)


def test_chains_are_named_when_several_interact(pose, records):
    other = _record("ASP831.B", "Cationic", (N1 + 2,))  # N3
    labels = _texts(ET.fromstring(interaction_diagram(pose, [*records, other])), "residues")
    assert "Met769 (A)" in labels and "Asp831 (B)" in labels


def test_a_molecule_without_hydrogens_and_an_unknown_type_are_drawn():
    mol = Chem.MolFromSmiles("c1ccccc1O")
    svg = interaction_diagram(mol, [_record("HOH10.A", "WaterBridge", 6)], legend=False)
    root = ET.fromstring(svg)
    assert _texts(root, "residues") == ["HOH10"]
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]


@pytest.mark.parametrize(
    ("mol", "records", "size", "message"),
    [
        ("CCO", [], (520, 420), "needs an RDKit molecule"),
        (Chem.MolFromSmiles("CCO"), [{"residue": "MET769.A"}], (520, 420), r"records\[0\] lacks"),
        (Chem.MolFromSmiles("CCO"), [_record("A", "HBDonor", [1.5])], (520, 420), "not atom"),
        (Chem.MolFromSmiles("CCO"), {"residue": "A"}, (520, 420), "mappings in a list"),
        (Chem.MolFromSmiles("CCO"), [], (100, 100), "too small"),
    ],
)  # fmt: skip
def test_bad_input_is_a_named_error(mol, records, size, message):
    with pytest.raises(VisualizationError, match=message):
        interaction_diagram(mol, records, size=size)


def test_importing_drugml_viz_stays_light():
    code = "import sys, drugml.viz; drugml.viz.interaction_diagram; print('rdkit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
