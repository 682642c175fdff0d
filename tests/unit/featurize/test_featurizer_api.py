"""One API contract for every registered featurizer, parametrized over the registry.

A featurizer registered with ``@register_featurizer`` is covered here with no
edit: it is built with its defaults (``REQUIRED_ARGS`` only for parameters
without one). Graph featurizers import DeepChem, so their transforms are slow.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone

from drugml import featurize
from drugml.chem import SmilesListError
from drugml.featurize import (
    ECFP,
    FEATURIZER_KINDS,
    FeaturizationError,
    MolecularFeatures,
    MolecularFeaturizer,
    RDKitDescriptors,
    UnknownFeaturizerError,
    available_featurizers,
    featurizer_from_spec,
    featurizer_kind,
    featurizer_spec,
    get_featurizer,
    register_featurizer,
)

SMILES = ["CCO", "c1ccccc1O", "CC(=O)Nc1ccc(O)cc1", "F[C@H](Cl)Br", "[H]OC([H])([H])[H]"]
BAD = ["CCO", "C1CC", "c1ccccc1"]

#: Constructor arguments of the featurizers with a parameter that has no default.
REQUIRED_ARGS = {
    "MolecularFeatures": lambda: {
        "featurizers": [
            ("ecfp", ECFP(n_bits=64, counts=True)),
            ("physchem", RDKitDescriptors(["MolWt", "TPSA"])),
        ]
    },
}


def _make(name: str):
    arguments = REQUIRED_ARGS.get(name)
    return get_featurizer(name)(**(arguments() if arguments else {}))


def _is_matrix(name: str) -> bool:
    return issubclass(get_featurizer(name), MolecularFeaturizer)


def _cases(names: list[str]) -> list:
    """One case per featurizer; graph featurizers (DeepChem) are marked slow."""
    return [
        pytest.param(name, id=name, marks=[pytest.mark.slow] if not _is_matrix(name) else [])
        for name in names
    ]


ALL = available_featurizers()
WITH_SPEC = available_featurizers(with_spec=True)


def _described(value):
    """Parameters as comparable values: estimators as (class, their parameters)."""
    if isinstance(value, BaseEstimator):
        return type(value).__name__, _described(value.get_params(deep=False))
    if isinstance(value, dict):
        return {k: _described(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_described(v) for v in value)
    return value


def _assert_same_output(a, b) -> None:
    if a.dtype == object:  # graphs: compare what a network reads
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x.node_features, y.node_features)
            np.testing.assert_array_equal(x.edge_index, y.edge_index)
    else:
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)  # NaN equals NaN here


# ---------------------------------------------------------------- the registry


def test_registry_lists_every_featurizer_class_the_package_exports():
    exported = {
        name
        for name in featurize.__all__
        if isinstance(obj := getattr(featurize, name), type)
        and issubclass(obj, TransformerMixin)
        and obj is not MolecularFeaturizer
    }
    assert set(ALL) == exported
    assert len(ALL) == len(set(ALL))
    for name in ALL:
        assert get_featurizer(name) is getattr(featurize, name)
        assert featurizer_kind(name) in FEATURIZER_KINDS
    # Every matrix featurizer can be saved with a model; graphs cannot.
    assert set(WITH_SPEC) == {name for name in ALL if _is_matrix(name)}
    assert set(available_featurizers("graph")).isdisjoint(WITH_SPEC)
    assert sorted(n for kind in FEATURIZER_KINDS for n in available_featurizers(kind)) == sorted(
        ALL
    )


def test_unknown_names_and_kinds_are_drugml_errors_that_suggest():
    with pytest.raises(UnknownFeaturizerError, match="did you mean `ECFP`") as caught:
        get_featurizer("ECPF")
    assert caught.value.name == "ECPF"
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, TypeError)
    with pytest.raises(UnknownFeaturizerError, match="Unknown featurizer 'Nope' in the spec"):
        featurizer_from_spec({"class": "Nope", "params": {}})
    with pytest.raises(FeaturizationError, match="did you mean `fingerprint`"):
        available_featurizers("fingerprints")
    with pytest.raises(FeaturizationError, match="Unknown featurizer kind 'bits'"):
        register_featurizer("bits")


def test_a_new_featurizer_is_one_registered_class(monkeypatch):
    from drugml.featurize import _registry

    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))

    @register_featurizer("descriptors")
    class HeavyAtoms(MolecularFeaturizer):
        _dtype = np.float32

        def __init__(self, n_jobs=1, chunk_size=100, strict=False, progress=None):
            self.n_jobs = n_jobs
            self.chunk_size = chunk_size
            self.strict = strict
            self.progress = progress

        def _n_features(self):
            return 1

        def _feature_names(self):
            return ["heavy_atoms"]

        def _featurize_one(self, mol, row):
            row[0] = mol.GetNumHeavyAtoms()

    assert "HeavyAtoms" in available_featurizers("descriptors")
    assert "HeavyAtoms" in available_featurizers(with_spec=True)
    rebuilt = featurizer_from_spec(featurizer_spec(HeavyAtoms(chunk_size=7)))
    assert rebuilt.chunk_size == 7
    assert rebuilt.transform(["CCO"]).tolist() == [[3.0]]
    with pytest.raises(FeaturizationError, match="'ECFP' is already registered"):
        register_featurizer("fingerprint")(type("ECFP", (ECFP,), {}))


# ----------------------------------------------------------- the sklearn API


@pytest.mark.parametrize("name", _cases(ALL))
def test_fit_transform_gives_one_row_per_input_in_a_compact_dtype(name):
    featurizer = _make(name)
    X = featurizer.fit_transform(SMILES)
    assert isinstance(X, np.ndarray) and len(X) == len(SMILES)
    if not _is_matrix(name):
        assert X.dtype == object and all(graph is not None for graph in X)
        return
    names = featurizer.get_feature_names_out()
    assert X.shape == (len(SMILES), len(names)) == (len(SMILES), featurizer.n_features_out_)
    assert len(set(names)) == len(names)
    kind = featurizer_kind(name)
    if kind == "fingerprint":
        assert X.dtype in (np.uint8, np.uint16)
    elif kind == "descriptors":
        assert X.dtype == np.float32
    else:  # a combination holds its parts' values in their common dtype
        parts = [clone(f).fit_transform(SMILES).dtype for _, f in featurizer._named()]
        assert X.dtype == np.result_type(*parts)
    # The input forms a ColumnTransformer or a user passes give the same matrix.
    _assert_same_output(featurizer.transform(pd.Series(SMILES)), X)
    _assert_same_output(featurizer.transform(np.array(SMILES, dtype=object)[:, None]), X)


@pytest.mark.parametrize("name", _cases(ALL))
def test_clone_and_get_params_round_trip(name):
    featurizer = _make(name)
    params = featurizer.get_params(deep=False)
    assert _described(clone(featurizer).get_params(deep=False)) == _described(params)
    rebuilt = type(featurizer)(**params)
    assert _described(rebuilt.get_params(deep=False)) == _described(params)
    assert _described(clone(featurizer).set_params(**params).get_params(deep=False)) == (
        _described(params)
    )
    if "strict" in params:
        assert clone(featurizer).set_params(strict=True).strict is True


@pytest.mark.parametrize("name", _cases(ALL))
def test_transform_is_deterministic_and_survives_clone_and_pickle(name):
    featurizer = _make(name)
    first = featurizer.fit_transform(SMILES)
    _assert_same_output(featurizer.transform(SMILES), first)
    _assert_same_output(clone(featurizer).fit_transform(SMILES), first)
    _assert_same_output(pickle.loads(pickle.dumps(featurizer)).transform(SMILES), first)
    if "chunk_size" in featurizer.get_params():
        _assert_same_output(clone(featurizer).set_params(chunk_size=2).fit_transform(SMILES), first)


@pytest.mark.parametrize("name", _cases(ALL))
def test_bad_input_is_named_by_record(name):
    featurizer = _make(name)
    with pytest.raises(SmilesListError, match="not one string"):
        featurizer.transform("CCO")
    if _is_matrix(name):  # documented: a NaN row, named in a warning and in last_invalid_
        with pytest.warns(UserWarning, match=r"1 of 3 molecules .*\[1\] 'C1CC'"):
            X = featurizer.fit_transform(BAD)
        assert np.isnan(X[1]).all() and not np.isnan(X[[0, 2]]).all(axis=1).any()
        assert X.dtype.kind == "f"
    else:  # documented: None, named in a warning
        with pytest.warns(UserWarning, match=r"gave no graph: \[1\] 'C1CC'"):
            X = featurizer.fit_transform(BAD)
        assert X[1] is None and X[0] is not None and X[2] is not None
    assert [(i, item) for i, item, _ in featurizer.last_invalid_] == [(1, "C1CC")]
    assert "unclosed ring" in featurizer.last_invalid_[0][2]
    strict = clone(featurizer).set_params(strict=True)
    with pytest.raises(FeaturizationError, match=r"\[1\] 'C1CC'"):
        strict.fit_transform(BAD)


# ------------------------------------------------------------------ the spec


def _json_round_trip(spec: dict) -> dict:
    return json.loads(json.dumps(spec))


def _check_spec_round_trip(featurizer) -> None:
    spec = featurizer_spec(featurizer)
    assert _json_round_trip(spec) == spec  # JSON values only
    assert list(spec)[:2] == ["class", "params"]
    rebuilt = featurizer_from_spec(_json_round_trip(spec))
    assert type(rebuilt) is type(featurizer)
    assert featurizer_spec(rebuilt) == spec
    _assert_same_output(rebuilt.transform(SMILES), featurizer.transform(SMILES))


@pytest.mark.parametrize("name", WITH_SPEC)
def test_spec_round_trip_transforms_identically(name):
    _check_spec_round_trip(_make(name).fit(SMILES))


def test_spec_keeps_the_fitted_scaling_of_descriptors():
    scaled = RDKitDescriptors(descriptors=("MolWt", "TPSA"), scale=True).fit(SMILES)
    spec = featurizer_spec(scaled)
    assert list(spec) == ["class", "params", "mean", "scale"]
    assert spec["params"]["descriptors"] == ["MolWt", "TPSA"]  # tuples are saved as lists
    _check_spec_round_trip(scaled)
    nested = MolecularFeatures([ECFP(n_bits=32), ("scaled", clone(scaled))]).fit(SMILES)
    _check_spec_round_trip(nested)


@pytest.mark.parametrize("name", [n for n in ALL if n not in WITH_SPEC])
def test_featurizers_without_a_spec_are_refused_both_ways(name):
    with pytest.raises(UnknownFeaturizerError, match=f"{name} is not a drugml featurizer") as e:
        featurizer_spec(_make(name))
    assert e.value.name == name
    with pytest.raises(UnknownFeaturizerError, match=f"Unknown featurizer '{name}'"):
        featurizer_from_spec({"class": name, "params": {}})


def test_spec_layout_is_the_one_saved_models_hold():
    # Models saved by earlier releases hold exactly this layout (key order included,
    # as metadata.json is written unsorted); a change here breaks loading them.
    featurizer = MolecularFeatures(
        [("ecfp", ECFP(counts=True)), ("physchem", RDKitDescriptors(["MolWt"], scale=True))]
    ).fit(["CCO", "CCCO"])
    spec = featurizer_spec(featurizer)
    scaling = {k: spec["featurizers"][1].pop(k) for k in ("mean", "scale")}
    assert scaling == {"mean": [pytest.approx(53.0825)], "scale": [pytest.approx(7.0135)]}
    expected = {
        "class": "MolecularFeatures",
        "params": {"chunk_size": 500, "n_jobs": 1, "progress": None, "strict": False},
        "featurizers": [
            {
                "name": "ecfp",
                "class": "ECFP",
                "params": {
                    "chirality": False,
                    "chunk_size": 1000,
                    "counts": True,
                    "n_bits": 2048,
                    "n_jobs": 1,
                    "progress": None,
                    "radius": 2,
                    "strict": False,
                },
            },
            {
                "name": "physchem",
                "class": "RDKitDescriptors",
                "params": {
                    "chunk_size": 500,
                    "descriptors": ["MolWt"],
                    "n_jobs": 1,
                    "progress": None,
                    "scale": True,
                    "strict": False,
                },
            },
        ],
    }
    assert json.dumps(spec) == json.dumps(expected)
