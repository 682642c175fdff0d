"""Screening throughput, scaling and memory: drugml.screening.screen against the plain RDKit floor.

Libraries are built from the embedded molecules (EGFR compounds, approved
drugs, ESOL: about 9,000 distinct structures) repeated as often as needed,
each copy written as a different random SMILES of the molecule (RDKit
``MolToSmiles(doRandom=True)``, so every record is parsed for real), with one
record in 200 corrupted (a character deleted) to exercise the reject path.

Measured, each in a fresh process, on the same machine in the same run:

- the floor: ``MolFromSmiles`` + Morgan generator ``GetFingerprintAsNumPy``
  per molecule, one process;
- ``screen_library`` with the models of a ``drugml run`` output (potency +
  solubility, XGBoost, domain search) and the default filters (properties,
  Ro5, Veber, PAINS, Brenk, QED, SA score) on 1 and 2 local processes and on
  a 2-worker Dask LocalCluster (``--throughput-size``, default 100,000);
- larger libraries (``--large-sizes``, default 1,000,000) on 2 local
  processes, and optionally on Dask (``--large-dask``): rate and peak
  resident memory (the process's VmHWM and its largest child's maxrss), to
  show that neither changes with the library's size;
- the cost of the opt-in NIH alerts: 1 process with and without them
  (``--nih-size``);
- where the time of one chunk goes (cProfile of ``score_chunk``; alone, into the
  existing results, with ``--chunk-profile-only``).

    python benchmarks/screen.py --models results/run/models [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import drugml

WORKER = r"""
import json, resource, sys, time
from pathlib import Path
args = json.loads(sys.argv[1])

def peak_mb():
    own = 0
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children

if args["kind"] == "floor":
    from rdkit import Chem, rdBase
    from rdkit.Chem import rdFingerprintGenerator
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    lines = Path(args["library"]).read_text().splitlines()
    start = time.perf_counter()
    with rdBase.BlockLogs():
        for line in lines:
            mol = Chem.MolFromSmiles(line.split()[0]) if line.strip() else None
            if mol is not None:
                generator.GetFingerprintAsNumPy(mol)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "molecules": len(lines)}))
    sys.exit()

from drugml.screening.screen import screen_library
models = {"potency": args["models"] + "/potency", "solubility": args["models"] + "/solubility"}
client = None
cluster = None
if args["kind"] == "dask":
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                           dashboard_address=None, processes=True)
    client = Client(cluster)
start = time.perf_counter()
summary = screen_library(args["library"], models, args["out"], chunk_size=args["chunk_size"],
                         n_jobs=args.get("n_jobs", 1), backend="dask" if client else "local",
                         client=client, resume=False, progress=False,
                         alerts=args.get("alerts", ["pains", "brenk"]))
seconds = time.perf_counter() - start
if client is not None:
    client.close()
    cluster.close()
own, children = peak_mb()
print(json.dumps({"seconds": seconds, "records": summary["records"], "scored": summary["scored"],
                  "rejected": summary["rejected"], "peak_rss_mb": round(own, 1),
                  "largest_child_peak_rss_mb": round(children, 1)}))
"""


def build_library(path: Path, size: int, seed: int = 0) -> Path:
    """``size`` records: random SMILES of the embedded molecules, 0.5 % corrupted."""
    from rdkit import Chem, rdBase

    from drugml import data

    smiles = (
        data.load("egfr_compounds")["smiles"].tolist()
        + data.load("approved_drugs")["smiles"].dropna().tolist()
        + data.load("esol")["smiles"].str.strip().tolist()
    )
    with rdBase.BlockLogs():
        mols = [m for m in (Chem.MolFromSmiles(s) for s in smiles) if m is not None]
    rng = random.Random(seed)
    with path.open("w") as handle:
        for i in range(size):
            mol = mols[i % len(mols)]
            text = Chem.MolToSmiles(mol, doRandom=True) if i >= len(mols) else Chem.MolToSmiles(mol)
            if rng.random() < 0.005 and len(text) > 3:
                cut = rng.randrange(len(text))
                text = text[:cut] + text[cut + 1 :]
            handle.write(f"{text} mol{i}\n")
    return path


def run_worker(payload: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(payload)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def profile_chunk(library: Path, models: str) -> dict[str, float]:
    import cProfile
    import pstats

    from drugml.chem import iter_molecules
    from drugml.screening.screen import score_chunk

    records = next(iter_molecules(library, chunk_size=1000))
    dirs = {"potency": f"{models}/potency", "solubility": f"{models}/solubility"}
    score_chunk(records.head(5), dirs)  # load the models first
    profiler = cProfile.Profile()
    profiler.enable()
    score_chunk(records, dirs)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(v[3] for k, v in stats.items() if k[2] == "score_chunk")
    parts = {
        "alerts_and_qed": "alerts_and_qed",
        "substructure_matching": "matches",
        "alert_screen": "possible",
        "sa_score": "sa_score",
        "standardize": "standardize",
        "inchikey": "MolToInchiKey",
        "featurize_for_models": "transform",
        "domain_search": "neighbour_similarities",
        "model_prediction": "_raw_predict",
        "domain_fingerprints": "bit_fingerprints",
        "properties": "properties",
    }
    out = {"chunk_seconds": round(total, 3), "molecules": len(records)}
    for label, function in parts.items():
        seconds = max((v[3] for k, v in stats.items() if k[2] == function), default=0.0)
        out[f"{label}_fraction"] = round(seconds / total, 3) if total else None
    return out


def measure(
    kind: dict, library: Path, models: str, out: Path, chunk_size: int, floor_rate: float
) -> dict:
    settings = {
        "library": str(library),
        "models": models,
        "out": str(out),
        "chunk_size": chunk_size,
    }
    measured = run_worker({**kind, **settings})
    measured["molecules_per_second"] = round(measured["records"] / measured["seconds"], 1)
    measured["ratio_to_floor"] = round(measured["molecules_per_second"] / floor_rate, 4)
    print(kind, library.name, measured, flush=True)
    return measured


def floor_rate(library: Path) -> float:
    floor = run_worker({"kind": "floor", "library": str(library)})
    return round(floor["molecules"] / floor["seconds"], 1)


def save_partial(out: Path, result: dict) -> None:
    """What is measured so far, so a long run that dies keeps its finished parts."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "screen.partial.json").write_text(json.dumps(result, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="models/ folder of a drugml run output")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--throughput-size", type=int, default=100_000)
    parser.add_argument("--large-sizes", default="1000000")
    parser.add_argument("--large-dask", action="store_true", help="also Dask on --large-sizes")
    parser.add_argument("--nih-size", type=int, default=10_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument(
        "--work", type=Path, help="folder for libraries and outputs (default: temp)"
    )
    parser.add_argument(
        "--chunk-profile-only",
        action="store_true",
        help="only where one chunk's time goes, into the existing screen.json "
        "(chunk_profile, chunk_profile_date)",
    )
    args = parser.parse_args()
    import os
    import platform

    if args.chunk_profile_only:
        path = args.out / "screen.json"
        result = json.loads(path.read_text())
        with tempfile.TemporaryDirectory(dir=args.work) as tmp:
            library = build_library(Path(tmp) / "profile.smi", 2000)
            result["chunk_profile"] = profile_chunk(library, args.models)
        result["chunk_profile_date"] = time.strftime("%Y-%m-%d %H:%M:%S")
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result["chunk_profile"], indent=2))
        return

    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "drugml": drugml.__version__,
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor(),
            "python": platform.python_version(),
        },
        "library": "random SMILES of ~9,000 embedded molecules, 0.5 % corrupted",
        "chunk_size": args.chunk_size,
        "filters": "properties, Ro5, Veber, PAINS, Brenk, QED, SA score",
        "models": "potency + solubility (XGBoost, interval, domain)",
    }
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        library = build_library(work / "throughput.smi", args.throughput_size)
        floor = floor_rate(library)
        runs = {"floor_molecules_per_second": floor, "molecules": args.throughput_size}
        for name, kind in (
            ("local_1", {"kind": "local", "n_jobs": 1}),
            ("local_2", {"kind": "local", "n_jobs": 2}),
            ("dask_2_workers", {"kind": "dask"}),
        ):
            runs[name] = measure(kind, library, args.models, work / name, args.chunk_size, floor)
        rate = {
            name: runs[name]["molecules_per_second"]
            for name in ("local_1", "local_2", "dask_2_workers")
        }
        runs["scaling_2_processes"] = round(rate["local_2"] / rate["local_1"], 2)
        runs["dask_over_local_2"] = round(rate["dask_2_workers"] / rate["local_2"], 2)
        result["throughput"] = runs
        result["chunk_profile"] = profile_chunk(library, args.models)
        save_partial(args.out, result)

        if args.nih_size:
            small = build_library(work / "nih.smi", args.nih_size)
            small_floor = floor_rate(small)
            nih = {"molecules": args.nih_size}
            for name, alerts in (
                ("pains_brenk", ["pains", "brenk"]),
                ("pains_brenk_nih", ["pains", "brenk", "nih"]),
            ):
                kind = {"kind": "local", "n_jobs": 1, "alerts": alerts}
                nih[name] = measure(
                    kind, small, args.models, work / f"nih_{name}", args.chunk_size, small_floor
                )
            nih["time_factor_with_nih"] = round(
                nih["pains_brenk"]["molecules_per_second"]
                / nih["pains_brenk_nih"]["molecules_per_second"],
                2,
            )
            result["nih_alerts_one_process"] = nih
            save_partial(args.out, result)
        library.unlink()

        large = {str(args.throughput_size): {"local_2": runs["local_2"]}}
        for size in [int(x) for x in args.large_sizes.split(",") if x]:
            path = build_library(work / f"large_{size}.smi", size)
            entry = {"floor_molecules_per_second": floor_rate(path)}
            configs = [("local_2", {"kind": "local", "n_jobs": 2})]
            if args.large_dask:
                configs.append(("dask_2_workers", {"kind": "dask"}))
            for name, kind in configs:
                floor_here = entry["floor_molecules_per_second"]
                entry[name] = measure(
                    kind, path, args.models, work / f"large_{name}", args.chunk_size, floor_here
                )
                shutil.rmtree(work / f"large_{name}")
            large[str(size)] = entry
            path.unlink()
            result["by_library_size"] = large
            save_partial(args.out, result)
        result["by_library_size"] = large

    throughput = result["throughput"]
    runs_by_size = [
        run for entry in large.values() for run in entry.values() if isinstance(run, dict)
    ]
    peaks = [max(run["peak_rss_mb"], run["largest_child_peak_rss_mb"]) for run in runs_by_size]
    result["targets"] = {
        ">=0.5x_floor_one_process": throughput["local_1"]["ratio_to_floor"] >= 0.5,
        ">=1.8x_scaling_two_processes": throughput["scaling_2_processes"] >= 1.8,
        "dask_within_20pct_of_local_2": throughput["dask_over_local_2"] >= 0.8,
        "peak_rss_below_600mb_per_process": bool(peaks) and max(peaks) < 600,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "screen.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "screen.partial.json").unlink(missing_ok=True)
    print(json.dumps(result["targets"], indent=2), json.dumps(result["chunk_profile"], indent=2))


if __name__ == "__main__":
    main()
