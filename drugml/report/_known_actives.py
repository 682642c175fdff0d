"""Where the known actives land: in words, as an enrichment table (final ranking and the lead
model's prediction alone, with and without the training compounds), the table of the known
actives found and the recovery figure.

Example
-------
>>> validation = {"all_compounds": {"n_known_actives": 0, "n_compounds": 10}}
>>> "cannot be checked" in enrichment_words(validation, 0, None)
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from drugml.report._html import figure_html, join_parts, table_html
from drugml.report._view import RankedView, molecule_name
from drugml.schema import prediction_column

__all__ = [
    "enrichment_table",
    "enrichment_words",
    "known_actives_section",
    "known_table",
    "recovery_figure",
]


def _training_words(n_seen: int | None) -> str:
    """Whether the known actives are training compounds, and why that matters."""
    if n_seen is not None:
        return (
            f"structures screened. <b>{n_seen} of them are in a model's training data</b>: "
            "their measured value was learned, so ranking them high shows the model remembers, "
            "not that it predicts. "
        )
    return (
        "structures screened. <b>Whether they are in a model's training data is not known "
        "here</b> (the screen was ranked outside its run's folder, which holds the training "
        "sets): if they are, ranking them high shows the model remembers, not that it "
        "predicts. "
    )


def _closing_words(unseen: Mapping[str, Any] | None, alone: Any, lead: str | None) -> str:
    """How many known actives are left without the training compounds, and what the other
    objectives and the filters cost the lead model's signal."""
    text = ""
    if unseen is not None:
        n = unseen["n_known_actives"]
        text = f" Without the training compounds {n} known active{'s' if n != 1 else ''} remain"
        if n < 3:
            text += ", too few for an enrichment figure to mean much"
    if alone:
        return text + (
            f"{'.' if unseen is not None else ''} What the other objectives and the filters "
            f"cost the {html.escape(str(lead))} signal is the difference between the final "
            "ranking and that model alone below."
        )
    return text + ("." if unseen is not None else "")


def enrichment_words(validation: Mapping[str, Any], n_seen: int | None, lead: str | None) -> str:
    """What the enrichment table says, in words. ``n_seen``: known actives in a model's
    training data (None: not known, e.g. a screen ranked outside its run's folder)."""
    final = validation["all_compounds"]
    alone = validation.get(f"{lead}_alone")
    unseen = validation.get("without_training_compounds")
    n, total = final["n_known_actives"], final["n_compounds"]
    if n == 0:
        return (
            '<p class="note">No known active named in the configuration was found in the '
            "library: the ranking cannot be checked against known drugs here.</p>"
        )
    ef = final["ef_1pct"]
    by_lead = (
        f"; by the {html.escape(str(lead))} prediction alone, {alone['n_in_top_1pct']} and "
        f"{alone['n_in_top_5pct']}"
        if alone
        else ""
    )
    return (
        f"<p>{n} known actives named in the configuration are among the {total:,} distinct "
        + _training_words(n_seen)
        + f"By the final ranking, <b>{final['n_in_top_1pct']} of {n}</b> land in the top 1 % "
        f"and <b>{final['n_in_top_5pct']}</b> in the top 5 %{by_lead}. The enrichment factor "
        "says how much richer in known actives the top of the list is than the library as a "
        f"whole: EF 1 % = {ef:.1f} means {ef:.0f} times what a random order gives (at most "
        f"{min(100.0, total / n):.0f} here). BEDROC (alpha 20) weighs the first ~8 % of the "
        "list: 1 is every active first, about 0 is random."
        + _closing_words(unseen, alone, lead)
        + "</p>"
    )


def enrichment_table(validation: Mapping[str, Any], leads: Sequence[str]) -> str:
    """Known actives in the top 1 and 5 %, enrichment factors and BEDROC: by the final ranking
    and by each lead model alone, with and without the training compounds."""
    import pandas as pd

    unseen = "without training compounds"
    labels = {
        "all_compounds": ("final ranking", "all compounds"),
        "without_training_compounds": ("final ranking", unseen),
    }
    for lead in leads:
        labels[f"{lead}_alone"] = (f"{lead} prediction alone", "all compounds")
        labels[f"{lead}_alone_without_training_compounds"] = (f"{lead} prediction alone", unseen)
    rows = [
        {
            "ranked by": by,
            "compounds": what,
            "known actives": v["n_known_actives"],
            "in top 1 %": v["n_in_top_1pct"],
            "in top 5 %": v["n_in_top_5pct"],
            "EF 1 %": v["ef_1pct"],
            "EF 5 %": v["ef_5pct"],
            "BEDROC": v["bedroc_alpha20"],
        }
        for key, (by, what) in labels.items()
        if key in validation
        for v in [validation[key]]
    ]
    return table_html(pd.DataFrame(rows), float_format="{:.2f}")


def known_table(
    known: Any, alone: Any, name_column: str | None, models: Mapping[str, str], lead: str | None
) -> str:
    """The known actives found: rank, rank by the lead model alone, score, predictions."""
    import pandas as pd

    table = pd.DataFrame(
        {
            "rank": known["rank"],
            "molecule": [molecule_name(r, name_column) for r in known.itertuples(index=False)],
            **({f"rank by {lead} alone": alone} if lead else {}),
            "score": known["score"],
            **{prediction_column(n, t): known[prediction_column(n, t)] for n, t in models.items()},
            "in training data": known["training_data_of"]
            if "training_data_of" in known
            else known.get("in_training_data", False),
            "passes filters": known["passes_filters"],
            "filter failed": known["filter_reasons"],
        }
    )
    return table_html(table.sort_values("rank"), float_format="{:.2f}")


def _recovery_axes(fig: Any, ax: Any, lead: str | None, n_known: int) -> str:
    """The recovery figure's random line, axes and words, for both ways of drawing it."""
    ax.plot([0, 100], [0, n_known], "k--", lw=0.8, label="random order")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, 100)
    ax.set_xlabel("top % of the ranked library")
    ax.set_ylabel("known actives found")
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return figure_html(
        fig,
        alt=f"Known actives found against the fraction of the ranked library "
        f"screened, for the final ranking and for the {lead} prediction alone; "
        f"{n_known} known actives in all.",
    )


def _recovery_figure_table(ranked: Any, lead: str | None, lead_column: str | None) -> str:
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    fig, ax = plt.subplots(figsize=(6.5, 4))
    known = ranked["known_active"].to_numpy()
    orders = {"final ranking": np.arange(len(ranked))}
    if lead_column:
        orders[f"{lead} prediction alone"] = np.argsort(
            -np.nan_to_num(ranked[lead_column].to_numpy(dtype=float), nan=-np.inf),
            kind="stable",
        )
    for (label, order), color in zip(orders.items(), (PRIMARY_COLOR, ACCENT_COLOR), strict=True):
        hits = known[order]
        ax.plot(
            np.arange(1, len(hits) + 1) / len(hits) * 100, np.cumsum(hits), label=label, color=color
        )
    return _recovery_axes(fig, ax, lead, int(known.sum()))


def _recovery_figure_streamed(streamed: Any, lead: str | None, lead_column: str | None) -> str:
    """The recovery figure from the known actives' places (a big screen)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    places = streamed.summary["known_actives"]["places"]
    n = len(streamed)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    orders = {"final ranking": places["rank|all"]["positions"]}
    if lead_column and f"{lead_column}|all" in places:
        orders[f"{lead} prediction alone"] = places[f"{lead_column}|all"]["positions"]
    k = len(orders["final ranking"])
    for (label, positions), color in zip(
        orders.items(), (PRIMARY_COLOR, ACCENT_COLOR), strict=False
    ):
        x = np.concatenate([[0], (np.sort(positions) + 1) / n * 100, [100]])
        y = np.concatenate([[0], np.arange(1, len(positions) + 1), [len(positions)]])
        ax.step(x, y, where="post", label=label, color=color)
    return _recovery_axes(fig, ax, lead, k)


def recovery_figure(view: RankedView) -> str:
    """Known actives found against the top % of the ranked library, by the final ranking and
    by the lead model alone (every row of a table, or the places a big screen kept)."""
    streamed = view.streamed
    if streamed is None:
        return _recovery_figure_table(view.top, view.lead, view.lead_column)
    return _recovery_figure_streamed(streamed, view.lead, view.lead_column)


def known_actives_section(
    view: RankedView, validation: Mapping[str, Any], n_seen: int | None
) -> str:
    """Where the known actives land: words, enrichment table, the known actives found and the
    recovery figure (the last two only when some were found)."""
    known = view.known
    parts = [
        "<h2>Where the known actives land</h2>",
        enrichment_words(validation, n_seen, view.lead),
        enrichment_table(validation, view.leads),
        known_table(known, view.alone, view.name_column, view.models, view.lead)
        if len(known)
        else "",
        recovery_figure(view) if len(known) else "",
    ]
    return join_parts(parts)
