"""Choose each ADMET endpoint's featurizer and estimator on its training data only.

For every endpoint of :data:`drugml.models.admet.ENDPOINTS` and every candidate (the
endpoint's current choice, XGBoost on the default features, XGBoost and LightGBM on
MapLight's features: ``drugml.featurize.featurizer_preset("maplight")``), a
``PropertyModel`` is fitted on TDC's ``train_val`` rows. Its out-of-fold predictions on
scaffold-grouped folds of those rows (``cv_predictions_``) give TDC's metric for the choice;
TDC's ``test`` rows are scored too, but only reported, never used to choose. The choice, the
rule of PropertyModel's ``auto`` menu: a challenger replaces the current choice only if its
out-of-fold advantage minus twice its standard error (a paired bootstrap over the training
rows' scaffolds, 200 draws) is above zero; among several, the largest such margin.

    nice python benchmarks/admet_menu.py [--endpoints herg,dili] [--out benchmarks/results]
        [--cache DIR]   # each candidate's out-of-fold predictions, kept between runs

Writes ``admet_menu.json``: per endpoint, each candidate's out-of-fold and test score, fit
seconds, and the choice.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from drugml import data
from drugml.chem import standardize
from drugml.chem.scaffolds import scaffolds
from drugml.featurize import featurizer_preset
from drugml.models import PropertyModel
from drugml.models.admet import ENDPOINTS, Endpoint, tdc_score

#: candidate name -> (estimator or None for the endpoint's own, featurizer preset or None)
CANDIDATES = {
    "current": (None, None),
    "xgboost": ("xgboost", None),
    "xgboost+maplight": ("xgboost", "maplight"),
    "lightgbm+maplight": ("lightgbm", "maplight"),
}


def rows(endpoint: Endpoint, split: str) -> tuple[list[str], list[float]]:
    table = data.load(endpoint.dataset)
    table = table[table["tdc_split"] == split]
    std = standardize(table["smiles"].tolist(), progress=False)
    ok = std["ok"].to_numpy()
    return std.loc[ok, "smiles"].tolist(), table["y"].to_numpy()[ok].tolist()


def score_candidate(endpoint: Endpoint, estimator, featurizer, train, test, n_jobs) -> dict:
    params = {"task": endpoint.task, "n_jobs": n_jobs}
    params["target_transform"] = endpoint.target_transform
    if (estimator or endpoint.estimator) is not None:
        params["estimator"] = estimator or endpoint.estimator
    if (featurizer or endpoint.featurizer) is not None:
        params["featurizer"] = featurizer_preset(featurizer or endpoint.featurizer)
    start = time.perf_counter()
    model = PropertyModel(**params).fit(*train)
    seconds = time.perf_counter() - start
    oof = model.cv_predictions_
    value = "probability" if endpoint.task == "classification" else "prediction"
    predicted = model.predict(test[0])[value].to_numpy(dtype=float)
    return {
        "estimator": params.get("estimator", "default"),
        "featurizer": featurizer or endpoint.featurizer or "default",
        "out_of_fold": round(tdc_score(endpoint, oof["target"], oof["prediction"]), 4),
        "tdc_test": round(tdc_score(endpoint, test[1], predicted), 4),
        "fit_seconds": round(seconds, 1),
        "chosen_by_auto": (getattr(model, "selection_", None) or {}).get("chosen"),
        "oof_prediction": oof["prediction"].to_numpy(dtype=float).tolist(),
        "oof_target": oof["target"].to_numpy(dtype=float).tolist(),
    }


def bootstrap_gain(endpoint, y, current, challenger, groups, draws=200, seed=0) -> tuple:
    """Mean and standard error of the challenger's advantage in TDC's metric (positive:
    better), resampling whole scaffold groups of the training rows."""
    sign = 1 if endpoint.higher_is_better_metric else -1
    rng = np.random.default_rng(seed)
    _, index = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(index == g) for g in range(index.max() + 1)]
    gains = []
    for _ in range(draws):
        rows = np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))])
        if endpoint.task == "classification" and len(np.unique(y[rows])) < 2:
            continue
        a = tdc_score(endpoint, y[rows], current[rows])
        b = tdc_score(endpoint, y[rows], challenger[rows])
        gains.append(sign * (b - a) / (abs(a) if endpoint.tdc_metric == "MAE" else 1.0))
    return float(np.mean(gains)), float(np.std(gains, ddof=1))


def choose(endpoint: Endpoint, scores: dict, y, groups) -> str:
    """The current choice unless a challenger's advantage - 2 SE > 0 (the largest margin)."""
    current = np.asarray(scores["current"]["oof_prediction"])
    best, best_margin = "current", 0.0
    for name, record in scores.items():
        if name == "current" or "same_as" in record:
            continue
        gain, se = bootstrap_gain(
            endpoint, y, current, np.asarray(record["oof_prediction"]), groups
        )
        record["gain_vs_current"], record["gain_se"] = round(gain, 4), round(se, 4)
        if gain - 2 * se > best_margin:
            best, best_margin = name, gain - 2 * se
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/drugml-admet-menu"))
    args = parser.parse_args()
    out_file = args.out / "admet_menu.json"
    results = json.loads(out_file.read_text()) if out_file.is_file() else {"endpoints": {}}
    for name in args.endpoints.split(","):
        endpoint = ENDPOINTS[name]
        train, test = rows(endpoint, "train_val"), rows(endpoint, "test")
        scores, seen = {}, {}
        for candidate, (estimator, featurizer) in CANDIDATES.items():
            key = (estimator or endpoint.estimator, featurizer or endpoint.featurizer)
            if key in seen:  # the same choice as an earlier candidate: not fitted twice
                scores[candidate] = {**scores[seen[key]], "same_as": seen[key]}
                continue
            seen[key] = candidate
            cached = args.cache / f"{name}.{candidate}.json"
            if cached.is_file():
                scores[candidate] = json.loads(cached.read_text())
            else:
                scores[candidate] = score_candidate(
                    endpoint, estimator, featurizer, train, test, args.n_jobs
                )
                args.cache.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(scores[candidate]))
            shown = {k: v for k, v in scores[candidate].items() if not k.startswith("oof")}
            print(name, candidate, shown, flush=True)
        y = np.asarray(scores["current"]["oof_target"])
        # scaffold groups where the model kept every row (else each row its own group)
        groups = scaffolds(train[0]) if len(y) == len(train[0]) else list(range(len(y)))
        choice = choose(endpoint, scores, y, groups)
        for record in scores.values():
            record.pop("oof_prediction", None)
            record.pop("oof_target", None)
        results["endpoints"][name] = {
            "metric": endpoint.tdc_metric,
            "leaderboard_best": endpoint.leaderboard_best,
            "candidates": scores,
            "choice": choice,
        }
        results["rule"] = (
            "each candidate fitted on TDC's train_val rows; out_of_fold: TDC's metric on the "
            "scaffold-grouped out-of-fold predictions (the only figure the choice reads); a "
            "challenger replaces the current choice only if its out-of-fold advantage (as a "
            "fraction for MAE) minus twice its standard error (paired bootstrap over the "
            "training rows' scaffolds, 200 draws) is above zero; tdc_test: reported only"
        )
        results["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
        args.out.mkdir(parents=True, exist_ok=True)
        out_file.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
