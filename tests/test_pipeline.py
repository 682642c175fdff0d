"""The pipeline: runs for another target unchanged, repeats itself, refuses bad configs early."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from drugml import data
from drugml.cli import main
from drugml.pipeline import ConfigError, default_config_path, load_config, run, validate_config

FAST = {"n_estimators": 40}


@pytest.fixture(scope="module")
def second_target(tmp_path_factory):
    """A synthetic ChEMBL-format target: Ki records with SMILES in the records themselves."""
    folder = tmp_path_factory.mktemp("toy_target")
    compounds = data.load("egfr_compounds").sample(450, random_state=1)
    from rdkit import Chem
    from rdkit.Chem import Crippen, rdMolDescriptors

    rng = np.random.default_rng(1)
    mols = [Chem.MolFromSmiles(s) for s in compounds["smiles"]]
    # A learnable synthetic potency: lipophilicity and aromatic rings help, plus noise.
    pki = np.array([5 + 0.4 * Crippen.MolLogP(m) + 0.3 * rdMolDescriptors.CalcNumAromaticRings(m)
                    for m in mols]) + rng.normal(0, 0.3, len(mols))  # fmt: skip
    records = pd.DataFrame({
        "activity_id": np.arange(len(mols)) + 1000,
        "molecule_chembl_id": compounds["molecule_chembl_id"].to_numpy(),
        "canonical_smiles": compounds["smiles"].to_numpy(),
        "standard_type": "Ki", "standard_relation": "=",
        "standard_value": 10 ** (9 - pki), "standard_units": "nM",
    })  # fmt: skip
    records.to_csv(folder / "toy_ki.csv", index=False)
    drugs = data.load("approved_drugs").dropna(subset=["smiles"]).head(150)
    (folder / "library.smi").write_text(
        "\n".join(f"{s} {i}" for s, i in zip(drugs["smiles"], drugs["molecule_chembl_id"],
                                             strict=True)) + "\n")  # fmt: skip
    config = {
        "name": "toy kinase", "seed": 3,
        "target": {"structure": "egfr_5ug9", "ligand": "8AM", "ligand_smiles": None},
        "bioactivity": {"raw": "toy_ki.csv", "structures": None, "activity_type": "Ki",
                        "active_threshold": 7.0},
        "models": {"potency": {"split": "cluster", "estimator_params": FAST},
                   "solubility": {"estimator_params": FAST}},
        "library": {"path": "library.smi", "chunk_size": 40},
        "ranking": {"top_k": 5},
        "validation": {"known_actives": []},
    }  # fmt: skip
    path = folder / "toy.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_another_target_runs_end_to_end_and_repeats_itself(second_target, tmp_path):
    metrics = run(second_target, tmp_path / "a", progress=False)
    out = tmp_path / "a"
    for name in ("ranked_candidates.csv", "ranked_candidates.parquet", "report.html",
                 "metrics.json", "curated_bioactivities.csv", "curation_log.csv",
                 "models/potency/model.json", "models/potency/MODEL_CARD.md",
                 "models/solubility/metadata.json", "screen/manifest.json"):  # fmt: skip
        assert (out / name).is_file(), name
    assert metrics["curation"]["compounds"] == 450
    assert metrics["potency_model"]["split"] == "cluster"
    assert metrics["potency_model"]["r2"] > 0.3  # the synthetic potency is learnable
    ranked = pd.read_csv(out / "ranked_candidates.csv")
    screen = metrics["screen"]
    assert screen["records"] == 150 == screen["scored"] + screen["rejected"]
    assert len(ranked) == screen["unique_structures"]
    assert ranked["selected"].sum() == 5
    report = (out / "report.html").read_text()
    assert "toy kinase" in report and "3dmolviewer_" in report
    assert not re.search(r"""<script[^>]+src=["']?https?://""", report)
    # Same seed, same ranking.
    run(second_target, tmp_path / "b", progress=False)
    again = pd.read_csv(tmp_path / "b" / "ranked_candidates.csv")
    pd.testing.assert_frame_equal(ranked, again)


def test_default_configuration_is_valid():
    config = load_config(default_config_path())
    paths = validate_config(config)
    assert config["name"] == "EGFR" and paths["library"].name == "chembl_approved_drugs.csv"
    assert "GEFITINIB" in config["validation"]["known_actives"]


def test_configuration_errors_name_the_problem_before_any_work(second_target, tmp_path):
    base = yaml.safe_load(second_target.read_text())

    def broken(**changes):
        config = json.loads(json.dumps(base))
        for dotted, value in changes.items():
            section, key = dotted.split(".")
            config[section][key] = value
        path = second_target.parent / "broken.yaml"
        path.write_text(yaml.safe_dump(config))
        return path

    cases = [
        ({"bioactivity.raw": "missing.csv"}, "bioactivity.raw: file .*missing.csv does not exist"),
        ({"library.path": "no_such_dataset"}, "neither a file nor an embedded data set"),
        ({"library.alerts": ["pains", "toxic"]}, "library.alerts must be a list of"),
        ({"library.alerts": ["pains", "pains"]}, "library.alerts must be a list of distinct"),
        ({"library.alerts": ["brenk"]}, "ranking uses the 'pains' alert column"),
    ]
    for changes, message in cases:
        with pytest.raises(ConfigError, match=message):
            run(broken(**changes), tmp_path / "never", progress=False)
    solubility = dict(base["models"]["solubility"], target_column="logS")
    with pytest.raises(ConfigError, match="target_column 'logS' is not a column"):
        run(broken(**{"models.solubility": solubility}), tmp_path / "never", progress=False)
    with pytest.raises(ConfigError, match="Unknown configuration sections"):
        load_config({"modles": {}})
    assert not (tmp_path / "never").exists()
    # The command says it in one line, not a traceback.
    assert main(["run", str(tmp_path / "nothing.yaml"), "--out", str(tmp_path / "x")]) == 2
