"""3D shape and pharmacophore similarity (:func:`drugml.structure.shape_similarity`): what it
costs per molecule and how well it separates EGFR actives from inactives, against the number
of conformers per molecule. This is what ``ShapeSettings.n_conformers``'s default rests on.

Three parts, merged into ``benchmarks/results/shape_similarity.json``:

``cost``
    A random ``--sample`` (seed 0) of the approved-drugs library (``approved_drugs``), each
    ``--conformers`` setting timed on one process (CPU time: what a molecule costs whatever
    else runs on the machine, and wall time) and on ``--n-jobs`` processes (wall time; loky's
    workers started beforehand, as in a campaign that has used them), against erlotinib's
    1M17 crystal pose; the whole library's seconds extrapolated.
``enrichment``
    ``benchmark_set(110, seed)`` of ``structure_scoring.py`` (110 EGFR actives, pIC50 >= 8,
    and 110 inactives, pIC50 <= 5, matched in heavy atoms, logP, donors, acceptors and
    charge) for each ``--sets`` seed: ROC-AUC, EF1 % and BEDROC(20) of the shape,
    pharmacophore (colour) and combined Tanimoto against the same pose, beside heavy-atom
    count (the baseline the matching is meant to defeat).
``library``
    The whole library at ``--n-conformers`` on one process (CPU and wall time) and on
    ``--n-jobs`` processes (wall time): the extrapolation checked. Beside it the CPU time,
    on one process with no size limit, of the molecules whose largest fragment has 51-60,
    61-80 and more than 80 heavy atoms (what ``max_heavy_atoms``' default of 60 saves).

    python benchmarks/shape_similarity.py --part cost --part enrichment --sets 0 1 2
    python benchmarks/shape_similarity.py --part enrichment --sets 2  # adds set 2 to 0 and 1
    python benchmarks/shape_similarity.py --part library --n-conformers 1 --n-jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from structure_scoring import REFERENCE, benchmark_set, metrics

RESULTS = Path(__file__).parent / "results"
OUT = RESULTS / "shape_similarity.json"
SCORES = ("shape_similarity", "pharmacophore_similarity", "shape_pharmacophore_similarity")


def reference():
    from drugml.structure import ReferenceLigand

    return ReferenceLigand.from_structure(*REFERENCE)


def library_smiles() -> list[str]:
    from drugml import data

    return list(data.load("approved_drugs")["smiles"])


def timed(smiles: list[str], ref, n_conformers: int, n_jobs: int):
    """(table, wall seconds, this process's CPU seconds) of one shape_similarity call."""
    from drugml.structure import ShapeSettings, shape_similarity

    settings = ShapeSettings(n_conformers=n_conformers)
    start, cpu = time.perf_counter(), time.process_time()
    table = shape_similarity(smiles, ref, settings, n_jobs=n_jobs)
    return table, time.perf_counter() - start, time.process_time() - cpu


def warm_up(ref, n_jobs: int) -> None:
    """Start loky's workers (and import RDKit in them) so that start-up is not timed."""
    if n_jobs != 1:
        timed(["CCO"] * 60, ref, 1, n_jobs)


def part_cost(args, ref) -> dict:
    smiles = library_smiles()
    rng = np.random.default_rng(0)
    sample = [smiles[i] for i in rng.permutation(len(smiles))[: args.sample]]
    warm_up(ref, args.n_jobs)
    rows = []
    for n in args.conformers:
        load = os.getloadavg()[0]
        table, seconds, cpu = timed(sample, ref, n, 1)
        parallel_load = os.getloadavg()[0]
        _, parallel_seconds, _ = timed(sample, ref, n, args.n_jobs)
        cpu_per_molecule = cpu / len(sample)
        row = {
            "n_conformers": n,
            # CPU time is what a molecule costs whatever else runs on the machine; the wall
            # times are those measured, on a machine shared with other work (load average)
            "cpu_ms_per_molecule": round(1000 * cpu_per_molecule, 1),
            "library_cpu_seconds": round(cpu_per_molecule * len(smiles), 1),
            f"library_seconds_on_{args.n_jobs}_cores_from_cpu": round(
                cpu_per_molecule * len(smiles) / args.n_jobs, 1
            ),
            "wall_1_job": {
                "seconds": round(seconds, 2),
                "library_seconds_extrapolated": round(seconds * len(smiles) / len(sample), 1),
                "load_average_before": round(load, 2),
            },
            f"wall_{args.n_jobs}_jobs": {
                "seconds": round(parallel_seconds, 2),
                "library_seconds_extrapolated": round(
                    parallel_seconds * len(smiles) / len(sample), 1
                ),
                "load_average_before": round(parallel_load, 2),
            },
            "statuses": table["shape_status"].value_counts().to_dict(),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return {
        "library": "approved_drugs",
        "library_size": len(smiles),
        "sample": len(sample),
        "n_jobs": args.n_jobs,
        "rows": rows,
    }


def part_enrichment(args, ref, earlier: dict | None = None) -> dict:
    """Each set of ``--sets`` scored; sets of an earlier run (``earlier``) with the same
    conformer counts are kept, so that the sets can be run one at a time."""
    keep = [str(n) for n in args.conformers]
    per_set = {
        e["set_seed"]: e
        for e in (earlier or {}).get("per_set", [])
        if all(n in e for n in keep) and e["set_seed"] not in args.sets
    }
    for seed in args.sets:
        bench, _ = benchmark_set(110, seed)
        labels = bench["active"].to_numpy()
        entry = {"set_seed": seed, "heavy_atoms": metrics(labels, bench["heavy_atoms"])}
        for n in args.conformers:
            table, seconds, _ = timed(list(bench["smiles"]), ref, n, args.n_jobs)
            entry[str(n)] = {
                **{column: metrics(labels, table[column]) for column in SCORES},
                "seconds": round(seconds, 1),
                "not_ok": int((table["shape_status"] != "ok").sum()),
            }
            print(seed, n, json.dumps(entry[str(n)]), flush=True)
        per_set[seed] = entry
    sets = [per_set[seed] for seed in sorted(per_set)]
    summary = {
        n: {
            column: round(float(np.mean([e[n][column]["roc_auc"] for e in sets])), 3)
            for column in SCORES
        }
        for n in keep
    }
    summary["heavy_atoms"] = round(float(np.mean([e["heavy_atoms"]["roc_auc"] for e in sets])), 3)
    return {
        "reference": f"{REFERENCE[0]}:{REFERENCE[1]} crystal pose",
        "set": "benchmark_set(110, seed) of benchmarks/structure_scoring.py",
        "sets": sorted(per_set),
        "mean_roc_auc_over_sets": summary,
        "per_set": sets,
    }


def largest_fragment_size(mol) -> int:
    """Heavy atoms of the largest fragment: what ``max_heavy_atoms`` is checked against."""
    from rdkit import Chem

    if mol is None:
        return 0
    return max(f.GetNumHeavyAtoms() for f in Chem.GetMolFrags(mol, asMols=True))


def part_library(args, ref) -> dict:
    from rdkit import Chem, rdBase

    smiles = library_smiles()
    serial_load = os.getloadavg()[0]
    table, serial_seconds, cpu = timed(smiles, ref, args.n_conformers, 1)
    warm_up(ref, args.n_jobs)
    load = os.getloadavg()[0]
    _, seconds, _ = timed(smiles, ref, args.n_conformers, args.n_jobs)
    # What the largest molecules cost (max_heavy_atoms' default): each size band timed alone.
    with rdBase.BlockLogs():
        heavy = [largest_fragment_size(Chem.MolFromSmiles(s)) for s in smiles]
    bands = {}
    for low, high in ((50, 60), (60, 80), (80, 1000)):
        band = [s for s, h in zip(smiles, heavy, strict=True) if low < h <= high]
        _, _, band_cpu = timed_without_limit(band, ref, args.n_conformers)
        bands[f"{low + 1}-{high}" if high < 1000 else f">{low}"] = {
            "molecules": len(band),
            "cpu_seconds": round(band_cpu, 1),
        }
    return {
        "n_conformers": args.n_conformers,
        "molecules": len(smiles),
        "cpu_seconds_1_job": round(cpu, 1),
        f"seconds_on_{args.n_jobs}_cores_from_cpu": round(cpu / args.n_jobs, 1),
        "wall_1_job": {
            "seconds": round(serial_seconds, 1),
            "load_average_before": round(serial_load, 2),
        },
        f"wall_{args.n_jobs}_jobs": {
            "seconds": round(seconds, 1),
            "load_average_before": round(load, 2),
        },
        "statuses": table["shape_status"].value_counts().to_dict(),
        "heavy_atom_bands_cpu_seconds": bands,
    }


def timed_without_limit(smiles: list[str], ref, n_conformers: int):
    from drugml.structure import ShapeSettings, shape_similarity

    settings = ShapeSettings(n_conformers=n_conformers, max_heavy_atoms=None)
    start, cpu = time.perf_counter(), time.process_time()
    table = shape_similarity(smiles, ref, settings)
    return table, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", choices=["cost", "enrichment", "library"])
    parser.add_argument("--conformers", type=int, nargs="+", default=[1, 2, 3, 5, 10])
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--sets", type=int, nargs="+", default=[0])
    parser.add_argument("--n-conformers", type=int, default=1, help="for --part library")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    import rdkit

    from drugml.structure import ShapeSettings

    result = json.loads(OUT.read_text()) if OUT.exists() else {}
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "rdkit": rdkit.__version__,
    }
    result["defaults"] = ShapeSettings().as_dict()
    ref = reference()
    parts = {"cost": part_cost, "library": part_library}
    for part in args.part or ["cost", "enrichment"]:
        if part == "enrichment":
            result[part] = part_enrichment(args, ref, result.get(part))
        else:
            result[part] = parts[part](args, ref)
        result[part]["command"] = " ".join(["python benchmarks/shape_similarity.py", *sys.argv[1:]])
        result[part]["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
        RESULTS.mkdir(exist_ok=True)
        OUT.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
