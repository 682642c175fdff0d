"""The next batch to test: ``k`` molecules of a pool chosen by an acquisition function, diverse.

A pool is a screen or ranking table (the library, the analogue proposals, or both) with
drugml's model columns (:func:`drugml.schema.model_columns`). For one model, the
*objective*, each molecule gets an expected value and an uncertainty:

- regression: the prediction, and sigma = (upper - lower) / (2 z), z the normal quantile
  of the interval's two-sided coverage (0.9: z = 1.645), so a conformal interval that
  widens away from the training data gives a larger sigma;
- classification: the calibrated probability, and sigma = sqrt(p (1 - p)) (the standard
  deviation of a Bernoulli outcome: largest at p = 0.5).

The acquisition (:mod:`drugml.design._acquisition`) turns both into one value; molecules are
taken in that order, each skipped when too close to an earlier pick (``diversity``). The
ranking's hard filters, and rows without a prediction, are excluded first and counted
(``result.attrs["excluded"]``), never dropped silently.

Example
-------
>>> import pandas as pd
>>> pool = pd.DataFrame({
...     "smiles": ["CCO", "CCCO", "c1ccccc1O", "c1ccncc1", "CC(=O)O"],
...     "potency_prediction": [6.0, 6.1, 7.0, 7.0, 5.0],
...     "potency_lower": [5.5, 5.0, 6.5, 5.5, 4.0],
...     "potency_upper": [6.5, 7.2, 7.5, 8.5, 6.0]})
>>> batch = next_batch(pool, "potency", k=2, acquisition="ucb")
>>> batch["smiles"].tolist()
['c1ccncc1', 'c1ccccc1O']
>>> batch["pick_reason"].iloc[0]
'UCB 7.91 = predicted 7.00 + 1.0 × σ 0.91; first pick'
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml import schema
from drugml._util.settings import with_options
from drugml.design._acquisition import Acquisition, get_acquisition
from drugml.design._batch_settings import DEFAULT_ACQUISITION, DIVERSITY_MODES, NextBatchSettings
from drugml.design._errors import DesignError, NextBatchOptionError, PoolError

if TYPE_CHECKING:
    import pandas as pd

    from drugml.screening.ranking_config import RankingSource

__all__ = [
    "DEFAULT_ACQUISITION",
    "DIVERSITY_MODES",
    "NextBatchOptionError",
    "NextBatchSettings",
    "Objective",
    "batch_summary",
    "next_batch",
    "objective_values",
]


@dataclass(frozen=True)
class Objective:
    """The columns one model's objective reads in a pool, and how sigma follows from them.

    >>> Objective.of("potency", "regression").value
    'potency_prediction'
    >>> Objective.of("herg", "classification").interval
    ()
    """

    model: str
    task: str
    value: str
    interval: tuple[str, ...]
    in_domain: str

    @classmethod
    def of(cls, model: str, task: str) -> Objective:
        """The objective of model ``model`` of ``task`` (its columns from :mod:`drugml.schema`)."""
        if task not in schema.TASKS:
            raise DesignError(f"task must be one of {schema.TASKS}, got {task!r}")
        interval = tuple(
            schema.model_column(model, o) for o in ("lower", "upper") if task == "regression"
        )
        in_domain = schema.model_column(model, "in_domain")
        return cls(model, task, schema.prediction_column(model, task), interval, in_domain)

    def check(self, pool: pd.DataFrame) -> None:
        """:class:`PoolError` naming the model columns the pool has when one is missing."""
        missing = [c for c in (self.value, *self.interval) if c not in pool.columns]
        if not missing:
            return
        models = schema.models_in_columns(pool.columns)
        have = ", ".join(f"{m} ({t})" for m, t in models.items()) or "none"
        candidates = [c for c in pool.columns if str(c).endswith(("_prediction", "_probability"))]
        raise PoolError(
            f"The pool has no column {', '.join(missing)} for objective {self.model!r} "
            f"({self.task}); models in the pool: {have}; prediction columns: "
            f"{', '.join(map(str, candidates)) or 'none'}"
        )


def objective_values(
    pool: pd.DataFrame, objective: Objective, coverage: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(expected value, sigma)`` of each row (NaN where the model gave nothing).

    >>> import pandas as pd
    >>> pool = pd.DataFrame({"p_probability": [0.5, 0.9]})
    >>> objective_values(pool, Objective.of("p", "classification"), 0.9)[1].round(2).tolist()
    [0.5, 0.3]
    """
    from scipy.special import ndtri

    mean = pool[objective.value].to_numpy(dtype=float)
    if objective.task == "classification":
        return mean, np.sqrt(np.clip(mean * (1 - mean), 0, None))
    lower, upper = (pool[c].to_numpy(dtype=float) for c in objective.interval)
    z = float(ndtri((1 + coverage) / 2))
    return mean, np.clip(upper - lower, 0, None) / (2 * z)


def next_batch(
    pool: pd.DataFrame,
    objective: str,
    settings: NextBatchSettings | None = None,
    *,
    task: str = "regression",
    ranking: RankingSource = None,
    source_column: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The next ``k`` molecules to test from ``pool``, each with the reason it was picked.

    ``objective``: the model whose prediction the acquisition reads (its columns,
    :func:`drugml.schema.model_columns` of ``task``); ``settings``: a
    :class:`NextBatchSettings`, each keyword of ``options`` overriding one field
    (``next_batch(pool, "potency", k=20, acquisition="ucb")``); ``ranking``: a ranking
    (:class:`~drugml.screening.ranking_config.RankingConfig`, dict, file or None for no
    filtering) whose hard filters exclude molecules first; ``source_column``: the pool's
    column saying where each molecule comes from (default: its ``source`` column, else
    ``"screen"``).

    Returns ``k`` rows of the pool (its index kept) in pick order, with the columns of
    :data:`drugml.schema.NEXT_BATCH_COLUMNS` added. ``result.attrs`` holds the counts:
    ``pool``, ``eligible``, ``excluded`` (reason -> molecules), ``filter_failures``
    (filter -> molecules) and ``summary`` (the same in words). Raises
    :class:`~drugml.design.PoolError` for an empty pool, a missing objective column, a
    batch larger than the eligible pool, or a diversity the pool cannot meet.
    """
    settings = with_options(
        NextBatchSettings, settings, options, "next_batch", NextBatchOptionError
    )
    if len(pool) == 0:
        raise PoolError("The pool is empty: there is nothing to pick a batch from")
    target = Objective.of(objective, task)
    target.check(pool)
    eligible, excluded, failures = _eligible(pool, target, settings, ranking)
    n_eligible = int(eligible.sum())
    if settings.k > n_eligible:
        raise PoolError(
            f"A batch of {settings.k} needs at least {settings.k} eligible molecules; the pool "
            f"has {n_eligible} of {len(pool)} ({_excluded_words(excluded)}): lower k or widen "
            "the pool"
        )
    mean, sigma = objective_values(pool, target, settings.coverage)
    acquisition = get_acquisition(settings.acquisition)
    rows = np.flatnonzero(eligible)
    values = acquisition.score(mean[rows], sigma[rows], beta=settings.beta,
                               threshold=settings.threshold,
                               rng=np.random.default_rng(settings.seed))  # fmt: skip
    order = rows[np.lexsort((rows, -np.asarray(values, dtype=float)))]
    value_of = dict(zip(rows.tolist(), np.asarray(values, dtype=float).tolist(), strict=True))
    picks, nearest, unparsable = _diverse_picks(pool, order, settings)
    if unparsable:
        excluded["skipped: their SMILES do not parse"] = unparsable
    batch = pool.iloc[picks].copy()
    _describe(batch, pool, picks, target, acquisition, settings, source_column,
              mean, sigma, [value_of[p] for p in picks], nearest)  # fmt: skip
    summary = (
        f"{len(picks)} picked by {settings.acquisition} on {target.value} from {n_eligible} "
        f"eligible of {len(pool)} ({_excluded_words(excluded)})"
    )
    batch.attrs.update(pool=len(pool), eligible=n_eligible, excluded=excluded,
                       filter_failures=failures, summary=summary,
                       settings=dataclasses.asdict(settings))  # fmt: skip
    return batch


def _excluded_words(excluded: Mapping[str, int]) -> str:
    parts = [f"{n} {reason}" for reason, n in excluded.items() if n]
    return "excluded: " + "; ".join(parts) if parts else "none excluded"


def _eligible(
    pool: pd.DataFrame, target: Objective, settings: NextBatchSettings, ranking: RankingSource
) -> tuple[np.ndarray, dict[str, int], dict[str, int]]:
    """Rows that may be picked; excluded counts by reason; failures by ranking filter."""
    excluded: dict[str, int] = {}
    failures: dict[str, int] = {}
    eligible = np.ones(len(pool), dtype=bool)
    if ranking is not None:
        passes, failures = _ranking_filters(pool, ranking)
        excluded["fail the ranking's hard filters"] = int((~passes).sum())
        eligible &= passes
    columns = (target.value, *target.interval)
    scored = pool[list(columns)].notna().all(axis=1).to_numpy()
    excluded[f"without a prediction ({', '.join(columns)} empty)"] = int((eligible & ~scored).sum())
    eligible &= scored
    if settings.diversity != "none" and settings.smiles_column not in pool.columns:
        raise PoolError(
            f"Diversity {settings.diversity!r} needs the structures: the pool has no "
            f"column {settings.smiles_column!r} (set smiles_column, or diversity='none')"
        )
    return eligible, excluded, failures


def _ranking_filters(
    pool: pd.DataFrame, ranking: RankingSource
) -> tuple[np.ndarray, dict[str, int]]:
    """``(passes, molecules failing each filter)`` under the ranking's hard filters."""
    from drugml.screening.rank import apply_filters
    from drugml.screening.ranking_config import parse_ranking

    filters = parse_ranking(ranking).filters
    missing = [c for c in filters if c not in pool.columns]
    if missing:
        raise PoolError(
            f"The ranking filters on {', '.join(missing)}, which the pool does not have; "
            "screen the pool with those columns, or pass a ranking without those filters "
            "(ranking.without_docking() drops the docking ones)"
        )
    passes, _ = apply_filters(pool, filters)
    failures = {}
    for column, rule in filters.items():
        one, _ = apply_filters(pool, {column: rule})
        text = ", ".join(f"{k} {v}" for k, v in rule.rules().items())
        failures[f"{column} ({text})"] = int((~one).sum())
    return passes, failures


def _diverse_picks(
    pool: pd.DataFrame, order: np.ndarray, settings: NextBatchSettings
) -> tuple[list[int], list[float], int]:
    """Positions picked in acquisition order under the diversity rule, each pick's similarity
    to its most similar earlier pick (NaN for the first), and how many molecules the walk
    skipped because their SMILES do not parse."""
    from rdkit import DataStructs

    smiles = pool[settings.smiles_column].to_numpy() if settings.smiles_column in pool else None
    if settings.diversity == "none":
        picks = order[: settings.k].tolist()
        if smiles is None:
            return picks, [float("nan")] * len(picks), 0
        fps = [_fingerprint(smiles[i]) for i in picks]
        return picks, _nearest_earlier(fps), 0
    clusters = _clusters(smiles, order, settings) if settings.diversity == "cluster" else None
    picks: list[int] = []
    fps = []
    nearest: list[float] = []
    taken: set[int] = set()
    unparsable = 0
    for i in order.tolist():
        fp = _fingerprint(smiles[i])
        if fp is None:
            unparsable += 1
            continue
        best = max(DataStructs.BulkTanimotoSimilarity(fp, fps)) if fps else float("nan")
        if clusters is not None:
            if clusters[i] in taken:
                continue
            taken.add(clusters[i])
        elif fps and best > settings.max_similarity:
            continue
        picks.append(i)
        fps.append(fp)
        nearest.append(best)
        if len(picks) == settings.k:
            return picks, nearest, unparsable
    raise PoolError(_diversity_message(len(picks), len(order) - unparsable, settings))


def _clusters(smiles: np.ndarray, order: np.ndarray, settings: NextBatchSettings) -> dict:
    """Butina cluster of each eligible row (an unparsable SMILES: a cluster of its own)."""
    from drugml.models.split import butina_clusters

    ids = butina_clusters(list(smiles[order]), settings.cluster_similarity)
    return dict(zip(order.tolist(), ids.tolist(), strict=True))


def _diversity_message(found: int, eligible: int, settings: NextBatchSettings) -> str:
    if settings.diversity == "cluster":
        rule = f"one per Butina cluster (Tanimoto >= {settings.cluster_similarity})"
        change = (
            "raise cluster_similarity (smaller clusters), lower k, or use diversity='similarity'"
        )
    else:
        rule = f"no two with ECFP4 Tanimoto above {settings.max_similarity}"
        change = "raise max_similarity, lower k, or use diversity='none'"
    return (
        f"Only {found} of the {eligible} eligible molecules can be picked with {rule}; "
        f"a batch of {settings.k} cannot be made: {change}"
    )


def _fingerprint(smiles: Any) -> Any:
    """The ECFP4 bit vector (2048 bits) of one SMILES, or None when it does not parse."""
    from drugml.chem import to_mol

    mol = to_mol(smiles) if isinstance(smiles, str) else None
    return None if mol is None else _morgan_generator().GetFingerprint(mol)


@functools.cache
def _morgan_generator() -> Any:
    from rdkit.Chem import rdFingerprintGenerator

    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


def _nearest_earlier(fps: list) -> list[float]:
    """Each fingerprint's highest similarity to those before it (NaN: first, or unparsable)."""
    from rdkit import DataStructs

    out = []
    for i, fp in enumerate(fps):
        earlier = [f for f in fps[:i] if f is not None]
        out.append(
            max(DataStructs.BulkTanimotoSimilarity(fp, earlier))
            if earlier and fp is not None
            else float("nan")
        )
    return out


def _describe(
    batch: pd.DataFrame,
    pool: pd.DataFrame,
    picks: list[int],
    target: Objective,
    acquisition: Acquisition,
    settings: NextBatchSettings,
    source_column: str | None,
    mean: np.ndarray,
    sigma: np.ndarray,
    values: list[float],
    nearest: list[float],
) -> None:
    """Add :data:`drugml.schema.NEXT_BATCH_COLUMNS` to ``batch`` (in place)."""
    if source_column is not None:
        if source_column not in pool.columns:
            raise PoolError(f"source_column {source_column!r} is not a column of the pool")
        source = pool[source_column].iloc[picks].astype(str).to_numpy()
    elif "source" in pool.columns:
        source = pool["source"].iloc[picks].astype(str).to_numpy()
    else:
        source = np.full(len(picks), "screen", dtype=object)
    domain = pool[target.in_domain].iloc[picks].to_numpy() if target.in_domain in pool else None
    reasons = []
    for j, i in enumerate(picks):
        words = [acquisition.reason(values[j], mean[i], sigma[i], beta=settings.beta,
                                    threshold=settings.threshold)]  # fmt: skip
        if domain is not None and not _is_missing(domain[j]):
            words.append("in domain" if bool(domain[j]) else "outside the applicability domain")
        words.append(
            "first pick" if np.isnan(nearest[j]) else f"most similar earlier pick {nearest[j]:.2f}"
        )
        reasons.append("; ".join(words))
    values_by_column = {
        "batch_rank": np.arange(1, len(picks) + 1),
        "source": source,
        "acquisition": settings.acquisition,
        "objective": target.value,
        "expected_value": mean[picks],
        "uncertainty": sigma[picks],
        "acquisition_value": values,
        "nearest_pick_similarity": nearest,
        "pick_reason": reasons,
    }
    assert list(values_by_column) == list(schema.NEXT_BATCH_COLUMNS)
    for column, value in values_by_column.items():
        batch[column] = value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def batch_summary(batch: pd.DataFrame) -> str:
    """What a next batch was picked from, in one line (``batch.attrs["summary"]``).

    >>> import pandas as pd
    >>> pool = pd.DataFrame({"smiles": ["CCO", "CCN"], "p_probability": [0.9, None]})
    >>> batch_summary(next_batch(pool, "p", task="classification", k=1))
    '1 picked by greedy on p_probability from 1 eligible of 2 (excluded: 1 without a \
prediction (p_probability empty))'
    """
    return str(batch.attrs.get("summary", ""))
