"""Rank, re-rank and report a screen of 100,000 and 1,000,000 molecules: peak memory and time.

A real screen comes first: potency (EGFR pIC50) and solubility (ESOL) models,
XGBoost, screen the approved drugs with the EGFR default's settings (names
kept: the known actives are found by name). Synthetic screen folders of
``--sizes`` rows are then built from its rows, without screening: the real
rows first (their InChIKeys, salt forms and names), then copies of randomly
drawn real rows, each with its own InChIKey (one in 50 sharing the previous
row's: a salt form to merge), its predictions, intervals, domain similarity,
QED and SA score perturbed (normal noise), its real SMILES kept (so the
diverse short list picks among real structures). Parts of 1,000 rows, a
manifest and a ``summary.json`` as ``drugml screen`` writes them.

Measured, each in a fresh process (peak RSS: the process's VmHWM and its
children's maxrss):

- ``drugml rank SCREEN --config egfr.yaml --out OUT``: the EGFR ranking and
  its page (``report.html``);
- the re-rank: ``drugml rank`` with other weights and filters into another
  folder (its page too), the screen untouched;
- the report from the ranking folder (``drugml.report.write_report`` with a
  :class:`~drugml.screening.rank_stream.RankedScreen`: top rows, short list, known
  actives, sample and histograms) with the models' section filled from the
  real small run.

Targets (issue 15): peak under 1 GB at 1M, growth under 30 % from 100k to 1M,
re-rank of 1M under 2 minutes on 2 cores. Screen throughput figures come from
``benchmarks/screen_speed.py`` (``screen_throughput``) when that file exists.

    python benchmarks/scale.py [--sizes 100000 1000000] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import drugml

ROOT = Path(__file__).resolve().parents[1]
PART_ROWS = 1000

WORKER = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])

def peak_mb():
    own = 0.0
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)

start = time.perf_counter()
if args["kind"] == "rank":
    from drugml.cli import main
    status = main(args["argv"])
    assert status == 0, status
else:
    import pandas as pd
    from drugml.campaign.config import load_config
    from drugml.screening.rank_stream import RankedScreen
    from drugml.report import write_report
    ranked = RankedScreen.load(args["ranking"])
    config = load_config(args["config"])
    validation = ranked.validation({"potency": "potency_prediction"})
    metrics = {"drugml": "bench", "seed": 0, "models": args["models"],
               "screen": {"records": ranked.summary["screen_records"],
                          "scored": ranked.summary["screen_rows"], "rejected": 0,
                          "library": "synthetic", "unique_structures": len(ranked),
                          "salt_forms_merged": ranked.summary["salt_forms_merged"],
                          "molecules_per_second": None},
               "validation": validation, "inputs": {}}
    write_report(args["out"], config=config.model_copy(update={"target": None}),
                 metrics=metrics, ranked=ranked,
                 rejects=pd.DataFrame(columns=["record", "input", "reason"]), held_out={},
                 curation_logs={}, structure_path=None, data_versions=[])
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}))
"""


def _measure(kind: str, **args) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps({"kind": kind, **args})],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def real_screen(work: Path) -> tuple[Path, dict]:
    """The approved drugs screened with quick potency and solubility models; (folder, metrics)."""
    from drugml import data
    from drugml.models import PropertyModel
    from drugml.screening.screen import screen_library

    cached = work / "model_metrics.json"
    if cached.is_file() and (work / "real" / "summary.json").is_file():  # --work of a former run
        return work / "real", json.loads(cached.read_text())
    models, metrics = {}, {}
    egfr, esol = data.load("egfr_compounds"), data.load("esol")
    solubility = esol["measured log solubility in mols per litre"]
    sets = {"potency": (egfr["smiles"], egfr["pIC50"]), "solubility": (esol["smiles"], solubility)}
    for name, (smiles, y) in sets.items():
        model = PropertyModel(
            estimator="xgboost", estimator_params={"n_estimators": 100}, n_jobs=2, progress=False
        )
        held_out = np.arange(len(smiles))[::5]
        model.fit(list(smiles), np.asarray(y, dtype=float), held_out=held_out)
        models[name] = model.save(work / "models" / name)
        m = dict(model.held_out_metrics_)
        metrics[name] = {
            **m,
            "task": "regression",
            "estimator": "xgboost",
            "split": "random",
            "n_train": len(smiles) - len(held_out),
            "n_test": len(held_out),
        }
    screen_library(
        data.path("approved_drugs"),
        models,
        work / "real",
        chunk_size=500,
        smiles_column="smiles",
        id_column="molecule_chembl_id",
        keep_columns=["pref_name"],
        n_jobs=2,
        resume=False,
        progress=False,
    )
    cached.write_text(json.dumps(metrics, default=float))
    return work / "real", metrics


def synthetic_screen(real: Path, out: Path, rows: int, seed: int = 0) -> None:
    """A finished screen folder of ``rows`` rows built from a real screen's rows."""
    import pyarrow as pa

    from drugml.screening.screen import load_results

    base = load_results(real)
    table = pa.Table.from_pandas(base, preserve_index=False)
    n0 = len(base)
    rng = np.random.default_rng(seed)
    noisy = {
        "potency_prediction": 0.6,
        "potency_lower": 0.6,
        "potency_upper": 0.6,
        "solubility_prediction": 0.5,
        "solubility_lower": 0.5,
        "solubility_upper": 0.5,
        "potency_nearest_similarity": 0.08,
        "solubility_nearest_similarity": 0.08,
        "qed": 0.05,
        "sa_score": 0.3,
    }
    shutil.rmtree(out, ignore_errors=True)
    (out / "parts").mkdir(parents=True)
    (out / "rejects").mkdir()
    chunks = 0
    for start in range(0, rows, PART_ROWS):
        index = np.arange(start, min(rows, start + PART_ROWS))
        source = np.where(index < n0, index, rng.integers(0, n0, len(index)))
        part = table.take(pa.array(source)).to_pandas()
        synthetic = index >= n0
        part["record"] = index + 1
        keys = np.where(index % 50 == 49, index - 1, index)  # one in 50: a salt form
        part.loc[synthetic, "inchikey"] = [f"SYNTH{k:09d}-SYNTHETICKE-N" for k in keys[synthetic]]
        part.loc[synthetic, "id"] = [f"SYN{i}" for i in index[synthetic]]
        part.loc[synthetic, "pref_name"] = None
        for column, sd in noisy.items():
            noise = rng.normal(0, sd, len(part)) * synthetic
            part[column] = part[column] + noise
        for column in ("potency_nearest_similarity", "solubility_nearest_similarity", "qed"):
            part[column] = part[column].clip(0, 1)
        part.to_parquet(out / "parts" / f"part-{chunks:06d}.parquet", index=False)
        (out / "rejects" / f"part-{chunks:06d}.csv").write_text("record,input,reason\n")
        chunks += 1
    manifest = json.loads((real / "manifest.json").read_text())
    manifest["fingerprint"]["library"] = f"synthetic-{rows}"
    manifest["fingerprint"]["chunk_size"] = PART_ROWS
    manifest["finished"] = list(range(chunks))
    (out / "manifest.json").write_text(json.dumps(manifest))
    summary = json.loads((real / "summary.json").read_text())
    summary.update(
        {
            "library": f"synthetic-{rows}",
            "records": rows,
            "scored": rows,
            "rejected": 0,
            "chunks": chunks,
            "chunks_resumed": 0,
        }
    )
    (out / "summary.json").write_text(json.dumps(summary))


def _screen_throughput(models: Path) -> dict | None:
    """The other half of issue 15's figures (``--screen-throughput``): molecules per second of
    the screen, from ``benchmarks/screen_speed.py`` when it exists (None otherwise)."""
    if not (Path(__file__).with_name("screen_speed.py")).is_file():
        return None
    sys.path.insert(0, str(Path(__file__).parent))
    from screen_speed import screen_throughput  # type: ignore[import-not-found]

    return screen_throughput(models)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--work", help="working folder (default: a temporary one)")
    parser.add_argument(
        "--screen-throughput",
        action="store_true",
        help="also measure the screen's molecules per second "
        "(benchmarks/screen_speed.py; many minutes)",
    )
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="drugml-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    config = ROOT / "drugml" / "campaign" / "configs" / "egfr.yaml"
    import yaml

    other = yaml.safe_load(config.read_text())["ranking"]
    other["objectives"]["potency"]["weight"] = 1.0  # drug-likeness counts more
    other["objectives"]["qed"]["weight"] = 3.0
    other["filters"]["ro5_violations"] = {"max": 1}
    other["top_k"] = 50
    (work / "rerank.yaml").write_text(yaml.safe_dump(other))
    tick = time.perf_counter()
    real, model_metrics = real_screen(work)
    print(f"real screen: {time.perf_counter() - tick:.0f} s", flush=True)
    results = []
    for size in args.sizes:
        screen = work / f"screen-{size}"
        tick = time.perf_counter()
        synthetic_screen(real, screen, size)
        built = time.perf_counter() - tick
        rank = _measure(
            "rank",
            argv=[
                "rank",
                str(screen),
                "--config",
                str(config),
                "--out",
                str(work / f"ranked-{size}"),
                "--overwrite",
            ],
        )
        rerank = _measure(
            "rank",
            argv=[
                "rank",
                str(screen),
                "--config",
                str(work / "rerank.yaml"),
                "--out",
                str(work / f"reranked-{size}"),
                "--overwrite",
            ],
        )
        report = _measure(
            "report",
            ranking=str(work / f"ranked-{size}"),
            config=str(config),
            out=str(work / f"report-{size}.html"),
            models=model_metrics,
        )
        summary = json.loads((work / f"ranked-{size}" / "ranking.json").read_text())
        row = {
            "rows": size,
            "structures": summary["structures"],
            "parts": size // PART_ROWS,
            "build_seconds": round(built, 1),
            "rank_seconds": round(rank["seconds"], 1),
            "rank_peak_mb": round(rank["peak_mb"]),
            "rerank_seconds": round(rerank["seconds"], 1),
            "rerank_peak_mb": round(rerank["peak_mb"]),
            "report_seconds": round(report["seconds"], 1),
            "report_peak_mb": round(report["peak_mb"]),
            "known_actives_found": summary["known_actives"]["found"],
            "report_kb": round((work / f"report-{size}.html").stat().st_size / 1024),
        }
        print(json.dumps(row), flush=True)
        results.append(row)
        shutil.rmtree(screen, ignore_errors=True)
    peaks = [max(r["rank_peak_mb"], r["rerank_peak_mb"], r["report_peak_mb"]) for r in results]
    largest = results[-1]
    targets = {
        "peak_under_1gb_at_largest": peaks[-1] < 1024,
        "growth_under_30pct": (peaks[-1] / peaks[0] - 1) < 0.30 if len(peaks) > 1 else None,
        "rerank_largest_under_120s": largest["rerank_seconds"] < 120,
    }
    payload = {
        "what": "drugml rank (EGFR ranking, its report.html included), a re-rank with other "
        "weights and filters, and the report from the ranking folder, each in a fresh "
        "process, on synthetic screen folders built from a real screen of the approved "
        "drugs",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "drugml": drugml.__version__,
        },
        "command": "python benchmarks/scale.py " + " ".join(sys.argv[1:]),
        "results": results,
        "peak_growth": round(peaks[-1] / peaks[0] - 1, 3) if len(peaks) > 1 else None,
        "targets_met": targets,
        "screen_throughput": _screen_throughput(work / "models")
        if args.screen_throughput
        else None,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload["targets_met"]))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
