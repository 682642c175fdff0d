"""The first hour, measured in one run: ``drugml run``, every notebook, the tests.

- ``drugml run`` (a fresh process, the README's default configuration): wall time,
  its own step timings, and the peak memory of its process tree;
- every notebook in ``notebooks/``, executed headless as the gallery and the
  tests do: wall time and the peak memory of the kernel's process tree (the
  kernel and any worker it starts), sampled every 0.1 s;
- the test command's pytest run (``python -m pytest``, the install already
  done), unless ``--skip-tests``.

Targets (issue "the first hour"): the run at most 90 s, each notebook at most
60 s, all of them at most 300 s, each kernel under 1.5 GB (Binder gives 2 GB),
the tests at most 480 s. Each figure is written beside its target with ``met``.

    python benchmarks/walk.py [--out benchmarks/results] [--skip-tests]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "run_seconds": 90,
    "notebook_seconds": 60,
    "notebooks_total_seconds": 300,
    "kernel_peak_mb": 1536,
    "tests_seconds": 480,
}


class PeakMemory:
    """Peak resident memory (MB) of a process tree, sampled on a thread."""

    def __init__(self, roots: Callable[[], list[psutil.Process]], interval: float = 0.1) -> None:
        self.roots = roots
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            for root in self.roots():
                try:
                    tree = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                for process in tree:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += process.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure_run(work: Path) -> dict:
    """``drugml run`` on the default configuration in a fresh process."""
    command = [sys.executable, "-m", "drugml", "run", "--out", str(work / "run"), "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=work)
    with PeakMemory(lambda: [psutil.Process(process.pid)]) as memory:
        process.wait()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"drugml run failed with exit status {process.returncode}")
    metrics = json.loads((work / "run" / "metrics.json").read_text())
    models = metrics["models"]  # held-out metrics per model of the configuration
    return {
        "seconds": round(seconds, 1),
        "target_seconds": TARGETS["run_seconds"],
        "met": seconds <= TARGETS["run_seconds"],
        "peak_mb": round(memory.peak_mb),
        "steps_seconds": metrics["timings_seconds"],
        "potency_scaffold_rmse": round(models["potency"]["rmse"], 4),
        "solubility_scaffold_rmse": round(models["solubility"]["rmse"], 4),
    }


def measure_notebooks() -> list[dict]:
    """Every notebook, executed as the gallery does; kernel tree memory."""
    from drugml.report.gallery import execute_notebook, find_notebooks

    me = psutil.Process()
    rows = []
    for path in find_notebooks(ROOT / "notebooks"):
        start = time.perf_counter()
        with PeakMemory(lambda: me.children()) as memory:  # the kernel is our child
            execute_notebook(path, timeout=600)
        seconds = time.perf_counter() - start
        row = {
            "notebook": path.stem,
            "seconds": round(seconds, 1),
            "kernel_peak_mb": round(memory.peak_mb),
            "met": seconds <= TARGETS["notebook_seconds"]
            and memory.peak_mb < TARGETS["kernel_peak_mb"],
        }
        print(row, flush=True)
        rows.append(row)
    return rows


def measure_tests() -> dict:
    """The test command's pytest run (the README's test command after its install)."""
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        "auto",
        "--dist",
        "worksteal",
        "-q",
        "-p",
        "no:cacheprovider",
    ]  # as scripts/test.sh runs it
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return {
        "seconds": round(seconds, 1),
        "target_seconds": TARGETS["tests_seconds"],
        "met": seconds <= TARGETS["tests_seconds"] and result.returncode == 0,
        "exit_status": result.returncode,
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--skip-tests", action="store_true", help="leave out the test suite")
    args = parser.parse_args()
    import drugml

    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "drugml": drugml.__version__,
        "cpus": os.cpu_count(),
        "targets": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="drugml-walk-") as folder:
        result["run"] = measure_run(Path(folder))
        print("run", result["run"], flush=True)
    notebooks = measure_notebooks()
    total = sum(row["seconds"] for row in notebooks)
    result["notebooks"] = notebooks
    result["notebooks_total"] = {
        "seconds": round(total, 1),
        "target_seconds": TARGETS["notebooks_total_seconds"],
        "met": total <= TARGETS["notebooks_total_seconds"] and all(row["met"] for row in notebooks),
    }
    if not args.skip_tests:
        result["tests"] = measure_tests()
        print("tests", result["tests"], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "walk.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out / 'walk.json'}")


if __name__ == "__main__":
    main()
