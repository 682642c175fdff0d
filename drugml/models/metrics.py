"""Every number drugml reports about a model or a ranking, computed in one place.

- model quality: :func:`regression_metrics`, :func:`classification_metrics`,
  :func:`interval_metrics` (coverage and width of prediction intervals),
  :func:`set_coverage` (coverage of conformal prediction sets, per class);
- calibration of probabilities: :func:`reliability_curve` (a reliability diagram's
  points) and :func:`expected_calibration_error`;
- a ranking against known actives: :func:`actives_in_top`,
  :func:`enrichment_factor`, :func:`bedroc`, and :func:`enrichment_summary`
  which gathers them for a ranked table;
- :data:`METRIC_NAMES`: how each metric reads on a page or a model card.

Models, the pipeline, the report, the benchmarks and the notebooks all call
these functions, so one number means one thing everywhere.

Example
-------
>>> import numpy as np
>>> from drugml.models.metrics import enrichment_factor, regression_metrics
>>> regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))["rmse"]
0.5773502691896257
>>> enrichment_factor(np.array([4.0, 3.0, 2.0, 1.0]), np.array([1, 0, 0, 0]), 0.25)
4.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "METRIC_NAMES",
    "actives_in_top",
    "bedroc",
    "bedroc_from_positions",
    "classification_metrics",
    "enrichment_factor",
    "enrichment_from_positions",
    "enrichment_summary",
    "expected_calibration_error",
    "interval_metrics",
    "regression_metrics",
    "reliability_curve",
    "set_coverage",
    "spearman",
]

#: How each metric reads on a page or in a model card.
METRIC_NAMES = {
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
    "spearman": "Spearman ρ",
    "coverage": "interval coverage",
    "mean_interval_width": "mean interval width",
    "interval_width_sd": "interval width, standard deviation",
    "out_of_domain_coverage": "interval coverage out of domain",
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
    "mcc": "MCC",
    "balanced_accuracy": "balanced accuracy",
    "brier": "Brier score",
    "n": "molecules",
    "n_in_domain": "molecules in domain",
    "n_out_of_domain": "molecules out of domain",
}


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (NaN with fewer than three values).

    >>> spearman(np.array([1, 2, 3]), np.array([10, 30, 20]))
    0.5
    """
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic) if len(a) > 2 else float("nan")


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, R2 and Spearman rank correlation.

    >>> regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))["mae"]
    0.3333333333333333
    """
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    return {
        "rmse": float(math.sqrt(mean_squared_error(y, pred))),
        "mae": float(mean_absolute_error(y, pred)),
        "r2": float(r2_score(y, pred)),
        "spearman": spearman(y, pred),
    }


def classification_metrics(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC, MCC, balanced accuracy (at 0.5) and the Brier score.

    ROC-AUC and PR-AUC are NaN when ``y`` has one class only.

    >>> classification_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9]))["roc_auc"]
    0.75
    """
    from sklearn.metrics import (
        average_precision_score,
        balanced_accuracy_score,
        brier_score_loss,
        matthews_corrcoef,
        roc_auc_score,
    )

    label = (probability >= 0.5).astype(int)
    two_classes = len(np.unique(y)) == 2
    return {
        "roc_auc": float(roc_auc_score(y, probability)) if two_classes else float("nan"),
        "pr_auc": float(average_precision_score(y, probability)) if two_classes else float("nan"),
        "mcc": float(matthews_corrcoef(y, label)),
        "balanced_accuracy": float(balanced_accuracy_score(y, label)),
        "brier": float(brier_score_loss(y, probability)),
    }


def interval_metrics(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> dict[str, float]:
    """Coverage (fraction of ``y`` inside ``[lower, upper]``) and the mean interval width.

    >>> interval_metrics(np.array([1.0, 5.0]), np.array([0.0, 0.0]), np.array([2.0, 2.0]))
    {'coverage': 0.5, 'mean_interval_width': 2.0, 'interval_width_sd': 0.0}
    """
    y, lower, upper = (np.asarray(v, dtype=float) for v in (y, lower, upper))
    return {
        "coverage": float(np.mean((y >= lower) & (y <= upper))),
        "mean_interval_width": float(np.mean(upper - lower)),
        "interval_width_sd": float(np.std(upper - lower)),
    }


def reliability_curve(y: Any, probability: Any, n_bins: int = 10) -> pd.DataFrame:
    """The points of a reliability diagram: the probabilities cut into ``n_bins`` equal
    bins of [0, 1]; per bin its edges, the mean predicted probability, the observed
    fraction of class 1 and the count (empty bins: count 0, NaN means).

    A calibrated model's points lie on the diagonal: of the molecules given 0.8, 80 %
    are of class 1.

    >>> curve = reliability_curve([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], n_bins=2)
    >>> curve[["mean_predicted", "observed_fraction", "count"]].values.tolist()
    [[0.15000000000000002, 0.0, 2.0], [0.8, 1.0, 2.0]]
    """
    import pandas as pd

    y, probability = _checked_probabilities(y, probability, n_bins)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # a probability of exactly 1 belongs to the last bin, not to one of its own
    which = np.minimum((probability * n_bins).astype(int), n_bins - 1)
    count = np.bincount(which, minlength=n_bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_predicted = np.bincount(which, probability, minlength=n_bins) / count
        observed = np.bincount(which, y, minlength=n_bins) / count
    return pd.DataFrame(
        {
            "bin_lower": edges[:-1],
            "bin_upper": edges[1:],
            "mean_predicted": mean_predicted,
            "observed_fraction": observed,
            "count": count,
        }
    )


def expected_calibration_error(y: Any, probability: Any, n_bins: int = 10) -> float:
    """Expected calibration error: the mean over molecules of ``|observed fraction - mean
    predicted probability|`` of their :func:`reliability_curve` bin (0: calibrated).

    >>> round(expected_calibration_error([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], n_bins=2), 3)
    0.175
    """
    curve = reliability_curve(y, probability, n_bins)
    filled = curve[curve["count"] > 0]
    gap = (filled["observed_fraction"] - filled["mean_predicted"]).abs()
    return float((gap * filled["count"]).sum() / filled["count"].sum())


def _checked_probabilities(y: Any, probability: Any, n_bins: int) -> tuple[np.ndarray, ...]:
    """``y`` (0/1) and ``probability`` (in [0, 1]) as arrays of one length, or a clear error."""
    from drugml.models._errors import ModelInputError

    y = np.asarray(y, dtype=float)
    probability = np.asarray(probability, dtype=float)
    if len(y) != len(probability) or not len(y):
        raise ModelInputError(
            f"Need as many classes as probabilities, at least one: got {len(y)} and "
            f"{len(probability)}"
        )
    if not np.isin(y, (0.0, 1.0)).all():
        raise ModelInputError(f"Classes must be 0 or 1; got {sorted(set(y.tolist()))[:5]}")
    if not ((probability >= 0) & (probability <= 1)).all():
        raise ModelInputError("Probabilities must lie in [0, 1] (NaN is not a probability)")
    if int(n_bins) != n_bins or n_bins < 1:
        raise ModelInputError(f"n_bins must be a positive integer, got {n_bins!r}")
    return y, probability


def set_coverage(y: Any, prediction_set: Any) -> dict[str, float]:
    """How often conformal prediction sets hold the true class, overall and per class
    (``coverage_active``: class 1, ``coverage_inactive``: class 0), and their mean size.

    ``prediction_set``: the ``prediction_set`` column of a classifier's predictions
    (``"active"``, ``"inactive"``, ``"active|inactive"`` or ``""``).

    >>> set_coverage([1, 0, 0], ["active", "active|inactive", "active"])["coverage_inactive"]
    0.5
    """
    from drugml.models._conformal_sets import CLASS_NAMES, SET_SEPARATOR
    from drugml.models._errors import ModelInputError

    y = np.asarray(y).astype(int)
    members = [set(str(s).split(SET_SEPARATOR)) if s else set() for s in prediction_set]
    if len(members) != len(y) or not len(y):
        raise ModelInputError(f"Got {len(members)} prediction sets for {len(y)} classes.")
    hit = np.array([CLASS_NAMES[t] in m for t, m in zip(y, members, strict=True)])
    result = {"coverage": float(hit.mean())}
    for label in (1, 0):
        mine = y == label
        result[f"coverage_{CLASS_NAMES[label]}"] = (
            float(hit[mine].mean()) if mine.any() else float("nan")
        )
    result["mean_set_size"] = float(np.mean([len(m) for m in members]))
    return result


def actives_in_top(scores: np.ndarray, actives: np.ndarray, fraction: float) -> int:
    """How many actives are in the best ``fraction`` of the list (at least one place).

    Higher scores are better; ties keep the input order.

    >>> actives_in_top(np.array([4.0, 3.0, 2.0, 1.0]), np.array([0, 1, 0, 1]), 0.5)
    1
    """
    actives = np.asarray(actives, dtype=bool)
    if len(actives) == 0:
        return 0
    top = max(1, math.ceil(fraction * len(actives)))
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    return int(actives[order[:top]].sum())


def enrichment_factor(scores: np.ndarray, actives: np.ndarray, fraction: float) -> float:
    """Enrichment factor at a fraction of the ranked list: hit rate there / overall hit rate.

    >>> enrichment_factor(np.array([4.0, 3.0, 2.0, 1.0]), np.array([1, 0, 0, 0]), 0.25)
    4.0
    """
    actives = np.asarray(actives, dtype=bool)
    n, n_actives = len(actives), int(actives.sum())
    if n == 0 or n_actives == 0:
        return float("nan")
    top = max(1, math.ceil(fraction * n))
    return float(actives_in_top(scores, actives, fraction) / top / (n_actives / n))


def bedroc(scores: np.ndarray, actives: np.ndarray, alpha: float = 20.0) -> float:
    """BEDROC (Truchon & Bayly 2007): early recognition of actives, 0 to 1 (alpha 20: top ~8 %).

    >>> round(bedroc(np.array([3.0, 2.0, 1.0, 0.0]), np.array([1, 0, 0, 0])), 3)
    1.0
    """
    from rdkit.ML.Scoring import Scoring

    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    ranked = [[bool(a)] for a in np.asarray(actives)[order]]
    if not any(a[0] for a in ranked):
        return float("nan")
    return float(Scoring.CalcBEDROC(ranked, 0, alpha))


def enrichment_summary(
    ranked: pd.DataFrame, actives: Iterable[str], exclude: Iterable[str] = (), by: str = "rank"
) -> dict[str, Any]:
    """EF 1 %, EF 5 % and BEDROC (alpha 20) of ``actives`` (InChIKeys) in a ranked table.

    ``exclude``: InChIKeys left out first (e.g. the training compounds).
    ``by``: ``"rank"`` (the final ranking, 1 best) or a column where higher is
    better (e.g. ``"potency_prediction"``: one model alone, to see what the other
    objectives and the filters cost); a missing value ranks last.
    ``n_in_top_1pct``/``n_in_top_5pct`` count the known actives there.

    >>> import pandas as pd
    >>> table = pd.DataFrame({"inchikey": list("ABCD"), "rank": [1, 2, 3, 4]})
    >>> enrichment_summary(table, {"A"})["ef_1pct"]
    4.0
    """
    exclude = set(exclude)
    table = ranked[~ranked["inchikey"].isin(exclude)] if exclude else ranked
    is_active = table["inchikey"].isin(set(actives)).to_numpy()
    if by == "rank":
        scores = -table["rank"].to_numpy(dtype=float)
    else:
        scores = np.nan_to_num(table[by].to_numpy(dtype=float), nan=-np.inf)
    top = {f"n_in_top_{p}pct": actives_in_top(scores, is_active, p / 100) for p in (1, 5)}
    return {
        "ranked_by": by,
        "n_compounds": len(table),
        "n_known_actives": int(is_active.sum()),
        **top,
        "ef_1pct": enrichment_factor(scores, is_active, 0.01),
        "ef_5pct": enrichment_factor(scores, is_active, 0.05),
        "bedroc_alpha20": bedroc(scores, is_active, 20.0),
    }


def bedroc_from_positions(positions: Iterable[int], n: int, alpha: float = 20.0) -> float:
    """BEDROC from the 0-based places of the actives in a list of ``n`` (as :func:`bedroc`,
    RDKit's formula, without a list of ``n`` entries: for rankings of millions).

    >>> round(bedroc_from_positions([0], 4), 3) == round(bedroc(np.array([3.0, 2, 1, 0]),
    ...                                                          np.array([1, 0, 0, 0])), 3)
    True
    """
    places = np.asarray(sorted(positions), dtype=float)
    n_actives = len(places)
    if n_actives == 0 or n == 0:
        return float("nan")
    denom = 1.0 / n * ((1 - math.exp(-alpha)) / (math.exp(alpha / n) - 1))
    sum_exp = 0.0
    for place in places:  # summed in list order, as RDKit does
        sum_exp += math.exp(-(alpha * (place + 1)) / n)
    rie = sum_exp / (n_actives * denom)
    ratio = n_actives / n
    rie_max = (1 - math.exp(-alpha * ratio)) / (ratio * (1 - math.exp(-alpha)))
    rie_min = (1 - math.exp(alpha * ratio)) / (ratio * (1 - math.exp(alpha)))
    return float((rie - rie_min) / (rie_max - rie_min)) if rie_max != rie_min else 1.0


def enrichment_from_positions(
    positions: Iterable[int], n_compounds: int, by: str = "rank"
) -> dict[str, Any]:
    """:func:`enrichment_summary` from the 0-based places of the known actives in a ranked
    list of ``n_compounds`` (for a ranking streamed from disk, never held in memory).

    >>> enrichment_from_positions([0], 4)["ef_1pct"]
    4.0
    """
    places = np.asarray(sorted(positions), dtype=np.int64)
    n_actives = len(places)
    summary: dict[str, Any] = {
        "ranked_by": by,
        "n_compounds": int(n_compounds),
        "n_known_actives": n_actives,
    }
    tops = {p: max(1, math.ceil(p / 100 * n_compounds)) for p in (1, 5)}
    for p, top in tops.items():
        summary[f"n_in_top_{p}pct"] = int((places < top).sum()) if n_compounds else 0
    for p, top in tops.items():
        found = summary[f"n_in_top_{p}pct"]
        summary[f"ef_{p}pct"] = (
            float(found / top / (n_actives / n_compounds))
            if n_compounds and n_actives
            else float("nan")
        )
    summary["bedroc_alpha20"] = bedroc_from_positions(places, n_compounds, 20.0)
    return summary
