"""drugml.models.backends: the registry, and a new estimator added as one small class."""

from __future__ import annotations

import json

import numpy as np
import pytest

from drugml.errors import DrugmlError
from drugml.models import ModelLoadError, PropertyModel
from drugml.models.backends import (
    FINGERPRINTS,
    ModelBackend,
    UnknownEstimatorError,
    available_backends,
    get_backend,
    register_backend,
)

BUILT_IN = {"xgboost", "lightgbm", "random_forest", "knn", "gnn"}


@register_backend
class NearestNeighbourBackend(ModelBackend):
    """A toy estimator: the target of the most similar training molecule (1-NN, Tanimoto)."""

    name = "toy_nearest_neighbour"
    input_kind = FINGERPRINTS
    input_description = "ECFP4 bits, the nearest training molecule"

    def default_params(self, task):
        return {}

    def fit(self, inputs, y, *, task, params, random_state, threads):
        return {"fingerprints": [fp.ToBitString() for fp in inputs], "targets": y.tolist()}

    def predict(self, fitted, inputs, *, task):
        from rdkit import DataStructs

        train = [DataStructs.CreateFromBitString(bits) for bits in fitted["fingerprints"]]
        nearest = [int(np.argmax(DataStructs.BulkTanimotoSimilarity(fp, train))) for fp in inputs]
        return np.asarray(fitted["targets"], dtype=float)[nearest]

    def save(self, fitted, directory):
        (directory / "toy.json").write_text(json.dumps(fitted))

    def load(self, directory, *, task, params, random_state, state, training):
        return json.loads((directory / "toy.json").read_text())


def test_built_in_backends_are_registered_and_say_what_they_read():
    assert set(available_backends()) >= BUILT_IN
    kinds = {name: get_backend(name).input_kind for name in BUILT_IN}
    assert kinds == {
        "xgboost": "features",
        "lightgbm": "features",
        "random_forest": "features",
        "knn": "fingerprints",
        "gnn": "molecules",
    }
    assert get_backend("xgboost").parallel_folds and not get_backend("gnn").parallel_folds


def test_a_new_backend_is_one_class_and_gets_calibration_domain_and_saving(esol_small, tmp_path):
    smiles, y, new = esol_small
    model = PropertyModel(estimator="toy_nearest_neighbour", calibration_folds=3)
    model.fit(smiles, y, held_out=range(180, 200))
    out = model.predict([*new, "not a molecule"])
    assert (out["lower"][:20] < out["upper"][:20]).all() and not out["ok"][20]
    assert max(model.interval_calibrator_.quantiles_) > 0 and len(model.held_out_predictions_) == 20
    assert "ECFP4 bits, the nearest training molecule" in model.model_card()
    assert model.featurizer_ is None and model.featurizer_key() is None

    directory = model.save(tmp_path / "toy")
    assert (directory / "toy.json").is_file() and not (directory / "model.json").exists()
    loaded = PropertyModel.load(directory)
    assert np.array_equal(loaded.predict(new)["prediction"], out["prediction"][:20])

    labels = (y < -3).astype(int)
    classifier = PropertyModel(task="classification", estimator="toy_nearest_neighbour")
    probability = classifier.fit(smiles, labels).predict(new)["probability"]
    assert probability.between(0, 1).all()  # Platt-calibrated 0/1 neighbours


def test_unknown_estimator_names_the_registered_ones(esol_small, tmp_path):
    smiles, y, _ = esol_small
    with pytest.raises(UnknownEstimatorError, match=r"estimator must be one of .*'xgboost'"):
        PropertyModel(estimator="svm").fit(smiles, y)
    assert issubclass(UnknownEstimatorError, DrugmlError)
    assert issubclass(UnknownEstimatorError, ValueError)

    model = PropertyModel(estimator="knn").fit(smiles[:60], y[:60])
    path = model.save(tmp_path / "knn")
    meta = json.loads((path / "metadata.json").read_text())
    meta["params"]["estimator"] = "svm"
    (path / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match=r"not registered here.*'svm'"):
        PropertyModel.load(path)


def test_registration_refuses_clashes_and_bad_classes(esol_small, tmp_path):
    class Impostor(NearestNeighbourBackend):
        name = "knn"

    with pytest.raises(ValueError, match=r"'knn' is taken by drugml\.models\.backends\.knn"):
        register_backend(Impostor)
    assert type(get_backend("knn")).__name__ == "KNNBackend"
    with pytest.raises(TypeError, match="ModelBackend subclass"):
        register_backend(object)

    # A backend's saved state goes into metadata.json under its name: no
    # backend may take the name of a key the model writes there.
    smiles, y, _ = esol_small
    path = PropertyModel(estimator="knn").fit(smiles[:60], y[:60]).save(tmp_path / "knn")
    for key in json.loads((path / "metadata.json").read_text()):
        clash = type("Clash", (NearestNeighbourBackend,), {"name": key})
        with pytest.raises(ValueError, match="must be an identifier and not one of"):
            register_backend(clash)
    bad_kind = type("BadKind", (NearestNeighbourBackend,), {"name": "bad", "input_kind": "smiles"})
    with pytest.raises(ValueError, match="input_kind must be one of"):
        register_backend(bad_kind)


def test_an_installed_package_can_declare_a_backend_by_entry_point(tmp_path, monkeypatch):
    import importlib.metadata

    import drugml.models.backends as backends

    (tmp_path / "toy_plugin.py").write_text(
        "import numpy as np\n"
        "from drugml.models.backends import ModelBackend\n"
        "class MedianBackend(ModelBackend):\n"
        "    name = 'toy_median'\n"
        "    input_kind = 'fingerprints'\n"
        "    input_description = 'nothing (the training median)'\n"
        "    def default_params(self, task): return {}\n"
        "    def fit(self, inputs, y, *, task, params, random_state, threads):\n"
        "        return float(np.median(y))\n"
        "    def predict(self, fitted, inputs, *, task): return np.full(len(inputs), fitted)\n"
        "    def save(self, fitted, directory): return {'median': fitted}\n"
        "    def load(self, directory, *, task, params, random_state, state, training):\n"
        "        return state['median']\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = importlib.metadata.EntryPoint(
        "toy_median", "toy_plugin:MedianBackend", backends.ENTRY_POINT_GROUP
    )

    def entry_points(group=None):
        return [entry] if group == backends.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    monkeypatch.setattr(backends, "_PLUGINS_LOADED", [False])
    monkeypatch.setattr(backends, "_REGISTRY", dict(backends._REGISTRY))
    assert "toy_median" in backends.available_backends()
    assert get_backend("toy_median").input_description == "nothing (the training median)"
