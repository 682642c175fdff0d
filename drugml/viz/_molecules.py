"""2D depictions of molecules: SVG grids, inline SVGs for HTML tables, similarity maps.

Example
-------
>>> from drugml.viz import molecule_grid
>>> grid = molecule_grid(["c1ccccc1O", "CCO"], legends=["phenol", "ethanol"])
>>> grid.svg.startswith("<?xml")
True
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.viz._plots import VisualizationError

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = ["MoleculeGrid", "molecule_grid", "molecule_svg", "pair_svg", "similarity_map"]


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


SVG_CLASS = re.compile(r" class='[^']*'")
SVG_BOND_STYLE = re.compile(
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
    svg = SVG_CLASS.sub("", svg)
    svg = SVG_BOND_STYLE.sub(r"fill='none' stroke='\1' stroke-width='\2'", svg)
    if title:
        head_end = svg.index(">") + 1
        svg = f"{svg[:head_end]}<title>{html.escape(title)}</title>{svg[head_end:]}"
    return svg.replace("<svg ", '<svg role="img" ', 1)


#: Highlight colours of :func:`pair_svg`: what the first molecule loses, what the second gains.
PAIR_COLORS = ((0.95, 0.55, 0.55), (0.50, 0.85, 0.50))


def pair_svg(
    first: Any,
    second: Any,
    first_atoms: Sequence[int] = (),
    second_atoms: Sequence[int] = (),
    legends: Sequence[str] = ("", ""),
    size: tuple[int, int] = (300, 220),
) -> str:
    """Two molecules side by side as inline SVG (no XML header), with atoms highlighted in
    each: ``first_atoms`` in red (e.g. what a transformation replaces), ``second_atoms`` in
    green (what it puts in); bonds between highlighted atoms too. ``size`` is one panel's.
    The SVG's ``<title>`` is the two legends.

    >>> pair_svg("Clc1ccccc1", "Brc1ccccc1", [0], [0], ("chloro", "bromo")).startswith("<svg")
    True
    """
    import html

    from rdkit.Chem.Draw import rdMolDraw2D

    from drugml.chem import to_mol

    mols = [to_mol(first), to_mol(second)]
    if any(m is None for m in mols):
        raise VisualizationError(f"Cannot draw {first!r} and {second!r}: not both molecules")
    atoms = [sorted(set(first_atoms)), sorted(set(second_atoms))]
    bonds = [
        [b.GetIdx() for b in mol.GetBonds()
         if b.GetBeginAtomIdx() in chosen and b.GetEndAtomIdx() in chosen]
        for mol, chosen in zip(mols, atoms, strict=True)
    ]  # fmt: skip
    colors = [
        dict.fromkeys(chosen, color) for chosen, color in zip(atoms, PAIR_COLORS, strict=True)
    ]
    bond_colors = [dict.fromkeys(b, c) for b, c in zip(bonds, PAIR_COLORS, strict=True)]
    width, height = size
    drawer = rdMolDraw2D.MolDraw2DSVG(2 * width, height, width, height, True)  # noFreetype
    drawer.drawOptions().clearBackground = False
    drawer.DrawMolecules(mols, highlightAtoms=atoms, highlightBonds=bonds,
                         highlightAtomColors=colors, highlightBondColors=bond_colors,
                         legends=[str(x) for x in legends])  # fmt: skip
    drawer.FinishDrawing()
    svg = drawer.GetDrawingText()
    svg = svg[svg.index("<svg") :]
    svg = SVG_CLASS.sub("", svg)
    title = " -> ".join(str(x) for x in legends if str(x))
    head_end = svg.index(">") + 1
    svg = f"{svg[:head_end]}<title>{html.escape(title)}</title>{svg[head_end:]}"
    return svg.replace("<svg ", '<svg role="img" ', 1)


def similarity_map(
    mol: Chem.Mol,
    weights: Sequence[float],
    size: tuple[int, int] = (400, 300),
    image_format: str = "svg",
) -> str | bytes:
    """An RDKit similarity map of per-atom weights: green raises, pink lowers the value.

    ``image_format``: ``"svg"`` (text) or ``"png"`` (bytes). The colour field is
    drawn as thousands of small shapes, so an SVG map weighs megabytes where
    the PNG weighs tens of kilobytes: notebooks show the PNG. Used by
    :meth:`drugml.models.PropertyModel.explain` (it draws with
    :func:`drugml.models.draw_similarity_map`).

    >>> from rdkit import Chem
    >>> similarity_map(Chem.MolFromSmiles("CCO"), [0.1, -0.2, 0.3]).lstrip().startswith("<?xml")
    True
    """
    from drugml.models import ModelInputError, draw_similarity_map

    try:
        return draw_similarity_map(mol, weights, size, image_format)
    except ModelInputError as exc:  # the pictures' own error, as before
        raise VisualizationError(str(exc)) from None
