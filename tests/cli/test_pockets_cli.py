"""``drugml pockets`` and ``drugml dock --pocket / --ligand-smiles``, run as a user would.

Nothing is docked here: every docking case stops at a flag or pocket error before the
receptor is prepared (a real CLI docking run is in tests/unit/structure/test_dock.py).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from drugml import cli
from drugml.data.assets import threedmol_path
from drugml.structure.pockets import POCKET_COLUMNS

# As tests/unit/viz/test_view3d.py: a script loaded from the network, by tag or by py3Dmol.
EXTERNAL_SCRIPT = re.compile(r"""src=["']https?://|loadScriptAsync\(['"]https?://""")
ERLOTINIB = "COCCOc1cc2ncnc(Nc3cccc(C#C)c3)c2cc1OCCOC"


def _error_line(capsys) -> str:
    """The one ``drugml: error:`` line on stderr (no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [x for x in err.splitlines() if x.startswith("drugml: error:")]
    return line


def test_pockets_finds_the_atp_site_and_writes_a_table_and_an_offline_view(tmp_path, capsys):
    if threedmol_path() is None:
        pytest.fail("3Dmol.js is not installed: run `drugml viewer install` (scripts/test.sh does)")
    assert cli.main(["pockets", "egfr_1m17", "--top", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if line.startswith("1 "))
    assert "LEU694.A" in first  # the glycine-rich loop over the ATP site
    assert "probably pocket 1" in out and "MET769.A" in out  # the hinge lines it
    assert "crystal ligand AQ4 A999 (removed before the search) lies in pocket 1" in out
    table = pd.read_csv(tmp_path / "pockets.csv")
    assert table.columns.tolist() == list(POCKET_COLUMNS) and table["rank"].tolist()[0] == 1
    assert "MET769.A" in table.loc[0, "residues"].split()
    assert len(table) > 2  # every pocket in the table, only --top in the view
    page = (tmp_path / "pockets.html").read_text(encoding="utf-8")
    assert "opens offline" in out and not EXTERNAL_SCRIPT.search(page)
    assert page.startswith("<!DOCTYPE html>") and "createViewer" in page
    assert "Pocket 1 (" in page and "Pocket 2 (" in page and "Pocket 3 (" not in page


@pytest.mark.filterwarnings("ignore:3Dmol.js is not installed locally")
def test_pockets_says_when_the_view_needs_the_network(tmp_path, capsys, monkeypatch):
    import drugml.data.assets

    monkeypatch.setattr(drugml.data.assets, "threedmol_js", lambda: None)
    assert cli.main(["pockets", "egfr_1m17", "--top", "1", "--out", str(tmp_path)]) == 0
    assert "drugml viewer install" in capsys.readouterr().out
    assert EXTERNAL_SCRIPT.search((tmp_path / "pockets.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--chains", "B"], r"no polymer chain \['B'\]; chains with polymer residues: \['A'\]"),
        (["--min-volume", "100000"], "No pocket found in egfr_1m17"),
    ],
)
def test_pockets_errors_are_one_line(flags, message, tmp_path, capsys):
    assert cli.main(["pockets", "egfr_1m17", *flags, "--out", str(tmp_path / "out")]) == 2
    assert re.search(message, _error_line(capsys))
    assert not (tmp_path / "out").exists()


def test_dock_into_a_pocket_that_does_not_exist_fails_before_docking(tmp_path, capsys):
    out = tmp_path / "docked"
    argv = ["dock", "CCO", "--structure", "egfr_1m17", "--pocket", "9", "--out", str(out)]
    assert cli.main(argv) == 2
    assert "No pocket of rank 9: 3 pocket(s), ranks 1 to 3" in _error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--residues", "769", "--ligand-smiles", ERLOTINIB], "--ligand-smiles needs --ligand"),
        (
            ["--ligand", "AQ4", "--pose-selection", "interaction_similarity"],
            "interaction_similarity needs --ligand and --ligand-smiles",
        ),
        (["--ligand", "AQ4", "--pose-selection", "key_interaction"], "needs --key-residue"),
        (["--ligand", "AQ4", "--ligand-smiles", "CCO"], "not this ligand's SMILES"),
    ],
)
def test_dock_reference_flags_are_checked_before_docking(flags, message, tmp_path, capsys):
    out = tmp_path / "docked"
    argv = ["dock", "CCO", "--structure", "egfr_1m17", *flags, "--out", str(out)]
    assert cli.main(argv) == 2
    assert message in _error_line(capsys)
    assert not out.exists()


def test_dock_flags_set_the_pose_selection_and_the_reference():
    from drugml.cli._dock import _settings

    parser = cli.build_parser()
    base = ["dock", "CCO", "--structure", "egfr_1m17", "--out", "x", "--ligand", "AQ4"]
    reference = ("MET769.A:HBAcceptor", "LEU694.A:Hydrophobic")
    args = parser.parse_args(
        [*base, "--ligand-smiles", ERLOTINIB, "--pose-selection", "interaction_similarity"]
    )
    settings = _settings(args, None, reference)
    assert settings.pose_selection == "interaction_similarity"
    assert settings.reference_interactions == reference
    plain = _settings(parser.parse_args(base), None)
    assert plain.pose_selection == "score" and plain.reference_interactions is None
