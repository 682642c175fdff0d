"""Does the default (``estimator="auto"``) hold its own against every single model of its menu?

For each data set, one default :class:`~drugml.models.PropertyModel` is fitted
with a scaffold test set as its held-out fold (``fit(..., held_out=test)``):
the test molecules are predicted by a model that never saw them, and the
menu's choice is made on the other folds only. Because the default fits every
menu candidate on every fold, the same fit also gives each candidate's
held-out predictions (``cv_predictions_["prediction_<candidate>"]`` on the test
fold): XGBoost, the random forest, the Tanimoto kNN baseline and their mean,
all scored on the very same test molecules.

Reported per data set: the held-out score of the default (its chosen
candidate) and of every candidate, the best single candidate, the gap
between the default and it, a paired bootstrap standard error of that gap
(1,000 resamples of the test molecules), whether the default is at least as
good as the best single candidate minus noise (a gap within two standard
errors), and whether it is at least as good as the kNN baseline; and the fit
time.

Scores: RMSE for regression (lower is better), ROC-AUC for classification
(higher is better). Data sets: EGFR pIC50 and ESOL (drugml's scaffold
split, 20 %), and the TDC ADMET sets embedded in data/ on TDC's own test
partition (itself a scaffold split; clearance on a log10 scale).

    python benchmarks/model_selection.py [--sets egfr,esol,herg,...] [--out benchmarks/results]

Results are written after each data set (``model_selection.json``), so a
long run can be read while it goes on.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from drugml import data
from drugml.models import PropertyModel, split
from drugml.models.backends.auto_backend import ENSEMBLE, MENU

#: TDC sets embedded in data/ and their task, smallest first.
TDC_SETS = {
    "dili": "classification",
    "hia_hou": "classification",
    "herg": "classification",
    "caco2_wang": "regression",
    "clearance_microsome_az": "regression",
    "pgp_broccatelli": "classification",
    "bbb_martins": "classification",
    "ppbr_az": "regression",
    "ames": "classification",
    "cyp2c9_veith": "classification",
    "cyp3a4_veith": "classification",
    "cyp2d6_veith": "classification",
}


def load(name: str):
    """(SMILES, targets, test mask, task) of one data set."""
    if name == "egfr":
        from drugml.chem.curate import curate_bioactivities

        table, _ = curate_bioactivities(
            data.load("egfr_bioactivities_raw"),
            structures=data.load("egfr_compounds"),
            progress=False,
        )
        smiles, y = table["smiles"].tolist(), table["pIC50"].to_numpy()
        _, test = split.scaffold_split(smiles, test_size=0.2, seed=0)
        return smiles, y, test, "regression"
    if name == "esol":
        table = data.load("esol")
        smiles = table["smiles"].str.strip().tolist()
        _, test = split.scaffold_split(smiles, test_size=0.2, seed=0)
        return (
            smiles,
            table["measured log solubility in mols per litre"].to_numpy(),
            test,
            "regression",
        )
    table = data.load(name)
    y = table["y"].to_numpy(dtype=float)
    if name == "clearance_microsome_az":
        y = np.log10(y)
    test = np.flatnonzero(table["tdc_split"].to_numpy() == "test")
    return table["smiles"].tolist(), y, test, TDC_SETS[name]


def score(task: str, y: np.ndarray, prediction: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    if task == "regression":
        return float(np.sqrt(np.mean((prediction - y) ** 2)))
    return float(roc_auc_score(y, prediction))


def bootstrap_gap_se(
    task: str, y: np.ndarray, a: np.ndarray, b: np.ndarray, n: int = 1000, seed: int = 0
) -> float:
    """Standard error of score(a) - score(b) over paired resamples of the test molecules."""
    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(n):
        index = rng.integers(0, len(y), len(y))
        if task == "classification" and len(np.unique(y[index])) < 2:
            continue
        gaps.append(score(task, y[index], a[index]) - score(task, y[index], b[index]))
    return float(np.std(gaps))


def evaluate(name: str) -> dict:
    smiles, y, test, task = load(name)
    start = time.perf_counter()
    model = PropertyModel(task=task, n_jobs=2, target_transform=None).fit(smiles, y, held_out=test)
    seconds = time.perf_counter() - start
    cv = model.cv_predictions_
    held = cv[cv["fold"] == 0]
    targets = held["target"].to_numpy()
    candidates = [*MENU, ENSEMBLE]
    predictions = {c: held[f"prediction_{c}"].to_numpy() for c in candidates}
    scores = {c: score(task, targets, p) for c, p in predictions.items()}
    better = min if task == "regression" else max
    chosen = model.selection_["chosen"]
    best_single = better(MENU, key=lambda c: scores[c])
    sign = 1.0 if task == "regression" else -1.0  # positive gap: the default is worse
    gap = sign * (scores[chosen] - scores[best_single])
    noise = bootstrap_gap_se(task, targets, predictions[chosen], predictions[best_single])
    knn_gap = sign * (scores[chosen] - scores["knn"])
    return {
        "data_set": name,
        "task": task,
        "metric": "rmse" if task == "regression" else "roc_auc",
        "n_train": len(smiles) - len(test),
        "n_test": len(targets),
        "default_chose": chosen,
        "cv_scores": model.selection_["scores"],
        "held_out_scores": scores,
        "default_held_out": scores[chosen],
        "best_single": best_single,
        "gap_to_best_single": gap,
        "gap_noise_se": noise,
        "default_within_noise_of_best_single": bool(gap <= 2 * noise),
        "default_not_worse_than_knn": bool(knn_gap <= 0),
        "fit_seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(["esol", "egfr", *TDC_SETS]))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.sets.split(","):
        row = evaluate(name)
        rows.append(row)
        best = row["held_out_scores"][row["best_single"]]
        print(
            f"{name:24s} chose {row['default_chose']:14s} {row['metric']} "
            f"{row['default_held_out']:.3f}; best single {row['best_single']} {best:.3f} "
            f"(gap {row['gap_to_best_single']:+.3f} ± {row['gap_noise_se']:.3f}); knn "
            f"{row['held_out_scores']['knn']:.3f}; {row['fit_seconds']:.0f} s",
            flush=True,
        )
        payload = {
            "benchmark": "model_selection",
            "menu": [*MENU, ENSEMBLE],
            "machine": f"{platform.machine()}, Python {platform.python_version()}",
            "results": rows,
        }
        (out / "model_selection.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
