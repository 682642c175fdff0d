"""When does the target's structure help the ranking? Every structure-based scorer of
:mod:`drugml.structure.scoring`, with its baselines, on EGFR actives against inactives
matched in physical properties.

The set: ``--n-actives`` EGFR actives (pIC50 >= 8) drawn at random and as many inactives
(pIC50 <= 5), each inactive the unused one nearest its active in heavy atoms, Crippen logP,
H-bond donors, acceptors and formal charge (DUD-E's idea: decoys that differ in activity,
not in size or polarity). Every other EGFR compound whose Murcko scaffold is not in the set
is the training pool of the ligand-based model.

Three parts, written into ``benchmarks/results/structure_scoring.json``:

``dock``
    The set docked into 1M17 with the default run's protocol (bridging water kept, the
    best-scored pose making the hinge H-bond chosen) at ``--exhaustiveness``; every pose
    kept in ``--folder`` (resumable), so the rescoring part reads them back.
``score``
    ROC-AUC, EF1 % and BEDROC (alpha 20) of every scorer and consensus beside heavy-atom
    count and 2D similarity to the reference ligand: (a) on the whole set, (b) with the
    model trained on 10, 30 and 100 compounds (``--draws`` random draws each) and on all,
    (c) on the actives least like the reference (ECFP4 Tanimoto < 0.3) against all the
    inactives.

    python benchmarks/structure_scoring.py --part dock --n-jobs 2
    python benchmarks/structure_scoring.py --part score
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from drugml.structure.scoring import EVIDENCE_FILE, evidence_from_results

REFERENCE = ("egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC")
MATCHED_PROPERTIES = {
    # property: the difference that counts as one unit in the matching distance
    "heavy_atoms": 2.0,
    "logp": 0.5,
    "hbd": 1.0,
    "hba": 1.0,
    "charge": 0.5,
}
RESULTS = Path(__file__).parent / "results"


def properties(smiles: list[str]):
    """Heavy atoms, Crippen logP, donors, acceptors and formal charge of each molecule."""
    import pandas as pd
    from rdkit import Chem
    from rdkit.Chem import Crippen, rdMolDescriptors

    mols = [Chem.MolFromSmiles(s) for s in smiles]
    return pd.DataFrame(
        {
            "heavy_atoms": [m.GetNumHeavyAtoms() for m in mols],
            "logp": [Crippen.MolLogP(m) for m in mols],
            "hbd": [rdMolDescriptors.CalcNumHBD(m) for m in mols],
            "hba": [rdMolDescriptors.CalcNumHBA(m) for m in mols],
            "charge": [Chem.GetFormalCharge(m) for m in mols],
        }
    )


def benchmark_set(n_actives: int, seed: int):
    """(set, training pool): actives and property-matched inactives; the pool holds every
    other compound whose Murcko scaffold is not in the set."""
    import pandas as pd

    from drugml import data
    from drugml.chem.scaffolds import scaffolds

    table = data.load("egfr_compounds")[["molecule_chembl_id", "smiles", "pIC50"]].dropna()
    table = table.drop_duplicates("smiles").reset_index(drop=True)
    table = pd.concat([table, properties(list(table["smiles"]))], axis=1)
    rng = np.random.default_rng(seed)
    actives = table[table["pIC50"] >= 8.0]
    actives = actives.iloc[rng.permutation(len(actives))[:n_actives]]
    pool = table[table["pIC50"] <= 5.0]
    scale = np.array(list(MATCHED_PROPERTIES.values()))
    candidates = pool[list(MATCHED_PROPERTIES)].to_numpy(dtype=float) / scale
    free = np.ones(len(pool), dtype=bool)
    chosen = []
    for values in actives[list(MATCHED_PROPERTIES)].to_numpy(dtype=float) / scale:
        distance = np.abs(candidates - values).sum(axis=1)
        distance[~free] = np.inf
        best = int(np.argmin(distance))
        free[best] = False
        chosen.append(pool.index[best])
    inactives = table.loc[chosen]
    bench = pd.concat(
        [actives.assign(active=True), inactives.assign(active=False)], ignore_index=True
    )
    held = set(scaffolds(list(bench["smiles"])))
    rest = table[~table["smiles"].isin(bench["smiles"])]
    rest = rest[[s not in held for s in scaffolds(list(rest["smiles"]))]]
    return bench, rest.reset_index(drop=True)


def set_summary(bench) -> dict:
    """Mean and spread of each matched property, actives beside inactives."""
    out = {"actives": int(bench["active"].sum()), "inactives": int((~bench["active"]).sum())}
    for name in MATCHED_PROPERTIES:
        for label, part in (("actives", bench[bench.active]), ("inactives", bench[~bench.active])):
            out[f"{name}_{label}"] = {
                "mean": round(float(part[name].mean()), 2),
                "sd": round(float(part[name].std()), 2),
            }
    return out


def run_docking(bench, folder: str, exhaustiveness: int, n_jobs: int, seed: int) -> dict:
    """Dock the set with the default run's protocol; every pose kept in ``folder``."""
    from drugml.structure.dock import (
        DockingSettings,
        KeyInteraction,
        box_from_ligand,
        bridging_waters,
        dock_many,
        prepare_receptor,
    )

    structure, ligand, _ = REFERENCE
    receptor = prepare_receptor(structure, keep_waters=bridging_waters(structure, ligand))
    box = box_from_ligand(structure, ligand)
    settings = DockingSettings(
        exhaustiveness=exhaustiveness,
        seed=seed,
        key_interaction=KeyInteraction("MET769"),
        check_poses=False,
        time_limit=180.0,
    )
    started = time.perf_counter()
    docked = dock_many(bench, receptor, box, folder, settings, n_jobs=n_jobs, progress=True)
    seconds = time.perf_counter() - started
    docked.to_csv(Path(folder) / "docked.csv", index=False)
    return {
        "protocol": {"receptor": "1M17 chain A + bridging water HOH 10", **settings.as_dict()},
        "folder": folder,
        "docked": int((docked["docking_status"] == "docked").sum()),
        "not_docked": docked.loc[docked["docking_status"] != "docked", "docking_status"]
        .value_counts()
        .to_dict(),
        "seconds_this_run": round(seconds, 1),
    }


#: The consensus scorers, declared before any result was seen (equal weights): structure
#: evidence alone, and structure evidence beside the ligand-based model.
CONSENSUS = {
    "consensus_structure": ["pharmacophore_similarity", "interaction_similarity"],
    "consensus_structure_model": ["model", "pharmacophore_similarity", "interaction_similarity"],
    "consensus_3d_model": ["model", "shape_pharmacophore_similarity"],
    "consensus_all": [
        "model",
        "similarity_2d",
        "shape_pharmacophore_similarity",
        "interaction_similarity",
    ],
}
#: Scorers that read only the set's evidence (not the model), scored once.
STRUCTURE_SCORERS = [
    "docking_score",
    "ligand_efficiency",
    "size_corrected_score",
    "key_interaction",
    "interaction_similarity",
    "interaction_similarity_best_pose",
    "shape_similarity",
    "pharmacophore_similarity",
    "shape_pharmacophore_similarity",
    "heavy_atoms",
    "similarity_2d",
]


def evidence(bench, folder: str, n_jobs: int, seed: int) -> tuple:
    """The set with every scorer's columns: docking read back from ``folder`` and its poses
    rescored by interaction similarity to the crystal ligand, and the 3D overlay on
    erlotinib's crystal pose. Returns (table, seconds per part)."""
    import pandas as pd

    from drugml.structure import ReferenceLigand, load_structure, shape_similarity
    from drugml.structure.dock import reference_interactions, rescore_poses

    structure_name, ligand, smiles = REFERENCE
    seconds = {}
    docked = pd.read_csv(Path(folder) / "docked.csv")
    table = bench.merge(
        docked.drop(columns=[c for c in docked.columns if c in bench and c != "smiles"]),
        on="smiles",
        how="left",
    )
    started = time.perf_counter()
    structure = load_structure(structure_name)
    crystal = structure.ligand_mol(ligand, smiles)
    receptor_pdb = Path(folder) / "receptor" / "receptor.pdb"
    reference = reference_interactions(receptor_pdb, crystal, source="AQ4 in 1M17")
    chosen, best = [], []
    for pose_file, rank in zip(table["docking_pose_file"], table["docking_pose_rank"], strict=True):
        if not isinstance(pose_file, str) or not pose_file:
            chosen.append(np.nan)
            best.append(np.nan)
            continue
        # each pose's ProLIF interactions were stored when it was docked: no ProLIF again
        poses = rescore_poses(Path(folder) / pose_file, None, reference)
        chosen.append(float(poses["interaction_similarity"].iloc[int(rank) - 1]))
        best.append(float(poses["interaction_similarity"].max()))
    table["docking_interaction_similarity"] = chosen
    table["docking_best_interaction_similarity"] = best
    table["docking_size_corrected_score"] = -table["docking_score"] / table["heavy_atoms"] ** 0.3
    seconds["interaction_rescoring"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    shape = shape_similarity(
        list(table["smiles"]),
        [ReferenceLigand.from_structure(structure, ligand, smiles)],
        n_jobs=n_jobs,
    )
    seconds["shape_similarity"] = round(time.perf_counter() - started, 1)
    table = pd.concat([table, shape.set_index(table.index)], axis=1)
    return table, seconds


def model_predictions(bench, pool, sizes: list[int], draws: int, seed: int, n_jobs: int) -> dict:
    """pIC50 predictions of the set by models trained on ``size`` compounds of the pool
    (``draws`` random draws each; ``0``: the whole pool, once)."""
    from drugml.models import PropertyModel

    out = {}
    for size in sizes:
        runs = []
        for draw in range(1 if size == 0 else draws):
            rng = np.random.default_rng(seed + 1000 * draw + size)
            train = pool if size == 0 else pool.iloc[rng.choice(len(pool), size, replace=False)]
            model = PropertyModel(
                estimator="xgboost" if size == 0 else "random_forest",
                calibration_folds=3 if size == 0 else 2,
                n_jobs=n_jobs,
                random_state=seed + draw,
            )
            model.fit(list(train["smiles"]), train["pIC50"].to_numpy())
            runs.append(model.predict(list(bench["smiles"]))["prediction"].to_numpy())
        out["all" if size == 0 else str(size)] = runs
    return out


def metrics(labels, scores) -> dict:
    """ROC-AUC, EF1 % and BEDROC(20) of one score (NaN scores rank last)."""
    from sklearn.metrics import roc_auc_score

    from drugml.models.metrics import bedroc, enrichment_factor

    values = np.asarray(scores, dtype=float)
    values = np.where(np.isnan(values), np.nanmin(values) - 1.0, values)
    y = np.asarray(labels, dtype=bool)
    return {
        "roc_auc": round(float(roc_auc_score(y, values)), 3),
        "ef_1pct": round(float(enrichment_factor(values, y, 0.01)), 2),
        "bedroc_20": round(float(bedroc(values, y, 20.0)), 3),
    }


def member(name: str) -> tuple[str, dict]:
    """A scorer of the benchmark by its name here: registry name and parameters."""
    if name == "similarity_2d":
        return name, {"references": [REFERENCE[2]]}
    if name == "interaction_similarity_best_pose":
        return "interaction_similarity", {"pose": "best"}
    return name, {}


def scored(table, predictions) -> dict:
    """Every scorer and consensus on ``table`` with the model's ``predictions``."""
    from drugml.structure.scoring import make_scorer, score_table

    table = table.assign(potency_prediction=predictions)
    names = [*STRUCTURE_SCORERS, "model"]
    scores = score_table(table, [member(n) for n in names])
    scores.columns = names
    for name, members in CONSENSUS.items():
        members = [member(m) for m in members]
        scores[name] = make_scorer("rank_average", members=members).score(table)
    return scores


def summarise(labels, runs: list) -> dict:
    """Mean and spread over draws of each score's metrics."""
    out = {}
    for name in runs[0].columns:
        per_run = [metrics(labels, run[name]) for run in runs]
        out[name] = {key: round(float(np.mean([r[key] for r in per_run])), 3) for key in per_run[0]}
        if len(runs) > 1:
            out[name]["roc_auc_sd"] = round(float(np.std([r["roc_auc"] for r in per_run])), 3)
    return out


def run_scoring(bench, pool, args) -> dict:
    """Parts (a), (b) and (c) of the benchmark, and the targets met or missed."""
    from drugml.structure.scoring import make_scorer

    table, seconds = evidence(bench, args.folder, args.n_jobs, args.seed)
    started = time.perf_counter()
    predictions = model_predictions(
        bench, pool, [10, 30, 100, 0], args.draws, args.seed, args.n_jobs
    )
    seconds["models"] = round(time.perf_counter() - started, 1)
    labels = table["active"].to_numpy(dtype=bool)
    sim = table["similarity_2d"] = make_scorer("similarity_2d", references=[REFERENCE[2]]).score(
        table
    )
    unlike = (~table["active"]) | (sim < 0.3)
    regimes, dissimilar = {}, {}
    for regime, runs in predictions.items():
        frames = [scored(table, p) for p in runs]
        regimes[regime] = summarise(labels, frames)
        dissimilar[regime] = summarise(labels[unlike], [f[unlike.to_numpy()] for f in frames])
    stack_members = ["model", "similarity_2d", "pharmacophore_similarity", "shape_similarity",
                     "interaction_similarity", "docking_score", "heavy_atoms"]  # fmt: skip
    params = {"similarity_2d": {"references": [REFERENCE[2]]}}
    stack = make_scorer("scaffold_stack", members=[(m, params.get(m, {})) for m in stack_members])
    full = table.assign(potency_prediction=predictions["all"][0])
    stacked = stack.out_of_fold(full, labels)
    return {
        "evidence_seconds": seconds,
        "a_all_data": regimes["all"],
        "b_low_data": {k: v for k, v in regimes.items() if k != "all"},
        "c_unlike_reference": {
            "actives": int((table["active"] & (sim < 0.3)).sum()),
            "rule": "actives with ECFP4 Tanimoto < 0.3 to erlotinib, against every inactive",
            **dissimilar,
        },
        "scaffold_stack_all_data": {
            "members": stack_members,
            **metrics(labels, stacked),
            "note": "logistic regression on the members, each molecule scored by a model "
            "fitted on the other Murcko-scaffold folds of this set",
        },
        "targets": targets(regimes, metrics(labels, stacked)["roc_auc"]),
    }


def targets(regimes: dict, stack_all_data: float) -> dict:
    """The issue's three targets, each met or missed with its numbers (with all data, the
    scaffold-fold stack is a candidate consensus beside the rank averages)."""
    structure_aware = list(CONSENSUS)  # every declared consensus has structure evidence
    low = regimes["30"]
    best_low = max(structure_aware, key=lambda n: low[n]["roc_auc"])
    margin_low = low[best_low]["roc_auc"] - max(
        low["model"]["roc_auc"], low["similarity_2d"]["roc_auc"]
    )
    full = {**regimes["all"], "scaffold_stack": {"roc_auc": stack_all_data}}
    best_full = max([*structure_aware, "scaffold_stack"], key=lambda n: full[n]["roc_auc"])
    best_3d = max(
        ["shape_similarity", "pharmacophore_similarity", "shape_pharmacophore_similarity",
         "interaction_similarity"],
        key=lambda n: full[n]["roc_auc"],
    )  # fmt: skip
    margin_3d = full[best_3d]["roc_auc"] - full["heavy_atoms"]["roc_auc"]
    return {
        "low_data_30_consensus_beats_model_and_2d_by_0.05": {
            "best_consensus": best_low,
            "margin": round(margin_low, 3),
            "met": bool(margin_low >= 0.05),
        },
        "all_data_consensus_within_0.01_of_model": {
            "best_consensus": best_full,
            "difference": round(full[best_full]["roc_auc"] - full["model"]["roc_auc"], 3),
            "met": bool(full[best_full]["roc_auc"] >= full["model"]["roc_auc"] - 0.01),
        },
        "3d_or_interactions_beat_heavy_atoms_by_0.15": {
            "best": best_3d,
            "margin": round(margin_3d, 3),
            "met": bool(margin_3d >= 0.15),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", action="append", choices=["dock", "score"])
    parser.add_argument("--n-actives", type=int, default=110)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--exhaustiveness", type=int, default=2)
    parser.add_argument("--folder", default="/tmp/drugml-structure-scoring")
    parser.add_argument("--out", default=str(RESULTS / "structure_scoring.json"))
    args = parser.parse_args()
    parts = args.part or ["dock", "score"]
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.is_file() else {}
    bench, pool = benchmark_set(args.n_actives, args.seed)
    results["set"] = set_summary(bench) | {"training_pool": len(pool)}
    if "dock" in parts:
        results["docking"] = run_docking(
            bench, args.folder, args.exhaustiveness, args.n_jobs, args.seed
        )
    if "score" in parts:
        started = time.perf_counter()
        results["scoring"] = run_scoring(bench, pool, args)
        results["scoring"]["seconds"] = round(time.perf_counter() - started, 1)
        results["scoring"]["command"] = "python benchmarks/structure_scoring.py --part score"
        print(json.dumps(results["scoring"]["targets"], indent=1))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    if "score" in parts and out == RESULTS / "structure_scoring.json":
        # the summary drugml ships (its reports and notebook 08 draw it)
        EVIDENCE_FILE.write_text(json.dumps(evidence_from_results(results), indent=1) + "\n")


if __name__ == "__main__":
    main()
