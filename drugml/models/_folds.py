"""The scaffold-grouped calibration folds of :meth:`PropertyModel.fit
<drugml.models.PropertyModel.fit>`: building them, fitting them (side by side where that
pays), gathering their out-of-fold predictions and, for a menu backend, choosing among its
candidates by those predictions: the ensemble unless a member beats it beyond noise
(:func:`select_candidate`).

>>> held_out_mask([1, 3], 4).tolist()
[False, True, False, True]
>>> fold_count(5, ["a", "b", "a", "c"])
3
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from drugml.models._calibration import inverse_transform
from drugml.models._domain import neighbour_similarities
from drugml.models._errors import ModelInputError
from drugml.models.backends import ModelBackend, MultiInput

__all__ = [
    "BOOTSTRAP_DRAWS",
    "BOOTSTRAP_SEED",
    "MIN_SCAFFOLDS_TO_RESAMPLE",
    "NOISE_STANDARD_ERRORS",
    "SELECTION_RULE",
    "OutOfFold",
    "calibration_folds",
    "candidate_predictions",
    "fit_calibration_folds",
    "fit_progress",
    "fold_count",
    "held_out_mask",
    "keep_best",
    "out_of_fold_table",
    "rows",
    "run_jobs",
    "select_candidate",
    "weighted_roc_auc",
]

#: A fold: the positions it trains on and the positions it predicts.
Fold = tuple[np.ndarray, np.ndarray]


class OutOfFold(NamedTuple):
    """Each molecule predicted by the fold that left it out: the prediction, the similarity
    to the nearest and the mean to the nearest few training molecules of that fold, the
    fold's number, and (menu backends) each member's prediction by name."""

    prediction: np.ndarray
    similarity: np.ndarray
    local: np.ndarray
    fold: np.ndarray
    members: dict[str, np.ndarray]


def rows(inputs: Any, index: np.ndarray) -> Any:
    """The rows ``index`` of a backend's input: a (sparse) matrix, a list or a MultiInput."""
    if isinstance(inputs, MultiInput):
        return inputs.rows(index)
    return [inputs[i] for i in index] if isinstance(inputs, list) else inputs[index]


def held_out_mask(held_out: Any, n: int) -> np.ndarray:
    """Positions or a boolean mask of ``n`` inputs as a boolean mask."""
    values = np.asarray(list(held_out) if not isinstance(held_out, np.ndarray) else held_out)
    if values.dtype == bool:
        if len(values) != n:
            raise ModelInputError(f"held_out has {len(values)} flags for {n} molecules")
        return values
    mask = np.zeros(n, dtype=bool)
    mask[values.astype(int)] = True
    return mask


def fold_count(requested: int, groups: Sequence[str]) -> int:
    """The folds there can be: ``requested``, or fewer where there are fewer scaffolds."""
    n_folds = min(requested, len(set(groups)))
    if n_folds < 2:
        raise ModelInputError("All molecules share one scaffold: calibration needs at least two.")
    return n_folds


def calibration_folds(
    n_folds: int,
    targets: np.ndarray,
    groups: Sequence[str],
    test_fold: np.ndarray | None,
    task: str,
) -> list[Fold]:
    """``n_folds`` folds grouped by scaffold; with ``test_fold``, it is the first fold and the
    other molecules make the others."""
    from sklearn.model_selection import GroupKFold

    n = len(targets)
    if test_fold is None:
        folds = list(GroupKFold(n_splits=n_folds).split(np.zeros(n), targets, groups))
    else:
        rest = np.flatnonzero(~test_fold)
        if not test_fold.any() or len(set(groups[i] for i in rest)) < n_folds - 1:
            raise ModelInputError(
                f"held_out must leave {n_folds - 1} scaffolds for the other "
                f"folds and hold out at least one usable molecule"
            )
        inner = GroupKFold(n_splits=n_folds - 1).split(
            rest, targets[rest], [groups[i] for i in rest]
        )
        held = np.flatnonzero(test_fold)
        folds = [
            (rest, held),
            *((np.sort(np.concatenate([rest[a], held])), rest[b]) for a, b in inner),
        ]
    for train, _ in folds:
        if task == "classification" and len(np.unique(targets[train])) < 2:
            raise ModelInputError("A calibration fold has a single class; too few of one class.")
    return folds


def fit_calibration_folds(
    backend: ModelBackend,
    inputs: Any,
    targets: np.ndarray,
    bits: np.ndarray,
    folds: list[Fold],
    *,
    task: str,
    params: dict[str, Any],
    random_state: int,
    n_jobs: int,
    bar: Any,
) -> tuple[OutOfFold, Any]:
    """Each fold's out-of-fold predictions, and the final model fitted on every molecule."""

    def fit_on(index: np.ndarray | None, threads: int) -> Any:
        """The backend's estimator fitted on the rows ``index`` (None: all of them)."""
        return backend.fit(
            inputs if index is None else rows(inputs, index),
            targets if index is None else targets[index],
            task=task,
            params=dict(params),
            random_state=random_state,
            threads=threads,
        )

    def fit_fold(fold: Fold | None, threads: int) -> Any:
        """One fold's out-of-fold predictions, or (fold=None) the final model."""
        if fold is None:
            return fit_on(None, threads)
        train, test = fold
        fitted, test_rows = fit_on(train, threads), rows(inputs, test)
        # A menu backend gives every member's predictions, to choose among them.
        predict = getattr(backend, "predict_members", backend.predict)
        raw = predict(fitted, test_rows, task=task)
        return test, raw, *neighbour_similarities(bits[test], bits[train])

    jobs = [*folds, None]  # the final model is one more job
    bar.set_postfix_str(f"fitting {len(folds)} calibration folds and the final model")
    results = run_jobs(fit_fold, jobs, n_jobs, backend.parallel_folds, bar)
    return _gather(results[:-1], len(targets)), results[-1]


def _gather(results: list, n: int) -> OutOfFold:
    """The folds' results as one prediction per molecule."""
    oof = OutOfFold(np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=int), {})
    for fold, (test, raw, similarity, local) in enumerate(results):
        if isinstance(raw, dict):
            for name, values in raw.items():
                oof.members.setdefault(name, np.empty(n))[test] = values
        else:
            oof.prediction[test] = raw
        oof.similarity[test] = similarity
        oof.local[test] = local
        oof.fold[test] = fold
    return oof


def out_of_fold_table(
    oof: OutOfFold, prediction: np.ndarray, original_targets: np.ndarray, transform: str | None
) -> Any:
    """What calibration learned from (``cv_predictions_``): each molecule predicted by the fold
    that left it out, on the original scale; with a menu, every candidate's predictions too
    (``prediction_<name>``)."""
    import pandas as pd

    table = pd.DataFrame(
        {
            "target": original_targets,
            "prediction": inverse_transform(transform, prediction),
            "nearest_similarity": oof.similarity,
            "local_similarity": oof.local,
            "fold": oof.fold,
        }
    )
    for name, values in (candidate_predictions(oof.members) if oof.members else {}).items():
        table[f"prediction_{name}"] = inverse_transform(transform, values)
    return table


def run_jobs(function: Callable, jobs: list, n_jobs: int, on_threads: bool, bar: Any) -> list:
    """``[function(job, threads) for job in jobs]``, on ``n_jobs`` threads where that pays.

    ``on_threads``: the backend's fits release the GIL (``parallel_folds``).
    Two single-threaded XGBoost fits side by side do 1.85x the work of one
    fit on two threads (which splits each tree's small histograms). Each fit
    is then single-threaded whatever ``n_jobs`` is, so its result does not
    depend on ``n_jobs``.
    """
    done = [0]

    def finished(*_args: Any) -> None:
        done[0] += 1
        # the jobs are the calibration folds and the final model: count them as one
        bar.set_postfix_str(
            f"{done[0]} of {len(jobs)} fits done ({len(jobs) - 1} calibration "
            "folds + the final model)",
            refresh=False,
        )
        bar.update()

    if n_jobs == 1 or not on_threads:
        results = []
        for job in jobs:
            results.append(function(job, n_jobs))
            finished()
        return results
    from concurrent.futures import ThreadPoolExecutor

    workers = len(jobs) if n_jobs < 0 else min(n_jobs, len(jobs))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, job, 1) for job in jobs]
        for future in futures:
            future.add_done_callback(finished)
        return [future.result() for future in futures]


def fit_progress(progress: bool | str, steps: int, n_molecules: int) -> Any:
    """The bar of :meth:`PropertyModel.fit`: featurize, each fold, the final model."""
    from tqdm.auto import tqdm

    label = progress if isinstance(progress, str) else "PropertyModel.fit"
    return tqdm(
        total=steps,
        desc=f"{label} ({n_molecules:,} molecules)",
        unit="step",
        disable=not progress,
        bar_format="{l_bar}{bar}| {n}/{total} [{elapsed}{postfix}]",
    )


def candidate_predictions(member_oof: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each member's out-of-fold predictions, and their mean (the ensemble)."""
    from drugml.models.backends.auto_backend import ENSEMBLE

    return {**member_oof, ENSEMBLE: np.mean(list(member_oof.values()), axis=0)}


def keep_best(
    backend: ModelBackend,
    final: Any,
    oof: OutOfFold,
    targets: np.ndarray,
    test_fold: np.ndarray | None,
    task: str,
    groups: Sequence[str] | None = None,
) -> tuple[Any, dict[str, Any] | None, np.ndarray]:
    """``(estimator, selection, predictions)``: the final model (a menu's cut down to the
    candidate :func:`select_candidate` keeps), the menu's scores and the choice (None for one
    estimator), and the out-of-fold predictions of what was kept. ``groups``: each
    molecule's scaffold, the unit the selection's noise is resampled over."""
    if not oof.members:
        return final, None, oof.prediction
    # Chosen on the calibration folds only: a held-out test fold is never looked at.
    scored = ~test_fold if test_fold is not None else np.ones(len(targets), dtype=bool)
    choice, selection = select_candidate(oof.members, targets, scored, task, groups)
    return backend.restrict(final, choice), selection, candidate_predictions(oof.members)[choice]


#: How :func:`select_candidate` chooses, in words (``selection["rule"]``).
SELECTION_RULE = "ensemble unless a member beats it beyond noise"
#: Paired bootstrap draws of a member's advantage over the ensemble, and their fixed seed.
BOOTSTRAP_DRAWS = 200
BOOTSTRAP_SEED = 0
#: A member wins when its advantage minus this many bootstrap standard errors is above 0.
NOISE_STANDARD_ERRORS = 2.0
#: Fewer scaffolds than this among the scored molecules: resample molecules instead.
MIN_SCAFFOLDS_TO_RESAMPLE = 20


def select_candidate(
    member_oof: Mapping[str, np.ndarray],
    targets: np.ndarray,
    scored: np.ndarray,
    task: str,
    groups: Sequence[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The ensemble (the members' mean), unless a single member beats it beyond noise.

    Every candidate is scored on the ``scored`` out-of-fold predictions (RMSE for
    regression, ROC-AUC for classification). A member's *advantage* is how much better
    than the ensemble it scores (ROC-AUC: member - ensemble; RMSE: ensemble - member).
    Its noise is measured on the same predictions: a paired bootstrap
    (:data:`BOOTSTRAP_DRAWS` draws, seed :data:`BOOTSTRAP_SEED`, the same draws for
    every candidate) over the scaffolds ``groups`` (over molecules without them or with
    fewer than :data:`MIN_SCAFFOLDS_TO_RESAMPLE` scaffolds). The member wins only if its
    advantage minus :data:`NOISE_STANDARD_ERRORS` bootstrap standard errors is above
    zero; of several winners the best scoring one (ties: menu order) is kept.

    Why: the members' pooled scores differ by a few thousandths where the folds' noise is
    larger, and a member that wins by noise on the folds loses on rarer scaffolds (a
    random forest kept for 0.889 against the mean's 0.886 out of fold reached 0.814 on
    held-out scaffolds, where the kNN reached 0.870 and the mean held up).

    >>> rng = np.random.default_rng(1)
    >>> y = rng.normal(size=400)
    >>> members = {"a": y + rng.normal(0, 0.5, 400), "b": y + rng.normal(0, 0.5, 400)}
    >>> select_candidate(members, y, np.ones(400, dtype=bool), "regression")[0]
    'mean'
    """
    from drugml.models.backends.auto_backend import ENSEMBLE

    candidates = {c: p[scored] for c, p in candidate_predictions(member_oof).items()}
    y = targets[scored]
    regression = task == "regression"
    scores = {c: _score(y, p, regression) for c, p in candidates.items()}
    units, unit_name = _resampling_units(groups, scored)
    weights = _bootstrap_weights(units)
    draws = {c: _weighted_score(y, p, weights, regression) for c, p in candidates.items()}
    sign = -1.0 if regression else 1.0  # advantage > 0: the member is better
    advantage_is = "ensemble RMSE - member RMSE" if regression else "member - ensemble ROC-AUC"
    differences = {
        member: _advantage(
            sign * (scores[member] - scores[ENSEMBLE]), sign * (draws[member] - draws[ENSEMBLE])
        )
        for member in member_oof
    }
    winners = [m for m in member_oof if differences[m]["beyond_noise"]]
    order = list(candidates)
    choice = (
        max(winners, key=lambda m: (round(sign * scores[m], 12), -order.index(m)))
        if winners
        else ENSEMBLE
    )
    return choice, {
        "chosen": choice,
        "rule": SELECTION_RULE,
        "metric": "rmse" if regression else "roc_auc",
        "scores": scores,
        "differences": differences,
        "noise": f"paired bootstrap over the {len(np.unique(units)):,} {unit_name} "
        f"({BOOTSTRAP_DRAWS} draws, seed {BOOTSTRAP_SEED}); a member wins when its advantage "
        f"({advantage_is}) minus {NOISE_STANDARD_ERRORS:g} bootstrap standard errors is above "
        "zero",
        "n_molecules": int(scored.sum()),
        "how": "out-of-fold predictions of the scaffold-grouped calibration folds of the "
        "training data (a held-out test fold excluded)",
    }


def _advantage(advantage: float, paired: np.ndarray) -> dict[str, Any]:
    """A member's ``advantage`` over the ensemble, its bootstrap standard error (from the
    ``paired`` draws of the same difference), its lower bound and whether that is above 0."""
    paired = paired[np.isfinite(paired)]  # a draw with one class has no ROC-AUC
    error = float(np.std(paired, ddof=1)) if len(paired) > 1 else float("inf")
    # advantage - 2 SE rather than the 2.5 % quantile of the draws: with 200 draws that
    # quantile rests on the 5 lowest and moves with the seed; the standard error uses every
    # draw, and a paired difference of ROC-AUCs or RMSEs over hundreds of molecules is close
    # to normal, so this bound (one-sided, about 97.7 %) is the steadier for the same cost.
    lower = advantage - NOISE_STANDARD_ERRORS * error
    return {
        "difference": advantage,
        "standard_error": error,
        "lower_bound": lower,
        "beyond_noise": bool(lower > 0),
    }


def _score(y: np.ndarray, prediction: np.ndarray, regression: bool) -> float:
    """RMSE (regression) or ROC-AUC of the predictions, as :mod:`drugml.models.metrics` has them."""
    if regression:
        return float(np.sqrt(np.mean((prediction - y) ** 2)))
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, prediction))


def _resampling_units(groups: Sequence[str] | None, scored: np.ndarray) -> tuple[np.ndarray, str]:
    """Each scored molecule's unit of the bootstrap (codes 0..k-1) and what the units are."""
    if groups is not None:
        _, codes = np.unique(np.asarray(groups, dtype=object)[scored], return_inverse=True)
        if codes.max(initial=-1) + 1 >= MIN_SCAFFOLDS_TO_RESAMPLE:
            return codes, "scaffolds"
    return np.arange(int(scored.sum())), "molecules"


def _bootstrap_weights(units: np.ndarray) -> np.ndarray:
    """``(draws, molecules)``: how often each molecule is drawn, whole units at a time."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n_units = int(units.max(initial=-1)) + 1
    picks = rng.integers(0, n_units, size=(BOOTSTRAP_DRAWS, n_units))
    picks += n_units * np.arange(BOOTSTRAP_DRAWS)[:, None]
    counts = np.bincount(picks.ravel(), minlength=BOOTSTRAP_DRAWS * n_units)
    return counts.reshape(BOOTSTRAP_DRAWS, n_units)[:, units].astype(float)


def _weighted_score(
    y: np.ndarray, prediction: np.ndarray, weights: np.ndarray, regression: bool
) -> np.ndarray:
    """The score of each bootstrap draw (a row of ``weights``): RMSE, or ROC-AUC by ranks."""
    if regression:
        return np.sqrt(weights @ (prediction - y) ** 2 / weights.sum(axis=1))
    return weighted_roc_auc(y, prediction, weights)


def weighted_roc_auc(y: np.ndarray, score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC of ``score`` for each row of ``weights`` (molecule multiplicities), ties
    counted half; NaN for a row that weights one class only.

    One sort serves every row: 200 draws of 12,000 molecules take about 0.06 s, where 200
    calls of scikit-learn's ``roc_auc_score`` take about 2 s.

    >>> weighted_roc_auc(np.array([0, 1, 0, 1]), np.array([0.1, 0.4, 0.45, 0.8]),
    ...                  np.ones((1, 4))).tolist()
    [0.75]
    """
    order = np.argsort(score, kind="stable")
    ranked, positive = score[order], np.asarray(y, dtype=bool)[order]
    weights = weights[:, order]
    # tied scores form one block: a positive and a negative in the same block count half
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    pos = np.add.reduceat(weights * positive, starts, axis=1)
    neg = np.add.reduceat(weights * ~positive, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pos * (below + 0.5 * neg)).sum(axis=1) / (pos.sum(axis=1) * neg.sum(axis=1))
