"""Screening throughput, scaling and memory: drugml.screen against the plain RDKit floor.

Libraries are built from the embedded molecules (EGFR compounds, approved
drugs, ESOL: about 9,000 distinct structures) repeated as often as needed,
each copy written as a different random SMILES of the molecule (RDKit
``MolToSmiles(doRandom=True)``, so every record is parsed for real), with one
record in 200 corrupted (a character deleted) to exercise the reject path.

Measured, each in a fresh process, on the same machine in the same run:

- the floor: ``MolFromSmiles`` + Morgan generator ``GetFingerprintAsNumPy``
  per molecule, one process;
- ``screen_library`` with the models of a ``drugml run`` output (potency +
  solubility, XGBoost, domain search) and all filters, on 1 and 2 local
  processes and on a 2-worker Dask LocalCluster (``--throughput-size``);
- peak resident memory (the process's VmHWM and its largest child's maxrss)
  for growing libraries (``--memory-sizes``), to show it does not grow;
- where the time of one chunk goes (cProfile of ``score_chunk``).

    python benchmarks/screen.py --models results/run/models [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import random
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

from drugml.screen import screen_library
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
                         client=client, resume=False, progress=False)
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

    smiles = (data.load("egfr_compounds")["smiles"].tolist()
              + data.load("approved_drugs")["smiles"].dropna().tolist()
              + data.load("esol")["smiles"].str.strip().tolist())  # fmt: skip
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
    result = subprocess.run([sys.executable, "-c", WORKER, json.dumps(payload)],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def profile_chunk(library: Path, models: str) -> dict[str, float]:
    import cProfile
    import pstats

    from drugml.chem import iter_molecules
    from drugml.screen import score_chunk

    records = next(iter_molecules(library, chunk_size=1000))
    dirs = {"potency": f"{models}/potency", "solubility": f"{models}/solubility"}
    score_chunk(records.head(5), dirs)  # load the models first
    profiler = cProfile.Profile()
    profiler.enable()
    score_chunk(records, dirs)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(v[3] for k, v in stats.items() if k[2] == "score_chunk")
    parts = {"structural_alerts": "structural_alerts", "qed": "qed", "sa_score": "sa_score",
             "standardize": "standardize", "featurize_for_models": "transform",
             "domain_search": "_nearest_similarity", "model_prediction": "_raw_predict",
             "domain_fingerprints": "bit_fingerprints"}  # fmt: skip
    out = {"chunk_seconds": round(total, 3)}
    for label, function in parts.items():
        seconds = max((v[3] for k, v in stats.items() if k[2] == function), default=0.0)
        out[f"{label}_fraction"] = round(seconds / total, 3) if total else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="models/ folder of a drugml run output")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--throughput-size", type=int, default=5000)
    parser.add_argument("--memory-sizes", default="10000,40000")
    parser.add_argument("--chunk-size", type=int, default=500)
    args = parser.parse_args()
    result: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "drugml": drugml.__version__,
                    "library": "random SMILES of ~9,000 embedded molecules, 0.5 % corrupted",
                    "chunk_size": args.chunk_size}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        library = build_library(work / "throughput.smi", args.throughput_size)
        floor = run_worker({"kind": "floor", "library": str(library)})
        floor_rate = floor["molecules"] / floor["seconds"]
        runs = {}
        for name, payload in (("local_1", {"kind": "local", "n_jobs": 1}),
                              ("local_2", {"kind": "local", "n_jobs": 2}),
                              ("dask_2_workers", {"kind": "dask"})):  # fmt: skip
            settings = {"library": str(library), "models": args.models, "out": str(work / name),
                        "chunk_size": args.chunk_size}  # fmt: skip
            measured = run_worker({**payload, **settings})
            measured["molecules_per_second"] = round(measured["records"] / measured["seconds"], 1)
            measured["ratio_to_floor"] = round(measured["molecules_per_second"] / floor_rate, 4)
            runs[name] = measured
            print(name, measured, flush=True)
        result["throughput"] = {
            "molecules": args.throughput_size,
            "floor_molecules_per_second": round(floor_rate, 1),
            **runs,
            "scaling_2_processes": round(runs["local_2"]["molecules_per_second"]
                                         / runs["local_1"]["molecules_per_second"], 2),
            "dask_over_local_2": round(runs["dask_2_workers"]["molecules_per_second"]
                                       / runs["local_2"]["molecules_per_second"], 2),
        }  # fmt: skip
        memory = {}
        for size in [int(s) for s in args.memory_sizes.split(",") if s]:
            path = build_library(work / f"memory_{size}.smi", size)
            measured = run_worker({"kind": "local", "n_jobs": 2, "library": str(path),
                                   "models": args.models, "out": str(work / f"m{size}"),
                                   "chunk_size": args.chunk_size})  # fmt: skip
            memory[str(size)] = {k: measured[k] for k in ("seconds", "peak_rss_mb",
                                                          "largest_child_peak_rss_mb")}  # fmt: skip
            print(size, memory[str(size)], flush=True)
        result["memory_two_processes"] = memory
        result["chunk_profile"] = profile_chunk(library, args.models)
    throughput = result["throughput"]
    peaks = [max(v["peak_rss_mb"], v["largest_child_peak_rss_mb"]) for v in memory.values()]
    result["targets"] = {
        ">=0.5x_floor_one_process": throughput["local_1"]["ratio_to_floor"] >= 0.5,
        ">=1.8x_scaling_two_processes": throughput["scaling_2_processes"] >= 1.8,
        "dask_within_20pct_of_local_2": throughput["dask_over_local_2"] >= 0.8,
        "peak_rss_below_600mb_per_process": bool(peaks) and max(peaks) < 600,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "screen.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["targets"], indent=2), json.dumps(result["chunk_profile"], indent=2))


if __name__ == "__main__":
    main()
