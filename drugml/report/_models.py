"""The models of a campaign on its page: what each predicts and how well (held-out test and
cross-validation, with figures), and the training data each was curated from.

Nothing here names a model: every model of the campaign gets its section from its metrics.

Example
-------
>>> selection = {"metric": "rmse", "chosen": "xgboost", "how": "folds",
...              "scores": {"xgboost": 0.61, "rf": 0.7}}
>>> "xgboost 0.610, rf 0.700" in selection_note(selection)
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from drugml.report._html import figure_html, join_parts, table_html
from drugml.schema import RunFolder

__all__ = [
    "curation_section",
    "model_figures",
    "model_section",
    "models_section",
    "selection_note",
    "training_data_section",
]

#: The metrics of a model's table, in this order (those its metrics have).
_METRIC_KEYS = ("rmse", "mae", "r2", "spearman", "coverage", "mean_interval_width",
                "roc_auc", "pr_auc", "mcc", "balanced_accuracy", "brier")  # fmt: skip


def model_section(title: str, metrics: Mapping[str, Any], card_path: str, figures: str = "") -> str:
    """One model: what it predicts from what, its metrics and how they were obtained."""
    import pandas as pd

    from drugml.models.metrics import METRIC_NAMES

    cv = metrics.get("cross_validation", {})
    keys = [k for k in _METRIC_KEYS if k in metrics]
    rows = [
        {
            "metric": METRIC_NAMES[k],
            "held-out test": metrics[k],
            "cross-validation": cv.get(k, float("nan")),
        }
        for k in keys
    ]
    unit = metrics.get("unit", "")
    lines = [
        f"<h3>{html.escape(title)}</h3>",
        f"<p><b>Predicts</b> {html.escape(str(metrics.get('endpoint', '?')))} "
        f"({html.escape(str(metrics.get('task', '')))}, {html.escape(unit)}, "
        f"{html.escape(str(metrics.get('estimator', '')))})"
        + (
            f"; <b>target</b>: {html.escape(str(metrics['target']))}"
            if metrics.get("target")
            else ""
        )
        + "; "
        f"<b>features</b>: {html.escape(str(metrics.get('features', '?')))}. <b>Data</b>: "
        f"{html.escape(str(metrics.get('data_source', '?')))}. Model card: "
        f'<a href="{html.escape(card_path)}">{html.escape(card_path)}</a>.</p>',
        table_html(pd.DataFrame(rows), float_format="{:.3f}"),
        selection_note(metrics.get("selection")),
        f'<p class="note"><b>Held-out test</b>: {html.escape(str(metrics.get("how", "")))} '
        f"({metrics.get('n_train', 0):,} molecules to train a model with the same settings, "
        f"{metrics.get('n_test', 0):,} to test it). <b>Cross-validation</b>: "
        f"{cv.get('n_folds', 5)} folds grouped by scaffold over all the data of the screening "
        "model, which is then refit on everything. The held-out split keeps whole chemotypes "
        "out, usually the rarest and hardest; the folds mix big and small scaffold families. "
        "Expect the held-out figure for molecules unlike the training data, the cross-validated "
        "one for close analogues.</p>",
        figures,
    ]
    return "\n".join(lines)


def selection_note(selection: Mapping[str, Any] | None) -> str:
    """How the default chose its estimator, with every candidate's score and its margin over
    the ensemble ('' for a fixed estimator; selections saved before the noise rule read as
    the best score)."""
    from drugml.models.metrics import METRIC_NAMES

    if not selection:
        return ""
    metric = METRIC_NAMES.get(selection["metric"], selection["metric"])
    scores = ", ".join(
        f"{html.escape(str(name))} {score:.3f}" for name, score in selection["scores"].items()
    )
    chosen = html.escape(str(selection["chosen"]))
    how = html.escape(str(selection["how"]))
    if "rule" not in selection:
        return (
            f'<p class="note"><b>Estimator chosen per data set</b>: {chosen}, the best '
            f"{metric} on the {how}: {scores}.</p>"
        )
    margins = "; ".join(
        f"{html.escape(str(name))} {d['difference']:+.3f} (lower bound {d['lower_bound']:+.3f})"
        for name, d in selection.get("differences", {}).items()
    )
    return (
        f'<p class="note"><b>Estimator chosen per data set</b>: {chosen}. Rule: '
        f"{html.escape(str(selection['rule']))} ({metric} on the {how}: {scores}; each "
        f"member's advantage over the ensemble: {margins}).</p>"
    )


def model_figures(name: str, test: Mapping[str, Any]) -> str:
    """Held-out figures of one model: parity and error against similarity (regression),
    ROC curve and probability by class (classification)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.viz import plot_error_vs_similarity, plot_parity, plot_roc

    predictions = test["predictions"]
    y = np.asarray(test["y"], dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    if test.get("task") == "classification":
        probability = predictions["probability"].to_numpy(dtype=float)
        if len(np.unique(y)) == 2:
            plot_roc(y, probability, ax=axes[0], label="held-out test set")
        for label, colour in ((0, "#999999"), (1, "#2b6ca3")):
            axes[1].hist(
                probability[y == label],
                bins=20,
                range=(0, 1),
                alpha=0.6,
                color=colour,
                label=f"measured {label}",
            )
        axes[1].set_xlabel(f"predicted probability ({name})")
        axes[1].set_ylabel("held-out molecules")
        axes[1].legend(frameon=False, fontsize=9)
        alt = (
            f"Left: ROC curve of the {name} model on the held-out test set. Right: its "
            "predicted probabilities for the measured positives and negatives."
        )
    else:
        plot_parity(
            y,
            predictions["prediction"],
            ax=axes[0],
            label="held-out test set",
            lower=predictions["lower"],
            upper=predictions["upper"],
        )
        plot_error_vs_similarity(
            y, predictions["prediction"], predictions["nearest_similarity"], ax=axes[1]
        )
        alt = (
            f"Left: predicted against measured {name} on the held-out test set, with 90 % "
            "intervals. Right: absolute error against similarity to the nearest training "
            "molecule, with binned medians."
        )
    fig.tight_layout()
    return figure_html(fig, alt=alt)


def models_section(
    metrics: Mapping[str, Any],
    models: Mapping[str, str],
    held_out: Mapping[str, Mapping[str, Any]],
) -> str:
    """Every model of the campaign: its metrics, card and held-out figures (``held_out``: each
    model's held-out test, ``y``, ``predictions`` and ``task``)."""
    parts = [
        "<h2>Models</h2>",
        *[
            model_section(
                f"{n} model",
                metrics["models"][n],
                RunFolder("").model_card(n).as_posix(),
                model_figures(n, held_out[n]) if n in held_out else "",
            )
            for n in models
        ],
    ]
    return join_parts(parts)


def _curation_figure(log: Any) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import plot_curation_log

    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_curation_log(log, ax=ax)
    fig.tight_layout()
    return figure_html(
        fig,
        alt="Records left after each curation step, from the raw records to one row per compound.",
    )


def curation_section(name: str, metrics: Mapping[str, Any], log: Any) -> str:
    """How one model's training data was curated: records to compounds, with the log."""
    rejected = RunFolder("").rejected(name).as_posix()  # a link inside the run's folder
    data = metrics.get("training_data", {})
    active = f", {data['active_fraction']:.0%} active" if "active_fraction" in data else ""
    lines = [
        f"<h3>{html.escape(name)}</h3>",
        f'<p class="note">{data.get("raw_records", 0):,} records of '
        f"{html.escape(str(metrics.get('data_source', '')))} to "
        f"{data.get('compounds', 0):,} compounds{active}. Every record not used, with its step "
        f'and reason, is in <a href="{html.escape(rejected)}">{html.escape(rejected)}</a>.</p>',
        _curation_figure(log) if log is not None and len(log) else "",
        table_html(log) if log is not None else "",
    ]
    return "\n".join(lines)


def training_data_section(
    metrics: Mapping[str, Any], models: Mapping[str, str], curation_logs: Mapping[str, Any]
) -> str:
    """Each model's training data (``curation_logs``: each model's curation log)."""
    parts = [
        "<h2>Training data</h2>",
        *[curation_section(n, metrics["models"][n], curation_logs.get(n)) for n in models],
    ]
    return join_parts(parts)
