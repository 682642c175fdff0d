"""A 2D protein-ligand interaction diagram as plain SVG (no script, no external reference).

The ligand is drawn flat (RDKit), one node per interacting residue sits around it in the
direction of the atoms it touches, and a dashed line coloured by interaction type joins each
ligand atom (a ring's centre for ring interactions) to its residue. It replaces
ProLIF's LigNetwork, which loads vis.js from a CDN: a drugml report is read offline.

Example
-------
>>> from rdkit import Chem
>>> from drugml.viz import interaction_diagram
>>> phenol = Chem.AddHs(Chem.MolFromSmiles("c1ccccc1O"))
>>> records = [{"residue": "MET769.A", "interaction": "HBDonor", "ligand_atoms": (6, 12)}]
>>> svg = interaction_diagram(phenol, records)
>>> "Met769" in svg and "H-bond, ligand donor" in svg
True
"""

from __future__ import annotations

import html
import math
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drugml.viz._molecules import SVG_BOND_STYLE, SVG_CLASS
from drugml.viz._plots import VisualizationError

if TYPE_CHECKING:
    import numpy as np
    from rdkit import Chem

__all__ = ["INTERACTION_STYLES", "interaction_diagram"]

#: Colour and legend words per ProLIF interaction name (the ligand's role comes first in
#: ProLIF's names: ``HBDonor`` is the ligand donating). Unknown names are drawn in grey.
INTERACTION_STYLES: dict[str, tuple[str, str]] = {
    "HBAcceptor": ("#0072b2", "H-bond, ligand acceptor"),
    "HBDonor": ("#7b3294", "H-bond, ligand donor"),
    "Hydrophobic": ("#2e8b57", "hydrophobic"),
    "PiStacking": ("#e69f00", "π-stacking"),
    "FaceToFace": ("#d55e00", "π-stacking, face to face"),
    "EdgeToFace": ("#cc79a7", "π-stacking, edge to face"),
    "Cationic": ("#c0392b", "salt bridge, ligand cation"),
    "Anionic": ("#1f3a93", "salt bridge, ligand anion"),
    "CationPi": ("#b5651d", "cation-π, ligand cation"),
    "PiCation": ("#8c564b", "π-cation, ligand ring"),
    "XBAcceptor": ("#17a2b8", "halogen bond, ligand acceptor"),
    "XBDonor": ("#00796b", "halogen bond, ligand donor"),
    "MetalAcceptor": ("#808000", "metal, ligand chelates"),
    "MetalDonor": ("#a0a000", "metal, ligand's metal"),
    "VdWContact": ("#9e9e9e", "van der Waals contact"),
}
_UNKNOWN_COLOR = "#616161"
_FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
_NODE_HEIGHT = 20
_NODE_FONT = 12
_SMALL_FONT = 11  # legend and caption
_LEGEND_ROW = 17
_PAD = 6  # around nodes, legend entries and the canvas edge
_RESIDUE = re.compile(r"^([A-Za-z0-9]{0,2}[A-Za-z])(-?\d+)([A-Za-z]?)(?:\.(\S+))?$")
_WATER_NAMES = frozenset({"HOH", "WAT", "DOD"})


@dataclass(frozen=True)
class _Contact:
    """One record on the flat molecule: heavy-atom indices of the drawn ligand."""

    residue: str
    kind: str
    atoms: tuple[int, ...]
    distance: float | None


@dataclass
class _Node:
    """One residue's box: its label and width, the direction and distance of its atoms from
    the molecule's centre, and where the box's centre is."""

    residue: str
    label: str
    width: float
    angle: float
    reach: float = 0.0
    starts: Any = None  # where its lines start (pixels, an array)
    x: float = 0.0
    y: float = 0.0


def interaction_diagram(
    mol: Chem.Mol,
    records: Iterable[Mapping[str, Any]],
    *,
    size: tuple[int, int] = (520, 420),
    legend: bool = True,
) -> str:
    """An SVG picture of a docked pose's interactions: ligand atoms to residues, offline.

    ``mol``: the pose (explicit hydrogens or not); ``records``: what
    ``pose_interaction_records`` returns, one mapping per interaction with ``residue``
    (``"MET769.A"``), ``interaction`` (a ProLIF name, see :data:`INTERACTION_STYLES`),
    ``ligand_atoms`` (indices into ``mol``; a hydrogen stands for its heavy atom; three
    atoms or more, a ring, are joined to the residue from their centre) and ``distance``
    (Å or ``None``, shown when hovering a line). Residues are labelled
    ``Met769``, with their chain (``Met769 (A)``) when several chains interact. A record
    whose atoms are not in ``mol`` is not drawn: a warning names it and the caption counts
    it. No record: the molecule alone, captioned "no interactions found". A malformed
    record (missing key, non-integer atom) is a :class:`VisualizationError`.

    >>> from rdkit import Chem
    >>> svg = interaction_diagram(Chem.MolFromSmiles("c1ccccc1C"), [])
    >>> svg.startswith("<svg") and "no interactions found" in svg
    True
    """
    from rdkit import Chem

    if not isinstance(mol, Chem.Mol) or mol.GetNumAtoms() == 0:
        raise VisualizationError(f"interaction_diagram needs an RDKit molecule with atoms: {mol!r}")
    width, height = (int(x) for x in size)
    if width < 240 or height < 200:
        raise VisualizationError(f"size {size} is too small for a diagram (at least 240 x 200)")
    rows = _checked_records(records)
    flat, index_map = _flat_molecule(mol)
    contacts, skipped = _contacts(rows, index_map)
    found = {c.kind for c in contacts}
    kinds = [k for k in INTERACTION_STYLES if k in found] + sorted(found - set(INTERACTION_STYLES))
    notes = [] if rows else ["no interactions found"]
    if skipped:
        notes.append(f"{len(skipped)} record(s) skipped (atoms not in this molecule)")
        warnings.warn(
            f"interaction_diagram: records {skipped} name atoms outside the molecule "
            f"({mol.GetNumAtoms()} atoms) and are not drawn",
            stacklevel=2,
        )
    legend_rows = _legend_rows(kinds, width) if legend else []
    legend_height = len(legend_rows) * _LEGEND_ROW + _PAD if legend_rows else 0
    caption_height = (_SMALL_FONT + 8) if notes else 0
    area_height = height - legend_height - caption_height
    nodes = _nodes(contacts)
    # Nodes go in margins the molecule leaves free (at most 30% of the canvas a side).
    margin_x = min(max((n.width for n in nodes), default=0) + 2 * _PAD, 0.3 * width)
    margin_y = min(_NODE_HEIGHT + 3 * _PAD, 0.3 * area_height)
    if not nodes:
        margin_x = margin_y = _PAD
    body, coords, obstacles = _draw_molecule(
        flat, contacts, (width, area_height), (margin_x, margin_y)
    )
    anchors = _anchors(contacts, coords)
    _place_nodes(nodes, contacts, anchors, obstacles, (width, area_height), flat, coords)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{_FONT}">',
        f"<title>{html.escape(_title(mol, nodes, notes))}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _lines(contacts, anchors, nodes, flat),
        f'<g class="ligand">{body}</g>',
        _node_boxes(nodes),
        _legend_svg(legend_rows, width, area_height),
    ]
    if notes:
        parts.append(
            f'<text x="{width / 2:.1f}" y="{height - 6}" text-anchor="middle" '
            f'font-size="{_SMALL_FONT}" font-style="italic" fill="#555555">'
            f"{html.escape('; '.join(notes))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(p for p in parts if p)


# ----------------------------------------------------------------- records
def _checked_records(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, list[int], Any]]:
    """Each record as (residue, interaction, atoms, distance); a malformed one is an error
    raised before anything is drawn."""
    if records is None or isinstance(records, str | bytes | Mapping):
        raise VisualizationError(
            f"records must be mappings in a list, not {type(records).__name__}"
        )
    rows = []
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise VisualizationError(f"records[{i}] is a {type(record).__name__}, not a mapping")
        missing = [k for k in ("residue", "interaction", "ligand_atoms") if k not in record]
        if missing:
            raise VisualizationError(f"records[{i}] lacks {missing}: {dict(record)}")
        atoms = record["ligand_atoms"]
        atoms = [atoms] if isinstance(atoms, int) else list(atoms)
        if not all(isinstance(a, int) or hasattr(a, "__index__") for a in atoms):
            raise VisualizationError(f"records[{i}] ligand_atoms are not atom indices: {atoms}")
        residue, kind = str(record["residue"]), str(record["interaction"])
        rows.append((residue, kind, [int(a) for a in atoms], record.get("distance")))
    return rows


def _flat_molecule(mol: Chem.Mol) -> tuple[Chem.Mol, list[int | None]]:
    """The molecule without hydrogens, in 2D, and for each atom of ``mol`` the index of the
    drawn atom that stands for it (a hydrogen's heavy neighbour)."""
    from rdkit import Chem
    from rdkit.Chem import rdDepictor

    work = Chem.Mol(mol)
    for atom in work.GetAtoms():
        atom.SetIntProp("_drugml_index", atom.GetIdx())
    if work.GetNumConformers() and work.GetConformer().Is3D():
        Chem.AssignStereochemistryFrom3D(work)  # the pose's stereo becomes wedges
    try:
        flat = Chem.RemoveHs(work)
    except (ValueError, RuntimeError):  # a pose RDKit cannot sanitize is still drawn
        flat = Chem.RemoveHs(work, sanitize=False)
        flat.UpdatePropertyCache(strict=False)
        Chem.FastFindRings(flat)
    rdDepictor.Compute2DCoords(flat, canonOrient=True)  # long axis along x: the canvas is wide
    index_map: list[int | None] = [None] * mol.GetNumAtoms()
    for atom in flat.GetAtoms():
        index_map[atom.GetIntProp("_drugml_index")] = atom.GetIdx()
    for atom in mol.GetAtoms():
        if index_map[atom.GetIdx()] is None:
            heavy = [index_map[n.GetIdx()] for n in atom.GetNeighbors()]
            index_map[atom.GetIdx()] = next((h for h in heavy if h is not None), None)
    return flat, index_map


def _contacts(
    rows: list[tuple[str, str, list[int], Any]], index_map: list[int | None]
) -> tuple[list[_Contact], list[int]]:
    """The records on the drawn atoms (duplicates merged), and the indices of those skipped."""
    contacts: dict[tuple[str, str, tuple[int, ...]], _Contact] = {}
    skipped = []
    for i, (residue, kind, atoms, distance) in enumerate(rows):
        drawn = [index_map[a] if 0 <= a < len(index_map) else None for a in atoms]
        if not drawn or any(d is None for d in drawn):
            skipped.append(i)
            continue
        heavy = tuple(sorted(set(drawn)))
        value = _number(distance)
        contacts.setdefault((residue, kind, heavy), _Contact(residue, kind, heavy, value))
    return sorted(
        contacts.values(), key=lambda c: (_residue_key(c.residue), c.kind, c.atoms)
    ), skipped


def _number(value: Any) -> float | None:
    """A distance as a float; ``None`` for a missing or unreadable one (it is only a tooltip)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _style(kind: str) -> tuple[str, str]:
    return INTERACTION_STYLES.get(kind, (_UNKNOWN_COLOR, kind))


# ----------------------------------------------------------------- residues
def _residue_key(residue: str) -> tuple[Any, ...]:
    """Chain, number, insertion code: residues in sequence order, whatever the records' order."""
    match = _RESIDUE.match(residue)
    if not match:
        return ("~", 0, "", residue)
    name, number, icode, chain = match.groups()
    return (chain or "", int(number), icode, name)


def _residue_label(residue: str, with_chain: bool = False) -> str:
    """``"MET769.A"`` -> ``"Met769"`` (``"Met769 (A)"`` with its chain); waters, ions and
    anything unparsed keep their name."""
    match = _RESIDUE.match(residue)
    if not match:
        return residue
    name, number, icode, chain = match.groups()
    if len(name) == 3 and name.isalpha() and name.upper() not in _WATER_NAMES:
        name = name.capitalize()
    label = f"{name}{number}{icode}"
    return f"{label} ({chain})" if with_chain and chain else label


def _text_width(text: str, font_size: float) -> float:
    return 0.58 * font_size * len(text)  # DejaVu Sans is about this wide; a little to spare


def _nodes(contacts: list[_Contact]) -> list[_Node]:
    residues = list(dict.fromkeys(c.residue for c in contacts))
    several = len({_residue_key(r)[0] for r in residues}) > 1  # chains
    labels = [_residue_label(r, several) for r in residues]
    return [
        _Node(r, label, _text_width(label, _NODE_FONT) + 12, 0.0)
        for r, label in zip(residues, labels, strict=True)
    ]


# ----------------------------------------------------------------- drawing
def _draw_molecule(
    flat: Chem.Mol,
    contacts: list[_Contact],
    area: tuple[float, float],
    margin: tuple[float, float],
) -> tuple[str, np.ndarray, np.ndarray]:
    """RDKit's SVG of the molecule (interacting atoms lightly highlighted) within the margins,
    the atoms' pixel positions and points along its bonds (what nodes keep clear of)."""
    import numpy as np
    from rdkit.Chem.Draw import rdMolDraw2D

    width, height = area
    (mx, my) = margin
    panel = (int(width - 2 * mx), int(height - 2 * my))
    prepared = rdMolDraw2D.PrepareMolForDrawing(flat, addChiralHs=False)
    drawer = rdMolDraw2D.MolDraw2DSVG(int(width), int(height), *panel, True)  # text as <text>
    drawer.SetOffset(int(mx), int(my))
    options = drawer.drawOptions()
    options.clearBackground = False
    options.prepareMolsBeforeDrawing = False
    options.fixedBondLength = 30  # a small ligand is not blown up to fill the canvas
    options.minFontSize = 11
    options.highlightRadius = 0.4
    tints: dict[int, tuple[float, float, float]] = {}
    for contact in contacts:
        for atom in contact.atoms:
            tints.setdefault(atom, _tint(_style(contact.kind)[0]))
    drawer.DrawMolecule(
        prepared, highlightAtoms=list(tints), highlightAtomColors=tints, highlightBonds=[]
    )
    drawer.FinishDrawing()
    svg = drawer.GetDrawingText()
    body = svg[svg.index("<!-- END OF HEADER -->") + 22 : svg.rindex("</svg>")].strip()
    body = SVG_BOND_STYLE.sub(r"fill='none' stroke='\1' stroke-width='\2'", SVG_CLASS.sub("", body))
    coords = np.array(
        [tuple(drawer.GetDrawCoords(i)) for i in range(flat.GetNumAtoms())], dtype=float
    )
    points = [coords]
    for bond in flat.GetBonds():
        a, b = coords[bond.GetBeginAtomIdx()], coords[bond.GetEndAtomIdx()]
        steps = max(2, int(np.linalg.norm(b - a) / 5))
        points.append(a + (b - a) * np.linspace(0, 1, steps)[:, None])
    return body, coords, np.vstack(points)


def _tint(color: str, keep: float = 0.3) -> tuple[float, float, float]:
    """A light version of ``color`` (``keep`` of it, the rest white), for highlights."""
    rgb = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return tuple(round(keep * c + (1 - keep), 3) for c in rgb)  # type: ignore[return-value]


def _anchors(
    contacts: list[_Contact], coords: np.ndarray
) -> list[list[tuple[float, float, int | None]]]:
    """Where each contact's lines start, as (x, y, atom): the centre (atom ``None``) of three
    atoms or more (a ring), else each atom (a donor and its hydrogen are one atom here)."""
    anchors = []
    for contact in contacts:
        if len(contact.atoms) >= 3:
            x, y = coords[list(contact.atoms)].mean(axis=0)
            anchors.append([(float(x), float(y), None)])
        else:
            anchors.append([(float(coords[a][0]), float(coords[a][1]), a) for a in contact.atoms])
    return anchors


def _outward(flat: Chem.Mol, coords: np.ndarray, atom: int) -> np.ndarray:
    """The unit vector pointing away from the atom's neighbours (where its hydrogens, and so
    its partner, would be drawn); zero for an atom surrounded on all sides."""
    import numpy as np

    away = np.zeros(2)
    for neighbour in flat.GetAtomWithIdx(atom).GetNeighbors():
        bond = coords[atom] - coords[neighbour.GetIdx()]
        away += bond / (np.linalg.norm(bond) or 1.0)
    length = np.linalg.norm(away)
    return away / length if length > 0.3 else np.zeros(2)


# ----------------------------------------------------------------- layout
_TURNS = (0.0, *(sign * 0.1 * k for k in range(1, 32) for sign in (1, -1)))  # radians
_FURTHER = (0.0, 12.0, 24.0, 36.0, 60.0)  # px beyond the molecule
_CLEARANCE = 26.0  # px between a node and any atom or bond: lines long enough to see
_TURN_COST = 60.0  # per radian away from the preferred direction
_CROSSING_COST = 40.0  # per point of a bond a line passes over


def _place_nodes(
    nodes: list[_Node],
    contacts: list[_Contact],
    anchors: list[list[tuple[float, float, int | None]]],
    obstacles: np.ndarray,
    area: tuple[float, float],
    flat: Chem.Mol,
    coords: np.ndarray,
) -> None:
    """Put each residue's node in the direction of its atoms from the molecule's centre (bent
    towards where they point when they are near the centre), just outside the molecule;
    where that overlaps a node already placed or sends a line across the molecule, the
    cheapest other spot (turned around the centre, or further out)."""
    import numpy as np

    centre = (obstacles.min(axis=0) + obstacles.max(axis=0)) / 2
    radius = float(np.linalg.norm(obstacles - centre, axis=1).max()) or 1.0
    for node in nodes:
        starts = [
            start
            for contact, starts in zip(contacts, anchors, strict=True)
            if contact.residue == node.residue
            for start in starts
        ]
        node.starts = np.array([(x, y) for x, y, _ in starts])
        offset = node.starts.mean(axis=0) - centre
        node.reach = float(np.linalg.norm(offset))
        pointing = sum(_outward(flat, coords, a) for _, _, a in starts if a is not None)
        weight = 0.3 * (1 - min(node.reach / radius, 1.0)) ** 2 / len(starts)
        dx, dy = offset / radius + weight * np.asarray(pointing)
        node.angle = math.atan2(dy, dx) if math.hypot(dx, dy) > 1e-3 else -math.pi / 2
    placed: list[_Node] = []
    for node in sorted(nodes, key=lambda n: (n.angle, n.label)):
        node.x, node.y = _free_spot(node, centre, obstacles, area, placed)
        placed.append(node)


def _free_spot(
    node: _Node,
    centre: np.ndarray,
    obstacles: np.ndarray,
    area: tuple[float, float],
    placed: list[_Node],
) -> tuple[float, float]:
    """The cheapest spot for the node clear of the molecule and of the nodes ``placed``,
    beyond the molecule's outermost atom or bond along a direction from ``centre``: turning
    away from the node's direction, going further out, long lines and lines across bonds
    cost."""
    import numpy as np

    half = np.array([node.width / 2, _NODE_HEIGHT / 2])
    low, high = half + _PAD / 2, np.array(area) - half - _PAD / 2
    best: tuple[float, np.ndarray] | None = None
    for turn in _TURNS:
        if best is not None and abs(turn) * _TURN_COST >= best[0]:
            break  # no further turn can be cheaper
        direction = np.array([math.cos(node.angle + turn), math.sin(node.angle + turn)])
        start = max(_beyond(centre, direction, obstacles, half + _CLEARANCE), node.reach)
        for further in _FURTHER:
            spot = np.clip(centre + (start + further) * direction, low, high)
            node.x, node.y = float(spot[0]), float(spot[1])
            gaps = np.maximum(np.abs(obstacles - spot) - half, 0.0)  # box to each obstacle
            too_close = np.hypot(gaps[:, 0], gaps[:, 1]).min() < _CLEARANCE - 4  # clipped
            if too_close or any(_overlap(node, other) for other in placed):
                continue
            crossed = _crossings(node.starts, spot, obstacles)
            length = float(np.linalg.norm(node.starts - spot, axis=1).mean())
            cost = abs(turn) * _TURN_COST + further + _CROSSING_COST * crossed + 0.3 * length
            best = (cost, spot) if best is None or cost < best[0] else best
            break
    if best is None:  # a crowded canvas: the preferred direction, overlapping
        direction = np.array([math.cos(node.angle), math.sin(node.angle)])
        best = (0.0, np.clip(centre + max(node.reach, 1.0) * 1.5 * direction, low, high))
    return float(best[1][0]), float(best[1][1])


def _beyond(
    centre: np.ndarray, direction: np.ndarray, obstacles: np.ndarray, reach: np.ndarray
) -> float:
    """How far along ``direction`` from ``centre`` a box of half-size ``reach`` (the node's
    plus the clearance) must go to have every obstacle behind it."""
    import numpy as np

    # Per obstacle and axis, the stretch of the ray where the box covers it; the box covers
    # the obstacle where both stretches overlap. (A zero step along one axis: an endless
    # stretch, or one far off that overlaps nothing.)
    step = np.where(np.abs(direction) < 1e-9, 1e-9, direction)
    offset = obstacles - centre
    ends = np.sort(np.stack([(offset - reach) / step, (offset + reach) / step]), axis=0)
    low, high = ends[0].max(axis=1), ends[1].min(axis=1)
    return float(max(high[low < high].max(initial=0.0), 0.0))


def _crossings(starts: np.ndarray, spot: np.ndarray, obstacles: np.ndarray) -> int:
    """How many bond points the lines from ``starts`` to ``spot`` pass over (within 4 px),
    leaving out those around each line's own start."""
    import numpy as np

    count = 0
    for start in starts:
        segment = spot - start
        along = np.clip((obstacles - start) @ segment / (segment @ segment or 1.0), 0.0, 1.0)
        near = np.linalg.norm(obstacles - (start + along[:, None] * segment), axis=1) < 4
        count += int(np.sum(near & (np.linalg.norm(obstacles - start, axis=1) > 12)))
    return count


def _overlap(a: _Node, b: _Node) -> bool:
    return (
        abs(a.x - b.x) < (a.width + b.width) / 2 + _PAD and abs(a.y - b.y) < _NODE_HEIGHT + _PAD / 2
    )


# ----------------------------------------------------------------- SVG parts
def _lines(
    contacts: list[_Contact],
    anchors: list[list[tuple[float, float, int | None]]],
    nodes: list[_Node],
    flat: Chem.Mol,
) -> str:
    """A dashed line per contact and start (ring centres marked with a dot); lines between
    the same start and residue are drawn side by side."""
    by_residue = {n.residue: n for n in nodes}
    pairs = Counter(
        (round(x, 1), round(y, 1), c.residue)
        for c, starts in zip(contacts, anchors, strict=True)
        for x, y, _ in starts
    )
    seen: Counter[tuple[float, float, str]] = Counter()
    out = ['<g class="interactions" fill="none" stroke-width="1.8" stroke-linecap="round">']
    for contact, starts in zip(contacts, anchors, strict=True):
        node = by_residue[contact.residue]
        color = _style(contact.kind)[0]
        tip = f"{node.label}: {_style(contact.kind)[1]}" + (
            f", {contact.distance:.1f} Å" if contact.distance is not None else ""
        )
        for x, y, atom in starts:
            key = (round(x, 1), round(y, 1), contact.residue)
            length = math.hypot(node.x - x, node.y - y) or 1.0
            ux, uy = (node.x - x) / length, (node.y - y) / length
            shift = 4.0 * (seen[key] - (pairs[key] - 1) / 2)
            seen[key] += 1
            labelled = atom is not None and flat.GetAtomWithIdx(atom).GetSymbol() != "C"
            skip = 9.0 if labelled else 2.0  # do not strike through "N", "O"
            x1, y1 = x + skip * ux - shift * uy, y + skip * uy + shift * ux
            x2, y2 = node.x - shift * uy, node.y + shift * ux
            if atom is None:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{color}" stroke-dasharray="5 3"><title>{html.escape(tip)}</title></line>'
            )
    out.append("</g>")
    return "\n".join(out) if len(out) > 2 else ""


def _node_boxes(nodes: list[_Node]) -> str:
    if not nodes:
        return ""
    out = ['<g class="residues">']
    for node in nodes:
        left, top = node.x - node.width / 2, node.y - _NODE_HEIGHT / 2
        out.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{node.width:.1f}" '
            f'height="{_NODE_HEIGHT}" rx="5" fill="#f4f4f4" stroke="#555555" stroke-width="1"/>'
            f'<text x="{node.x:.1f}" y="{node.y + 0.36 * _NODE_FONT:.1f}" text-anchor="middle" '
            f'font-size="{_NODE_FONT}" fill="#202020">{html.escape(node.label)}</text>'
        )
    out.append("</g>")
    return "\n".join(out)


def _legend_rows(kinds: list[str], width: float) -> list[list[tuple[str, float]]]:
    """The legend's entries (interaction, entry width) in rows that fit the canvas."""
    rows: list[list[tuple[str, float]]] = []
    used = width
    for kind in kinds:
        entry = 22 + 5 + _text_width(_style(kind)[1], _SMALL_FONT) + 12
        if used + entry > width - 2 * _PAD:
            rows.append([])
            used = 0.0
        rows[-1].append((kind, entry))
        used += entry
    return rows


def _legend_svg(rows: list[list[tuple[str, float]]], width: float, top: float) -> str:
    """Each row centred under the drawing: a dashed sample in the line's colour, its words."""
    if not rows:
        return ""
    out = [f'<g class="legend" font-size="{_SMALL_FONT}" fill="#333333">']
    for r, row in enumerate(rows):
        x = (width - sum(w for _, w in row)) / 2
        y = top + _PAD + (r + 0.5) * _LEGEND_ROW
        for kind, entry in row:
            color, words = _style(kind)
            out.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="{color}" '
                'stroke-width="2" stroke-dasharray="5 3"/>'
                f'<text x="{x + 27:.1f}" y="{y + 0.36 * _SMALL_FONT:.1f}">'
                f"{html.escape(words)}</text>"
            )
            x += entry
    out.append("</g>")
    return "\n".join(out)


def _title(mol: Chem.Mol, nodes: list[_Node], notes: list[str]) -> str:
    name = (mol.GetProp("_Name") if mol.HasProp("_Name") else "") or "ligand"
    residues = f"{len(nodes)} residue{'s' * (len(nodes) != 1)}"
    labels = ": " + ", ".join(n.label for n in nodes) if nodes else ""
    return "; ".join([f"Interactions of {name} with {residues}{labels}", *notes])
