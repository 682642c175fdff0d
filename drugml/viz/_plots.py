"""Pictures: 2D molecule grids, similarity maps, plots, and (re-exported) 3D and RNA views.

Helpers return objects a notebook displays directly (SVG grids, matplotlib
Axes) and that can be saved to files for reports. The 3D views live in
:mod:`drugml.viz.view3d` and the RNA secondary-structure drawing in
:mod:`drugml.structure.rna`; their public functions are also reachable from here
(``drugml.viz.view_structure``, ``drugml.viz.draw_rna_secondary_structure`` ...).

Example
-------
>>> from drugml.viz import molecule_grid
>>> grid = molecule_grid(["c1ccccc1O", "CCO"], legends=["phenol", "ethanol"])
>>> grid.svg.startswith("<?xml")
True
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.errors import DrugmlError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from rdkit import Chem

__all__ = [
    "MoleculeGrid",
    "VisualizationError",
    "molecule_grid",
    "molecule_svg",
    "plot_admet_percentiles",
    "plot_chemical_space",
    "plot_curation_log",
    "plot_distribution",
    "plot_error_vs_similarity",
    "plot_parity",
    "plot_property_distributions",
    "plot_ro5_radar",
    "plot_roc",
    "similarity_map",
]


class VisualizationError(DrugmlError, ValueError):
    """A picture cannot be drawn from the arguments given (mismatched lengths, an invalid
    SMARTS, an unknown option); the message names the argument. Raised by the 2D helpers
    here and the 3D views of :mod:`drugml.viz.view3d`.

    >>> molecule_grid(["CCO", "CCN"], legends=["ethanol"])
    Traceback (most recent call last):
    ...
    drugml.viz._plots.VisualizationError: Got 2 molecules but 1 legends.
    """


#: One colour for "the thing we look at" across drugml plots.
PRIMARY_COLOR = "#2b6ca3"
ACCENT_COLOR = "#d1495b"


class MoleculeGrid:
    """An SVG grid of 2D depictions; shows itself in Jupyter, ``save()`` writes it."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` and return the path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path


def molecule_grid(
    molecules: Sequence[Any],
    legends: Sequence[str] | None = None,
    n_cols: int = 4,
    sub_image_size: tuple[int, int] = (250, 200),
    highlight: str | Chem.Mol | None = None,
    highlight_atoms: Sequence[Sequence[int]] | None = None,
) -> MoleculeGrid:
    """Draw molecules (SMILES or RDKit ``Mol``) as an SVG grid with legends.

    ``highlight`` is a SMARTS pattern (or query ``Mol``) whose matches are
    highlighted in every molecule; ``highlight_atoms`` gives the atom indices
    to highlight per molecule instead (e.g. from
    :func:`drugml.screening.filters.alert_matches`). Entries that cannot be parsed are drawn as
    empty cells labelled ``invalid SMILES`` and named in a warning, so the grid
    keeps one cell per input.

    >>> molecule_grid(["CCO"]).svg.count("<svg") == 1
    True
    """
    from rdkit import Chem
    from rdkit.Chem import Draw

    from drugml.chem import to_mol

    molecules = list(molecules)
    legends = [str(x) for x in legends] if legends is not None else [""] * len(molecules)
    if len(legends) != len(molecules):
        raise VisualizationError(f"Got {len(molecules)} molecules but {len(legends)} legends.")
    mols, bad = [], []
    for i, item in enumerate(molecules):
        mol = to_mol(item)  # RDKit's own message is captured; the warning names the entry
        if mol is None:
            bad.append(i)
            mol = Chem.Mol()
            legends[i] = f"{legends[i]} (invalid SMILES)".strip()
        mols.append(mol)
    if bad:
        warnings.warn(f"molecule_grid: entries {bad} could not be parsed", stacklevel=2)
    highlights = None
    if highlight is not None and highlight_atoms is not None:
        raise VisualizationError("Give either highlight or highlight_atoms, not both.")
    if highlight_atoms is not None:
        highlights = [list(atoms) for atoms in highlight_atoms]
        if len(highlights) != len(mols):
            raise VisualizationError(
                f"Got {len(mols)} molecules but {len(highlights)} highlight lists."
            )
    if highlight is not None:
        query = Chem.MolFromSmarts(highlight) if isinstance(highlight, str) else highlight
        if query is None:
            raise VisualizationError(f"Highlight pattern {highlight!r} is not valid SMARTS.")
        highlights = [list(sum(m.GetSubstructMatches(query), ())) for m in mols]
    svg = Draw.MolsToGridImage(
        mols,
        molsPerRow=max(1, min(n_cols, len(mols))),
        subImgSize=sub_image_size,
        legends=legends,
        highlightAtomLists=highlights,
        useSVG=True,
    )
    return MoleculeGrid(svg if isinstance(svg, str) else svg.data)


_SVG_CLASS = re.compile(r" class='[^']*'")
_SVG_BOND_STYLE = re.compile(
    r"style='fill:none;fill-rule:evenodd;stroke:(#[0-9A-Fa-f]{6});stroke-width:([\d.]+)px;"
    r"stroke-linecap:butt;stroke-linejoin:miter;stroke-opacity:1'"
)


def molecule_svg(molecule: Any, size: tuple[int, int] = (160, 110), title: str = "") -> str:
    """One 2D depiction as inline SVG (no XML header), for HTML tables; ``""`` if unparsable.

    ``title`` becomes the SVG's ``<title>`` (its text alternative in a page).

    >>> molecule_svg("c1ccccc1O", title="phenol").startswith("<svg")
    True
    """
    import html

    from rdkit.Chem.Draw import rdMolDraw2D

    from drugml.chem import to_mol

    mol = to_mol(molecule)
    if mol is None:
        return ""
    drawer = rdMolDraw2D.MolDraw2DSVG(*size, -1, -1, True)  # noFreetype: labels as <text>
    drawer.drawOptions().clearBackground = False
    rdMolDraw2D.PrepareAndDrawMolecule(drawer, mol)
    drawer.FinishDrawing()
    svg = drawer.GetDrawingText()
    svg = svg[svg.index("<svg") :]
    # A page holds a hundred of these: RDKit's per-path classes and long style
    # strings are most of the bytes (14 KB -> about 5 KB a molecule).
    svg = _SVG_CLASS.sub("", svg)
    svg = _SVG_BOND_STYLE.sub(r"fill='none' stroke='\1' stroke-width='\2'", svg)
    if title:
        head_end = svg.index(">") + 1
        svg = f"{svg[:head_end]}<title>{html.escape(title)}</title>{svg[head_end:]}"
    return svg.replace("<svg ", '<svg role="img" ', 1)


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
            ax.hist(group[prop].astype(float), bins=bins, alpha=0.55, color=color,
                    label=f"{name} (n={len(group):,})", density=by is not None)  # fmt: skip
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
    table: Any, by: str | None = None, labels: dict[Any, str] | None = None,
    ax: Axes | None = None,
) -> Axes:  # fmt: skip
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
        ax.fill_between(angles, [*(mean - std), (mean - std)[0]], [*(mean + std), (mean + std)[0]],
                        color=color, alpha=0.15)  # fmt: skip
    ax.plot(angles, [1] * len(angles), color="black", linestyle="--", linewidth=1,
            label="rule limit")  # fmt: skip
    ax.set_xticks(angles[:-1], [f"{p}\n(≤ {RO5_LIMITS[p]})" for p in props])
    ax.set_yticks([0.5, 1.0, 1.5], ["0.5", "1", "1.5"])
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.1), frameon=False, fontsize=8)
    return ax


#: How each direction of an ADMET endpoint is marked in :func:`plot_admet_percentiles`.
_DIRECTION_MARKS = {1: "higher is better", -1: "lower is better", 0: "context, not a goal"}


#: Line colours of :func:`plot_admet_percentiles` (colour-blind safe, after Okabe and Ito).
_PROFILE_COLORS = (PRIMARY_COLOR, ACCENT_COLOR, "#e69f00", "#009e73", "#8e6bb5", "#56b4e9",
                   "#a0522d", "#f0c800")  # fmt: skip


def plot_admet_percentiles(
    table: Any, labels: str | dict[Any, str] | None = None, endpoints: Sequence[str] | None = None,
    kind: str = "radar", reference: Any = None, ax: Axes | None = None, max_molecules: int = 8,
) -> Axes:  # fmt: skip
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
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.models.admet import ENDPOINTS

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
        raise VisualizationError(f"Endpoint(s) {absent} are not in the table; it has "
                                 f"{sorted(set(table['endpoint']))}")  # fmt: skip
    wide = table.pivot(index="record", columns="endpoint",
                       values="percentile_vs_approved_drugs")[names]  # fmt: skip
    label_of = _admet_labels(table, labels)
    missing = wide.index[wide.isna().all(axis=1)].tolist()
    if missing:
        which = ", ".join(label_of[r] for r in missing)
        warnings.warn(f"No ADMET predictions for records {missing} ({which}): left out",
                      stacklevel=2)  # fmt: skip
        wide = wide.drop(index=missing)
    if reference is not None and reference not in wide.index:
        raise VisualizationError(f"reference {reference!r} is not a record of the table")
    if len(wide) > max_molecules:
        raise VisualizationError(
            f"Got {len(wide)} molecules; a profile plot reads for at most {max_molecules} (pass "
            "a few records, or raise max_molecules)"
        )
    signs = [ENDPOINTS[n].sign if n in ENDPOINTS else 0 for n in names]
    titles = [ENDPOINTS[n].title if n in ENDPOINTS else n for n in names]
    ticks = [f"{t}\n({_DIRECTION_MARKS[s]})" for t, s in zip(titles, signs, strict=True)]
    # The reference row first (drawn underneath, in grey), then one colour per molecule.
    order = [r for r in wide.index if r == reference] + [r for r in wide.index if r != reference]
    wide = wide.loc[order]
    palette = iter(_PROFILE_COLORS * (1 + len(wide) // len(_PROFILE_COLORS)))
    colors = ["#888888" if r == reference else next(palette) for r in wide.index]
    if kind == "radar":
        angles = np.linspace(0, 2 * np.pi, len(names), endpoint=False).tolist()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 7), subplot_kw={"projection": "polar"})
        ax.set_theta_offset(np.pi / 2)  # the first endpoint at the top, then clockwise
        ax.set_theta_direction(-1)
        closed = [*angles, angles[0]]
        for color, (record, row) in zip(colors, wide.iterrows(), strict=True):
            values = row.to_numpy(dtype=float)
            is_reference = record == reference
            ax.plot(closed, [*values, values[0]], color=color, marker="o", markersize=3,
                    linewidth=3 if is_reference else 1.5, label=label_of[record],
                    alpha=0.8 if is_reference else 1.0)  # fmt: skip
            ax.fill(closed, [*values, values[0]], color=color, alpha=0.12 if is_reference else 0.05)
        ax.plot(np.linspace(0, 2 * np.pi, 200), [50] * 200, color="black", linestyle="--",
                linewidth=0.8, label="median approved drug")  # fmt: skip
        ax.set_ylim(0, 100)
        ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", "100"], fontsize=7, color="grey")
        ax.set_rlabel_position(180 / len(names))  # between the first two spokes
        ax.set_xticks(angles, ticks, fontsize=8)
        ax.tick_params(axis="x", pad=10)
        ax.legend(loc="upper left", bbox_to_anchor=(1.1, 1.05), frameon=False, fontsize=8)
    else:
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 * len(names) * max(1, len(wide)) ** 0.5 + 1.5))
        positions = np.arange(len(names))[::-1]
        height = 0.8 / max(1, len(wide))
        for i, (color, (record, row)) in enumerate(zip(colors, wide.iterrows(), strict=True)):
            ax.barh(positions + 0.4 - height * (i + 0.5), row.to_numpy(dtype=float), height,
                    color=color, label=label_of[record])  # fmt: skip
        ax.axvline(50, color="black", linestyle="--", linewidth=0.8, label="median approved drug")
        ax.set_xlim(0, 100)
        ax.set_yticks(positions, ticks, fontsize=8)
        ax.set_xlabel("percentile among the approved drugs' predictions")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("ADMET profile: percentile among approved drugs", fontsize=10,
                 pad=24 if kind == "radar" else 6)  # fmt: skip
    return ax


def _admet_labels(table: Any, labels: str | dict[Any, str] | None) -> dict[Any, str]:
    """Record -> legend label (``labels`` a column, a mapping, or None: id, else input)."""
    if isinstance(labels, dict):
        return {r: str(labels.get(r, r)) for r in table["record"].unique()}
    column = labels or ("id" if "id" in table.columns else "input")
    if column not in table.columns:
        raise VisualizationError(f"labels names the column {column!r}, which the table lacks")
    first = table.drop_duplicates("record").set_index("record")[column]
    return {r: (str(v) if len(str(v)) <= 30 else str(v)[:27] + "...") for r, v in first.items()}


def plot_parity(
    y_true: Any, y_pred: Any, ax: Axes | None = None, label: str = "", lower: Any = None,
    upper: Any = None,
) -> Axes:  # fmt: skip
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
    y_true: Any, y_pred: Any, similarity: Any, ax: Axes | None = None, bins: int = 6,
    threshold: float | None = None,
) -> Axes:  # fmt: skip
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


def plot_chemical_space(
    features: Any, color: Any = None, method: str = "pca", ax: Axes | None = None,
    highlight: Any = None, highlight_labels: Sequence[str] | None = None,
    color_label: str = "", random_state: int = 0,
) -> Axes:  # fmt: skip
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
        coords = TSNE(n_components=2, init="pca", random_state=random_state,
                      perplexity=min(30, max(5, len(X) // 10))).fit_transform(
            reduced.fit_transform(X))  # fmt: skip
    else:
        raise VisualizationError(f"method must be 'pca' or 'tsne', got {method!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    points = ax.scatter(coords[:, 0], coords[:, 1], c=color, s=6, alpha=0.7, cmap="viridis",
                        edgecolors="none")  # fmt: skip
    if color is not None:
        plt.colorbar(points, ax=ax, label=color_label)
    if highlight is not None:
        idx = np.flatnonzero(highlight) if np.asarray(highlight).dtype == bool else highlight
        ax.scatter(coords[idx, 0], coords[idx, 1], marker="*", s=160, color=ACCENT_COLOR,
                   edgecolors="black", linewidths=0.6)  # fmt: skip
        for i, text in zip(idx, highlight_labels or [], strict=False):
            ax.annotate(text, coords[i], xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"chemical space ({method.upper()})")
    return ax


def similarity_map(
    mol: Chem.Mol, weights: Sequence[float], size: tuple[int, int] = (400, 300),
    image_format: str = "svg",
) -> str | bytes:  # fmt: skip
    """An RDKit similarity map of per-atom weights: green raises, pink lowers the value.

    ``image_format``: ``"svg"`` (text) or ``"png"`` (bytes). The colour field is
    drawn as thousands of small shapes, so an SVG map weighs megabytes where
    the PNG weighs tens of kilobytes: notebooks show the PNG. Used by
    :meth:`drugml.models.PropertyModel.explain`.

    >>> from rdkit import Chem
    >>> similarity_map(Chem.MolFromSmiles("CCO"), [0.1, -0.2, 0.3]).lstrip().startswith("<?xml")
    True
    """
    from rdkit.Chem.Draw import SimilarityMaps, rdMolDraw2D

    if len(weights) != mol.GetNumAtoms():
        raise VisualizationError(
            f"{len(weights)} weights for a molecule of {mol.GetNumAtoms()} atoms"
        )
    if image_format not in ("svg", "png"):
        raise VisualizationError(f"image_format must be 'svg' or 'png', got {image_format!r}")
    drawer = (rdMolDraw2D.MolDraw2DSVG if image_format == "svg" else rdMolDraw2D.MolDraw2DCairo)(
        *size)  # fmt: skip
    SimilarityMaps.GetSimilarityMapFromWeights(mol, list(map(float, weights)), draw2d=drawer)
    drawer.FinishDrawing()
    return drawer.GetDrawingText()
