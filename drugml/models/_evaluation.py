"""A model's predictions scored against measured values: the metrics of
:meth:`PropertyModel.evaluate <drugml.models.PropertyModel.evaluate>`, and the held-out fold
of ``fit(held_out=...)`` predicted and calibrated on the other folds.

>>> import pandas as pd
>>> frame = pd.DataFrame({"prediction": [1.0, 2.0, 3.0], "lower": [0.5, 1.5, 2.5],
...                       "upper": [1.5, 2.5, 3.5], "in_domain": [True, True, False],
...                       "ok": [True, True, True]})
>>> result = evaluate_frame("regression", frame, np.array([1.2, 2.9, 3.1]))
>>> result["coverage"], result["n_in_domain"], result["out_of_domain_coverage"]
(0.6666666666666666, 2, 1.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from drugml.models._calibration import (
    apply_platt,
    fit_platt,
    interval_calibrator,
    inverse_transform,
)
from drugml.models._domain import domain_threshold as domain_threshold_of
from drugml.models._errors import ModelInputError
from drugml.models.metrics import classification_metrics, interval_metrics, regression_metrics

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["evaluate_frame", "held_out_predictions"]


def evaluate_frame(task: str, predictions: pd.DataFrame, targets: np.ndarray) -> dict[str, float]:
    """Metrics of ``predictions`` (a :meth:`PropertyModel.predict` table) for ``targets``: on
    every usable molecule, on those in the domain, and the coverage out of it."""
    usable = predictions["ok"].to_numpy() & np.isfinite(targets)
    if usable.sum() < 2:
        raise ModelInputError("Fewer than two usable molecules to evaluate.")
    result = _metrics(task, predictions[usable], targets[usable])
    result["n"] = int(usable.sum())
    result["n_skipped"] = int((~usable).sum())
    domain = predictions["in_domain"].to_numpy() & usable
    result["n_in_domain"] = int(domain.sum())
    if domain.sum() >= 2 and (task == "regression" or len(np.unique(targets[domain])) == 2):
        inside = _metrics(task, predictions[domain], targets[domain])
        result.update({f"in_domain_{k}": v for k, v in inside.items()})
    outside = ~predictions["in_domain"].to_numpy() & usable
    result["n_out_of_domain"] = int(outside.sum())
    if task == "regression" and outside.any():
        result["out_of_domain_coverage"] = interval_metrics(
            targets[outside],
            predictions["lower"].to_numpy()[outside],
            predictions["upper"].to_numpy()[outside],
        )["coverage"]
    return result


def _metrics(task: str, predictions: pd.DataFrame, targets: np.ndarray) -> dict[str, float]:
    if task == "regression":
        metrics = regression_metrics(targets, predictions["prediction"].to_numpy())
        metrics.update(
            interval_metrics(
                targets, predictions["lower"].to_numpy(), predictions["upper"].to_numpy()
            )
        )
        return metrics
    return classification_metrics(targets, predictions["probability"].to_numpy())


def held_out_predictions(
    task: str,
    coverage: float,
    domain_threshold: float | None,
    transform: str | None,
    test_fold: np.ndarray,
    oof: np.ndarray,
    similarity: np.ndarray,
    local: np.ndarray,
    targets: np.ndarray,
) -> pd.DataFrame:
    """The held-out fold's predictions as :meth:`PropertyModel.predict` gives them, their
    intervals, probabilities and domain calibrated on the other folds only."""
    import pandas as pd

    other = ~test_fold
    threshold = domain_threshold_of(domain_threshold, similarity[other])
    raw = oof[test_fold]
    frame = pd.DataFrame({"prediction": inverse_transform(transform, raw)})
    if task == "regression":
        calibrator = interval_calibrator(coverage, targets[other], oof[other], local[other])
        lower, upper = calibrator.interval(raw, local[test_fold])
        frame["lower"] = inverse_transform(transform, lower)
        frame["upper"] = inverse_transform(transform, upper)
    else:
        probability = apply_platt(fit_platt(oof[other], targets[other]), raw)
        frame["prediction"] = (probability >= 0.5).astype(int)
        frame["probability"] = probability
    frame["nearest_similarity"] = similarity[test_fold]
    frame["in_domain"] = similarity[test_fold] >= threshold
    frame["ok"], frame["error"] = True, None
    return frame
