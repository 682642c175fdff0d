"""drugml.models: predictions with intervals and domain, honest validation, safe persistence."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from drugml import data
from drugml.featurize import ECFP
from drugml.models import ModelLoadError, ModelVersionError, PropertyModel, UnknownEstimatorError
from drugml.models.split import scaffold_split

ESOL = data.load("esol")
SMILES = ESOL["smiles"].str.strip().tolist()
Y = ESOL["measured log solubility in mols per litre"].to_numpy()
FAST = {"n_estimators": 150}


@pytest.fixture(scope="module")
def regression():
    train, test = scaffold_split(SMILES, test_size=0.2)
    model = PropertyModel(estimator="xgboost", estimator_params=FAST).fit(
        [SMILES[i] for i in train], Y[train]
    )
    return model, [SMILES[i] for i in test], Y[test]


@pytest.fixture(scope="module")
def classification():
    # Every third compound, shuffled: the file is sorted by potency.
    egfr = data.load("egfr_compounds").iloc[::3].sample(frac=1.0, random_state=0)
    labels = (egfr["pIC50"] >= 6.3).astype(int).to_numpy()
    model = PropertyModel(task="classification", estimator="xgboost", estimator_params=FAST)
    return model.fit(egfr["smiles"].iloc[:1500], labels[:1500]), egfr, labels


def test_regression_predictions_have_intervals_and_domain(regression):
    model, test_smiles, _ = regression
    out = model.predict([*test_smiles[:5], "not a molecule"])
    assert out.columns.tolist() == [
        "prediction",
        "lower",
        "upper",
        "nearest_similarity",
        "in_domain",
        "ok",
        "error",
    ]
    valid = out.iloc[:5]
    assert (valid["lower"] < valid["prediction"]).all() and (
        valid["prediction"] < valid["upper"]
    ).all()
    assert valid["nearest_similarity"].between(0, 1).all()
    bad = out.iloc[5]
    assert not bad["ok"] and bad["error"].startswith("unparsable") and np.isnan(bad["prediction"])
    assert not bad["in_domain"]


def test_shared_domain_bits_give_the_same_rows_and_are_checked(regression):
    from rdkit import Chem

    from drugml.errors import DrugmlError
    from drugml.featurize import bit_fingerprints, fingerprint_bits

    model, test_smiles, _ = regression
    mols = [Chem.MolFromSmiles(s) for s in test_smiles[:40]]
    fps = bit_fingerprints(mols)
    alone = model.predict_mols(mols, domain_fingerprints=fps)
    shared = model.predict_mols(mols, domain_fingerprints=fps, domain_bits=fingerprint_bits(fps))
    pd.testing.assert_frame_equal(alone, shared)
    searched = np.arange(40) % 3 == 0  # a mask picks its rows of the shared bits
    pd.testing.assert_frame_equal(
        model.predict_mols(mols, domain_fingerprints=fps, domain=searched),
        model.predict_mols(
            mols, domain_fingerprints=fps, domain=searched, domain_bits=fingerprint_bits(fps)
        ),
    )
    with pytest.raises(DrugmlError, match="domain_bits has 39 rows for 40 molecules"):
        model.predict_mols(mols, domain_fingerprints=fps, domain_bits=fingerprint_bits(fps)[1:])


def test_evaluation_on_unseen_scaffolds(regression):
    model, test_smiles, test_y = regression
    metrics = model.evaluate(test_smiles, test_y)
    assert {"rmse", "mae", "r2", "spearman", "coverage", "mean_interval_width"} <= set(metrics)
    assert metrics["rmse"] < 1.3 and metrics["r2"] > 0.6  # a real model, not a constant
    assert 0.75 <= metrics["coverage"] <= 1.0
    assert metrics["n"] == len(test_y) and metrics["n_skipped"] == 0
    # Out-of-fold validation inside fit is reported and sane.
    assert model.cv_metrics_["n_folds"] == 5 and 0.85 <= model.cv_metrics_["coverage"] <= 0.95


def test_save_and_load_in_a_fresh_process_give_identical_predictions(regression, tmp_path):
    model, test_smiles, _ = regression
    model.save(tmp_path / "model")
    files = sorted(p.name for p in (tmp_path / "model").iterdir())
    assert files == ["MODEL_CARD.md", "metadata.json", "model.json", "training_set.npz"]
    expected = model.predict(test_smiles[:20])
    script = (
        "import sys, pandas as pd; from drugml.models import PropertyModel; "
        "m = PropertyModel.load(sys.argv[1]); "
        "m.predict(sys.argv[2:]).to_json(sys.stdout, orient='split')"
    )
    command = [sys.executable, "-c", script, str(tmp_path / "model"), *test_smiles[:20]]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    loaded = pd.read_json(io.StringIO(result.stdout), orient="split")
    np.testing.assert_allclose(loaded["prediction"], expected["prediction"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(loaded["upper"], expected["upper"], rtol=0, atol=1e-6)
    assert loaded["in_domain"].tolist() == expected["in_domain"].tolist()


def test_loading_never_unpickles(regression, tmp_path, monkeypatch):
    model, test_smiles, _ = regression
    model.save(tmp_path / "model")

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    loaded = PropertyModel.load(tmp_path / "model")
    assert np.allclose(
        loaded.predict(test_smiles[:3])["prediction"], model.predict(test_smiles[:3])["prediction"]
    )


def test_model_card_and_metadata(regression, tmp_path):
    model, _, _ = regression
    model.save(tmp_path / "model")
    card = (tmp_path / "model" / "MODEL_CARD.md").read_text()
    for heading in (
        "What it predicts",
        "Training data",
        "Features and estimator",
        "How well it works",
        "Cross-validation",
        "applicability domain",
        "Intended use",
        "Limitations",
        "under-represented",
    ):
        assert heading in card
    assert "endpoint: not stated" in card  # nobody said what it predicts: the card says so
    meta = json.loads((tmp_path / "model" / "metadata.json").read_text())
    assert meta["featurizer"]["class"] == "MolecularFeatures"
    assert meta["training"]["data_sha256"] and meta["versions"]["xgboost"]


def test_card_says_what_the_model_predicts_and_how_each_number_was_obtained(regression, tmp_path):
    model, _, _ = regression
    held_out = {"rmse": 1.234, "r2": 0.456, "n": 99, "how": "scaffold split: 99 of 500 held out"}
    model.describe(
        endpoint="logS",
        unit="log10(mol/L)",
        target="aqueous solubility",
        data_source="esol",
        data_source_sha256="ab" * 32,
        held_out_test=held_out,
    )
    path = model.save(tmp_path / "model")
    card = (path / "MODEL_CARD.md").read_text()
    for text in (
        "endpoint: logS; unit: log10(mol/L)",
        "target: aqueous solubility",
        f"source: esol (sha256 `{'ab' * 32}`)",
        "ECFP4 counts (2048) + 42 RDKit",
        "**Held-out test** (scaffold split: 99 of 500 held out)",
        "- RMSE: 1.234",
        "**Cross-validation** (",
        "The two numbers answer different questions",
    ):
        assert text in card, text
    assert str(tmp_path) not in card
    assert PropertyModel.load(path).card_info_["held_out_test"]["rmse"] == 1.234


def test_xgboost_reads_sparse_fingerprints_and_old_dense_models_predict_as_before(tmp_path):
    from drugml.models import fingerprint_columns, sparse_fingerprint_matrix

    esol = data.load("esol").head(300)
    smiles = esol["smiles"].str.strip().tolist()
    y = esol["measured log solubility in mols per litre"]
    model = PropertyModel(estimator="xgboost", estimator_params={"n_estimators": 60}).fit(smiles, y)
    assert model.input_layout_ == "sparse_fingerprints"
    columns = fingerprint_columns(model.featurizer_)
    assert columns.sum() == 2048 and (~columns).sum() == 42  # ECFP4 counts, descriptors
    features = model.featurizer_.transform(smiles[:40])
    matrix = sparse_fingerprint_matrix(features, columns)
    assert np.array_equal(matrix.toarray(), features)  # nothing lost ...
    # ... fingerprint zeros left out (missing), every descriptor value stored (zeros are values).
    assert matrix.nnz == (features[:, columns] != 0).sum() + features[:, ~columns].size
    loaded = PropertyModel.load(model.save(tmp_path / "sparse"))
    assert np.array_equal(
        loaded.predict(smiles[:40])["prediction"], model.predict(smiles[:40])["prediction"]
    )
    # A model saved before the sparse layout reads the dense matrix, as it was fitted.
    path = model.save(tmp_path / "old")
    meta = json.loads((path / "metadata.json").read_text())
    del meta["input_layout"]
    (path / "metadata.json").write_text(json.dumps(meta))
    old = PropertyModel.load(path)
    assert old.input_layout_ == "dense"
    assert np.array_equal(old.predict(smiles[:40])["prediction"], old.estimator_.predict(features))


def test_version_mismatch_fails_clearly(regression, tmp_path):
    model, _, _ = regression
    path = model.save(tmp_path / "model")
    meta_path = path / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["versions"]["xgboost"] = "0.90"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelVersionError, match=r"xgboost 0\.90"):
        PropertyModel.load(path)
    with pytest.warns(UserWarning, match=r"xgboost 0\.90"):
        PropertyModel.load(path, strict_versions=False)
    meta["format_version"] = 99
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelVersionError, match="format version 99"):
        PropertyModel.load(path)
    with pytest.raises(ModelLoadError, match=r"no metadata\.json"):
        PropertyModel.load(tmp_path)


def test_classification_probabilities_and_metrics(classification):
    model, egfr, labels = classification
    test_smiles, test_y = egfr["smiles"].iloc[1500:], labels[1500:]
    out = model.predict(test_smiles)
    assert out["probability"].between(0, 1).all()
    assert set(out["prediction"].dropna().unique()) <= {0, 1}
    metrics = model.evaluate(test_smiles, test_y)
    assert {"roc_auc", "pr_auc", "mcc", "balanced_accuracy", "brier"} <= set(metrics)
    assert metrics["roc_auc"] > 0.7


def test_fit_fits_a_clone_of_the_featurizer_and_leaves_the_callers_alone(tmp_path):
    from drugml.featurize import MolecularFeatures, RDKitDescriptors

    scaled = RDKitDescriptors(descriptors=["MolLogP", "TPSA"], scale=True)  # learns mean, scale
    featurizer = MolecularFeatures([("ecfp", ECFP(n_bits=256)), ("physchem", scaled)])
    model = PropertyModel(
        featurizer=featurizer, estimator="xgboost", estimator_params={"n_estimators": 20}
    )
    model.fit(SMILES[:100], Y[:100])
    assert model.featurizer is featurizer and not hasattr(scaled, "mean_")
    fitted = dict(model.featurizer_.featurizers)["physchem"]
    assert fitted is not scaled and fitted.mean_.shape == (2,)
    loaded = PropertyModel.load(model.save(tmp_path / "model"))
    assert not hasattr(dict(loaded.featurizer.featurizers)["physchem"], "mean_")
    assert np.array_equal(
        loaded.predict(SMILES[100:110])["prediction"], model.predict(SMILES[100:110])["prediction"]
    )


def test_bad_training_data_is_skipped_with_counts_or_refused():
    smiles = [*SMILES[:60], "C1CC", "garbage"]
    y = np.concatenate([Y[:60], [1.0, 2.0]])
    y[3] = np.nan
    y[4] = np.inf
    with pytest.warns(UserWarning, match="skipped 4 of 62 records: 2 unparsable SMILES, 2 missing"):
        model = PropertyModel(estimator="xgboost", estimator_params={"n_estimators": 20}).fit(
            smiles, y
        )
    assert model.training_info_["skipped"] == {"invalid_smiles": 2, "missing_or_infinite_target": 2}
    with pytest.raises(ValueError, match="62 molecules but 61 target values"):
        PropertyModel().fit(smiles, y[:-1])
    with pytest.raises(ValueError, match="two classes"):
        PropertyModel(task="classification").fit(SMILES[:40], np.ones(40))
    with pytest.raises(ValueError, match="at least 10 usable molecules"):
        PropertyModel().fit(SMILES[:6], Y[:6])
    with pytest.raises(UnknownEstimatorError, match="estimator must be one of"):
        PropertyModel(estimator="svm").fit(SMILES[:40], Y[:40])


def test_sklearn_params_and_explanations(regression):
    model, _, _ = regression
    copy = clone(model).set_params(coverage=0.8, featurizer=ECFP(n_bits=512))
    assert copy.get_params()["coverage"] == 0.8 and not hasattr(copy, "estimator_")
    explanation = model.explain("c1ccccc1CCO")
    assert len(explanation.weights) == 9
    assert explanation.svg.lstrip().startswith("<?xml")
    png = explanation._repr_png_()  # what a notebook shows: small
    assert png.startswith(b"\x89PNG") and len(png) < len(explanation.svg) / 10
    assert explanation.prediction == pytest.approx(
        model.predict(["c1ccccc1CCO"])["prediction"][0], abs=1e-5
    )
    with pytest.raises(ValueError, match="Cannot explain"):
        model.explain("C1CC")
