"""Featurization speed and memory against plain RDKit loops, measured in the same run.

Inputs are the EGFR compound SMILES repeated to the sizes asked for. Writes
``featurize.json`` and ``featurize.png``:

    python benchmarks/featurize.py [--sizes 10000 100000] [--stream 1000000]

Targets (issue 4), as ratios to the plain loop of the same run:
ECFP4 2048 from SMILES >= 1.1x on one process, >= 2.0x on two, >= 5x DeepChem's
CircularFingerprint, bits identical; RDKit descriptors >= 1.2x a plain
``Descriptors.CalcMolDescriptors`` loop with identical values; ECFP + descriptors
together no slower than the sum of the two alone; the streaming API on
``--stream`` SMILES with peak RSS < 600 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rdkit import Chem, rdBase
from rdkit.Chem import Descriptors, rdFingerprintGenerator

import drugml
from drugml import data
from drugml.featurize import ECFP, MolecularFeatures, RDKitDescriptors


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def plain_ecfp(smiles):
    out = np.zeros((len(smiles), 2048), dtype=np.uint8)
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    for i, s in enumerate(smiles):
        out[i] = generator.GetFingerprintAsNumPy(Chem.MolFromSmiles(s))
    return out


def plain_descriptors(smiles):
    with rdBase.BlockLogs():
        return [Descriptors.CalcMolDescriptors(Chem.MolFromSmiles(s)) for s in smiles]


def deepchem_ecfp(smiles):
    import deepchem as dc

    return dc.feat.CircularFingerprint(radius=2, size=2048).featurize(smiles)


# Peak RSS from /proc (VmHWM): ru_maxrss of a child started by a large parent
# reports the parent's size at fork time, not the child's own peak.
STREAM_PROBE = """
import resource, sys, numpy as np
from drugml.featurize import ECFP, iter_features
n = 0
for table, features in iter_features(sys.argv[1], ECFP(progress=False), chunk_size=10000,
                                     packed=True):
    n += len(table)
try:
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    peak_mb = int(status) / 1024
except (OSError, IndexError):
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(n, peak_mb)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--descriptor-size", type=int, default=2000)
    parser.add_argument("--stream", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    base = data.load("egfr_compounds")["smiles"].tolist()

    def repeat(n):
        return (base * (n // len(base) + 1))[:n]

    ECFP(n_jobs=2).transform(base[:3000])  # start the worker pool before timing
    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "drugml": drugml.__version__,
        "rdkit": rdBase.rdkitVersion,
        "cpus": os.cpu_count(),
        "ecfp": {},
    }
    for n in args.sizes:
        smiles = repeat(n)
        t_plain, reference = timed(plain_ecfp, smiles)
        t_one, ours = timed(ECFP(progress=False).transform, smiles)
        t_two, ours_two = timed(ECFP(n_jobs=2, progress=False).transform, smiles)
        entry = {
            "seconds": {
                "plain_rdkit_loop": t_plain,
                "drugml_1_process": t_one,
                "drugml_2_processes": t_two,
            },
            "ratio_1_process": t_plain / t_one,
            "ratio_2_processes": t_plain / t_two,
            "bits_identical": bool(
                np.array_equal(reference, ours) and np.array_equal(reference, ours_two)
            ),
        }
        if n <= 10_000:
            t_dc, _ = timed(deepchem_ecfp, smiles)
            entry["seconds"]["deepchem_circular_fingerprint"] = t_dc
            entry["ratio_deepchem_to_plain"] = t_plain / t_dc
            entry["speedup_over_deepchem"] = t_dc / t_one
        result["ecfp"][str(n)] = entry
        print(n, json.dumps(entry), flush=True)

    smiles = repeat(args.descriptor_size)
    t_plain_desc, reference = timed(plain_descriptors, smiles)
    t_desc, ours = timed(RDKitDescriptors().transform, smiles)
    names = RDKitDescriptors().get_feature_names_out()
    expected = np.array([[r[name] for name in names] for r in reference], dtype=np.float64)
    expected = expected.astype(np.float32)
    expected[~np.isfinite(expected)] = np.nan
    t_ecfp, _ = timed(ECFP().transform, smiles)
    combined = MolecularFeatures([ECFP(), RDKitDescriptors()])
    t_both, _ = timed(combined.transform, smiles)
    result["descriptors"] = {
        "molecules": len(smiles),
        "seconds": {"plain_calc_mol_descriptors": t_plain_desc, "drugml": t_desc},
        "ratio": t_plain_desc / t_desc,
        "values_identical": bool(np.array_equal(expected, ours, equal_nan=True)),
    }
    result["ecfp_plus_descriptors"] = {
        "seconds": {"ecfp_alone": t_ecfp, "descriptors_alone": t_desc, "together": t_both},
        "together_over_sum": t_both / (t_ecfp + t_desc),
    }
    print(
        json.dumps(result["descriptors"]), json.dumps(result["ecfp_plus_descriptors"]), flush=True
    )

    if args.stream:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "library.smi"
            with path.open("w") as handle:
                for i, s in enumerate(repeat(args.stream)):
                    handle.write(f"{s} mol{i}\n")
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", STREAM_PROBE, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            n, peak = out.stdout.split()
            result["stream"] = {
                "molecules": int(n),
                "seconds": time.perf_counter() - start,
                "peak_rss_mb": float(peak),
                "chunk_size": 10_000,
                "output": "packed bits per chunk",
            }
        print(json.dumps(result["stream"]), flush=True)

    largest = result["ecfp"][str(max(args.sizes))]
    small = result["ecfp"].get("10000", largest)
    result["targets_met"] = {
        "ecfp_1_process_>=1.1x": largest["ratio_1_process"] >= 1.1,
        "ecfp_2_processes_>=2.0x": largest["ratio_2_processes"] >= 2.0,
        "ecfp_>=5x_deepchem": small.get("speedup_over_deepchem", 0) >= 5,
        "descriptors_>=1.2x": result["descriptors"]["ratio"] >= 1.2,
        "combined_<=_sum": result["ecfp_plus_descriptors"]["together_over_sum"] <= 1.0,
        "stream_peak_rss_<600MB": result.get("stream", {}).get("peak_rss_mb", 1e9) < 600,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "featurize.json").write_text(json.dumps(result, indent=2) + "\n")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = ["ECFP 1 proc", "ECFP 2 procs", "descriptors", "ECFP+desc vs sum"]
    values = [
        largest["ratio_1_process"],
        largest["ratio_2_processes"],
        result["descriptors"]["ratio"],
        1 / result["ecfp_plus_descriptors"]["together_over_sum"],
    ]
    fig, ax = plt.subplots(figsize=(6, 2.8))
    ax.barh(labels[::-1], values[::-1], color="#2b6ca3")
    ax.axvline(1, color="black", linewidth=1)
    ax.set_xlabel("speed relative to the plain RDKit loop (higher is faster)")
    fig.tight_layout()
    fig.savefig(args.out / "featurize.png", dpi=120)
    print(json.dumps(result["targets_met"], indent=2))


if __name__ == "__main__":
    main()
