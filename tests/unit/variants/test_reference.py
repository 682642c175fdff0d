"""Reference sequences in UniProt numbering: from a PDB file's SEQRES and DBREF (and an mmCIF
file's entity sequence and _struct_ref_seq), from a FASTA with its first number, or built
directly; each with its provenance, and a named error where none can be had."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from drugml import data
from drugml.structure import StructureError, load_structure
from drugml.variants import (
    ReferenceSequence,
    ReferenceSequenceError,
    VariantError,
    VariantFileNotFoundError,
    reference_from_fasta,
    reference_from_pdb,
)

UNIPROT_FASTA = (
    ">sp|P00533|EGFR_HUMAN Epidermal growth factor receptor OS=Homo sapiens OX=9606 GN=EGFR "
    "PE=1 SV=2\nMRPSGTAGAA LLALLAALCP\nASRALEEKKV*\n"
)


@pytest.fixture(scope="module")
def egfr_1m17():
    return load_structure("egfr_1m17")


@pytest.fixture(scope="module")
def reference(egfr_1m17):
    return reference_from_pdb(egfr_1m17, "A")


@pytest.fixture(scope="module")
def pdb_lines():
    return data.path("egfr_1m17").read_text().splitlines()


def _write(tmp_path: Path, lines: list[str], name: str = "edited.pdb") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------------------ from PDB
def test_1m17_reference_is_the_dbref_span_in_uniprot_numbering(reference):
    assert (reference.name, reference.accession) == ("EGFR", "P00533")
    assert (reference.start, reference.end, len(reference)) == (695, 1022, 328)
    residues = {n: reference.residue(n) for n in (790, 793, 797, 858)}
    assert residues == {790: "T", 793: "M", 797: "C", 858: "L"}
    # SEQRES starts GSHMA (SEQADV: cloning artefacts, before the DBREF span): left out.
    assert reference.sequence.startswith("SGEAPNQ")
    assert not reference.sequence.startswith("GSHMA")


def test_1m17_reference_records_its_provenance(reference):
    assert reference.source.startswith("1M17 chain A SEQRES, DBREF to UniProt P00533")
    assert "695-1022" in reference.source
    assert "left out: 5 residues before" in reference.source


def test_reference_from_a_path_a_name_and_the_default_chain_agree(reference):
    assert reference_from_pdb(data.path("egfr_1m17"), "A") == reference
    assert reference_from_pdb("egfr_1m17") == reference
    assert reference_from_pdb("egfr_1m17", name="HER1").name == "HER1"


def test_a_file_without_dbref_is_a_named_error_that_points_to_a_fasta():
    # The embedded 5UG9 is an MDAnalysis rewrite: coordinates only, no DBREF or SEQRES.
    with pytest.raises(
        ReferenceSequenceError,
        match=r"5UG9\.pdb has no cross-reference of chain 'X' to UniProt.*reference_from_fasta",
    ):
        reference_from_pdb("egfr_5ug9")


def test_a_chain_the_file_lacks_is_a_named_error():
    with pytest.raises(StructureError, match=r"no chain 'B'; chains: \['A'\]"):
        reference_from_pdb("egfr_1m17", "B")


def test_engineered_mutations_take_uniprots_residue(tmp_path, pdb_lines, reference):
    """A mutant crystal (SEQADV ENGINEERED MUTATION) still gives the wild-type reference."""
    lines = []
    for line in pdb_lines:
        if line.startswith("SEQRES   8 A"):  # its 10th residue is THR 766 (UniProt T790)
            names = line[19:].split()
            assert names[9] == "THR"
            names[9] = "MET"
            line = line[:19] + " ".join(names)
        lines.append(line)
        if line.startswith("DBREF "):
            lines.append("SEQADV 1M17 MET A  766  UNP  P00533    THR   790 ENGINEERED MUTATION")
    mutant = reference_from_pdb(_write(tmp_path, lines), "A")
    assert mutant.sequence == reference.sequence
    assert "T790M (engineered mutation)" in mutant.source


def test_dbref1_and_dbref2_records_are_read(tmp_path, pdb_lines, reference):
    dbref1 = "DBREF1 1M17 A  671   998  UNP".ljust(47) + "EGFR_HUMAN"
    dbref2 = "DBREF2 1M17 A     P00533".ljust(45) + f"{695:>10}  {1022:>10}"
    lines = []
    for line in pdb_lines:
        lines.extend([dbref1, dbref2] if line.startswith("DBREF ") else [line])
    assert reference_from_pdb(_write(tmp_path, lines), "A") == reference


def test_two_uniprot_segments_or_none_are_named_errors(tmp_path, pdb_lines):
    dbref = next(line for line in pdb_lines if line.startswith("DBREF "))
    doubled = [x for line in pdb_lines for x in ([line, line] if line == dbref else [line])]
    with pytest.raises(ReferenceSequenceError, match=r"several UniProt segments.*a chimera"):
        reference_from_pdb(_write(tmp_path, doubled, "two.pdb"), "A")
    genbank = [line.replace("UNP   ", "GB    ") if line == dbref else line for line in pdb_lines]
    with pytest.raises(ReferenceSequenceError, match=r"to UniProt \(DBREF\) \(only to GB\)"):
        reference_from_pdb(_write(tmp_path, genbank, "gb.pdb"), "A")


def test_dbref_without_seqres_is_a_named_error(tmp_path, pdb_lines):
    lines = [line for line in pdb_lines if not line.startswith("SEQRES")]
    with pytest.raises(ReferenceSequenceError, match=r"Cannot place the DBREF residues 671-998"):
        reference_from_pdb(_write(tmp_path, lines), "A")


def test_mmcif_entity_sequence_and_struct_ref_seq(tmp_path, egfr_1m17, reference):
    from Bio.PDB import MMCIFIO

    atoms = io.StringIO()
    writer = MMCIFIO()
    writer.set_structure(egfr_1m17.model)
    writer.save(atoms)
    entity = "GSHMA" + reference.sequence[:95] + "M" + reference.sequence[96:]  # T790M
    categories = f"""#
_entry.id 1M17
#
loop_
_entity_poly.entity_id
_entity_poly.pdbx_seq_one_letter_code_can
1
;{entity}
;
#
_struct_ref.id 1
_struct_ref.db_name UNP
_struct_ref.db_code EGFR_HUMAN
_struct_ref.pdbx_db_accession P00533
_struct_ref.entity_id 1
#
_struct_ref_seq.ref_id 1
_struct_ref_seq.pdbx_strand_id A
_struct_ref_seq.seq_align_beg 6
_struct_ref_seq.seq_align_end 333
_struct_ref_seq.db_align_beg 695
_struct_ref_seq.db_align_end 1022
#
loop_
_struct_ref_seq_dif.pdbx_pdb_strand_id
_struct_ref_seq_dif.mon_id
_struct_ref_seq_dif.db_mon_id
_struct_ref_seq_dif.pdbx_seq_db_seq_num
_struct_ref_seq_dif.details
A GLY ? ? 'expression tag'
A MET THR 790 'engineered mutation'
"""
    path = tmp_path / "1m17.cif"
    path.write_text(atoms.getvalue() + categories)
    from_cif = reference_from_pdb(path, "A")
    assert (from_cif.name, from_cif.accession, from_cif.start) == ("EGFR", "P00533", 695)
    assert from_cif.sequence == reference.sequence
    assert from_cif.source.startswith("1M17 chain A _entity_poly, _struct_ref_seq to UniProt")
    assert "T790M (engineered mutation)" in from_cif.source
    path.write_text(atoms.getvalue())
    with pytest.raises(ReferenceSequenceError, match=r"no cross-reference of chain 'A'"):
        reference_from_pdb(path, "A")


# ----------------------------------------------------------------------------- from FASTA
def test_uniprot_fasta_gives_gene_and_accession():
    ref = reference_from_fasta(UNIPROT_FASTA)
    assert (ref.name, ref.accession, ref.start) == ("EGFR", "P00533", 1)
    assert ref.sequence == "MRPSGTAGAALLALLAALCPASRALEEKKV"  # spaces and the stop dropped
    assert ref.source == "FASTA text, record sp|P00533|EGFR_HUMAN, residues 1-30"


def test_fasta_file_with_its_first_number(tmp_path, reference):
    path = tmp_path / "kinase.fasta"
    path.write_text(reference.to_fasta())
    ref = reference_from_fasta(path, start=695, name="EGFR")
    assert (ref.name, ref.accession, ref.start, ref.end) == ("EGFR", None, 695, 1022)
    assert ref.sequence == reference.sequence
    assert ref.source.startswith("FASTA kinase.fasta, record EGFR")


def test_fasta_errors_are_named(tmp_path):
    with pytest.raises(ReferenceSequenceError, match=r"FASTA text has 2 records"):
        reference_from_fasta(">a\nMKT\n>b\nMKV\n")
    with pytest.raises(ReferenceSequenceError, match=r"has no FASTA record"):
        reference_from_fasta("MKTAYIAK\nMKV\n")
    with pytest.raises(ReferenceSequenceError, match=r"'J' at residue 12"):
        reference_from_fasta(">a\nMKTAYJ\n", start=7)
    with pytest.raises(ReferenceSequenceError, match=r"integer >= 1\), got 0"):
        reference_from_fasta(">a\nMKT\n", start=0)
    with pytest.raises(VariantFileNotFoundError, match=r"missing\.fasta does not exist"):
        reference_from_fasta(tmp_path / "missing.fasta")


# ------------------------------------------------------------------------------- built
def test_reference_sequence_numbering_helpers():
    ref = ReferenceSequence("EGFR", "P00533", 695, "sgea pnq\n", "typed")
    assert ref.sequence == "SGEAPNQ"
    assert (ref.end, ref.number_of(0), ref.index_of(697), ref.residue(697)) == (701, 695, 2, "E")
    assert ref.label(701) == "Q701"
    assert 695 in ref and 701 in ref and 694 not in ref and 702 not in ref
    assert ref.describe() == "EGFR (P00533)"
    assert ReferenceSequence(None, None, 1, "MK").describe() == "the reference"
    with pytest.raises(ReferenceSequenceError, match=r"Residue 702 is outside .* 695-701"):
        ref.residue(702)
    with pytest.raises(ReferenceSequenceError, match=r"Index 7 is outside"):
        ref.number_of(7)
    with pytest.raises(ReferenceSequenceError, match=r"is empty"):
        ReferenceSequence("EGFR", None, 1, "  ")
    assert issubclass(ReferenceSequenceError, VariantError)
