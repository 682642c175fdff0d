"""The graph neural network estimator (D-MPNN, the ``deep`` extra)."""

from __future__ import annotations

import importlib.util
import io
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from drugml import data
from drugml.models import PropertyModel
from drugml.models.split import scaffold_split

ESOL = data.load("esol")
SMILES = ESOL["smiles"].str.strip().tolist()
Y = ESOL["measured log solubility in mols per litre"].to_numpy()

HAS_DEEP = all(importlib.util.find_spec(m) for m in ("torch", "torch_geometric"))
needs_deep = pytest.mark.skipif(not HAS_DEEP, reason="the deep extra is not installed")


def test_missing_extra_is_named(monkeypatch):
    import drugml.models.gnn

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r'pip install "drugml\[deep\]".*Missing: torch'):
        drugml.models.gnn.require_deep()
    with pytest.raises(ImportError, match="deep extra"):
        PropertyModel(estimator="gnn").fit(SMILES[:40], Y[:40])


@pytest.fixture(scope="module")
def gnn_model():
    train, test = scaffold_split(SMILES, test_size=0.2)
    train = train[:400]
    # Three calibration folds: four fits instead of six, and layers 128 wide instead of the
    # default 300 (the slowest fixture of the suite; its test R2 moves by about 0.02).
    model = PropertyModel(
        estimator="gnn", estimator_params={"epochs": 15, "hidden": 128}, calibration_folds=3
    )
    model.fit([SMILES[i] for i in train], Y[train])
    return model, [SMILES[i] for i in test], Y[test]


@needs_deep
def test_gnn_learns_with_intervals_and_domain(gnn_model):
    model, test_smiles, test_y = gnn_model
    metrics = model.evaluate(test_smiles, test_y)
    # Fifteen epochs on 400 molecules: far from converged, but clearly better
    # than predicting the mean (whose R2 is 0) on unseen scaffolds.
    assert metrics["r2"] > 0.3, metrics
    assert 0.7 <= metrics["coverage"] <= 1.0
    out = model.predict([test_smiles[0], "C", "[Na+].[Cl-]", "not a molecule"])
    assert out["ok"].tolist() == [True, True, True, False]
    assert np.isfinite(out["prediction"][:3]).all() and np.isnan(out["prediction"][3])
    assert (out["lower"][:3] < out["upper"][:3]).all()


@needs_deep
def test_gnn_fit_is_repeatable():
    a = PropertyModel(estimator="gnn", estimator_params={"epochs": 2}).fit(SMILES[:60], Y[:60])
    b = PropertyModel(estimator="gnn", estimator_params={"epochs": 2}).fit(SMILES[:60], Y[:60])
    np.testing.assert_allclose(
        a.predict(SMILES[60:70])["prediction"], b.predict(SMILES[60:70])["prediction"], atol=1e-6
    )


@needs_deep
def test_gnn_saves_arrays_and_loads_in_a_fresh_process(gnn_model, tmp_path, monkeypatch):
    model, test_smiles, _ = gnn_model
    directory = model.save(tmp_path / "gnn")
    files = sorted(p.name for p in directory.iterdir())
    assert files == ["MODEL_CARD.md", "gnn_weights.npz", "metadata.json", "training_set.npz"]
    with np.load(directory / "gnn_weights.npz", allow_pickle=False) as weights:
        assert all(weights[k].dtype != object for k in weights.files)
    expected = model.predict(test_smiles[:15])

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    same_process = PropertyModel.load(directory).predict(test_smiles[:15])
    np.testing.assert_array_equal(same_process["prediction"], expected["prediction"])

    script = (
        "import sys; from drugml.models import PropertyModel; "
        "PropertyModel.load(sys.argv[1]).predict(sys.argv[2:]).to_json(sys.stdout, orient='split')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(directory), *test_smiles[:15]],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = pd.read_json(io.StringIO(result.stdout), orient="split")
    np.testing.assert_allclose(loaded["prediction"], expected["prediction"], rtol=0, atol=1e-6)


@needs_deep
def test_gnn_classification_and_explanation():
    egfr = data.load("egfr_compounds").iloc[::10].sample(frac=1.0, random_state=0).head(300)
    labels = (egfr["pIC50"] >= 6.3).astype(int).to_numpy()
    model = PropertyModel(
        task="classification",
        estimator="gnn",
        estimator_params={"epochs": 5, "hidden": 128},
        calibration_folds=3,
    )
    model.fit(egfr["smiles"], labels)
    out = model.predict(egfr["smiles"].head(5))
    assert out["probability"].between(0, 1).all()
    assert set(out["prediction"].tolist()) <= {0, 1}
    explanation = model.explain("c1ccc2ncncc2c1")
    assert len(explanation.weights) == 10 and np.isfinite(explanation.weights).all()
