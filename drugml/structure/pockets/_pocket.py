"""Pockets: find them, describe them, rank them, and turn one into a docking box."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.structure.dock import BOX_MIN_SIZE, Box
from drugml.structure.pockets._errors import PocketError
from drugml.structure.pockets._grid import (
    APOLAR_ELEMENTS,
    Atoms,
    Grid,
    PocketSettings,
    build_grid,
    cluster,
    depth_map,
    polymer_atoms,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from drugml.structure import Structure

#: Columns of :func:`pocket_table`, in order.
POCKET_COLUMNS = (
    "rank",
    "score",
    "volume",
    "depth",
    "buriedness",
    "hydrophobicity",
    "n_residues",
    "center_x",
    "center_y",
    "center_z",
    "residues",
)


#: Å added around a pocket's points for its docking box (:func:`box_from_pocket`).
POCKET_BOX_MARGIN = 2.0


@dataclass(frozen=True, eq=False)
class Pocket:
    """One pocket: its grid points and descriptors (rank 1 is the best score).

    ``volume`` Å³ (points x spacing³); ``depth`` Å, the largest distance from a
    pocket point to open solvent; ``buriedness`` the mean fraction of rays that
    hit the polymer; ``hydrophobicity`` the fraction of lining heavy atoms that
    are carbon or sulfur; ``residues`` the lining residues (``"MET769.A"``:
    ProLIF's ``RESNAMENUMBER.CHAIN``); ``extent`` the size of the points' box
    per axis; ``score`` the heuristic of :func:`pocket_score`. ``points`` (n x 3)
    are where a ligand heavy atom could sit.
    """

    rank: int
    score: float
    center: tuple[float, float, float]
    volume: float
    depth: float
    buriedness: float
    hydrophobicity: float
    residues: tuple[str, ...]
    extent: tuple[float, float, float]
    points: np.ndarray
    spacing: float
    structure: str = ""

    @property
    def default_tolerance(self) -> float:
        """Half a grid cell's diagonal plus 0.5 Å: within this of a point is within the grid."""
        return self.spacing * math.sqrt(3) / 2 + 0.5

    def contains(self, coords: Any, tolerance: float | None = None) -> np.ndarray:
        """Which of the coordinates (n x 3, or one point) lie within ``tolerance`` Å of a
        pocket point (default :attr:`default_tolerance`: inside the pocket's grid)."""
        from scipy.spatial import cKDTree

        coords = np.asarray(coords, dtype=float).reshape(-1, 3)
        tolerance = self.default_tolerance if tolerance is None else float(tolerance)
        distance, _ = cKDTree(self.points).query(coords, distance_upper_bound=tolerance * 1.001)
        return distance <= tolerance

    def contains_ligand(
        self, coords: Any, tolerance: float | None = None, min_fraction: float = 0.5
    ) -> bool:
        """Whether a ligand (its heavy-atom coordinates) is in the pocket: its centroid
        within ``tolerance`` of a pocket point and at least ``min_fraction`` of its atoms
        within the pocket's grid."""
        coords = np.asarray(coords, dtype=float).reshape(-1, 3)
        if len(coords) == 0:
            return False
        centroid_in = bool(self.contains(coords.mean(axis=0), tolerance)[0])
        return centroid_in and float(self.contains(coords, tolerance).mean()) >= min_fraction

    def as_dict(self) -> dict[str, Any]:
        """The descriptors as JSON-able values (the points left out)."""
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "center": [round(x, 3) for x in self.center],
            "volume": round(self.volume, 1),
            "depth": round(self.depth, 2),
            "buriedness": round(self.buriedness, 3),
            "hydrophobicity": round(self.hydrophobicity, 3),
            "residues": list(self.residues),
            "extent": [round(x, 2) for x in self.extent],
            "n_points": len(self.points),
            "spacing": self.spacing,
            "structure": self.structure,
        }


def pocket_score(
    volume: float, buriedness: float, hydrophobicity: float, ideal_volume: float
) -> float:
    """A druggability-style heuristic in [0, 1], not a trained model: how enclosed (mean
    buriedness), how apolar (hydrophobicity) and how drug-sized (volume up to
    ``ideal_volume``, square-root scaled so small pockets are not all ranked last) the
    pocket is.

    >>> round(pocket_score(500.0, 0.8, 0.7, ideal_volume=500.0), 2)
    0.56
    """
    size = math.sqrt(min(volume / ideal_volume, 1.0))
    return float(size * buriedness * hydrophobicity)


def _settings(options: dict[str, Any], settings: PocketSettings | None) -> PocketSettings:
    names = {f.name for f in fields(PocketSettings)}
    unknown = sorted(set(options) - names)
    if unknown:
        raise PocketError(f"Unknown pocket setting(s) {unknown}; settings: {sorted(names)}")
    base = settings or PocketSettings()
    values = {name: getattr(base, name) for name in names}
    return PocketSettings(**{**values, **options})


def find_pockets(
    structure: Structure | str | Path,
    *,
    chains: Sequence[str] | None = None,
    settings: PocketSettings | None = None,
    **options: float,
) -> list[Pocket]:
    """Pockets of a structure, found without its ligands, best (rank 1) first.

    ``structure``: a :class:`~drugml.structure.Structure`, a file or an embedded
    data set. Only the polymer heavy atoms of ``chains`` (all by default) count:
    ligands, waters, ions and additives are removed first, so a bound site is
    found as if empty. ``options`` override single fields of ``settings``
    (:class:`PocketSettings`: ``spacing``, ``min_volume``, ``min_buriedness`` ...).
    Raises :class:`PocketError` when no pocket reaches ``min_volume``.

    >>> pockets = find_pockets("egfr_1m17")
    >>> top = pockets[0]
    >>> "MET769.A" in top.residues  # the hinge of the ATP site
    True
    """
    from drugml.structure import Structure, load_structure

    settings = _settings(options, settings)
    if not isinstance(structure, Structure):
        structure = load_structure(structure)
    atoms = polymer_atoms(structure, chains)
    if len(atoms.coords) == 0:
        raise PocketError(f"{structure.name} has no polymer heavy atoms to find pockets in")
    grid = build_grid(atoms.coords, settings)
    # 18 of 30 rays is 0.6 exactly: compare with a little slack for rounding.
    buried = grid.free & (grid.buriedness >= settings.min_buriedness - 1e-9)
    min_points = max(1, math.ceil(settings.min_volume / settings.spacing**3 - 1e-9))
    clusters = cluster(
        buried,
        min_points,
        settings.connectivity,
        bridge=round(settings.bridge / settings.spacing / 2),
        free=grid.free,
    )
    if not clusters:
        raise PocketError(
            f"No pocket found in {structure.name} (chains {chains or 'all'}) with "
            f"min_volume={settings.min_volume} Å³, min_buriedness={settings.min_buriedness}, "
            f"spacing={settings.spacing}, free_distance={settings.free_distance}, "
            f"ray_length={settings.ray_length}: lower min_volume (or min_buriedness) to "
            "accept smaller or shallower cavities"
        )
    depth = depth_map(grid, buried)
    pockets = [_describe(index, grid, depth, atoms, settings) for index in clusters]
    pockets.sort(key=lambda p: (-p.score, -p.volume))
    return [_with(p, rank=i + 1, structure=structure.name) for i, p in enumerate(pockets)]


def _describe(
    index: np.ndarray, grid: Grid, depth: np.ndarray, atoms: Atoms, settings: PocketSettings
) -> Pocket:
    """A pocket (rank 0 for now) from its grid indices."""
    from scipy.spatial import cKDTree

    points = grid.coordinates(index)
    cells = tuple(index.T)
    cutoff = settings.lining_cutoff
    distance, _ = cKDTree(points).query(atoms.coords, distance_upper_bound=cutoff * 1.001)
    lining = np.flatnonzero(distance <= cutoff)
    residues = tuple(atoms.residues[i] for i in np.unique(atoms.residue_index[lining]))
    hydrophobicity = (
        float(np.isin(atoms.elements[lining], list(APOLAR_ELEMENTS)).mean()) if len(lining) else 0.0
    )
    volume = len(points) * settings.spacing**3
    buriedness = float(grid.buriedness[cells].mean())
    return Pocket(
        rank=0,
        score=pocket_score(volume, buriedness, hydrophobicity, settings.ideal_volume),
        center=tuple(float(x) for x in points.mean(axis=0)),
        volume=float(volume),
        depth=float(depth[cells].max()),
        buriedness=buriedness,
        hydrophobicity=hydrophobicity,
        residues=residues,
        extent=tuple(float(x) for x in points.max(axis=0) - points.min(axis=0)),
        points=points,
        spacing=settings.spacing,
    )


def _with(pocket: Pocket, **changes: Any) -> Pocket:
    from dataclasses import replace

    return replace(pocket, **changes)


def select_pocket(pockets: Sequence[Pocket], rank: int = 1) -> Pocket:
    """The pocket of a given rank; the error says how many there are.

    >>> select_pocket(find_pockets("egfr_1m17"), 1).rank
    1
    """
    for pocket in pockets:
        if pocket.rank == rank:
            return pocket
    ranks = sorted(p.rank for p in pockets)
    raise PocketError(
        f"No pocket of rank {rank}: "
        + (f"{len(ranks)} pocket(s), ranks {ranks[0]} to {ranks[-1]}" if ranks else "no pockets")
    )


def pocket_table(pockets: Sequence[Pocket]) -> pd.DataFrame:
    """The pockets' descriptors, one row per pocket (columns :data:`POCKET_COLUMNS`;
    ``residues`` joined by spaces).

    >>> table = pocket_table(find_pockets("egfr_1m17"))
    >>> int(table.loc[0, "rank"]), table.columns[:3].tolist()
    (1, ['rank', 'score', 'volume'])
    """
    import pandas as pd

    rows = []
    for pocket in pockets:
        row = pocket.as_dict()
        x, y, z = row.pop("center")
        row.update(
            center_x=x,
            center_y=y,
            center_z=z,
            n_residues=len(pocket.residues),
            residues=" ".join(pocket.residues),
        )
        rows.append({column: row[column] for column in POCKET_COLUMNS})
    return pd.DataFrame(rows, columns=list(POCKET_COLUMNS))


def box_from_pocket(
    pocket: Pocket, margin: float = POCKET_BOX_MARGIN, min_size: float = BOX_MIN_SIZE
) -> Box:
    """A docking box around a pocket: its points' extent plus ``margin`` Å on each side, at
    least ``min_size`` Å per axis. The points are already where ligand atoms can sit, so
    the margin is smaller than :func:`~drugml.structure.dock.box_from_ligand`'s around a
    ligand (on the six EGFR complexes every crystal ligand atom lies at least 2 Å inside
    the box of the top pocket).

    >>> box = box_from_pocket(find_pockets("egfr_1m17")[0])
    >>> all(size >= 22.0 for size in box.size)
    True
    """
    if margin < 0 or min_size < 0:
        raise PocketError(f"margin and min_size must be >= 0, got {margin} and {min_size}")
    low, high = pocket.points.min(axis=0), pocket.points.max(axis=0)
    size = np.maximum(high - low + 2 * margin, min_size)
    return Box(tuple(float(x) for x in (low + high) / 2), tuple(float(x) for x in size))
