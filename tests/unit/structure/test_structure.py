"""drugml.structure: real EGFR/RNA files, odd ligands, broken files with named errors."""

from __future__ import annotations

import numpy as np
import pytest

from drugml import data
from drugml.structure import StructureError, load_structure, sequence_identity, superpose

EGFR_KINASE_START = "GEAPNQALLRILKETEFKKIKVLGSGAFGTVYKG"  # EGFR residues 672-705 (1M17)


def test_egfr_erlotinib_complex():
    egfr = load_structure("egfr_1m17")
    assert [c.id for c in egfr.chains] == ["A"] and egfr.chains[0].type == "protein"
    assert egfr.sequence("A").startswith(EGFR_KINASE_START)
    assert [x.resname for x in egfr.ligands()] == ["AQ4"]
    waters = [x for x in egfr.ligands(include_excluded=True) if x.resname == "HOH"]
    assert len(waters) == 20  # from data/PROVENANCE.md
    site = egfr.binding_site("AQ4", cutoff=4.0)
    residues = set(site["resname"] + site["resnum"].astype(str))
    assert {"MET769", "LEU694", "THR766"} <= residues  # hinge, P-loop, gatekeeper
    hinge = site[site["resnum"] == 769].iloc[0]
    assert hinge["min_distance"] < 3.2  # the hinge hydrogen bond


def test_alternate_locations_resolve_to_one_atom_each():
    egfr = load_structure("egfr_1m17")
    text = egfr.to_pdb()
    atom_lines = [line for line in text.splitlines() if line.startswith(("ATOM", "HETATM"))]
    raw = data.path("egfr_1m17").read_text().splitlines()
    raw_atoms = [line for line in raw if line.startswith(("ATOM", "HETATM"))]
    assert len(atom_lines) == len(raw_atoms) - 14  # 14 altloc pairs written once each


def test_ligand_stored_as_atom_records_is_found_by_name():
    by_dataset = load_structure("egfr_5ug9")  # the manifest names ligand 8AM
    assert [x.resname for x in by_dataset.ligands()] == ["8AM"]
    plain = load_structure(data.path("egfr_5ug9"))
    assert plain.ligands() == []  # stored as ATOM records: invisible unless named
    named = load_structure(data.path("egfr_5ug9"), ligand_residues=["8AM"])
    assert named.ligand("8AM").n_atoms == 32
    assert "8AM" not in "".join(c.sequence for c in named.chains)


def test_ligand_mol_gets_bond_orders_from_template():
    from rdkit import Chem

    table = data.load("egfr_pdb_ligands")
    smiles = table.loc[table["@chemicalID"] == "8AM", "smiles"].iloc[0]
    mol = load_structure("egfr_5ug9").ligand_mol("8AM", smiles)
    assert Chem.MolToInchiKey(mol) == table.loc[table["@chemicalID"] == "8AM", "InChIKey"].iloc[0]
    assert mol.GetNumConformers() == 1
    # A smaller SMILES would match part of the ligand and leave the rest single-bonded.
    with pytest.raises(StructureError, match=r"has 6 heavy atoms but ligand 8AM .* has 32"):
        load_structure("egfr_5ug9").ligand_mol("8AM", "c1ccccc1")


def test_missing_ligand_lists_the_ligands_there_are():
    with pytest.raises(StructureError, match=r"no ligand 'XYZ'.*\['AQ4'\]"):
        load_structure("egfr_1m17").binding_site("XYZ")


def test_rna_structure_pdb_and_mmcif_agree():
    pdb, cif = load_structure("rna_4gxy"), load_structure("rna_4gxy_cif")
    assert pdb.chains[0].type == "RNA" and set(pdb.sequence("A")) <= set("ACGU")
    assert pdb.sequence("A") == cif.sequence("A")
    assert [x.resname for x in pdb.ligands()] == [x.resname for x in cif.ligands()]
    assert {x.resname for x in pdb.ligands()} == {"B1Z"}
    contacts = pdb.binding_site("B1Z", cutoff=4.0)
    assert len(contacts) > 5 and set(contacts["resname"]) <= {
        "A",
        "C",
        "G",
        "U",
        "IRI",
        "MG",
        "B1Z",
    }


def test_superposition_of_egfr_structures():
    structures = [load_structure(n) for n in ("egfr_1m17", "egfr_5ug9", "egfr_5hg8")]
    before = structures[1].ligand("8AM").center
    table = superpose(structures)
    assert table["sequence_identity"].iloc[1:].gt(0.9).all()
    assert table["rmsd_core"].iloc[1:].lt(1.5).all() and table["n_core"].iloc[1:].gt(200).all()
    after = structures[1].ligand("8AM").center
    assert not np.allclose(before, after)  # the mobile structure moved
    # The superposed ligands sit in one pocket: near erlotinib.
    erlotinib = np.array(structures[0].ligand("AQ4").center)
    assert np.linalg.norm(np.array(after) - erlotinib) < 5.0


def test_sequence_identity():
    assert sequence_identity("MKTAYIAK", "MKTAYIAK") == 1.0
    assert sequence_identity("MKTAYIAK", "MKTAHIAK") == 0.875


def _pdb_lines():
    return data.path("egfr_5ug9_ligand").read_text().splitlines(keepends=True)


def test_nmr_style_ensemble_picks_the_model(tmp_path):
    lines = [line for line in _pdb_lines() if line.startswith(("ATOM", "HETATM"))]
    shifted = [line[:30] + f"{float(line[30:38]) + 10:8.3f}" + line[38:] for line in lines]
    path = tmp_path / "ensemble.pdb"
    path.write_text(
        "MODEL        1\n"
        + "".join(lines)
        + "ENDMDL\nMODEL        2\n"
        + "".join(shifted)
        + "ENDMDL\nEND\n"
    )
    first = load_structure(path, ligand_residues=["8AM"])
    second = load_structure(path, model=1, ligand_residues=["8AM"])
    assert second.ligand("8AM").center[0] == pytest.approx(first.ligand("8AM").center[0] + 10)
    with pytest.raises(StructureError, match="2 model"):
        load_structure(path, model=2)


def test_insertion_codes_are_kept(tmp_path):
    text = data.path("egfr_1m17").read_text()
    lines = text.splitlines(keepends=True)
    # Give residue 770 an insertion code: it becomes 769A.
    edited = [
        line[:22] + " 769" + "A" + line[27:]
        if line.startswith("ATOM") and line[22:26] == " 770"
        else line
        for line in lines
    ]
    path = tmp_path / "icode.pdb"
    path.write_text("".join(edited))
    chain = load_structure(path).chains[0]
    assert (769, "A") in chain.residue_ids and (770, " ") not in chain.residue_ids


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary\x00", "is binary"),
        (b"HEADER    nothing here\nEND\n", "has no atoms"),
        (
            b"ATOM      1  N   ALA A   1      11.104  xx.xxx   6.134  1.00  0.00           N\n",
            "line 1",
        ),
    ],
    ids=["empty", "binary", "no-atoms", "garbage-coordinates"],
)
def test_broken_files_raise_named_errors(tmp_path, content, message):
    path = tmp_path / "broken.pdb"
    path.write_bytes(content)
    with pytest.raises(StructureError, match=message) as info:
        load_structure(path)
    assert "broken.pdb" in str(info.value)


def test_truncated_file_names_the_line(tmp_path):
    text = data.path("egfr_5ug9_ligand").read_text()
    path = tmp_path / "cut.pdb"
    path.write_text(text[: text.index("HETATM") + 40] if "HETATM" in text else text[:700])
    with pytest.raises(StructureError, match=r"cut\.pdb"):
        load_structure(path)


def test_unknown_names_and_files():
    with pytest.raises(StructureError, match="neither a file nor an embedded data set"):
        load_structure("no_such_structure")
    with pytest.raises(StructureError, match="no chain 'B'"):
        load_structure("egfr_1m17").sequence("B")


def test_ligand_contacts_find_the_hinge_hydrogen_bond():
    contacts = load_structure("egfr_1m17").ligand_contacts("AQ4", cutoff=4.0)
    assert contacts["distance"].is_monotonic_increasing and (contacts["distance"] <= 4.0).all()
    closest = contacts.iloc[0]
    assert (closest.resname, closest.resnum, closest.atom, closest.polar) == ("MET", 769, "N", True)
    assert not contacts[contacts.ligand_element == "C"]["polar"].any()


def test_residue_mapping_follows_the_alignment_not_the_numbers():
    from drugml.structure import residue_mapping

    mature, full_length = load_structure("egfr_1m17"), load_structure("egfr_5ug9")
    mapping = residue_mapping(full_length, mature)
    # 5UG9 numbers the full-length receptor, 1M17 the mature chain: an offset of 24.
    assert mapping[793] == 769 and mapping[790] == 766
    assert {full - mature_number for full, mature_number in mapping.items()} == {24}
    with pytest.raises(StructureError, match="no protein chain"):
        residue_mapping(load_structure("rna_4gxy"), mature)


def test_analogue_is_placed_on_the_reference_ligand():
    from rdkit import Chem

    from drugml.structure import place_like_reference

    site = load_structure("egfr_1m17")
    erlotinib = site.ligand_mol(
        "AQ4", data.load("approved_drugs").query("pref_name == 'ERLOTINIB'")["smiles"].iloc[0]
    )
    gefitinib = Chem.MolFromSmiles("COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1")
    pose = place_like_reference(gefitinib, erlotinib)
    assert pose.GetNumAtoms() == gefitinib.GetNumAtoms() and pose.GetConformer().Is3D()
    core = pose.GetIntProp("mcs_atoms")
    assert core >= 15
    # The shared quinazoline core sits where erlotinib's does (within 1 Å on average).
    match = Chem.MolFromSmarts("c1ncnc2ccccc12")
    a = pose.GetConformer().GetPositions()[list(pose.GetSubstructMatch(match))]
    b = erlotinib.GetConformer().GetPositions()[list(erlotinib.GetSubstructMatch(match))]
    assert np.sqrt(((a - b) ** 2).sum(axis=1).mean()) < 1.0
    # Nothing in common: not anchored, only centred on the reference.
    unrelated = place_like_reference(Chem.MolFromSmiles("CCCCCCCC"), erlotinib)
    assert unrelated.GetIntProp("mcs_atoms") < 3
    centre = erlotinib.GetConformer().GetPositions().mean(axis=0)
    assert np.linalg.norm(unrelated.GetConformer().GetPositions().mean(axis=0) - centre) < 0.5
