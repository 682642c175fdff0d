"""drugml.chem.curate: raw records to compounds with a log that adds up, ChEMBL-style exports."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import Descriptors

from drugml import data
from drugml.chem import ColumnNotFoundError
from drugml.chem.curate import (
    CHEMBL_WEB_EXPORT_COLUMNS,
    CurationError,
    CurationOptionError,
    CurationSettings,
    TableCurationSettings,
    activity_type_counts,
    convert_to_nm,
    curate_bioactivities,
    curate_table,
    curation_summary,
    read_chembl_activities,
)
from drugml.errors import DrugmlError


@pytest.fixture(scope="module")
def egfr():
    raw = data.load("egfr_bioactivities_raw")
    return raw, curate_bioactivities(raw, structures=data.load("egfr_compounds"))


def _adds_up(raw_rows: int, log: pd.DataFrame, rejected: pd.DataFrame) -> None:
    records = log[log["unit"] == "records"]
    kept = int(records.iloc[-1]["n_out"])
    assert raw_rows == int(records["n_dropped"].sum()) + kept
    assert len(rejected) == int(records["n_dropped"].sum())
    # Each step starts with what the one before kept.
    assert (records["n_in"].iloc[1:].to_numpy() == records["n_out"].iloc[:-1].to_numpy()).all()
    assert (records["n_in"] == records["n_out"] + records["n_dropped"]).all()
    compounds = log.iloc[-1]
    assert compounds["n_in"] == kept
    assert compounds["n_out"] + compounds["n_merged"] == kept


def test_egfr_log_adds_up_from_raw_rows_to_compounds(egfr):
    raw, result = egfr
    table, log = result
    _adds_up(len(raw), log, result.rejected)
    assert len(table) == log.iloc[-1]["n_out"]
    assert table["inchikey"].is_unique
    assert "DOES NOT ADD UP" not in curation_summary(log)


def test_egfr_known_problems_are_caught(egfr):
    raw, result = egfr
    rejected = result.rejected
    # The record without a value, the duplicated activity 32260, the missing structures.
    assert rejected.loc[rejected["step"] == "value present", "record_id"].tolist() == [740166]
    assert rejected.loc[rejected["step"] == "exact duplicates", "record_id"].tolist() == [32260]
    missing = set(raw["molecule_chembl_id"]) - set(
        data.load("egfr_compounds")["molecule_chembl_id"]
    )
    no_structure = set(rejected.loc[rejected["step"] == "structure", "molecule_id"])
    assert no_structure <= missing  # only molecules without a structure ...
    assert missing <= set(rejected["molecule_id"])  # ... and each of those is rejected somewhere
    assert set(rejected["raw_index"]) <= set(raw.index)


def test_egfr_table_values(egfr):
    _, (table, _) = egfr
    assert {"pIC50", "IC50_nM", "n_measurements", "pIC50_std", "disagreement", "active"} <= set(
        table.columns
    )
    assert table["pIC50"].is_monotonic_decreasing
    assert ((table["pIC50"] >= 6.3) == table["active"]).all()
    spread = table["pIC50_max"] - table["pIC50_min"]
    assert ((spread > 1.0) == table["disagreement"]).all()
    assert table["disagreement"].any()
    # Erlotinib (CHEMBL553) is in the set and is potent.
    erlotinib = table[table["molecule_ids"].str.contains(r"\bCHEMBL553\b")]
    assert len(erlotinib) == 1 and erlotinib["pIC50"].iloc[0] > 7
    # Salt forms of one parent merge into one compound.
    assert table["molecule_ids"].str.contains(";").any()
    assert all(Chem.MolFromSmiles(s) is not None for s in table["smiles"].head(200))


def _synthetic_export() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small Ki export in another target's ChEMBL format, with every kind of problem."""
    structures = pd.DataFrame(
        {
            "molecule_chembl_id": ["M1", "M2", "M3", "M4", "M5"],
            "canonical_smiles": [
                "CCOc1ccccc1",
                "c1ccc2[nH]ccc2c1.Cl",
                "C1CC",
                "CCN",
                "CC(=O)Nc1ccccc1",
            ],
        }
    )
    rows = [
        ("A1", "M1", "Ki", "=", 10.0, "nM"),
        ("A2", "M1", "Ki", "=", 0.1, "uM"),  # replicate: 100 nM
        ("A3", "M2", "Ki", "=", 2.0, "ug.mL-1"),  # mass unit, salt weighed
        ("A4", "M2", "IC50", "=", 5.0, "nM"),  # other activity type
        ("A5", "M4", "Ki", ">", 10000.0, "nM"),  # censored
        ("A6", "M3", "Ki", "=", 50.0, "nM"),  # unparsable structure
        ("A7", "M4", "Ki", "=", 3.0, "/uM"),  # unconvertible unit
        ("A8", "M4", "Ki", "=", None, "nM"),  # no value
        ("A9", "M4", "Ki", "=", -1.0, "nM"),  # negative value
        ("A10", "M9", "Ki", "=", 7.0, "nM"),  # no structure
        ("A11", "M5", "Ki", "=", 1000.0, "nM"),
        ("A11", "M5", "Ki", "=", 1000.0, "nM"),  # exact duplicate
    ]
    columns = [
        "activity_id",
        "molecule_chembl_id",
        "standard_type",
        "standard_relation",
        "standard_value",
        "standard_units",
    ]
    raw = pd.DataFrame(rows, columns=columns)
    return raw, structures


def test_another_target_with_ki_and_mixed_units():
    raw, structures = _synthetic_export()
    result = curate_bioactivities(
        raw, structures=structures, activity_type="Ki", smiles_column="canonical_smiles"
    )
    table, log = result
    _adds_up(len(raw), log, result.rejected)
    reasons = dict(zip(result.rejected["record_id"], result.rejected["step"], strict=True))
    assert reasons == {
        "A4": "activity type",
        "A5": "relation",
        "A8": "value present",
        "A11": "exact duplicates",
        "A10": "structure",
        "A6": "standardize",
        "A7": "unit conversion",
        "A9": "positive value",
    }
    assert "pKi" in table.columns and "Ki_nM" in table.columns
    m1 = table[table["molecule_id"] == "M1"].iloc[0]
    assert m1["n_measurements"] == 2
    assert m1["pKi"] == pytest.approx((8.0 + 7.0) / 2)  # median of 10 nM and 100 nM
    assert not m1["disagreement"]  # exactly one log unit apart is not "more than"
    m2 = table[table["molecule_id"] == "M2"].iloc[0]
    molar_mass = Descriptors.MolWt(Chem.MolFromSmiles("c1ccc2[nH]ccc2c1.Cl"))
    assert m2["Ki_nM"] == pytest.approx(2.0e-3 / molar_mass * 1e9)
    assert m2["smiles"] == "c1ccc2[nH]ccc2c1"  # salt stripped for the modelling table


def test_threshold_and_disagreement_are_parameters():
    raw, structures = _synthetic_export()
    table, _ = curate_bioactivities(
        raw,
        structures=structures,
        activity_type="Ki",
        smiles_column="canonical_smiles",
        active_threshold=7.6,
        disagreement=0.5,
    )
    m1 = table[table["molecule_id"] == "M1"].iloc[0]
    assert m1["disagreement"] and not m1["active"]


def test_options_are_keywords_or_one_settings_object():
    raw, structures = _synthetic_export()
    options = {"activity_type": "Ki", "smiles_column": "canonical_smiles", "active_threshold": 7.6}
    by_keywords = curate_bioactivities(raw, structures=structures, **options)
    settings = CurationSettings(**options)
    by_settings = curate_bioactivities(raw, structures, settings)
    pd.testing.assert_frame_equal(by_settings.table, by_keywords.table)
    pd.testing.assert_frame_equal(by_settings.log, by_keywords.log)
    # A keyword given with settings= replaces the settings' value.
    table, _ = curate_bioactivities(raw, structures, settings, disagreement=0.5)
    assert table.loc[table["molecule_id"] == "M1", "disagreement"].item()
    assert (CurationSettings().activity_types, CurationSettings().active_threshold) == (
        ["IC50"],
        6.3,
    )
    rows = pd.DataFrame({"smiles": ["CCO", "CCN", "CCC"], "y": [1, 0, 1]})
    pd.testing.assert_frame_equal(
        curate_table(rows, TableCurationSettings(label_column="y")).table,
        curate_table(rows, label_column="y").table,
    )


def test_a_misspelt_option_is_refused_with_the_closest():
    raw, structures = _synthetic_export()
    with pytest.raises(
        CurationOptionError,
        match=r"^curate_bioactivities\(\) got an unexpected keyword argument 'activty_type'; "
        r"did you mean `activity_type`\?$",
    ) as error:
        curate_bioactivities(raw, structures=structures, activty_type="Ki")
    assert isinstance(error.value, TypeError) and isinstance(error.value, DrugmlError)
    with pytest.raises(CurationOptionError, match=r"'labl_column'; did you mean `label_column`\?"):
        curate_table(pd.DataFrame({"smiles": ["C"], "y": [1]}), labl_column="y")
    with pytest.raises(CurationOptionError, match="takes settings= as a CurationSettings"):
        curate_bioactivities(raw, structures, TableCurationSettings(label_column="y"))


def test_missing_columns_fail_before_any_work():
    raw, structures = _synthetic_export()
    with pytest.raises(ColumnNotFoundError, match=r"'standard_units'.*columns are:.*'activity_id'"):
        curate_bioactivities(raw.drop(columns="standard_units"), structures=structures)
    with pytest.raises(CurationError, match="no SMILES column; pass structures="):
        curate_bioactivities(raw)
    with pytest.raises(ColumnNotFoundError, match="structure table lacks"):
        curate_bioactivities(raw, structures=structures.rename(columns={"molecule_chembl_id": "x"}))


def test_unit_conversion():
    assert convert_to_nm(1.0, "M") == (1e9, None)
    assert convert_to_nm(1.0, "µM") == (1000.0, None)
    assert convert_to_nm(3.0, "umol/L") == (3000.0, None)
    assert convert_to_nm(1.0, "pM") == (0.001, None)
    value, _ = convert_to_nm(1.0, "ug/ml", molar_mass=500.0)
    assert math.isclose(value, 2000.0)
    assert convert_to_nm(1.0, "ug/mL")[1] == "unit 'ug/mL' needs a molar mass, which is unknown"
    assert convert_to_nm(1.0, None) == (None, "no unit given")
    assert "cannot be converted" in convert_to_nm(1.0, "%")[1]


# --------------------------------------------------------------------------- ChEMBL web export

#: The header line of ChEMBL's web-interface activity export, as an export has it
#: (rdkit/rdkit, rdkit/Chem/UnitTestPandasTools.py); newer exports add columns.
WEB_EXPORT_HEADER = (
    "Molecule ChEMBL ID",
    "Molecule Name",
    "Molecule Max Phase",
    "Molecular Weight",
    "#RO5 Violations",
    "AlogP",
    "Compound Key",
    "Smiles",
    "Standard Type",
    "Standard Relation",
    "Standard Value",
    "Standard Units",
    "pChEMBL Value",
    "Data Validity Comment",
    "Comment",
    "Uo Units",
    "Ligand Efficiency BEI",
    "Ligand Efficiency LE",
    "Ligand Efficiency LLE",
    "Ligand Efficiency SEI",
    "Potential Duplicate",
    "Assay ChEMBL ID",
    "Assay Description",
    "Assay Type",
    "BAO Format ID",
    "BAO Label",
    "Assay Organism",
    "Assay Tissue ChEMBL ID",
    "Assay Tissue Name",
    "Assay Cell Type",
    "Assay Subcellular Fraction",
    "Target ChEMBL ID",
    "Target Name",
    "Target Organism",
    "Target Type",
    "Document ChEMBL ID",
    "Source ID",
    "Source Description",
    "Document Journal",
    "Document Year",
    "Cell ChEMBL ID",
)

#: Shipped EGFR records with the usual problems: an exact duplicate (rows 0, 1),
#: no value (820), no structure (2099), ug/mL values converted through the molar
#: mass (2133, 2386), salt forms (120, 121, 322, 335) and a salt measured beside
#: its parent, merged into one compound (1827 with 1185).
EXPORT_ROWS = [*range(20), 120, 121, 322, 335, 820, 1185, 1827, 2099, 2133, 2386]


@pytest.fixture(scope="module")
def egfr_records():
    """~30 shipped EGFR records in the API layout, and the shipped structures."""
    raw = data.load("egfr_bioactivities_raw")
    return raw.loc[EXPORT_ROWS], data.load("egfr_compounds")


def _write_web_export(records: pd.DataFrame, structures: pd.DataFrame, path) -> None:
    """``records`` as ChEMBL's web interface exports them: ';', all quoted, '=' quoted again."""
    smiles = structures.drop_duplicates("molecule_chembl_id").set_index("molecule_chembl_id")
    export = pd.DataFrame("", index=records.index, columns=list(WEB_EXPORT_HEADER))
    export["Molecule ChEMBL ID"] = records["molecule_chembl_id"]
    export["Smiles"] = records["molecule_chembl_id"].map(smiles["smiles"])
    export["Standard Type"] = records["type"]
    export["Standard Relation"] = "'" + records["relation"] + "'"
    export["Standard Value"] = records["standard_value"]
    export["Standard Units"] = records["standard_units"]
    for header, column in [
        ("Assay ChEMBL ID", "assay_chembl_id"),
        ("Assay Description", "assay_description"),
        ("Assay Type", "assay_type"),
        ("Target ChEMBL ID", "target_chembl_id"),
        ("Target Organism", "target_organism"),
    ]:
        export[header] = records[column]
    export.to_csv(path, sep=";", quoting=csv.QUOTE_ALL, index=False)


def test_every_real_web_export_header_is_mapped():
    assert set(WEB_EXPORT_HEADER) <= set(CHEMBL_WEB_EXPORT_COLUMNS)
    assert len(set(CHEMBL_WEB_EXPORT_COLUMNS.values())) == len(CHEMBL_WEB_EXPORT_COLUMNS)


def test_web_export_curates_like_the_api_layout(egfr_records, tmp_path):
    records, structures = egfr_records
    path = tmp_path / "DOWNLOAD-egfr.csv"
    _write_web_export(records, structures, path)
    assert path.read_text().startswith('"Molecule ChEMBL ID";"Molecule Name";')
    assert ";\"'='\";" in path.read_text()

    raw = read_chembl_activities(path)
    assert raw.attrs["chembl_format"] == "web export"
    assert {
        "molecule_chembl_id",
        "canonical_smiles",
        "standard_type",
        "standard_relation",
        "standard_value",
        "standard_units",
        "assay_chembl_id",
        "target_chembl_id",
        "data_validity_comment",
        "pchembl_value",
    } <= set(raw.columns)
    assert set(raw["standard_relation"]) == {"="}

    via_export = curate_bioactivities(raw)  # the export carries its own SMILES
    via_api = curate_bioactivities(records, structures=structures)
    pd.testing.assert_frame_equal(via_export.table, via_api.table)
    pd.testing.assert_frame_equal(via_export.log, via_api.log)
    columns = ["molecule_id", "step", "reason", "detail"]
    pd.testing.assert_frame_equal(via_export.rejected[columns], via_api.rejected[columns])
    assert set(via_api.rejected["step"]) == {"exact duplicates", "value present", "structure"}
    assert "CHEMBL1204305; CHEMBL96065" in set(via_export.table["molecule_ids"])
    assert {"CHEMBL46946", "CHEMBL47986"} <= set(via_export.table["molecule_id"])  # ug/mL
    _adds_up(len(records), via_export.log, via_export.rejected)
    # Read with plain pandas and renamed by hand, the quoted relations still count.
    by_hand = pd.read_csv(path, sep=";").rename(columns=CHEMBL_WEB_EXPORT_COLUMNS)
    assert by_hand["standard_relation"].iloc[0] == "'='"
    pd.testing.assert_frame_equal(curate_bioactivities(by_hand).table, via_api.table)


def test_api_layout_files_are_read_as_they_are(tmp_path):
    shipped = data.path("egfr_bioactivities_raw")  # a zipped CSV written with its index
    raw = read_chembl_activities(shipped)
    assert raw.attrs["chembl_format"] == "api"
    pd.testing.assert_frame_equal(raw, data.load("egfr_bioactivities_raw"), check_dtype=False)
    tsv = tmp_path / "activities.tsv"
    raw.head(5).to_csv(tsv, sep="\t", index=False)
    pd.testing.assert_frame_equal(read_chembl_activities(tsv), raw.head(5), check_dtype=False)


def test_a_table_in_neither_layout_is_refused_with_its_columns(tmp_path):
    path = tmp_path / "scores.csv"
    pd.DataFrame({"smiles": ["CCO"], "ic50": [3.0]}).to_csv(path, index=False)
    with pytest.raises(
        CurationError,
        match=r"expected either the API.*'Molecule ChEMBL ID'.*"
        r"It has: 'smiles', 'ic50'",
    ):
        read_chembl_activities(path)
    with pytest.raises(FileNotFoundError):
        read_chembl_activities(tmp_path / "missing.csv")


def test_wanted_activity_type_is_checked_before_any_work(egfr, monkeypatch):
    raw, _ = egfr
    assert activity_type_counts(raw) == {"IC50": 7178}

    def no_work(*args, **kwargs):
        raise AssertionError("standardize ran before the activity type was checked")

    monkeypatch.setattr("drugml.chem.standardize", no_work)
    with pytest.raises(CurationError) as error:
        curate_bioactivities(raw, structures=data.load("egfr_compounds"), activity_type="Ki")
    assert (
        str(error.value)
        == "activity_type 'Ki' matches no record; the table has IC50 (7,178 records)."
    )
    assert isinstance(error.value, DrugmlError) and isinstance(error.value, ValueError)
    with pytest.raises(CurationError, match=r"'ic50' -> 'IC50'\?"):
        curate_bioactivities(raw, structures=data.load("egfr_compounds"), activity_type="ic50")
    # EC50 is another measurement, not a misspelt IC50: listed, not suggested.
    with pytest.raises(CurationError, match=r"'EC50' matches no record; [^?]*$"):
        curate_bioactivities(raw, activity_type=["IC50", "EC50"])


def test_missing_id_column_names_the_closest(egfr_records, tmp_path):
    records, structures = egfr_records
    renamed = records.rename(columns={"molecule_chembl_id": "Molecule_ChEMBL_ID"})
    with pytest.raises(
        ColumnNotFoundError,
        match=r"'molecule_chembl_id' \(molecule id; "
        r"closest: 'Molecule_ChEMBL_ID'\)",
    ):
        curate_bioactivities(renamed, structures=structures)
    # A web export read with plain pandas: the message points to the reader.
    path = tmp_path / "DOWNLOAD.csv"
    _write_web_export(records, structures, path)
    with pytest.raises(
        ColumnNotFoundError,
        match=r"closest: 'Molecule ChEMBL ID'.*"
        r"read_chembl_activities",
    ):
        curate_bioactivities(pd.read_csv(path, sep=";"))


def test_curation_never_ends_with_fewer_than_two_compounds(egfr_records):
    records, structures = egfr_records
    censored = records.assign(relation=">")
    with pytest.raises(
        CurationError,
        match=rf"left 0 compounds from {len(records)} records.*"
        rf"All {len(records)} records were dropped at step "
        r"'relation' \(censored",
    ):
        curate_bioactivities(censored, structures=structures)
    one = records[records["molecule_chembl_id"] == records["molecule_chembl_id"].iloc[0]]
    with pytest.raises(CurationError, match=r"left 1 compound from 2 records.*exact duplicates"):
        curate_bioactivities(one, structures=structures)
    no_structures = structures[
        ~structures["molecule_chembl_id"].isin(records["molecule_chembl_id"])
    ]
    with pytest.raises(CurationError) as error:
        curate_bioactivities(records, structures=no_structures)
    assert "dropped at step 'structure'" in str(error.value)
    assert "before that, step 'value present' dropped 1" in str(error.value)
    assert error.value.result.log.iloc[-1]["n_out"] == 0
