"""Cold import time of drugml against `import rdkit.Chem`, measured in the same run.

Each measurement starts a fresh interpreter and times the import statement
inside it (interpreter start-up excluded). The two imports alternate so that
both see the same machine state. Writes JSON and a PNG figure:

    python benchmarks/import_time.py [--repeats 15] [--out benchmarks/results]

Target: `import drugml` costs no more than `import rdkit.Chem` and imports none
of deepchem, xgboost or torch.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

STATEMENTS = {
    "import drugml": "import drugml",
    "import rdkit.Chem": "import rdkit.Chem",
    "import drugml; drugml.data": "import drugml; drugml.data.list_datasets",
}
HEAVY = ("deepchem", "xgboost", "torch")

PROBE = """
import json, sys, time
t = time.perf_counter()
{statement}
elapsed = time.perf_counter() - t
print(json.dumps([elapsed, [m for m in {heavy!r} if m in sys.modules]]))
"""


def measure(statement: str) -> tuple[float, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(statement=statement, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds, heavy = json.loads(out.splitlines()[-1])
    return seconds, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    for statement in STATEMENTS.values():  # warm the OS file cache once
        measure(statement)
    samples: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    heavy_seen: dict[str, list[str]] = {}
    for _ in range(args.repeats):
        for label, statement in STATEMENTS.items():
            seconds, heavy = measure(statement)
            samples[label].append(seconds)
            heavy_seen[label] = heavy

    import drugml

    medians = {label: statistics.median(values) for label, values in samples.items()}
    result = {
        "benchmark": "cold import time (fresh interpreter, import statement only)",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "drugml": drugml.__version__,
        "repeats": args.repeats,
        "median_seconds": medians,
        "min_seconds": {label: min(v) for label, v in samples.items()},
        "ratio_drugml_to_rdkit_chem": medians["import drugml"] / medians["import rdkit.Chem"],
        "heavy_modules_imported": heavy_seen,
        "target": "import drugml <= import rdkit.Chem; no deepchem/xgboost/torch",
        "target_met": medians["import drugml"] <= medians["import rdkit.Chem"]
        and not heavy_seen["import drugml"],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / "import_time.json"
    json_path.write_text(json.dumps(result, indent=2) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.6))
    labels = list(samples)
    ax.boxplot([[s * 1000 for s in samples[label]] for label in labels], orientation="horizontal")
    ax.set_yticks(range(1, len(labels) + 1), labels)
    ax.set_xlabel("cold import time (ms)")
    ax.set_title(f"drugml {drugml.__version__}, {args.repeats} fresh interpreters each")
    fig.tight_layout()
    fig.savefig(args.out / "import_time.png", dpi=120)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
