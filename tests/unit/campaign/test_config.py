"""The run configuration: every key at every depth checked, with suggestions, before any work."""

from __future__ import annotations

import pytest
import yaml

from drugml.campaign.config import (
    CampaignConfig,
    ConfigError,
    config_template,
    load_config,
    parse_ranking,
)
from drugml.campaign.pipeline import default_config_path, example_configs
from drugml.cli import main
from drugml.screening.screen import DEFAULT_CHUNK_SIZE


def _minimal(**changes):
    config = {
        "models": [{"name": "logs", "data": {"table": "esol", "target_column": "y"}}],
        "library": {"path": "approved_drugs"},
    }
    config.update(changes)
    return config


# Typos at every depth: (where the typo is, the configuration, the message expected).
TYPOS = [
    (
        "top level",
        {**_minimal(), "rankin": {}},
        r"`rankin` is not a setting; did you mean `ranking`",
    ),
    (
        "section",
        _minimal(library={"path": "x.smi", "chunksize": 100}),
        r"`library.chunksize` is not a setting; did you mean `chunk_size`",
    ),
    (
        "model",
        _minimal(
            models=[
                {
                    "name": "a",
                    "data": {"table": "t.csv", "target_column": "y"},
                    "estimater": "xgboost",
                }
            ]
        ),
        r"`models\[a\].estimater` is not a setting; did you mean `estimator`",
    ),
    (
        "model data",
        _minimal(models=[{"name": "a", "data": {"table": "t", "target_colum": "y"}}]),
        r"`models\[a\].data.target_colum` is not a setting; did you mean `target_column`",
    ),
    (
        "chembl data",
        _minimal(models=[{"name": "a", "data": {"chembl": "r", "activity_typ": "Ki"}}]),
        r"`models\[a\].data.activity_typ` is not a setting; did you mean `activity_type`",
    ),
    (
        "data kind",
        _minimal(models=[{"name": "a", "data": {"tabel": "t.csv"}}]),
        r"`models\[a\].data`: a model.s data names `chembl:` .* did you mean `table`",
    ),
    (
        "objective",
        _minimal(
            ranking={
                "objectives": {
                    "q": {"column": "qed", "shape": "increasing", "low": 0, "high": 1, "wieght": 2}
                }
            }
        ),
        r"`ranking.objectives.q.wieght` is not a setting; did you mean `weight`",
    ),
    (
        "filter",
        _minimal(ranking={"filters": {"pains": {"equal": False}}}),
        r"`ranking.filters.pains.equal` is not a setting; did you mean `equals`",
    ),
    (
        "target",
        _minimal(target={"structure": "x.pdb", "ligand_smile": "C"}),
        r"`target.ligand_smile` is not a setting; did you mean `ligand_smiles`",
    ),
    (
        "validation",
        _minimal(validation={"known_active": []}),
        r"`validation.known_active` is not a setting; did you mean `known_actives`",
    ),
]


@pytest.mark.parametrize(("where", "config", "message"), TYPOS, ids=[t[0] for t in TYPOS])
def test_a_typo_at_any_depth_is_an_error_with_a_suggestion(where, config, message):
    with pytest.raises(ConfigError, match=message):
        load_config(config)


WRONG_VALUES = [
    (
        _minimal(library={"path": "x", "chunk_size": "100"}),
        r"`library.chunk_size`: input should be a valid integer; got '100' \(str\)",
    ),
    (_minimal(seed=-1), r"`seed`: input should be greater than or equal to 0; got -1"),
    (_minimal(n_jobs=0), r"`n_jobs`: input should be greater than or equal to 1"),
    (
        _minimal(library={"path": "x", "alerts": ["pains", "toxic"]}),
        r"`library.alerts\[1\]`: input should be 'pains', 'brenk' or 'nih'; got 'toxic'",
    ),
    (_minimal(library={"path": "x", "alerts": ["pains", "pains"]}), r"must be distinct"),
    (
        _minimal(
            models=[
                {"name": "a", "data": {"table": "t", "target_column": "y"}, "estimator": "xgbost"}
            ]
        ),
        r"`models\[a\].estimator`: unknown estimator 'xgbost'; .*did you mean `xgboost`",
    ),
    (
        _minimal(
            models=[{"name": "a", "data": {"table": "t", "target_column": "y"}, "split": "scafold"}]
        ),
        r"`models\[a\].split`: input should be 'scaffold', 'cluster' or 'random'",
    ),
    (
        _minimal(models=[{"name": "a b", "data": {"table": "t", "target_column": "y"}}]),
        r"a model name starts with a letter",
    ),
    (
        _minimal(
            models=[
                {"name": "a", "data": {"table": "t", "label_column": "y"}, "task": "regression"}
            ]
        ),
        r"task 'regression' does not fit the data",
    ),
    (
        _minimal(
            models=[
                {"name": "a", "data": {"table": "t", "target_column": "y", "label_column": "z"}}
            ]
        ),
        r"exactly one of target_column",
    ),
    (
        _minimal(models=[{"name": "a", "data": {"chembl": "r"}, "task": "classification"}]),
        r"needs data.active_threshold",
    ),
    (
        _minimal(
            models=[
                {"name": "a", "data": {"table": "t", "target_column": "y"}},
                {"name": "a", "data": {"table": "u", "target_column": "y"}},
            ]
        ),
        r"the name 'a' is used twice",
    ),
    (_minimal(models=[]), r"`models`: give at least one model"),
    (
        _minimal(
            ranking={"objectives": {"q": {"column": "qed", "shape": "up", "low": 0, "high": 1}}}
        ),
        r"`ranking.objectives.q.shape`: input should be 'increasing', 'decreasing' or 'window'",
    ),
    (
        _minimal(
            ranking={
                "objectives": {"q": {"column": "qed", "shape": "increasing", "low": 2, "high": 1}}
            }
        ),
        r"needs high > low",
    ),
    (_minimal(ranking={"top_k": True}), r"`ranking.top_k`: input should be a valid integer"),
    (_minimal(validation={"known_actives": ["X"]}), r"set library.name_column"),
    (
        {"models": [{"name": "a", "data": {"table": "t", "target_column": "y"}}]},
        r"`library` is required but not given",
    ),
]


@pytest.mark.parametrize(("config", "message"), WRONG_VALUES)
def test_a_wrong_type_or_range_names_the_key_and_the_value(config, message):
    with pytest.raises(ConfigError, match=message):
        load_config(config)


def test_every_problem_is_reported_at_once():
    config = _minimal(library={"path": "x", "chunksize": 5}, seed="zero", rankin={})
    with pytest.raises(ConfigError, match="has 3 problems") as error:
        load_config(config)
    assert str(error.value).count("\n  - ") == 3


def test_defaults_are_filled_and_the_task_is_inferred():
    config = load_config(
        _minimal(
            models=[
                {"name": "activity", "data": {"table": "t.csv", "label_column": "active"}},
                {"name": "pic50", "data": {"table": "t.csv", "target_column": "pIC50"}},
                {
                    "name": "binder",
                    "data": {"table": "t.csv", "target_column": "pIC50", "active_threshold": 6.5},
                },
            ]
        )
    )
    assert config.model_tasks() == {
        "activity": "classification",
        "pic50": "regression",
        "binder": "classification",
    }
    assert config.library.alerts == ["pains", "brenk"]
    assert config.library.chunk_size == DEFAULT_CHUNK_SIZE == 1000  # the screen's, declared once
    assert list(config.ranking.objectives) == ["qed", "sa_score", "rule_of_five"]
    # The resolved configuration round-trips through YAML.
    again = load_config(yaml.safe_load(config.to_yaml()))
    assert again.model_dump() == config.model_dump()


def test_ranking_objectives_given_replace_the_defaults_and_other_keys_update():
    ranking = parse_ranking(
        {
            "objectives": {"q": {"column": "qed", "shape": "increasing", "low": 0, "high": 1}},
            "top_k": 3,
        }
    )
    assert list(ranking.objectives) == ["q"] and ranking.top_k == 3
    assert ranking.as_dict()["filters"] == {"pains": {"equals": False}}


def test_every_shipped_configuration_and_the_template_load():
    assert set(example_configs()) >= {"egfr", "table_example"}
    for path in example_configs().values():
        assert isinstance(load_config(path), CampaignConfig)
    template = yaml.safe_load(config_template("KRAS"))
    config = load_config(template)
    assert config.name == "KRAS" and len(config.models) == 3
    assert config.model_tasks()["herg"] == "classification"


def test_config_commands(tmp_path, capsys):
    assert main(["config", "show"]) == 0
    shown = capsys.readouterr().out
    assert load_config(yaml.safe_load(shown)).name == "EGFR"
    assert "chunk_size: 500" in shown and "estimator: xgboost" in shown
    assert main(["config", "show", "egfr", "--check"]) == 0
    out = tmp_path / "kras.yaml"
    assert main(["config", "init", "KRAS", "--out", str(out)]) == 0
    assert "name: KRAS" in out.read_text() and "# " in out.read_text()
    assert main(["config", "init", "KRAS", "--out", str(out)]) == 2  # never overwritten silently
    assert main(["config", "examples"]) == 0
    assert "table_example" in capsys.readouterr().out
    # The template's placeholder files do not exist: --check says which, in one go.
    capsys.readouterr()
    assert main(["config", "show", str(out), "--check"]) == 2
    error = capsys.readouterr().err
    assert "models[activity].data.table`: file" in error and "library.path`: file" in error
    assert default_config_path().is_file()


def test_the_readme_sets_up_a_target_from_plain_tables_with_a_valid_configuration():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme[readme.index("**Your own target from plain tables.**") :]
    block = section[section.index("```yaml") + len("```yaml") : section.index("```\n", 10)]
    config = load_config(yaml.safe_load(block))
    assert config.model_tasks() == {
        "active": "classification",
        "pic50": "regression",
        "herg": "classification",
    }
    assert len(block.strip().splitlines()) <= 20  # a few lines, not a page


def test_an_admet_panel_endpoint_is_a_model_data_source():
    config = load_config(
        _minimal(
            models=[
                {"name": "herg", "data": {"admet": "herg"}},
                {
                    "name": "clearance",
                    "data": {"admet": "clearance_microsome_az", "rows": "train_val"},
                },
            ]
        )
    )
    assert config.model_tasks() == {"herg": "classification", "clearance": "regression"}
    with pytest.raises(ConfigError, match=r"unknown ADMET endpoint 'herq'.*did you mean `herg`"):
        load_config(_minimal(models=[{"name": "h", "data": {"admet": "herq"}}]))


def test_docking_settings_are_built_from_the_configuration_with_one_default():
    from drugml.campaign.config import DockingConfig
    from drugml.structure.dock import DockingSettings

    settings = load_config(default_config_path()).docking.settings(seed=3)
    assert (settings.exhaustiveness, settings.time_limit, settings.seed) == (4, 300, 3)
    assert settings.key_interaction.residue == "MET769"
    assert settings.pose_selection == "key_interaction"
    # A section left empty docks with DockingSettings' defaults (by score: no key interaction).
    assert DockingConfig().settings(seed=0) == DockingSettings(pose_selection="score")
    assert DockingConfig().exhaustiveness == DockingSettings().exhaustiveness == 8


@pytest.mark.parametrize(
    ("design", "message"),
    [
        ({"batch": {"acquisition": "ucd"}}, r"`design.batch.acquisition`.*did you mean `ucb`"),
        ({"objective": "potency"}, r"design.objective 'potency' is not a model.*\['logs'\]"),
        ({"generator": {"max_per_sed": 3}}, r"`design.generator.max_per_sed` is not a setting"),
        ({"batch": {"size": 0}}, r"`design.batch.size`"),
        ({"pool": "library"}, r"`design.pool`"),
    ],
)
def test_the_design_section_is_checked_before_any_work(design, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_minimal(design=design))


def test_the_design_section_builds_the_design_stages_settings_from_their_one_home():
    from drugml.design import AnalogueSettings, NextBatchSettings

    config = load_config(_minimal(seed=7, design={"batch": {"size": 5}}))
    batch = config.design.batch.settings(config.seed)
    analogues = config.design.generator.settings(config.seed)
    assert batch == NextBatchSettings(k=5, seed=7)
    assert analogues == AnalogueSettings(random_seed=7)
    assert load_config(_minimal()).design is None  # a campaign without it skips the stage
