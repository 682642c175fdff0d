"""Replay the design loop on measured data: how fast does an acquisition find the best?

:func:`simulate_active_learning` starts from a random fraction of a data set whose values are
all known, then, round after round, refits the surrogate on the molecules "measured" so far,
predicts the others, and lets :func:`~drugml.design.next_batch` (the function users call,
same settings, same diversity) pick the next batch, whose values are then revealed. After
each round it records the fraction of the best molecules found (the top 1 % and 5 % of a
regression target; the positives of a classification one) and the best value found.

Example
-------
>>> from drugml import data
>>> egfr = data.load("egfr_compounds").head(120)
>>> curve = simulate_active_learning(egfr.smiles, egfr.pIC50, strategy="random",
...                                  initial_fraction=0.1, batch_fraction=0.1, rounds=2)
>>> curve[["round", "evaluated"]].values.tolist()
[[0, 12], [1, 24], [2, 36]]
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml import schema
from drugml.design._acquisition import get_acquisition
from drugml.design._errors import PoolError
from drugml.design._next_batch import NextBatchSettings, next_batch

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LOOP_COLUMNS",
    "MIN_TRAINING_VALUES",
    "default_surrogate",
    "simulate_active_learning",
]

#: Fewest measured values the first model is fitted on (and, for classification, both
#: classes among them).
MIN_TRAINING_VALUES = 10
#: The model name the simulated pool's columns carry (``objective_prediction``, ...).
OBJECTIVE = "objective"
#: Columns of the table :func:`simulate_active_learning` returns, one row per round.
LOOP_COLUMNS: dict[str, str] = {
    "strategy": "the acquisition that picked the batches",
    "seed": "seed of the random start (and of the acquisition's draws)",
    "round": "0: the random start; then one row per batch",
    "evaluated": "molecules measured so far",
    "evaluated_fraction": "molecules measured so far, as a fraction of the data set",
    "found_top_<q>pct": "fraction of the top q % (by measured value) found so far (regression)",
    "found_positives": "fraction of the positives found so far (classification)",
    "best_value": "best measured value found so far",
    "fit_seconds": "time to refit the surrogate and predict the rest (0: no model used)",
    "seconds": "time of the round: fit, predict and pick",
}


def default_surrogate(task: str = "regression", seed: int = 0, n_jobs: int = 1) -> Any:
    """The model the loop refits each round unless given one: a :class:`PropertyModel`.

    A random forest (300 trees, ``log2`` features per split) on drugml's default features
    (ECFP4 counts and physchem descriptors), with two calibration folds and the values as
    given (no log transform): the campaign's conformal intervals and domain, at a cost that
    lets a benchmark refit it hundreds of times (about 1.5 s on 500 molecules, one core).
    Tried on EGFR with greedy picks (five seeds, 10 % evaluated), it found about 72 % of
    the top 1 %, XGBoost (200 trees) about 51 %, the Tanimoto kNN 55 %, and the mean of
    XGBoost, a forest and the kNN 70 % at twice the cost.

    >>> default_surrogate().estimator
    'random_forest'
    """
    from drugml.models import PropertyModel

    return PropertyModel(
        task=task,
        estimator="random_forest",
        estimator_params={"n_estimators": 300, "max_features": "log2"},
        calibration_folds=2,
        random_state=seed,
        n_jobs=n_jobs,
        target_transform=None,
    )


def simulate_active_learning(
    smiles: Sequence[Any],
    y: Sequence[float],
    *,
    strategy: str | NextBatchSettings,
    task: str = "regression",
    initial_fraction: float = 0.01,
    batch_fraction: float = 0.01,
    rounds: int = 9,
    seed: int = 0,
    model: Any = None,
    top_fractions: Sequence[float] = (0.01, 0.05),
    progress: bool = False,
) -> pd.DataFrame:
    """One run of the retrospective loop; one row per round (:data:`LOOP_COLUMNS`).

    ``strategy``: an acquisition name, or :class:`NextBatchSettings` (its ``k`` and ``seed``
    are set by the loop: ``ceil(batch_fraction * n)`` and ``seed``); ``model``: an unfitted
    :class:`~drugml.models.PropertyModel` cloned each round (default
    :func:`default_surrogate`); each round draws (Thompson, random) from its own seed, made
    from ``seed`` and the round; ``top_fractions``: the top fractions whose recovery is
    counted (regression; the top ``q`` are the molecules at least as good as the
    ``ceil(q n)``-th best). For PI without a threshold, the threshold each round is the best
    value measured so far. ``progress``: print one line per round. An acquisition that
    reads no model (``random``) fits none. The
    first rounds fit on few molecules: :class:`~drugml.models.PropertyModel`'s warning that
    fewer than 50 calibrate the intervals roughly is expected there and not repeated.

    Rows whose SMILES do not parse, or whose value is missing, are left out before the
    start and counted in ``result.attrs["skipped"]``. :class:`~drugml.design.PoolError`
    before any work: fewer than :data:`MIN_TRAINING_VALUES` molecules in the random start,
    one class only, or more molecules asked for than the data set has.
    """
    from drugml.chem import to_mol

    settings = _loop_settings(strategy, seed)
    mols, values, kept = _clean(smiles, y, task, to_mol)
    n = len(values)
    n_start, k = math.ceil(initial_fraction * n), math.ceil(batch_fraction * n)
    _check_plan(n, n_start, k, rounds, values, task)
    rng = np.random.default_rng(seed)
    evaluated = np.zeros(n, dtype=bool)
    evaluated[rng.choice(n, n_start, replace=False)] = True
    _check_start(values[evaluated], task)
    tops = _top_sets(values, task, top_fractions)
    inputs = _Inputs(mols, smiles=[str(s) for s in np.asarray(smiles, dtype=object)[kept]])
    surrogate = model if model is not None else default_surrogate(task, seed)
    uses_model = get_acquisition(settings.acquisition).uses_model
    rows = [_row(settings, seed, 0, evaluated, values, tops, 0.0, 0.0)]
    for round_ in range(1, rounds + 1):
        start = time.perf_counter()
        pool, fit_seconds = inputs.pool(surrogate if uses_model else None, evaluated, values, task)
        round_settings = _round_settings(settings, k, round_, evaluated, values, task)
        batch = next_batch(pool, OBJECTIVE, round_settings, task=task)
        evaluated[batch.index.to_numpy()] = True
        seconds = time.perf_counter() - start
        rows.append(_row(settings, seed, round_, evaluated, values, tops, fit_seconds, seconds))
        if progress:
            print(_progress_line(rows[-1]), flush=True)
    return _table(rows, n, int((~kept).sum()))


def _replace(settings: NextBatchSettings, **changes: Any) -> NextBatchSettings:
    import dataclasses

    return dataclasses.replace(settings, **changes)


def _round_settings(
    settings: NextBatchSettings,
    k: int,
    round_: int,
    evaluated: np.ndarray,
    values: np.ndarray,
    task: str,
) -> NextBatchSettings:
    """One round's settings: its batch size, its own seed for the draws (from the run's seed
    and the round), and for PI without a threshold the best value measured so far."""
    seed = int(np.random.SeedSequence([settings.seed, round_]).generate_state(1)[0])
    changes: dict[str, Any] = {"k": k, "seed": seed}
    if settings.acquisition == "pi" and settings.threshold is None and task == "regression":
        changes["threshold"] = float(values[evaluated].max())
    return _replace(settings, **changes)


def _loop_settings(strategy: str | NextBatchSettings, seed: int) -> NextBatchSettings:
    if isinstance(strategy, NextBatchSettings):
        return _replace(strategy, seed=seed)
    return NextBatchSettings(acquisition=strategy, seed=seed)


def _clean(smiles: Sequence[Any], y: Sequence[float], task: str, to_mol: Any) -> tuple:
    """``(molecules, values, kept mask)``: rows with a parsed molecule and a value."""
    smiles = list(smiles)
    values = np.asarray(y, dtype=float)
    if len(smiles) != len(values):
        raise PoolError(f"smiles and y differ in length: {len(smiles)} and {len(values)}")
    if task not in schema.TASKS:
        raise PoolError(f"task must be one of {schema.TASKS}, got {task!r}")
    mols = [to_mol(s) if isinstance(s, str) else None for s in smiles]
    kept = np.array([m is not None for m in mols]) & np.isfinite(values)
    if task == "classification" and not np.isin(values[kept], (0.0, 1.0)).all():
        raise PoolError("classification values must be 0 or 1 (or bool)")
    return [m for m, keep in zip(mols, kept, strict=True) if keep], values[kept], kept


def _check_plan(n: int, n_start: int, k: int, rounds: int, values: np.ndarray, task: str) -> None:
    if k < 1 or rounds < 0:
        raise PoolError(f"batch_fraction must be > 0 and rounds >= 0, got a batch of {k} and "
                        f"{rounds} rounds")  # fmt: skip
    if n_start < MIN_TRAINING_VALUES:
        raise PoolError(
            f"The random start holds {n_start} molecules ({n} usable values); a model needs "
            f"at least {MIN_TRAINING_VALUES}: raise initial_fraction or give more data"
        )
    if n_start + rounds * k > n:
        raise PoolError(
            f"{n_start} to start and {rounds} rounds of {k} need {n_start + rounds * k} "
            f"molecules; the data set has {n} usable: fewer rounds or smaller batches"
        )
    if task == "classification" and len(np.unique(values)) < 2:
        raise PoolError("The values hold one class only: there is nothing to find")


def _check_start(start: np.ndarray, task: str) -> None:
    if task == "classification" and len(np.unique(start)) < 2:
        raise PoolError(
            f"The random start ({len(start)} molecules) holds one class only: a classifier "
            "cannot be fitted; raise initial_fraction or change the seed"
        )


def _top_sets(values: np.ndarray, task: str, fractions: Sequence[float]) -> dict[str, np.ndarray]:
    """Column name -> mask of the molecules to find."""
    if task == "classification":
        return {"found_positives": values == 1}
    ordered = np.sort(values)[::-1]
    tops = {}
    for q in fractions:
        cutoff = ordered[max(1, math.ceil(q * len(values))) - 1]
        tops[f"found_top_{100 * q:g}pct"] = values >= cutoff
    return tops


def _row(
    settings: NextBatchSettings,
    seed: int,
    round_: int,
    evaluated: np.ndarray,
    values: np.ndarray,
    tops: dict[str, np.ndarray],
    fit_seconds: float,
    seconds: float,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "strategy": settings.acquisition,
        "seed": seed,
        "round": round_,
        "evaluated": int(evaluated.sum()),
        "evaluated_fraction": float(evaluated.mean()),
    }
    for column, top in tops.items():
        row[column] = float((evaluated & top).sum() / top.sum())
    row["best_value"] = float(values[evaluated].max())
    row["fit_seconds"] = round(fit_seconds, 3)
    row["seconds"] = round(seconds, 3)
    return row


def _progress_line(row: dict[str, Any]) -> str:
    found = ", ".join(f"{k} {v:.2f}" for k, v in row.items() if k.startswith("found_"))
    return (
        f"{row['strategy']} seed {row['seed']} round {row['round']}: {row['evaluated']} "
        f"evaluated, {found}, best {row['best_value']:.2f} ({row['seconds']:.1f} s)"
    )


def _table(rows: list[dict[str, Any]], n: int, skipped: int) -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame(rows)
    table.attrs.update(n=n, skipped=skipped)
    return table


#: The features of the last data set featurized: ``(featurizer key, SMILES digest) -> matrix``.
#: Runs of several strategies and seeds on one data set (a benchmark) featurize it once.
_FEATURES: dict[tuple[str, str], np.ndarray] = {}


class _Inputs:
    """The data set's molecules with what every round reuses: the domain fingerprints, and
    the features of each featurizer state (a featurizer that learns nothing gives the same
    matrix every round, so it is computed once, and kept for the next run on the same
    molecules)."""

    def __init__(self, mols: list, smiles: list[str]) -> None:
        import hashlib

        from drugml.featurize import bit_fingerprints, fingerprint_bits

        self.mols = mols
        self.smiles = np.asarray(smiles, dtype=object)
        self.digest = hashlib.sha256("\n".join(smiles).encode()).hexdigest()
        self.fps = bit_fingerprints(mols, radius=2, n_bits=2048)
        self.bits = fingerprint_bits(self.fps)

    def pool(
        self, surrogate: Any, evaluated: np.ndarray, values: np.ndarray, task: str
    ) -> tuple[pd.DataFrame, float]:
        """The unevaluated molecules with the refitted model's columns (index: positions)."""
        import pandas as pd

        rest = np.flatnonzero(~evaluated)
        pool = pd.DataFrame({"smiles": self.smiles[rest]}, index=rest)
        if surrogate is None:  # an acquisition that reads no model: constant columns
            for column in schema.model_columns(OBJECTIVE, task):
                pool[column] = 0.0
            return pool, 0.0
        start = time.perf_counter()
        model = _clone(surrogate)
        train = np.flatnonzero(evaluated)
        with warnings.catch_warnings():  # said once in the docstring, not in every round
            warnings.filterwarnings("ignore", message=r"PropertyModel: \d+ usable molecules")
            model.fit([self.mols[i] for i in train], values[train])
        predicted = model.predict_mols(
            [self.mols[i] for i in rest],
            features=self.features(model, rest),
            domain_fingerprints=[self.fps[i] for i in rest],
            domain_bits=self.bits[rest],
        )
        for output in predicted.columns:
            if output in schema.MODEL_OUTPUTS:
                pool[schema.model_column(OBJECTIVE, output)] = predicted[output].to_numpy()
        return pool, time.perf_counter() - start

    def features(self, model: Any, rows: np.ndarray) -> np.ndarray | None:
        """The fitted model's features of ``rows`` (None: the model reads no features)."""
        if getattr(model, "featurizer_", None) is None:
            return None
        try:
            key = model.featurizer_key()
        except Exception:  # a featurizer without a spec (graphs): featurize these rows now
            key = None
        if key is None:
            return model.featurizer_.transform([self.mols[i] for i in rows])
        if (key, self.digest) not in _FEATURES:
            _FEATURES.clear()  # the last featurizer state and data set only
            _FEATURES[key, self.digest] = model.featurizer_.transform(self.mols)
        return _FEATURES[key, self.digest][rows]


def _clone(model: Any) -> Any:
    from sklearn.base import clone

    return clone(model)
