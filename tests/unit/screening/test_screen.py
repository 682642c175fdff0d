"""Library screening: counts add up, resumable after a kill, local = Dask, clear errors."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from drugml import data
from drugml.models import PropertyModel
from drugml.screening.screen import ScreenConfigError, load_rejects, load_results, screen_library

DRUGS = data.load("approved_drugs")["smiles"].dropna().tolist()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    esol = data.load("esol")
    model = PropertyModel(estimator="xgboost", estimator_params={"n_estimators": 30}).fit(
        esol["smiles"].head(300), esol["measured log solubility in mols per litre"].head(300)
    )
    return model.save(tmp_path_factory.mktemp("models") / "solubility")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A SMILES file with valid drugs, invalid SMILES and blank lines."""
    lines = [f"{s} drug{i}" for i, s in enumerate(DRUGS[:400])]
    lines[10] = "C1CC broken-ring"
    lines[50] = ""
    lines[51] = "   "
    lines[200] = "not_a_smiles x"
    path = tmp_path_factory.mktemp("library") / "library.smi"
    path.write_text("\n".join(lines) + "\n")
    return path


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("record", ignore_index=True)


def test_counts_add_up_and_rejects_say_why(library, model_dir, tmp_path):
    summary = screen_library(
        library, {"sol": model_dir}, tmp_path / "out", chunk_size=64, progress=False
    )
    results, rejects = load_results(tmp_path / "out"), load_rejects(tmp_path / "out")
    assert summary["records"] == 400 == len(results) + len(rejects)
    assert summary["scored"] == len(results) and summary["rejected"] == len(rejects)
    assert sorted(results["record"].tolist() + rejects["record"].tolist()) == list(range(1, 401))
    by_record = rejects.set_index("record")["reason"]
    assert by_record[11].startswith("unparsable") and by_record[201].startswith("unparsable")
    assert by_record[51].startswith("empty") and by_record[52].startswith("empty")
    for column in (
        "sol_prediction",
        "sol_lower",
        "sol_upper",
        "sol_nearest_similarity",
        "sol_in_domain",
        "qed",
        "sa_score",
        "ro5_violations",
        "pains",
        "inchikey",
    ):
        assert column in results
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["finished"] == list(range(7))  # ceil(400 / 64) chunks


def test_a_kept_column_empty_in_a_whole_chunk_is_still_text_and_the_screen_ranks(
    model_dir, tmp_path
):
    from drugml.screening.rank_stream import check_screen

    # names only in the first chunk: the second chunk's would read as float NaN
    names = [f"drug {i}" if i < 20 else None for i in range(40)]
    table = pd.DataFrame({"smiles": DRUGS[:40], "id": [f"d{i}" for i in range(40)], "name": names})
    path = tmp_path / "library.csv"
    table.to_csv(path, index=False)
    screen_library(
        path,
        {"sol": model_dir},
        tmp_path / "out",
        chunk_size=20,
        smiles_column="smiles",
        id_column="id",
        keep_columns=["name"],
        progress=False,
    )
    check_screen(tmp_path / "out")  # refused parts of "two runs" before
    names = load_results(tmp_path / "out").sort_values("record")["name"]
    assert names.head(20).tolist() == [f"drug {i}" for i in range(20)]
    assert names.tail(20).isna().all()


def test_refuses_to_resume_a_different_run(library, model_dir, tmp_path):
    screen_library(library, {"sol": model_dir}, tmp_path / "out", chunk_size=100, progress=False)
    with pytest.raises(ScreenConfigError, match="differs in: chunk_size"):
        screen_library(library, {"sol": model_dir}, tmp_path / "out", chunk_size=50, progress=False)
    # resume=False starts over instead.
    again = screen_library(
        library, {"sol": model_dir}, tmp_path / "out", chunk_size=50, resume=False, progress=False
    )
    assert again["chunks"] == 8 and again["chunks_resumed"] == 0


def test_bad_input_is_named_before_any_work(library, model_dir, tmp_path):
    csv = tmp_path / "library.csv"
    pd.DataFrame({"structure": DRUGS[:5]}).to_csv(csv, index=False)
    with pytest.raises(Exception, match="structure"):
        screen_library(csv, {"sol": model_dir}, tmp_path / "a", progress=False)
    assert not (tmp_path / "a" / "manifest.json").exists()
    with pytest.raises(ScreenConfigError, match="does not exist"):
        screen_library(tmp_path / "missing.smi", {"sol": model_dir}, tmp_path / "b")
    with pytest.raises(ScreenConfigError, match="not a saved drugml model"):
        screen_library(library, {"sol": tmp_path}, tmp_path / "c")
    with pytest.raises(ScreenConfigError, match="no column"):
        screen_library(library, {"sol": model_dir}, tmp_path / "d", keep_columns=["name"])


def test_alert_catalogues_are_chosen_and_part_of_the_run(library, model_dir, tmp_path):
    from drugml.screening.filters import druglikeness

    default = screen_library(
        library, {"sol": model_dir}, tmp_path / "a", chunk_size=100, progress=False
    )
    assert default["alerts"] == ["pains", "brenk"]
    assert "nih" not in load_results(tmp_path / "a")
    screen_library(
        library,
        {"sol": model_dir},
        tmp_path / "b",
        chunk_size=100,
        alerts=["pains", "brenk", "nih"],
        progress=False,
    )
    results = load_results(tmp_path / "b")
    # The screen's flags are those of druglikeness() on the standardized molecules.
    expected = druglikeness(results["smiles"])
    for column in ("pains", "pains_alerts", "brenk", "brenk_alerts", "nih", "nih_alerts", "qed"):
        assert results[column].tolist() == expected[column].tolist(), column
    assert results["nih"].any() and results["brenk"].any()
    with pytest.raises(ScreenConfigError, match="differs in: read_options"):
        screen_library(library, {"sol": model_dir}, tmp_path / "b", chunk_size=100, progress=False)
    with pytest.raises(ScreenConfigError, match="alerts must be distinct names"):
        screen_library(library, {"sol": model_dir}, tmp_path / "c", alerts=["toxic"])
    assert not (tmp_path / "c").exists()


def test_truncated_sdf_keeps_every_record(model_dir, tmp_path):
    from rdkit import Chem

    path = tmp_path / "library.sdf"
    with Chem.SDWriter(str(path)) as writer:
        for smiles in DRUGS[:30]:
            writer.write(Chem.MolFromSmiles(smiles))
    text = path.read_text()
    path.write_text(text[: len(text) - 400])  # the file ends in the middle of the last record
    summary = screen_library(
        path, {"sol": model_dir}, tmp_path / "out", chunk_size=8, progress=False
    )
    rejects = load_rejects(tmp_path / "out")
    assert summary["records"] == summary["scored"] + summary["rejected"] == 30
    assert len(rejects) >= 1 and rejects["record"].max() == 30


@pytest.mark.slow
def test_local_processes_and_dask_give_the_same_rows(library, model_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    one = screen_library(
        library, {"sol": model_dir}, tmp_path / "one", chunk_size=64, progress=False
    )
    two = screen_library(
        library, {"sol": model_dir}, tmp_path / "two", chunk_size=64, n_jobs=2, progress=False
    )
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = screen_library(
            library,
            {"sol": model_dir},
            tmp_path / "dask",
            chunk_size=64,
            backend="dask",
            client=client,
            progress=False,
        )
    # no client: the screen starts (and closes) a LocalCluster of n_jobs workers
    own = screen_library(
        library,
        {"sol": model_dir},
        tmp_path / "own",
        chunk_size=64,
        n_jobs=2,
        backend="dask",
        progress=False,
    )
    assert one["scored"] == two["scored"] == dask["scored"] == own["scored"]
    expected = load_results(tmp_path / "one")
    pd.testing.assert_frame_equal(load_results(tmp_path / "two"), expected)
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask"), expected)
    pd.testing.assert_frame_equal(load_results(tmp_path / "own"), expected)
    pd.testing.assert_frame_equal(load_rejects(tmp_path / "dask"), load_rejects(tmp_path / "one"))


KILLABLE = """
import sys
from drugml.screening.screen import screen_library
screen_library(sys.argv[1], {"sol": sys.argv[2]}, sys.argv[3], chunk_size=25, progress=False)
"""


def _finished(out) -> list[int]:
    try:
        return json.loads((out / "manifest.json").read_text())["finished"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return []


@pytest.mark.slow
def test_killed_at_random_moments_and_resumed_gives_the_same_rows(library, model_dir, tmp_path):
    reference = tmp_path / "reference"
    screen_library(library, {"sol": model_dir}, reference, chunk_size=25, progress=False)
    out = tmp_path / "killed"
    rng = random.Random(7)
    kills = 0
    for _ in range(4):
        # Kill at a random moment after a few more chunks have finished, so each
        # kill lands mid-run however fast the machine is: mid-chunk, mid-write
        # or between the part files and the manifest.
        target = len(_finished(out)) + rng.randint(1, 3)
        process = subprocess.Popen(
            [sys.executable, "-c", KILLABLE, str(library), str(model_dir), str(out)],
            start_new_session=True,
        )
        while process.poll() is None and len(_finished(out)) < target:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.15))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills >= 3, "the screen finished before the kills: make the library larger"
    summary = screen_library(library, {"sol": model_dir}, out, chunk_size=25, progress=False)
    assert summary["records"] == 400
    pd.testing.assert_frame_equal(load_results(out), load_results(reference))
    pd.testing.assert_frame_equal(load_rejects(out), load_rejects(reference))
    leftovers = [p.name for p in (out / "parts").iterdir() if not p.name.startswith("part-")]
    assert leftovers == []


def test_a_library_of_garbage_stops_with_its_reasons_and_a_mostly_bad_one_warns(
    model_dir, tmp_path
):
    from drugml.cli import main
    from drugml.screening.screen import NothingScreenedError

    garbage = tmp_path / "garbage.smi"
    garbage.write_text("".join(f"xx{i}yy(( junk{i}\n" for i in range(30)))
    with pytest.raises(NothingScreenedError, match=r"30 of 30 records .* rejected") as error:
        screen_library(garbage, {"sol": model_dir}, tmp_path / "g", progress=False)
    message = str(error.value)
    assert "unparsable" in message and "SMILES column" in message
    assert "unparsable: unparsable" not in message  # each thing said once
    assert len(load_rejects(tmp_path / "g")) == 30  # the reasons are kept
    reasons = load_rejects(tmp_path / "g")["reason"]
    assert all(r.split(": ")[0] != r.split(": ")[1] for r in reasons)
    # The command exits non-zero with the first reasons, no traceback.
    argv = [
        "screen",
        str(garbage),
        "--model",
        str(model_dir),
        "--out",
        str(tmp_path / "c"),
        "--quiet",
    ]
    assert main(argv) == 2
    mostly = tmp_path / "mostly.smi"
    mostly.write_text("CCO ok\n" + "".join(f"xx{i}(( bad{i}\n" for i in range(3)))
    with pytest.warns(UserWarning, match=r"3 of 4 records .* were rejected"):
        summary = screen_library(mostly, {"sol": model_dir}, tmp_path / "m", progress=False)
    assert summary["scored"] == 1


def test_shortlist_profile_keeps_the_short_list(model_dir, tmp_path):
    """The short-list profile skips most of the profile and keeps the short list, on the
    embedded approved drugs (salt forms merged) and EGFR compounds, ranked with model
    objectives."""
    from drugml.schema import PROFILED
    from drugml.screening.rank import rank_candidates
    from drugml.screening.screen import merge_salt_forms

    drugs = data.load("approved_drugs")
    egfr = data.load("egfr_compounds")
    smiles = drugs["smiles"].dropna().head(360).tolist() + egfr["smiles"].head(240).tolist()
    library = tmp_path / "library.smi"
    library.write_text("".join(f"{s} m{i}\n" for i, s in enumerate(smiles)))
    ranking = {
        "objectives": {
            "sol": {
                "column": "sol_prediction",
                "shape": "increasing",
                "low": -5,
                "high": -1,
                "weight": 2.0,
            },
            "width": {
                "column": "sol_interval_width",
                "shape": "decreasing",
                "low": 1.0,
                "high": 3.0,
                "weight": 0.5,
            },
            "domain": {
                "column": "sol_nearest_similarity",
                "shape": "increasing",
                "low": 0.2,
                "high": 0.5,
            },
            "qed": {"column": "qed", "shape": "increasing", "low": 0.2, "high": 0.7},
            "sa": {"column": "sa_score", "shape": "decreasing", "low": 3.0, "high": 6.0},
            "ro5": {
                "column": "ro5_violations",
                "shape": "decreasing",
                "low": 1,
                "high": 3,
                "weight": 0.5,
            },
        },
        "filters": {"pains": {"equals": False}, "brenk": {"equals": False}},
        "top_k": 8,
        "pool_factor": 2,
    }
    models = {"sol": model_dir}
    screen_library(library, models, tmp_path / "full", chunk_size=100, progress=False)
    summary = screen_library(
        library,
        models,
        tmp_path / "short",
        chunk_size=100,
        progress=False,
        profile="shortlist",
        ranking=ranking,
    )
    full, short = load_results(tmp_path / "full"), load_results(tmp_path / "short")
    assert summary["profiled"] == short[PROFILED].sum() < 0.6 * len(short)
    assert short.loc[~short[PROFILED], ["qed", "sa_score", "pains_alerts"]].isna().all().all()
    # Predictions and properties of every molecule; every column of the profiled ones.
    for column in ("sol_prediction", "mw", "ro5_violations"):
        assert full[column].equals(short[column]), column
    profiled = short[PROFILED].to_numpy()
    for column in full.columns:
        assert (
            full.loc[profiled, column]
            .astype(object)
            .equals(short.loc[profiled, column].astype(object))
        ), column
    pool = 16
    for merge in (merge_salt_forms, lambda table: table):
        expected = rank_candidates(merge(full), ranking)
        got = rank_candidates(merge(short), ranking)
        assert (
            expected.loc[expected["selected"], "record"].tolist()
            == got.loc[got["selected"], "record"].tolist()
        )
        assert (
            expected.loc[expected["passes_filters"], "record"].head(pool).tolist()
            == got.loc[got["passes_filters"], "record"].head(pool).tolist()
        )
    with pytest.raises(ScreenConfigError, match="diversity: maxmin"):
        screen_library(
            library,
            models,
            tmp_path / "sphere",
            profile="shortlist",
            ranking={**ranking, "diversity": "sphere"},
            progress=False,
        )
