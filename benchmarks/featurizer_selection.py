"""Choose PropertyModel's defaults on validation data only (never on a test set).

For each data set the training part of a split (test part set aside and never
used here) is split again into fit and validation parts; every candidate
featurizer x XGBoost setting is fitted on the fit part and scored on the
validation part:

- EGFR pIC50 (curated from the raw ChEMBL dump): scaffold split.
- ESOL log solubility: random split (MoleculeNet's protocol) and scaffold split.

    python benchmarks/featurizer_selection.py [--out benchmarks/results]

Writes ``featurizer_selection.json``: the validation RMSE of every candidate, the
featurization cost of each, the best mean rank over the three tasks, and the
best among candidates that featurize in at most 1 ms a molecule (so that
screening large libraries stays affordable): that one becomes the default.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from drugml import data
from drugml.featurize import ECFP, RDKitDescriptors
from drugml.models import FAST_DESCRIPTORS
from drugml.models.split import random_split, scaffold_split

XGB_SETTINGS = {
    "xgb_600_d6": {
        "n_estimators": 600,
        "learning_rate": 0.05,
        "max_depth": 6,
        "subsample": 0.8,
        "colsample_bytree": 0.5,
    },
    "xgb_1000_d8": {
        "n_estimators": 1000,
        "learning_rate": 0.03,
        "max_depth": 8,
        "subsample": 0.8,
        "colsample_bytree": 0.3,
        "min_child_weight": 2,
    },
    "xgb_400_d4": {
        "n_estimators": 400,
        "learning_rate": 0.1,
        "max_depth": 4,
        "subsample": 0.9,
        "colsample_bytree": 0.7,
    },
}


def tasks():
    from drugml.chem.curate import curate_bioactivities

    egfr, _ = curate_bioactivities(
        data.load("egfr_bioactivities_raw"), structures=data.load("egfr_compounds")
    )
    esol = data.load("esol")
    esol_smiles = esol["smiles"].str.strip().tolist()
    esol_y = esol["measured log solubility in mols per litre"].to_numpy()
    egfr_smiles, egfr_y = egfr["smiles"].tolist(), egfr["pIC50"].to_numpy()
    yield "egfr_pic50_scaffold", egfr_smiles, egfr_y, scaffold_split
    yield "esol_random", esol_smiles, esol_y, random_split
    yield "esol_scaffold", esol_smiles, esol_y, scaffold_split


def main() -> None:
    import xgboost

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    cost_ms: dict[str, float] = {}  # featurization cost per molecule, one process
    combo_cost: dict[str, float] = {}
    for name, smiles, y, split in tasks():
        train, _test = split(smiles, test_size=0.2, seed=0)  # the test part is never touched
        inner = [smiles[i] for i in train]
        fit_idx, valid_idx = split(inner, test_size=0.15, seed=1)
        featurizers = {
            "ecfp_bits": ECFP(n_bits=2048),
            "ecfp_counts": ECFP(n_bits=2048, counts=True),
            "fast_desc": RDKitDescriptors(list(FAST_DESCRIPTORS)),
            "all_desc": RDKitDescriptors(),
        }
        blocks = {}
        for block, featurizer in featurizers.items():
            start = time.perf_counter()
            blocks[block] = featurizer.transform(inner).astype(np.float32)
            cost_ms[block] = 1000 * (time.perf_counter() - start) / len(inner)
        combos = {
            "ecfp_bits": ["ecfp_bits"],
            "ecfp_counts": ["ecfp_counts"],
            "all_desc": ["all_desc"],
            "ecfp_counts+fast_desc": ["ecfp_counts", "fast_desc"],
            "ecfp_counts+all_desc": ["ecfp_counts", "all_desc"],
        }
        target = y[train]
        for combo, parts in combos.items():
            combo_cost[combo] = sum(cost_ms[p] for p in parts)
            X = np.hstack([blocks[p] for p in parts])
            for setting, params in XGB_SETTINGS.items():
                start = time.perf_counter()
                model = xgboost.XGBRegressor(**params, tree_method="hist", n_jobs=2, random_state=0)
                model.fit(X[fit_idx], target[fit_idx])
                pred = model.predict(X[valid_idx])
                rmse = math.sqrt(float(np.mean((pred - target[valid_idx]) ** 2)))
                key = f"{combo} | {setting}"
                results.setdefault(key, {})[name] = rmse
                print(
                    f"{name:22s} {key:40s} RMSE {rmse:.3f} ({time.perf_counter() - start:.1f} s)",
                    flush=True,
                )
    task_names = sorted({t for r in results.values() for t in r})
    ranks = {key: 0.0 for key in results}
    for task in task_names:
        ordered = sorted(results, key=lambda k: results[k][task])
        for rank, key in enumerate(ordered, start=1):
            ranks[key] += rank / len(task_names)
    best = min(ranks, key=ranks.get)
    affordable = [k for k in ranks if combo_cost[k.split(" | ")[0]] <= 1.0]
    chosen = min(affordable, key=ranks.get)
    summary = {
        "benchmark": "validation RMSE of candidate defaults (test parts never used)",
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "validation_rmse": results,
        "featurization_ms_per_molecule": {k: round(v, 3) for k, v in combo_cost.items()},
        "mean_rank": dict(sorted(ranks.items(), key=lambda kv: kv[1])),
        "best_overall": best,
        "policy": "best mean rank among candidates featurizing in <= 1 ms per molecule",
        "chosen_default": chosen,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "featurizer_selection.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("best overall:", best, "| chosen default:", chosen)


if __name__ == "__main__":
    main()
