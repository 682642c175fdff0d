"""Prediction intervals that know what they do not know: conformal calibration by similarity.

A split-conformal interval ``prediction ± q`` with one ``q`` for every
molecule is valid on average, but a molecule far from the training data gets
the same interval as a close analogue of a training compound, so on a test
set of new chemotypes it under-covers, and on near neighbours it
over-covers. :class:`SimilarityConformal` makes the interval depend on how
far a molecule is from the training set, measured by ``s``, its Tanimoto
similarity to the nearest training molecule (ECFP4, the applicability
domain's number):

1. **difficulty** ``sigma(s)``: the typical absolute error of molecules at
   similarity ``s``, estimated on the out-of-fold predictions of the
   calibration folds (each molecule predicted by a model that did not see it,
   ``s`` measured against that model's training molecules) as a
   non-increasing step function of ``s`` (isotonic regression of the absolute
   residuals, binned; floored so that no molecule gets a zero-width interval);
2. **normalized conformal** (Papadopoulos et al. 2008; Lei et al. 2018): the
   nonconformity of a calibration molecule is ``|y - prediction| / sigma(s)``,
   ``q`` is its conformal quantile, and a new molecule's interval is
   ``prediction ± q * sigma(s)``;
3. **Mondrian by similarity** (Vovk et al. 2005): ``q`` is computed
   separately in similarity strata (quantiles of ``s`` of the calibration
   molecules, the lowest stratum the out-of-domain molecules), so that the
   coverage holds in each stratum, in and out of the domain, and not only on
   average; a stratum with too few molecules to calibrate joins its
   neighbour.

A molecule less similar to the training data than any calibration molecule
falls in the lowest stratum with the widest ``sigma``. Widths therefore grow
as similarity falls, and a test set richer in new chemotypes than the
calibration folds (a scaffold or cluster split) keeps its coverage, because
the coverage is calibrated for each similarity, not for the calibration
set's mix of similarities.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> s = rng.uniform(0.1, 0.9, 2000)
>>> y_true = rng.normal(0, 1.5 - s)            # errors shrink as similarity grows
>>> calibrator = SimilarityConformal(coverage=0.9).fit(y_true, np.zeros(2000), s)
>>> lower, upper = calibrator.interval(np.zeros(2), np.array([0.15, 0.85]))
>>> bool(upper[0] - lower[0] > upper[1] - lower[1])   # far: wider
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["SimilarityConformal", "conformal_quantile"]


def conformal_quantile(scores: np.ndarray, coverage: float) -> float:
    """Split-conformal quantile: the ``ceil((n + 1) * coverage)``-th smallest score.

    With fewer than ``1 / (1 - coverage) - 1`` scores the quantile is infinite
    (no finite interval has the coverage asked for); it is then the largest score.

    >>> conformal_quantile(np.arange(1, 11), 0.9)
    10.0
    """
    scores = np.sort(np.abs(np.asarray(scores, dtype=float)))
    n = len(scores)
    if n == 0:
        return float("nan")
    rank = min(n, math.ceil((n + 1) * coverage))
    return float(scores[rank - 1])


class SimilarityConformal:
    """Normalized, Mondrian conformal intervals by similarity to the training set.

    Parameters
    ----------
    coverage : nominal coverage (0.9).
    n_strata : similarity strata for the Mondrian quantiles (4); the lowest is
        ``s < domain_threshold`` when one is given.
    min_per_stratum : fewest calibration molecules a stratum needs (its
        conformal quantile is finite and stable); smaller strata merge (100).
    n_difficulty_bins : bins of the difficulty step function (10).
    """

    def __init__(
        self,
        coverage: float = 0.9,
        n_strata: int = 4,
        min_per_stratum: int = 100,
        n_difficulty_bins: int = 10,
    ) -> None:
        self.coverage = coverage
        self.n_strata = n_strata
        self.min_per_stratum = min_per_stratum
        self.n_difficulty_bins = n_difficulty_bins

    # ----------------------------------------------------------------- fit
    def fit(
        self,
        y: np.ndarray,
        prediction: np.ndarray,
        similarity: np.ndarray,
        domain_threshold: float | None = None,
    ) -> SimilarityConformal:
        """Calibrate on out-of-fold predictions and their similarities; returns ``self``."""
        y, prediction, similarity = (
            np.asarray(v, dtype=float) for v in (y, prediction, similarity)
        )
        residual = np.abs(y - prediction)
        self.difficulty_edges_, self.difficulty_values_ = _difficulty_steps(
            similarity, residual, self.n_difficulty_bins
        )
        sigma = self.difficulty(similarity)
        score = residual / sigma
        self.strata_edges_ = _strata(
            similarity, self.n_strata, self.min_per_stratum, domain_threshold
        )
        stratum = self._stratum(similarity)
        self.quantiles_ = [
            conformal_quantile(score[stratum == k], self.coverage)
            for k in range(len(self.strata_edges_) + 1)
        ]
        self.n_calibration_ = len(y)
        self._build_steps()
        return self

    def _build_steps(self) -> None:
        """The half-width as one step function of similarity, never wider for a more
        similar molecule: where a stratum's quantile would make the width rise with
        similarity, the less similar side is widened (a wider interval never loses
        coverage)."""
        edges = np.union1d(self.difficulty_edges_, self.strata_edges_)
        # one representative similarity inside each piece between the edges
        inner = (edges[:-1] + edges[1:]) / 2 if len(edges) > 1 else np.array([])
        points = np.concatenate(
            [
                [edges[0] - 1.0] if len(edges) else [0.0],
                inner,
                [edges[-1] + 1.0] if len(edges) else [],
            ]
        )
        values = np.asarray(self.quantiles_)[self._stratum(points)] * self.difficulty(points)
        self.step_edges_ = edges
        self.step_values_ = np.maximum.accumulate(values[::-1])[::-1]

    def difficulty(self, similarity: np.ndarray) -> np.ndarray:
        """``sigma(s)``: the typical absolute error at each similarity (a step function)."""
        index = np.searchsorted(
            self.difficulty_edges_, np.asarray(similarity, dtype=float), side="right"
        )
        return np.asarray(self.difficulty_values_)[index]

    def _stratum(self, similarity: np.ndarray) -> np.ndarray:
        return np.searchsorted(
            self.strata_edges_, np.asarray(similarity, dtype=float), side="right"
        )

    def half_width(self, similarity: np.ndarray) -> np.ndarray:
        """Half the interval's width for molecules at these similarities (non-increasing)."""
        index = np.searchsorted(self.step_edges_, np.asarray(similarity, dtype=float), side="right")
        return self.step_values_[index]

    def interval(
        self, prediction: np.ndarray, similarity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(lower, upper)`` for predictions at these similarities."""
        half = self.half_width(similarity)
        prediction = np.asarray(prediction, dtype=float)
        return prediction - half, prediction + half

    # --------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able numbers (saved in a model's metadata)."""
        return {
            "method": "similarity_conformal",
            "coverage": self.coverage,
            "n_strata": self.n_strata,
            "min_per_stratum": self.min_per_stratum,
            "n_difficulty_bins": self.n_difficulty_bins,
            "difficulty_edges": [float(v) for v in self.difficulty_edges_],
            "difficulty_values": [float(v) for v in self.difficulty_values_],
            "strata_edges": [float(v) for v in self.strata_edges_],
            "quantiles": [float(v) for v in self.quantiles_],
            "n_calibration": int(self.n_calibration_),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> SimilarityConformal:
        """The calibrator :meth:`to_dict` wrote."""
        calibrator = cls(
            state["coverage"],
            state["n_strata"],
            state["min_per_stratum"],
            state["n_difficulty_bins"],
        )
        calibrator.difficulty_edges_ = np.asarray(state["difficulty_edges"], dtype=float)
        calibrator.difficulty_values_ = np.asarray(state["difficulty_values"], dtype=float)
        calibrator.strata_edges_ = np.asarray(state["strata_edges"], dtype=float)
        calibrator.quantiles_ = list(state["quantiles"])
        calibrator.n_calibration_ = state["n_calibration"]
        calibrator._build_steps()
        return calibrator


def _difficulty_steps(
    similarity: np.ndarray, residual: np.ndarray, n_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """A non-increasing step function of similarity: mean absolute residual per bin,
    made monotone by isotonic regression, floored at a fifth of the overall mean."""
    from sklearn.isotonic import IsotonicRegression

    n_bins = max(1, min(n_bins, len(similarity) // 50))
    edges = np.unique(np.quantile(similarity, np.linspace(0, 1, n_bins + 1)[1:-1]))
    index = np.searchsorted(edges, similarity, side="right")
    centres, means, weights = [], [], []
    for k in range(len(edges) + 1):
        members = index == k
        if members.any():
            centres.append(float(np.median(similarity[members])))
            means.append(float(np.mean(residual[members])))
            weights.append(int(members.sum()))
    fitted = IsotonicRegression(increasing=False).fit(centres, means, sample_weight=weights)
    values = fitted.predict(centres)
    floor = max(0.2 * float(np.mean(residual)), 1e-9)
    steps = np.maximum(values, floor)
    # Bins emptied by ties keep the step of the bin below.
    full = np.empty(len(edges) + 1)
    present = [k for k in range(len(edges) + 1) if (index == k).any()]
    for k in range(len(edges) + 1):
        nearest = min(present, key=lambda p: abs(p - k))
        full[k] = steps[present.index(nearest)]
    return edges, full


def _strata(
    similarity: np.ndarray, n_strata: int, min_size: int, domain_threshold: float | None
) -> np.ndarray:
    """Edges of the similarity strata: quantiles, the domain threshold first, merged to size."""
    n = len(similarity)
    edges = list(np.quantile(similarity, np.linspace(0, 1, n_strata + 1)[1:-1]))
    if domain_threshold is not None:
        edges = [float(domain_threshold)] + [e for e in edges if e > domain_threshold]
    edges = sorted(set(float(e) for e in edges))
    # Merge strata smaller than min_size into their upper neighbour (the lowest keeps
    # its edge as long as it can: it holds the out-of-domain molecules).
    while edges:
        counts = np.bincount(
            np.searchsorted(edges, similarity, side="right"), minlength=len(edges) + 1
        )
        small = [k for k, c in enumerate(counts) if c < min_size]
        if not small or n < 2 * min_size:
            break
        k = small[0]
        edges.pop(min(k, len(edges) - 1))
    if n < 2 * min_size:
        edges = []
    return np.asarray(edges, dtype=float)
