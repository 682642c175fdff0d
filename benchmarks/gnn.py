"""Quality and cost of the graph neural network (``PropertyModel(estimator="gnn")``, D-MPNN).

ESOL log solubility on the same random and scaffold 80/20 splits as
benchmarks/models.py, with the GNN's defaults (50 epochs), next to XGBoost
with its defaults in the same run. ``--egfr`` adds the EGFR pIC50 scaffold
split (about 25 min on two cores: five calibration fits plus the final one).
Needs the deep extra.

    python benchmarks/gnn.py [--out benchmarks/results] [--egfr]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import drugml
from drugml import data
from drugml.models import PropertyModel
from drugml.models.split import random_split, scaffold_split


def evaluate(model, smiles, y, train, test):
    start = time.perf_counter()
    model.fit([smiles[i] for i in train], y[train])
    fit_s = time.perf_counter() - start
    metrics = model.evaluate([smiles[i] for i in test], y[test])
    metrics["fit_seconds_with_calibration"] = fit_s
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--egfr", action="store_true")
    args = parser.parse_args()
    import torch

    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "drugml": drugml.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }
    quality = {}
    esol = data.load("esol")
    smiles = esol["smiles"].str.strip().tolist()
    y = esol["measured log solubility in mols per litre"].to_numpy()
    for name, split in (("random", random_split), ("scaffold", scaffold_split)):
        train, test = split(smiles, test_size=0.2)
        for estimator in ("gnn", "xgboost"):
            key = f"esol_{name}_{estimator}"
            quality[key] = evaluate(
                PropertyModel(estimator=estimator, n_jobs=-1), smiles, y, train, test
            )
            print(key, quality[key], flush=True)
    if args.egfr:
        from drugml.chem.curate import curate_bioactivities

        egfr, _ = curate_bioactivities(
            data.load("egfr_bioactivities_raw"), structures=data.load("egfr_compounds")
        )
        e_smiles, e_y = egfr["smiles"].tolist(), egfr["pIC50"].to_numpy()
        train, test = scaffold_split(e_smiles, test_size=0.2)
        quality["egfr_pic50_scaffold_gnn"] = evaluate(
            PropertyModel(estimator="gnn", n_jobs=-1), e_smiles, e_y, train, test
        )
        print(quality["egfr_pic50_scaffold_gnn"], flush=True)
    result["quality"] = quality
    result["targets"] = {
        "esol_random_rmse_<=_0.60_gnn": quality["esol_random_gnn"]["rmse"] <= 0.60,
        "esol_random_rmse_<=_0.60_xgboost": quality["esol_random_xgboost"]["rmse"] <= 0.60,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gnn.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["targets"], indent=2))


if __name__ == "__main__":
    main()
