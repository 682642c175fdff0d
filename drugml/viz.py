"""Pictures: 2D molecule grids and property distributions.

Helpers return objects a notebook displays directly (SVG grids, matplotlib
Axes) and that can be saved to files for reports.

Example
-------
>>> from drugml.viz import molecule_grid
>>> grid = molecule_grid(["c1ccccc1O", "CCO"], legends=["phenol", "ethanol"])
>>> grid.svg.startswith("<?xml")
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from rdkit import Chem

__all__ = ["MoleculeGrid", "molecule_grid", "plot_distribution"]

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


def _to_mol(item: Any) -> Chem.Mol | None:
    from rdkit import Chem, rdBase

    if isinstance(item, Chem.Mol):
        return item
    if not isinstance(item, str):
        return None
    with rdBase.BlockLogs():  # the warning below names the bad entries instead
        return Chem.MolFromSmiles(item.strip())


def molecule_grid(
    molecules: Sequence[Any],
    legends: Sequence[str] | None = None,
    n_cols: int = 4,
    sub_image_size: tuple[int, int] = (250, 200),
    highlight: str | Chem.Mol | None = None,
) -> MoleculeGrid:
    """Draw molecules (SMILES or RDKit ``Mol``) as an SVG grid with legends.

    ``highlight`` is a SMARTS pattern (or query ``Mol``) whose matches are
    highlighted in every molecule. Entries that cannot be parsed are drawn as
    empty cells labelled ``invalid SMILES`` and named in a warning, so the grid
    keeps one cell per input.

    >>> molecule_grid(["CCO"]).svg.count("<svg") == 1
    True
    """
    from rdkit import Chem
    from rdkit.Chem import Draw

    molecules = list(molecules)
    legends = [str(x) for x in legends] if legends is not None else [""] * len(molecules)
    if len(legends) != len(molecules):
        raise ValueError(f"Got {len(molecules)} molecules but {len(legends)} legends.")
    mols, bad = [], []
    for i, item in enumerate(molecules):
        mol = _to_mol(item)
        if mol is None:
            bad.append(i)
            mol = Chem.Mol()
            legends[i] = f"{legends[i]} (invalid SMILES)".strip()
        mols.append(mol)
    if bad:
        warnings.warn(f"molecule_grid: entries {bad} could not be parsed", stacklevel=2)
    highlights = None
    if highlight is not None:
        query = Chem.MolFromSmarts(highlight) if isinstance(highlight, str) else highlight
        if query is None:
            raise ValueError(f"Highlight pattern {highlight!r} is not valid SMARTS.")
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
