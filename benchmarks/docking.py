"""Docking validation: can AutoDock Vina, as drugml runs it, find the crystal pose, and does
its score separate EGFR actives from inactives?

Three parts, each written into ``benchmarks/results/docking.json``:

``redock``
    Each embedded EGFR complex with a ligand (1M17, 3POZ, 5HG8, 5UG8, 5UG9,
    5UGC), its own ligand docked back from SMILES (protonated at pH 7.4,
    embedded by ETKDG: nothing of the crystal pose is used), on ``--seeds``.
    Symmetry-aware heavy-atom RMSD of the top pose and the best of the top
    three to the crystal pose; success is RMSD <= 2 Å. Two protocols, side by
    side:

    - ``plain``: Vina at its defaults (exhaustiveness 8, all waters
      removed, the best-scored pose first);
    - ``drugml``: the documented protocol of :mod:`drugml.dock` (waters
      bridging the reference ligand and the protein kept, the best-scored
      pose that makes the hinge hydrogen bond chosen).

``crossdock``
    A ligand of one complex docked into another EGFR structure (the
    reference pose superposed into the receptor's frame on C-alpha atoms).

``enrichment``
    ``--n-actives`` EGFR actives (pIC50 >= 8) and as many inactives
    (pIC50 <= 5), each inactive matched to an active in heavy-atom count,
    docked into 1M17 with the protocol of the default run: ROC-AUC and
    enrichment of the docking score beside the heavy-atom-count baseline,
    an XGBoost pIC50 model trained on every other EGFR compound (scaffold
    disjoint: molecules sharing a Murcko scaffold with the set are left
    out of training) and a rank-average consensus.

    python benchmarks/docking.py --part redock --part crossdock --n-jobs 2
    python benchmarks/docking.py --part enrichment --n-jobs 2
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

COMPLEXES = [
    # structure, ligand, SMILES (bond orders), hinge residue in the file's numbering
    ("egfr_1m17", "AQ4", "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC", "MET769"),
    (
        "egfr_3poz",
        "03P",
        "CC(C)(O)CC(=O)NCCn1ccc2ncnc(Nc3ccc(Oc4cccc(c4)C(F)(F)F)c(Cl)c3)c12",
        "MET793",
    ),
    ("egfr_5hg8", "634", "CCC(=O)Nc1cccc(c1)Oc2c3cc[nH]c3nc(n2)Nc4cnn(c4)C", "MET793"),
    (
        "egfr_5ug8",
        "8BP",
        "CCC(=O)N[C@@H]1CN(C[C@H]1F)c2nc(c3c(n2)n(cn3)C(C)C)Nc4cnn(c4)C",
        "MET793",
    ),
    (
        "egfr_5ug9",
        "8AM",
        "CCC(=O)N[C@@H]1CN(C[C@H]1F)c2nc(c3c(n2)n(cn3)C(C)C)Nc4cn(nc4OC)C",
        "MET793",
    ),
    ("egfr_5ugc", "8BS", "CCC(=O)N[C@@H]1CN(C[C@H]1F)c2nc(c3c(n2)n(cn3)C)Nc4cn(nc4OC)C", "MET793"),
]
CROSS = [
    ("egfr_1m17", "egfr_5ug9"),
    ("egfr_5ug9", "egfr_1m17"),
    ("egfr_3poz", "egfr_1m17"),
    ("egfr_5hg8", "egfr_5ug9"),
    ("egfr_5ug8", "egfr_5ugc"),
    ("egfr_5ugc", "egfr_5ug8"),
]


def reference_pose(structure, ligand: str, smiles: str):
    """The crystal ligand with bond orders. Files rewritten by MDAnalysis spell chlorine's
    element as carbon: the template is matched with Cl read as C, then the atom (the one
    1.7 Å from its neighbour) is made chlorine again."""
    from rdkit import Chem

    from drugml.structure import StructureError

    try:
        return structure.ligand_mol(ligand, smiles)
    except StructureError:
        if "Cl" not in smiles:
            raise
    mol = Chem.RWMol(structure.ligand_mol(ligand, smiles.replace("Cl", "C")))
    conf = mol.GetConformer()
    for atom in mol.GetAtoms():
        if atom.GetSymbol() == "C" and atom.GetDegree() == 1:
            other = atom.GetNeighbors()[0].GetIdx()
            distance = (conf.GetAtomPosition(atom.GetIdx()) - conf.GetAtomPosition(other)).Length()
            if distance > 1.65:
                atom.SetAtomicNum(17)
    out = mol.GetMol()
    Chem.SanitizeMol(out)
    return out


def _job(
    kind: str,
    receptor_name: str,
    ligand_source: str,
    seed: int,
    keep_water: bool,
    exhaustiveness: int,
) -> dict:
    warnings.filterwarnings("ignore")
    from drugml.dock import (
        DockingSettings,
        KeyInteraction,
        box_from_ligand,
        bridging_waters,
        dock,
        pose_rmsd,
        prepare_receptor,
    )
    from drugml.structure import load_structure, superpose

    info = {c[0]: c for c in COMPLEXES}
    name, ligand, _, hinge = info[receptor_name]
    src_name, src_ligand, src_smiles, _ = info[ligand_source]
    structure = load_structure(name)
    waters = bridging_waters(structure, ligand) if keep_water else []
    receptor = prepare_receptor(structure, keep_waters=waters)
    box = box_from_ligand(structure, ligand)
    source = load_structure(src_name)
    if src_name != name:
        superpose([structure, source])
    reference = reference_pose(source, src_ligand, src_smiles)
    settings = DockingSettings(
        exhaustiveness=exhaustiveness,
        seed=seed,
        key_interaction=KeyInteraction(hinge),
        check_poses=False,
    )
    work = Path("/tmp/drugml-docking-benchmark") / f"{name}-{int(keep_water)}"
    result = dock(src_smiles, receptor, box, settings, work_dir=work)
    rmsd = [round(pose_rmsd(p, reference), 2) for p in result.poses]
    by_score = 0
    by_key = result.key_interaction.index(True) if any(result.key_interaction) else 0
    return {
        "kind": kind,
        "receptor": name,
        "keep_water": keep_water,
        "ligand": f"{src_name}:{src_ligand}",
        "seed": seed,
        "waters_kept": waters,
        "status": result.status,
        "scores": result.scores,
        "rmsd": rmsd,
        "hinge_hbond": result.key_interaction,
        "top_rmsd_by_score": rmsd[by_score] if rmsd else None,
        "best_of_top3_by_score": min(rmsd[:3]) if rmsd else None,
        "top_rmsd_by_hinge": rmsd[by_key] if rmsd else None,
        "seconds": round(result.seconds, 1),
    }


def run_pose_jobs(parts: list[str], seeds: list[int], n_jobs: int, exhaustiveness: int) -> dict:
    jobs = []
    for seed in seeds:
        if "redock" in parts:
            for name, *_ in COMPLEXES:
                jobs.append(("redock", name, name, seed, True, exhaustiveness))
                if name in ("egfr_1m17", "egfr_3poz"):  # the only files with waters
                    jobs.append(("redock", name, name, seed, False, exhaustiveness))
    if "crossdock" in parts:
        for source, target in CROSS:
            jobs.append(("crossdock", target, source, seeds[0], True, exhaustiveness))
            if target == "egfr_1m17":
                jobs.append(("crossdock", target, source, seeds[0], False, exhaustiveness))
    with ProcessPoolExecutor(n_jobs) as pool:
        rows = list(pool.map(_job, *zip(*jobs, strict=True)))
    return {"rows": rows, "summary": summarise(rows)}


def summarise(rows: list[dict]) -> dict:
    """Success rates (RMSD <= 2 Å) per part and protocol, over every run and over the runs
    whose crystal ligand is not covalently bound (Vina docks without the bond)."""
    out = {}
    for kind in ("redock", "crossdock"):
        subset = [r for r in rows if r["kind"] == kind]
        if not subset:
            continue
        without = {(r["receptor"], r["ligand"], r["seed"]) for r in subset if not r["keep_water"]}
        # plain Vina: no waters, best score first; where a file has no waters, the one run
        protocol = [r for r in subset if r["keep_water"]]
        plain = [r for r in subset if not r["keep_water"] or
                 (r["receptor"], r["ligand"], r["seed"]) not in without]  # fmt: skip

        def rate(items, key):
            ok = [r[key] is not None and r[key] <= 2.0 for r in items]
            return {"success": int(sum(ok)), "of": len(ok)}

        summary = {"failed_runs": [f"{r['receptor']}/{r['ligand']}: {r['status']}"
                                   for r in subset if r["status"] != "docked"]}  # fmt: skip
        for label, pick in (("", lambda r: True), ("non_covalent_", lambda r: not r["covalent"])):
            plain_rows = [r for r in plain if pick(r)]
            protocol_rows = [r for r in protocol if pick(r)]
            summary.update({
                f"{label}plain_vina_top_pose": rate(plain_rows, "top_rmsd_by_score"),
                f"{label}plain_vina_best_of_top3": rate(plain_rows, "best_of_top3_by_score"),
                f"{label}drugml_protocol_top_pose": rate(protocol_rows, "top_rmsd_by_hinge"),
                f"{label}drugml_protocol_best_of_top3": rate(protocol_rows,
                                                             "best_of_top3_by_score"),
                f"{label}waters_only_top_pose": rate(protocol_rows, "top_rmsd_by_score"),
            })  # fmt: skip
        out[kind] = summary
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", action="append", choices=["redock", "crossdock", "enrichment"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--exhaustiveness", type=int, default=8)
    parser.add_argument("--n-actives", type=int, default=50)
    parser.add_argument("--enrichment-exhaustiveness", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/results/docking.json")
    args = parser.parse_args()
    parts = args.part or ["redock", "crossdock", "enrichment"]
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.is_file() else {}
    started = time.perf_counter()
    if {"redock", "crossdock"} & set(parts):
        poses = run_pose_jobs(parts, args.seeds, args.n_jobs, args.exhaustiveness)
        results["poses"] = {
            "exhaustiveness": args.exhaustiveness,
            "seeds": args.seeds,
            **poses,
            "command": "python benchmarks/docking.py --part redock --part "
            f"crossdock --n-jobs {args.n_jobs}",
        }
        print(json.dumps(poses["summary"], indent=1))
    if "enrichment" in parts:
        results["enrichment"] = run_enrichment(
            args.n_actives,
            args.n_jobs,
            args.seeds[0],
            args.enrichment_exhaustiveness,
            folder=f"/tmp/drugml-docking-enrichment-{args.enrichment_exhaustiveness}",
        )
        print(json.dumps(results["enrichment"]["summary"], indent=1))
    results["seconds_last_run"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")


def enrichment_set(n_actives: int, seed: int):
    """(set, training): ``n_actives`` actives (pIC50 >= 8) and as many inactives (pIC50 <= 5),
    each inactive the unused one closest in heavy-atom count to its active; training holds
    every other compound whose Murcko scaffold is not in the set."""
    import pandas as pd
    from rdkit import Chem

    from drugml import data
    from drugml.scaffolds import scaffolds

    table = data.load("egfr_compounds")[["molecule_chembl_id", "smiles", "pIC50"]].dropna()
    table = table.drop_duplicates("smiles").reset_index(drop=True)
    table["heavy_atoms"] = [Chem.MolFromSmiles(s).GetNumHeavyAtoms() for s in table["smiles"]]
    rng = np.random.default_rng(seed)
    actives = table[table["pIC50"] >= 8.0]
    actives = actives.iloc[rng.permutation(len(actives))[:n_actives]]
    pool = table[table["pIC50"] <= 5.0].copy()
    chosen = []
    for heavy in actives["heavy_atoms"]:
        gap = (pool["heavy_atoms"] - heavy).abs()
        best = gap.idxmin()
        chosen.append(best)
        pool = pool.drop(best)
    inactives = table.loc[chosen]
    bench = pd.concat(
        [actives.assign(active=True), inactives.assign(active=False)], ignore_index=True
    )
    held = set(scaffolds(list(bench["smiles"])))
    rest = table[~table["smiles"].isin(bench["smiles"])]
    rest = rest[[s not in held for s in scaffolds(list(rest["smiles"]))]]
    return bench, rest


def run_enrichment(
    n_actives: int,
    n_jobs: int,
    seed: int,
    exhaustiveness: int = 2,
    folder: str = "/tmp/drugml-docking-enrichment",
) -> dict:
    """Dock the set into 1M17 with the default run's protocol (at a screening
    exhaustiveness: 100 molecules take about 40 s each at 4); compare with baselines."""
    from sklearn.metrics import roc_auc_score

    from drugml.dock import (
        DockingSettings,
        KeyInteraction,
        box_from_ligand,
        bridging_waters,
        dock_many,
        prepare_receptor,
    )
    from drugml.metrics import bedroc, enrichment_factor
    from drugml.models import PropertyModel

    bench, training = enrichment_set(n_actives, seed)
    model = PropertyModel(
        estimator="xgboost", calibration_folds=3, n_jobs=n_jobs, random_state=seed
    )
    model.fit(list(training["smiles"]), training["pIC50"].to_numpy())
    bench["ml_prediction"] = model.predict(list(bench["smiles"]))["prediction"].to_numpy()
    receptor = prepare_receptor("egfr_1m17", keep_waters=bridging_waters("egfr_1m17", "AQ4"))
    box = box_from_ligand("egfr_1m17", "AQ4")
    settings = DockingSettings(
        exhaustiveness=exhaustiveness,
        seed=seed,
        key_interaction=KeyInteraction("MET769"),
        check_poses=False,
    )
    started = time.perf_counter()
    docked = dock_many(bench, receptor, box, folder, settings, n_jobs=n_jobs, progress=True)
    seconds = time.perf_counter() - started
    ok = docked["docking_status"] == "docked"
    y = docked.loc[ok, "active"].to_numpy()
    scores = {
        "docking_score": -docked.loc[ok, "docking_score"].to_numpy(),
        "docking_best_score": -docked.loc[ok, "docking_best_score"].to_numpy(),
        "ligand_efficiency": docked.loc[ok, "docking_ligand_efficiency"].to_numpy(),
        "heavy_atom_count": docked.loc[ok, "heavy_atoms"].to_numpy(dtype=float),
        "ml_model": docked.loc[ok, "ml_prediction"].to_numpy(),
    }
    ranks = {k: np.argsort(np.argsort(v)) for k, v in scores.items()}
    scores["consensus_docking_ml"] = (ranks["docking_score"] + ranks["ml_model"]) / 2.0
    scores["hinge_hbond"] = docked.loc[ok, "docking_key_interaction"].astype(float).to_numpy()
    per_molecule = docked[
        [
            "molecule_chembl_id",
            "smiles",
            "pIC50",
            "active",
            "heavy_atoms",
            "ml_prediction",
            "docking_status",
            "docking_score",
            "docking_key_interaction",
        ]
    ]
    per_molecule.to_csv(Path(__file__).parent / "results" / "docking_enrichment.csv", index=False)
    summary = {}
    for name, values in scores.items():
        summary[name] = {
            "roc_auc": round(float(roc_auc_score(y, values)), 3),
            "ef_10pct": round(float(enrichment_factor(values, y, 0.10)), 2),
            "bedroc_20": round(float(bedroc(values, y, 20.0)), 3),
        }
    return {
        "set": {
            "actives": int(bench["active"].sum()),
            "inactives": int((~bench["active"]).sum()),
            "active_rule": "pIC50 >= 8",
            "inactive_rule": "pIC50 <= 5, matched in heavy atoms",
            "heavy_atoms_actives_mean": round(
                float(bench.loc[bench.active, "heavy_atoms"].mean()), 1
            ),
            "heavy_atoms_inactives_mean": round(
                float(bench.loc[~bench.active, "heavy_atoms"].mean()), 1
            ),
            "docked": int(ok.sum()),
            "not_docked": docked.loc[~ok, "docking_status"].value_counts().to_dict(),
            "ml_training_compounds": len(training),
        },
        "protocol": {"receptor": "1M17 chain A + bridging water HOH 10", **settings.as_dict()},
        "docking_seconds": round(seconds, 1),
        "seconds_per_molecule_per_core": round(seconds * n_jobs / len(bench), 1),
        "summary": summary,
        "command": f"python benchmarks/docking.py --part enrichment --n-jobs {n_jobs} "
        f"--enrichment-exhaustiveness {exhaustiveness}",
    }


if __name__ == "__main__":
    main()
