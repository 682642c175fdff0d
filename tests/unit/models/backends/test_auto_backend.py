"""drugml.models.backends.auto_backend: the default estimator, chosen per data set from a menu."""

from __future__ import annotations

import json

import numpy as np
import pytest

from drugml.models import ModelInputError, PropertyModel
from drugml.models.backends import get_backend
from drugml.models.backends.auto_backend import ENSEMBLE, MENU

LIGHT = {"xgboost": {"n_estimators": 40}, "random_forest": {"n_estimators": 30}}


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_the_ensemble_unless_a_member_beats_it_beyond_noise_is_kept_and_saved(
    esol_small, tmp_path, task
):
    smiles, y, new = esol_small
    targets = y if task == "regression" else (y < -3).astype(int)
    model = PropertyModel(task=task, estimator_params=LIGHT, calibration_folds=3)
    model.fit(smiles, targets, held_out=range(150, 200))
    selection = model.selection_
    assert set(selection["scores"]) == {*MENU, ENSEMBLE}
    assert set(selection["differences"]) == set(MENU)
    winners = [m for m, d in selection["differences"].items() if d["beyond_noise"]]
    if winners:  # a member beats the ensemble beyond noise: the best scoring such member
        best = (min if task == "regression" else max)(selection["scores"][m] for m in winners)
        assert selection["scores"][selection["chosen"]] == best
    else:
        assert selection["chosen"] == ENSEMBLE
    assert selection["n_molecules"] == 150  # the held-out fold never chooses
    used = MENU if selection["chosen"] == ENSEMBLE else (selection["chosen"],)
    assert model.estimator_["use"] == list(used)
    directory = model.save(tmp_path / "auto")
    card = (directory / "MODEL_CARD.md").read_text()
    assert "## Model selection" in card and f"Chosen: **{selection['chosen']}**" in card
    meta = json.loads((directory / "metadata.json").read_text())
    assert meta["selection"]["chosen"] == selection["chosen"]
    loaded = PropertyModel.load(directory)
    assert loaded.predict(new).equals(model.predict(new))


def test_the_ensemble_is_the_mean_of_its_members(esol_small):
    from drugml.featurize import bit_fingerprints, parse_molecules
    from drugml.models import default_featurizer
    from drugml.models.backends import MultiInput

    smiles, y, _ = esol_small
    mols, _ = parse_molecules(smiles, full=True)
    featurizer = default_featurizer()
    inputs = MultiInput(featurizer.fit_transform(mols), bit_fingerprints(mols), mols, featurizer)
    backend = get_backend("auto")
    fitted = backend.fit(
        inputs,
        y,
        task="regression",
        params=backend.params("regression", LIGHT),
        random_state=0,
        threads=1,
    )
    first = inputs.rows(np.arange(10))
    members = backend.predict_members(fitted, first, task="regression")
    assert list(members) == list(MENU)
    np.testing.assert_allclose(
        backend.predict(fitted, first, task="regression"), np.mean(list(members.values()), axis=0)
    )
    alone = backend.restrict(fitted, "knn")
    assert alone["use"] == ["knn"]
    np.testing.assert_array_equal(backend.predict(alone, first, task="regression"), members["knn"])


def test_per_member_settings_are_checked(esol_small):
    smiles, y, _ = esol_small
    with pytest.raises(ModelInputError, match="per member"):
        PropertyModel(estimator_params={"n_estimators": 40}).fit(smiles, y)
    params = get_backend("auto").params("regression", {"xgboost": {"n_estimators": 7}})
    assert params["xgboost"]["n_estimators"] == 7 and params["xgboost"]["max_depth"] == 6
    assert params["random_forest"]["max_features"] == "sqrt"
