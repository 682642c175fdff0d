"""One API for every registered backend, through ``PropertyModel(estimator=name)``.

Each backend, for regression and classification: ``fit`` returns the model; scikit-learn's
``clone`` gives an unfitted model with equal parameters; parameters are stored as given;
a fixed ``random_state`` gives the same predictions; a saved model loads and predicts the
same; bad input raises a drugml error (or, where a batch goes on without a record, says
which record). Tiny data and few trees keep the whole file quick.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from drugml import data
from drugml.errors import DrugmlError
from drugml.models import PropertyModel
from drugml.models.backends import available_backends, get_backend

#: Settings that make each built-in backend fit in a second or so (others: their defaults).
QUICK = {
    "xgboost": {"n_estimators": 10},
    "random_forest": {"n_estimators": 10},
    "lightgbm": {"n_estimators": 10},
    "auto": {"xgboost": {"n_estimators": 10}, "random_forest": {"n_estimators": 10}},
    "gnn": {"epochs": 2, "hidden": 32, "batch_size": 50},
}
TASKS = ("regression", "classification")
BAD_SMILES = "C1CC"  # an unclosed ring


@pytest.fixture(scope="module")
def egfr() -> tuple[list[str], dict[str, np.ndarray], list[str]]:
    """60 EGFR compounds to fit on (pIC50, and active above the median), 10 more to predict."""
    table = data.load("egfr_compounds").sample(70, random_state=0)
    smiles = table["smiles"].tolist()
    pic50 = table["pIC50"].to_numpy()[:60]
    targets = {"regression": pic50, "classification": (pic50 >= np.median(pic50)).astype(int)}
    return smiles[:60], targets, smiles[60:]


def _model(backend: str, task: str, **params) -> PropertyModel:
    try:
        get_backend(backend).require()
    except ImportError as exc:  # an optional extra (torch for gnn) is not installed
        pytest.skip(f"{backend} needs what is not installed here: {exc}")
    return PropertyModel(
        task=task,
        estimator=backend,
        estimator_params=QUICK.get(backend),
        calibration_folds=3,
        random_state=7,
        **params,
    )


@pytest.fixture(scope="module")
def fitted(egfr):
    """``fitted(backend, task)``: one model fitted per backend and task, shared by the tests."""
    cache: dict[tuple[str, str], PropertyModel] = {}

    def get(backend: str, task: str) -> PropertyModel:
        if (backend, task) not in cache:
            smiles, targets, _ = egfr
            model = _model(backend, task)
            assert model.fit(smiles, targets[task]) is model  # fit returns the model itself
            cache[backend, task] = model
        return cache[backend, task]

    return get


pytestmark = [
    pytest.mark.parametrize("task", TASKS),
    pytest.mark.parametrize("backend", available_backends()),
]


def test_clone_gives_an_unfitted_model_with_equal_parameters(fitted, backend, task):
    model = fitted(backend, task)
    copy = clone(model)
    assert copy is not model and type(copy) is PropertyModel
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "estimator_") and not hasattr(copy, "featurizer_")
    with pytest.raises(Exception, match="not fitted"):
        copy.predict(["CCO"])


def test_parameters_are_stored_as_given(backend, task):
    settings = {"n_estimators": 3}
    params = {
        "task": task,
        "estimator": backend,
        "coverage": 0.8,
        "calibration_folds": 4,
        "domain_threshold": 0.25,
        "estimator_params": settings,
        "random_state": 11,
        "n_jobs": 2,
        "progress": "label",
        "target_transform": None,
    }
    model = PropertyModel(**params)
    stored = model.get_params(deep=False)
    assert {k: stored[k] for k in params} == params
    assert stored["estimator_params"] is settings  # kept, not copied or validated in __init__
    assert stored["featurizer"] is None
    assert PropertyModel(**stored).get_params(deep=False) == stored
    assert model.set_params(coverage=0.95) is model and model.coverage == 0.95


def test_a_fixed_random_state_predicts_the_same(fitted, egfr, backend, task):
    smiles, targets, new = egfr
    first = fitted(backend, task).predict(new)
    again = _model(backend, task).fit(smiles, targets[task]).predict(new)
    pd.testing.assert_frame_equal(first, again)


def test_a_saved_model_loads_and_predicts_the_same(fitted, egfr, tmp_path, backend, task):
    model = fitted(backend, task)
    new = egfr[2]
    loaded = PropertyModel.load(model.save(tmp_path / "model"))
    assert loaded.get_params(deep=False)["estimator"] == backend and loaded.task == task
    pd.testing.assert_frame_equal(loaded.predict(new), model.predict(new))


def test_bad_input_raises_a_drugml_error_or_names_the_record(fitted, egfr, backend, task):
    smiles, targets, new = egfr
    y = targets[task]
    with pytest.raises(DrugmlError, match="Got 60 molecules but 59 target values"):
        _model(backend, task).fit(smiles, y[:-1])
    nothing_usable = r"usable molecules for 3-fold calibration, got 0|the targets have 0 distinct"
    with pytest.raises(DrugmlError, match=nothing_usable):
        _model(backend, task).fit([], [])
    # Fit skips a record it cannot read and says which (here every one, so nothing is left).
    with (
        pytest.warns(UserWarning, match=rf"skipped 10 of 10 records.*\[0\] '{BAD_SMILES}'"),
        pytest.raises(DrugmlError, match=nothing_usable),
    ):
        _model(backend, task).fit([BAD_SMILES] * 10, y[:10])

    model = fitted(backend, task)
    with pytest.raises(DrugmlError, match=f"Cannot explain '{BAD_SMILES}'"):
        model.explain(BAD_SMILES)
    with pytest.raises(DrugmlError, match="Got 2 molecules but 3 target values"):
        model.evaluate(new[:2], y[:3])
    # A batch to predict goes on without the record it cannot read, and says which and why.
    out = model.predict([new[0], BAD_SMILES])
    assert out["ok"].tolist() == [True, False]
    assert BAD_SMILES in out["error"][1] and np.isnan(out["nearest_similarity"][1])
    assert model.predict([]).empty
