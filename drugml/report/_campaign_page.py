"""The self-contained HTML report of ``drugml run``: one file, no network, opens anywhere.

Written for the medicinal chemist who reads it: why each molecule ranks where
it does (each objective's desirability and its factor in the score), how sure
the model is (interval, applicability domain), whether a molecule was in the
training data, which structural alerts it carries and which filter it failed;
where the known actives land, by the final ranking and by the lead model's
prediction alone; what each model predicts and how each number was obtained.
Nothing here names a model: every model of the campaign gets its columns,
metrics, figures and card (column names from :mod:`drugml.schema`).

Figures are embedded as PNG (base64) or SVG, each with an ``alt`` text; the 3D
pocket view and its 3Dmol.js are inline, once (see :mod:`drugml.viz.view3d`); the
candidate table sorts and filters with a few lines of inline script. Nothing
refers to another host, and no absolute path of the machine that ran it
appears: inputs by data-set name or relative to the output folder.
:func:`write_report` is called by :func:`drugml.campaign.pipeline.run`; it reads the
campaign's configuration through its attributes only (the report sits below the campaign).
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from drugml.report._candidates import candidate_sections, score_figure
from drugml.report._design import design_section
from drugml.report._html import page
from drugml.report._inputs import ranking_configuration_section, screen_section, versions_section
from drugml.report._known_actives import known_actives_section
from drugml.report._models import models_section, training_data_section
from drugml.report._pocket import docking_section, pocket_section
from drugml.report._view import RankedView

__all__ = ["write_report"]


def _title(name: str, metrics: Mapping[str, Any]) -> str:
    """The heading and when, by which drugml and with which seed the report was made."""
    return (
        f"<h1>drugml report: {name}</h1>\n"
        f'<p class="sub">Generated {time.strftime("%Y-%m-%d %H:%M")} by drugml '
        f"{html.escape(metrics['drugml'])}, seed {metrics['seed']}. Offline and self-contained; "
        "the links point to files next to this report.</p>"
    )


def _headline_cards(metrics: Mapping[str, Any], n_seen: int, lead: str | None) -> str:
    """The headline cards: the models, the lead model's training compounds and held-out test,
    the library, and the known actives in the top 5 %."""
    screen, validation = metrics["screen"], metrics["validation"]
    final = validation["all_compounds"]
    models = metrics["models"]
    cards = [("models", f"{len(models)} trained", ", ".join(models))]
    for name, m in models.items():
        if name != lead and lead is not None:
            continue
        data = m.get("training_data", {})
        cards.append(
            (
                f"{name}: training compounds",
                f"{data.get('compounds', m['n_train']):,}",
                f"from {data.get('raw_records', 0):,} records",
            )
        )
        if m.get("task") == "classification":
            cards.append(
                (
                    f"{name} model, held-out test",
                    f"ROC-AUC {m['roc_auc']:.2f}",
                    f"PR-AUC {m['pr_auc']:.2f} on {m['split']}-split molecules it never saw",
                )
            )
        else:
            cards.append(
                (
                    f"{name} model, held-out test",
                    f"RMSE {m['rmse']:.2f}",
                    f"{m.get('unit', '')}; R² {m['r2']:.2f} on {m['split']}-split "
                    "molecules it never saw",
                )
            )
            cards.append(
                ("90 % intervals cover", f"{m['coverage']:.0%}", "of the held-out molecules")
            )
    cards += [
        (
            "library",
            f"{screen['scored']:,} scored",
            f"of {screen['records']:,} records; {screen['rejected']:,} rejected (reasons below)",
        ),
        (
            "known actives in the top 5 %",
            f"{final['n_in_top_5pct']} of {final['n_known_actives']}",
            f"{n_seen} of the {final['n_known_actives']} are training compounds",
        ),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f"<div class=card>{html.escape(k)}<b>{html.escape(v)}</b>"
            f'<span class="note">{html.escape(sub)}</span></div>'
            for k, v, sub in cards
        )
        + "</div>"
    )


def write_report(
    path: str | Path,
    *,
    config: Any,
    metrics: Mapping[str, Any],
    ranked: Any,
    rejects: Any,
    held_out: Mapping[str, Mapping[str, Any]],
    curation_logs: Mapping[str, Any],
    structure_path: Path | None,
    data_versions: list[dict[str, str]],
    design: Any = None,
) -> Path:
    """Write a campaign's HTML report next to its outputs; returns its path.

    ``config`` is the run's :class:`~drugml.campaign.config.CampaignConfig`;
    ``held_out`` maps each model to its held-out test (``y``, ``predictions``,
    ``task``); ``curation_logs`` each model to its curation log. Links (the CSV
    of every candidate, the model cards) are relative to the report's folder,
    which :func:`drugml.campaign.pipeline.run` fills. ``ranked``: the ranked table, or
    for a big screen the :class:`~drugml.screening.rank_stream.RankedScreen` of
    :func:`~drugml.screening.rank_stream.rank_screen`: the report then builds from its
    top rows, short list, known actives, an even sample and histograms over
    every structure, in memory that does not grow with the screen. ``design``: the
    :class:`~drugml.design.DesignResult` of a run with a ``design:`` section.

    >>> write_report("out/report.html", config=config, metrics=metrics, ...)  # doctest: +SKIP
    """
    from drugml.viz.view3d import library_html

    path = Path(path)
    name = html.escape(str(config.name))
    ranking_config = config.ranking
    models = config.model_tasks()
    view = RankedView.of(ranked, ranking_config, models, config.library.name_column)
    known, top, name_column = view.known, view.top, view.name_column
    n_seen = int((known["in_training_data"]).sum()) if "in_training_data" in known else 0
    sections = [
        _title(name, metrics),
        _headline_cards(metrics, n_seen, view.lead),
        # the score explained is the ranking's before docking (docking objectives re-order
        # the docked molecules only: score_with_docking)
        candidate_sections(view, ranking_config.without_docking()),
        score_figure(view),
        pocket_section(config.target, structure_path, top, name_column),
        docking_section(metrics.get("docking"), top, path.parent, name_column),
        design_section(design, models),
        known_actives_section(view, metrics["validation"], n_seen),
        models_section(metrics, models, held_out),
        training_data_section(metrics, models, curation_logs),
        screen_section(metrics["screen"], rejects),
        ranking_configuration_section(ranking_config, models),
        versions_section(metrics, data_versions),
    ]
    path.write_text(page(f"drugml report: {name}", sections, library_html()), encoding="utf-8")
    return path
