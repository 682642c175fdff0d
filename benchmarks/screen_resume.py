"""Kill a large screen at random moments, resume it, and compare with an uninterrupted run.

The library is built as in ``screen.py`` (random SMILES of the embedded
molecules, 0.5 % corrupted). One run goes through uninterrupted; another is
started in a separate process group and killed with SIGKILL ``--kills``
times, each time at a random moment after a random number of further chunks
has finished (so kills land mid-chunk, mid-write and between a part and the
manifest), then resumed to the end. The sorted results and rejects of both
runs are written as CSV and compared byte for byte (sha256).

    python benchmarks/screen_resume.py --models results/run/models [--size 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from screen import build_library

RUN = r"""
import sys
from drugml.screening.screen import screen_library
models = {"potency": sys.argv[2] + "/potency", "solubility": sys.argv[2] + "/solubility"}
screen_library(sys.argv[1], models, sys.argv[3], chunk_size=int(sys.argv[4]), n_jobs=2,
               progress=False)
"""


def finished(out: Path) -> list[int]:
    try:
        return json.loads((out / "manifest.json").read_text())["finished"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return []


def sorted_csv_sha256(out: Path, path: Path) -> tuple[str, str, int, int]:
    from drugml.screening.screen import load_rejects, load_results

    results = load_results(out).sort_values("record", ignore_index=True)
    rejects = load_rejects(out).sort_values("record", ignore_index=True)
    results.to_csv(path.with_suffix(".results.csv"), index=False)
    rejects.to_csv(path.with_suffix(".rejects.csv"), index=False)
    digest = [
        hashlib.sha256(path.with_suffix(s).read_bytes()).hexdigest()
        for s in (".results.csv", ".rejects.csv")
    ]
    return digest[0], digest[1], len(results), len(rejects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="models/ folder of a drugml run output")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--work", type=Path, help="folder for the library and outputs")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    chunks = -(-args.size // args.chunk_size)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        library = build_library(work / "library.smi", args.size)
        command = [sys.executable, "-c", RUN, str(library), args.models]

        start = time.perf_counter()
        subprocess.run([*command, str(work / "reference"), str(args.chunk_size)], check=True)
        reference_seconds = time.perf_counter() - start

        out = work / "killed"
        kills = []
        start = time.perf_counter()
        for _ in range(args.kills):
            # Spread the kills over the run: a few more chunks each time, then a random delay.
            target = len(finished(out)) + rng.randint(1, max(1, chunks // (args.kills + 1)))
            process = subprocess.Popen(
                [*command, str(out), str(args.chunk_size)], start_new_session=True
            )
            while process.poll() is None and len(finished(out)) < target:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 3.0))
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                kills.append({"finished_chunks_at_kill": len(finished(out))})
        subprocess.run([*command, str(out), str(args.chunk_size)], check=True)
        killed_seconds = time.perf_counter() - start

        reference = sorted_csv_sha256(work / "reference", work / "reference")
        resumed = sorted_csv_sha256(out, work / "resumed")
        leftovers = [
            p.name
            for folder in ("parts", "rejects")
            for p in (out / folder).iterdir()
            if not p.name.startswith("part-")
        ]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "records": args.size,
        "chunk_size": args.chunk_size,
        "chunks": chunks,
        "kills": kills,
        "reference_seconds": round(reference_seconds, 1),
        "killed_and_resumed_seconds": round(killed_seconds, 1),
        "reference": {
            "results_sha256": reference[0],
            "rejects_sha256": reference[1],
            "scored": reference[2],
            "rejected": reference[3],
        },
        "resumed": {
            "results_sha256": resumed[0],
            "rejects_sha256": resumed[1],
            "scored": resumed[2],
            "rejected": resumed[3],
        },
        "identical": reference == resumed,
        "leftover_files": leftovers,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "screen_resume.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if not result["identical"] or leftovers or not kills:
        sys.exit(1)


if __name__ == "__main__":
    main()
