"""Model quality on held-out test sets and model speed, with PropertyModel's defaults.

Quality (test parts used once, here; defaults were chosen on validation parts
by benchmarks/featurizer_selection.py):
- EGFR pIC50 (curated raw ChEMBL dump), scaffold split 80/20: RMSE, R2,
  Spearman for XGBoost, random forest and the Tanimoto kNN baseline, and the
  empirical coverage of the 90 % conformal intervals; random split for contrast.
- EGFR active/inactive (pIC50 >= 6.3), scaffold split: ROC-AUC, PR-AUC, MCC.
- ESOL log solubility: random split (MoleculeNet protocol) and scaffold split.

Speed: XGBoost fit on the EGFR training set (ECFP4 bits alone, one thread, and
the full default model with its 5-fold calibration), and prediction throughput
against featurization alone. Quality models use two threads (``--n-jobs``).

    python benchmarks/models.py [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import drugml
from drugml import data
from drugml.chem.curate import curate_bioactivities
from drugml.featurize import ECFP
from drugml.models import PropertyModel, default_featurizer
from drugml.models.split import random_split, scaffold_split


def evaluate(model, smiles, y, train, test):
    start = time.perf_counter()
    model.fit([smiles[i] for i in train], y[train])
    fit_s = time.perf_counter() - start
    metrics = model.evaluate([smiles[i] for i in test], y[test])
    metrics["fit_seconds"] = fit_s
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items()}


def main() -> None:
    import xgboost

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = args.n_jobs
    egfr, _ = curate_bioactivities(
        data.load("egfr_bioactivities_raw"), structures=data.load("egfr_compounds")
    )
    smiles, y = egfr["smiles"].tolist(), egfr["pIC50"].to_numpy()
    labels = egfr["active"].astype(int).to_numpy()
    result: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "drugml": drugml.__version__,
        "egfr_compounds": len(smiles),
    }

    train, test = scaffold_split(smiles, test_size=0.2)
    quality = {}
    for estimator in ("xgboost", "random_forest", "knn"):
        quality[f"egfr_pic50_scaffold_{estimator}"] = evaluate(
            PropertyModel(estimator=estimator, n_jobs=jobs), smiles, y, train, test
        )
        print(estimator, quality[f"egfr_pic50_scaffold_{estimator}"], flush=True)
    r_train, r_test = random_split(smiles, test_size=0.2)
    quality["egfr_pic50_random_xgboost"] = evaluate(
        PropertyModel(n_jobs=jobs), smiles, y, r_train, r_test
    )
    quality["egfr_active_scaffold_xgboost"] = evaluate(
        PropertyModel(task="classification", n_jobs=jobs), smiles, labels, train, test
    )
    esol = data.load("esol")
    sol_smiles = esol["smiles"].str.strip().tolist()
    sol_y = esol["measured log solubility in mols per litre"].to_numpy()
    for name, split in (("random", random_split), ("scaffold", scaffold_split)):
        tr, te = split(sol_smiles, test_size=0.2)
        quality[f"esol_{name}_xgboost"] = evaluate(
            PropertyModel(n_jobs=jobs), sol_smiles, sol_y, tr, te
        )
        print(name, quality[f"esol_{name}_xgboost"], flush=True)
    result["quality"] = quality

    # Speed: fit on ~5k EGFR compounds with ECFP4 bits, and the default model.
    X = ECFP().transform(smiles)
    start = time.perf_counter()
    xgboost.XGBRegressor(
        n_estimators=600,
        learning_rate=0.05,
        max_depth=6,
        subsample=0.8,
        colsample_bytree=0.5,
        tree_method="hist",
        n_jobs=1,
    ).fit(X, y)
    ecfp_fit = time.perf_counter() - start
    model = PropertyModel()
    start = time.perf_counter()
    model.fit(smiles, y)
    full_fit = time.perf_counter() - start
    library = data.load("approved_drugs")["smiles"].tolist()
    start = time.perf_counter()
    default_featurizer().fit_transform(library)
    featurize_s = time.perf_counter() - start
    start = time.perf_counter()
    model.predict(library)
    predict_s = time.perf_counter() - start
    result["speed"] = {
        "xgboost_fit_ecfp4_seconds": round(ecfp_fit, 2),
        "default_model_fit_with_calibration_seconds": round(full_fit, 2),
        "molecules": len(smiles),
        "predict_library_molecules": len(library),
        "featurize_only_molecules_per_second": round(len(library) / featurize_s, 1),
        "predict_molecules_per_second": round(len(library) / predict_s, 1),
        "predict_time_over_featurize_time": round(predict_s / featurize_s, 2),
    }
    scaffold = quality["egfr_pic50_scaffold_xgboost"]
    result["targets"] = {
        "xgboost_beats_knn_on_scaffold_rmse": scaffold["rmse"]
        < quality["egfr_pic50_scaffold_knn"]["rmse"],
        "esol_random_rmse_<=_0.60": quality["esol_random_xgboost"]["rmse"] <= 0.60,
        "coverage_within_5_points_of_90": abs(scaffold["coverage"] - 0.9) <= 0.05,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "models.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["speed"], indent=2), json.dumps(result["targets"], indent=2))


if __name__ == "__main__":
    main()
