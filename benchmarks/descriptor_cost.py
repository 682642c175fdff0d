"""What RDKit's full 2D descriptor set costs, and which descriptors cost most (issue 26, item 2).

The first ``--n`` valid EGFR molecules (parsed once, not timed); every function of RDKit's
``Descriptors._descList`` timed alone over them (one descriptor at a time, a failing molecule
counted, not timed apart), as seconds per 1,000 molecules; beside that, drugml's default
``RDKitDescriptors()`` transform of the same SMILES (parsing included) and whether its set is
``_descList``'s. Writes ``descriptor_cost.json``:

    python benchmarks/descriptor_cost.py [--n 1000] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import rdkit
from rdkit import Chem, rdBase
from rdkit.Chem import Descriptors

import drugml
from drugml import data
from drugml.featurize import RDKitDescriptors

TOP = 15


def load_molecules(n: int) -> tuple[list[str], list[Chem.Mol]]:
    """The first ``n`` SMILES of the EGFR set that RDKit parses, and their molecules."""
    smiles, mols = [], []
    for s in data.load("egfr_compounds")["smiles"]:
        mol = Chem.MolFromSmiles(s)
        if mol is not None:
            smiles.append(s)
            mols.append(mol)
            if len(mols) == n:
                break
    return smiles, mols


def time_descriptor(function, mols: list[Chem.Mol]) -> tuple[float, int]:
    """Seconds to compute ``function`` over ``mols``, and how many molecules raised."""
    failures = 0
    start = time.perf_counter()
    for mol in mols:
        try:
            function(mol)
        except Exception:
            failures += 1
    return time.perf_counter() - start, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="molecules (default 1000)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    rdBase.DisableLog("rdApp.*")
    smiles, mols = load_molecules(args.n)
    per_1000 = 1000 / len(mols)

    seconds: dict[str, float] = {}
    failures: dict[str, int] = {}
    for name, function in Descriptors._descList:
        # a fresh copy per descriptor: RDKit caches some intermediates on the molecule
        # (E-state indices, VSA vectors), which would hide their cost after the first
        fresh = [Chem.Mol(m) for m in mols]
        elapsed, failed = time_descriptor(function, fresh)
        seconds[name] = elapsed * per_1000
        if failed:
            failures[name] = failed
    total = sum(seconds.values())
    costliest = sorted(seconds, key=seconds.get, reverse=True)[:TOP]

    featurizer = RDKitDescriptors()
    start = time.perf_counter()
    matrix = featurizer.fit_transform(smiles)
    drugml_seconds = (time.perf_counter() - start) * per_1000
    names = featurizer.get_feature_names_out()
    rdkit_names = [name for name, _ in Descriptors._descList]

    result = {
        "what": "seconds per 1,000 molecules of each RDKit 2D descriptor, each alone "
        "(Descriptors._descList), and of drugml's default RDKitDescriptors() transform",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "rdkit": rdkit.__version__,
            "drugml": drugml.__version__,
        },
        "command": " ".join(["python benchmarks/descriptor_cost.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "rdkit_version": rdkit.__version__,
        "n_molecules": len(mols),
        "full_set": {
            "n_descriptors": len(rdkit_names),
            "total_seconds_per_1000": round(total, 3),
            "failures": failures,
        },
        "costliest": [
            {
                "descriptor": name,
                "seconds_per_1000": round(seconds[name], 4),
                "share_of_total": round(seconds[name] / total, 4),
            }
            for name in costliest
        ],
        "costliest_share_together": round(sum(seconds[n] for n in costliest) / total, 4),
        "drugml_default": {
            "featurizer": "RDKitDescriptors()",
            "n_descriptors": len(names),
            "equals_descList": list(names) == rdkit_names,
            "same_set_as_descList": set(names) == set(rdkit_names),
            "seconds_per_1000_with_parsing": round(drugml_seconds, 3),
            "shape": list(matrix.shape),
        },
        "seconds_per_1000_all": {name: round(s, 4) for name, s in seconds.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "descriptor_cost.json").write_text(json.dumps(result, indent=1) + "\n")
    summary = {k: v for k, v in result.items() if k != "seconds_per_1000_all"}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
