"""The drugml command, run as a user would run it."""

from __future__ import annotations

import shutil
import subprocess
import sys

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
    from drugml.screen import load_rejects, load_results

    esol = data.load("esol").head(200)
    model_dir = (
        PropertyModel(estimator_params={"n_estimators": 20})
        .fit(esol["smiles"], esol["measured log solubility in mols per litre"])
        .save(tmp_path / "logs")
    )
    library = tmp_path / "lib.smi"
    library.write_text("CCO ethanol\nc1ccccc1O phenol\nC1CC broken\n")
    argv = ["screen", str(library), "--model", f"logs={model_dir}", "--out", str(tmp_path / "out"),
            "--quiet"]  # fmt: skip
    assert cli.main(argv) == 0
    assert len(load_results(tmp_path / "out")) == 2 and len(load_rejects(tmp_path / "out")) == 1
    assert {"logs_prediction", "logs_lower", "logs_in_domain"} <= set(
        load_results(tmp_path / "out").columns
    )
    missing = ["screen", str(tmp_path / "none.smi"), "--model", str(model_dir), "--out", "o"]
    assert cli.main(missing) == 2
    assert "does not exist" in capsys.readouterr().err
