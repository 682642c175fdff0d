"""Protein changes: every notation the parser reads, its canonical form, and every refusal."""

from __future__ import annotations

import dataclasses

import pytest

from drugml.errors import DrugmlError
from drugml.variants import (
    PROTEIN_CHANGE_KINDS,
    ProteinChange,
    VariantError,
    VariantParseError,
    parse_protein_change,
)

# text -> (kind, start, end, reference, alternate, notation)
READ = {
    # one-letter short forms (a MAF's HGVSp_Short)
    "T790M": ("missense", 790, 790, "T", "M", "T790M"),
    "L858R": ("missense", 858, 858, "L", "R", "L858R"),
    "p.T790M": ("missense", 790, 790, "T", "M", "T790M"),
    " C797S ": ("missense", 797, 797, "C", "S", "C797S"),
    # HGVS three-letter forms (VEP, SnpEff, a MAF's HGVSp)
    "p.Leu858Arg": ("missense", 858, 858, "L", "R", "L858R"),
    "p.(Leu858Arg)": ("missense", 858, 858, "L", "R", "L858R"),
    "p.Thr790Met": ("missense", 790, 790, "T", "M", "T790M"),
    # synonymous
    "p.Leu858=": ("synonymous", 858, 858, "L", "L", "L858="),
    "T790T": ("synonymous", 790, 790, "T", "T", "T790="),
    "T790=": ("synonymous", 790, 790, "T", "T", "T790="),
    "p.Leu858%3D": ("synonymous", 858, 858, "L", "L", "L858="),  # VEP escapes '='
    # stops
    "p.Arg1068Ter": ("nonsense", 1068, 1068, "R", "*", "R1068*"),
    "p.Arg1068*": ("nonsense", 1068, 1068, "R", "*", "R1068*"),
    "R1068*": ("nonsense", 1068, 1068, "R", "*", "R1068*"),
    # in-frame deletions: a range keeps its first and last residue letters
    "E746_A750del": ("deletion", 746, 750, "EA", "", "E746_A750del"),
    "p.Glu746_Ala750del": ("deletion", 746, 750, "EA", "", "E746_A750del"),
    "p.Glu746del": ("deletion", 746, 746, "E", "", "E746del"),
    # insertions
    "D770_N771insSVD": ("insertion", 770, 771, "DN", "SVD", "D770_N771insSVD"),
    "p.Asp770_Asn771insSerValAsp": ("insertion", 770, 771, "DN", "SVD", "D770_N771insSVD"),
    # deletion-insertions
    "p.Leu747_Pro753delinsSer": ("delins", 747, 753, "LP", "S", "L747_P753delinsS"),
    "L747_P753delinsS": ("delins", 747, 753, "LP", "S", "L747_P753delinsS"),
    # duplications
    "p.Ala767_Val769dup": ("duplication", 767, 769, "AV", "", "A767_V769dup"),
    "A767dup": ("duplication", 767, 767, "A", "", "A767dup"),
    # frameshifts
    "p.Glu746fs": ("frameshift", 746, 746, "E", "", "E746fs"),
    "p.Glu746AlafsTer5": ("frameshift", 746, 746, "E", "A", "E746Afs*5"),
    "p.E746Vfs*4": ("frameshift", 746, 746, "E", "V", "E746Vfs*4"),
    "E746fsX5": ("frameshift", 746, 746, "E", "", "E746fs*5"),
    # a protein id before the change (VEP's HGVSp)
    "ENSP00000275493.2:p.Leu858Arg": ("missense", 858, 858, "L", "R", "L858R"),
    "NP_005219.2:p.(Thr790Met)": ("missense", 790, 790, "T", "M", "T790M"),
}


@pytest.mark.parametrize("text", READ)
def test_each_notation_is_read_into_its_canonical_form(text):
    change = parse_protein_change(text)
    got = (
        change.kind,
        change.start,
        change.end,
        change.reference,
        change.alternate,
        change.notation,
    )
    assert got == READ[text]
    assert change.kind in PROTEIN_CHANGE_KINDS
    assert change.gene is None
    # The canonical notation reads back as itself.
    assert parse_protein_change(change.notation) == change


def test_every_kind_is_reachable():
    assert {value[0] for value in READ.values()} == set(PROTEIN_CHANGE_KINDS)


def test_one_and_three_letter_forms_are_one_change():
    assert parse_protein_change("p.(Leu858Arg)") == parse_protein_change("L858R")


@pytest.mark.parametrize(
    ("text", "gene", "expected"),
    [
        ("L858R", "EGFR", "EGFR"),
        ("EGFR:p.L858R", None, "EGFR"),
        ("EGFR L858R", None, "EGFR"),
        ("EGFR L858R", "ERBB1", "ERBB1"),  # the gene given wins
        ("ENSP00000275493.2:p.Leu858Arg", None, None),  # an id is not a gene
    ],
)
def test_the_gene_comes_from_the_argument_or_a_symbol_before_the_change(text, gene, expected):
    change = parse_protein_change(text, gene=gene)
    assert change.gene == expected
    assert str(change) == (f"{expected} L858R" if expected else "L858R")


REFUSED = {
    "?": r"'\?' means the effect on the protein is unknown",
    "p.?": r"effect on the protein is unknown",
    "p.(?)": r"effect on the protein is unknown",
    "p.Met1?": r"effect on the protein is unknown",
    "p.0": r"no protein is made",
    "p.=": r"names no residue",
    "p.*1211Trpext*?": r"extensions \(ext",
    "p.X746_splice": r"splice-site change",
    "c.2573T>G": r"c\. is a DNA or RNA change",
    "R1068X": r"X is ambiguous",
    "L858B": r"'B' is not an amino acid",
    "p.Leu858Xaa": r"not a protein change in HGVS",
    "A750_E746del": r"range A750_E746 does not run forwards",
    "D770_N772insS": r"two neighbouring residues",
    "L747_P753delinsB": r"'B' is not an amino acid",
    "D770_N771insJ": r"'J' is not an amino acid",
    "Z746fs": r"'Z' is not an amino acid",
    "B746_A750dup": r"'B' is not an amino acid",
    "T0M": r"not a protein change",
    "EGFR": r"not a protein change",
    "": r"the text is empty",
    "   ": r"the text is empty",
}


@pytest.mark.parametrize("text", REFUSED)
def test_what_cannot_be_read_is_a_named_error_with_the_reason_and_the_accepted_forms(text):
    with pytest.raises(VariantParseError, match=REFUSED[text]) as caught:
        parse_protein_change(text)
    message = str(caught.value)
    assert f"Cannot read the protein change {text!r}" in message
    assert "Accepted forms" in message and "p.Thr790Met" in message and "E746_A750del" in message
    assert caught.value.text == text
    assert caught.value.reason and caught.value.reason in message


def test_a_value_that_is_not_text_is_refused():
    with pytest.raises(VariantParseError, match=r"a protein change is text, got int"):
        parse_protein_change(858)  # type: ignore[arg-type]


def test_the_errors_derive_from_the_root_and_value_error():
    assert issubclass(VariantParseError, VariantError)
    assert issubclass(VariantError, DrugmlError) and issubclass(VariantError, ValueError)


def test_positions_and_what_a_change_alters():
    deletion = parse_protein_change("E746_A750del")
    assert list(deletion.positions) == [746, 747, 748, 749, 750]
    assert deletion.alters(748) and deletion.alters(700, 746) and deletion.alters(750, 800)
    assert not deletion.alters(745) and not deletion.alters(751, 760)
    missense = parse_protein_change("C797S")
    assert missense.alters(797) and not missense.alters(796) and not missense.truncates
    insertion = parse_protein_change("D770_N771insSVD")
    assert list(insertion.positions) == [770, 771]
    # A stop or a frameshift changes everything after it; a synonymous change nothing.
    for truncating in ("R1068*", "p.Glu746fs"):
        change = parse_protein_change(truncating)
        assert change.truncates and change.alters(change.start + 200)
        assert not change.alters(change.start - 1)
    assert list(parse_protein_change("T790=").positions) == [790]
    assert not parse_protein_change("T790=").alters(790)


def test_a_protein_change_is_frozen_and_checks_its_fields():
    change = parse_protein_change("T790M")
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.start = 1  # type: ignore[misc]
    with pytest.raises(VariantError, match=r"Unknown kind of protein change 'silent'"):
        ProteinChange(kind="silent", start=1, end=1, reference="M", alternate="M", notation="M1=")
    with pytest.raises(VariantError, match=r"1 <= start <= end, got start=5, end=4"):
        ProteinChange(kind="deletion", start=5, end=4, reference="AE", alternate="", notation="x")
