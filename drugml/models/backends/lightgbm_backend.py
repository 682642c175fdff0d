"""``estimator="lightgbm"``: LightGBM's gradient-boosted trees on the featurizer's matrix.

Saved as LightGBM's own text model (``model.txt``, ``Booster.model_to_string``): a
list of trees and settings, read back by ``lightgbm.Booster(model_str=...)``; nothing
is unpickled or run. Fits are deterministic (``deterministic``, ``force_row_wise``):
the same ``random_state`` gives the same trees run to run and at any thread count.

>>> from drugml.models.backends import get_backend
>>> get_backend("lightgbm").default_params("regression")["n_estimators"]
500
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from drugml.errors import MissingDependencyError
from drugml.models.backends import (
    FEATURES,
    ModelBackend,
    ModelLoadError,
    TrainingSet,
    register_backend,
)

__all__ = ["MODEL_FILE", "OBJECTIVES", "LightGBMBackend"]

#: The saved model, LightGBM's text format.
MODEL_FILE = "model.txt"
#: The objective each task fits (and a saved model must name).
OBJECTIVES = {"regression": "regression", "classification": "binary"}


def _lightgbm() -> Any:
    try:
        import lightgbm
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise MissingDependencyError(
            "estimator='lightgbm' needs lightgbm: pip install lightgbm"
        ) from exc
    return lightgbm


def _known_settings(lightgbm: Any) -> set[str] | None:
    """Every setting LightGBM's scikit-learn estimators take: their own and LightGBM's
    parameters with their aliases; None where this LightGBM does not list them."""
    own = set(lightgbm.LGBMRegressor().get_params())
    try:  # LightGBM's list of its parameters (not public API: checked, not relied on)
        aliases = lightgbm.basic._ConfigAliases._get_all_param_aliases()
    except Exception:  # pragma: no cover - another LightGBM version
        return None
    return own | set(aliases) | {alias for names in aliases.values() for alias in names}


@register_backend
class LightGBMBackend(ModelBackend):
    """LightGBM regressor or binary classifier (``estimator="lightgbm"``).

    The fitted object is LightGBM's ``Booster``: the regression value, or the
    probability of class 1, comes from ``Booster.predict``.

    >>> backend = LightGBMBackend()
    >>> backend.input_kind, backend.format_libraries
    ('features', ('lightgbm',))
    >>> backend.params("regression", {"num_leaves": 15})["num_leaves"]
    15
    """

    name = "lightgbm"
    input_kind = FEATURES
    parallel_folds = True
    format_libraries = ("lightgbm",)
    card_hidden_params = ("verbosity", "deterministic", "force_row_wise")

    def require(self) -> None:
        _lightgbm()

    def default_params(self, task: str) -> dict[str, Any]:
        return {
            "n_estimators": 500,
            "learning_rate": 0.05,
            "num_leaves": 31,
            "min_child_samples": 10,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            "verbosity": -1,
            "deterministic": True,
            "force_row_wise": True,
        }

    def params(self, task: str, given: dict[str, Any] | None) -> dict[str, Any]:
        """The defaults updated by ``given``; ``ValueError`` names a setting LightGBM lacks."""
        known = _known_settings(_lightgbm())
        taken = {"random_state", "n_jobs", "objective", "seed", "num_threads"}
        unknown = sorted(
            str(key)
            for key in (given or {})
            if key in taken or (known is not None and key not in known)
        )
        if unknown:
            raise ValueError(
                f"estimator='lightgbm' does not take estimator_params {unknown} (the model "
                "sets random_state, n_jobs and the objective itself); LightGBM's settings: "
                "https://lightgbm.readthedocs.io/en/stable/Parameters.html"
            )
        return super().params(task, given)

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
        lightgbm = _lightgbm()
        cls = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
        estimator = cls(
            **params, objective=OBJECTIVES[task], random_state=random_state, n_jobs=threads
        )
        return estimator.fit(inputs, y).booster_

    def predict(self, fitted: Any, inputs: Any, *, task: str) -> np.ndarray:
        return np.asarray(fitted.predict(inputs), dtype=float)

    def save(self, fitted: Any, directory: Path) -> None:
        (directory / MODEL_FILE).write_text(fitted.model_to_string(), encoding="utf-8")

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
        lightgbm = _lightgbm()
        path = directory / MODEL_FILE
        if not path.is_file():
            raise ModelLoadError(f"{directory} is incomplete: no {MODEL_FILE}")
        text = path.read_text(encoding="utf-8")
        objective = next(
            (line.split("=", 1)[1] for line in text.splitlines() if line.startswith("objective=")),
            "",
        )
        if objective.split(" ")[0] != OBJECTIVES[task]:
            raise ModelLoadError(
                f"{path} holds a LightGBM model with objective {objective!r}, not the "
                f"{OBJECTIVES[task]!r} a {task} model fits"
            )
        try:
            return lightgbm.Booster(model_str=text)
        except lightgbm.basic.LightGBMError as exc:
            raise ModelLoadError(f"{path} is not a LightGBM text model: {exc}") from exc

    def versions(self) -> dict[str, str]:
        return {"lightgbm": _lightgbm().__version__}
