"""drugml.curate: raw records to compounds with a log that adds up, for any ChEMBL-style export."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import Descriptors

from drugml import data
from drugml.chem import ColumnNotFoundError
from drugml.curate import convert_to_nm, curate_bioactivities, curation_summary


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
    structures = pd.DataFrame({
        "molecule_chembl_id": ["M1", "M2", "M3", "M4", "M5"],
        "canonical_smiles": ["CCOc1ccccc1", "c1ccc2[nH]ccc2c1.Cl", "C1CC", "CCN",
                             "CC(=O)Nc1ccccc1"],
    })  # fmt: skip
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
    columns = ["activity_id", "molecule_chembl_id", "standard_type", "standard_relation",
               "standard_value", "standard_units"]  # fmt: skip
    raw = pd.DataFrame(rows, columns=columns)
    return raw, structures


def test_another_target_with_ki_and_mixed_units():
    raw, structures = _synthetic_export()
    result = curate_bioactivities(raw, structures=structures, activity_type="Ki",
                                  smiles_column="canonical_smiles")  # fmt: skip
    table, log = result
    _adds_up(len(raw), log, result.rejected)
    reasons = dict(zip(result.rejected["record_id"], result.rejected["step"], strict=True))
    assert reasons == {
        "A4": "activity type", "A5": "relation", "A8": "value present", "A11": "exact duplicates",
        "A10": "structure", "A6": "standardize", "A7": "unit conversion", "A9": "positive value",
    }  # fmt: skip
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
    table, _ = curate_bioactivities(raw, structures=structures, activity_type="Ki",
                                    smiles_column="canonical_smiles", active_threshold=7.6,
                                    disagreement=0.5)  # fmt: skip
    m1 = table[table["molecule_id"] == "M1"].iloc[0]
    assert m1["disagreement"] and not m1["active"]


def test_missing_columns_fail_before_any_work():
    raw, structures = _synthetic_export()
    with pytest.raises(ColumnNotFoundError, match=r"'standard_units'.*columns are:.*'activity_id'"):
        curate_bioactivities(raw.drop(columns="standard_units"), structures=structures)
    with pytest.raises(ValueError, match="no SMILES column; pass structures="):
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
