"""``drugml pockets``: find a structure's binding pockets without a ligand, and show them."""

from __future__ import annotations

import argparse
import html
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from drugml.cli._command import Command, print_table

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from drugml.structure import Structure
    from drugml.structure.pockets import Pocket
    from drugml.viz.view3d import MoleculeView

__all__ = ["PocketsCommand"]

_FIRST_RESIDUES = 4  # lining residues the table shows per pocket (all are in pockets.csv)


class PocketsCommand(Command):
    name = "pockets"
    help = "find binding pockets in a structure without its ligand (ranked; table and 3D view)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("structure", help="PDB/mmCIF file or embedded data set")
        parser.add_argument(
            "--chains", help="chains to search, e.g. A,B (default: every polymer chain)"
        )
        parser.add_argument(
            "--top",
            type=_positive_int,
            default=5,
            help="pockets printed and drawn in pockets.html (default: %(default)s)",
        )
        parser.add_argument(
            "--min-volume",
            type=float,
            help="Å³, smaller cavities are dropped (default: PocketSettings.min_volume)",
        )
        parser.add_argument(
            "--out", help="folder for pockets.csv (every pocket) and pockets.html (3D view)"
        )

    def run(self, args: argparse.Namespace) -> int:
        from drugml.structure import load_structure
        from drugml.structure.pockets import PocketSettings, find_pockets

        structure = load_structure(args.structure)
        chains = [c for c in args.chains.split(",") if c] if args.chains else None
        options = {} if args.min_volume is None else {"min_volume": args.min_volume}
        pockets = find_pockets(structure, chains=chains, **options)
        min_volume = options.get("min_volume", PocketSettings.min_volume)
        shown = pockets[: args.top]
        print(
            f"{structure.name}: {len(pockets)} pocket(s) of at least {min_volume:g} Å³ in "
            f"{_chain_words(chains)} (ligands, waters and "
            "ions removed first)"
            + (f"; the {len(shown)} best:" if len(shown) < len(pockets) else ":")
        )
        print_table(_summary(shown))
        print(_probable_site(pockets[0]))
        for line in _crystal_ligands(structure, pockets):
            print(line)
        if args.out:
            _write_outputs(structure, pockets, Path(args.out), args.top)
        return 0


def _chain_words(chains: Sequence[str] | None) -> str:
    """'all chains', 'chain A', 'chains A, B'."""
    if not chains:
        return "all chains"
    return ("chain " if len(chains) == 1 else "chains ") + ", ".join(chains)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _summary(pockets: Sequence[Pocket]) -> pd.DataFrame:
    """The printed table: one row per pocket, rounded, with its first lining residues."""
    import pandas as pd

    return pd.DataFrame(
        {
            "rank": [p.rank for p in pockets],
            "score": [f"{p.score:.2f}" for p in pockets],
            "volume_A3": [f"{p.volume:.0f}" for p in pockets],
            "depth_A": [f"{p.depth:.1f}" for p in pockets],
            "buriedness": [f"{p.buriedness:.2f}" for p in pockets],
            "residues": [len(p.residues) for p in pockets],
            "first_residues": [
                " ".join(p.residues[:_FIRST_RESIDUES])
                + (" ..." if len(p.residues) > _FIRST_RESIDUES else "")
                for p in pockets
            ],
        }
    )


def _probable_site(top: Pocket) -> str:
    """Where the binding site probably is: the top pocket, its centre and lining residues."""
    x, y, z = top.center
    text = (
        f"The binding site is probably pocket 1 ({top.volume:.0f} Å³, {top.depth:.1f} Å deep, "
        f"centre {x:.1f}, {y:.1f}, {z:.1f}; the score is a heuristic of size, buriedness and "
        f"hydrophobicity, not a trained model), lined by {len(top.residues)} residues: "
        + " ".join(top.residues)
    )
    return textwrap.fill(text, width=100, subsequent_indent="  ")


def _crystal_ligands(structure: Structure, pockets: Sequence[Pocket]) -> list[str]:
    """For each crystal ligand (removed before the search): the pocket it lies in, a check."""
    lines = []
    for ligand in structure.ligands():
        residue = structure.ligand_residue(ligand)
        coords = [a.coord for a in residue.get_atoms() if (a.element or "").upper() != "H"]
        rank = next((p.rank for p in pockets if p.contains_ligand(coords)), None)
        where = f"lies in pocket {rank}" if rank else f"lies in none of the {len(pockets)} pockets"
        lines.append(f"crystal ligand {ligand.label} (removed before the search) {where}")
    return lines


def _write_outputs(structure: Structure, pockets: Sequence[Pocket], out: Path, top: int) -> None:
    """pockets.csv (every pocket) and pockets.html (the ``top`` best in 3D, with a legend)."""
    from drugml.structure.pockets import pocket_table
    from drugml.viz import pocket_legend, pocket_view

    out.mkdir(parents=True, exist_ok=True)
    pocket_table(pockets).to_csv(out / "pockets.csv", index=False)
    shown = pockets[:top]
    view = pocket_view(structure, pockets, top=top)
    page = _write_page(out / "pockets.html", view, pocket_legend(shown), structure.name)
    print(f"table of all {len(pockets)} pockets in {out / 'pockets.csv'}")
    if view.offline:
        print(f"3D view of the top {len(shown)} in {page} (3Dmol.js embedded: opens offline)")
    else:
        print(
            f"3D view of the top {len(shown)} in {page}; 3Dmol.js is not installed locally, so "
            "the page loads it from a CDN and stays blank offline: run `drugml viewer install` "
            "and this command again"
        )


def _write_page(path: Path, view: MoleculeView, legend: str, name: str) -> Path:
    """A standalone page: a title, the colour legend, the view and what the spheres are."""
    title = html.escape(f"{name}: pockets found without a ligand")
    note = (
        "Spheres: grid points where a ligand atom could sit, one colour per pocket; thin "
        "sticks: lining residues; green sticks: crystal ligands (removed before the search)."
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n"
        '<body style="margin: 0; padding: 8px; font-family: sans-serif;">\n'
        f"<h3>{title}</h3>\n{legend}\n{view.to_html()}\n"
        f'<p style="font-size: 12px">{html.escape(note)}</p>\n</body>\n</html>\n'
    )
    path.write_text(page, encoding="utf-8")
    return path
