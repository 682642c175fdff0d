"""The pipeline: runs for another target unchanged, repeats itself, refuses bad configs early."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from drugml import data
from drugml.campaign.pipeline import (
    ConfigError,
    check_inputs,
    default_config_path,
    load_config,
    run,
)
from drugml.cli import main


@pytest.mark.slow
def test_another_target_runs_end_to_end_and_repeats_itself(
    second_target, second_target_run, tmp_path
):
    out, metrics = second_target_run
    for name in (
        "ranked_candidates.csv",
        "ranked_candidates.parquet",
        "report.html",
        "metrics.json",
        "config.yaml",
        "training/potency/curated.csv",
        "training/potency/curation_log.csv",
        "training/solubility/rejected.csv",
        "models/potency/model.json",
        "models/potency/MODEL_CARD.md",
        "models/solubility/metadata.json",
        "screen/manifest.json",
    ):
        assert (out / name).is_file(), name
    potency = metrics["models"]["potency"]
    assert potency["training_data"]["compounds"] == 450
    assert potency["split"] == "cluster"
    assert potency["r2"] > 0.3  # the synthetic potency is learnable
    # The resolved configuration is kept, and loads back to the same campaign.
    assert load_config(out / "config.yaml").model_tasks() == {
        "potency": "regression",
        "solubility": "regression",
    }
    ranked = pd.read_csv(out / "ranked_candidates.csv")
    screen = metrics["screen"]
    assert screen["records"] == 150 == screen["scored"] + screen["rejected"]
    assert len(ranked) == screen["unique_structures"]
    assert ranked["selected"].sum() == 5
    report = (out / "report.html").read_text()
    assert "toy kinase" in report and "3dmolviewer_" in report
    assert not re.search(r"""<script[^>]+src=["']?https?://""", report)
    # Same seed, same ranking. The repeat resumes the first run's docking (dock_many reuses
    # poses only for the same molecules, receptor, box and settings: the same short list);
    # docking's own repeatability is tests/unit/structure/test_dock.py's (same seed, same poses).
    shutil.copytree(out / "docking", tmp_path / "b" / "docking")
    run(second_target, tmp_path / "b", progress=False)
    again = pd.read_csv(tmp_path / "b" / "ranked_candidates.csv")
    pd.testing.assert_frame_equal(ranked, again)
    # ... and the same proposals and the same next batch
    for name in ("proposals/proposals.csv", "proposals/ranked_proposals.csv", "next_batch.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(out / name), pd.read_csv(tmp_path / "b" / name), obj=name
        )


@pytest.mark.slow
def test_report_and_cards_explain_themselves_and_name_no_machine_path(second_target_run):
    from drugml.viz.view3d import library_html

    out, metrics = second_target_run
    report = (out / "report.html").read_text()
    texts = {
        "report.html": report,
        "metrics.json": (out / "metrics.json").read_text(),
        **{p.parent.name: p.read_text() for p in out.glob("models/*/MODEL_CARD.md")},
    }
    for name, text in texts.items():
        assert str(out.parent) not in text and "/tmp/" not in text, name
        assert str(Path(data.__file__).parent.parent) not in text, name
    inputs = metrics["inputs"]
    assert inputs["models[potency].data.chembl"]["source"] == "../toy_ki.csv"  # relative
    assert inputs["target.structure"]["source"] == "egfr_5ug9"  # a data set by name
    # Every figure says what it shows; 3Dmol.js once; the full list is linked.
    images = re.findall(r"<img[^>]*>", report)
    assert images and all(re.search(r'alt="[^"]{20,}"', img) for img in images)
    if library_html():
        assert report.count(library_html()) == 1
    assert '<a href="ranked_candidates.csv">' in report
    assert 'id="candidates"' in report and "why this score" in report
    for section in (
        "The top of the ranking",
        "The diverse short list",
        "Hard filters",
        "potency prediction alone",
        "Held-out test",
        "Cross-validation",
    ):
        assert section in report, section
    card = (out / "models" / "potency" / "MODEL_CARD.md").read_text()
    for text in (
        "endpoint: pKi; unit: -log10(molar)",
        "target: toy kinase",
        "source: ../toy_ki.csv, curated (Ki records) (sha256",
        "**Held-out test** (cluster",
    ):
        assert text in card, text
    # The validation compares the final ranking with the potency prediction alone.
    assert metrics["validation"]["potency_alone"]["ranked_by"] == "potency_prediction"
    # Every model has its section, figures and card; nothing is named by the code.
    for name in ("potency", "solubility"):
        assert f"{name} model</h3>" in report and f"models/{name}/MODEL_CARD.md" in report


def test_default_configuration_is_valid():
    config = load_config(default_config_path())
    inputs = check_inputs(config)
    assert config.name == "EGFR"
    assert inputs.paths["library.path"].name == "chembl_approved_drugs.csv"
    assert "GEFITINIB" in config.validation.known_actives
    assert [m.name for m in config.models] == ["potency", "solubility"]


def test_input_errors_name_the_key_the_value_and_what_is_valid_before_any_work(
    second_target, tmp_path
):
    base = yaml.safe_load(second_target.read_text())

    def broken(change) -> Path:
        config = json.loads(json.dumps(base))
        change(config)
        path = second_target.parent / "broken.yaml"
        path.write_text(yaml.safe_dump(config))
        return path

    def potency(**settings):
        return lambda c: c["models"][0]["data"].update(settings)

    cases = [
        (potency(chembl="missing.csv"), r"models\[potency\]\.data\.chembl`: file .*missing.csv"),
        (lambda c: c["library"].update(path="no_such_dataset"), "neither a file nor an embedded"),
        (lambda c: c["library"].update(alerts=["brenk"]), "does not check 'pains'; add it"),
        (potency(activity_type="IC50"), "'IC50' matches no record .* it has Ki \\(450 records"),
        (potency(id_column="CID"), "'CID' is not a column of .*toy_ki.csv"),
        (lambda c: c["target"].update(ligand="8AN"), "not a ligand of .*did you mean `8AM`"),
        (lambda c: c["target"].update(ligand_smiles="CCO"), "3 heavy atoms but ligand 8AM"),
        (
            lambda c: c["models"][1]["data"].update(target_column="logS"),
            "'logS' is not a column of esol",
        ),
        (
            lambda c: c["ranking"]["objectives"]["qed"].update(column="potency_probability"),
            "no model or property produces the column 'potency_probability'; did you mean "
            "`potency_prediction`",
        ),
        (
            lambda c: c["docking"].update(covalent_residue="CYS7970"),
            "`docking.covalent_residue`: .* has no residue 'CYS7970'",
        ),
        (
            lambda c: c["library"].update(scheduler="tcp://10.0.0.5:8786"),
            "`library.scheduler` .* is used only with `library.backend: dask`",
        ),
        (lambda c: c["design"].update(seeds="my_seeds.csv"), r"`design\.seeds`: file .*my_seeds"),
        (
            lambda c: c["design"].update(
                generator={"min_heavy_atom_change": 3, "max_heavy_atom_change": -1}
            ),
            r"`design\.generator`: min_heavy_atom_change is above max_heavy_atom_change",
        ),
        (
            lambda c: c["design"].update(generator={"allowed_elements": ["C", "Xx"]}),
            r"`design\.generator`: allowed_elements: 'Xx' is not an element",
        ),
        (
            lambda c: c["design"].update(fragments="absent.db"),
            r"`design\.fragments`: .*absent\.db.*drugml design fragments",
        ),
    ]
    for change, message in cases:
        with pytest.raises(ConfigError, match=message):
            run(broken(change), tmp_path / "never", progress=False)
    assert not (tmp_path / "never").exists()
    # The command says it in one line, not a traceback.
    assert main(["run", str(tmp_path / "nothing.yaml"), "--out", str(tmp_path / "x")]) == 2


def test_every_known_egfr_drug_of_the_default_run_passes_the_default_hard_filters():
    from drugml.screening.filters import druglikeness
    from drugml.screening.rank import apply_filters
    from drugml.screening.validation import find_known_actives

    config = load_config(default_config_path())
    library = config.library
    names = config.validation.known_actives
    drugs = data.load("approved_drugs")
    first_word = drugs[library.name_column].astype(str).str.upper().str.split().str[0]
    chosen = drugs[first_word.isin(names)]
    assert set(first_word[chosen.index]) == set(names)  # all nine are in the library
    keyed = chosen.assign(inchikey=chosen[library.name_column])
    assert find_known_actives(keyed, names, library.name_column) == set(chosen[library.name_column])
    profile = druglikeness(chosen[library.smiles_column].tolist())
    passes, reasons = apply_filters(profile, config.ranking.as_dict()["filters"])
    failing = dict(zip(chosen[library.name_column], reasons, strict=True))
    assert passes.all(), {k: v for k, v in failing.items() if v}
    # Lapatinib, neratinib and mobocertinib break the rule of five twice: scored, not dropped.
    assert (profile["ro5_violations"] >= 2).sum() >= 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just words\n:::: [[\n", "is not valid YAML"),
        (b"- a\n- b\n", "mapping of sections .* got a list"),
        (b"hello world\n", "mapping of sections .* got a str"),
        (bytes(range(128, 256)), "not a text"),
        (b"library: 5\n", "`library`: input should be a valid dictionary"),
    ],
)
def test_a_garbage_configuration_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
    assert main(["run", str(path), "--out", str(tmp_path / "never")]) == 2
    assert not (tmp_path / "never").exists()


@pytest.fixture(scope="module")
def own_files_campaign(tmp_path_factory):
    """The plain-table example as a user brings it: their own files, named by a configuration."""
    import shutil

    from drugml.campaign.pipeline import example_configs

    folder = tmp_path_factory.mktemp("own_target")
    shutil.copy(data.path("example_target_table"), folder / "actives.csv")
    shutil.copy(data.path("example_screening_library"), folder / "library.csv")
    shutil.copy(data.path("egfr_5hg8"), folder / "target.pdb")
    config = yaml.safe_load(example_configs()["table_example"].read_text())
    config["target"]["structure"] = "target.pdb"
    for model in config["models"][:2]:
        model["data"]["table"] = "actives.csv"
    config["library"]["path"] = "library.csv"
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return folder, run(path, folder / "out", progress=False)


@pytest.mark.slow
def test_a_campaign_from_plain_tables_ranks_its_held_back_actives_above_the_library(
    own_files_campaign,
):
    from sklearn.metrics import roc_auc_score

    folder, metrics = own_files_campaign
    out = folder / "out"
    ranked = pd.read_csv(out / "ranked_candidates.csv")
    tasks = {name: m["task"] for name, m in metrics["models"].items()}
    assert tasks == {"active": "classification", "pic50": "regression", "herg": "classification"}
    for column in (
        "active_probability",
        "active_in_domain",
        "pic50_prediction",
        "pic50_lower",
        "pic50_upper",
        "pic50_interval_width",
        "herg_probability",
        "herg_nearest_similarity",
    ):
        assert column in ranked, column
    # Counts in equal counts out: every library record is scored or rejected with a reason.
    screen = metrics["screen"]
    assert screen["records"] == 480 == screen["scored"] + screen["rejected"]
    held_back = ranked["name"].astype(str).str.contains("held-back active")
    assert held_back.sum() == 40 and ranked["known_active"].sum() == 40
    assert not ranked.loc[held_back, "in_training_data"].any()  # whole scaffolds held back
    # The held-back actives rank above the library's other molecules.
    auc = roc_auc_score(held_back, -ranked["rank"])
    found = metrics["validation"]["all_compounds"]
    assert auc > 0.9, auc
    assert found["n_in_top_5pct"] >= 15 and found["ef_5pct"] > 5, found
    # hERG is an objective to avoid: its desirability falls as the probability rises.
    by_herg = ranked.sort_values("herg_probability")
    assert by_herg["d_herg"].is_monotonic_decreasing
    assert ranked["herg_probability"].between(0, 1).all()
    # The report shows every model without a name written in the code.
    report = (out / "report.html").read_text()
    for text in (
        "active model</h3>",
        "pic50 model</h3>",
        "herg model</h3>",
        "P(active)",
        "pic50 (90 % interval)",
        "ROC curve of the herg model",
    ):
        assert text in report, text
    assert metrics["inputs"]["target.structure"]["source"] == "../target.pdb"


def test_a_plain_table_is_checked_before_any_work(tmp_path):
    table = data.load("example_target_table").head(60)
    table.assign(grade=["A", "B", "C"] * 20, word=["yes", "no"] * 30).to_csv(
        tmp_path / "t.csv", index=False
    )

    def check(data_settings: dict, message: str) -> None:
        config = {
            "models": [{"name": "m", "data": {"table": "t.csv", **data_settings}}],
            "library": {"path": "approved_drugs"},
            "base_dir": None,
        }
        config.pop("base_dir")
        path = tmp_path / "c.yaml"
        path.write_text(yaml.safe_dump(config))
        with pytest.raises(ConfigError, match=message):
            check_inputs(path)

    check({"label_column": "grade"}, r"a classification label has two values; 'grade' .* has 3")
    check({"label_column": "word"}, r"has the values \['no', 'yes'\]; say which one is positive")
    check({"target_column": "pic50"}, r"'pic50' is not a column of t.csv; did you mean `pIC50`")
    check({"smiles_column": "SMILES", "target_column": "pIC50"}, r"did you mean `smiles`")
    check({"target_column": "word"}, r"'word' of t.csv has 0 numeric values")
    check({"label_column": "word", "positive_label": "maybe"}, r"'maybe' is not one of")
    # Named right, it passes: the positive label says which of two words is active.
    path = tmp_path / "ok.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "models": [
                    {
                        "name": "m",
                        "data": {"table": "t.csv", "label_column": "word", "positive_label": "yes"},
                    }
                ],
                "library": {"path": "approved_drugs"},
            }
        )
    )
    with pytest.warns(UserWarning, match="No ranking objective uses a model's column"):
        inputs = check_inputs(path)
    assert inputs.table("models[m].data.table").shape == (60, 6)


@pytest.mark.slow
def test_a_big_screen_is_ranked_and_reported_streaming_with_the_same_numbers(
    second_target, second_target_run, tmp_path, monkeypatch
):

    out, metrics = second_target_run
    monkeypatch.setattr("drugml.campaign._run.IN_MEMORY_RANKING_ROWS", 0)  # every screen is "big"
    # This run resumes the docking of the in-memory run: it reuses the poses only for the same
    # molecules, receptor, box and settings (drugml.structure.dock.dock_many), else it docks again.
    shutil.copytree(out / "docking", tmp_path / "big" / "docking")
    streamed_metrics = run(second_target, tmp_path / "big", progress=False)
    expected = pd.read_csv(out / "ranked_candidates.csv")
    streamed = pd.read_csv(tmp_path / "big" / "ranked_candidates.csv")  # the top 1000: all
    others = [c for c in expected.columns if c != "pareto_rank"]
    pd.testing.assert_frame_equal(streamed[others], expected[others])
    assert len(pd.read_parquet(tmp_path / "big" / "ranked")) == len(expected)
    validation = streamed_metrics["validation"]
    assert validation.keys() == metrics["validation"].keys()
    for key, value in metrics["validation"].items():
        assert validation[key] == (
            pytest.approx(value, nan_ok=True) if isinstance(value, dict) else value
        ), key
    assert streamed_metrics["screen"] == metrics["screen"] | {
        k: streamed_metrics["screen"][k] for k in ("seconds", "molecules_per_second", "library")
    }
    report = (tmp_path / "big" / "report.html").read_text()
    assert 'href="ranked/"' in report and "Pareto front of the best pool" in report


@pytest.mark.slow
def test_the_short_list_is_docked_and_docking_reorders_only_the_docked(second_target_run):
    out, metrics = second_target_run
    docking = metrics["docking"]
    assert docking["asked"] == 2 and docking["structure"] == "egfr_5ug9"
    assert docking["receptor"]["removed"]["ligands"] and docking["settings"]["exhaustiveness"] == 1
    assert docking["receptor"]["covalent"]["residue"] == "CYS797.X"  # covalent_residue: auto
    ranked = pd.read_csv(out / "ranked_candidates.csv")
    docked = ranked[ranked["docking_status"].notna()].sort_values("rank")
    assert len(docked) == 2
    # the two best of the short list, re-ordered among their own places by the full ranking
    selected = ranked[ranked["selected"]].sort_values("rank_before_docking", na_position="last")
    assert set(docked["rank_before_docking"]) == set(docked["rank"])
    assert set(docked["inchikey"]) <= set(selected["inchikey"])
    ok = docked[docked["docking_status"] == "docked"]
    if len(ok) == 2 and ok["passes_filters"].all():
        assert ok["score_with_docking"].is_monotonic_decreasing
    for path in ok["docking_pose_file"]:
        assert (out / path).is_file()
    others = ranked[ranked["docking_status"].isna()]
    assert others["docking_score"].isna().all() and others["score_with_docking"].isna().all()
    assert (out / "docking" / "docking.csv").is_file()
    report = (out / "report.html").read_text()
    assert "Docked candidates" in report and "HBAcceptor with MET793" in report
    assert "Covalent docking at CYS797.X" in report


def test_the_run_proposes_analogues_of_its_short_list_and_picks_a_next_batch(second_target_run):
    """design: analogues of the short list's first two, screened and ranked with every model,
    each beside its parent; a next batch of four from the screen and the proposals."""
    from rdkit import Chem, DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    from drugml.design import NextBatchSettings

    out, metrics = second_target_run
    ranked = pd.read_csv(out / "ranked_candidates.csv")
    proposals = pd.read_csv(out / "proposals" / "proposals.csv")
    scored = pd.read_csv(out / "proposals" / "ranked_proposals.csv")
    batch = pd.read_csv(out / "next_batch.csv")
    seeds = ranked.loc[ranked["selected"], "id"].head(2).astype(str).tolist()
    assert sorted(proposals["parent_id"].astype(str).unique()) == sorted(seeds)
    made = proposals[proposals["proposal_status"] == "proposed"]
    assert 0 < len(made) <= 2 * 8
    assert made.groupby("parent_id").size().max() <= 8
    assert all(Chem.MolFromSmiles(s) is not None for s in made["smiles"])
    # counts in = counts out: every proposal is scored or rejected with its reason
    screen = json.loads((out / "proposals" / "screen" / "summary.json").read_text())
    assert screen["records"] == len(made) == screen["scored"] + screen["rejected"]
    assert len(scored) == screen["scored"]
    wanted = ["potency_prediction", "potency_lower", "potency_in_domain", "solubility_prediction",
              "potency_prediction_change", "qed_change", "passes_filters", "rank",
              "parent_id", "replacement", "is_new"]  # fmt: skip
    assert [c for c in wanted if c not in scored] == []
    # the next batch: four molecules not measured, passing the filters, diverse, each with why
    design = metrics["design"]
    assert len(batch) == design["batch"] == 4
    assert set(batch["acquisition"]) == {"ucb"}
    assert batch["pick_reason"].str.len().min() > 20
    assert not batch["in_training_data"].astype(bool).any()
    assert batch["passes_filters"].astype(bool).all()
    assert set(batch["source"]) <= {"screen", "proposals"}
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    fps = [generator.GetFingerprint(Chem.MolFromSmiles(s)) for s in batch["smiles"]]
    for i, fp in enumerate(fps[1:], start=1):
        similar = max(DataStructs.BulkTanimotoSimilarity(fp, fps[:i]))
        assert similar <= NextBatchSettings().max_similarity
    assert design["proposals"] == len(made)
    report = (out / "report.html").read_text()
    assert "Design: analogues of the short list" in report
    assert report.count('<div class="proposal">') >= 1
    assert "The next batch: 4 molecules to test" in report
