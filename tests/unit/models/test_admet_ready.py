"""drugml.models.admet.ready_panel: built once into the user cache, then only loaded."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from drugml.cli import main
from drugml.models import _admet_ready, admet

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(admet.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_ready_panel_is_built_once_then_loaded(cache, monkeypatch, tmp_path, capsys):
    assert main(["admet", "build", "--endpoints", "hia_hou", "--n-jobs", "2"]) == 0
    assert "building the ADMET panel" in capsys.readouterr().err  # the progress bar
    root = admet.ready_panel_dir()
    assert root.parent == cache / "admet-panel"
    assert sorted(p.name for p in root.iterdir()) == ["hia_hou"]  # nothing half-written left

    def refuse(*_args, **_kwargs):
        raise AssertionError("the ready panel was trained again")

    monkeypatch.setattr(_admet_ready, "train_panel", refuse)
    library = tmp_path / "lib.smi"
    library.write_text(f"{ASPIRIN} aspirin\nC1CC broken\n")
    out = tmp_path / "admet.csv"
    assert (
        main(["admet", "predict", str(library), "--endpoints", "hia_hou", "--out", str(out)]) == 0
    )
    table = pd.read_csv(out)
    assert table["id"].tolist() == ["aspirin", "broken"] and table["ok"].tolist() == [True, False]
    panel = admet.ready_panel("hia_hou")
    assert panel.directory == root and panel.info["models"]["hia_hou"]["tdc_test"]["value"] > 0.9
    assert panel.predict([ASPIRIN])["value"].iloc[0] == pytest.approx(table["value"].iloc[0])


def test_a_corrupt_ready_panel_says_how_to_rebuild(cache, monkeypatch):
    root = admet.ready_panel_dir() / "hia_hou"
    root.mkdir(parents=True)
    (root / "panel.json").write_text("{broken")
    with pytest.raises(admet.PanelLoadError, match=r"hia_hou.*drugml admet build --rebuild"):
        admet.ready_panel("hia_hou")
    with pytest.raises(admet.UnknownEndpointError, match="herg"):
        admet.ready_panel("hergg")


def test_the_cache_folder_follows_what_the_models_depend_on(cache, monkeypatch):
    before = admet.ready_panel_dir()
    changed = dataclasses.replace(admet.ENDPOINTS["herg"], estimator="knn")
    monkeypatch.setitem(admet.ENDPOINTS, "herg", changed)
    assert admet.ready_panel_dir() != before
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache / "xdg"))
    monkeypatch.delenv(admet.CACHE_ENV)
    assert admet.ready_panel_dir().is_relative_to(cache / "xdg" / "drugml")


def test_every_learning_library_of_the_key_is_found_installed():
    # a library whose version is not found would not change the folder when it changes
    assert all(_admet_ready.library_versions().values())
