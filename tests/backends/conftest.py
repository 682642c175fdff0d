"""Small real data for the backend tests, and the save/load round trip each backend passes."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from drugml import data
from drugml.models import PropertyModel


@pytest.fixture(scope="session")
def esol_small():
    """200 ESOL molecules and their log solubility to fit on, 20 more SMILES to predict."""
    esol = data.load("esol")
    smiles = esol["smiles"].str.strip().tolist()
    target = esol["measured log solubility in mols per litre"].to_numpy()
    return smiles[:200], target[:200], smiles[200:220]


@pytest.fixture
def round_trip(esol_small, tmp_path, monkeypatch):
    """Fit a model, save it, load it without pickle: ``(saved file names, before, after)``."""

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    def run(task: str = "regression", **params):
        smiles, y, new = esol_small
        targets = y if task == "regression" else (y < -3).astype(int)
        model = PropertyModel(task=task, calibration_folds=3, **params).fit(smiles, targets)
        directory = model.save(tmp_path / "model")
        with monkeypatch.context() as patch:
            for name in ("load", "loads", "Unpickler"):
                patch.setattr(pickle, name, forbidden)
            loaded = PropertyModel.load(directory)
        files = sorted(p.name for p in directory.iterdir())
        before, after = model.predict(new), loaded.predict(new)
        assert np.isfinite(before["prediction"]).all()
        return files, before, after

    return run
