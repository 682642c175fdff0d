"""RNA secondary structure: fold a sequence with ViennaRNA and draw it, ligand contacts marked.

RNA folds back on itself: Watson-Crick (G-C, A-U) and wobble (G-U) pairs form
stems, the unpaired stretches loops. The *secondary structure* (which base
pairs with which, written in dot-bracket notation: ``(`` and ``)`` paired,
``.`` unpaired) is what riboswitches and other RNA targets use to build the
pockets small molecules bind in. :func:`rna_secondary_structure` predicts the
minimum-free-energy structure with ViennaRNA's ``RNAfold`` (Turner 2004
parameters, 37 °C); :func:`draw_rna_secondary_structure` draws it with the
NAView layout, bases coloured, and optionally the nucleotides that touch a
ligand in a 3D structure (:func:`ligand_contact_positions`).

A prediction from sequence alone misses pseudoknots and tertiary contacts
that a crystal structure shows; treat it as a map, not the truth.

Example
-------
>>> from drugml.structure.rna import rna_secondary_structure
>>> rna_secondary_structure("GGGGAAACCCC")
('((((...))))', -4.5)
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.errors import DrugmlError, MissingDependencyError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from drugml.structure import Ligand, Structure

__all__ = [
    "DotBracketError",
    "RNAError",
    "RNASequenceError",
    "base_pairs",
    "draw_rna_secondary_structure",
    "ligand_contact_positions",
    "rna_secondary_structure",
]

#: Base colours, the same as the 3D views (drugml.viz.view3d.BASE_COLORS).
BASE_COLORS = {"A": "#2ca02c", "C": "#1f77b4", "G": "#ff7f0e", "U": "#d62728", "N": "#999999"}


class RNAError(DrugmlError, ValueError):
    """An RNA sequence, secondary structure or position that cannot be used as given."""


class RNASequenceError(RNAError):
    """An RNA sequence with letters other than A, C, G, U (T is read as U, N as any base)."""


class DotBracketError(RNAError):
    """A dot-bracket secondary structure that is unbalanced, has a symbol other than
    ``.()[]{}<>``, or does not have one symbol per nucleotide of its sequence."""


def _clean_sequence(sequence: str) -> str:
    text = re.sub(r"\s+", "", str(sequence)).upper().replace("T", "U")
    if not text:
        raise RNASequenceError("The RNA sequence is empty")
    bad = [(i, c) for i, c in enumerate(text) if c not in "ACGUN"]
    if bad:
        listing = ", ".join(f"{c!r} at {i + 1}" for i, c in bad[:10])
        raise RNASequenceError(
            f"RNA sequence has {len(bad)} invalid letter(s): {listing}"
            + (" ..." if len(bad) > 10 else "")
            + "; allowed: A, C, G, U (T read as U), N"
        )
    return text


def _vienna():
    try:
        import RNA
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError("RNA folding needs ViennaRNA: pip install viennarna") from exc
    return RNA


def rna_secondary_structure(sequence: str) -> tuple[str, float]:
    """Minimum-free-energy secondary structure: ``(dot_bracket, mfe)`` (kcal/mol, 37 °C).

    Whitespace is ignored, lower case accepted and T read as U; any other
    letter raises :class:`RNASequenceError` naming it and its position.
    """
    text = _clean_sequence(sequence)
    structure, mfe = _vienna().fold(text)
    return structure, round(float(mfe), 2)


def base_pairs(dot_bracket: str) -> list[tuple[int, int]]:
    """The (i, j) index pairs (0-based, i < j) of a dot-bracket string.

    >>> base_pairs("((..))")
    [(1, 4), (0, 5)]
    """
    pairs, stacks = [], {"(": [], "[": [], "{": [], "<": []}
    closing = {")": "(", "]": "[", "}": "{", ">": "<"}
    for i, symbol in enumerate(dot_bracket):
        if symbol in stacks:
            stacks[symbol].append(i)
        elif symbol in closing:
            if not stacks[closing[symbol]]:
                raise DotBracketError(
                    f"Unbalanced dot-bracket string: {symbol!r} at position {i + 1} closes "
                    "no open bracket"
                )
            pairs.append((stacks[closing[symbol]].pop(), i))
        elif symbol != ".":
            raise DotBracketError(
                f"Unexpected symbol {symbol!r} at position {i + 1} of dot-bracket; "
                "allowed: . ( ) [ ] { } < >"
            )
    unclosed = sorted(i + 1 for opened in stacks.values() for i in opened)
    if unclosed:
        raise DotBracketError(
            f"Unbalanced dot-bracket string: brackets at positions {unclosed[:10]} are never closed"
        )
    return pairs


def ligand_contact_positions(
    structure: Structure | str | Path,
    ligand: str | Ligand,
    chain: str | None = None,
    cutoff: float = 4.0,
) -> list[int]:
    """0-based positions in an RNA chain's sequence of the nucleotides within ``cutoff`` Å
    of a ligand (the chain defaults to the first RNA chain).

    >>> ligand_contact_positions("rna_4gxy", "B1Z")[:3]
    [34, 35, 36]
    """
    from drugml.structure import Structure, StructureError, load_structure

    if not isinstance(structure, Structure):
        structure = load_structure(structure)
    if chain is None:
        rna = [c.id for c in structure.chains if c.type == "RNA"]
        if not rna:
            raise StructureError(f"{structure.name} has no RNA chain")
        chain = rna[0]
    residue_ids = structure.chain(chain).residue_ids
    index = {(num, icode.strip()): i for i, (num, icode) in enumerate(residue_ids)}
    site = structure.binding_site(ligand, cutoff)
    site = site[site["chain"] == chain]
    return sorted(
        index[(int(n), str(c))]
        for n, c in zip(site["resnum"], site["icode"], strict=True)
        if (int(n), str(c)) in index
    )


def _layout(dot_bracket: str) -> np.ndarray:
    coordinates = _vienna().naview_xy_coordinates(dot_bracket)
    xy = np.array([(c.X, c.Y) for c in coordinates[: len(dot_bracket)]], dtype=float)
    return xy


def draw_rna_secondary_structure(
    sequence: str,
    dot_bracket: str | None = None,
    highlight: Collection[int] = (),
    highlight_label: str = "ligand contact",
    title: str | None = None,
    numbering_every: int = 10,
    ax: Any = None,
) -> Figure:
    """Draw an RNA secondary structure (NAView layout): bases as coloured discs, pairs as lines.

    ``dot_bracket`` defaults to the ViennaRNA MFE fold of ``sequence``.
    ``highlight``: 0-based positions to ring in black (e.g. from
    :func:`ligand_contact_positions`). Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    text = _clean_sequence(sequence)
    if dot_bracket is None:
        dot_bracket, mfe = rna_secondary_structure(text)
        subtitle = f"MFE {mfe:.1f} kcal/mol (ViennaRNA)"
    else:
        subtitle = ""
    _check_drawing(text, dot_bracket, highlight)
    pairs = base_pairs(dot_bracket)
    xy = _layout(dot_bracket)
    size = max(4.0, min(12.0, 2.0 + len(text) / 18))
    if ax is None:
        fig, ax = plt.subplots(figsize=(size, size))
    else:
        fig = ax.figure
    chosen = sorted(set(highlight))
    _draw_bases(ax, xy, text, pairs, chosen)
    _draw_numbers(ax, xy, len(text), numbering_every)
    _draw_legend(ax, text, chosen, highlight_label)
    ax.set_aspect("equal")
    ax.axis("off")
    heading = title or f"RNA secondary structure ({len(text)} nt, {len(pairs)} base pairs)"
    ax.set_title(heading + (f"\n{subtitle}" if subtitle else ""))
    fig.tight_layout()
    return fig


def _check_drawing(text: str, dot_bracket: str, highlight: Collection[int]) -> None:
    if len(dot_bracket) != len(text):
        raise DotBracketError(
            f"Sequence has {len(text)} nucleotides but the structure {len(dot_bracket)} symbols"
        )
    bad = [i for i in highlight if not 0 <= i < len(text)]
    if bad:
        raise RNAError(
            f"Highlight positions {bad[:10]} are outside the sequence (0-{len(text) - 1})"
        )


def _draw_bases(
    ax: Any, xy: np.ndarray, text: str, pairs: list[tuple[int, int]], chosen: list[int]
) -> None:
    """Backbone, pair lines, coloured base discs (letters when short), highlights ringed."""
    ax.plot(xy[:, 0], xy[:, 1], color="#777777", lw=1.0, zorder=1)  # backbone
    for i, j in pairs:
        ax.plot(xy[[i, j], 0], xy[[i, j], 1], color="#444444", lw=1.4, zorder=1)
    colours = [BASE_COLORS.get(base, "#999999") for base in text]
    marker = max(14.0, 900.0 / max(len(text), 1)) * 4
    ax.scatter(
        xy[:, 0], xy[:, 1], s=marker, c=colours, edgecolors="white", linewidths=0.5, zorder=2
    )
    if chosen:
        ax.scatter(
            xy[chosen, 0],
            xy[chosen, 1],
            s=marker * 2.2,
            facecolors="none",
            edgecolors="black",
            linewidths=1.6,
            zorder=3,
        )
    if len(text) <= 80:
        for (x, y), base in zip(xy, text, strict=True):
            ax.text(x, y, base, ha="center", va="center", fontsize=7, color="white", zorder=4)


def _draw_numbers(ax: Any, xy: np.ndarray, n: int, numbering_every: int) -> None:
    centre = xy.mean(axis=0)
    spread = np.ptp(xy, axis=0).max() * 0.035
    for i in range(0, n, numbering_every):
        # Numbers sit just outside the drawing, away from its centre.
        direction = xy[i] - centre
        x, y = xy[i] + direction / (np.linalg.norm(direction) or 1.0) * spread
        ax.text(x, y, str(i + 1), fontsize=7, color="#333333", ha="center", va="center", zorder=4)


def _draw_legend(ax: Any, text: str, chosen: list[int], highlight_label: str) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", ls="", color=c, label=b)
        for b, c in BASE_COLORS.items()
        if b in text
    ]
    if chosen:
        label = f"{highlight_label} ({len(chosen)})"
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor="none",
                markeredgecolor="black",
                label=label,
            )
        )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
