"""Variants placed on the structure: the reference (UniProt numbering) aligned to the modelled
residues, the offset and gaps said in words (1M17 numbers EGFR 24 lower than 5UG9, which
numbers it as UniProt does), and each variant's residue, ligand distance, pocket, key and
covalent flags and status, none dropped."""

from __future__ import annotations

import pandas as pd
import pytest

from drugml.structure import StructureError, load_structure
from drugml.variants import (
    MAPPED_COLUMNS,
    MAPPING_COLUMNS,
    MAPPING_STATUSES,
    VARIANT_COLUMNS,
    StructureMappingError,
    VariantError,
    VariantFormatError,
    map_variants,
    mapping_summary,
    read_variants,
    reference_from_fasta,
    reference_from_pdb,
    sequence_mapping,
    variant_counts,
)

COHORT = pd.DataFrame(
    {
        "sample": ["P1", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P9"],
        "gene": ["EGFR"] * 9 + ["KRAS", None],
        "protein_change": [
            "p.Thr790Met",
            "L858R",
            "C797S",
            "M793I",
            "p.Glu746_Ala750del",
            "A858R",  # the reference has L858
            "R108K",  # extracellular: outside the kinase domain
            "E1015A",  # C-terminal tail, far from the ATP site
            "T790=",
            "G12C",
            "p.?",
        ],
    }
)


@pytest.fixture(scope="module")
def egfr_1m17():
    return load_structure("egfr_1m17")


@pytest.fixture(scope="module")
def egfr_5ug9():
    return load_structure("egfr_5ug9")


@pytest.fixture(scope="module")
def reference(egfr_1m17):
    return reference_from_pdb(egfr_1m17, "A")


@pytest.fixture(scope="module")
def reference_5ug9(reference):
    # The embedded 5UG9 has no DBREF: its reference is a FASTA, numbered from 695.
    return reference_from_fasta(reference.to_fasta(), start=695, name="EGFR", accession="P00533")


@pytest.fixture(scope="module")
def table():
    return read_variants(COHORT)


@pytest.fixture(scope="module")
def mapped_1m17(table, reference, egfr_1m17):
    return map_variants(
        table,
        reference,
        egfr_1m17,
        "A",
        ligand="AQ4",
        key_residues=["M793", 790],
        covalent_residues=["Cys797"],
    )


@pytest.fixture(scope="module")
def mapped_5ug9(table, reference_5ug9, egfr_5ug9):
    return map_variants(
        table, reference_5ug9, egfr_5ug9, "X", ligand="8AM", covalent_residues=["C797"]
    )


def _row(mapped: pd.DataFrame, change: str) -> pd.Series:
    return mapped.set_index("protein_change").loc[change]


# ------------------------------------------------------------------------ sequence mapping
def test_1m17_mapping_one_row_per_reference_residue(reference, egfr_1m17):
    mapping = sequence_mapping(reference, egfr_1m17, "A")
    assert list(mapping.columns) == list(MAPPING_COLUMNS)
    assert len(mapping) == len(reference)
    assert set(mapping.status) <= set(MAPPING_STATUSES)
    by_number = mapping.set_index("reference_number")
    ids = {n: by_number.loc[n, "structure_id"] for n in (790, 793, 797, 858)}
    assert ids == {790: "THR766.A", 793: "MET769.A", 797: "CYS773.A", 858: "LEU834.A"}
    assert by_number.loc[990, "status"] == "not_modelled"
    assert by_number.loc[990, "structure_id"] is None


def test_1m17_summary_offset_gaps_and_words(reference, egfr_1m17):
    summary = mapping_summary(sequence_mapping(reference, egfr_1m17, "A"), example=790)
    assert summary["offsets"] == [{"offset": -24, "first": 696, "last": 1019, "residues": 312}]
    assert summary["gaps"] == [(695, 695), (989, 1000), (1020, 1022)]
    assert (summary["identity"], summary["substitutions"]) == (1.0, [])
    assert summary["description"].startswith(
        "egfr_1m17 chain A numbers EGFR 24 lower than UniProt (T790 is THR766); "
        "residues 695, 989-1000 and 1020-1022 not modelled"
    )


def test_5ug9_numbers_egfr_as_uniprot_and_carries_three_mutations(reference_5ug9, egfr_5ug9):
    summary = mapping_summary(sequence_mapping(reference_5ug9, egfr_5ug9))  # chain X, the first
    assert [run["offset"] for run in summary["offsets"]] == [0]
    assert (749, 752) in summary["gaps"]  # the exon-19 loop is disordered
    assert summary["substitutions"] == ["T790M", "L858R", "V948R"]
    assert 0.98 < summary["identity"] < 1.0
    assert "numbers EGFR as UniProt does" in summary["description"]
    assert "differs from the reference at T790M, L858R, V948R" in summary["description"]


def test_mapping_errors_wrong_chain_or_protein(reference, egfr_1m17):
    with pytest.raises(StructureMappingError, match=r"Chain 'A' of rna_4gxy models no amino"):
        sequence_mapping(reference, "rna_4gxy", "A")
    kras = reference_from_fasta(
        ">KRAS\nMTEYKLVVVGAGGVGKSALTIQLIQNHFVDEYDPTIEDSYRKQVVIDGETCLLDILDTAGQEEYSAMRDQYMRTGEGF\n",
        name="KRAS",
    )
    with pytest.raises(StructureMappingError, match=r"chain A is not KRAS: \d+% identity over"):
        sequence_mapping(kras, egfr_1m17, "A")
    with pytest.raises(StructureMappingError, match=r"min_identity is a fraction"):
        sequence_mapping(reference, egfr_1m17, "A", min_identity=50)
    with pytest.raises(StructureError, match=r"no chain 'Z'"):
        sequence_mapping(reference, egfr_1m17, "Z")
    with pytest.raises(StructureMappingError, match=r"Not a sequence mapping"):
        mapping_summary(pd.DataFrame({"reference_number": [1]}))


# ---------------------------------------------------------------------------- map_variants
def test_map_variants_keeps_every_row_and_adds_the_columns(table, mapped_1m17):
    assert len(mapped_1m17) == len(table) == len(COHORT)
    assert list(mapped_1m17.columns) == [*VARIANT_COLUMNS, *MAPPED_COLUMNS]
    assert mapped_1m17.record.tolist() == table.record.tolist()
    counts = variant_counts(mapped_1m17)
    assert counts.rows.sum() == len(table)


def test_1m17_residues_offset_by_24(mapped_1m17):
    residues = {c: _row(mapped_1m17, c).structure_residue for c in ("T790M", "L858R", "C797S")}
    assert residues == {"T790M": "THR766.A", "L858R": "LEU834.A", "C797S": "CYS773.A"}
    assert _row(mapped_1m17, "M793I").structure_residue == "MET769.A"
    assert _row(mapped_1m17, "T790M").structure_number == 766
    assert (mapped_1m17.status == "mapped").sum() == 6


def test_5ug9_same_residues_by_uniprot_number(mapped_1m17, mapped_5ug9):
    for change in ("T790M", "L858R", "C797S", "M793I"):
        in_1m17, in_5ug9 = _row(mapped_1m17, change), _row(mapped_5ug9, change)
        assert in_5ug9.status == in_1m17.status == "mapped"
        assert in_5ug9.structure_number == in_1m17.structure_number + 24
    assert _row(mapped_5ug9, "C797S").structure_residue == "CYS797.X"
    assert _row(mapped_5ug9, "M793I").structure_residue == "MET793.X"
    # 5UG9 is a T790M/L858R mutant: mapped, and the reason says what the structure has.
    t790m = _row(mapped_5ug9, "T790M")
    assert t790m.structure_residue == "MET790.X"
    assert t790m.reason == "the structure has MET790 where the reference has T790"


def test_ligand_distance_pocket_key_and_covalent_flags(mapped_1m17, mapped_5ug9):
    gatekeeper = _row(mapped_1m17, "T790M")
    assert gatekeeper.distance_to_ligand < 5.0 and gatekeeper.lines_pocket
    assert gatekeeper.key_residue and not gatekeeper.covalent_residue
    tail = _row(mapped_1m17, "E1015A")
    assert tail.structure_residue == "GLU991.A"
    assert tail.distance_to_ligand > 20.0 and not tail.lines_pocket
    assert _row(mapped_1m17, "C797S").covalent_residue
    assert _row(mapped_1m17, "M793I").key_residue  # named "M793"
    # The covalent inhibitor of 5UG9 is bonded to Cys797.
    assert _row(mapped_5ug9, "C797S").distance_to_ligand < 2.0


def test_a_deletion_maps_as_a_range(mapped_1m17, mapped_5ug9):
    deletion = _row(mapped_1m17, "E746_A750del")
    assert deletion.status == "mapped"
    assert deletion.structure_residue == "GLU722.A_ALA726.A"
    assert deletion.structure_number == 722
    partly = _row(mapped_5ug9, "E746_A750del")  # 5UG9 lacks 749-752
    assert (partly.status, partly.structure_residue) == ("mapped", "GLU746.X_ARG748.X")
    assert partly.reason == "residues 749, 750 of the span not modelled"


def test_statuses_mismatch_outside_other_gene_and_untouched(mapped_1m17):
    mismatch = _row(mapped_1m17, "A858R")
    assert mismatch.status == "reference_mismatch"
    assert mismatch.reason == "the change names A858, but the reference has L858"
    assert pd.isna(mismatch.structure_residue) and pd.isna(mismatch.distance_to_ligand)
    outside = _row(mapped_1m17, "R108K")
    assert outside.status == "outside_structure"
    assert "residue 108 is outside the reference sequence EGFR (P00533)" in outside.reason
    assert _row(mapped_1m17, "T790=").status == "synonymous"  # not parsed: kept
    assert _row(mapped_1m17, "G12C").status == "other_gene"
    unparsable = mapped_1m17[mapped_1m17.protein_change.isna()]
    assert unparsable.status.tolist() == ["unparsable"]


def test_unmodelled_residue_and_a_gene_check(reference, egfr_1m17):
    table = read_variants(pd.DataFrame({"gene": ["EGFR", "ERBB2"], "mutation": ["P990A", "L858R"]}))
    mapped = map_variants(table, reference, egfr_1m17)
    assert mapped.status.tolist() == ["outside_structure", "other_gene"]
    assert mapped.reason.tolist() == [
        "residue 990 is not modelled in egfr_1m17 chain A",
        "gene ERBB2, not the reference's EGFR",
    ]


def test_without_a_ligand_no_distance(table, reference, egfr_1m17):
    mapped = map_variants(table, reference, egfr_1m17)
    assert mapped.distance_to_ligand.isna().all() and mapped.lines_pocket.isna().all()
    assert not mapped.key_residue.any()


def test_mapping_a_mapped_table_again_places_it_afresh(
    mapped_1m17, mapped_5ug9, reference_5ug9, egfr_5ug9
):
    again = map_variants(
        mapped_1m17, reference_5ug9, egfr_5ug9, "X", ligand="8AM", covalent_residues=["C797"]
    )
    pd.testing.assert_frame_equal(again, mapped_5ug9)
    assert _row(again, "E1015A").status == "outside_structure"  # 5UG9 ends at 985


def test_bad_options_are_named_errors_before_work(table, reference, egfr_1m17):
    with pytest.raises(StructureMappingError, match=r"'M769' names M769, but the reference"):
        map_variants(table, reference, egfr_1m17, key_residues=["M769"])  # 1M17's numbering
    with pytest.raises(StructureMappingError, match=r"cannot read 'hinge' as a residue"):
        map_variants(table, reference, egfr_1m17, covalent_residues=["hinge"])
    with pytest.raises(StructureMappingError, match=r"pocket_cutoff is a distance"):
        map_variants(table, reference, egfr_1m17, pocket_cutoff=0)
    with pytest.raises(StructureError, match=r"has no ligand 'XYZ'"):
        map_variants(table, reference, egfr_1m17, ligand="XYZ")
    with pytest.raises(VariantFormatError, match=r"Not a variant table"):
        map_variants(pd.DataFrame({"mutation": ["T790M"]}), reference, egfr_1m17)
    assert issubclass(StructureMappingError, VariantError)
