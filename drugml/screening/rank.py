"""Rank candidates on several objectives: desirabilities, a weighted geometric mean, Pareto fronts.

A screened candidate has many numbers: predicted potency and its interval,
applicability domain, predicted solubility, QED, SA score, rule and alert
flags. :func:`rank_candidates` turns each objective into a *desirability*
between 0 (unacceptable) and 1 (ideal), combines them into one score, and
adds what a chemist asks next: hard filters, Pareto-front rank, novelty
against the training set and a diverse top-k selection.

**Desirability shapes** (Derringer & Suich 1980), per objective:

- ``increasing``: 0 at or below ``low``, 1 at or above ``high``, linear between;
- ``decreasing``: 1 at or below ``low``, 0 at or above ``high``;
- ``window``: 1 between ``low`` and ``high``, falling linearly to 0 over
  ``margin`` outside them (for a property with an ideal range, e.g. logP).

A missing value gets desirability 0. Every desirability is floored at
``floor`` (0.01) so that one bad objective ranks a molecule low without
erasing the order among such molecules.

**Aggregate score**: the weighted geometric mean of the desirabilities,
``exp(sum(w_i log d_i) / sum(w_i))``. Unlike an arithmetic mean, a molecule
cannot buy back a near-zero desirability with excellent others.

**Pareto rank**: 1 for molecules no other molecule beats on every objective
at once (the first non-dominated front), 2 for the front behind it, and so on.
:func:`rank_candidates` compares every pair (O(n^2) memory); for a screen of
millions :func:`drugml.screening.rank_stream.rank_screen` ranks in bounded memory and
computes the fronts over the best pool only (null outside it).

**Hard filters**: a molecule failing one is kept in the table but gets
``passes_filters = False``, the failed rules in ``filter_reasons``, and sorts
after every passing molecule.

**Diversity**: ``selected`` marks a short list of ``top_k`` molecules that is
good and not ten copies of one chemotype. ``diversity="maxmin"`` (default)
runs RDKit's MaxMin picker on ECFP4 fingerprints over the ``pool_factor *
top_k`` best passing molecules, seeded with the best one; ``"sphere"`` walks
down the ranking and keeps a molecule only if its Tanimoto similarity to
every one kept so far is below ``max_similarity`` (score first, then
diversity).

Defaults (:data:`drugml.schema.DEFAULT_RANKING`) score what every screen
has: QED, SA score and Lipinski's rule of five (at most one violation is
ideal, three or more is the floor); the only hard filter is PAINS. A
campaign adds its models' columns (``<model>_prediction``,
``<model>_probability``, ``<model>_interval_width``,
``<model>_nearest_similarity``; :mod:`drugml.schema`) as objectives; the
EGFR default (``drugml/campaign/configs/egfr.yaml``) scores predicted pIC50 (6 to 8),
the width of its 90 % interval, its domain similarity and predicted log
solubility (-6 to -3 log mol/L) besides.

**Why the rule of five is scored, not a hard filter.** Many kinase
inhibitors are "beyond the rule of five": lapatinib, neratinib and
mobocertinib, approved EGFR drugs, each break it twice (molecular weight above
500 and cLogP above 5), so a hard "at most one violation" filter threw them
out of the EGFR short list, and on a held-out target it pushed 28 % of the
actives below every passing molecule. As a scored objective with a small
weight (0.5 of 8), two violations cost a molecule about 4 % of its score
and three or more about 25 %: drug-likeness still counts, the potency signal
stays. Put ``ro5_violations: {max: 1}`` under ``filters`` for the strict rule.

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"smiles": ["CCO", "c1ccccc1O"], "potency": [5.0, 7.5],
...                       "qed": [0.4, 0.6]})
>>> config = {"objectives": {"potency": {"column": "potency", "shape": "increasing",
...                                      "low": 5, "high": 8},
...                          "qed": {"column": "qed", "shape": "increasing", "low": 0, "high": 1}},
...           "filters": {}, "top_k": 1}
>>> rank_candidates(table, config)[["smiles", "rank", "pareto_rank"]].values.tolist()
[['c1ccccc1O', 1, 1], ['CCO', 2, 2]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml import schema
from drugml.screening.ranking_config import (
    FilterRule,
    RankingConfig,
    RankingConfigError,
    RankingSource,
    parse_ranking,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_RANKING",
    "RankingConfigError",
    "apply_filters",
    "desirability",
    "diverse_selection",
    "lead_models",
    "load_ranking_config",
    "pareto_rank",
    "rank_candidates",
    "ranking_order",
    "score_candidates",
]

SHAPES = ("increasing", "decreasing", "window")

#: The default ranking (its one home is :mod:`drugml.schema`).
DEFAULT_RANKING = schema.DEFAULT_RANKING


def desirability(
    values: Any, shape: str, low: float, high: float, margin: float = 1.0, floor: float = 0.0
) -> np.ndarray:
    """Desirability in [floor, 1] of each value (NaN -> floor); see the module docstring.

    >>> desirability([5, 6.5, 9], "increasing", low=6, high=8).tolist()
    [0.0, 0.25, 1.0]
    >>> desirability([1, 3, 5], "window", low=2, high=4, margin=2).tolist()
    [0.5, 1.0, 0.5]
    """
    x = np.asarray(values, dtype=float)
    if shape not in SHAPES:
        raise RankingConfigError(f"Unknown desirability shape {shape!r}; use one of {SHAPES}")
    if not high > low:
        raise RankingConfigError(f"Desirability needs high > low, got low={low}, high={high}")
    if shape == "increasing":
        d = (x - low) / (high - low)
    elif shape == "decreasing":
        d = (high - x) / (high - low)
    else:
        if margin <= 0:
            raise RankingConfigError(f"A window needs margin > 0, got {margin}")
        d = np.minimum((x - (low - margin)) / margin, ((high + margin) - x) / margin)
    d = np.clip(d, 0.0, 1.0)
    d[~np.isfinite(x)] = 0.0
    return np.maximum(d, floor)


def pareto_rank(scores: np.ndarray, block: int = 512) -> np.ndarray:
    """Non-dominated sorting of rows (higher is better in every column): 1 = the Pareto front.

    Row ``j`` dominates row ``i`` when it is at least as good in every column
    and better in one. Fast non-dominated sorting (Deb et al. 2002): the
    dominance relation is computed once, in blocks of ``block`` rows, and kept
    as packed bits (``n * n / 8`` bytes), then the fronts are peeled off.

    >>> pareto_rank(np.array([[1, 1], [0.5, 0.9], [0.9, 0.2], [0.1, 0.1]])).tolist()
    [1, 2, 2, 3]
    """
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    ranks = np.zeros(n, dtype=int)
    if n == 0:
        return ranks
    dominates = np.empty((n, (n + 7) // 8), dtype=np.uint8)  # row i: whom i dominates
    dominated_by = np.zeros(n, dtype=np.int64)
    for start in range(0, n, block):
        rows = scores[start : start + block, None, :]
        at_least = (rows >= scores[None, :, :]).all(axis=2)
        better = (rows > scores[None, :, :]).any(axis=2)
        relation = at_least & better
        dominated_by += relation.sum(axis=0)
        dominates[start : start + block] = np.packbits(relation, axis=1)
    front, current = 0, np.flatnonzero(dominated_by == 0)
    while len(current):
        front += 1
        ranks[current] = front
        dominated_by[current] = -1  # placed
        beaten = np.unpackbits(dominates[current], axis=1, count=n).sum(axis=0, dtype=np.int64)
        dominated_by -= beaten
        current = np.flatnonzero(dominated_by == 0)
    return ranks


#: The name this module has always read a ranking with (:func:`parse_ranking`: typed).
load_ranking_config = parse_ranking


def lead_models(config: RankingSource, models: Mapping[str, str]) -> list[str]:
    """Models scored by an increasing objective on their prediction, heaviest weight first.

    ``models``: name -> task. The first is the ranking's lead model: reports
    plot it, and the validation compares the final ranking with each of these
    models alone.

    >>> ranking = {"objectives": {
    ...     "potency": {"column": "potency_prediction", "shape": "increasing", "low": 6,
    ...                 "high": 8, "weight": 3},
    ...     "safety": {"column": "herg_probability", "shape": "decreasing", "low": 0.2,
    ...                "high": 0.6}}}
    >>> lead_models(ranking, {"potency": "regression", "herg": "classification"})
    ['potency']
    """
    config = parse_ranking(config)
    weights: dict[str, float] = {}
    for name, task in models.items():
        column = schema.prediction_column(name, task)
        for objective in config.objectives.values():
            if objective.column == column and objective.shape == "increasing":
                weights[name] = max(weights.get(name, 0.0), float(objective.weight))
    return sorted(weights, key=lambda n: -weights[n])


def check_diversity(config: RankingSource) -> None:
    """Refuse an unknown ``diversity`` (:class:`RankingConfigError`): drugml 0.x's check, kept
    for its scripts; the typed configuration (:func:`parse_ranking`) checks it now."""
    parse_ranking(config)


def apply_filters(
    table: pd.DataFrame, filters: Mapping[str, FilterRule | Mapping[str, Any]]
) -> tuple[np.ndarray, list[str]]:
    """Hard filters on a table: ``(passes, reasons)``, one entry per row.

    ``filters`` maps a column to a rule with ``max``, ``min`` and/or ``equals``;
    a failing row's reason names each rule it broke.

    >>> import pandas as pd
    >>> apply_filters(pd.DataFrame({"ro5_violations": [0, 2]}), {"ro5_violations": {"max": 1}})
    (array([ True, False]), ['', 'ro5_violations (max 1)'])
    """
    passes = np.ones(len(table), dtype=bool)
    reasons: list[list[str]] = [[] for _ in range(len(table))]
    for column, given in filters.items():
        rule = given.rules() if isinstance(given, FilterRule) else dict(given)
        values = table[column]
        failed = np.zeros(len(table), dtype=bool)
        if "max" in rule:
            failed |= ~(values.astype(float) <= rule["max"]).to_numpy()
        if "min" in rule:
            failed |= ~(values.astype(float) >= rule["min"]).to_numpy()
        if "equals" in rule:  # an empty value (a short-list screen's unprofiled flag) fails
            failed |= ~(values == rule["equals"]).fillna(False).to_numpy(dtype=bool)
        text = ", ".join(f"{k} {v}" for k, v in rule.items())
        for i in np.flatnonzero(failed):
            reasons[i].append(f"{column} ({text})")
        passes &= ~failed
    return passes, ["; ".join(r) for r in reasons]


def score_candidates(table: pd.DataFrame, config: RankingSource = None) -> pd.DataFrame:
    """Per-molecule part of the ranking, in table order: what one row's numbers depend on.

    Adds ``<name>_interval_width`` for each model with ``_lower``/``_upper``,
    ``d_<objective>``, ``score``, ``passes_filters``, ``filter_reasons`` and
    ``novelty`` (when ``novelty_column`` is present). :func:`rank_candidates`
    orders these rows; :func:`drugml.screening.rank_stream.rank_screen` calls it on one
    block of a large screen at a time, so that both give the same numbers.

    >>> import pandas as pd
    >>> score_candidates(pd.DataFrame({"qed": [0.7], "sa_score": [2.0], "ro5_violations": [0],
    ...                                "pains": [False]}))["score"].tolist()
    [1.0]
    """
    config = parse_ranking(config)
    out = table.copy().reset_index(drop=True)
    for lower in [c for c in out.columns if c.endswith("_lower")]:
        name = lower[: -len("_lower")]
        width = schema.model_column(name, schema.INTERVAL_WIDTH)
        # a model's pair (it writes <name>_in_domain too), not any library column
        if f"{name}_upper" in out and f"{name}_in_domain" in out and width not in out:
            out[width] = out[f"{name}_upper"] - out[lower]
    missing = [c for c in config.columns() if c not in out.columns]
    if missing:
        raise RankingConfigError(
            f"The candidate table lacks column(s) {missing} named by the "
            f"ranking configuration; it has {list(out.columns)}"
        )
    weights, columns = [], []
    for name, objective in config.objectives.items():
        out[f"d_{name}"] = desirability(
            out[objective.column],
            objective.shape,
            objective.low,
            objective.high,
            objective.margin,
            config.floor,
        )
        columns.append(f"d_{name}")
        weights.append(float(objective.weight))
    matrix = out[columns].to_numpy(dtype=float)
    w = np.asarray(weights)
    if (w < 0).any() or w.sum() <= 0:
        raise RankingConfigError(f"Objective weights must be >= 0 and not all 0, got {weights}")
    out["score"] = np.exp(np.log(matrix) @ w / w.sum()) if len(out) else []
    passes, reasons = apply_filters(out, config.filters)
    out["passes_filters"] = passes
    out["filter_reasons"] = reasons
    if config.novelty_column and config.novelty_column in out:
        out["novelty"] = 1.0 - out[config.novelty_column].astype(float)
    return out


def rank_candidates(
    table: pd.DataFrame, config: RankingSource = None, smiles_column: str = "smiles"
) -> pd.DataFrame:
    """Score, filter, Pareto-rank and diversity-select candidates; best first.

    Adds ``d_<objective>`` (desirabilities), ``score`` (weighted geometric
    mean), ``passes_filters``, ``filter_reasons``, ``pareto_rank``,
    ``novelty`` (1 - similarity to the nearest training molecule, when
    ``novelty_column`` is present), ``rank`` (1 = best: passing molecules by
    score, then failing ones) and ``selected`` (the diverse top-k). A column
    the configuration names but the table lacks raises
    :class:`RankingConfigError` naming it and the columns there are. Each
    model's ``<name>_interval_width`` is derived from ``<name>_lower`` and
    ``<name>_upper`` (a model's columns: ``<name>_in_domain`` is there too).
    The whole table is in memory and ``pareto_rank`` compares every pair: for
    a screen of millions use :func:`drugml.screening.rank_stream.rank_screen`.
    """
    import pandas as pd

    config = parse_ranking(config)
    out = score_candidates(table, config)
    matrix = out[[f"d_{name}" for name in config.objectives]].to_numpy(dtype=float)
    out.insert(
        out.columns.get_loc("filter_reasons") + 1,
        "pareto_rank",
        pareto_rank(matrix) if len(out) else [],
    )
    # Stable order: passing first, by score, ties by input order (deterministic).
    order = ranking_order(out["passes_filters"].to_numpy(), out["score"].to_numpy())
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["selected"] = False
    top_k = config.top_k
    if top_k > 0 and smiles_column in out and out["passes_filters"].any():
        picked = diverse_selection(out, top_k, config, smiles_column)
        out.loc[picked, "selected"] = True
    return pd.DataFrame(out)


def ranking_order(
    passes: np.ndarray, score: np.ndarray, tiebreak: np.ndarray | None = None
) -> np.ndarray:
    """The ranking's order rule as indices: passing first, then by score, ties by ``tiebreak``
    (default: input order).

    >>> ranking_order(np.array([False, True, True]), np.array([0.9, 0.2, 0.5])).tolist()
    [2, 1, 0]
    """
    passes = np.asarray(passes, dtype=bool)
    tiebreak = np.arange(len(passes)) if tiebreak is None else np.asarray(tiebreak)
    return np.lexsort((tiebreak, -np.asarray(score, dtype=float), ~passes))


def diverse_selection(
    ranked: pd.DataFrame, k: int, config: RankingConfig, smiles_column: str = "smiles"
) -> list[int]:
    """Index labels of the diverse top-k among the passing molecules of a table in rank order.

    ``maxmin`` looks at the ``pool_factor * k`` first passing rows only;
    ``sphere`` walks every passing row until ``k`` are kept (see the module
    docstring). Rows whose SMILES do not parse are skipped.
    """
    from rdkit import DataStructs
    from rdkit.SimDivFilters import rdSimDivPickers

    from drugml.chem import to_mol
    from drugml.featurize import bit_fingerprints

    passing = ranked.index[ranked["passes_filters"]]
    if config.diversity == "maxmin":
        passing = passing[: max(k, k * config.pool_factor)]
    mols = [to_mol(s) for s in ranked.loc[passing, smiles_column]]
    usable = [i for i, m in zip(passing, mols, strict=True) if m is not None]
    fps = bit_fingerprints(
        [m for m in mols if m is not None], radius=config.diversity_radius, n_bits=2048
    )
    if config.diversity == "sphere":
        kept: list[int] = []
        for i, fp in enumerate(fps):
            if len(kept) == k:
                break
            if (
                not kept
                or max(DataStructs.BulkTanimotoSimilarity(fp, [fps[j] for j in kept]))
                < config.max_similarity
            ):
                kept.append(i)
        return [usable[i] for i in kept]
    if len(usable) <= k:
        return list(usable)
    picker = rdSimDivPickers.MaxMinPicker()
    picks = picker.LazyBitVectorPick(fps, len(fps), k, firstPicks=[0], seed=42)
    return sorted(usable[i] for i in picks)
