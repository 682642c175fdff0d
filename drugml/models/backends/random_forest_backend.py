"""``estimator="random_forest"``: scikit-learn's random forest on the featurizer's matrix.

Saved with skops (``model.skops``); loading trusts only the types a saved forest holds
(:data:`SAVED_TYPES`) and refuses a file that names any other, before building anything.

>>> from drugml.models.backends import get_backend
>>> get_backend("random_forest").default_params("regression")
{'n_estimators': 300, 'max_features': 0.3, 'min_samples_leaf': 1}
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from drugml.models.backends import (
    FEATURES,
    ModelBackend,
    ModelLoadError,
    TrainingSet,
    register_backend,
)

__all__ = ["SAVED_TYPES", "RandomForestBackend"]

#: The forest each task saves, the root of its skops file.
FOREST_TYPES = {
    "regression": "sklearn.ensemble._forest.RandomForestRegressor",
    "classification": "sklearn.ensemble._forest.RandomForestClassifier",
}
#: Every type a saved forest's skops file names (``skops.io.get_untrusted_types`` and the
#: file's schema, for both tasks and a range of settings, with scikit-learn 1.9 and skops
#: 0.16): the forest, its trees, their arrays and the containers of their attributes.
#: A file naming any other type is refused: skops trusts every scikit-learn estimator by
#: default (a Pipeline, say), and nothing but a forest belongs in this file.
SAVED_TYPES = frozenset(
    {
        *FOREST_TYPES.values(),
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._tree.Tree",
        "numpy.ndarray",
        "numpy.int64",
        "builtins.dict",
        "builtins.list",
        "builtins.str",
        "builtins.tuple",
    }
)


@register_backend
class RandomForestBackend(ModelBackend):
    """Random forest regressor or classifier (``estimator="random_forest"``).

    >>> RandomForestBackend().format_libraries
    ('scikit-learn',)
    """

    name = "random_forest"
    input_kind = FEATURES
    parallel_folds = True
    format_libraries = ("scikit-learn",)

    def default_params(self, task: str) -> dict[str, Any]:
        return {"n_estimators": 300, "max_features": 0.3, "min_samples_leaf": 1}

    def fit(
        self,
        inputs: Any,
        y: np.ndarray,
        *,
        task: str,
        params: dict[str, Any],
        random_state: int,
        threads: int,
    ) -> Any:
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        cls = RandomForestRegressor if task == "regression" else RandomForestClassifier
        return cls(**params, random_state=random_state, n_jobs=threads).fit(inputs, y)

    def predict(self, fitted: Any, inputs: Any, *, task: str) -> np.ndarray:
        if task == "regression":
            return np.asarray(fitted.predict(inputs), dtype=float)
        return np.asarray(fitted.predict_proba(inputs)[:, 1], dtype=float)

    def save(self, fitted: Any, directory: Path) -> None:
        import skops.io

        skops.io.dump(fitted, directory / "model.skops")

    def load(
        self,
        directory: Path,
        *,
        task: str,
        params: dict[str, Any],
        random_state: int,
        state: dict[str, Any] | None,
        training: TrainingSet,
    ) -> Any:
        import skops.io

        path = directory / "model.skops"
        if not path.is_file():
            raise ModelLoadError(f"{directory} is incomplete: no model.skops")
        root, named = _saved_types(path)
        untrusted = skops.io.get_untrusted_types(file=path)
        unexpected = sorted((named | set(untrusted)) - SAVED_TYPES)
        if unexpected:
            raise ModelLoadError(f"{path} holds unexpected object types: {unexpected}")
        if root != FOREST_TYPES[task]:
            raise ModelLoadError(f"{path} holds a {root}, not the {task} forest it should")
        return skops.io.load(path, trusted=untrusted)


def _saved_types(path: Path) -> tuple[str, set[str]]:
    """The type of a skops file's root object, and every type its schema names (read as JSON:
    nothing in the file is built or run)."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ModelLoadError(f"{path} is not a skops file: {exc}") from exc
    named: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node and "__class__" in node:
                named.add(f"{node['__module__']}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    root = f"{schema.get('__module__')}.{schema.get('__class__')}"
    return root, named
