"""``drugml run`` end to end on a library of 100,000 to 1,000,000 records: time and peak memory.

Issue 15's "a million-record library screened, ranked, re-ranked and reported
on this 2-core machine", measured as a user would run it: the EGFR default
configuration (``drugml/campaign/configs/egfr.yaml``: two models, the screen, the
streamed ranking, docking of the short list's top 4, the report) with its
library replaced by a CSV of ``--size`` records, each run in a fresh process:

- the library: the approved drugs first (names kept, so the run's known
  actives are found by name), then random SMILES (RDKit ``doRandom``) of the
  embedded molecules (EGFR compounds, approved drugs, ESOL: about 9,000
  structures), so every record is parsed for real and most structures recur
  under many spellings; one record in 200 is corrupted (a character deleted)
  to exercise the reject path;
- ``--profile`` (full or shortlist) and ``--backend`` (local: 2 processes;
  dask: a LocalCluster of 2 workers started by the run) set in the
  configuration's ``library`` section;
- peak resident memory sampled every 0.5 s: the driver process alone, its
  largest child (a screening worker, a Dask worker or the docking's), and
  the whole process tree;
- after the run, ``drugml rank`` of its screen with other weights and a
  filter (potency alone weighted up, QED at least 0.4) into another folder,
  in a fresh process: time and peak.

Each run's short list (InChIKeys in order) is written beside its figures, so
two runs (full and short-list profile, local and Dask) can be compared:
``--compare A.json B.json``.

    python benchmarks/scale_run.py --size 1000000 --profile shortlist --backend local \
        --work /tmp/scale_run --out benchmarks/results/scale_run_1m_shortlist_local.json
    python benchmarks/scale_run.py --compare A.json B.json
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


class TreePeak:
    """Peak RSS (MB) of a process, of its largest descendant and of the whole tree."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.driver_mb = self.child_mb = self.tree_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.NoSuchProcess):
                own = self.root.memory_info().rss / 2**20
                children = []
                for child in self.root.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        children.append(child.memory_info().rss / 2**20)
                self.driver_mb = max(self.driver_mb, own)
                self.child_mb = max(self.child_mb, max(children, default=0.0))
                self.tree_mb = max(self.tree_mb, own + sum(children))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def build_library(path: Path, size: int, seed: int = 0) -> dict:
    """``size`` records as CSV (smiles, id, name): the named approved drugs, then random
    SMILES of the embedded molecules, 0.5 % corrupted."""
    from rdkit import Chem, rdBase

    from drugml import data

    drugs = data.load("approved_drugs").dropna(subset=["smiles"])
    smiles = (
        data.load("egfr_compounds")["smiles"].tolist()
        + drugs["smiles"].tolist()
        + data.load("esol")["smiles"].str.strip().tolist()
    )
    with rdBase.BlockLogs():
        mols = [m for m in (Chem.MolFromSmiles(s) for s in smiles) if m is not None]
    rng = random.Random(seed)
    corrupted = 0
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["smiles", "id", "name"])
        for i in range(size):
            if i < len(drugs):
                text, name = drugs["smiles"].iloc[i], drugs["pref_name"].iloc[i]
                name = "" if not isinstance(name, str) else name
            else:
                text, name = Chem.MolToSmiles(mols[rng.randrange(len(mols))], doRandom=True), ""
                if rng.random() < 0.005 and len(text) > 3:
                    cut = rng.randrange(len(text))
                    text, corrupted = text[:cut] + text[cut + 1 :], corrupted + 1
            writer.writerow([text, f"rec{i}", name])
    return {
        "records": size,
        "named_drugs": min(size, len(drugs)),
        "corrupted": corrupted,
        "distinct_structures_drawn_from": len(mols),
    }


def write_config(path: Path, library: Path, profile: str, backend: str, n_jobs: int) -> None:
    import yaml

    config = yaml.safe_load((ROOT / "drugml" / "campaign" / "configs" / "egfr.yaml").read_text())
    config["n_jobs"] = n_jobs
    config["library"].update(
        path=str(library),
        smiles_column="smiles",
        id_column="id",
        name_column="name",
        chunk_size=1000,
        profile=profile,
        backend=backend,
    )
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def rerank_config(path: Path, run_config: Path) -> None:
    import yaml

    config = yaml.safe_load(run_config.read_text())
    ranking = config["ranking"]
    ranking["objectives"]["potency"]["weight"] = 6.0
    ranking["filters"]["qed"] = {"min": 0.4}
    path.write_text(yaml.safe_dump({"ranking": ranking}, sort_keys=False))


def timed(command: list[str], cwd: Path, log: Path) -> dict:
    start = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(command, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
        with TreePeak(process.pid) as peak:
            status = process.wait()
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed ({status}); see {log}")
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "driver_peak_mb": round(peak.driver_mb),
        "largest_child_peak_mb": round(peak.child_mb),
        "tree_peak_mb": round(peak.tree_mb),
    }


def short_list(run: Path) -> list[str]:
    import pandas as pd

    table = pd.read_csv(run / "ranked_candidates.csv")
    return table.loc[table["selected"].astype(bool), "inchikey"].tolist()


def measure(args: argparse.Namespace) -> dict:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    library = work / f"library_{args.size}.csv"
    if not library.exists():
        tick = time.perf_counter()
        built = build_library(library, args.size)
        built["seconds"] = round(time.perf_counter() - tick, 1)
        (work / f"library_{args.size}.json").write_text(json.dumps(built))
    built = json.loads((work / f"library_{args.size}.json").read_text())
    name = f"{args.size}_{args.profile}_{args.backend}"
    config, run = work / f"{name}.yaml", work / f"run_{name}"
    write_config(config, library, args.profile, args.backend, args.n_jobs)
    shutil.rmtree(run, ignore_errors=True)
    result = {
        "records": args.size,
        "profile": args.profile,
        "backend": args.backend,
        "n_jobs": args.n_jobs,
        "library": built,
    }
    result["run"] = timed(
        [sys.executable, "-m", "drugml", "run", str(config), "--out", str(run)],
        work,
        work / f"{name}.log",
    )
    metrics = json.loads((run / "metrics.json").read_text())
    result["run"]["steps_seconds"] = metrics["timings_seconds"]
    screen = metrics.get("screen", {})
    result["screen"] = {
        k: screen.get(k)
        for k in ("records", "scored", "rejected", "profiled", "molecules_per_second")
    }
    found = metrics["validation"]["all_compounds"]
    result["known_actives"] = {k: found.get(k) for k in ("n_known_actives", "n_in_top_5pct")}
    result["short_list"] = short_list(run)
    rerank = work / f"{name}.rerank.yaml"
    rerank_config(rerank, config)
    shutil.rmtree(work / f"rerank_{name}", ignore_errors=True)
    result["rerank"] = timed(
        [
            sys.executable,
            "-m",
            "drugml",
            "rank",
            str(run / "screen"),
            "--config",
            str(rerank),
            "--out",
            str(work / f"rerank_{name}"),
        ],
        work,
        work / f"{name}.rerank.log",
    )
    result["machine"] = {
        "cpus": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30),
    }
    result["command"] = "python benchmarks/scale_run.py " + " ".join(sys.argv[1:])
    result["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--profile", choices=["full", "shortlist"], default="shortlist")
    parser.add_argument("--backend", choices=["local", "dask"], default="local")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--work", default="/tmp/scale_run")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        a, b = (json.loads(p.read_text()) for p in args.compare)
        same = a["short_list"] == b["short_list"]
        print(
            json.dumps(
                {
                    "a": str(args.compare[0]),
                    "b": str(args.compare[1]),
                    "short_list_identical": same,
                    "size": len(a["short_list"]),
                }
            )
        )
        sys.exit(0 if same else 1)
    result = measure(args)
    out = args.out or ROOT / "benchmarks" / "results" / (
        f"scale_run_{args.size}_{args.profile}_{args.backend}.json"
    )
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "short_list"}, indent=1))


if __name__ == "__main__":
    main()
