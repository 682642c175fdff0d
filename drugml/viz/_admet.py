"""The ADMET profile figure: each molecule's predictions as percentiles among approved drugs.

Example
-------
>>> import pandas as pd
>>> from drugml.viz import plot_admet_percentiles
>>> tidy = pd.DataFrame({"record": [0, 0], "input": ["CCO", "CCO"], "endpoint": ["herg", "dili"],
...                      "percentile_vs_approved_drugs": [20.0, 80.0]})
>>> plot_admet_percentiles(tidy, kind="bar").get_xlabel()
"percentile among the approved drugs' predictions"
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drugml.viz._plots import ACCENT_COLOR, PRIMARY_COLOR, SERIES_COLORS, VisualizationError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["plot_admet_leaderboard", "plot_admet_percentiles"]

#: How each direction of an ADMET endpoint is marked in :func:`plot_admet_percentiles`.
_DIRECTION_MARKS = {1: "higher is better", -1: "lower is better", 0: "context, not a goal"}


#: Line colours of :func:`plot_admet_percentiles`.
_PROFILE_COLORS = SERIES_COLORS


def plot_admet_percentiles(
    table: Any,
    labels: str | dict[Any, str] | None = None,
    endpoints: Sequence[str] | None = None,
    kind: str = "radar",
    reference: Any = None,
    ax: Axes | None = None,
    max_molecules: int = 8,
) -> Axes:
    """Each molecule's ADMET profile as percentiles among the approved drugs, direction marked.

    ``table`` is the tidy table of :meth:`drugml.models.admet.AdmetPanel.predict` (or any
    table with ``record``, ``endpoint`` and ``percentile_vs_approved_drugs``).
    A radar (``kind="radar"``) has one spoke per endpoint and one line per
    molecule, 0 in the centre, 100 at the rim; the dashed circle is the median
    approved drug. ``kind="bar"`` draws the same as grouped horizontal bars.
    Each endpoint's label says which way is better (``higher is better``,
    ``lower is better`` or ``context, not a goal``: BBB penetration, plasma
    protein binding). ``labels``: a column of ``table`` (default ``id`` when
    present, else ``input``) or a mapping record -> label. ``reference``: the
    ``record`` of a comparison row (e.g. the median percentiles of a group of
    drugs), drawn in grey. Molecules without predictions (``ok`` False) are
    left out with a warning that names them.

    >>> import pandas as pd
    >>> tidy = pd.DataFrame({"record": [0, 0, 1, 1], "input": ["CCO", "CCO", "CCN", "CCN"],
    ...                      "endpoint": ["herg", "hia_hou"] * 2,
    ...                      "percentile_vs_approved_drugs": [20.0, 80.0, 55.0, 10.0]})
    >>> ax = plot_admet_percentiles(tidy)
    >>> [t.get_text().splitlines()[-1] for t in ax.get_xticklabels()]
    ['(lower is better)', '(higher is better)']
    """
    names = _checked_endpoints(table, kind, endpoints)
    wide = table.pivot(index="record", columns="endpoint", values="percentile_vs_approved_drugs")
    wide = wide[names]
    label_of = _admet_labels(table, labels)
    wide = _drawable_rows(wide, label_of, reference, max_molecules)
    ticks = _endpoint_ticks(names)
    # The reference row first (drawn underneath, in grey), then one colour per molecule.
    order = [r for r in wide.index if r == reference] + [r for r in wide.index if r != reference]
    wide = wide.loc[order]
    palette = iter(_PROFILE_COLORS * (1 + len(wide) // len(_PROFILE_COLORS)))
    colors = ["#888888" if r == reference else next(palette) for r in wide.index]
    if kind == "radar":
        ax = _draw_radar(wide, colors, ticks, label_of, reference, ax)
    else:
        ax = _draw_bars(wide, colors, ticks, label_of, ax)
    ax.set_title(
        "ADMET profile: percentile among approved drugs",
        fontsize=10,
        pad=24 if kind == "radar" else 6,
    )
    return ax


def _checked_endpoints(table: Any, kind: str, endpoints: Sequence[str] | None) -> list[str]:
    """The endpoints to draw, after checking the table's columns, ``kind`` and the names."""
    needed = {"record", "endpoint", "percentile_vs_approved_drugs"}
    if not needed <= set(table.columns):
        raise VisualizationError(
            f"plot_admet_percentiles needs the columns {sorted(needed)} of AdmetPanel.predict; "
            f"the table has {list(table.columns)}"
        )
    if kind not in ("radar", "bar"):
        raise VisualizationError(f"kind must be 'radar' or 'bar', got {kind!r}")
    names = list(dict.fromkeys(table["endpoint"])) if endpoints is None else list(endpoints)
    absent = [n for n in names if n not in set(table["endpoint"])]
    if absent or not names:
        raise VisualizationError(
            f"Endpoint(s) {absent} are not in the table; it has {sorted(set(table['endpoint']))}"
        )
    return names


def _admet_labels(table: Any, labels: str | dict[Any, str] | None) -> dict[Any, str]:
    """Record -> legend label (``labels`` a column, a mapping, or None: id, else input)."""
    if isinstance(labels, dict):
        return {r: str(labels.get(r, r)) for r in table["record"].unique()}
    column = labels or ("id" if "id" in table.columns else "input")
    if column not in table.columns:
        raise VisualizationError(f"labels names the column {column!r}, which the table lacks")
    first = table.drop_duplicates("record").set_index("record")[column]
    return {r: (str(v) if len(str(v)) <= 30 else str(v)[:27] + "...") for r, v in first.items()}


def _drawable_rows(
    wide: pd.DataFrame, label_of: dict[Any, str], reference: Any, max_molecules: int
) -> pd.DataFrame:
    """The records with predictions (the others left out with a warning), checked against
    ``reference`` and ``max_molecules``."""
    missing = wide.index[wide.isna().all(axis=1)].tolist()
    if missing:
        which = ", ".join(label_of[r] for r in missing)
        # stacklevel 3: the warning points at the caller of plot_admet_percentiles
        warnings.warn(
            f"No ADMET predictions for records {missing} ({which}): left out", stacklevel=3
        )
        wide = wide.drop(index=missing)
    if reference is not None and reference not in wide.index:
        raise VisualizationError(f"reference {reference!r} is not a record of the table")
    if len(wide) > max_molecules:
        raise VisualizationError(
            f"Got {len(wide)} molecules; a profile plot reads for at most {max_molecules} (pass "
            "a few records, or raise max_molecules)"
        )
    return wide


def _endpoint_ticks(names: list[str]) -> list[str]:
    """Each endpoint's title and, below it, which way is better."""
    from drugml.models.admet import ENDPOINTS

    signs = [ENDPOINTS[n].sign if n in ENDPOINTS else 0 for n in names]
    titles = [ENDPOINTS[n].title if n in ENDPOINTS else n for n in names]
    return [f"{t}\n({_DIRECTION_MARKS[s]})" for t, s in zip(titles, signs, strict=True)]


def _draw_radar(
    wide: pd.DataFrame,
    colors: list[str],
    ticks: list[str],
    label_of: dict[Any, str],
    reference: Any,
    ax: Axes | None,
) -> Axes:
    """One spoke per endpoint, one closed line per molecule, the median drug's dashed circle."""
    import matplotlib.pyplot as plt
    import numpy as np

    n_endpoints = len(ticks)
    angles = np.linspace(0, 2 * np.pi, n_endpoints, endpoint=False).tolist()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7), subplot_kw={"projection": "polar"})
    ax.set_theta_offset(np.pi / 2)  # the first endpoint at the top, then clockwise
    ax.set_theta_direction(-1)
    closed = [*angles, angles[0]]
    for color, (record, row) in zip(colors, wide.iterrows(), strict=True):
        values = row.to_numpy(dtype=float)
        is_reference = record == reference
        ax.plot(
            closed,
            [*values, values[0]],
            color=color,
            marker="o",
            markersize=3,
            linewidth=3 if is_reference else 1.5,
            label=label_of[record],
            alpha=0.8 if is_reference else 1.0,
        )
        ax.fill(closed, [*values, values[0]], color=color, alpha=0.12 if is_reference else 0.05)
    ax.plot(
        np.linspace(0, 2 * np.pi, 200),
        [50] * 200,
        color="black",
        linestyle="--",
        linewidth=0.8,
        label="median approved drug",
    )
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", "100"], fontsize=7, color="grey")
    ax.set_rlabel_position(180 / n_endpoints)  # between the first two spokes
    ax.set_xticks(angles, ticks, fontsize=8)
    ax.tick_params(axis="x", pad=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.1, 1.05), frameon=False, fontsize=8)
    return ax


def _draw_bars(
    wide: pd.DataFrame,
    colors: list[str],
    ticks: list[str],
    label_of: dict[Any, str],
    ax: Axes | None,
) -> Axes:
    """The same profile as grouped horizontal bars, one group per endpoint."""
    import matplotlib.pyplot as plt
    import numpy as np

    n_endpoints = len(ticks)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * n_endpoints * max(1, len(wide)) ** 0.5 + 1.5))
    positions = np.arange(n_endpoints)[::-1]
    height = 0.8 / max(1, len(wide))
    for i, (color, (record, row)) in enumerate(zip(colors, wide.iterrows(), strict=True)):
        ax.barh(
            positions + 0.4 - height * (i + 0.5),
            row.to_numpy(dtype=float),
            height,
            color=color,
            label=label_of[record],
        )
    ax.axvline(50, color="black", linestyle="--", linewidth=0.8, label="median approved drug")
    ax.set_xlim(0, 100)
    ax.set_yticks(positions, ticks, fontsize=8)
    ax.set_xlabel("percentile among the approved drugs' predictions")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


#: TDC metrics where lower is better (the ratio to the leaderboard is inverted for them).
_LOWER_IS_BETTER_METRICS = ("MAE",)


def plot_admet_leaderboard(scores: Mapping[str, Mapping[str, Any]], ax: Axes | None = None) -> Axes:
    """Each endpoint's score on TDC's test partition against the leaderboard's best, as a
    ratio (1: level with the best; below 1: behind it), the two values written on each bar.

    ``scores``: endpoint -> a record with ``metric``, ``value`` and ``leaderboard_best`` (the
    ``tdc_test`` of each model in a panel's ``info["models"]``).

    >>> ax = plot_admet_leaderboard({"herg": {"metric": "AUROC", "value": 0.83,
    ...                                       "leaderboard_best": 0.88}})
    >>> ax.get_xlabel()
    "score relative to TDC leaderboard's best (1 = level)"
    """
    import matplotlib.pyplot as plt

    if not scores:
        raise VisualizationError("plot_admet_leaderboard: no endpoint to draw")
    names, ratios, notes = [], [], []
    for name, record in scores.items():
        try:
            metric, ours, best = record["metric"], record["value"], record["leaderboard_best"]
        except KeyError as exc:
            raise VisualizationError(f"plot_admet_leaderboard: {name!r} lacks {exc}") from None
        names.append(name)
        ratios.append(best / ours if metric in _LOWER_IS_BETTER_METRICS else ours / best)
        notes.append(f"{metric} {ours:.3g} vs {best:.3g}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.4 * len(names) + 1))
    colors = [PRIMARY_COLOR if r >= 0.99 else ACCENT_COLOR for r in ratios]
    ax.barh(names, ratios, color=colors)
    for row, (ratio, note) in enumerate(zip(ratios, notes, strict=True)):
        ax.text(min(ratio, 1.0) - 0.005, row, note, va="center", ha="right", fontsize=7,
                color="white")  # fmt: skip
    ax.axvline(1.0, color="grey", linewidth=0.8)
    ax.axvline(0.99, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlim(min(0.8, min(ratios) - 0.02), max(1.03, max(ratios) + 0.01))
    ax.invert_yaxis()
    ax.set_xlabel("score relative to TDC leaderboard's best (1 = level)")
    ax.set_title("ours on TDC's test partitions (blue: within 1 % of the best)", fontsize=9)
    return ax
