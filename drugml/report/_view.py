"""What the ranking's sections of both pages read: the ranked rows shown, the short list, the
known actives and the lead model, from a ranked table or from a big screen's
:class:`~drugml.screening.rank_stream.RankedScreen` (its top rows and streamed aggregates, in
memory that does not grow with the screen).

Example
-------
>>> import pandas as pd
>>> row = next(pd.DataFrame({"id": ["a1; a2"], "name": ["nan"]}).itertuples(index=False))
>>> molecule_name(row, "name")
'a1'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drugml.schema import ALERT_CATALOGS, prediction_column
from drugml.screening.ranking_config import RankingConfig

__all__ = ["RankedView", "molecule_name"]


def molecule_name(row: Any, name_column: str | None) -> str:
    """A molecule's first name, else its first id (salt forms merged join theirs)."""
    name = getattr(row, name_column, None) if name_column else None
    text = str(name).split(";")[0].strip() if name is not None and str(name) != "nan" else ""
    return text or str(row.id).split(";")[0].strip()


def _streamed(ranked: Any) -> Any:
    """``ranked`` when it is a big screen's ranking, else None."""
    from drugml.screening.rank_stream import RankedScreen

    return ranked if isinstance(ranked, RankedScreen) else None


def _alone_ranks(streamed: Any, known: Any, lead_column: str | None) -> Any:
    """Each known active's place (1 = first) by the lead model's prediction alone."""
    import pandas as pd

    places = streamed.summary.get("known_actives", {}).get("places", {})
    entry = places.get(f"{lead_column}|all") if lead_column else None
    if entry is None or len(entry["positions"]) != len(known):
        return pd.Series([float("nan")] * len(known), index=known.index)
    return pd.Series([p + 1 for p in entry["positions"]], index=known.index)


@dataclass(frozen=True)
class RankedView:
    """A ranking as the pages show it.

    ``source``: the ranked table, or a big screen's ``RankedScreen``; ``top``: the ranked rows
    the page draws (every row of a table, the top rows of a big screen); ``n_ranked``: how many
    distinct structures were ranked; ``short``: the short list; ``known``: the known actives
    found; ``alone``: each known active's rank by the lead model's prediction alone (None for a
    table without a lead model); ``models``: each model's task; ``leads``: the models the
    ranking leans on, first the lead (:func:`drugml.screening.rank.lead_models`).
    """

    source: Any
    top: Any
    n_ranked: int
    short: Any
    known: Any
    alone: Any
    ranking_config: RankingConfig
    models: Mapping[str, str]
    leads: list[str]
    name_column: str | None

    @classmethod
    def of(
        cls,
        ranked: Any,
        ranking_config: RankingConfig,
        models: Mapping[str, str],
        name_column: str | None,
    ) -> RankedView:
        """The view of a ranked table (columns ``rank``, ``score``, ``known_active``,
        ``selected``, ...) or of a ``RankedScreen``."""
        from drugml.screening.rank import lead_models

        leads = lead_models(ranking_config, models)
        lead_column = prediction_column(leads[0], models[leads[0]]) if leads else None
        streamed = _streamed(ranked)
        if streamed is not None:  # a big screen: its top rows and streamed aggregates
            top, n_ranked = streamed.top, len(streamed)
            known, short = streamed.known, streamed.selected
            alone = _alone_ranks(streamed, known, lead_column)
        else:
            top, n_ranked = ranked, len(ranked)
            known, short = ranked[ranked["known_active"]], ranked[ranked["selected"]]
            alone = (
                ranked[lead_column].rank(ascending=False, method="min").loc[known.index]
                if lead_column
                else None
            )
        return cls(
            ranked, top, n_ranked, short, known, alone, ranking_config, models, leads, name_column
        )

    @property
    def streamed(self) -> Any:
        """The ``RankedScreen`` of a big screen, else None."""
        return _streamed(self.source)

    @property
    def lead(self) -> str | None:
        return self.leads[0] if self.leads else None

    @property
    def lead_column(self) -> str | None:
        """The lead model's prediction column."""
        lead = self.lead
        return prediction_column(lead, self.models[lead]) if lead else None

    @property
    def alert_columns(self) -> list[str]:
        """The alert catalogues whose matches the shown rows carry."""
        return [c for c in ALERT_CATALOGS if f"{c}_alerts" in self.top]
