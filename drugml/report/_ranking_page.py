"""The HTML page of a ranking made by ``drugml rank``, built from its ranking folder alone."""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from drugml.report._candidates import candidate_sections, score_figure
from drugml.report._html import page
from drugml.report._inputs import ranking_configuration_section
from drugml.report._known_actives import known_actives_section
from drugml.report._view import RankedView
from drugml.schema import prediction_column
from drugml.screening.ranking_config import parse_ranking

__all__ = ["write_ranking_report"]


def _counts(
    summary: Mapping[str, Any], n_structures: int, screen: Path, training_known: bool
) -> str:
    """The screen in numbers: rows, merged salt forms, passing and failing molecules, training
    compounds (when the ranking knew them)."""
    return (
        f"<p>{summary['screen_rows']:,} scored rows of the screen in "
        f"<code>{html.escape(screen.name)}/</code>, "
        f"{summary['salt_forms_merged']:,} salt forms and duplicates merged into "
        f"{n_structures:,} distinct structures; {summary['passing']:,} pass the hard "
        "filters"
        + "".join(
            f", {n:,} fail {html.escape(str(f))}"
            for f, n in summary.get("failing_by_filter", {}).items()
        )
        + (
            f"; {summary.get('in_training_data', 0):,} are in a model's training data."
            if training_known
            else ". Training compounds are not marked: the screen was "
            "ranked outside its run's folder, which holds the training sets."
        )
        + "</p>"
    )


def _known_actives(view: RankedView) -> str:
    """Where the known actives land, when the ranking kept their places ('' otherwise)."""
    streamed = view.streamed
    places = streamed.summary.get("known_actives", {}).get("places", {})
    if "rank|all" not in places:
        return ""
    validation = streamed.validation({n: prediction_column(n, view.models[n]) for n in view.leads})
    training_known = streamed.training_marked  # only with a run's training sets
    n_seen = int(view.known["in_training_data"].sum()) if training_known else None
    return known_actives_section(view, validation, n_seen)


def write_ranking_report(
    path: str | Path, ranked: Any, *, title: str | None = None, notes: Sequence[str] = ()
) -> Path:
    """Write the HTML page of a ranking made by ``drugml rank``; returns its path.

    ``ranked``: a :class:`~drugml.screening.rank_stream.RankedScreen` or its folder.
    The page is built from what the ranking folder holds (its top rows, short
    list, known actives, an even sample and histograms over every structure),
    so its memory does not grow with the screen: the candidate table with why
    each molecule scores as it does, the top of the ranking and the short list
    drawn in 2D, the score figure, where the known actives land (by the final
    ranking and by the lead model alone) and the ranking configuration. Models
    are found from the prediction columns (:func:`drugml.schema.models_in_columns`);
    the models' own metrics and cards are in the run's report
    (:func:`write_report`), not here. ``title``: the page's heading (default:
    "ranking of" the screen's folder, or of its run's folder); ``notes``:
    sentences shown first (what the ranking left out, say). Its links
    (``ranked/``, ``ranked_candidates.csv``) are relative: write it into the
    ranking folder, as ``drugml rank`` does.

    >>> write_ranking_report("ranked/report.html", "ranked")  # doctest: +SKIP
    """
    from drugml.schema import models_in_columns
    from drugml.screening.rank_stream import RankedScreen

    path = Path(path)
    streamed = ranked if isinstance(ranked, RankedScreen) else RankedScreen.load(ranked)
    summary = streamed.summary
    ranking_config = parse_ranking(summary["ranking"])
    models = models_in_columns(streamed.top.columns)
    view = RankedView.of(
        streamed, ranking_config, models, summary.get("stamp", {}).get("name_column")
    )
    # a run's screen is its folder's screen/: the run's folder names it better
    screen = Path(str(summary["screen"]))
    where = screen.parent.name if screen.name == "screen" and screen.parent.name else screen.name
    heading = html.escape(title or f"ranking of {where}")
    sections = [
        f"<h1>drugml {heading}</h1>",
        f'<p class="sub">Generated {time.strftime("%Y-%m-%d %H:%M")} by <code>drugml rank</code> '
        "from the ranking folder; offline and self-contained, the links point to files next "
        "to this page.</p>",
        *(f'<p class="note"><b>Note:</b> {html.escape(n)}</p>' for n in notes),
        _counts(summary, len(streamed), screen, streamed.training_marked),
        candidate_sections(view, ranking_config),
        score_figure(view),
        _known_actives(view),
        ranking_configuration_section(ranking_config, models),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(f"drugml {heading}", sections), encoding="utf-8")
    return path
