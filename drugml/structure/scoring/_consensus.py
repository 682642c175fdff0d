"""Consensus scorers: several scores combined, by rank average or by a model fitted on the
target's own labelled molecules in scaffold folds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drugml.structure.scoring._base import (
    ScorerError,
    StructureScorer,
    make_scorer,
    register_scorer,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: A consensus member: a scorer's name, a (name, parameters) pair, or a scorer.
Member = str | tuple[str, Mapping[str, Any]] | StructureScorer


def member_scorers(members: Sequence[Member]) -> list[StructureScorer]:
    """The scorers that ``members`` name (see :data:`Member`)."""
    out = []
    for member in members:
        if isinstance(member, StructureScorer):
            out.append(member)
        elif isinstance(member, str):
            out.append(make_scorer(member))
        elif isinstance(member, tuple) and len(member) == 2:
            out.append(make_scorer(member[0], **dict(member[1])))
        else:
            raise ScorerError(f"a consensus member is a scorer or its name, not {member!r}")
    if not out:
        raise ScorerError("a consensus needs at least one member")
    return out


def member_matrix(table: pd.DataFrame, scorers: Sequence[StructureScorer]) -> pd.DataFrame:
    """Each member's score of each row (columns: the members' names; a name given twice
    gets ``_2``, ``_3`` ...)."""
    import pandas as pd

    columns: dict[str, pd.Series] = {}
    for scorer in scorers:
        # the same scorer twice with other parameters keeps both columns
        key, n = scorer.name, 2
        while key in columns:
            key, n = f"{scorer.name}_{n}", n + 1
        columns[key] = scorer.score(table)
    return pd.DataFrame(columns, index=table.index)


@register_scorer
class RankAverage(StructureScorer):
    """The weighted mean of the members' percentile ranks (0-1, 1 = best).

    A row a member cannot score (NaN) is averaged over the members that can, so
    a molecule that was not docked still gets its 3D-similarity and model ranks;
    a row no member scores is NaN. Ranks make scores of different units
    comparable and keep one outlier from deciding.

    Example
    -------
    >>> import pandas as pd
    >>> from drugml.structure.scoring import make_scorer
    >>> table = pd.DataFrame({"docking_score": [-9.0, -7.0, -8.0],
    ...                       "shape_similarity": [0.2, 0.9, None]})
    >>> consensus = make_scorer("rank_average", members=["docking_score", "shape_similarity"])
    >>> consensus.score(table).round(2).tolist()
    [0.75, 0.67, 0.67]
    """

    name = "rank_average"
    kind = "consensus"
    description = "the mean rank of the scores it combines (each scaled 0-1)"

    def __init__(self, members: Sequence[Member] = (), weights: Sequence[float] | None = None):
        self.members = members
        self.weights = weights

    def required_columns(self) -> tuple[str, ...]:
        return tuple(c for s in member_scorers(self.members) for c in s.required_columns())

    def score(self, table: pd.DataFrame) -> pd.Series:
        import numpy as np

        scorers = member_scorers(self.members)
        weights = np.ones(len(scorers)) if self.weights is None else np.asarray(self.weights)
        if len(weights) != len(scorers) or (weights < 0).any() or weights.sum() <= 0:
            raise ScorerError(
                f"rank_average: {len(scorers)} members need as many non-negative weights, "
                f"not {list(weights)}"
            )
        ranks = member_matrix(table, scorers).rank(pct=True)
        present = ranks.notna().to_numpy()
        total = (ranks.fillna(0.0).to_numpy() * weights).sum(axis=1)
        norm = (present * weights).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(norm > 0, total / norm, np.nan)
        import pandas as pd

        return pd.Series(values, index=table.index, dtype=float)


@register_scorer
class ScaffoldStack(StructureScorer):
    """A logistic regression on the members' scores, fitted on the target's labelled molecules.

    :meth:`fit` learns how much each score counts from molecules with a known
    activity; :meth:`out_of_fold` scores each of those molecules with a model
    fitted on the other Murcko-scaffold folds, the honest estimate of how it
    ranks new chemotypes. Missing member scores are filled with the training
    median (and the model sees no indicator: a missing docking score neither
    helps nor hurts). Worth it only where the target has labelled molecules
    with the members' evidence (tens at least, both classes).
    """

    name = "scaffold_stack"
    kind = "consensus"
    description = "a model of which scores predict activity, fitted on the target's own data"

    def __init__(self, members: Sequence[Member] = (), n_folds: int = 5, random_state: int = 0):
        self.members = members
        self.n_folds = n_folds
        self.random_state = random_state

    def required_columns(self) -> tuple[str, ...]:
        return tuple(c for s in member_scorers(self.members) for c in s.required_columns())

    def _design(self, table: pd.DataFrame) -> np.ndarray:
        return member_matrix(table, member_scorers(self.members)).to_numpy(dtype=float)

    def fit(self, table: pd.DataFrame, labels: Sequence[bool]) -> ScaffoldStack:
        """Fit on ``table`` (every member's columns) and its 0/1 ``labels``; returns self."""
        self.model_ = _fit_stack(self._design(table), labels, self.random_state)
        return self

    def score(self, table: pd.DataFrame) -> pd.Series:
        import pandas as pd

        if not hasattr(self, "model_"):
            raise ScorerError("scaffold_stack scores after fit(table, labels)")
        return pd.Series(_predict_stack(self.model_, self._design(table)), index=table.index)

    def out_of_fold(
        self, table: pd.DataFrame, labels: Sequence[bool], smiles_column: str = "smiles"
    ) -> pd.Series:
        """Each row scored by a model fitted on the other scaffold folds."""
        import numpy as np
        import pandas as pd
        from sklearn.model_selection import GroupKFold

        from drugml.chem.scaffolds import scaffolds

        design = self._design(table)
        y = np.asarray(labels, dtype=int)
        # a molecule without a scaffold (acyclic, unparsable) is a group of its own
        groups = [
            g if g else f"row {i}" for i, g in enumerate(scaffolds(list(table[smiles_column])))
        ]
        out = np.full(len(table), np.nan)
        folds = GroupKFold(n_splits=self.n_folds)
        for train, test in folds.split(design, y, groups):
            if len(set(y[train])) < 2:
                raise ScorerError("scaffold_stack: a training fold holds one class only")
            out[test] = _predict_stack(
                _fit_stack(design[train], y[train], self.random_state), design[test]
            )
        return pd.Series(out, index=table.index)


def _fit_stack(design: np.ndarray, labels: Sequence[bool], random_state: int) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    medians = np.nanmedian(design, axis=0)
    medians = np.where(np.isnan(medians), 0.0, medians)
    filled = np.where(np.isnan(design), medians, design)
    scaler = StandardScaler().fit(filled)
    model = LogisticRegression(C=1.0, random_state=random_state, max_iter=1000)
    model.fit(scaler.transform(filled), np.asarray(labels, dtype=int))
    return {"medians": medians, "scaler": scaler, "model": model}


def _predict_stack(fitted: dict[str, Any], design: np.ndarray) -> np.ndarray:
    import numpy as np

    filled = np.where(np.isnan(design), fitted["medians"], design)
    return fitted["model"].predict_proba(fitted["scaler"].transform(filled))[:, 1]
