"""What calibrates a model's uncertainty: the target transform, the conformal intervals of
regression and the Platt scaling of classification, each fitted on out-of-fold predictions.

>>> calibrator = fit_platt(np.array([0.1, 0.4, 0.6, 0.9]), np.array([0, 0, 1, 1]))
>>> bool(apply_platt(calibrator, np.array([0.95]))[0] > 0.9)
True
>>> inverse_transform("log", forward_transform("log", np.array([100.0]))).tolist()
[100.0]
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from drugml.models._errors import ModelInputError
from drugml.models.metrics import classification_metrics, regression_metrics

__all__ = [
    "MIN_CALIBRATION_MOLECULES",
    "SKEWNESS_FOR_LOG",
    "TARGET_TRANSFORMS",
    "apply_platt",
    "calibrate_on_folds",
    "check_calibration_targets",
    "choose_target_transform",
    "fit_platt",
    "forward_transform",
    "interval_calibrator",
    "inverse_transform",
]

#: Fewer training molecules than this: calibration is rough (a warning says so).
MIN_CALIBRATION_MOLECULES = 50
#: ``target_transform`` values.
TARGET_TRANSFORMS = ("auto", "log", None)
#: ``target_transform="auto"`` takes the log of a strictly positive target this skewed:
#: lognormal-like data (half-lives, clearances) lie far above it, pIC50s and log
#: solubilities (already logs) near 0.
SKEWNESS_FOR_LOG = 2.0


def choose_target_transform(
    targets: np.ndarray, requested: str | None, task: str = "regression"
) -> tuple[str | None, str | None]:
    """``(transform, message)`` for these targets: ``"log"`` or ``None``, and why.

    >>> half_lives = np.random.default_rng(0).lognormal(1.0, 1.5, 300)  # hours
    >>> choose_target_transform(half_lives, "auto")[0]
    'log'
    >>> choose_target_transform(np.array([5.0, 6.0, 7.0]), "auto")
    (None, None)
    """
    from scipy.stats import skew

    if task != "regression" or requested is None:
        return None, None
    positive = bool(np.all(targets > 0))
    if requested == "log":
        if not positive:
            bad = targets[targets <= 0]
            raise ModelInputError(
                f"target_transform='log' needs strictly positive targets; {len(bad)} are not "
                f"(e.g. {bad[:3].tolist()}). Use target_transform=None, or shift the values."
            )
        return "log", "fitted on log10 of the target, as asked (target_transform='log')"
    skewness = float(skew(targets)) if len(targets) > 2 else 0.0
    if positive and skewness > SKEWNESS_FOR_LOG:
        return "log", (
            f"the target is strictly positive and skewed (skewness {skewness:.1f} > "
            f"{SKEWNESS_FOR_LOG}): fitted on log10 of it; predictions and intervals are on the "
            "original scale (target_transform=None turns this off)"
        )
    return None, None


def check_calibration_targets(task: str, targets: np.ndarray, calibration_folds: int) -> None:
    """Refuse targets that cannot be calibrated; warn when calibration will be rough.

    The warning points at the caller of :meth:`PropertyModel.fit
    <drugml.models.PropertyModel.fit>`, which calls this.
    """
    n = len(targets)
    if task == "classification":
        classes = np.unique(targets)
        if len(classes) != 2 or not set(classes) <= {0.0, 1.0}:
            raise ModelInputError(
                f"Classification needs two classes labelled 0 and 1; the targets have "
                f"{len(classes)} distinct value(s): {classes[:5].tolist()}"
            )
    if n < 2 * calibration_folds:
        raise ModelInputError(
            f"Need at least {2 * calibration_folds} usable molecules for "
            f"{calibration_folds}-fold calibration, got {n}"
        )
    if n < MIN_CALIBRATION_MOLECULES:
        warnings.warn(
            f"PropertyModel: {n} usable molecules. Intervals and probabilities are "
            f"calibrated on their {n} out-of-fold predictions: with fewer than "
            f"{MIN_CALIBRATION_MOLECULES} the coverage is rough and does not adapt to "
            "similarity (one width for every molecule).",
            stacklevel=3,
        )


def calibrate_on_folds(
    task: str,
    coverage: float,
    oof: np.ndarray,
    local_similarity: np.ndarray,
    targets: np.ndarray,
    original_targets: np.ndarray,
    transform: str | None,
) -> tuple[Any, dict[str, float]]:
    """``(calibrator, metrics)`` from the out-of-fold predictions ``oof`` of ``targets`` (on
    the fitted scale): the interval calibrator (regression) or Platt scaling
    (classification), and the cross-validated metrics on the original scale."""
    if task == "regression":
        calibrator = interval_calibrator(coverage, targets, oof, local_similarity)
        # Metrics on the original scale: what the user's predictions are on.
        metrics = regression_metrics(original_targets, inverse_transform(transform, oof))
        half = calibrator.half_width(local_similarity)
        metrics["coverage"] = float(np.mean(np.abs(targets - oof) <= half))
        return calibrator, metrics
    platt = fit_platt(oof, targets)
    return platt, classification_metrics(targets, apply_platt(platt, oof))


def forward_transform(transform: str | None, values: np.ndarray) -> np.ndarray:
    """Targets on the scale the estimator is fitted on."""
    return np.log10(values) if transform == "log" else values


def inverse_transform(transform: str | None, values: Any) -> Any:
    """Predictions (or interval bounds) back on the target's original scale."""
    return np.power(10.0, values) if transform == "log" else values


def interval_calibrator(
    coverage: float, targets: np.ndarray, oof: np.ndarray, local_similarity: np.ndarray
):
    """Intervals adapted to how densely training molecules surround each molecule."""
    from drugml.models.uncertainty import SimilarityConformal

    threshold = float(np.percentile(local_similarity, 5))
    return SimilarityConformal(coverage=coverage).fit(targets, oof, local_similarity, threshold)


def fit_platt(scores: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """Platt scaling of uncalibrated probabilities: a logistic regression on their logits."""
    from sklearn.linear_model import LogisticRegression

    logit = _logit(scores).reshape(-1, 1)
    fitted = LogisticRegression(C=1e6).fit(logit, targets.astype(int))
    return {"slope": float(fitted.coef_[0, 0]), "intercept": float(fitted.intercept_[0])}


def apply_platt(calibrator: dict[str, float], scores: np.ndarray) -> np.ndarray:
    """Calibrated probabilities of the scores :func:`fit_platt` was fitted for."""
    z = calibrator["slope"] * _logit(scores) + calibrator["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))
