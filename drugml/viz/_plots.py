"""Plots of data and models (matplotlib), and what every drawing of drugml.viz shares.

Distributions, the curation log, rule-of-five radars, parity, error against
similarity, ROC curves, reliability diagrams and chemical-space maps; each returns a matplotlib
``Axes`` (or ``Figure``) that a notebook shows and a report saves. The error
the 2D and 3D drawings raise and drugml's two plot colours live here too.

Example
-------
>>> from drugml.viz import plot_distribution
>>> ax = plot_distribution([5.1, 6.2, 7.3], "pIC50")
>>> ax.get_title()
'pIC50 (n = 3)'
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ACCENT_COLOR",
    "PRIMARY_COLOR",
    "RO5_LIMITS",
    "SERIES_COLORS",
    "VisualizationError",
    "plot_chemical_space",
    "plot_curation_log",
    "plot_distribution",
    "plot_error_vs_similarity",
    "plot_parity",
    "plot_property_distributions",
    "plot_ro5_radar",
    "plot_roc",
    "reliability_plot",
]


class VisualizationError(DrugmlError, ValueError):
    """A picture cannot be drawn from the arguments given (mismatched lengths, an invalid
    SMARTS, an unknown option); the message names the argument. Raised by the 2D helpers
    of :mod:`drugml.viz` and the 3D views of :mod:`drugml.viz.view3d`.

    >>> from drugml.viz import molecule_grid
    >>> molecule_grid(["CCO", "CCN"], legends=["ethanol"])
    Traceback (most recent call last):
    ...
    drugml.viz._plots.VisualizationError: Got 2 molecules but 1 legends.
    """


#: One colour for "the thing we look at" across drugml plots.
PRIMARY_COLOR = "#2b6ca3"
ACCENT_COLOR = "#d1495b"
#: Colours of successive series in one plot (colour-blind safe, after Okabe and Ito).
SERIES_COLORS = (
    PRIMARY_COLOR, ACCENT_COLOR, "#e69f00", "#009e73", "#8e6bb5", "#56b4e9", "#a0522d", "#f0c800",
)  # fmt: skip


def plot_distribution(
    values: Sequence[float],
    label: str,
    *,
    ax: Axes | None = None,
    bins: int = 40,
    threshold: float | None = None,
    threshold_label: str | None = None,
    title: str | None = None,
) -> Axes:
    """Histogram of one property with its median and an optional threshold line.

    Missing values are left out and counted in the legend.

    >>> ax = plot_distribution([5.1, 6.2, 7.3, float("nan")], "pIC50", threshold=6.3)
    >>> ax.get_xlabel()
    'pIC50'
    """
    import matplotlib.pyplot as plt
    import numpy as np

    data = np.asarray(values, dtype=float)
    finite = data[np.isfinite(data)]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(finite, bins=bins, color=PRIMARY_COLOR, alpha=0.85, edgecolor="white")
    if finite.size:
        median = float(np.median(finite))
        ax.axvline(median, color="black", linestyle=":", label=f"median {median:.2f}")
    if threshold is not None:
        ax.axvline(
            threshold,
            color=ACCENT_COLOR,
            linestyle="--",
            label=threshold_label or f"threshold {threshold:g}",
        )
    ax.set_xlabel(label)
    ax.set_ylabel("count")
    missing = data.size - finite.size
    ax.set_title(
        title or f"{label} (n = {finite.size:,}" + (f", {missing} missing)" if missing else ")")
    )
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_curation_log(log: Any, ax: Axes | None = None) -> Axes:
    """Records kept after each curation step, with the number dropped written beside each bar.

    ``log`` is the log of :func:`drugml.chem.curate.curate_bioactivities`.
    """
    import matplotlib.pyplot as plt

    steps = list(log["step"])
    kept = list(log["n_out"])
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(steps) + 1))
    positions = range(len(steps))[::-1]
    colors = [ACCENT_COLOR if unit == "compounds" else PRIMARY_COLOR for unit in log["unit"]]
    ax.barh(list(positions), kept, color=colors)
    ax.set_yticks(list(positions), steps)
    for y, row in zip(positions, log.itertuples(), strict=True):
        if row.unit == "compounds":
            note = f"{row.n_out:,} compounds ({row.n_merged:,} replicates merged)"
        elif row.n_dropped:
            note = f"{row.n_out:,} kept, {row.n_dropped:,} dropped"
        else:
            note = f"{row.n_out:,}"
        ax.text(row.n_out, y, "  " + note, va="center", fontsize=9)
    ax.set_xlim(0, max(kept) * 1.6)
    ax.set_xlabel("records")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_property_distributions(
    table: Any,
    properties: Sequence[str],
    by: str | None = None,
    labels: dict[Any, str] | None = None,
    limits: dict[str, float] | None = None,
    n_cols: int = 3,
) -> Any:
    """Small multiples: one histogram per property, split by the groups of column ``by``.

    ``limits`` draws a dashed line per property (e.g. the rule-of-five limits).
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    n_rows = -(-len(properties) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4 * n_cols, 2.8 * n_rows), squeeze=False)
    groups = [(None, table)] if by is None else list(table.groupby(by, sort=True))
    palette = [PRIMARY_COLOR, ACCENT_COLOR, "#7a9e7e", "#e6a23c"]
    for ax, prop in zip(axes.flat, properties, strict=False):
        values = table[prop].astype(float)
        bins = np.histogram_bin_edges(values[np.isfinite(values)], bins=30)
        for color, (key, group) in zip(palette, groups, strict=False):
            name = "all" if key is None else (labels or {}).get(key, str(key))
            ax.hist(
                group[prop].astype(float),
                bins=bins,
                alpha=0.55,
                color=color,
                label=f"{name} (n={len(group):,})",
                density=by is not None,
            )
        if limits and prop in limits:
            ax.axvline(limits[prop], color="black", linestyle="--", linewidth=1)
        ax.set_title(prop)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(properties) :]:
        ax.set_visible(False)
    axes.flat[0].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


#: Rule-of-five (and Veber TPSA) limits used to scale the radar plot.
RO5_LIMITS = {"mw": 500, "clogp": 5, "hbd": 5, "hba": 10, "tpsa": 140}


def plot_ro5_radar(
    table: Any,
    by: str | None = None,
    labels: dict[Any, str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Radar of rule-of-five properties, each scaled by its limit (1 = on the limit).

    Draws the mean and a band of one standard deviation per group of ``by``
    (e.g. actives vs inactives); everything inside the unit circle obeys the rule.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    props = list(RO5_LIMITS)
    angles = np.linspace(0, 2 * np.pi, len(props), endpoint=False).tolist()
    angles += angles[:1]
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5), subplot_kw={"projection": "polar"})
    groups = [(None, table)] if by is None else list(table.groupby(by, sort=True))
    palette = [PRIMARY_COLOR, ACCENT_COLOR, "#7a9e7e"]
    for color, (key, group) in zip(palette, groups, strict=False):
        scaled = np.column_stack([group[p].astype(float) / RO5_LIMITS[p] for p in props])
        mean, std = np.nanmean(scaled, axis=0), np.nanstd(scaled, axis=0)
        name = "all" if key is None else (labels or {}).get(key, str(key))
        ax.plot(angles, [*mean, mean[0]], color=color, label=f"{name} (n={len(group):,})")
        ax.fill_between(
            angles,
            [*(mean - std), (mean - std)[0]],
            [*(mean + std), (mean + std)[0]],
            color=color,
            alpha=0.15,
        )
    ax.plot(
        angles, [1] * len(angles), color="black", linestyle="--", linewidth=1, label="rule limit"
    )
    ax.set_xticks(angles[:-1], [f"{p}\n(≤ {RO5_LIMITS[p]})" for p in props])
    ax.set_yticks([0.5, 1.0, 1.5], ["0.5", "1", "1.5"])
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.1), frameon=False, fontsize=8)
    return ax


def plot_parity(
    y_true: Any,
    y_pred: Any,
    ax: Axes | None = None,
    label: str = "",
    lower: Any = None,
    upper: Any = None,
) -> Axes:
    """Predicted against measured values with the identity line, RMSE and R² in the title.

    ``lower``/``upper`` draw each prediction's interval as a thin vertical bar.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4))
    if lower is not None and upper is not None:
        ax.vlines(y_true, lower, upper, color=PRIMARY_COLOR, alpha=0.08, linewidth=1)
    ax.scatter(y_true, y_pred, s=8, alpha=0.5, color=PRIMARY_COLOR, edgecolors="none")
    low = float(np.nanmin([y_true.min(), y_pred.min()]))
    high = float(np.nanmax([y_true.max(), y_pred.max()]))
    ax.plot([low, high], [low, high], color="black", linewidth=1)
    rmse = float(np.sqrt(np.mean((y_true - y_pred) ** 2)))
    r2 = 1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2)
    ax.set_title(f"{label}  RMSE {rmse:.2f}, R² {r2:.2f}".strip())
    ax.set_xlabel("measured")
    ax.set_ylabel("predicted")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_error_vs_similarity(
    y_true: Any,
    y_pred: Any,
    similarity: Any,
    ax: Axes | None = None,
    bins: int = 6,
    threshold: float | None = None,
) -> Axes:
    """Absolute error against nearest-training-set similarity (binned medians): the domain view."""
    import matplotlib.pyplot as plt
    import numpy as np

    error = np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float))
    similarity = np.asarray(similarity, float)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.scatter(similarity, error, s=8, alpha=0.35, color=PRIMARY_COLOR, edgecolors="none")
    edges = np.quantile(similarity, np.linspace(0, 1, bins + 1))
    centers, medians = [], []
    for lo, hi in itertools.pairwise(edges):
        inside = (similarity >= lo) & (similarity <= hi)
        if inside.any():
            centers.append((lo + hi) / 2)
            medians.append(np.median(error[inside]))
    ax.plot(centers, medians, color=ACCENT_COLOR, marker="o", label="median error per bin")
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1, label="domain threshold")
    ax.set_xlabel("Tanimoto similarity to nearest training molecule")
    ax.set_ylabel("absolute error")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_roc(y_true: Any, probability: Any, ax: Axes | None = None, label: str = "") -> Axes:
    """ROC curve with its AUC in the legend."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_auc_score, roc_curve

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    fpr, tpr, _ = roc_curve(y_true, probability)
    auc = roc_auc_score(y_true, probability)
    ax.plot(fpr, tpr, label=f"{label} AUC {auc:.2f}".strip())
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def reliability_plot(
    y: Any, probability: Any, ax: Axes | None = None, label: str | None = None, n_bins: int = 10
) -> Axes:
    """Reliability diagram: observed fraction of class 1 against mean predicted probability
    per bin (:func:`drugml.models.metrics.reliability_curve`), the diagonal for a calibrated
    model, the expected calibration error in the legend and the bins' counts below.

    Call it again with the same ``ax`` and another ``label`` to compare models.

    >>> ax = reliability_plot([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9], label="hERG")
    >>> ax.get_xlabel(), ax.get_legend().get_texts()[0].get_text()
    ('mean predicted probability', 'hERG ECE 0.225')
    """
    import matplotlib.pyplot as plt

    from drugml.models.metrics import expected_calibration_error, reliability_curve

    try:
        curve = reliability_curve(y, probability, n_bins)
        ece = expected_calibration_error(y, probability, n_bins)
    except ValueError as exc:  # the metrics' input error, said as a drawing's
        raise VisualizationError(f"reliability_plot: {exc}") from None
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    first = not ax.lines  # the first curve on these axes: draw the diagonal and counts
    if first:
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    drawn = len(ax.lines) - 1  # curves drawn before this one (the diagonal aside)
    filled = curve[curve["count"] > 0]
    ax.plot(
        filled["mean_predicted"],
        filled["observed_fraction"],
        marker="o",
        color=SERIES_COLORS[drawn % len(SERIES_COLORS)],
        label=f"{label or ''} ECE {ece:.3f}".strip(),
    )
    if first:  # how many molecules each bin holds, as a strip along the bottom
        counts = ax.inset_axes((0.0, 0.0, 1.0, 0.15), sharex=ax)
        counts.bar(
            (curve["bin_lower"] + curve["bin_upper"]) / 2,
            curve["count"],
            width=1.0 / len(curve),
            color="lightgrey",
            edgecolor="white",
        )
        counts.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed fraction of class 1")
    ax.legend(frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_chemical_space(
    features: Any,
    color: Any = None,
    method: str = "pca",
    ax: Axes | None = None,
    highlight: Any = None,
    highlight_labels: Sequence[str] | None = None,
    color_label: str = "",
    random_state: int = 0,
) -> Axes:
    """2D map of a feature matrix (PCA, or t-SNE after PCA to 50 dimensions).

    ``highlight`` is a boolean mask or index list of points drawn as labelled
    stars on top (e.g. approved drugs among the data set).
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.decomposition import PCA

    X = np.asarray(features, dtype=np.float32)
    if method == "pca":
        coords = PCA(n_components=2, random_state=random_state).fit_transform(X)
    elif method == "tsne":
        from sklearn.manifold import TSNE

        reduced = PCA(n_components=min(50, X.shape[1], X.shape[0]), random_state=random_state)
        coords = TSNE(
            n_components=2,
            init="pca",
            random_state=random_state,
            perplexity=min(30, max(5, len(X) // 10)),
        ).fit_transform(reduced.fit_transform(X))
    else:
        raise VisualizationError(f"method must be 'pca' or 'tsne', got {method!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    points = ax.scatter(
        coords[:, 0], coords[:, 1], c=color, s=6, alpha=0.7, cmap="viridis", edgecolors="none"
    )
    if color is not None:
        plt.colorbar(points, ax=ax, label=color_label)
    if highlight is not None:
        idx = np.flatnonzero(highlight) if np.asarray(highlight).dtype == bool else highlight
        ax.scatter(
            coords[idx, 0],
            coords[idx, 1],
            marker="*",
            s=160,
            color=ACCENT_COLOR,
            edgecolors="black",
            linewidths=0.6,
        )
        for i, text in zip(idx, highlight_labels or [], strict=False):
            ax.annotate(text, coords[i], xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"chemical space ({method.upper()})")
    return ax
