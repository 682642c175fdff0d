"""drugml.models.backends.random_forest_backend: skops on disk, only trusted types loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from drugml.models import ModelLoadError, PropertyModel


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_saved_with_skops_and_loaded_unchanged(round_trip, task):
    files, before, after = round_trip(
        task, estimator="random_forest", estimator_params={"n_estimators": 30}
    )
    assert files == ["MODEL_CARD.md", "metadata.json", "model.skops", "training_set.npz"]
    assert before.equals(after)


def test_a_file_with_foreign_types_is_refused(esol_small, tmp_path):
    from fractions import Fraction

    import skops.io

    smiles, y, _ = esol_small
    model = PropertyModel(estimator="random_forest", estimator_params={"n_estimators": 5})
    path = model.fit(smiles[:60], y[:60]).save(tmp_path / "forest")
    skops.io.dump({"model": model.estimator_, "extra": Fraction(1, 3)}, path / "model.skops")
    with pytest.raises(ModelLoadError, match=r"unexpected object types.*fractions\.Fraction"):
        PropertyModel.load(path)


@pytest.fixture(scope="module")
def saved_forest(esol_small, tmp_path_factory):
    """A small saved forest, and its fitted estimator to write other skops files with."""
    smiles, y, _ = esol_small
    model = PropertyModel(estimator="random_forest", estimator_params={"n_estimators": 5})
    path = model.fit(smiles[:60], y[:60]).save(tmp_path_factory.mktemp("rf") / "forest")
    return path, model.estimator_


def _wrapped(forest, how: str):
    """The forest inside another object, of a type a saved forest never holds."""
    if how == "pipeline":  # skops trusts every scikit-learn estimator by default: the list not
        from sklearn.pipeline import Pipeline

        return Pipeline([("rf", forest)]), r"sklearn\.pipeline\.Pipeline"
    from collections import OrderedDict

    return OrderedDict(model=forest), r"collections\.OrderedDict"


@pytest.mark.parametrize("how", ["pipeline", "ordered_dict"])
def test_only_the_types_a_forest_holds_are_loaded(saved_forest, tmp_path, how):
    import shutil

    import skops.io

    path = Path(shutil.copytree(saved_forest[0], tmp_path / "forest"))
    wrapped, named = _wrapped(saved_forest[1], how)
    skops.io.dump(wrapped, path / "model.skops")
    with pytest.raises(ModelLoadError, match=rf"unexpected object types: \[.*{named}"):
        PropertyModel.load(path)


def test_a_file_whose_root_is_not_the_forest_is_refused(saved_forest, tmp_path):
    import shutil

    import skops.io

    path = Path(shutil.copytree(saved_forest[0], tmp_path / "forest"))
    skops.io.dump({"model": saved_forest[1]}, path / "model.skops")  # only allowed types
    with pytest.raises(ModelLoadError, match=r"holds a builtins\.dict, not the regression forest"):
        PropertyModel.load(path)
    (path / "model.skops").unlink()
    with pytest.raises(ModelLoadError, match=r"incomplete: no model\.skops"):
        PropertyModel.load(path)


def test_the_list_is_every_type_a_saved_forest_names(saved_forest):
    import json
    import zipfile

    import skops.io

    from drugml.models.backends.random_forest_backend import SAVED_TYPES

    file = saved_forest[0] / "model.skops"
    assert set(skops.io.get_untrusted_types(file=file)) <= SAVED_TYPES
    schema = json.dumps(json.loads(zipfile.ZipFile(file).read("schema.json")))
    assert "sklearn.ensemble._forest" in schema and '"RandomForestRegressor"' in schema
