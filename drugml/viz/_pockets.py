"""A 3D view of the pockets :func:`drugml.structure.pockets.find_pockets` found (py3Dmol)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.viz import VisualizationError
from drugml.viz.view3d import PALETTE, MoleculeView, legend_html

if TYPE_CHECKING:
    from drugml.structure import Structure
    from drugml.structure.pockets import Pocket

__all__ = ["pocket_legend", "pocket_view"]

# "MET769.A", "G11.A", "SER100A.B" (insertion code A): residue name, number, code, chain.
_RESIDUE = re.compile(r"^(?P<name>.*?)(?P<number>-?\d+)(?P<icode>[A-Za-z]?)\.(?P<chain>.+)$")


def _pockets_to_show(
    structure: Structure, pockets: Sequence[Pocket] | None, ranks: Sequence[int] | None, top: int
) -> list[Pocket]:
    from drugml.structure.pockets import find_pockets, select_pocket

    if pockets is None:
        pockets = find_pockets(structure)
    if not pockets:
        raise VisualizationError(f"No pockets to show for {structure.name}")
    if ranks is not None:
        return sorted((select_pocket(pockets, rank) for rank in ranks), key=lambda p: p.rank)
    if top < 1:
        raise VisualizationError(f"top must be >= 1, got {top}")
    return sorted(pockets, key=lambda p: p.rank)[:top]


def _points_xyz(pocket: Pocket) -> str:
    """The pocket's grid points as an XYZ model (one pseudo-atom per point)."""
    lines = [str(len(pocket.points)), f"pocket {pocket.rank}"]
    lines += [f"He {x:.3f} {y:.3f} {z:.3f}" for x, y, z in pocket.points]
    return "\n".join(lines) + "\n"


def _residue_selections(residues: Sequence[str]) -> list[dict[str, Any]]:
    """3Dmol.js selections (one per chain) for ``"MET769.A"``-style residue labels."""
    by_chain: dict[str, list[int]] = {}
    for label in residues:
        match = _RESIDUE.match(label)
        if match is not None:
            by_chain.setdefault(match["chain"], []).append(int(match["number"]))
    return [{"chain": chain, "resi": numbers} for chain, numbers in by_chain.items()]


def pocket_view(
    structure: Structure | str | Path,
    pockets: Sequence[Pocket] | None = None,
    *,
    ranks: Sequence[int] | None = None,
    top: int = 3,
    residues: bool = True,
    labels: bool = True,
    ligands: bool = True,
    width: int = 640,
    height: int = 480,
) -> MoleculeView:
    """The structure as a grey cartoon with its pockets: each pocket's grid points as small
    spheres in its own colour (by rank: the best shown gets the palette's first), its lining
    residues as thin sticks, a label at its centre.

    ``pockets`` default to :func:`~drugml.structure.pockets.find_pockets` at its default
    settings; ``ranks`` picks pockets by rank (an unknown rank raises
    :class:`~drugml.structure.pockets.PocketError` saying how many there are), else the
    ``top`` best are shown. ``ligands`` draws the structure's crystal ligands as sticks
    (green carbons), to compare with the pockets found without them.
    :func:`pocket_legend` gives a matching HTML colour legend.

    >>> view = pocket_view("egfr_1m17", top=2)
    >>> "createViewer" in view.to_html()
    True
    """
    from drugml.structure import Structure, load_structure

    if not isinstance(structure, Structure):
        structure = load_structure(structure)
    shown = _pockets_to_show(structure, pockets, ranks, top)
    view = MoleculeView(width, height, title=f"{structure.name}: pockets")
    view.addModel(structure.to_pdb(), "pdb")
    view.setStyle({}, {"cartoon": {"color": "lightgrey", "opacity": 0.7}})
    if ligands:
        for ligand in structure.ligands():
            selection = {"resn": ligand.resname, "chain": ligand.chain, "resi": ligand.resnum}
            view.setStyle(selection, {"stick": {"colorscheme": "greenCarbon", "radius": 0.25}})
    for i, pocket in enumerate(shown):
        colour = PALETTE[i % len(PALETTE)]
        if residues:
            for selection in _residue_selections(pocket.residues):
                view.addStyle(selection, {"stick": {"colorscheme": "whiteCarbon", "radius": 0.12}})
        view.addModel(_points_xyz(pocket), "xyz")
        view.setStyle({"model": i + 1}, {"sphere": {"radius": 0.3, "color": colour}})
        if labels:
            x, y, z = pocket.center
            view.addLabel(
                f"Pocket {pocket.rank}",
                {
                    "position": {"x": x, "y": y, "z": z},
                    "backgroundColor": colour,
                    "backgroundOpacity": 0.8,
                    "fontColor": "white",
                    "fontSize": 12,
                },
            )
    view.zoomTo({"model": list(range(1, len(shown) + 1))})
    return view


def pocket_legend(pockets: Sequence[Pocket]) -> str:
    """An HTML legend for :func:`pocket_view`: each pocket's colour, rank, volume and score.

    >>> from drugml.structure.pockets import find_pockets
    >>> "Pocket 1" in pocket_legend(find_pockets("egfr_1m17")[:1])
    True
    """
    ordered = sorted(pockets, key=lambda p: p.rank)
    return legend_html(
        {
            f"Pocket {p.rank} ({p.volume:.0f} Å³, score {p.score:.2f})": PALETTE[i % len(PALETTE)]
            for i, p in enumerate(ordered)
        }
    )
