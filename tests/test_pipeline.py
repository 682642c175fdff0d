"""The pipeline: runs for another target unchanged, repeats itself, refuses bad configs early."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from drugml import data
from drugml.cli import main
from drugml.pipeline import ConfigError, default_config_path, load_config, run, validate_config


@pytest.mark.slow
def test_another_target_runs_end_to_end_and_repeats_itself(second_target, second_target_run,
                                                           tmp_path):  # fmt: skip
    out, metrics = second_target_run
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


@pytest.mark.slow
def test_report_and_cards_explain_themselves_and_name_no_machine_path(second_target_run):
    from drugml.view3d import library_html

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
    assert metrics["inputs"]["raw"]["source"] == "../toy_ki.csv"  # relative to the output
    assert metrics["inputs"]["structure"]["source"] == "egfr_5ug9"  # a data set by name
    # Every figure says what it shows; 3Dmol.js once; the full list is linked.
    images = re.findall(r"<img[^>]*>", report)
    assert images and all(re.search(r'alt="[^"]{20,}"', img) for img in images)
    if library_html():
        assert report.count(library_html()) == 1
    assert '<a href="ranked_candidates.csv">' in report
    assert 'id="candidates"' in report and "why this score" in report
    for section in ("The top of the ranking", "The diverse short list", "Hard filters",
                    "potency prediction alone", "Held-out test", "Cross-validation"):  # fmt: skip
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
    assert metrics["validation"]["potency_alone"]["ranked_by"] == "potency"


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


def test_every_known_egfr_drug_of_the_default_run_passes_the_default_hard_filters():
    from drugml.filters import druglikeness
    from drugml.pipeline import known_active_inchikeys
    from drugml.rank import DEFAULT_RANKING, apply_filters

    config = load_config(default_config_path())
    library = config["library"]
    names = config["validation"]["known_actives"]
    drugs = data.load("approved_drugs")
    first_word = drugs[library["name_column"]].astype(str).str.upper().str.split().str[0]
    chosen = drugs[first_word.isin(names)]
    assert set(first_word[chosen.index]) == set(names)  # all nine are in the library
    assert known_active_inchikeys(data.path("approved_drugs"), names, library["name_column"])
    profile = druglikeness(chosen[library["smiles_column"]].tolist())
    ranking = load_config(default_config_path())["ranking"] or DEFAULT_RANKING
    passes, reasons = apply_filters(profile, ranking["filters"])
    failing = dict(zip(chosen[library["name_column"]], reasons, strict=True))
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
        (b"library: 5\n", "section 'library' must be a mapping"),
    ],
)
def test_a_garbage_configuration_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
    assert main(["run", str(path), "--out", str(tmp_path / "never")]) == 2
    assert not (tmp_path / "never").exists()
