"""Standardization throughput against the plain RDKit floor, measured in the same run.

Input: the EGFR compound SMILES (data set ``egfr_compounds``) repeated to
``--records`` records (default 100,000). Each measurement runs once over all
records; the floor is ``Chem.MolToSmiles(Chem.MolFromSmiles(s))`` per record.
Writes JSON and a PNG figure:

    python benchmarks/chem.py [--records 100000] [--out benchmarks/results]

Targets (issue 3): full standardization at most 3x the floor's time on one
process, and at least 1.7x faster on two processes than on one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from rdkit import Chem, rdBase

import drugml
from drugml import data
from drugml.chem import standardize


def floor(smiles: list[str]) -> None:
    with rdBase.BlockLogs():
        for s in smiles:
            mol = Chem.MolFromSmiles(s)
            if mol is not None:
                Chem.MolToSmiles(mol)


def timed(func, *args, **kwargs) -> float:
    start = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()

    base = data.load("egfr_compounds")["smiles"].tolist()
    smiles = (base * (args.records // len(base) + 1))[: args.records]
    standardize(smiles[:2000], n_jobs=2, progress=False)  # start the worker pool once

    seconds = {
        "floor: MolFromSmiles + MolToSmiles": timed(floor, smiles),
        "standardize, 1 process": timed(standardize, smiles, progress=False),
        "standardize, 2 processes": timed(standardize, smiles, n_jobs=2, progress=False),
        "standardize without InChIKey, 1 process": timed(
            standardize, smiles, inchikey=False, progress=False
        ),
    }
    floor_s = seconds["floor: MolFromSmiles + MolToSmiles"]
    one, two = seconds["standardize, 1 process"], seconds["standardize, 2 processes"]
    result = {
        "benchmark": "standardization throughput, EGFR SMILES repeated",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "rdkit": rdBase.rdkitVersion,
        "drugml": drugml.__version__,
        "cpus": os.cpu_count(),
        "records": len(smiles),
        "seconds": seconds,
        "molecules_per_second": {k: len(smiles) / v for k, v in seconds.items()},
        "cost_ratio_to_floor_1_process": one / floor_s,
        "cost_ratio_to_floor_without_inchikey": (
            seconds["standardize without InChIKey, 1 process"] / floor_s
        ),
        "speedup_2_processes": one / two,
        "targets": {"cost_ratio_to_floor_1_process <=": 3.0, "speedup_2_processes >=": 1.7},
        "targets_met": {
            "cost_ratio": one / floor_s <= 3.0,
            "speedup": one / two >= 1.7,
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "chem.json").write_text(json.dumps(result, indent=2) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(result["molecules_per_second"])
    rates = [result["molecules_per_second"][k] for k in labels]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.barh(labels[::-1], rates[::-1], color="#2b6ca3")
    for y, rate in enumerate(rates[::-1]):
        ax.text(rate, y, f" {rate:,.0f}/s", va="center", fontsize=9)
    ax.set_xlabel("molecules per second")
    ax.set_xlim(0, max(rates) * 1.25)
    ax.set_title(f"{len(smiles):,} EGFR SMILES, {os.cpu_count()} CPUs")
    fig.tight_layout()
    fig.savefig(args.out / "chem.png", dpi=120)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
