"""The commented starting configuration that ``drugml config init`` writes."""

from __future__ import annotations

__all__ = ["config_template"]


def config_template(name: str) -> str:
    """A commented starting configuration for a new target called ``name`` (``drugml config init``).

    >>> "models:" in config_template("KRAS")
    True
    """
    return _TEMPLATE.replace("{NAME}", name)


_TEMPLATE = """\
# drugml run configuration for {NAME}. Every key is checked before any work;
# `drugml config show THIS_FILE` prints it with every default filled in.
# Paths are relative to this file, or the name of an embedded data set
# (`drugml data list`).
name: {NAME}
seed: 0
n_jobs: null                 # threads/processes; null: all cores

target:                      # optional: the structure with a reference ligand
  structure: target.pdb      # PDB or mmCIF file
  ligand: LIG                # residue name of the reference ligand in that file
  ligand_smiles: null        # its SMILES, for bond orders in the 3D view (recommended)
  pocket_cutoff: 5.0         # binding-site radius around the ligand, in Angstrom
  pocket: null               # ligand | residues (pocket_residues) | auto (pockets found without
                             #   a ligand: `drugml pockets target.pdb`); null: ligand if given
  pocket_rank: 1             # auto: which pocket the docking box follows (1: the best)

models:                      # any number; each name prefixes its columns in the screen
  - name: activity           # writes activity_probability, activity_in_domain, ...
    data:
      table: actives.csv     # a plain table (CSV, TSV or Parquet)
      smiles_column: smiles
      label_column: active   # two values; 1/True is positive (or set positive_label)
    estimator: auto          # best of a menu | xgboost | lightgbm | random_forest | knn | gnn
    split: scaffold          # held-out evaluation: scaffold | cluster | random
    test_size: 0.2
  - name: potency            # writes potency_prediction, potency_lower, potency_upper, ...
    data:
      table: actives.csv
      target_column: pIC50   # a value: regression
    # Or ChEMBL activity records (API columns or the web interface's CSV export):
    # data:
    #   chembl: records.csv
    #   activity_type: IC50
    #   active_threshold: 6.5  # pX of an active compound (needed for task: classification)
    endpoint: pIC50
    unit: -log10(molar)
  - name: herg               # a safety endpoint to avoid (see ranking)
    data:
      table: herg            # embedded TDC hERG set: 1 = blocks the hERG channel
      smiles_column: smiles
      label_column: y

library:
  path: library.csv          # molecules to screen: SMILES, CSV/TSV, SDF or Parquet
  smiles_column: smiles
  id_column: id
  name_column: null          # names shown in the report; finds known actives
  chunk_size: 500
  alerts: [pains, brenk]     # structural-alert catalogues checked: pains, brenk, nih
  profile: full              # shortlist: alerts, QED, SA, domain only where needed

ranking:                     # objectives on the screen's columns (drugml.schema)
  objectives:
    activity:   {column: activity_probability, shape: increasing, low: 0.3, high: 0.8, weight: 2}
    potency:    {column: potency_prediction, shape: increasing, low: 6.0, high: 8.0, weight: 2}
    herg:       {column: herg_probability, shape: decreasing, low: 0.3, high: 0.7, weight: 1}
    domain:     {column: potency_nearest_similarity, shape: increasing, low: 0.2, high: 0.5}
    qed:        {column: qed, shape: increasing, low: 0.2, high: 0.7}
    sa_score:   {column: sa_score, shape: decreasing, low: 3.0, high: 6.0}
  filters:
    pains: {equals: false}
  top_k: 20
  novelty_column: potency_nearest_similarity

# 3D shape and pharmacophore overlay of every screened molecule on the reference ligand's
# crystal pose (or SMILES); its columns (pharmacophore_similarity, ...) can be objectives. About
# 65 ms of CPU per molecule and conformer. Uncomment to use:
# similarity_3d:
#   references: [target]     # target: target.ligand in its crystal pose; or SMILES
#   n_conformers: 1

# Dock the best of the short list into target.structure (AutoDock Vina; the `dock` extra).
# Remove this section to skip docking. Its columns (docking_score, docking_key_interaction,
# pose_ok, ...) can be ranking objectives or filters: they re-order the docked molecules.
docking:
  keep_waters: bridging      # waters between the reference ligand and the protein; or none
  key_interaction: null      # e.g. {residue: MET769, interactions: [HBAcceptor]} (ProLIF names)
  top_n: 4
  exhaustiveness: 4          # Vina's default is 8 (validated by benchmarks/docking.py)
  time_limit: 300            # seconds per molecule (default: no limit)

# What to make or test next (drugml.design); remove this section to skip it. Writes
# proposals/ (analogues of the seeds, scored and ranked like the screen) and next_batch.csv.
design:
  seeds: shortlist           # the short list's first n_seeds; or a file of your own (smiles column)
  n_seeds: 5
  fragments: null            # fragment database from `drugml design fragments`; null: the shipped
  generator: {max_per_seed: 30}   # CReM: mutate and grow; limits on size change and elements
  objective: null            # the model the batch reads; null: the lead model
  batch: {size: 12}          # diverse: no two picks above batch.max_similarity (ECFP4)

validation:
  known_actives: []          # names (library.name_column) of actives to look for
"""
