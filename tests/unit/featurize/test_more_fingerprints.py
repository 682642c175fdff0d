"""Avalon, ErG and count fingerprints: equal to RDKit, sane on real molecules, saved with models."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem, DataStructs
from rdkit.Avalon import pyAvalonTools
from rdkit.Chem import rdFingerprintGenerator, rdReducedGraphs
from sklearn.base import clone

from drugml import data
from drugml.featurize import (
    ECFP,
    Avalon,
    ErG,
    FeaturizationError,
    featurizer_from_spec,
    featurizer_spec,
)
from drugml.models import PropertyModel

SMILES = data.load("egfr_compounds")["smiles"].iloc[:50].tolist()
MOLS = [Chem.MolFromSmiles(s) for s in SMILES]


def _avalon_reference(n_bits: int, counts: bool) -> np.ndarray:
    method = pyAvalonTools.GetAvalonCountFP if counts else pyAvalonTools.GetAvalonFP
    out = np.zeros((len(MOLS), n_bits), dtype=np.uint16 if counts else np.uint8)
    for row, mol in zip(out, MOLS, strict=True):
        DataStructs.ConvertToNumpyArray(method(mol, nBits=n_bits), row)
    return out


@pytest.mark.parametrize(("n_bits", "counts"), [(1024, False), (1024, True), (2048, True)])
def test_avalon_equals_rdkit_in_a_compact_dtype(n_bits, counts):
    X = Avalon(n_bits=n_bits, counts=counts).fit_transform(SMILES)
    assert X.shape == (50, n_bits)
    assert X.dtype == (np.uint16 if counts else np.uint8)
    np.testing.assert_array_equal(X, _avalon_reference(n_bits, counts))
    assert Avalon(n_bits=n_bits).get_feature_names_out()[[0, -1]].tolist() == [
        "avalon_0",
        f"avalon_{n_bits - 1}",
    ]


def test_erg_equals_rdkit_as_float32():
    X = ErG().fit_transform(SMILES)
    expected = np.array([rdReducedGraphs.GetErGFingerprint(m) for m in MOLS], dtype=np.float32)
    assert X.shape == (50, 315) and X.dtype == np.float32
    np.testing.assert_array_equal(X, expected)
    assert np.isfinite(X).all() and (X >= 0).all() and (X.sum(axis=1) > 0).all()
    assert ErG().get_feature_names_out()[-1] == "erg_314"


def test_ecfp_counts_cover_the_bits_and_exceed_one_somewhere():
    B, C = ECFP().fit_transform(SMILES), ECFP(counts=True).fit_transform(SMILES)
    assert B.dtype == np.uint8 and C.dtype == np.uint16
    np.testing.assert_array_equal(C > 0, B > 0)  # the same features are on
    assert (C >= B).all() and (C > 1).any()


def test_avalon_counts_exceed_the_bits_and_one_somewhere():
    # RDKit's Avalon count fingerprint hashes a subset of the bit fingerprint's
    # features: every counted bit is on in the bits, not the other way round.
    B = Avalon().fit_transform(SMILES).astype(int)
    C = Avalon(counts=True).fit_transform(SMILES).astype(int)
    assert not ((C > 0) & (B == 0)).any()
    assert (C.sum(axis=1) >= B.sum(axis=1)).all() and (C > 1).any()


def test_ecfp_counts_equal_the_generator_and_default_stays_bits():
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    expected = np.array([generator.GetCountFingerprintAsNumPy(m) for m in MOLS])
    np.testing.assert_array_equal(ECFP(counts=True).transform(SMILES), expected)
    assert ECFP().get_params()["counts"] is False


@pytest.mark.parametrize("featurizer", [Avalon(), Avalon(n_bits=512, counts=True), ErG()], ids=repr)
def test_deterministic_across_chunks_processes_and_clones(featurizer):
    first = featurizer.fit_transform(SMILES)
    np.testing.assert_array_equal(featurizer.transform(SMILES), first)
    np.testing.assert_array_equal(
        clone(featurizer).set_params(chunk_size=7).transform(SMILES), first
    )
    parallel = clone(featurizer).set_params(n_jobs=2, chunk_size=20).transform(SMILES)
    np.testing.assert_array_equal(parallel, first)


@pytest.mark.parametrize("featurizer", [Avalon(), Avalon(counts=True), ErG()], ids=repr)
def test_an_unparsable_smiles_gives_a_nan_row_named_by_index(featurizer):
    items = [SMILES[0], "C1CC", SMILES[1]]
    with pytest.warns(UserWarning, match=r"1 of 3 molecules .*\[1\] 'C1CC'"):
        X = featurizer.fit_transform(items)
    assert X.dtype.kind == "f" and np.isnan(X[1]).all()
    assert [(i, item) for i, item, _ in featurizer.last_invalid_] == [(1, "C1CC")]
    assert "unclosed ring" in featurizer.last_invalid_[0][2]
    np.testing.assert_array_equal(X[[0, 2]], featurizer.transform([SMILES[0], SMILES[1]]))
    with pytest.raises(FeaturizationError, match=r"\[1\] 'C1CC'"):
        clone(featurizer).set_params(strict=True).transform(items)


@pytest.mark.parametrize(
    "featurizer", [Avalon(n_bits=512, counts=True), ErG(chunk_size=9), ECFP(counts=True)], ids=repr
)
def test_spec_round_trip_transforms_identically(featurizer):
    spec = featurizer_spec(featurizer)
    rebuilt = featurizer_from_spec(spec)
    assert featurizer_spec(rebuilt) == spec
    np.testing.assert_array_equal(rebuilt.transform(SMILES), featurizer.transform(SMILES))


def test_a_spec_saved_before_counts_existed_loads_as_bits():
    old = {
        "class": "ECFP",
        "params": {
            "chirality": False,
            "chunk_size": 1000,
            "n_bits": 2048,
            "n_jobs": 1,
            "progress": None,
            "radius": 2,
            "strict": False,
        },
    }
    X = featurizer_from_spec(old).transform(SMILES)
    assert X.dtype == np.uint8
    np.testing.assert_array_equal(X, ECFP().transform(SMILES))


def test_property_model_on_avalon_fits_predicts_saves_and_loads(tmp_path):
    esol = data.load("esol").iloc[:200]
    smiles = esol["smiles"].str.strip().tolist()
    y = esol["measured log solubility in mols per litre"].to_numpy()
    model = PropertyModel(
        featurizer=Avalon(),
        estimator="xgboost",
        estimator_params={"n_estimators": 30},
        calibration_folds=3,
    ).fit(smiles, y)
    assert isinstance(model.featurizer_, Avalon)
    predicted = model.predict(smiles[:40])
    assert predicted["ok"].all() and np.isfinite(predicted["prediction"]).all()
    assert np.corrcoef(predicted["prediction"], y[:40])[0, 1] > 0.5
    loaded = PropertyModel.load(model.save(tmp_path / "avalon"))
    assert isinstance(loaded.featurizer_, Avalon)
    again = loaded.predict(smiles[:40])
    np.testing.assert_array_equal(again["prediction"], predicted["prediction"])
    np.testing.assert_array_equal(again["upper"], predicted["upper"])


# ------------------------------------------------------------------ presets
def test_maplight_preset_is_its_four_featurizations_side_by_side():
    from drugml.featurize import (
        ECFP,
        FEATURIZER_PRESETS,
        Avalon,
        ErG,
        RDKitDescriptors,
        featurizer_preset,
    )

    smiles = ["CCO", "c1ccccc1O", "CC(=O)Nc1ccc(O)cc1"]
    preset = featurizer_preset("maplight")
    X = preset.fit_transform(smiles)
    parts = [
        ECFP(radius=2, n_bits=1024, counts=True),
        Avalon(n_bits=1024, counts=True),
        ErG(),
        RDKitDescriptors(),
    ]
    expected = np.hstack([part.fit_transform(smiles).astype(np.float32) for part in parts])
    np.testing.assert_array_equal(X, expected)
    assert featurizer_preset("maplight") is not preset  # a new one each time
    assert list(FEATURIZER_PRESETS) == ["maplight"]


def test_unknown_preset_is_named_with_a_suggestion():
    from drugml.featurize import UnknownFeaturizerError, featurizer_preset

    with pytest.raises(UnknownFeaturizerError, match=r"maplite.*did you mean `maplight`"):
        featurizer_preset("maplite")


def test_an_admet_row_names_its_featurizer(monkeypatch):
    import dataclasses

    from drugml.featurize import MolecularFeatures
    from drugml.models import _admet_training
    from drugml.models.admet import ENDPOINTS

    row = dataclasses.replace(ENDPOINTS["hia_hou"], estimator="lightgbm", featurizer="maplight")
    model, _ = _admet_training._model_for(row, None, None, 1, False)
    assert model.estimator == "lightgbm" and isinstance(model.featurizer, MolecularFeatures)
    assert [name for name, _ in model.featurizer.featurizers] == ["ecfp", "avalon", "erg", "rdkit"]
    # a panel-wide estimator replaces the row's pair: its default features
    model, _ = _admet_training._model_for(row, "xgboost", None, 1, False)
    assert model.estimator == "xgboost" and model.featurizer is None
