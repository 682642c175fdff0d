"""drugml.models.admet: the endpoint table, a small panel end to end, and its command line."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from drugml import data, schema
from drugml.cli import main
from drugml.errors import DrugmlError
from drugml.models import admet
from drugml.models.admet import ENDPOINTS, AdmetPanel, load_panel, percentile_of, train_panel

ROOT = Path(__file__).resolve().parents[3]
LIGHT = {"n_estimators": 50}
SMALL = ["herg", "hia_hou"]
GEFITINIB = "COc1cc2ncnc(Nc3ccc(F)c(Cl)c3)c2cc1OCCCN1CCOCC1"
INPUTS = [GEFITINIB, "not a smiles", "CCO", "[Na+].[Cl-]", "CC(=O)Oc1ccccc1C(=O)O.Cl"]


def test_every_endpoint_is_an_embedded_tdc_set_with_a_consistent_row():
    manifest = {
        e["name"]: e for e in json.loads((ROOT / "data" / "manifest.json").read_text())["datasets"]
    }
    provenance = (ROOT / "data" / "PROVENANCE.md").read_text()
    assert len(ENDPOINTS) == 12
    for name, endpoint in ENDPOINTS.items():
        assert endpoint.name == name
        entry = manifest[endpoint.dataset]
        assert entry["columns"] == ["drug_id", "smiles", "y", "tdc_split"]
        assert endpoint.tdc_name in entry["description"]
        assert endpoint.task in ("classification", "regression")
        assert (endpoint.task == "regression") == entry["description"].startswith(
            f"TDC ADMET benchmark {endpoint.tdc_name} (regression"
        )
        # The leaderboard value and metric are those of data/PROVENANCE.md.
        row = next(
            line
            for line in provenance.splitlines()
            if line.startswith(f"| `{endpoint.dataset}.csv`")
        )
        assert (
            f"{endpoint.tdc_metric} {endpoint.leaderboard_best:g} ({endpoint.leaderboard_method})"
            in row
        )
        assert endpoint.better in ("higher", "lower", None)
        assert endpoint.sign == {"higher": 1, "lower": -1, None: 0}[endpoint.better]
        assert endpoint.direction and endpoint.meaning and endpoint.unit and endpoint.reference
        assert endpoint.target_transform in (None, "log")
        assert endpoint.value_column == schema.prediction_column(name, endpoint.task)
    assert ENDPOINTS["herg"].objective_shape == "decreasing"
    assert ENDPOINTS["caco2_wang"].objective_shape == "increasing"
    assert ENDPOINTS["bbb_martins"].sign == 0 and ENDPOINTS["ppbr_az"].sign == 0
    assert ENDPOINTS["clearance_microsome_az"].target_transform == "log"
    assert data.load("clearance_microsome_az")["y"].min() > 0  # a log is defined
    table = admet.endpoint_table()
    assert table["name"].tolist() == list(ENDPOINTS) and "sign" in table


def test_percentile_is_bounded_and_monotone():
    quantiles = np.percentile(np.random.default_rng(0).beta(0.5, 3, 500), np.arange(101))
    values = np.linspace(-0.5, 1.5, 400)
    pct = percentile_of(values, quantiles)
    assert pct.min() == 0 and pct.max() == 100
    assert (np.diff(pct) >= 0).all()
    assert math.isnan(percentile_of([np.nan], quantiles)[0])
    flat = percentile_of([0.0, 0.0001, 1.0], [0.0] * 60 + list(np.linspace(0.01, 1, 41)))
    assert flat[0] == pytest.approx(29.5) and flat[0] <= flat[1] <= flat[2] == 100


def test_tdc_score_is_tdcs_metric():
    from sklearn.metrics import average_precision_score

    y, p = [0, 1, 1, 0, 1], [0.1, 0.8, 0.3, 0.4, 0.9]
    assert admet.tdc_score("cyp2d6_veith", y, p) == pytest.approx(average_precision_score(y, p))
    assert admet.tdc_score("caco2_wang", [1.0, 2.0], [1.5, 2.0]) == pytest.approx(0.25)
    assert admet.tdc_score("clearance_microsome_az", [1, 2, 3], [10, 20, 30]) == pytest.approx(1)


def test_unknown_endpoints_are_named():
    with pytest.raises(admet.UnknownEndpointError, match=r"nope.*herg") as info:
        train_panel("unused", endpoints="herg,nope")
    assert isinstance(info.value, DrugmlError)
    with pytest.raises(admet.AdmetError, match="estimator="):
        train_panel("unused", endpoints="herg", estimator_params=LIGHT)


@pytest.fixture(scope="module")
def panel_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("admet") / "panel"
    return train_panel(
        out, endpoints=SMALL, n_jobs=2, estimator="xgboost", estimator_params=LIGHT, progress=False
    )


@pytest.fixture(scope="module")
def panel(panel_dir) -> AdmetPanel:
    return load_panel(panel_dir)


def test_panel_is_saved_without_pickle_and_says_what_it_was_trained_on(panel_dir):
    info = json.loads((panel_dir / "panel.json").read_text())
    assert info["endpoints"] == SMALL
    for name in SMALL:
        files = sorted(p.name for p in (panel_dir / name).iterdir())
        assert "MODEL_CARD.md" in files and "metadata.json" in files
        assert not [f for f in files if f.endswith((".pkl", ".pickle", ".joblib"))]
        record = info["models"][name]
        table = data.load(name)
        assert record["n_train_val"] == (table["tdc_split"] == "train_val").sum()
        assert record["tdc_test"]["n_test"] == (table["tdc_split"] == "test").sum()
        assert 0.5 < record["tdc_test"]["value"] <= 1  # AUROC on TDC's test rows
        quantiles = info["reference"]["quantiles"][name]
        assert len(quantiles) == 101 and quantiles == sorted(quantiles)
        card = (panel_dir / name / "MODEL_CARD.md").read_text()
        assert "TDC's own test partition" in card and ENDPOINTS[name].unit in card
    assert info["reference"]["data_set"] == "approved_drugs"
    assert info["reference"]["n_molecules"] < info["reference"]["n_records"]  # salts merged


def test_loading_never_unpickles(panel_dir, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("pickle used while loading a panel")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    loaded = load_panel(panel_dir)
    assert list(loaded.endpoints) == SMALL


def test_tidy_predictions_keep_every_input(panel):
    tidy = panel.predict(INPUTS)
    assert len(tidy) == len(INPUTS) * len(SMALL)
    assert list(tidy.columns) == list(admet.TIDY_COLUMNS)
    assert tidy["record"].tolist() == [i for i in range(len(INPUTS)) for _ in SMALL]
    assert tidy["endpoint"].tolist() == SMALL * len(INPUTS)
    bad = tidy[~tidy["ok"]]
    assert sorted(set(bad["record"])) == [1, 3]
    assert bad["value"].isna().all() and bad["percentile_vs_approved_drugs"].isna().all()
    assert bad["error"].str.contains("unparsable|organic").all()
    good = tidy[tidy["ok"]]
    assert good["value"].between(0, 1).all()
    assert good["percentile_vs_approved_drugs"].between(0, 100).all()
    assert (good["unit"] == "probability").all()
    assert good.loc[good["endpoint"] == "herg", "direction"].iloc[0] == ENDPOINTS["herg"].direction
    # The salt is standardized to its parent before prediction.
    assert tidy.loc[tidy["record"] == 4, "smiles"].iloc[0] == "CC(=O)Oc1ccccc1C(=O)O"


def test_percentiles_follow_the_values(panel):
    tidy = panel.predict(data.load("approved_drugs")["smiles"].head(60).tolist(), endpoints="herg")
    good = tidy[tidy["ok"]].sort_values("value")
    assert (np.diff(good["percentile_vs_approved_drugs"].to_numpy()) >= 0).all()
    assert np.allclose(
        good["percentile_vs_approved_drugs"], panel.percentile("herg", good["value"])
    )


def test_predict_takes_a_read_molecules_table_and_keeps_its_ids(panel, tmp_path):
    from drugml.chem import read_molecules

    file = tmp_path / "mols.csv"
    pd.DataFrame({"name": ["gef", "bad"], "smiles": [GEFITINIB, "C1CC"]}).to_csv(file, index=False)
    tidy = panel.predict(read_molecules(file, id_column="name"))
    assert tidy["id"].tolist() == ["gef", "gef", "bad", "bad"]
    assert tidy["ok"].tolist() == [True, True, False, False]
    assert panel.predict([]).empty


def test_wide_columns_follow_the_schema(panel):
    wide = panel.predict_wide(INPUTS, percentiles=True)
    assert len(wide) == len(INPUTS)
    for name in SMALL:
        for column in schema.model_columns(name, ENDPOINTS[name].task):
            assert column in wide.columns
        assert f"{name}_percentile_vs_approved_drugs" in wide.columns
    tidy = panel.predict(INPUTS)
    herg = tidy[tidy["endpoint"] == "herg"]["value"].to_numpy()
    assert np.allclose(wide["herg_probability"], herg, equal_nan=True)


def test_unknown_or_missing_panels_are_clear_errors(panel, tmp_path):
    with pytest.raises(admet.UnknownEndpointError, match="caco2_wang"):
        panel.predict(["CCO"], endpoints=["caco2_wang"])
    with pytest.raises(admet.PanelLoadError, match=r"no panel\.json"):
        load_panel(tmp_path)


def test_cli_list_train_predict(panel_dir, tmp_path, capsys):
    assert main(["admet", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ENDPOINTS) and "AUPRC 0.916" in listed

    out = tmp_path / "cli_panel"
    light = ["--estimator", "xgboost", "--estimator-params", '{"n_estimators": 20}', "--quiet"]
    assert (
        main(
            ["admet", "train", "--out", str(out), "--endpoints", "hia_hou", "--n-jobs", "2", *light]
        )
        == 0
    )
    trained = capsys.readouterr().out
    assert "hia_hou" in trained and "TDC test AUROC" in trained
    assert json.loads((out / "panel.json").read_text())["endpoints"] == ["hia_hou"]

    library = tmp_path / "lib.smi"
    library.write_text(f"{GEFITINIB} gefitinib\nC1CC broken\nCCO ethanol\n")
    table_file = tmp_path / "admet.csv"
    assert (
        main(
            ["admet", "predict", str(library), "--panel", str(panel_dir), "--out", str(table_file)]
        )
        == 0
    )
    assert "1 of 3 molecules could not be used" in capsys.readouterr().out
    table = pd.read_csv(table_file)
    assert len(table) == 3 * len(SMALL)
    assert table["id"].tolist() == ["gefitinib"] * 2 + ["broken"] * 2 + ["ethanol"] * 2

    assert (
        main(
            [
                "admet",
                "predict",
                str(library),
                "--panel",
                str(tmp_path / "none"),
                "--out",
                str(table_file),
            ]
        )
        == 2
    )
    assert "no panel.json" in capsys.readouterr().err


def test_each_rows_menu_choice_is_the_benchmarks():
    """The featurizer and estimator of each row are those benchmarks/admet_menu.py chose on
    the training rows' scaffold folds (a row changed by hand would fail here)."""
    results = ROOT / "benchmarks" / "results" / "admet_menu.json"
    if not results.is_file():
        pytest.skip("benchmarks/ is not in this installation")
    for name, record in json.loads(results.read_text())["endpoints"].items():
        chosen = record["candidates"][record["choice"]]
        row = ENDPOINTS[name]
        if record["choice"] != "current":
            assert (row.estimator, row.featurizer) == (chosen["estimator"], chosen["featurizer"])
        else:  # the row as it was: no featurizer preset
            assert row.featurizer is None
