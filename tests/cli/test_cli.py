"""The drugml command, run as a user would run it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from drugml import __version__, cli, data


def _drugml(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = shutil.which("drugml")
    command = [exe] if exe else [sys.executable, "-m", "drugml"]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=check)


def test_console_script_is_installed_and_reports_version():
    result = _drugml("--version")
    assert result.stdout.strip() == f"drugml {__version__}"


def test_help_names_the_commands():
    out = _drugml("--help").stdout
    assert "data" in out and "gallery" in out


def test_data_list_shows_every_data_set_with_rows_and_licence(capsys):
    assert cli.main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for row in data.list_datasets().itertuples():
        line = next(li for li in out.splitlines() if li.startswith(row.name + " "))
        assert f"{row.rows:,}" in line
        assert row.licence[:20] in line


def test_data_show_previews_a_table(capsys):
    assert cli.main(["data", "show", "egfr_compounds", "--rows", "3"]) == 0
    out = capsys.readouterr().out
    assert "5,568 rows" in out
    assert "CHEMBL63786" in out  # first row of the file
    assert "pIC50" in out and "licence" in out


def test_data_show_describes_a_structure(capsys):
    assert cli.main(["data", "show", "egfr_1m17"]) == 0
    out = capsys.readouterr().out
    assert "AQ4" in out and "HETATM" in out and "2,560 atoms" in out


def test_unknown_data_set_is_a_clear_error_not_a_traceback():
    result = _drugml("data", "show", "egfr", check=False)
    assert result.returncode == 2
    assert "No data set named 'egfr'" in result.stderr
    assert "egfr_compounds" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_verify_reports_each_file(capsys):
    assert cli.main(["data", "verify"]) == 0
    assert capsys.readouterr().out.count("ok  ") == len(data.list_datasets())


@pytest.mark.parametrize("argv", [[], ["data"]])
def test_bare_commands_print_help(argv, capsys):
    assert cli.main(argv) == 0
    assert "usage:" in capsys.readouterr().out


def test_screen_command_scores_a_library(tmp_path, capsys):
    from drugml.models import PropertyModel
    from drugml.screening.screen import load_rejects, load_results

    esol = data.load("esol").head(200)
    model_dir = (
        PropertyModel(estimator="xgboost", estimator_params={"n_estimators": 20})
        .fit(esol["smiles"], esol["measured log solubility in mols per litre"])
        .save(tmp_path / "logs")
    )
    library = tmp_path / "lib.smi"
    library.write_text("CCO ethanol\nc1ccccc1O phenol\nC1CC broken\n")
    argv = [
        "screen",
        str(library),
        "--model",
        f"logs={model_dir}",
        "--out",
        str(tmp_path / "out"),
        "--quiet",
    ]
    assert cli.main(argv) == 0
    assert len(load_results(tmp_path / "out")) == 2 and len(load_rejects(tmp_path / "out")) == 1
    assert {"logs_prediction", "logs_lower", "logs_in_domain"} <= set(
        load_results(tmp_path / "out").columns
    )
    missing = ["screen", str(tmp_path / "none.smi"), "--model", str(model_dir), "--out", "o"]
    assert cli.main(missing) == 2
    assert "does not exist" in capsys.readouterr().err


# ------------------------------------------- errors: one line on stderr, no traceback
def _error_lines(capsys) -> list[str]:
    """The ``drugml: error:`` lines of what the command wrote to stderr (no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("drugml: error:")]


def test_a_broken_structure_file_is_one_error_line(tmp_path, capsys):
    from drugml.campaign.config import ConfigError
    from drugml.campaign.pipeline import example_configs

    broken = tmp_path / "broken.pdb"
    broken.write_text("HEADER    nothing here\nEND\n")
    config = tmp_path / "campaign.yaml"
    config.write_text(
        example_configs()["egfr"]
        .read_text(encoding="utf-8")
        .replace("structure: egfr_1m17 ", f"structure: {broken} "),
        encoding="utf-8",
    )
    argv = ["config", "show", str(config), "--check"]
    assert cli.main(argv) == 2
    (line,) = _error_lines(capsys)
    assert "`target.structure`" in line and "broken.pdb has no atoms" in line
    with pytest.raises(ConfigError, match=r"broken\.pdb has no atoms"):
        cli.main(["--debug", *argv])


def test_a_bad_configuration_is_one_error_line_and_debug_reraises(tmp_path, capsys):
    from drugml.campaign.config import ConfigError

    config = tmp_path / "bad.yaml"
    config.write_text("name: X\nmodelz: []\n", encoding="utf-8")
    assert cli.main(["config", "show", str(config)]) == 2
    (line,) = _error_lines(capsys)
    assert line.startswith("drugml: error: The configuration has 3 problems")
    with pytest.raises(ConfigError, match="did you mean `models`"):
        cli.main(["--debug", "config", "show", str(config)])


def test_a_library_of_unknown_format_is_one_error_line(tmp_path, capsys):
    from drugml.chem import MoleculeError

    library = tmp_path / "library.xyz"
    library.write_text("CCO ethanol\n")
    model = tmp_path / "model"  # looks like a saved model: the library is read first
    model.mkdir()
    (model / "metadata.json").write_text("{}")
    argv = [
        "screen",
        str(library),
        "--model",
        str(model),
        "--out",
        str(tmp_path / "out"),
        "--quiet",
    ]
    assert cli.main(argv) == 2
    (line,) = _error_lines(capsys)
    assert "Cannot tell the format of" in line and "library.xyz" in line
    with pytest.raises(MoleculeError, match="Cannot tell the format"):
        cli.main(["--debug", *argv])


def _bad_rna_sequence() -> None:
    from drugml.structure.rna import rna_secondary_structure

    rna_secondary_structure("GGXAAZCC")


def _unparsable_smiles_strict() -> None:
    from drugml.featurize import ECFP

    ECFP(strict=True).transform(["not a smiles"])


def _one_string_to_a_featurizer() -> None:
    from drugml.featurize import ECFP

    ECFP().transform("CCO")


@pytest.mark.parametrize(
    ("fail", "error_name", "message"),
    [
        (_bad_rna_sequence, "RNASequenceError", "2 invalid letter(s): 'X' at 3, 'Z' at 6"),
        (_unparsable_smiles_strict, "FeaturizationError", "1 of 1 molecules could not be parsed"),
        (_one_string_to_a_featurizer, "SmilesListError", "not one string"),
    ],
    ids=["rna-sequence", "featurize-strict", "featurize-one-string"],
)
def test_rna_and_featurization_errors_print_one_line(
    fail, error_name, message, monkeypatch, capsys
):
    # No command reads RNA or featurizes on its own: the public functions raise a
    # DrugmlError, and a command that meets one prints it as any other.
    from drugml.errors import DrugmlError

    with pytest.raises(DrugmlError) as raised:
        fail()
    assert type(raised.value).__name__ == error_name and message in str(raised.value)
    monkeypatch.setattr(data, "info", lambda name: fail())  # `data show` meets the error
    assert cli.main(["data", "show", "egfr_compounds"]) == 2
    (line,) = _error_lines(capsys)
    assert message in line
    with pytest.raises(type(raised.value)):
        cli.main(["--debug", "data", "show", "egfr_compounds"])


def test_admet_commands_without_training(capsys):
    # Training and predicting are tested with a small panel in test_admet.py.
    assert cli.main(["admet", "list", "--long"]) == 0
    listed = capsys.readouterr().out
    assert "clearance_microsome_az" in listed and "lower clearance is better" in listed
    assert cli.main(["admet", "train", "--out", "unused", "--endpoints", "herg,hERG"]) == 2
    (line,) = _error_lines(capsys)
    assert "Unknown ADMET endpoint(s) ['hERG']" in line
    assert cli.main(["admet", "train", "--out", "unused", "--estimator-params", "{n: 1}"]) == 2
    (line,) = _error_lines(capsys)
    assert "--estimator-params is not JSON" in line


# ------------------------------------------------------------------------ design
def test_design_fragments_builds_a_database_and_check_tells_it_from_the_shipped(tmp_path, capsys):
    library = tmp_path / "mine.csv"
    data.load("egfr_compounds").head(40)[["smiles"]].to_csv(library, index=False)
    out = tmp_path / "mine.db"
    assert cli.main(["design", "fragments", "--out", str(out), "--from", str(library)]) == 0
    assert out.is_file() and out.with_name("mine.db.json").is_file()
    assert "molecules fragmented" in capsys.readouterr().out
    # another source, another content: --check says so with exit status 1
    other = tmp_path / "other.db"
    status = cli.main(
        ["design", "fragments", "--out", str(other), "--from", str(library), "--check"]
    )
    assert status == 1 and "differs from the shipped" in capsys.readouterr().out


def test_design_propose_and_next_batch_from_a_table(tmp_path, capsys):
    out = tmp_path / "proposals"
    seeds = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"
    assert cli.main(["design", "propose", seeds, "--out", str(out), "--max-per-seed", "5"]) == 0
    proposals = pd.read_csv(out / "proposals.csv")
    assert len(proposals) == 5 and set(proposals["parent_id"]) == {"seed1"}
    # a pool table with a model's columns: the batch reads them
    rng = np.random.default_rng(0)
    pool = proposals[["smiles"]].assign(
        id=proposals["proposal_id"], potency_prediction=rng.normal(7, 1, 5)
    )
    pool["potency_lower"] = pool["potency_prediction"] - 1
    pool["potency_upper"] = pool["potency_prediction"] + rng.uniform(0.5, 2, 5)
    pool.to_csv(tmp_path / "pool.csv", index=False)
    batch_file = tmp_path / "batch.csv"
    argv = ["next-batch", str(tmp_path / "pool.csv"), "--objective", "potency", "-k", "2",
            "--acquisition", "ucb", "--diversity", "none", "--out", str(batch_file)]  # fmt: skip
    assert cli.main(argv) == 0
    batch = pd.read_csv(batch_file)
    assert len(batch) == 2 and set(batch["acquisition"]) == {"ucb"}
    assert "picks written" in capsys.readouterr().out
    # a table without an id column: the picks are named by their SMILES
    pool.drop(columns="id").to_csv(tmp_path / "no_ids.csv", index=False)
    argv[1] = str(tmp_path / "no_ids.csv")
    assert cli.main(argv) == 0
    picked, printed = pd.read_csv(batch_file)["smiles"], capsys.readouterr().out
    assert all(smiles in printed for smiles in picked), printed


def test_next_batch_errors_are_one_line(tmp_path, capsys):
    pool = tmp_path / "pool.csv"
    pd.DataFrame({"smiles": ["CCO"], "id": ["a"], "potency_prediction": [6.0]}).to_csv(pool)
    argv = ["next-batch", str(pool), "--objective", "potency", "--out", str(tmp_path / "b.csv")]
    assert cli.main([*argv, "-k", "1"]) == 2  # no interval columns: named
    assert cli.main(["next-batch", str(pool), "--out", str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert "potency_lower" in err and "--objective" in err
    assert "Traceback" not in err
