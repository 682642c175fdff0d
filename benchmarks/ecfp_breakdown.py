"""Where one process's ECFP time goes: parsing, the fingerprint, the copy into the matrix.

The same input as ``featurize.py`` (the EGFR SMILES repeated to ``--size``), each part timed
alone (best of three), beside the plain RDKit loop and drugml's ECFP on one and two processes.
Writes ``ecfp_breakdown.json``:

    python benchmarks/ecfp_breakdown.py [--size 20000] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rdkit import Chem, rdBase
from rdkit.Chem import rdFingerprintGenerator

from drugml import data
from drugml.featurize import ECFP
from drugml.featurize._base import parse_one  # the parse ECFP's loop uses


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    base = data.load("egfr_compounds")["smiles"].tolist()
    smiles = (base * (args.size // len(base) + 1))[: args.size]
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    rdBase.DisableLog("rdApp.*")
    mols = [Chem.MolFromSmiles(s) for s in smiles]

    def into_matrix() -> None:
        out = np.zeros((len(mols), 2048), dtype=np.uint8)
        for i, mol in enumerate(mols):
            out[i] = generator.GetFingerprintAsNumPy(mol)

    def plain_loop() -> None:
        out = np.zeros((len(smiles), 2048), dtype=np.uint8)
        for i, s in enumerate(smiles):
            out[i] = generator.GetFingerprintAsNumPy(Chem.MolFromSmiles(s))

    seconds = {
        "parse_full_sanitization": best_of(lambda: [Chem.MolFromSmiles(s) for s in smiles]),
        "parse_drugml_fast": best_of(lambda: [parse_one(s, True) for s in smiles]),
        "morgan_bit_vector": best_of(lambda: [generator.GetFingerprint(m) for m in mols]),
        "morgan_as_numpy": best_of(lambda: [generator.GetFingerprintAsNumPy(m) for m in mols]),
        "morgan_as_numpy_into_matrix": best_of(into_matrix),
        "plain_loop": best_of(plain_loop),
        "drugml_ecfp_1_process": best_of(lambda: ECFP().transform(smiles)),
        "drugml_ecfp_2_processes": best_of(lambda: ECFP(n_jobs=2).transform(smiles), 2),
    }
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "molecules": len(smiles),
        "seconds": seconds,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ecfp_breakdown.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
