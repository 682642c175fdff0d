"""Reading variants: MAF, VEP- and SnpEff-annotated VCF, plain tables and DataFrames, gzipped or
not; one row per record with a status, never a silent drop; counts per variant and sample."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from drugml.variants import (
    VARIANT_COLUMNS,
    VARIANT_STATUSES,
    VariantError,
    VariantFileNotFoundError,
    VariantFormatError,
    read_variants,
    sample_counts,
    variant_counts,
)

TAB = "\t"

MAF = "\n".join(
    [
        "#version 2.4",
        "#filtered by a test",
        TAB.join(
            [
                "Hugo_Symbol",
                "Chromosome",
                "Start_Position",
                "Variant_Classification",
                "Tumor_Sample_Barcode",
                "HGVSp_Short",
                "HGVSp",
                "Protein_position",
            ]
        ),
        "EGFR\t7\t55259515\tMissense_Mutation\tTCGA-05-4249-01\tp.L858R\tp.Leu858Arg\t858/1210",
        "EGFR\t7\t55249071\tMissense_Mutation\tTCGA-05-4249-01\tp.T790M\tp.Thr790Met\t790/1210",
        "EGFR\t7\t55242465\tIn_Frame_Del\tTCGA-05-4250-01\tp.E746_A750del\t"
        "p.Glu746_Ala750del\t746-750/1210",
        "EGFR\t7\t55249063\tSilent\tTCGA-05-4250-01\tp.Q787=\tp.Gln787=\t787/1210",
        "EGFR\t7\t55181378\tIntron\tTCGA-05-4250-01\t\t\t",
        "EGFR\t7\t55249005\tMissense_Mutation\tTCGA-05-4382-01\t\tp.Ser768Ile\t768/1210",
        "EGFR\t7\t55241707\tSplice_Site\tTCGA-05-4382-01\tp.X746_splice\t\t",
        "KRAS\t12\t25398285\tMissense_Mutation\tTCGA-05-4382-01\tp.G12C\tp.Gly12Cys\t12/189",
    ]
)

CSQ_FORMAT = "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|BIOTYPE|HGVSc|HGVSp|CANONICAL"


def _csq(allele, consequence, symbol, feature, hgvsp, canonical=""):
    fields = [allele, consequence, "MODERATE", symbol, "ENSG0", feature, "protein_coding"]
    return "|".join([*fields, f"{feature}:c.1A>G", hgvsp, canonical])


VEP_VCF = "\n".join(
    [
        "##fileformat=VCFv4.2",
        "##source=test",
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
        "##INFO=<ID=CSQ,Number=.,Type=String,Description="
        f'"Consequence annotations from Ensembl VEP. Format: {CSQ_FORMAT}">',
        TAB.join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\tT1\tT2\tT3",
        # 0: a non-canonical transcript first; the canonical one (L858R) is taken. T1 carries it.
        "7\t55259515\t.\tT\tG\t.\tPASS\tDP=30;CSQ="
        + _csq("G", "missense_variant", "EGFR", "ENST00000455089", "ENSP00000415559.1:p.Leu813Arg")
        + ","
        + _csq(
            "G",
            "missense_variant",
            "EGFR",
            "ENST00000275493",
            "ENSP00000275493.2:p.Leu858Arg",
            "YES",
        )
        + "\tGT:DP\t0/1:30\t0/0:25\t./.:0",
        # 1: T790M carried by two samples (one phased, homozygous).
        "7\t55249071\trs121434569\tC\tT\t.\tPASS\tCSQ="
        + _csq("T", "missense_variant", "EGFR", "ENST00000275493", "ENSP0.1:p.Thr790Met", "YES")
        + "\tGT\t0/1\t1|1\t0/0",
        # 2: synonymous, VEP's escaped '='; no sample carries it.
        "7\t55249063\t.\tG\tA\t.\tPASS\tCSQ="
        + _csq("A", "synonymous_variant", "EGFR", "ENST00000275493", "ENSP0.1:p.Gln787%3D", "YES")
        + "\tGT\t0/0\t0/0\t./.",
        # 3: an intron: no protein change; the consequence is the reason.
        "7\t55181378\t.\tC\tT\t.\tPASS\tCSQ="
        + _csq("T", "intron_variant&NMD_transcript_variant", "EGFR", "ENST00000275493", "", "YES")
        + "\tGT\t0/1\t0/0\t0/0",
        # 4: two ALT alleles, each with its own annotation; T3 carries the second.
        "7\t55249071\t.\tC\tT,A\t.\tPASS\tCSQ="
        + _csq("T", "missense_variant", "EGFR", "ENST00000275493", "ENSP0.1:p.Thr790Met", "YES")
        + ","
        + _csq("A", "missense_variant", "EGFR", "ENST00000275493", "ENSP0.1:p.Thr790Lys", "YES")
        + "\tGT\t0/1\t0/0\t0/2",
        # 5: two indel alleles as VEP writes them (first base trimmed, '-' when nothing is left).
        "7\t55242464\t.\tAGGAATTAAGAGAAGC\tA,AGG\t.\tPASS\tCSQ="
        + _csq("-", "inframe_deletion", "EGFR", "ENST00000275493", "ENSP0.1:p.Glu746_Ala750del")
        + ","
        + _csq("GG", "inframe_deletion", "EGFR", "ENST00000275493", "ENSP0.1:p.Glu746del")
        + "\tGT\t1/2\t0/0\t0/0",
        # 6: another gene.
        "12\t25398285\t.\tC\tA\t.\tPASS\tCSQ="
        + _csq("A", "missense_variant", "KRAS", "ENST00000256078", "ENSP0.1:p.Gly12Cys", "YES")
        + "\tGT\t0/0\t0/1\t0/0",
        # 7: no CSQ at all on this line.
        "7\t55000000\t.\tA\tG\t.\tPASS\tDP=3\tGT\t0/1\t0/0\t0/0",
        # 8: a broken line.
        "7\t55000001\t.\tA",
        "",
    ]
)

ANN_HEADER = (
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
    "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
    "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length "
    "| AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">"
)


def _ann(allele, annotation, gene, hgvsc, hgvsp):
    return "|".join(
        [
            *(allele, annotation, "MODERATE", gene, "ENSG0", "transcript", "ENST0"),
            *("protein_coding", "21/28", hgvsc, hgvsp, "", "", "", "", ""),
        ]
    )


SNPEFF_VCF = "\n".join(
    [
        "##fileformat=VCFv4.1",
        ANN_HEADER,
        TAB.join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]),
        "7\t55259515\t.\tT\tG\t50\tPASS\tANN="
        + _ann("G", "missense_variant", "EGFR", "c.2573T>G", "p.Leu858Arg"),
        # An upstream annotation of another gene comes second: the first is read.
        "7\t55249071\t.\tC\tT\t50\tPASS\tANN="
        + _ann("T", "missense_variant", "EGFR", "c.2369C>T", "p.Thr790Met")
        + ","
        + _ann("T", "upstream_gene_variant", "EGFR-AS1", "n.-1G>A", ""),
        "7\t55181378\t.\tC\tT\t50\tPASS\tANN="
        + _ann("T", "intron_variant", "EGFR", "c.89-5C>T", ""),
        "7\t55249090\t.\tC\tT\t50\tPASS\tANN="
        + _ann("T", "start_lost", "EGFR", "c.1A>T", "p.Met1?"),
    ]
)

TABLE = "\n".join(
    [
        "Gene,Sample,Mutation,Note",
        "EGFR,P1,L858R,first",
        "EGFR,P1,T790M,",
        "EGFR,P2,p.Leu858Arg,",
        "EGFR,P3,C797S,",
        "EGFR,P3,,no call",
        "EGFR,P4,p.?,",
        "EGFR,P4,T790T,",
        "BRAF,P4,V600E,",
        ",P5,E746_A750del,",
    ]
)


def _write(path: Path, text: str, compress: bool = False) -> Path:
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _check_schema(table: pd.DataFrame) -> None:
    assert tuple(table.columns) == VARIANT_COLUMNS
    assert set(table["status"]) <= set(VARIANT_STATUSES)
    assert table.loc[table["status"] == "parsed", "reason"].isna().all()
    assert table.loc[table["status"] != "parsed", "reason"].notna().all()


# -- MAF -------------------------------------------------------------------------------------------


def test_a_maf_gives_one_row_per_record_with_its_status(tmp_path):
    table = read_variants(_write(tmp_path / "cohort.maf", MAF), gene="EGFR")
    _check_schema(table)
    assert table["record"].tolist() == list(range(8))  # counts in == rows out
    assert table["protein_change"].tolist() == [
        "L858R",
        "T790M",
        "E746_A750del",
        "Q787=",
        None,
        "S768I",  # HGVSp_Short empty: read from HGVSp
        None,
        "G12C",
    ]
    assert table["status"].tolist() == [
        "parsed",
        "parsed",
        "parsed",
        "synonymous",
        "no_protein_change",
        "parsed",
        "unparsable",
        "other_gene",
    ]
    assert table.loc[4, "reason"] == "no protein change given (Intron)"
    assert "splice-site" in table.loc[6, "reason"]
    assert table.loc[7, "reason"] == "gene KRAS, not EGFR"
    assert table["sample"].tolist()[:3] == ["TCGA-05-4249-01", "TCGA-05-4249-01", "TCGA-05-4250-01"]
    assert table.loc[2, ["start", "end", "reference", "alternate", "kind"]].tolist() == [
        746,
        750,
        "EA",
        "",
        "deletion",
    ]
    assert str(table["start"].dtype) == "Int64" and table["start"].isna().tolist()[4]


def test_a_gzipped_maf_with_any_suffix_is_recognised_by_its_header(tmp_path):
    plain = read_variants(_write(tmp_path / "cohort.maf", MAF))
    gzipped = read_variants(_write(tmp_path / "cohort.txt.gz", MAF, compress=True))
    pd.testing.assert_frame_equal(plain, gzipped)
    assert plain.loc[7, "status"] == "parsed"  # no gene asked for: KRAS is kept as it is


def test_a_maf_as_a_dataframe_and_a_named_protein_column(tmp_path):
    frame = pd.read_csv(tmp_path / _write(tmp_path / "c.maf", MAF), sep="\t", comment="#")
    table = read_variants(frame)
    assert table["protein_change"].tolist()[:2] == ["L858R", "T790M"]
    only_long = read_variants(frame, format="maf", protein_column="HGVSp")
    assert only_long.loc[5, "protein_change"] == "S768I"
    assert only_long.loc[0, "input"] == "p.Leu858Arg"


def test_a_maf_without_a_protein_column_is_a_named_error(tmp_path):
    path = _write(tmp_path / "bare.maf", "Hugo_Symbol\tTumor_Sample_Barcode\nEGFR\tS1\n")
    with pytest.raises(
        VariantFormatError, match=r"no protein-change column \(looked for HGVSp_Short"
    ):
        read_variants(path)
    with pytest.raises(VariantFormatError, match=r"no sample column 'Barcode'"):
        read_variants(_write(tmp_path / "c.maf", MAF), sample_column="Barcode")


# -- VCF -------------------------------------------------------------------------------------------


def test_a_vep_vcf_reads_the_canonical_annotation_per_allele_and_carrier(tmp_path):
    table = read_variants(_write(tmp_path / "cohort.vcf", VEP_VCF), gene="EGFR")
    _check_schema(table)
    assert sorted(set(table["record"])) == list(range(9))  # every data line, none dropped
    rows = list(
        zip(
            table["record"],
            table["sample"],
            table["protein_change"],
            table["status"],
            strict=True,
        )
    )
    assert rows == [
        (0, "T1", "L858R", "parsed"),  # the canonical transcript, not the first
        (1, "T1", "T790M", "parsed"),
        (1, "T2", "T790M", "parsed"),
        (2, None, "Q787=", "synonymous"),
        (3, "T1", None, "no_protein_change"),
        (4, "T1", "T790M", "parsed"),
        (4, "T3", "T790K", "parsed"),
        (5, "T1", "E746_A750del", "parsed"),
        (5, "T1", "E746del", "parsed"),
        (6, "T2", "G12C", "other_gene"),
        (7, "T1", None, "no_protein_change"),
        (8, None, None, "unparsable"),
    ]
    assert table.loc[0, "input"] == "ENSP00000275493.2:p.Leu858Arg"
    reasons = table["reason"].tolist()
    assert reasons[4] == (
        "7:55181378 C>T: no protein change (intron_variant, NMD_transcript_variant)"
    )
    assert reasons[10] == "7:55000000 A>G: no CSQ annotation for this allele"
    assert "at least 8 tab-separated columns" in reasons[11]
    assert table["gene"].tolist()[:2] == ["EGFR", "EGFR"]
    assert table.loc[10, "gene"] is None  # no annotation: no gene, not the one asked for


def test_the_annotation_of_the_gene_asked_for_wins(tmp_path):
    text = "\n".join(
        [
            *VEP_VCF.splitlines()[:5],
            "7\t1\t.\tC\tT\t.\tPASS\tCSQ="
            + _csq("T", "missense_variant", "OTHER", "ENST1", "ENSP1.1:p.Ala5Val", "YES")
            + ","
            + _csq("T", "missense_variant", "EGFR", "ENST2", "ENSP2.1:p.Thr790Met"),
        ]
    )
    path = _write(tmp_path / "two_genes.vcf", text)
    assert read_variants(path)["protein_change"].tolist() == ["A5V"]  # canonical first
    asked = read_variants(path, gene="egfr")  # symbols compare case-insensitively
    assert asked[["gene", "protein_change", "status"]].values.tolist() == [
        ["EGFR", "T790M", "parsed"]
    ]


def test_a_gzipped_snpeff_vcf_without_samples(tmp_path):
    path = _write(tmp_path / "cohort.snpeff.vcf.gz", SNPEFF_VCF, compress=True)
    table = read_variants(path)
    _check_schema(table)
    assert table["protein_change"].tolist() == ["L858R", "T790M", None, None]
    assert table["status"].tolist() == ["parsed", "parsed", "no_protein_change", "unparsable"]
    assert table["sample"].isna().all()
    assert table["gene"].tolist() == ["EGFR"] * 4
    assert table.loc[2, "reason"] == "7:55181378 C>T: no protein change (intron_variant)"
    assert "unknown" in table.loc[3, "reason"]


def test_a_vcf_without_protein_annotation_is_a_named_error_before_any_work(tmp_path):
    text = "\n".join(
        [
            "##fileformat=VCFv4.2",
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
            "7\t55259515\t.\tT\tG\t.\tPASS\tDP=3",
        ]
    )
    path = _write(tmp_path / "plain.vcf", text)
    with pytest.raises(VariantFormatError, match=r"neither a VEP CSQ nor a SnpEff ANN") as caught:
        read_variants(path)
    assert "--hgvs" in str(caught.value) and "snpEff" in str(caught.value)
    with pytest.raises(VariantFormatError, match=r"no protein annotation"):
        read_variants(path, format="vcf")


def test_broken_vcf_headers_are_named_errors(tmp_path):
    no_format = VEP_VCF.replace(f"Format: {CSQ_FORMAT}", "no sub-fields here")
    with pytest.raises(VariantFormatError, match=r"CSQ header line does not say its sub-fields"):
        read_variants(_write(tmp_path / "a.vcf", no_format))
    no_chrom = "\n".join(line for line in VEP_VCF.splitlines() if not line.startswith("#CHROM"))
    with pytest.raises(VariantFormatError, match=r"is not a VCF: no '#CHROM' header line"):
        read_variants(_write(tmp_path / "b.vcf", no_chrom))


def test_vcf_options_that_do_not_apply_are_refused(tmp_path):
    path = _write(tmp_path / "c.vcf", VEP_VCF)
    with pytest.raises(VariantFormatError, match=r"sample_column: for MAF files and tables only"):
        read_variants(path, sample_column="T1")
    with pytest.raises(VariantFormatError, match=r"A VCF is read from its file"):
        read_variants(pd.DataFrame({"protein_change": ["L858R"]}), format="vcf")


# -- plain tables ----------------------------------------------------------------------------------


def test_a_csv_table_reaches_every_status_of_this_stage(tmp_path):
    table = read_variants(_write(tmp_path / "cohort.csv", TABLE), gene="EGFR")
    _check_schema(table)
    assert table["record"].tolist() == list(range(9))
    assert table["status"].tolist() == [
        "parsed",
        "parsed",
        "parsed",
        "parsed",
        "no_protein_change",
        "unparsable",
        "synonymous",
        "other_gene",
        "parsed",
    ]
    assert set(table["status"]) == set(VARIANT_STATUSES[:5])
    assert table["gene"].tolist()[-2:] == ["BRAF", "EGFR"]  # a record without a gene takes it
    assert table["sample"].tolist()[:2] == ["P1", "P1"]
    assert table.loc[5, "input"] == "p.?" and "unknown" in table.loc[5, "reason"]
    assert table.loc[4, "input"] is None


def test_tsv_gz_and_sniffed_txt_tables_read_alike(tmp_path):
    tsv = TABLE.replace(",", "\t")
    csv_table = read_variants(_write(tmp_path / "cohort.csv", TABLE))
    for name, compress in (("cohort.tsv.gz", True), ("cohort.txt", False)):
        other = read_variants(_write(tmp_path / name, tsv, compress=compress))
        pd.testing.assert_frame_equal(csv_table, other)


def test_a_dataframe_with_missing_values_and_named_columns():
    frame = pd.DataFrame(
        {
            "who": ["a", None, "b", "c"],
            "symbol": ["EGFR", "EGFR", None, "EGFR"],
            "aa": ["EGFR L858R", float("nan"), "p.Thr790Met", "."],
        }
    )
    table = read_variants(frame, protein_column="aa", sample_column="who")
    _check_schema(table)
    assert table["sample"].tolist() == ["a", None, "b", "c"]
    assert table["gene"].tolist() == ["EGFR", "EGFR", None, "EGFR"]
    assert table["status"].tolist() == [
        "parsed",
        "no_protein_change",
        "parsed",
        "no_protein_change",
    ]
    assert table.loc[0, "input"] == "EGFR L858R" and table.loc[0, "protein_change"] == "L858R"


def test_an_empty_table_has_the_schema():
    table = read_variants(pd.DataFrame({"protein_change": []}))
    assert tuple(table.columns) == VARIANT_COLUMNS and len(table) == 0
    assert len(variant_counts(table)) == 0 and len(sample_counts(table)) == 0


def test_table_errors_name_what_is_wrong(tmp_path):
    with pytest.raises(
        VariantFormatError, match=r"no protein-change column \(looked for protein_change"
    ):
        read_variants(pd.DataFrame({"smiles": ["CCO"]}))
    with pytest.raises(
        VariantFormatError, match=r"no protein-change column 'Mutaton'; did you mean"
    ):
        read_variants(_write(tmp_path / "t.csv", TABLE), protein_column="Mutaton")
    with pytest.raises(
        VariantFormatError, match=r"Unknown variant format 'vfc'.*did you mean `vcf`"
    ):
        read_variants(pd.DataFrame({"mutation": ["L858R"]}), format="vfc")
    with pytest.raises(VariantFormatError, match=r"gene= must be a gene symbol"):
        read_variants(pd.DataFrame({"mutation": ["L858R"]}), gene=" ")
    with pytest.raises(VariantFormatError, match=r"is empty"):
        read_variants(_write(tmp_path / "empty.csv", ""))
    with pytest.raises(VariantFormatError, match=r"Cannot read .*broken\.csv\.gz"):
        (tmp_path / "broken.csv.gz").write_bytes(b"\x1f\x8b not gzip after all")
        read_variants(tmp_path / "broken.csv.gz", format="table")


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(
        VariantFileNotFoundError, match=r"Variant file .*nothing\.maf does not exist"
    ):
        read_variants(tmp_path / "nothing.maf")
    assert issubclass(VariantFileNotFoundError, FileNotFoundError)
    assert issubclass(VariantFormatError, VariantError) and issubclass(
        VariantFormatError, ValueError
    )


# -- counts ----------------------------------------------------------------------------------------


def test_counts_per_variant_and_per_sample_count_every_row(tmp_path):
    table = read_variants(_write(tmp_path / "cohort.csv", TABLE), gene="EGFR")
    counts = variant_counts(table)
    assert counts.columns.tolist() == [
        "gene",
        "protein_change",
        "kind",
        "start",
        "end",
        "status",
        "rows",
        "samples",
    ]
    assert counts["rows"].sum() == len(table)
    first = counts.iloc[0]
    assert (first["protein_change"], first["rows"], first["samples"]) == ("L858R", 2, 2)
    unparsable = counts[counts["status"] == "unparsable"]
    assert unparsable["protein_change"].tolist() == [None] and unparsable["rows"].tolist() == [1]
    assert set(counts["status"]) == set(table["status"])

    per_sample = sample_counts(table)
    assert per_sample.columns.tolist() == ["sample", "rows", *VARIANT_STATUSES]
    assert per_sample["rows"].sum() == len(table)
    p4 = per_sample.set_index("sample").loc["P4"]
    assert (p4["rows"], p4["unparsable"], p4["synonymous"], p4["other_gene"]) == (3, 1, 1, 1)


def test_vcf_counts_add_up_with_rows_without_a_sample(tmp_path):
    table = read_variants(_write(tmp_path / "cohort.vcf", VEP_VCF))
    per_sample = sample_counts(table)
    assert per_sample["rows"].sum() == len(table)
    assert per_sample["sample"].tolist() == ["T1", "T2", "T3", None]
    counts = variant_counts(table)
    t790m = counts[counts["protein_change"] == "T790M"].iloc[0]
    assert (t790m["rows"], t790m["samples"]) == (3, 2)


def test_counts_refuse_a_table_that_is_not_a_variant_table():
    with pytest.raises(VariantFormatError, match=r"Not a variant table .* lacks the columns"):
        variant_counts(pd.DataFrame({"protein_change": ["L858R"]}))
    bad = read_variants(pd.DataFrame({"mutation": ["L858R"]})).assign(status="lost")
    with pytest.raises(VariantFormatError, match=r"Statuses \['lost'\] are not variant statuses"):
        sample_counts(bad)
