"""Pocket detection validation: with its ligand removed, is a complex's binding site the
top-ranked pocket of :func:`drugml.structure.pockets.find_pockets`?

Every embedded complex (EGFR 1M17, 3POZ, 5HG8, 5UG8, 5UG9, 5UGC and the B12
riboswitch RNA 4GXY): the ligand, waters, ions and additives are removed (only
polymer heavy atoms are used), pockets are found at the default settings,
and the crystal ligand is looked up among them. A pocket *contains* the
ligand when the ligand's heavy-atom centroid lies within ``tolerance`` of a
pocket grid point and at least half its heavy atoms do ("within the pocket's
grid": within spacing x sqrt(3)/2 + 0.5 Å of a pocket point, 1.37 Å at the
default 1 Å spacing). Reported per complex: the rank of the first pocket
that contains the ligand, the number of pockets, the top pocket's
descriptors and lining residues, how much of the ligand lies in it
(``ligand_fraction_in_top``), how much of it the ligand fills
(``top_fraction_near_ligand``: pocket points within 4 Å of a ligand heavy
atom), how many of the ligand's binding-site residues (within 4 Å) line it,
and the seconds :func:`find_pockets` takes (median of ``--repeat`` runs,
structure already loaded; loading is timed apart).

``--sweep`` also runs a grid of settings (connectivity, bridge, free
distance, minimum buriedness) and single changes from the defaults, and
records the rank of the ligand's pocket under each: the measurements behind
the defaults, and how fragile they are.

    python benchmarks/pockets.py
    python benchmarks/pockets.py --sweep
    python benchmarks/pockets.py --set min_buriedness=0.56 --only egfr_5hg8
    python benchmarks/pockets.py --complex my.pdb LIG
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

COMPLEXES = [
    # structure (embedded data set), ligand residue name (as in benchmarks/docking.py)
    ("egfr_1m17", "AQ4"),
    ("egfr_3poz", "03P"),
    ("egfr_5hg8", "634"),
    ("egfr_5ug8", "8BP"),
    ("egfr_5ug9", "8AM"),
    ("egfr_5ugc", "8BS"),
    ("rna_4gxy", "B1Z"),
]
SWEEP_GRID = {
    "connectivity": [6, 18],
    "bridge": [0.0, 2.0],
    "free_distance": [3.0, 3.2],
    "min_buriedness": [0.56, 0.6, 0.63],
}
# One setting changed at a time from the defaults: how fragile is the result?
SWEEP_ONE_AT_A_TIME = {
    "ray_length": [9.0, 11.0],
    "atom_radius": [1.7, 1.9],
    "n_directions": [26, 40, 60],
    "spacing": [0.8, 1.2],
    "min_buriedness": [0.56, 0.63, 0.67],
    "free_distance": [3.0, 3.4],
    "bridge": [0.0, 4.0],
}
NEAR_LIGAND = 4.0  # Å: a pocket point this close to a ligand heavy atom is filled by it


def ligand_heavy_atoms(structure, ligand: str) -> np.ndarray:
    residue = structure.ligand_residue(ligand)
    return np.array(
        [a.coord for a in residue.get_atoms() if a.element.strip().upper() not in ("H", "D")],
        dtype=float,
    )


def evaluate(name: str, ligand: str, options: dict, repeat: int) -> dict:
    """Find the pockets of one complex (ligand removed) and score them against its ligand."""
    from scipy.spatial import cKDTree

    from drugml.structure import load_structure
    from drugml.structure.pockets import PocketError, find_pockets

    start = time.perf_counter()
    structure = load_structure(name, ligand_residues=[ligand])
    load_seconds = time.perf_counter() - start
    coords = ligand_heavy_atoms(structure, ligand)
    site = structure.binding_site(ligand, cutoff=4.0)
    site_residues = {
        f"{r.resname}{r.resnum}{r.icode}.{r.chain}"
        for r in site.itertuples()
        if r.one_letter or r.resname in ("A", "C", "G", "U")
    }
    times, pockets, error = [], [], None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            pockets = find_pockets(structure, **options)
        except PocketError as exc:
            error = str(exc)
        times.append(time.perf_counter() - start)
    row = {
        "structure": name,
        "ligand": structure.ligand(ligand).label,
        "ligand_heavy_atoms": len(coords),
        "n_pockets": len(pockets),
        "seconds": round(statistics.median(times), 3),
        "seconds_all": [round(t, 3) for t in times],
        "load_seconds": round(load_seconds, 3),
        "error": error,
    }
    if not pockets:
        return {**row, "ligand_pocket_rank": None, "top_contains_ligand": False}
    ranks = [p.rank for p in pockets if p.contains_ligand(coords)]
    top = pockets[0]
    near, _ = cKDTree(coords).query(top.points, distance_upper_bound=NEAR_LIGAND * 1.001)
    best = max(pockets, key=lambda p: p.contains(coords).mean())
    return {
        **row,
        "ligand_pocket_rank": ranks[0] if ranks else None,
        "top_contains_ligand": bool(ranks and ranks[0] == 1),
        "ligand_fraction_in_top": round(float(top.contains(coords).mean()), 3),
        "ligand_centroid_in_top": bool(top.contains(coords.mean(axis=0))[0]),
        "top_fraction_near_ligand": round(float((near <= NEAR_LIGAND).mean()), 3),
        "site_residues_lining_top": f"{len(site_residues & set(top.residues))}"
        f"/{len(site_residues)}",
        "best_ligand_fraction_any_pocket": {
            "rank": best.rank,
            "fraction": round(float(best.contains(coords).mean()), 3),
        },
        "top_pocket": top.as_dict(),
        "pockets": [
            {k: v for k, v in p.as_dict().items() if k not in ("residues", "structure")}
            for p in pockets
        ],
    }


def sweep(complexes: list[tuple[str, str]], base: dict) -> list[dict]:
    """The ligand pocket's rank (and the top pocket's volume) under other settings: a grid
    of the main ones, then single changes from the defaults."""
    settings = [
        dict(zip(SWEEP_GRID, values, strict=True))
        for values in itertools.product(*SWEEP_GRID.values())
    ]
    settings += [{key: value} for key, values in SWEEP_ONE_AT_A_TIME.items() for value in values]
    out = []
    for changed in settings:
        options = {**base, **changed}
        rows = [evaluate(name, ligand, options, repeat=1) for name, ligand in complexes]
        out.append(
            {
                "settings": options,
                "ranks": {r["structure"]: r["ligand_pocket_rank"] for r in rows},
                "n_pockets": {r["structure"]: r["n_pockets"] for r in rows},
                "top_volume": {r["structure"]: r.get("top_pocket", {}).get("volume") for r in rows},
                "egfr_all_top": all(
                    r["top_contains_ligand"] for r in rows if r["structure"].startswith("egfr")
                ),
            }
        )
        print(out[-1]["settings"], out[-1]["ranks"], flush=True)
    return out


def parse_options(items: list[str]) -> dict:
    options = {}
    for item in items:
        key, _, value = item.partition("=")
        options[key] = int(value) if value.lstrip("-").isdigit() else float(value)
    return options


def held_out() -> list[dict]:
    """Targets the settings were not tuned on: PoseBusters' example complexes (installed with
    posebusters, BSD-3), each protein with its ligand removed and the ligand as an SDF."""
    from importlib.resources import files

    from rdkit import Chem

    from drugml.structure.pockets import PocketError, find_pockets

    try:
        base = Path(str(files("posebusters") / "datasets" / "pdb"))
    except ModuleNotFoundError:
        return []
    rows = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        name = folder.name
        ligand = Chem.MolFromMolFile(str(folder / f"{name}_ligand.sdf"))
        coords = ligand.GetConformer().GetPositions()
        started = time.perf_counter()
        try:
            pockets = find_pockets(folder / f"{name}_protein_one_lig_removed.pdb")
        except PocketError as exc:
            rows.append({"structure": name, "error": str(exc)})
            continue
        seconds = time.perf_counter() - started
        ranks = [p.rank for p in pockets if p.contains_ligand(coords)]
        rows.append(
            {
                "structure": name,
                "ligand": Chem.MolToSmiles(ligand),
                "ligand_heavy_atoms": ligand.GetNumHeavyAtoms(),
                "n_pockets": len(pockets),
                "ligand_pocket_rank": ranks[0] if ranks else None,
                "top_contains_ligand": bool(ranks and ranks[0] == 1),
                "best_fraction_in_any_pocket": round(
                    max(float(p.contains(coords).mean()) for p in pockets), 2
                ),
                "seconds": round(seconds, 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="structures to run (default: all)")
    parser.add_argument(
        "--complex", nargs=2, action="append", default=[], metavar=("STRUCTURE", "LIGAND")
    )
    parser.add_argument("--set", nargs="+", default=[], help="settings, e.g. spacing=0.8")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per structure")
    parser.add_argument("--sweep", action="store_true", help="also sweep the main settings")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="only the held-out targets (PoseBusters' examples), added to the results file",
    )
    args = parser.parse_args()
    if args.held_out:
        path = args.out / "pockets.json"
        result = json.loads(path.read_text()) if path.is_file() else {}
        rows = held_out()
        result["held_out"] = {
            "what": "targets the settings were not tuned on: PoseBusters' example complexes",
            "command": "python benchmarks/pockets.py --held-out",
            "top_contains_ligand": f"{sum(r.get('top_contains_ligand', False) for r in rows)}"
            f"/{len(rows)}",
            "complexes": rows,
        }
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result["held_out"], indent=1))
        return

    import scipy

    import drugml
    from drugml.structure.pockets import PocketSettings

    complexes = [c for c in COMPLEXES if not args.only or c[0] in args.only]
    complexes += [tuple(c) for c in args.complex]
    options = parse_options(args.set)
    settings = PocketSettings(**options)
    rows = []
    for name, ligand in complexes:
        rows.append(evaluate(name, ligand, options, args.repeat))
        row = rows[-1]
        print(
            f"{name:10s} {row['ligand']:10s} rank {row['ligand_pocket_rank']} of "
            f"{row['n_pockets']}, top {row.get('top_pocket', {}).get('volume')} Å3, "
            f"{row['seconds']} s",
            flush=True,
        )
    egfr = [r for r in rows if r["structure"].startswith("egfr")]
    result = {
        "what": "ligand-free pocket detection: is the crystal ligand in the top-ranked pocket?",
        "command": " ".join(["python benchmarks/pockets.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "drugml": drugml.__version__,
        },
        "settings": asdict(settings),
        "contains_rule": "ligand heavy-atom centroid within tolerance of a pocket point and "
        ">= 50% of its heavy atoms within tolerance; tolerance = spacing*sqrt(3)/2 + 0.5 Å "
        f"= {settings.spacing * np.sqrt(3) / 2 + 0.5:.3f} Å",
        "summary": {
            "egfr_top_contains_ligand": f"{sum(r['top_contains_ligand'] for r in egfr)}"
            f"/{len(egfr)}",
            "all_top_contains_ligand": f"{sum(r['top_contains_ligand'] for r in rows)}/{len(rows)}",
            "seconds_per_structure": {r["structure"]: r["seconds"] for r in rows},
            "max_seconds": max(r["seconds"] for r in rows),
        },
        "complexes": rows,
    }
    if args.sweep:
        result["sweep"] = sweep(complexes, options)
        result["summary"]["sweep_settings_with_every_egfr_ligand_top"] = (
            f"{sum(s['egfr_all_top'] for s in result['sweep'])}/{len(result['sweep'])}"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pockets.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result["summary"], indent=1))


if __name__ == "__main__":
    main()
