"""Streaming rank of a screen: equals the in-memory ranking, refuses bad folders, `drugml rank`."""

from __future__ import annotations

import html
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from drugml import data
from drugml.cli import main
from drugml.models import PropertyModel
from drugml.models.metrics import enrichment_summary
from drugml.screening.rank import pareto_rank, rank_candidates
from drugml.screening.rank_stream import (
    CorruptPartError,
    IncompleteScreenError,
    MixedScreenError,
    RankedScreen,
    RankingExistsError,
    ScreenFolderError,
    rank_screen,
)
from drugml.screening.screen import load_results, merge_salt_forms, screen_library
from drugml.screening.validation import find_known_actives

RANKING = {
    "objectives": {
        "solubility": {
            "column": "sol_prediction",
            "shape": "increasing",
            "low": -6,
            "high": -2,
            "weight": 2.0,
        },
        "width": {"column": "sol_interval_width", "shape": "decreasing", "low": 1, "high": 4},
        "qed": {"column": "qed", "shape": "increasing", "low": 0.2, "high": 0.7},
        "sa": {"column": "sa_score", "shape": "decreasing", "low": 3, "high": 6, "weight": 0.5},
    },
    "filters": {"pains": {"equals": False}, "ro5_violations": {"max": 1}},
    "top_k": 6,
    "pool_factor": 3,
    "novelty_column": "sol_nearest_similarity",
}
KNOWN = ["ERLOTINIB", "GEFITINIB", "IMATINIB", "ASPIRIN"]


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    """A finished screen of 260 drugs with salt forms, duplicates and names: its folder."""
    folder = tmp_path_factory.mktemp("stream")
    esol = data.load("esol")
    model = PropertyModel(estimator="xgboost", estimator_params={"n_estimators": 20}).fit(
        esol["smiles"].head(200), esol["measured log solubility in mols per litre"].head(200)
    )
    model.save(folder / "sol")
    drugs = data.load("approved_drugs").dropna(subset=["smiles"])
    drugs = drugs[drugs["smiles"].str.len() < 90]
    names = drugs["pref_name"].fillna("").str.upper()
    wanted = drugs[names.str.split().str[0].isin(KNOWN[:3])]
    drugs = pd.concat([wanted, drugs.head(230)]).drop_duplicates("molecule_chembl_id")
    library = pd.DataFrame(
        {
            "smiles": drugs["smiles"],
            "id": drugs["molecule_chembl_id"],
            "name": drugs["pref_name"].fillna(""),
        }
    )
    salts = library.head(20).assign(
        smiles=lambda t: t["smiles"] + ".Cl",
        id=lambda t: t["id"] + "-HCl",
        name=lambda t: t["name"] + " HYDROCHLORIDE",
    )
    library = pd.concat([library, salts, library.iloc[30:40]], ignore_index=True)
    library.to_csv(folder / "library.csv", index=False)
    screen_library(
        folder / "library.csv",
        {"sol": folder / "sol"},
        folder / "screen",
        chunk_size=40,
        smiles_column="smiles",
        id_column="id",
        keep_columns=["name"],
        progress=False,
    )
    return folder / "screen"


def _in_memory(screen_dir, trained_on, known):
    screened = load_results(screen_dir)
    ranked = rank_candidates(merge_salt_forms(screened, "name"), RANKING)
    ranked["in_training_data"] = ranked["inchikey"].isin(trained_on)
    ranked["training_data_of"] = ["; ".join(trained_on.get(k, [])) for k in ranked["inchikey"]]
    actives = find_known_actives(screened, known, "name")
    ranked["known_active"] = ranked["inchikey"].isin(actives)
    return ranked, actives


@pytest.mark.parametrize("block_rows", [100_000, 37])
def test_streaming_rank_equals_the_in_memory_ranking_row_for_row(screen, tmp_path, block_rows):
    screened = load_results(screen)
    trained_on = {k: ["sol"] for k in screened["inchikey"].iloc[::7]}
    expected, actives = _in_memory(screen, trained_on, KNOWN)
    assert len(actives) >= 2 and len(expected) < len(screened)  # salt forms merged
    result = rank_screen(
        screen,
        RANKING,
        tmp_path / "out",
        name_column="name",
        trained_on=trained_on,
        known_actives=KNOWN,
        top_n=50,
        block_rows=block_rows,
    )
    streamed = pd.read_parquet(tmp_path / "out" / "ranked")
    assert list(streamed.columns) == list(expected.columns)
    pool = int(np.flatnonzero(~expected["passes_filters"])[0])
    pool = min(pool, RANKING["top_k"] * RANKING["pool_factor"])
    assert streamed["pareto_rank"].notna().sum() == pool
    in_pool = expected.head(pool)[[f"d_{n}" for n in RANKING["objectives"]]].to_numpy()
    assert streamed["pareto_rank"].head(pool).astype(int).tolist() == pareto_rank(in_pool).tolist()
    others = [c for c in expected.columns if c != "pareto_rank"]
    pd.testing.assert_frame_equal(streamed[others], expected[others], check_dtype=False)
    assert streamed["selected"].sum() == RANKING["top_k"]
    # The top of the list, the highlights and the known actives' places
    top = pd.read_csv(tmp_path / "out" / "ranked_candidates.csv")
    assert top["rank"].tolist() == list(range(1, 51))
    assert result.known_inchikeys == actives
    assert set(result.known["inchikey"]) == actives
    assert result.selected["rank"].tolist() == expected.loc[expected["selected"], "rank"].tolist()
    seen = set(trained_on)
    for by in ("rank", "sol_prediction"):
        for unseen in (False, True):
            want = enrichment_summary(expected, actives, seen if unseen else (), by=by)
            got = result.enrichment(by, without_training=unseen)
            assert got == pytest.approx(want, nan_ok=True), (by, unseen)
    counts, _ = result.histogram("score")
    assert counts.sum() == len(expected)
    assert (counts == np.histogram(expected["score"], bins=40)[0]).all()
    again = RankedScreen.load(tmp_path / "out")
    pd.testing.assert_frame_equal(again.top, result.top)


def test_sphere_diversity_streams_the_same_short_list(screen, tmp_path):
    config = {**RANKING, "diversity": "sphere", "max_similarity": 0.3}
    expected = rank_candidates(merge_salt_forms(load_results(screen), "name"), config)
    rank_screen(screen, config, tmp_path / "out", name_column="name", block_rows=50)
    streamed = pd.read_parquet(tmp_path / "out" / "ranked")
    assert streamed["selected"].tolist() == expected["selected"].tolist()


def _copy(screen, tmp_path):
    target = tmp_path / "screen"
    shutil.copytree(screen, target)
    return target


def test_bad_screen_folders_are_refused_with_the_fix(screen, tmp_path):
    broken = _copy(screen, tmp_path)
    (broken / "summary.json").unlink()
    with pytest.raises(IncompleteScreenError, match=r"killed and not resumed.*resume it"):
        rank_screen(broken, RANKING, tmp_path / "a")
    shutil.rmtree(broken)
    broken = _copy(screen, tmp_path)  # a later run killed after two chunks
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["finished"] = manifest["finished"][:2]
    (broken / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IncompleteScreenError, match="2 finished chunk"):
        rank_screen(broken, RANKING, tmp_path / "a")
    shutil.rmtree(broken)
    broken = _copy(screen, tmp_path)  # a part of another configuration
    part = broken / "parts" / "part-000001.parquet"
    pd.read_parquet(part).drop(columns=["qed"]).to_parquet(part, index=False)
    with pytest.raises(MixedScreenError, match=r"part-000001.*fewer: \['qed'\]"):
        rank_screen(broken, RANKING, tmp_path / "a")
    shutil.rmtree(broken)
    broken = _copy(screen, tmp_path)  # an extra part of another run
    shutil.copy(broken / "parts" / "part-000000.parquet", broken / "parts" / "part-000099.parquet")
    with pytest.raises(MixedScreenError, match=r"not chunks of this screen.*part-000099"):
        rank_screen(broken, RANKING, tmp_path / "a")
    (broken / "parts" / "part-000099.parquet").unlink()
    (broken / "parts" / "part-000002.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(CorruptPartError, match=r"part-000002\.parquet is damaged.*Delete it"):
        rank_screen(broken, RANKING, tmp_path / "a")
    assert not (tmp_path / "a").exists()  # nothing written
    with pytest.raises(ScreenFolderError, match=r"no manifest\.json"):
        rank_screen(tmp_path, RANKING, tmp_path / "a")


def test_an_existing_ranking_is_kept_unless_overwritten(screen, tmp_path):
    out = tmp_path / "out"
    rank_screen(screen, RANKING, out)
    before = (out / "ranked_candidates.csv").read_text()
    other = {**RANKING, "top_k": 3}
    with pytest.raises(RankingExistsError, match="another screen or configuration"):
        rank_screen(screen, other, out)
    assert (out / "ranked_candidates.csv").read_text() == before
    rank_screen(screen, RANKING, out)  # the same ranking again: allowed
    rank_screen(screen, other, out, overwrite=True)
    assert pd.read_parquet(out / "ranked")["selected"].sum() == 3
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no leftovers


def test_drugml_rank_reranks_a_screen_from_a_ranking_or_a_campaign_file(screen, tmp_path, capsys):
    ranking = tmp_path / "ranking.yaml"
    ranking.write_text(yaml.safe_dump({**RANKING, "top_k": 4}))
    assert (
        main(
            [
                "rank",
                str(screen),
                "--config",
                str(ranking),
                "--out",
                str(tmp_path / "r1"),
                "--top",
                "30",
                "--no-report",
            ]
        )
        == 0
    )
    assert not (tmp_path / "r1" / "report.html").exists()
    top = pd.read_csv(tmp_path / "r1" / "ranked_candidates.csv")
    assert len(top) == 30 and top["selected"].sum() == 4
    assert "4 on the short list" in capsys.readouterr().out
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(
        yaml.safe_dump(
            {
                "models": [{"name": "sol", "data": {"table": "esol", "target_column": "y"}}],
                "library": {"path": "lib.csv", "name_column": "name"},
                "ranking": RANKING,
                "validation": {"known_actives": KNOWN},
            }
        )
    )
    assert (
        main(
            [
                "rank",
                str(screen),
                "--config",
                str(campaign),
                "--out",
                str(tmp_path / "r2"),
                "--top",
                "40",
            ]
        )
        == 0
    )
    summary = json.loads((tmp_path / "r2" / "ranking.json").read_text())
    assert summary["known_actives"]["found"] >= 2
    _check_ranking_page(tmp_path / "r2", summary)
    page = (tmp_path / "r2" / "report.html").read_text()
    # a screen outside its run's folder: which compounds trained a model is not known, not 0
    assert "Training compounds are not marked" in page and "is not known here" in page
    assert "without training compounds" not in page and "0 of them are in" not in page
    # a campaign's docking objective is left out, said on the terminal and on the page
    docked = {
        **RANKING,
        "objectives": {
            **RANKING["objectives"],
            "docking": {
                "column": "docking_score",
                "shape": "decreasing",
                "low": -9.0,
                "high": -5.0,
            },
        },
    }
    (tmp_path / "docked.yaml").write_text(yaml.safe_dump(docked))
    capsys.readouterr()
    assert (
        main(
            [
                "rank",
                str(screen),
                "--config",
                str(tmp_path / "docked.yaml"),
                "--out",
                str(tmp_path / "r6"),
            ]
        )
        == 0
    )
    note = "docking objectives and filters (docking_score) are left out"
    assert note in capsys.readouterr().err
    page = (tmp_path / "r6" / "report.html").read_text()
    assert note in page
    # no known actives named: the figures do not claim to mark them
    assert "Where the known actives land" not in page and "known actives as red" not in page
    only_docking = {**RANKING, "objectives": {"docking": docked["objectives"]["docking"]}}
    (tmp_path / "only.yaml").write_text(yaml.safe_dump(only_docking))
    assert (
        main(
            [
                "rank",
                str(screen),
                "--config",
                str(tmp_path / "only.yaml"),
                "--out",
                str(tmp_path / "r7"),
            ]
        )
        == 2
    )
    assert "every objective of the ranking is on a docking column" in capsys.readouterr().err
    assert main(["rank", str(screen), "--out", str(tmp_path / "r7"), "--top", "0"]) == 2
    assert "--top" in capsys.readouterr().err and not (tmp_path / "r7").exists()
    # a re-rank without a page removes the earlier ranking's page
    assert (
        main(
            [
                "rank",
                str(screen),
                "--config",
                str(ranking),
                "--out",
                str(tmp_path / "r6"),
                "--overwrite",
                "--no-report",
            ]
        )
        == 0
    )
    assert not (tmp_path / "r6" / "report.html").exists()
    # a file of only the sections a ranking uses, as a user cuts them out of a campaign
    sections = tmp_path / "sections.yaml"
    sections.write_text(
        yaml.safe_dump(
            {
                "ranking": {**RANKING, "top_k": 3},
                "library": {"name_column": "name"},
                "validation": {"known_actives": KNOWN},
            }
        )
    )
    assert (
        main(["rank", str(screen), "--config", str(sections), "--out", str(tmp_path / "r4")]) == 0
    )
    summary = json.loads((tmp_path / "r4" / "ranking.json").read_text())
    assert summary["selected"] == 3 and summary["known_actives"]["found"] >= 2
    # the screen/ of a drugml run: a ranking-only file keeps the run's names and actives
    shutil.copytree(screen, tmp_path / "run" / "screen")
    shutil.copy(campaign, tmp_path / "run" / "config.yaml")
    assert (
        main(
            [
                "rank",
                str(tmp_path / "run" / "screen"),
                "--config",
                str(ranking),
                "--out",
                str(tmp_path / "r5"),
            ]
        )
        == 0
    )
    summary = json.loads((tmp_path / "r5" / "ranking.json").read_text())
    assert summary["selected"] == 4 and summary["known_actives"]["found"] >= 2
    assert main(["rank", str(screen), "--config", str(ranking), "--out", str(tmp_path / "r2")]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (
        main(["rank", str(tmp_path), "--config", str(ranking), "--out", str(tmp_path / "r3")]) == 2
    )
    assert "no manifest.json" in capsys.readouterr().err


def _check_ranking_page(folder, summary):
    """``drugml rank``'s report.html: the candidates, the short list and the known actives of
    this ranking, named, with nothing fetched from elsewhere."""
    page = (folder / "report.html").read_text()
    ranked = RankedScreen.load(folder)
    shown = min(100, len(ranked.top))  # the table shows the top rows the folder holds
    assert page.count("<tr data-train=") == shown
    assert f"Showing the best {shown} of {summary['structures']:,} distinct structures" in page
    assert f"{len(ranked.selected)} molecules picked for diversity" in page
    assert "Where the known actives land" in page
    for name in ranked.known["name"]:  # every known active found is in its table, by name
        assert html.escape(name.split(";")[0].strip()) in page
    assert f"{summary['known_actives']['found']} known actives named" in page
    for objective in RANKING["objectives"]:
        assert f"<td>{objective}</td>" in page
    assert 'src="http' not in page and 'href="http' not in page
