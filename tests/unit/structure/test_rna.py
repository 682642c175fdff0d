"""RNA secondary structure: folding, dot-bracket parsing, ligand contacts, drawing."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from drugml import viz
from drugml.structure import load_structure, rna


def test_fold_a_hairpin():
    structure, mfe = viz.rna_secondary_structure("GGGGAAACCCC")
    assert structure == "((((...))))" and mfe < 0
    # DNA letters, lower case and whitespace are accepted.
    assert rna.rna_secondary_structure("gggg aaa cccc".replace("a", "t")) == (structure, mfe)


def test_invalid_letters_are_named_with_their_positions():
    with pytest.raises(rna.RNASequenceError, match=r"2 invalid letter\(s\): 'X' at 3, 'Z' at 6"):
        rna.rna_secondary_structure("GGXAAZCC")
    with pytest.raises(rna.RNASequenceError, match="empty"):
        rna.rna_secondary_structure("  ")


def test_base_pairs_and_unbalanced_brackets():
    assert sorted(rna.base_pairs("((.[..)).]")) == [(0, 7), (1, 6), (3, 9)]
    for bad in ("((.)", "(.))", "(x)"):
        with pytest.raises(ValueError):
            rna.base_pairs(bad)


def test_ligand_contacts_map_onto_the_sequence():
    structure = load_structure("rna_4gxy")
    positions = rna.ligand_contact_positions(structure, "B1Z", cutoff=4.0)
    site = structure.binding_site("B1Z", cutoff=4.0)
    assert len(positions) == len(site) == 15
    sequence = structure.sequence("A")
    # Each position's letter is the contacting nucleotide's base.
    assert [sequence[i] for i in positions] == site["resname"].tolist()


def test_drawing_marks_the_contacts():
    structure = load_structure("rna_4gxy")
    sequence = structure.sequence("A")
    contacts = rna.ligand_contact_positions(structure, "B1Z")
    fig = viz.draw_rna_secondary_structure(sequence, highlight=contacts)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["A", "C", "G", "U", f"ligand contact ({len(contacts)})"]
    assert "MFE" in ax.get_title()
    plt.close(fig)


def test_drawing_refuses_inconsistent_input():
    with pytest.raises(ValueError, match="11 nucleotides but the structure 5"):
        viz.draw_rna_secondary_structure("GGGGAAACCCC", "(...)")
    with pytest.raises(ValueError, match="outside the sequence"):
        viz.draw_rna_secondary_structure("GGGGAAACCCC", highlight=[11])
    plt.close("all")
