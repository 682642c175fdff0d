"""Screen speed per process: the full profile and the short-list profile against the floor.

Issue 15's figures, in one run on one machine: each measured in a fresh
process, one process each, on one library (random SMILES of the embedded
molecules, 0.5 % corrupted: ``benchmarks/screen.py``'s ``build_library``):

- the floor: ``MolFromSmiles`` + Morgan ``GetFingerprintAsNumPy`` per record
  (measured before and after the screens; their mean is the floor);
- ``screen_library(profile="full")`` with the EGFR campaign's two models
  (potency + solubility, XGBoost, intervals, domain) and PAINS + Brenk, QED, SA;
- ``screen_library(profile="shortlist")`` with the EGFR ranking
  (``drugml/campaign/configs/egfr.yaml``), and whether its short list (the ranking of
  the salt-merged screen, top 20 of a pool of 40) is that of the full profile.

Ratios: to the floor of the same run, and to the issue's baseline (323
molecules/s, 0.046x the floor, on the same 2-core machine). The ratio to the
floor is the comparable figure on a machine whose load changes.

    python benchmarks/screen_speed.py [--models RUN/models] [--size 20000]
        [--baseline-source DIR]   # DIR: git archive <old commit> drugml | tar -x -C DIR

Without ``--models`` the models are trained first (``drugml run``, ~90 s).
Results: ``benchmarks/results/screen_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Issue 15's measurement of the screen before this work (one process, full profile).
BASELINE_MOLECULES_PER_SECOND = 323.0
BASELINE_RATIO_TO_FLOOR = 0.046

WORKER = r"""
import json, sys, time
args = json.loads(sys.argv[1])
if args["kind"] == "floor":
    from pathlib import Path
    from rdkit import Chem, rdBase
    from rdkit.Chem import rdFingerprintGenerator
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    lines = Path(args["library"]).read_text().splitlines()
    start, cpu = time.perf_counter(), time.process_time()
    with rdBase.BlockLogs():
        for line in lines:
            mol = Chem.MolFromSmiles(line.split()[0]) if line.strip() else None
            if mol is not None:
                generator.GetFingerprintAsNumPy(mol)
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "cpu_seconds": time.process_time() - cpu, "records": len(lines)}))
    sys.exit()
try:
    from drugml.screening.screen import screen_library
except ImportError:  # a --baseline-source from before the layered packages
    from drugml.screen import screen_library
options = {"profile": args["profile"], "ranking": args["ranking"]} if args["profile"] else {}
start, cpu = time.perf_counter(), time.process_time()
summary = screen_library(args["library"], args["models"], args["out"],
                         chunk_size=args["chunk_size"], n_jobs=1, resume=False,
                         progress=False, **options)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
                  "records": summary["records"], "profiled": summary.get("profiled")}))
"""


def _run(payload: dict, source: str | Path | None = None) -> dict:
    """One measurement in a fresh process (``source``: a folder whose ``drugml`` is imported)."""
    import os

    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), env.get("PYTHONPATH", "")])
    # run in the library's folder: with -c the current folder comes first on sys.path
    result = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(payload)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(payload["library"]).parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _egfr_ranking() -> dict[str, Any]:
    from drugml.campaign.config import load_config

    return load_config(ROOT / "drugml" / "campaign" / "configs" / "egfr.yaml").ranking.as_dict()


def _train_models(work: Path) -> Path:
    """The EGFR campaign's models (``drugml run``, its screen of the approved drugs included)."""
    subprocess.run(
        [sys.executable, "-m", "drugml", "run", "--out", str(work / "run")],
        check=True,
        capture_output=True,
    )
    return work / "run" / "models"


def same_short_list(full_dir: Path, short_dir: Path, ranking: dict[str, Any]) -> dict[str, Any]:
    """Whether the short lists (and pools) of two screens are the same, salt forms merged."""
    from drugml.screening.rank import rank_candidates
    from drugml.screening.screen import load_results, merge_salt_forms

    pool = max(int(ranking["top_k"]), int(ranking["top_k"]) * int(ranking["pool_factor"]))
    picked = {}
    for name, folder in (("full", full_dir), ("shortlist", short_dir)):
        ranked = rank_candidates(merge_salt_forms(load_results(folder)), ranking)
        passing = ranked.loc[ranked["passes_filters"], "record"]
        picked[name] = (
            ranked.loc[ranked["selected"], "record"].tolist(),
            passing.head(pool).tolist(),
        )
    return {
        "short_list_identical": picked["full"][0] == picked["shortlist"][0],
        "pool_identical": picked["full"][1] == picked["shortlist"][1],
        "short_list_size": len(picked["full"][0]),
        "pool_size": pool,
    }


def screen_throughput(
    models_dir: str | Path | None = None,
    size: int = 20_000,
    chunk_size: int = 1000,
    ranking: dict[str, Any] | None = None,
    work: str | Path | None = None,
    baseline_source: str | Path | None = None,
) -> dict[str, Any]:
    """Floor, full-profile and short-list-profile molecules per second, one process each.

    ``models_dir``: the ``models/`` folder of a ``drugml run`` of the EGFR
    campaign (``potency`` and ``solubility``); None trains them first.
    ``ranking``: of the short-list profile (default: the EGFR campaign's).
    ``baseline_source``: a folder holding an older ``drugml`` package (``git
    archive <commit> drugml | tar -x -C DIR``), screened in the same run.
    Rates are per CPU second of the process (on a busy machine its wall time
    also counts other programs'); wall-clock rates are given too. Returns
    rates, ratios to the floor and to the issue's baseline, and whether the
    two profiles give the same short list.
    """
    sys.path.insert(0, str(Path(__file__).parent))
    from screen import build_library  # benchmarks/screen.py

    ranking = ranking or _egfr_ranking()
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        folder = Path(tmp)
        models = Path(models_dir) if models_dir else _train_models(folder)
        library = build_library(folder / "library.smi", size)
        by_name = {name: str(models / name) for name in ("potency", "solubility")}
        settings = {
            "library": str(library),
            "chunk_size": chunk_size,
            "ranking": ranking,
            "models": by_name,
            "kind": "screen",
        }
        floors = [_run({"kind": "floor", "library": str(library)})]
        runs = {}
        if baseline_source is not None:
            old = {**settings, "profile": None, "out": str(folder / "baseline")}
            runs["baseline_code"] = _run(old, baseline_source)
        for profile in ("full", "shortlist"):
            runs[profile] = _run({**settings, "profile": profile, "out": str(folder / profile)})
        floors.append(_run({"kind": "floor", "library": str(library)}))
        check = same_short_list(folder / "full", folder / "shortlist", ranking)
    floor = sum(f["records"] / f["cpu_seconds"] for f in floors) / len(floors)
    floor_wall = sum(f["records"] / f["seconds"] for f in floors) / len(floors)
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "records": size,
        "chunk_size": chunk_size,
        "library": "random SMILES of ~9,000 embedded molecules, 0.5 % corrupted",
        "models": "potency + solubility (XGBoost, interval, domain); alerts PAINS + Brenk",
        "rates": "records per CPU second of the one process (wall-clock rates: *_wall)",
        "floor_molecules_per_second": round(floor, 1),
        "floor_molecules_per_second_wall": round(floor_wall, 1),
        "baseline": {
            "molecules_per_second": BASELINE_MOLECULES_PER_SECOND,
            "ratio_to_floor": BASELINE_RATIO_TO_FLOOR,
        },
    }
    for name, run in runs.items():
        rate, wall = run["records"] / run["cpu_seconds"], run["records"] / run["seconds"]
        ratio = rate / floor
        result[name] = {
            "cpu_seconds": round(run["cpu_seconds"], 2),
            "seconds": round(run["seconds"], 2),
            "molecules_per_second": round(rate, 1),
            "molecules_per_second_wall": round(wall, 1),
            "ratio_to_floor": round(ratio, 4),
            "speedup_vs_baseline_ratio_to_floor": round(ratio / BASELINE_RATIO_TO_FLOOR, 2),
            "speedup_vs_baseline_molecules_per_second": round(
                rate / BASELINE_MOLECULES_PER_SECOND, 2
            ),
        }
        if run.get("profiled") is not None:
            result[name]["fraction_profiled"] = round(run["profiled"] / size, 4)
    if "baseline_code" in result:
        old = result["baseline_code"]["molecules_per_second"]
        for name in ("full", "shortlist"):
            result[name]["speedup_vs_baseline_code"] = round(
                result[name]["molecules_per_second"] / old, 2
            )
    result["shortlist"].update(check)
    result["targets"] = {
        "full_>=1.5x_baseline": result["full"]["speedup_vs_baseline_ratio_to_floor"] >= 1.5,
        "shortlist_>=4x_baseline": result["shortlist"]["speedup_vs_baseline_ratio_to_floor"] >= 4,
        "same_short_list": check["short_list_identical"] and check["pool_identical"],
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="models/ folder of a drugml run (default: train)")
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--baseline-source", help="folder with an older drugml package")
    args = parser.parse_args()
    result = screen_throughput(
        args.models,
        size=args.size,
        chunk_size=args.chunk_size,
        baseline_source=args.baseline_source,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "screen_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
