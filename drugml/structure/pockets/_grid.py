"""The grid behind pocket detection: free points, their buriedness, and connected clusters.

The method follows two grid-based cavity detectors. LIGSITE (Hendlich,
Rippmann & Barnickel, J. Mol. Graph. Model. 15, 359-363, 1997) lays a grid
over the protein and calls a solvent point part of a pocket when lines
through it meet protein on both sides; PocketPicker (Weisel, Proschak &
Schneider, Chem. Cent. J. 1:7, 2007) measures a point's *buriedness* as how
many of 30 rays of fixed length cast from it hit protein. Here every grid
point farther than ``free_distance`` from any polymer heavy atom (room for a
ligand atom) gets the fraction of ``n_directions`` evenly spread rays of
``ray_length`` Å that hit an atom (a point within ``atom_radius`` of an atom
centre); points with at least ``min_buriedness`` are kept and grouped into
pockets: points that are neighbours (18-connectivity: sharing a face or an
edge, at most sqrt(2) spacings apart, a bond's length at 1 Å) are one
pocket, and so are pockets linked through at most ``bridge`` Å of free but
less buried space (a gap a ligand spans; without it the ATP site of some
EGFR structures splits from its back pocket at the gatekeeper, and which
half ranks first flips with small changes of the settings). Pockets under
``min_volume`` Å³ are dropped.

The rays are marched over the whole grid at once: for each direction the
occupancy grid is shifted by every step of the ray and OR-ed, so the cost is
``n_directions x ray_length / spacing`` array operations, whatever the number
of free points.

Example
-------
>>> import numpy as np
>>> directions = sphere_directions(30)
>>> directions.shape, bool(np.allclose(np.linalg.norm(directions, axis=1), 1.0))
((30, 3), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from drugml.structure.pockets._errors import PocketError

if TYPE_CHECKING:
    from drugml.structure import Structure

#: Elements counted as apolar when a pocket's lining is scored (carbon and sulfur).
APOLAR_ELEMENTS = frozenset({"C", "S"})


@dataclass(frozen=True)
class PocketSettings:
    """Every setting of :func:`~drugml.structure.pockets.find_pockets`, with its default.

    Distances in Å, volumes in Å³, ``min_buriedness`` a fraction of the rays.

    >>> PocketSettings().spacing, PocketSettings(min_volume=50).min_volume
    (1.0, 50.0)
    """

    #: Grid spacing.
    spacing: float = 1.0
    #: A grid point is free (room for a ligand heavy atom) this far from every polymer atom.
    free_distance: float = 3.2
    #: A ray hits the polymer at a point within this distance of an atom centre.
    atom_radius: float = 1.8
    #: Rays per point, spread evenly over the sphere (PocketPicker uses 30).
    n_directions: int = 30
    #: How far each ray looks for protein.
    ray_length: float = 10.0
    #: A free point belongs to a pocket when at least this fraction of its rays hit.
    min_buriedness: float = 0.6
    #: Neighbours that connect points into one pocket: 6 (faces), 18 (and edges), 26 (all).
    connectivity: int = 18
    #: Pockets linked through at most this much free, less buried space (Å) are one pocket
    #: (each grows ``round(bridge / spacing / 2)`` grid steps into free space to meet).
    bridge: float = 2.0
    #: Pockets smaller than this are dropped.
    min_volume: float = 100.0
    #: Empty space kept around the polymer's atoms, on every side of the grid.
    padding: float = 5.0
    #: Residues with a heavy atom this close to a pocket point line the pocket.
    lining_cutoff: float = 4.0
    #: Volume at which the score's size term saturates (a drug-sized site).
    ideal_volume: float = 500.0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "min_volume":
                if value < 0:
                    raise PocketError(f"PocketSettings.min_volume must be >= 0, got {value}")
            elif field.name == "bridge":
                if value < 0:
                    raise PocketError(f"PocketSettings.bridge must be >= 0, got {value}")
            elif field.name == "connectivity":
                if value not in (6, 18, 26):
                    raise PocketError(f"PocketSettings.connectivity is 6, 18 or 26, got {value}")
            elif field.name == "min_buriedness":
                if not 0 < value <= 1:
                    raise PocketError(
                        f"PocketSettings.min_buriedness is a fraction of the rays, in (0, 1]; "
                        f"got {value}"
                    )
            elif value <= 0:
                raise PocketError(f"PocketSettings.{field.name} must be > 0, got {value}")
        object.__setattr__(self, "min_volume", float(self.min_volume))
        object.__setattr__(self, "n_directions", int(self.n_directions))


@dataclass(frozen=True, eq=False)
class Atoms:
    """Polymer heavy atoms: coordinates, elements and the residue each belongs to."""

    coords: np.ndarray  # (n, 3)
    elements: np.ndarray  # (n,) str
    residue_index: np.ndarray  # (n,) index into ``residues``
    residues: tuple[str, ...]  # "MET769.A" labels (ProLIF's RESNAMENUMBER.CHAIN)


def polymer_atoms(structure: Structure, chains: Sequence[str] | None = None) -> Atoms:
    """The heavy atoms of the polymer residues (protein, RNA, DNA) of ``chains`` (all by
    default): ligands, waters, ions and additives are left out, so the site is found as if
    nothing were bound.

    >>> from drugml.structure import load_structure
    >>> atoms = polymer_atoms(load_structure("egfr_1m17"))
    >>> len(atoms.coords), atoms.residues[0]
    (2497, 'GLY672.A')
    """
    present = {chain.id: chain for chain in structure.chains if chain.residue_ids}
    wanted = list(present) if chains is None else list(chains)
    missing = [c for c in wanted if c not in present]
    if missing or not wanted:
        raise PocketError(
            f"{structure.name}: no polymer chain {missing or wanted}; chains with polymer "
            f"residues: {list(present)}"
        )
    coords, elements, residue_index, residues = [], [], [], []
    for chain_id in wanted:
        polymer = set(present[chain_id].residue_ids)
        for residue in structure.model[chain_id]:
            if (residue.id[1], residue.id[2]) not in polymer:
                continue
            label = f"{residue.get_resname().strip()}{residue.id[1]}{residue.id[2].strip()}"
            residues.append(f"{label}.{chain_id}")
            for atom in residue.get_atoms():
                element = (atom.element or atom.get_id()[:1]).strip().upper()
                if element in ("H", "D"):
                    continue
                coords.append(atom.coord)
                elements.append(element)
                residue_index.append(len(residues) - 1)
    return Atoms(
        np.asarray(coords, dtype=float).reshape(-1, 3),
        np.asarray(elements, dtype=str),
        np.asarray(residue_index, dtype=int),
        tuple(residues),
    )


def sphere_directions(n: int) -> np.ndarray:
    """``n`` unit vectors spread evenly over the sphere (a Fibonacci lattice), deterministic."""
    i = np.arange(n) + 0.5
    z = 1 - 2 * i / n
    r = np.sqrt(1 - z**2)
    phi = np.pi * (3 - np.sqrt(5)) * i
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


@dataclass(frozen=True, eq=False)
class Grid:
    """The grid: ``origin`` (the centre of point (0, 0, 0)), ``spacing``, and per point the
    distance to the nearest atom (capped), whether it is free, and its buriedness."""

    origin: np.ndarray
    spacing: float
    nearest: np.ndarray  # distance to the nearest atom, inf beyond free_distance
    free: np.ndarray  # bool
    buriedness: np.ndarray  # fraction of rays that hit, 0 where not free

    def coordinates(self, index: np.ndarray) -> np.ndarray:
        """Cartesian coordinates (Å) of grid indices (m x 3)."""
        return self.origin + np.asarray(index, dtype=float) * self.spacing


def build_grid(coords: np.ndarray, settings: PocketSettings) -> Grid:
    """Lay the grid over the atoms, mark free and occupied points, and cast the rays."""
    from scipy.spatial import cKDTree

    spacing = settings.spacing
    low = coords.min(axis=0) - settings.padding
    high = coords.max(axis=0) + settings.padding
    shape = tuple(int(n) for n in np.ceil((high - low) / spacing).astype(int) + 1)
    axes = [low[i] + spacing * np.arange(shape[i]) for i in range(3)]
    points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    reach = max(settings.free_distance, settings.atom_radius)
    nearest, _ = cKDTree(coords).query(points, distance_upper_bound=reach)
    nearest = nearest.reshape(shape)
    free = nearest >= settings.free_distance
    occupied = nearest <= settings.atom_radius
    steps = np.arange(spacing, settings.ray_length + 1e-9, spacing / 2)
    hits = ray_hits(occupied, sphere_directions(settings.n_directions), steps / spacing)
    buriedness = np.where(free, hits / settings.n_directions, 0.0)
    return Grid(low, spacing, nearest, free, buriedness)


def ray_hits(occupied: np.ndarray, directions: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """For every grid point, how many of the rays (``directions``, sampled at ``steps`` grid
    units) meet an occupied point; a ray leaving the grid meets nothing."""
    counts = np.zeros(occupied.shape, dtype=np.int16)
    for direction in directions:
        offsets = {tuple(int(x) for x in np.rint(step * direction)) for step in steps}
        hit = np.zeros(occupied.shape, dtype=bool)
        for offset in offsets:
            target, source = _shifted(occupied.shape, offset)
            if target is not None:
                hit[target] |= occupied[source]
        counts += hit
    return counts


def _shifted(shape: tuple[int, ...], offset: tuple[int, ...]):
    """Slices so that ``a[target]`` and ``b[source]`` pair each point with the point
    ``offset`` away from it (``None`` when the offset leaves the grid)."""
    target, source = [], []
    for size, shift in zip(shape, offset, strict=True):
        if abs(shift) >= size:
            return None, None
        if shift >= 0:
            target.append(slice(0, size - shift))
            source.append(slice(shift, size))
        else:
            target.append(slice(-shift, size))
            source.append(slice(0, size + shift))
    return tuple(target), tuple(source)


def cluster(
    mask: np.ndarray, min_points: int, connectivity: int = 18, bridge: int = 0, free=None
) -> list[np.ndarray]:
    """Connected clusters of a boolean grid with at least ``min_points`` points, as arrays of
    grid indices (m x 3), largest first. ``connectivity``: 6 (faces), 18 (and edges) or 26
    (and corners) neighbours. ``bridge`` > 0 also joins clusters linked by a path of at most
    ``2 * bridge`` points of ``free`` (the gap itself is not added to either)."""
    from scipy import ndimage

    structure = ndimage.generate_binary_structure(3, {6: 1, 18: 2, 26: 3}[connectivity])
    grown = mask
    if bridge > 0:
        grown = ndimage.binary_dilation(mask, structure, iterations=bridge, mask=free) | mask
    labels, n = ndimage.label(grown, structure=structure)
    if n == 0:
        return []
    labels = np.where(mask, labels, 0)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    keep = [label + 1 for label in np.argsort(-sizes, kind="stable") if sizes[label] >= min_points]
    if not keep:
        return []
    order = np.argsort(labels, axis=None, kind="stable")
    starts = np.searchsorted(labels.ravel()[order], keep)
    index = np.column_stack(np.unravel_index(order, labels.shape))
    return [
        index[start : start + sizes[label - 1]] for label, start in zip(keep, starts, strict=True)
    ]


def depth_map(grid: Grid, pocket_mask: np.ndarray) -> np.ndarray:
    """Distance (Å) from every grid point to the nearest open solvent point: free, not in a
    pocket, below the buriedness threshold (the grid's border counts as open)."""
    from scipy import ndimage

    solvent = grid.free & ~pocket_mask
    padded = np.pad(~solvent, 1, constant_values=False)  # outside the grid is solvent
    return ndimage.distance_transform_edt(padded, sampling=grid.spacing)[1:-1, 1:-1, 1:-1]
