"""The report's sections and both pages, from a hand-made ranked table of six molecules: no
run, no model training, no docking (the pages of a real run: test_pipeline, test_browser)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from drugml.report import (
    SHOWN_CANDIDATES,
    docking_html,
    figure_html,
    score_factors,
    table_html,
    write_ranking_report,
    write_report,
)
from drugml.report._candidates import candidate_sections, candidate_table, score_figure
from drugml.report._html import join_parts, page
from drugml.report._inputs import (
    ranking_configuration_section,
    screen_section,
    versions_section,
)
from drugml.report._known_actives import (
    enrichment_words,
    known_actives_section,
    recovery_figure,
)
from drugml.report._models import (
    curation_section,
    model_figures,
    models_section,
    training_data_section,
)
from drugml.report._pocket import docking_section, pocket_section
from drugml.report._view import RankedView, molecule_name
from drugml.screening.rank_stream import RankedScreen
from drugml.screening.ranking_config import parse_ranking
from drugml.structure.scoring import scoring_evidence

RANKING = {
    "objectives": {
        "potency": {
            "column": "pic50_prediction",
            "shape": "increasing",
            "low": 5,
            "high": 8,
            "weight": 3.0,
        },
        "safety": {"column": "herg_probability", "shape": "decreasing", "low": 0.2, "high": 0.6},
    },
    "filters": {"ro5_violations": {"max": 1}, "pains": {"equals": False}},
    "top_k": 2,
    "pool_factor": 2,
}
MODELS = {"pic50": "regression", "herg": "classification"}
BAD_NAME = "<b>Bad & name</b>"


def _ranked() -> pd.DataFrame:
    """Six ranked molecules with the columns the sections read; the score is the weighted
    geometric mean of the desirabilities (weights 3 and 1), as the ranking makes it."""
    d_potency = np.array([1.0, 0.9, 0.6, 0.5, 0.3, 0.8])
    d_safety = np.array([0.9, 1.0, 0.5, 0.0625, 1.0, 0.7])
    table = pd.DataFrame(
        {
            "rank": [1, 2, 3, 4, 5, 6],
            "id": ["m1", "m2; m2-HCl", "m3", "m4", "m5", "a; b; c; d; e"],
            "name": ["ERLOTINIB", BAD_NAME, None, "gefitinib", "compound 5", "failing one"],
            "smiles": [
                "CCO",
                "c1ccccc1O",
                "CC(=O)Oc1ccccc1C(=O)O",
                "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
                "CN1C=NC2=C1C(=O)N(C(=O)N2C)C",
                "CC(=O)Nc1ccc(O)cc1",
            ],
            "d_potency": d_potency,
            "d_safety": d_safety,
            "score": d_potency**0.75 * d_safety**0.25,
            "passes_filters": [True, True, True, True, True, False],
            "filter_reasons": ["", "", "", "", "", "ro5_violations > 1"],
            "pareto_rank": [1, 1, 2, 3, 1, np.nan],
            "selected": [True, False, True, False, False, False],
            "known_active": [True, False, False, False, True, False],
            "in_training_data": [True, False, False, False, False, False],
            "training_data_of": ["pic50", "", "", "", "", ""],
            "qed": [0.4, 0.5, 0.55, 0.7, 0.5, 0.6],
            "sa_score": [1.0, 1.2, 1.8, 2.0, 2.5, np.nan],
            "ro5_violations": [0, 0, 0, 0, 0, 2],
            "pains": [False] * 6,
            "brenk_alerts": ["", "phenol", "", "", "", ""],
            "pic50_prediction": [8.2, 7.7, 6.8, 6.5, 5.9, 7.4],
            "pic50_lower": [7.5, 7.0, 6.0, 5.8, 5.1, 6.6],
            "pic50_upper": [8.9, 8.4, 7.6, 7.2, 6.7, 8.2],
            "pic50_in_domain": [True, True, True, False, True, True],
            "pic50_nearest_similarity": [1.0, 0.6, 0.5, 0.3, 0.4, 0.5],
            "herg_probability": [0.25, 0.1, 0.4, 0.6, 0.2, 0.3],
            "herg_nearest_similarity": [0.5] * 6,
        }
    )
    return table


def _validation(n_in_top: int = 1) -> dict:
    found = {
        "n_known_actives": 2,
        "n_compounds": 6,
        "n_in_top_1pct": n_in_top,
        "n_in_top_5pct": n_in_top,
        "ef_1pct": 3.0 * n_in_top,
        "ef_5pct": 3.0 * n_in_top,
        "bedroc_alpha20": 0.5,
    }
    return {
        "all_compounds": found,
        "without_training_compounds": {**found, "n_known_actives": 1},
        "pic50_alone": found,
    }


@pytest.fixture
def ranked() -> pd.DataFrame:
    return _ranked()


@pytest.fixture
def config():
    return parse_ranking(RANKING)


@pytest.fixture
def view(ranked, config) -> RankedView:
    return RankedView.of(ranked, config, MODELS, "name")


def _rows(text: str) -> int:
    return len(re.findall(r"<tr data-train=", text))


# ----------------------------------------------------------------- page skeleton
def test_table_html_escapes_cuts_and_formats():
    frame = pd.DataFrame({"a<b": ["x & y", None], "v": [1.23456, float("nan")]})
    text = table_html(frame)
    assert "<th>a&lt;b</th>" in text and "<td>x &amp; y</td>" in text
    assert "<td>1.23</td>" in text and "<td></td><td></td>" in text
    cut = table_html(pd.DataFrame({"n": range(7)}), max_rows=5, more=" in all.csv")
    assert cut.count("<tr>") == 6 and "2 more rows in all.csv." in cut


def test_figure_html_embeds_a_png_with_escaped_alt_text():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    text = figure_html(fig, alt='a "line" & more', width=300)
    assert text.startswith(
        '<img alt="a &quot;line&quot; &amp; more" width="300" src="data:image/png;'
    )
    assert not plt.get_fignums()  # closed


def test_page_leaves_out_empty_sections_and_stays_self_contained():
    text = page("T", ["<h2>A</h2>", "", join_parts(["<p>b</p>", "", "<p>c</p>"])], "<x-head>")
    assert "<h2>A</h2>\n<p>b</p>\n<p>c</p>\n<script>" in text
    assert "<title>T</title>" in text and "<x-head></head>" in text
    assert "http" not in text


# ---------------------------------------------------------------- candidates
def test_score_factors_multiply_to_the_score(ranked, config):
    factors = score_factors(ranked, config)
    assert list(factors.columns) == ["potency", "safety"]
    assert np.allclose(factors.prod(axis=1), ranked["score"])
    assert factors.loc[3, "safety"] == pytest.approx(0.5)  # 0.0625 ** (1 / 4)


def test_score_factors_multiply_to_the_score_the_ranking_computes(ranked):
    from drugml.screening.rank import rank_candidates

    made_by_ranking = [
        "rank",
        "score",
        "d_potency",
        "d_safety",
        "selected",
        "passes_filters",
        "filter_reasons",
        "pareto_rank",
    ]
    properties = ranked.drop(columns=made_by_ranking)
    ranking = rank_candidates(properties, RANKING)
    assert np.allclose(score_factors(ranking, RANKING).prod(axis=1), ranking["score"])


def test_molecule_name_falls_back_to_the_first_id(ranked):
    rows = list(ranked.itertuples(index=False))
    assert molecule_name(rows[0], "name") == "ERLOTINIB"
    assert molecule_name(rows[2], "name") == "m3"  # no name
    assert molecule_name(rows[1], None) == "m2"


def test_candidate_table_has_one_row_per_shown_molecule_and_escapes_names(ranked, config):
    text = candidate_table(ranked, config, "name", ["brenk"], MODELS, "pic50")
    assert _rows(text) == len(ranked) <= SHOWN_CANDIDATES
    assert BAD_NAME not in text and "&lt;b&gt;Bad &amp; name&lt;/b&gt;" in text
    assert "<th>P(herg)</th>" in text and "<th>pic50 (90 % interval)</th>" in text
    assert "8.20 <small>(7.5-8.9)</small>" in text  # the prediction with its interval
    assert "a; b; c (+2 more)" in text  # ids cut after three
    for badge in (
        "known active",
        "short list",
        "in training data (pic50)",
        "out of domain",
        "BRENK: phenol",
        "filter failed: ro5_violations &gt; 1",
    ):
        assert badge in text, badge
    assert 'data-train="1" data-fail="0" data-ood="0"' in text  # molecule 1
    assert 'data-train="0" data-fail="1" data-ood="0"' in text  # molecule 6
    assert "held back by safety 0.06 (×0.50)" in text
    assert "no objective costs it more than 3 %" in text  # molecule 1: factors 1 and 0.97


def test_candidate_table_shows_at_most_shown_candidates(ranked, config, monkeypatch):
    import drugml.report._candidates as candidates

    monkeypatch.setattr(candidates, "SHOWN_CANDIDATES", 3)
    text = candidate_table(ranked, config, "name", [], MODELS, None)
    assert _rows(text) == 3 and "of the best 3 shown" in text


def test_candidate_sections_count_and_draw_the_top_and_the_short_list(view, config):
    text = candidate_sections(view, config)
    assert "<h2>Ranked candidates</h2>" in text
    assert "Showing the best 6 of 6 distinct structures" in text
    assert 'all 6, with every column, are in <a href="ranked_candidates.csv">' in text
    assert "The 5 best-scoring molecules that pass the hard filters" in text
    assert 'aria-label="The best-scoring passing molecules: #1 ERLOTINIB, #2 ' in text
    assert "2 molecules picked for diversity" in text and "best 2 x 2 passing" in text
    assert 'aria-label="The diverse short list: #1 ERLOTINIB, #3 m3"' in text


def test_score_figure_has_alt_text_naming_the_lead_and_the_known_actives(view):
    text = score_figure(view)
    assert text.startswith(
        '<img alt="Left: predicted pic50 against QED desirability of every '
        "passing candidate, Pareto front and known actives marked."
    )


# ------------------------------------------------------------- known actives
def test_known_actives_section_shows_where_they_land(view):
    text = known_actives_section(view, _validation(), n_seen=1)
    assert text.startswith("<h2>Where the known actives land</h2>")
    assert "<p>2 known actives named in the configuration" in text
    assert "<b>1 of them are in a model's training data</b>" in text
    assert "<b>1 of 2</b> land in the top 1 %" in text
    assert "by the pic50 prediction alone, 1 and 1" in text
    assert "<th>rank by pic50 alone</th>" in text
    assert text.count("<td>ERLOTINIB</td>") == 1 and "<td>compound 5</td>" in text
    assert '<img alt="Known actives found against the fraction of the ranked library' in text


def test_known_actives_outside_the_top_are_counted_as_not_there(view):
    """An active ranked low: none of them in the top 1 or 5 %, an enrichment factor of 0."""
    text = enrichment_words(_validation(n_in_top=0), 0, "pic50")
    assert "<b>0 of 2</b> land in the top 1 % and <b>0</b> in the top 5 %" in text
    assert "EF 1 % = 0.0" in text
    assert "Without the training compounds 1 known active remain, too few" in text


def test_known_actives_section_without_any_found(ranked, config):
    none = ranked.assign(known_active=False)
    view = RankedView.of(none, config, MODELS, "name")
    validation = {"all_compounds": {**_validation(0)["all_compounds"], "n_known_actives": 0}}
    text = known_actives_section(view, validation, 0)
    assert "No known active named in the configuration was found" in text
    assert "<img" not in text and "rank by pic50 alone" not in text


def test_training_compounds_not_known_say_so():
    text = enrichment_words(_validation(), None, None)
    assert "Whether they are in a model's training data is not known" in text


def test_recovery_figure_has_alt_text(view):
    assert recovery_figure(view).startswith('<img alt="Known actives found against the fraction')


# ------------------------------------------------------- models and inputs
def _model_metrics(task: str) -> dict:
    common = {
        "task": task,
        "endpoint": "pIC50",
        "unit": "-log10(molar)",
        "estimator": "xgboost",
        "features": "ECFP4",
        "data_source": "example <table>",
        "how": "scaffold split",
        "split": "scaffold",
        "n_train": 80,
        "n_test": 20,
        "training_data": {"raw_records": 120, "compounds": 100, "active_fraction": 0.3},
        "cross_validation": {"n_folds": 5},
    }
    if task == "classification":
        return {**common, "roc_auc": 0.9, "pr_auc": 0.8}
    return {
        **common,
        "rmse": 0.61,
        "r2": 0.5,
        "coverage": 0.9,
        "selection": {
            "metric": "rmse",
            "chosen": "xgboost",
            "how": "folds",
            "scores": {"xgboost": 0.61, "rf": 0.7},
        },
    }


def test_models_section_shows_each_model_with_its_metrics_and_card():
    metrics = {
        "models": {"pic50": _model_metrics("regression"), "herg": _model_metrics("classification")}
    }
    text = models_section(metrics, MODELS, held_out={})
    assert text.startswith("<h2>Models</h2>")
    for name in MODELS:
        assert f"<h3>{name} model</h3>" in text
        assert f'<a href="models/{name}/MODEL_CARD.md">' in text
    assert "example &lt;table&gt;" in text and "<td>0.610</td>" in text
    assert "xgboost 0.610, rf 0.700" in text  # how the estimator was chosen


def test_model_figures_have_alt_text():
    rng = np.random.default_rng(0)
    y = rng.normal(6, 1, 30)
    predictions = pd.DataFrame(
        {
            "prediction": y + rng.normal(0, 0.3, 30),
            "lower": y - 1,
            "upper": y + 1,
            "nearest_similarity": rng.uniform(0, 1, 30),
        }
    )
    regression = model_figures("pic50", {"y": y, "predictions": predictions, "task": "regression"})
    assert regression.startswith('<img alt="Left: predicted against measured pic50 on the held-out')
    labels = np.array([0, 1] * 15)
    probability = pd.DataFrame(
        {"probability": np.clip(labels * 0.6 + rng.uniform(0, 0.4, 30), 0, 1)}
    )
    classification = model_figures(
        "herg", {"y": labels, "predictions": probability, "task": "classification"}
    )
    assert classification.startswith('<img alt="Left: ROC curve of the herg model')


def test_curation_section_links_the_rejected_records_and_draws_the_log():
    log = pd.DataFrame(
        {
            "step": ["raw", "merged"],
            "n_out": [120, 100],
            "n_dropped": [0, 5],
            "n_merged": [0, 15],
            "unit": ["records", "compounds"],
        }
    )
    text = curation_section("pic50", _model_metrics("regression"), log)
    assert "120 records of example &lt;table&gt; to 100 compounds, 30% active" in text
    assert '<a href="training/pic50/rejected.csv">' in text
    assert '<img alt="Records left after each curation step' in text
    both = training_data_section(
        {"models": {"pic50": _model_metrics("regression")}}, {"pic50": "regression"}, {}
    )
    assert both.startswith("<h2>Training data</h2>") and "<img" not in both


def test_ranking_configuration_lists_each_objective_and_filter(config):
    text = ranking_configuration_section(config, MODELS)
    assert text.startswith("<h2>Ranking configuration</h2>")
    for name, objective in RANKING["objectives"].items():
        assert f"<td>{name}</td><td>{objective['column']}</td>" in text
    assert "<td>75%</td>" in text and "<td>25%</td>" in text  # share of the score
    assert "<td>5 / 8</td>" in text and "<td>0.6 / 0.2</td>" in text  # 0 at / 1 at
    assert "<td>ro5_violations</td><td>above 1.0</td>" in text
    assert "<td>pains</td><td>not False</td>" in text
    assert "Short list: 2 molecules, diversity &#x27;maxmin&#x27;" in text


def test_screen_section_counts_the_rejects_by_reason():
    screen = {
        "records": 12,
        "library": "lib <1>",
        "scored": 9,
        "rejected": 3,
        "salt_forms_merged": 1,
        "unique_structures": 8,
        "molecules_per_second": None,
    }
    rejects = pd.DataFrame(
        {
            "record": [1, 2, 3],
            "input": ["x", "y", "z"],
            "reason": ["unparsable: x", "unparsable: y", "empty"],
        }
    )
    text = screen_section(screen, rejects)
    assert "12 records of lib &lt;1&gt;: 9 scored, 3 rejected" in text
    assert "<td>unparsable</td><td>2</td>" in text and "0 molecules a second" in text
    assert "<table" not in screen_section(screen, rejects.iloc[:0])


def test_versions_section_lists_versions_inputs_and_data():
    metrics = {"drugml": "9.9", "inputs": {"library": {"source": "lib.csv", "sha256": "abc"}}}
    text = versions_section(metrics, [{"name": "esol", "version": "1"}])
    assert "<td>9.9</td>" in text and "<td>library</td><td>lib.csv</td><td>abc</td>" in text
    assert "<td>esol</td>" in text


def test_pocket_and_docking_sections_are_empty_without_a_target_or_docking(ranked):
    assert pocket_section(None, None, ranked, "name") == ""
    assert (
        pocket_section(
            SimpleNamespace(ligand=None, pocket_source="residues"), Path("x.pdb"), ranked, "name"
        )
        == ""
    )
    assert docking_section(None, ranked, Path("."), "name") == ""
    assert docking_section({}, ranked, Path("."), "name") == ""


def test_docking_html_says_how_the_candidates_were_docked_and_tables_them(ranked, tmp_path):
    from drugml import data

    docked = ranked.head(2).assign(
        docking_status=["docked", "failed"],
        docking_score=[-9.25, np.nan],
        docking_covalent_distance=[2.5, np.nan],
    )
    summary = {
        "receptor": {
            "removed": {"waters": ["HOH 1", "HOH 2"], "ions": []},
            "structure": "5HG8",
            "chains": ["A"],
            "kept_waters": [],
            "hydrogens_added": 1234,
            "covalent": {"residue": "CYS797.X", "atom": "SG"},
        },
        "settings": {
            "key_interaction": {"interactions": ["HBAcceptor"], "residue": "MET793"},
            "scoring": "vina",
            "exhaustiveness": 8,
            "seed": 1,
            "pose_selection": "key interaction",
        },
        "docked": 1,
        "asked": 2,
        "seconds": 12.3,
        "box": {"center": [1, 2, 3], "size": [20, 20, 20]},
    }
    text = docking_html(docked, summary, data.path("egfr_5hg8"), "634", tmp_path, "name")
    assert "1 of 2 candidates of the short list docked into 5HG8 (chains A)" in text
    assert "Receptor: Chain A of 5HG8; 2 waters removed. Meeko added 1,234 hydrogens." in text
    assert "Key interaction: HBAcceptor with MET793" in text
    assert "Covalent docking at CYS797.X</b>: its SG was removed" in text
    assert "<th>warhead to reactive atom (Å)</th>" in text
    assert "<td>ERLOTINIB</td><td>1</td><td>docked</td><td>-9.25</td>" in text
    assert "&lt;b&gt;Bad &amp; name&lt;/b&gt;" in text
    assert 'class="pose"' not in text  # no pose files in the folder
    # why the ranking does not weight docking: the shipped benchmark, in words and a figure
    evidence = scoring_evidence()
    vina = evidence["a_all_data"]["docking_score"]["roc_auc"]
    assert f"ROC-AUC: Vina score {vina:.2f}" in text
    assert "So this ranking does not weight docking or 3D similarity" in text
    assert '<img alt="ROC-AUC of every structure-based scorer' in text


def test_scoring_evidence_words_follow_the_numbers():
    from drugml.report._scoring_evidence import _evidence_words

    evidence = copy.deepcopy(scoring_evidence())
    evidence["b_low_data"]["30"]["consensus_all"]["roc_auc"] = 0.99
    words = _evidence_words(evidence)
    assert "with 30 training compounds the best (consensus_all, 0.99) beats the better" in words


# ------------------------------------------------------------------ pages
def _campaign(config, target=None) -> SimpleNamespace:
    """What the report reads of a campaign's configuration (attributes only)."""
    return SimpleNamespace(
        name="toy <campaign>",
        library=SimpleNamespace(name_column="name"),
        ranking=config,
        target=target,
        model_tasks=lambda: dict(MODELS),
    )


def _metrics() -> dict:
    return {
        "drugml": "9.9",
        "seed": 7,
        "models": {"pic50": _model_metrics("regression"), "herg": _model_metrics("classification")},
        "screen": {
            "records": 7,
            "library": "toy",
            "scored": 6,
            "rejected": 1,
            "salt_forms_merged": 0,
            "unique_structures": 6,
            "molecules_per_second": 10.0,
        },
        "validation": _validation(),
        "inputs": {},
    }


def test_write_report_from_small_inputs(tmp_path, ranked, config):
    rejects = pd.DataFrame({"record": [7], "input": ["C1"], "reason": ["unparsable: ring"]})
    path = write_report(
        tmp_path / "report.html",
        config=_campaign(config),
        metrics=_metrics(),
        ranked=ranked,
        rejects=rejects,
        held_out={},
        curation_logs={},
        structure_path=None,
        data_versions=[],
    )
    text = path.read_text(encoding="utf-8")
    assert "<title>drugml report: toy &lt;campaign&gt;</title>" in text
    assert "Generated " in text and "by drugml 9.9, seed 7" in text
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings == [
        "Ranked candidates",
        "Where the known actives land",
        "Models",
        "Training data",
        "Screen",
        "Ranking configuration",
        "Versions and data",
    ]
    assert _rows(text) == len(ranked)
    assert "<b>1 of 2</b>" in text and "1 of the 2 are training compounds" in text
    assert "RMSE 0.61" in text  # the lead model's card
    assert not re.search(r"""(src|href)=["']?https?://""", text)
    assert str(tmp_path) not in text
    images = re.findall(r"<img[^>]*>", text)
    assert images and all(re.search(r'alt="[^"]+"', i) for i in images)


def _ranked_screen(folder: Path, ranked: pd.DataFrame, trained_on) -> RankedScreen:
    """A ranking folder's contents, by hand: top rows, highlights and the summary."""
    highlights = ranked.assign(
        in_pool=ranked["pareto_rank"].notna(), in_sample=ranked["passes_filters"]
    )
    n = len(ranked)
    summary = {
        "ranking": RANKING,
        "screen": str(folder / "run" / "screen"),
        "screen_rows": n + 1,
        "salt_forms_merged": 1,
        "structures": n,
        "passing": 5,
        "failing_by_filter": {"ro5_violations": 1},
        "stamp": {"name_column": "name", "trained_on": trained_on},
        "known_actives": {
            "places": {
                "rank|all": {"positions": [0, 4], "n": n},
                "pic50_prediction|all": {"positions": [0, 5], "n": n},
            }
        },
        "histograms": {"score": {"counts": [1, 2, 3], "edges": [0.0, 0.3, 0.6, 1.0]}},
    }
    return RankedScreen(folder, summary, ranked, highlights)


def test_write_ranking_report_from_a_hand_made_ranking(tmp_path, ranked):
    streamed = _ranked_screen(tmp_path, ranked, trained_on=None)
    path = write_ranking_report(tmp_path / "page" / "report.html", streamed, notes=["a < b"])
    text = path.read_text(encoding="utf-8")
    assert "<h1>drugml ranking of run</h1>" in text  # a run's screen/ is named by its run
    assert '<p class="note"><b>Note:</b> a &lt; b</p>' in text
    assert "7 scored rows of the screen in <code>screen/</code>" in text
    assert "5 pass the hard filters, 1 fail ro5_violations. Training compounds are not" in text
    assert 'in the Parquet parts of <a href="ranked/">ranked/</a> (the best 6' in text
    assert "Whether they are in a model's training data is not known" in text
    assert "<th>rank by pic50 alone</th>" in text
    assert re.findall(r"<h2>(.*?)</h2>", text) == [
        "Ranked candidates",
        "Where the known actives land",
        "Ranking configuration",
    ]
    assert not re.search(r"""(src|href)=["']?https?://""", text)


def test_write_ranking_report_without_known_actives_places(tmp_path, ranked):
    streamed = _ranked_screen(tmp_path, ranked, trained_on="training")
    del streamed.summary["known_actives"]
    text = write_ranking_report(tmp_path / "r.html", streamed, title="my <title>").read_text()
    assert "<h1>drugml my &lt;title&gt;</h1>" in text
    assert "Where the known actives land" not in text
    assert _rows(text) == len(ranked)
