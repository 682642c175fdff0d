"""drugml.chem: every record gets one row, with a reason when it fails; files stream in chunks."""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdkit import Chem

from drugml import data
from drugml.chem import (
    ColumnNotFoundError,
    iter_molecules,
    parse_smiles,
    read_molecules,
    smiles_table,
    standardize,
    standardize_mol,
    to_mol,
)

# Odd and invalid inputs, each with the error type it must get (None: must pass).
ODD_INPUTS = {
    "": "empty",
    "   ": "empty",
    "garbage": "unparsable",
    "C1CC": "unparsable",
    "C(C)(C)(C)(C)C": "valence",
    "c1cccc1": "kekulize",
    "Cl[Pt]Cl.N.N": "no_organic_fragment",
    "[Na+].[Cl-]": "no_organic_fragment",
    "O": "no_organic_fragment",
    "[Xx]": "unparsable",
    "C%": "unparsable",
    "CC(=O)[O-].[Na+]": None,
    "[13CH3]C(=O)O": None,
    "C1CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC1": None,
    "CC(C)C[C@H](NC(=O)[C@H](Cc1ccccc1)NC(=O)CN)C(=O)O": None,
    "[Fe+2].c1cc[cH-]c1.c1cc[cH-]c1": None,
    "CCO.CC(C)O": None,
}


def test_counts_and_reasons_on_odd_inputs():
    inputs = list(ODD_INPUTS)
    out = standardize(inputs)
    assert len(out) == len(inputs)
    assert out["ok"].sum() + (~out["ok"]).sum() == len(inputs)
    for (smiles, expected), row in zip(ODD_INPUTS.items(), out.itertuples(), strict=True):
        assert row.error_type == expected, smiles
        if expected is None:
            assert row.ok and row.smiles and row.inchikey and row.error is None
            assert Chem.MolFromSmiles(row.smiles) is not None  # output round-trips
        else:
            assert not row.ok and row.smiles is None and row.error


def test_non_string_inputs_are_rejected_not_raised():
    out = standardize([None, float("nan"), 42, "CCO"])
    assert out["error_type"].tolist() == ["empty", "empty", "invalid_type", None]


def test_rdkit_messages_are_captured_not_printed(capfd):
    out = standardize(["C(C)(C)(C)(C)C", "garbage", "c1cccc1"])
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    assert "Explicit valence for atom # 0 C, 5" in out.loc[0, "error"]
    assert "syntax error" in out.loc[1, "error"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=40), max_size=20))
def test_any_strings_give_one_row_each(strings):
    out = standardize(strings)
    assert len(out) == len(strings)
    assert int(out["ok"].sum()) + int((~out["ok"]).sum()) == len(strings)
    assert out.loc[~out["ok"], "error"].map(bool).all()
    assert out.loc[out["ok"], "inchikey"].map(bool).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="CNOcn()=#[]+-123@H.lBrS", max_size=25), max_size=15))
def test_smiles_like_strings_give_one_row_each(strings):
    out = standardize(strings)
    assert len(out) == len(strings)
    ok = out[out["ok"]]
    assert all(Chem.MolFromSmiles(s) is not None for s in ok["smiles"])


def test_real_library_keeps_every_record_and_strips_salts():
    drugs = data.load("approved_drugs")
    out = standardize(drugs, id_column="molecule_chembl_id")
    assert len(out) == len(drugs) and out.index.equals(drugs.index)
    assert out["id"].tolist() == drugs["molecule_chembl_id"].tolist()
    by_name = dict(zip(drugs["pref_name"], out["smiles"], strict=True))
    assert by_name["ERLOTINIB HYDROCHLORIDE"] == by_name["ERLOTINIB"]
    assert "." not in "".join(out.loc[out["ok"], "smiles"])
    # Metal and inorganic drugs are the expected rejections; each has its reason.
    rejected = out[~out["ok"]]
    assert len(rejected) < 0.02 * len(out)
    assert rejected["error"].map(bool).all()


def test_standardization_steps():
    out = standardize(
        [
            "C[C@H](N)C(=O)O.Cl",
            "C[N+](C)(C)C",
            "[O-]c1ccccc1",
            "[2H]C([2H])([2H])O",
            "O=[N+]([O-])c1ccccc1",
            "Oc1ccccn1",
        ]
    )
    assert out["smiles"].tolist() == [
        "C[C@H](N)C(=O)O",  # salt stripped, stereo kept
        "C[N+](C)(C)C",  # a quaternary ammonium has no neutral form
        "Oc1ccccc1",  # neutralized
        "[2H]C([2H])([2H])O",  # isotopes kept
        "O=[N+]([O-])c1ccccc1",  # nitro in its normalized form
        "Oc1ccccn1",  # tautomer unchanged by default
    ]
    tautomer = standardize(["Oc1ccccn1"], tautomer=True)
    assert tautomer.loc[0, "smiles"] == "O=c1cccc[nH]1"


def test_options_switch_steps_off():
    out = standardize(["CC(=O)[O-].[Na+]"], largest_fragment=False, neutralize=False)
    assert out.loc[0, "smiles"] == "CC(=O)[O-].[Na+]"
    assert standardize(["CCO"], inchikey=False).loc[0, "inchikey"] is None


def test_parallel_result_equals_serial_in_order():
    smiles = [*data.load("egfr_compounds")["smiles"].tolist()[:1500], "garbage", ""]
    serial = standardize(smiles)
    parallel = standardize(smiles, n_jobs=2, chunk_size=200)
    pd.testing.assert_frame_equal(serial, parallel)


def test_series_index_and_mol_inputs_are_kept():
    series = pd.Series(["CCO", "bad"], index=["a", "b"])
    assert standardize(series).index.tolist() == ["a", "b"]
    mol = Chem.MolFromSmiles("CC(=O)[O-].[Na+]")
    out = standardize([mol])
    assert out.loc[0, "smiles"] == "CC(=O)O"
    assert Chem.MolToSmiles(mol) == "CC(=O)[O-].[Na+]"  # the caller's Mol is untouched


def test_table_without_smiles_column_names_its_columns():
    with pytest.raises(ColumnNotFoundError, match="'name', 'value'"):
        standardize(pd.DataFrame({"name": ["x"], "value": [1]}))
    with pytest.raises(ColumnNotFoundError, match="no SMILES column 'smi'"):
        standardize(pd.DataFrame({"smiles": ["C"]}), smiles_column="smi")


def test_one_string_is_a_type_error_not_characters():
    with pytest.raises(TypeError, match="list of SMILES"):
        standardize("CCO")


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_jobs"):
        standardize(["C"], n_jobs=0)
    with pytest.raises(ValueError, match="chunk_size"):
        standardize(["C"], chunk_size=0)


def test_parse_helpers():
    assert parse_smiles("CCO")[1:] == (None, None)
    assert parse_smiles("C1CC")[1] == "unparsable"
    assert to_mol("c1ccccc1").GetNumAtoms() == 6 and to_mol("x") is None
    with pytest.raises(ValueError, match="no organic fragment"):
        standardize_mol("[Na+].[Cl-]")
    with pytest.raises(ValueError, match="unparsable"):
        standardize_mol("C1CC")


@pytest.mark.parametrize(
    ("smiles", "scaffold", "rings", "aromatic_rings"),
    [
        ("C1CCCCC1.O", "C1CCCCC1", 1, 0),
        ("c1ccccc1CC(=O)O.Cl", "c1ccccc1", 1, 1),
        ("c1ccc2ccccc2c1C[NH3+].[Cl-]", "c1ccc2ccccc2c1", 2, 2),
    ],
)
def test_a_molecule_stripped_of_its_salt_works_with_every_rdkit_call(
    smiles, scaffold, rings, aromatic_rings
):
    # RDKit's LargestFragmentChooser.chooseInPlace left the ring information
    # unset: Murcko scaffolds and ring counts raised "RingInfo not initialized"
    # and the aromatic ring count read 0.
    from rdkit.Chem import rdMolDescriptors

    from drugml.chem.scaffolds import murcko_scaffold
    from drugml.featurize import ECFP

    mol = standardize_mol(smiles)
    assert murcko_scaffold(mol) == scaffold
    assert rdMolDescriptors.CalcNumRings(mol) == rings
    assert rdMolDescriptors.CalcNumAromaticRings(mol) == aromatic_rings
    assert (ECFP().transform([mol]) == ECFP().transform([Chem.MolToSmiles(mol)])).all()


# ------------------------------------------------------------------------- readers


def test_smi_file_counts_blank_lines_and_skips_header(tmp_path):
    path = tmp_path / "lib.smi"
    path.write_text("smiles id\nCCO ethanol\n\nnot_a_smiles bad one\nc1ccccc1\n")
    table = read_molecules(path)
    assert table["record"].tolist() == [1, 2, 3, 4]
    assert table["id"].tolist() == ["ethanol", "line 3", "bad one", "line 5"]
    out = standardize(table)
    assert out["ok"].tolist() == [True, False, False, True]
    assert out.loc[1, "error_type"] == "empty"


def test_csv_and_tsv_keep_other_columns(tmp_path):
    drugs = data.load("approved_drugs").head(25)
    drugs.to_csv(tmp_path / "lib.csv", index=False)
    drugs.to_csv(tmp_path / "lib.tsv.gz", index=False, sep="\t")
    for name in ("lib.csv", "lib.tsv.gz"):
        table = read_molecules(tmp_path / name)
        assert table["id"].tolist() == drugs["molecule_chembl_id"].tolist()
        assert table["input"].tolist() == drugs["smiles"].tolist()
        assert "pref_name" in table.columns and "smiles" not in table.columns


def test_csv_without_smiles_column_fails_at_once_with_columns(tmp_path):
    path = tmp_path / "lib.csv"
    pd.DataFrame({"structure": ["CCO"], "name": ["x"]}).to_csv(path, index=False)
    with pytest.raises(ColumnNotFoundError, match=r"lib\.csv has no SMILES column.*'structure'"):
        next(iter_molecules(path))
    with pytest.raises(ColumnNotFoundError, match=r"no SMILES column 'smi'.*'structure', 'name'"):
        read_molecules(path, smiles_column="smi")


def test_csv_empty_cells_are_records_with_reasons(tmp_path):
    path = tmp_path / "lib.csv"
    path.write_text("smiles,id\nCCO,a\n,b\nC1CC,c\n")
    out = standardize(read_molecules(path))
    assert out["error_type"].tolist() == [None, "empty", "unparsable"]


def _write_sdf(path, smiles, opener=open):
    blocks = []
    for i, s in enumerate(smiles):
        mol = Chem.MolFromSmiles(s)
        mol.SetProp("_Name", f"mol{i + 1}")
        mol.SetProp("potency", str(i))
        blocks.append(Chem.MolToMolBlock(mol) + f">  <potency>\n{i}\n\n$$$$\n")
    with opener(path, "wt") as handle:
        handle.write("".join(blocks))
    return blocks


def test_sdf_bad_record_is_reported_by_number(tmp_path):
    path = tmp_path / "lib.sdf"
    blocks = _write_sdf(path, ["CCO", "c1ccccc1", "CCN"])
    # Record 2 gets an element that does not exist.
    broken = blocks[1].replace(" C ", " Xx", 1)
    path.write_text(blocks[0] + broken + blocks[2])
    table = read_molecules(path)
    assert table["record"].tolist() == [1, 2, 3]
    assert table["id"].tolist() == ["mol1", "mol2", "mol3"]
    assert table["potency"].tolist() == ["0", "1", "2"]
    assert table.loc[1, "read_error"].startswith("SDF record 2 could not be read")
    out = standardize(table)
    assert out["ok"].tolist() == [True, False, True]
    assert out.loc[1, "error_type"] == "read_error"


def test_sdf_gz_and_truncated_file(tmp_path):
    path = tmp_path / "lib.sdf.gz"
    _write_sdf(path, ["CCO", "CCC", "CCCC"], opener=gzip.open)
    assert read_molecules(path)["input"].tolist() == ["CCO", "CCC", "CCCC"]
    plain = tmp_path / "cut.sdf"
    with gzip.open(path, "rt") as handle:
        text = handle.read()
    plain.write_text(text[: text.rindex("M  END") - 20])  # the file ends mid-record
    table = read_molecules(plain)
    assert len(table) == 3
    assert "incomplete" in table.loc[2, "read_error"]


def test_iter_molecules_streams_in_chunks():
    chunks = list(iter_molecules(data.path("esol"), chunk_size=500))
    assert [len(c) for c in chunks] == [500, 500, 128]
    assert chunks[1]["record"].iloc[0] == 501
    whole = pd.concat(chunks, ignore_index=True)
    assert whole["input"].tolist() == data.load("esol")["smiles"].tolist()


def test_reader_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_molecules(tmp_path / "missing.smi")
    (tmp_path / "lib.xyz").write_text("C\n")
    with pytest.raises(ValueError, match="Cannot tell the format"):
        read_molecules(tmp_path / "lib.xyz")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", r"\(CSV\): No columns to parse"),
        ("ragged.csv", b"smiles,id\nCCO,1\nCCN,2,3,4\n", r"\(CSV\): .*line 3"),
        ("fake.parquet", b"not parquet", r"\(Parquet\): .*magic bytes"),
        ("fake.smi.gz", b"not gzip", r"\(SMILES, gzipped\): Not a gzipped file"),
    ],
)
def test_an_unreadable_file_names_the_file_and_why(tmp_path, name, content, reason):
    # The reader's own error (pandas, pyarrow, gzip) does not say which file.
    from drugml.chem import MoleculeError

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MoleculeError, match=rf"Cannot read .*{re.escape(name)} {reason}"):
        read_molecules(path)


def test_smiles_table():
    table = smiles_table(["CCO", "CCN"], ids=["a", "b"])
    assert table.columns.tolist() == ["record", "id", "input", "read_error"]
    with pytest.raises(ValueError, match="2 SMILES but 1 ids"):
        smiles_table(["CCO", "CCN"], ids=["a"])


def test_normalization_shortcut_matches_the_full_normalizer():
    # standardize skips RDKit's Normalizer for molecules no default rule can change
    # (chem.may_normalize); on every embedded molecule the result must equal a full run.
    from rdkit import rdBase
    from rdkit.Chem.MolStandardize import rdMolStandardize

    from drugml.chem import may_normalize

    smiles = [
        *data.load("egfr_compounds")["smiles"],
        *data.load("approved_drugs")["smiles"],
        *data.load("esol")["smiles"],
        "CS(C)=O",
        "[O-][n+]1ccccc1",
        "O=n1ccccc1",
        "CCN=[N+]=[N-]",
        "C=[N+]=[N-]",
        "CP(=O)=O",
        "C[N+](C)=CC=CN(C)C",
    ]
    normalizer = rdMolStandardize.Normalizer()
    skipped = 0
    with rdBase.BlockLogs():
        for s in smiles:
            mol = Chem.MolFromSmiles(s)
            if mol is None or may_normalize(mol):
                continue
            skipped += 1
            assert Chem.MolToSmiles(normalizer.normalize(mol)) == Chem.MolToSmiles(mol), s
    assert skipped > 0.8 * len(smiles)  # the shortcut is taken for most molecules
