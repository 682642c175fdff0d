"""Class-conditional (Mondrian) conformal prediction sets of a classifier: which classes a
molecule may belong to at the model's ``coverage``, with that coverage held per class.

Calibration: the out-of-fold probabilities of the scaffold-grouped folds, calibrated by Platt
scaling. A calibration molecule of class ``c`` scores ``1 - p(c)`` (its nonconformity:
how little probability its own class got). A new molecule's class ``c`` has the conformal
p-value ``(#{class-c scores >= 1 - p(c)} + 1) / (n_c + 1)`` and is in the set when that
p-value exceeds ``1 - coverage``. Because each class is compared with its own calibration
molecules, the set holds the true class at least ``coverage`` of the time *for each class*
(the rare class too), for molecules exchangeable with the calibration folds; far outside
the applicability domain that guarantee does not hold.

A set is ``"active"`` (class 1, the class whose probability ``probability`` gives),
``"inactive"`` (class 0), ``"active|inactive"`` (the model cannot tell at this coverage) or
``""`` (neither class is plausible: the molecule is unlike both classes' calibration
molecules). Each class is judged against its own calibration molecules, so a set need not
hold the class ``prediction`` names (probability >= 0.5): where the actives' calibrated
probabilities are mostly high, an active at 0.52 is unusual and its set may be
``"inactive"``.

>>> inactive, active = np.linspace(0.05, 0.65, 19), np.linspace(0.35, 0.95, 19)
>>> state = fit_class_conformal(np.r_[inactive, active], np.r_[[0] * 19, [1] * 19], 0.9)
>>> sets, size = prediction_sets(state, np.array([0.97, 0.5, 0.03]))
>>> sets.tolist(), size.tolist()
(['active', 'active|inactive', 'inactive'], [1, 2, 1])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from drugml.models._errors import ModelInputError

__all__ = [
    "CLASS_NAMES",
    "SET_SEPARATOR",
    "add_held_out_sets",
    "class_p_values",
    "fit_class_conformal",
    "prediction_sets",
]

#: The name of class 0 and of class 1 in a prediction set.
CLASS_NAMES = ("inactive", "active")
#: Between the classes of a set of two.
SET_SEPARATOR = "|"


def fit_class_conformal(
    probability: np.ndarray, targets: np.ndarray, coverage: float
) -> dict[str, Any]:
    """The calibration of the sets: each class's nonconformity scores (sorted) and the
    coverage, as a JSON-ready dict (saved in the model's ``metadata.json``).

    ``probability``: calibrated probabilities of class 1 of the calibration molecules;
    ``targets``: their classes (0/1).

    >>> fit_class_conformal(np.array([0.25, 0.5]), np.array([0, 1]), 0.9)["scores"]
    {'inactive': [0.25], 'active': [0.5]}
    """
    probability = np.asarray(probability, dtype=float)
    targets = np.asarray(targets)
    if len(probability) != len(targets):
        raise ModelInputError(
            f"Got {len(probability)} probabilities but {len(targets)} classes to calibrate on."
        )
    if not 0 < coverage < 1:
        raise ModelInputError(f"coverage must be between 0 and 1, got {coverage}")
    own = np.column_stack([1.0 - probability, probability])  # p(class 0), p(class 1)
    scores = {
        name: np.sort(1.0 - own[targets == label, label]).tolist()
        for label, name in enumerate(CLASS_NAMES)
    }
    return {"coverage": float(coverage), "scores": scores}


def class_p_values(state: Mapping[str, Any], probability: np.ndarray) -> np.ndarray:
    """``(molecules, 2)``: each molecule's conformal p-value of class 0 and of class 1.

    >>> state = {"coverage": 0.9, "scores": {"inactive": [0.1, 0.2, 0.6], "active": [0.3]}}
    >>> class_p_values(state, np.array([0.5])).tolist()
    [[0.5, 0.5]]
    """
    probability = np.asarray(probability, dtype=float)
    own = np.column_stack([1.0 - probability, probability])
    values = np.empty((len(probability), 2))
    for label, name in enumerate(CLASS_NAMES):
        calibration = np.asarray(state["scores"][name], dtype=float)
        # scores at least as nonconforming as the new molecule's: the rank of the p-value
        count = len(calibration) - np.searchsorted(calibration, 1.0 - own[:, label], side="left")
        values[:, label] = (count + 1) / (len(calibration) + 1)
    return values


def prediction_sets(
    state: Mapping[str, Any], probability: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(prediction_set, set_size)`` of each molecule at the calibration's coverage.

    A class is in the set when its p-value exceeds ``1 - coverage``.
    """
    # rounded: 1 - 0.9 is 0.09999999999999998, which a p-value of exactly 0.1 would exceed
    significance = round(1.0 - float(state["coverage"]), 12)
    inside = class_p_values(state, probability) > significance + 1e-12
    return _SET_NAMES[2 * inside[:, 1] + inside[:, 0]], inside.sum(axis=1).astype(int)


#: Each set by ``2 * (class 1 in it) + (class 0 in it)``: class 1 first ("active|inactive").
_SET_NAMES = np.array(
    ["", CLASS_NAMES[0], CLASS_NAMES[1], SET_SEPARATOR.join(CLASS_NAMES[::-1])], dtype=object
)


def add_held_out_sets(
    frame: Any, coverage: float, calibration: np.ndarray, calibration_targets: np.ndarray
) -> None:
    """Put ``prediction_set`` and ``set_size`` into ``frame`` (the held-out fold's
    predictions, with ``probability``) after its ``probability`` column, the sets calibrated
    on the other folds' calibrated probabilities ``calibration`` of ``calibration_targets``.
    """
    state = fit_class_conformal(calibration, calibration_targets, coverage)
    sets, size = prediction_sets(state, frame["probability"].to_numpy(dtype=float))
    at = list(frame.columns).index("probability") + 1
    frame.insert(at, "prediction_set", sets)
    frame.insert(at + 1, "set_size", size)
