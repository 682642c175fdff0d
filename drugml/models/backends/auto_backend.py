"""``estimator="auto"`` (the default): a small menu, chosen per data set by scaffold-grouped CV.

The menu (:data:`MENU`): XGBoost on the featurizer's matrix (ECFP4 counts and
physchem descriptors), a random forest on the same matrix, the Tanimoto
k-nearest-neighbour baseline on ECFP4 bits, and the mean of the three
(:data:`ENSEMBLE`). :class:`~drugml.models.PropertyModel` fits every member on
each of its scaffold-grouped calibration folds (it needs those out-of-fold
predictions anyway) and scores each candidate on the folds' out-of-fold
predictions (RMSE, or ROC-AUC for classification; a held-out test fold is
never looked at).

**The rule: the ensemble unless a member beats it beyond noise.** The mean is
kept unless a single member scores better than it by more than the noise of
that difference, measured on the same out-of-fold predictions: a paired
bootstrap of member - ensemble (200 draws, fixed seed, over the scaffolds of
the scored molecules, or over molecules where there are fewer than 20
scaffolds); the member wins only if its advantage minus two bootstrap
standard errors is above zero (of several winners, the best scoring one).
Members' pooled scores often differ by less than that noise, and a member
chosen on such a margin can lose on rare scaffolds where the mean holds up
(:func:`drugml.models._folds.select_candidate`). The intervals or
probabilities are then calibrated on the kept candidate's out-of-fold
predictions. The rule, every candidate's score and each member's difference
to the ensemble with its bound are in the model card (``selection``). The
forest is a light one (150 trees, ``sqrt`` features) so that the whole menu
costs about 2.5 times one XGBoost model; see benchmarks/model_selection.py
for what the menu buys.

>>> from drugml.models.backends import get_backend
>>> sorted(get_backend("auto").default_params("regression"))
['knn', 'random_forest', 'xgboost']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from drugml.models.backends import (
    ALL_INPUTS,
    FEATURES,
    FINGERPRINTS,
    ModelBackend,
    ModelLoadError,
    MultiInput,
    TrainingSet,
    get_backend,
    register_backend,
)

__all__ = ["ENSEMBLE", "MENU", "AutoBackend"]

#: The single models of the menu, in order of preference on a tie.
MENU = ("xgboost", "random_forest", "knn")
#: The menu's fifth candidate: the mean of the members' predictions.
ENSEMBLE = "mean"
#: Member settings that differ from the member's own defaults (a light forest).
MEMBER_PARAMS = {
    "random_forest": {"n_estimators": 150, "max_features": "sqrt", "min_samples_leaf": 1}
}


def member_input(name: str, inputs: MultiInput) -> Any:
    """What member ``name`` reads of the shared inputs."""
    backend = get_backend(name)
    if backend.input_kind == FEATURES:
        layout = backend.input_layout(inputs.featurizer)
        return backend.lay_out(inputs.features, layout, inputs.featurizer)
    if backend.input_kind == FINGERPRINTS:
        return inputs.fingerprints
    return inputs.molecules


@register_backend
class AutoBackend(ModelBackend):
    """The menu of :data:`MENU` and their mean; the mean unless a member beats it beyond noise.

    >>> AutoBackend().input_kind
    'all'
    """

    name = "auto"
    input_kind = ALL_INPUTS
    input_description = "the featurizer's matrix (XGBoost, random forest) and ECFP4 bits (kNN)"
    parallel_folds = True
    format_libraries = ("xgboost",)
    card_hidden_params = ("tree_method",)

    def default_params(self, task: str) -> dict[str, Any]:
        return {
            name: {**get_backend(name).default_params(task), **MEMBER_PARAMS.get(name, {})}
            for name in MENU
        }

    def params(self, task: str, given: dict[str, Any] | None) -> dict[str, Any]:
        """Per-member settings: ``{"xgboost": {"n_estimators": 300}}`` updates XGBoost's."""
        settings = self.default_params(task)
        for name, overrides in (given or {}).items():
            if name not in MENU or not isinstance(overrides, dict):
                raise ValueError(
                    f"estimator_params of estimator='auto' are per member, e.g. "
                    f"{{'xgboost': {{'n_estimators': 300}}}}; members: {list(MENU)}; got "
                    f"{name!r}: {overrides!r}. For one estimator's settings, name it: "
                    "estimator='xgboost'."
                )
            settings[name] = {**settings[name], **overrides}
        return settings

    def fit(
        self,
        inputs: MultiInput,
        y: np.ndarray,
        *,
        task: str,
        params: dict[str, Any],
        random_state: int,
        threads: int,
    ) -> dict[str, Any]:
        members = {
            name: get_backend(name).fit(
                member_input(name, inputs),
                y,
                task=task,
                params=dict(params[name]),
                random_state=random_state,
                threads=threads,
            )
            for name in MENU
        }
        return {"members": members, "use": list(MENU)}

    def predict_members(
        self, fitted: dict[str, Any], inputs: MultiInput, *, task: str
    ) -> dict[str, np.ndarray]:
        """Each used member's predictions, by name."""
        return {
            name: get_backend(name).predict(
                fitted["members"][name], member_input(name, inputs), task=task
            )
            for name in fitted["use"]
        }

    def predict(self, fitted: dict[str, Any], inputs: MultiInput, *, task: str) -> np.ndarray:
        predictions = self.predict_members(fitted, inputs, task=task)
        return np.mean(list(predictions.values()), axis=0)

    @staticmethod
    def restrict(fitted: dict[str, Any], choice: str) -> dict[str, Any]:
        """The fitted menu cut down to the chosen candidate (a member, or :data:`ENSEMBLE`)."""
        use = list(MENU) if choice == ENSEMBLE else [choice]
        return {"members": {name: fitted["members"][name] for name in use}, "use": use}

    def save(self, fitted: dict[str, Any], directory: Path) -> dict[str, Any]:
        # The members' files have distinct names (model.json, model.skops; kNN has none).
        states = {
            name: get_backend(name).save(fitted["members"][name], directory)
            for name in fitted["use"]
        }
        return {"use": fitted["use"], "states": states}

    def load(
        self,
        directory: Path,
        *,
        task: str,
        params: dict[str, Any],
        random_state: int,
        state: dict[str, Any] | None,
        training: TrainingSet,
    ) -> dict[str, Any]:
        if not state or "use" not in state:
            raise ModelLoadError(f"{directory}: an 'auto' model without its members' list")
        members = {
            name: get_backend(name).load(
                directory,
                task=task,
                params=dict(params[name]),
                random_state=random_state,
                state=state["states"].get(name),
                training=training,
            )
            for name in state["use"]
        }
        return {"members": members, "use": list(state["use"])}

    def versions(self) -> dict[str, str]:
        versions: dict[str, str] = {}
        for name in MENU:
            versions.update(get_backend(name).versions())
        return versions
