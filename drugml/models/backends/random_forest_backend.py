"""``estimator="random_forest"``: scikit-learn's random forest on the featurizer's matrix.

Saved with skops (``model.skops``); loading trusts only scikit-learn and numpy
types and refuses a file that names any other.

>>> from drugml.models.backends import get_backend
>>> get_backend("random_forest").default_params("regression")
{'n_estimators': 300, 'max_features': 0.3, 'min_samples_leaf': 1}
"""

from __future__ import annotations

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

__all__ = ["RandomForestBackend"]


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

    def fit(self, inputs: Any, y: np.ndarray, *, task: str, params: dict[str, Any],
            random_state: int, threads: int) -> Any:  # fmt: skip
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

    def load(self, directory: Path, *, task: str, params: dict[str, Any], random_state: int,
             state: dict[str, Any] | None, training: TrainingSet) -> Any:  # fmt: skip
        import skops.io

        path = directory / "model.skops"
        untrusted = skops.io.get_untrusted_types(file=path)
        unexpected = [t for t in untrusted if not t.startswith(("sklearn.", "numpy."))]
        if unexpected:
            raise ModelLoadError(f"{path} holds unexpected object types: {unexpected}")
        return skops.io.load(path, trusted=untrusted)
