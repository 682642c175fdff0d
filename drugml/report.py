"""The self-contained HTML report of ``drugml run``: one file, no network, opens anywhere.

Figures are embedded as PNG (base64) or SVG, the 3D pocket view carries its
own 3Dmol.js (see :mod:`drugml.view3d`), and nothing refers to another file
or host. :func:`write_report` is called by :func:`drugml.pipeline.run`.
"""

from __future__ import annotations

import base64
import html
import io
import json
import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["figure_html", "table_html", "write_report"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1150px; padding: 16px 24px; color: #222; }
h1 { margin-bottom: 0; } h2 { border-bottom: 2px solid #2b6ca3; padding-bottom: 4px;
       margin-top: 36px; }
.sub { color: #666; margin-top: 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #f3f6fa; border-radius: 6px; padding: 10px 16px; min-width: 150px; }
.card b { display: block; font-size: 22px; color: #2b6ca3; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; }
th { background: #f3f6fa; }
.figs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
pre { background: #f7f7f7; padding: 10px; font-size: 12px; overflow-x: auto; }
.note { color: #555; font-size: 13px; }
"""


def figure_html(fig: Any, width: int | None = None) -> str:
    """A matplotlib figure as an embedded PNG ``<img>`` (the figure is closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    size = f' width="{width}"' if width else ""
    return f'<img alt="figure"{size} src="data:image/png;base64,{data}">'


def table_html(frame: Any, float_format: str = "{:.3g}", max_rows: int = 50) -> str:
    """A DataFrame as a plain HTML table (escaped), at most ``max_rows`` rows."""
    import pandas as pd

    shown = frame.head(max_rows)

    def cell(value: Any) -> str:
        if isinstance(value, float) and not pd.isna(value):
            return html.escape(float_format.format(value))
        return html.escape("" if value is None or (not isinstance(value, str) and pd.isna(value))
                           else str(value))  # fmt: skip

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))  # fmt: skip
    more = (f'<p class="note">... {len(frame) - max_rows:,} more rows in the CSV.</p>'
            if len(frame) > max_rows else "")  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def _metrics_table(metrics: Mapping[str, Any], keys: Sequence[str]) -> str:
    import pandas as pd

    rows = [{"metric": k, "value": metrics[k]} for k in keys if k in metrics]
    return table_html(pd.DataFrame(rows))


def _candidate_grid(ranked: Any, name_column: str | None, n: int = 12) -> str:
    from drugml.viz import molecule_grid

    top = ranked[ranked["selected"]].head(n)
    if top.empty:
        top = ranked.head(n)
    legends = []
    for row in top.itertuples(index=False):
        name = getattr(row, name_column, None) if name_column else None
        label = str(name).split(";")[0][:22] if name and str(name) != "nan" else str(row.id)[:22]
        legends.append(f"#{row.rank} {label} | score {row.score:.2f} | p {row.potency:.1f}")
    return molecule_grid(top["smiles"].tolist(), legends=legends, n_cols=4,
                         sub_image_size=(260, 210)).svg  # fmt: skip


def _score_figure(ranked: Any) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    passing = ranked["passes_filters"]
    y_column = "d_qed" if "d_qed" in ranked else "score"
    axes[0].scatter(ranked.loc[passing, "potency"], ranked.loc[passing, y_column], s=8,
                    alpha=0.4, color="#999999", label="candidates")  # fmt: skip
    front = ranked[passing & (ranked["pareto_rank"] == 1)]
    axes[0].scatter(front["potency"], front[y_column], s=22, color=PRIMARY_COLOR,
                    label="Pareto front (rank 1)")  # fmt: skip
    known = ranked[ranked["known_active"]] if "known_active" in ranked else ranked.iloc[:0]
    if len(known):
        axes[0].scatter(known["potency"], known[y_column], s=50, marker="*", color=ACCENT_COLOR,
                        label="known actives")  # fmt: skip
    axes[0].set_xlabel("predicted potency")
    axes[0].set_ylabel("QED desirability" if y_column == "d_qed" else "score")
    axes[0].legend(fontsize=8)
    axes[0].set_title("Potency against drug-likeness")
    axes[1].hist(ranked["score"], bins=40, color="#bbbbbb")
    for value in known["score"]:
        axes[1].axvline(value, color=ACCENT_COLOR, lw=1)
    axes[1].set_xlabel("aggregate score")
    axes[1].set_ylabel("compounds")
    axes[1].set_title("Score distribution (red: known actives)")
    fig.tight_layout()
    return figure_html(fig)


def _model_figures(potency_test: Mapping[str, Any]) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import plot_error_vs_similarity, plot_parity

    predictions = potency_test["predictions"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_parity(potency_test["y"], predictions["prediction"], ax=axes[0],
                label="held-out test set", lower=predictions["lower"],
                upper=predictions["upper"])  # fmt: skip
    plot_error_vs_similarity(potency_test["y"], predictions["prediction"],
                             predictions["nearest_similarity"], ax=axes[1])  # fmt: skip
    fig.tight_layout()
    return figure_html(fig)


def _curation_figure(log: Any) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import plot_curation_log

    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_curation_log(log, ax=ax)
    fig.tight_layout()
    return figure_html(fig)


def _pocket_view(config: Mapping[str, Any], structure_path: Path, ranked: Any) -> str:
    from drugml.structure import load_structure, place_like_reference
    from drugml.view3d import view_binding_site

    target = config["target"]
    structure = load_structure(structure_path, ligand_residues=[target["ligand"]])
    candidates, note = [], ""
    if target.get("ligand_smiles"):
        from drugml.chem import to_mol

        reference = structure.ligand_mol(target["ligand"], target["ligand_smiles"])
        selected = ranked[ranked["selected"]]
        if "in_training_data" in selected:  # a molecule the model has not seen is more telling
            unseen = selected[~selected["in_training_data"]]
            selected = unseen if len(unseen) else selected
        best = selected.head(1)
        if len(best):
            pose = place_like_reference(to_mol(best["smiles"].iloc[0]), reference)
            if pose.GetIntProp("mcs_atoms") >= 6:
                candidates = [pose]
                note = (f"Magenta: candidate #{int(best['rank'].iloc[0])} placed by "
                        f"analogy on the reference ligand ({pose.GetIntProp('mcs_atoms')} atoms in "
                        "common); an illustration, not a docked pose.")  # fmt: skip
            else:
                note = ("The top candidate shares too little with the reference ligand to be "
                        "placed by analogy; only the reference ligand is shown.")  # fmt: skip
    cutoff = float(target["pocket_cutoff"])
    view = view_binding_site(structure, target["ligand"], cutoff=cutoff, surface=True,
                             candidates=candidates, width=900, height=520)  # fmt: skip
    offline = "" if view.offline else (
        '<p class="note">3Dmol.js is not installed locally: this view needs network access '
        "(run <code>drugml viewer install</code> before <code>drugml run</code>).</p>")  # fmt: skip
    return view.to_html() + (f'<p class="note">{html.escape(note)}</p>' if note else "") + offline


def write_report(
    path: str | Path,
    *,
    config: Mapping[str, Any],
    ranking_config: Mapping[str, Any],
    metrics: Mapping[str, Any],
    ranked: Any,
    log: Any,
    rejects: Any,
    potency_test: Mapping[str, Any],
    structure_path: Path,
    data_versions: list[dict[str, str]],
) -> Path:
    """Write the pipeline's HTML report; returns its path."""
    import pandas as pd

    path = Path(path)
    name = html.escape(str(config["name"]))
    name_column = config["library"].get("name_column")
    screen = metrics["screen"]
    validation = metrics["validation"]
    potency = metrics["potency_model"]
    known = ranked[ranked["known_active"]]
    known_columns = ["rank", "id", *([name_column] if name_column else []), "score", "potency",
                     "potency_lower", "potency_upper", "potency_in_domain", "in_training_data",
                     "passes_filters"]  # fmt: skip
    top_columns = ["rank", "id", *([name_column] if name_column else []), "score",
                   "pareto_rank", "potency", "potency_lower", "potency_upper",
                   "potency_nearest_similarity", "solubility", "qed", "sa_score",
                   "ro5_violations", "pains", "selected"]  # fmt: skip
    enrichment = pd.DataFrame([
        {"compounds": "all screened compounds", **validation["all_compounds"]},
        {"compounds": "without compounds in the training data",
         **validation["without_training_compounds"]},
    ])  # fmt: skip
    cards = [
        ("curated compounds", f"{metrics['curation']['compounds']:,}"),
        (f"potency RMSE ({potency['split']} split)", f"{potency['rmse']:.2f}"),
        ("interval coverage (90 % nominal)", f"{potency['coverage']:.0%}"),
        ("library records", f"{screen['records']:,}"),
        ("scored / rejected", f"{screen['scored']:,} / {screen['rejected']:,}"),
        ("EF 1 % (all / not in training)",
         f"{validation['all_compounds']['ef_1pct']:.1f} / "
         f"{validation['without_training_compounds']['ef_1pct']:.1f}"),
    ]  # fmt: skip
    versions = {"drugml": metrics["drugml"], "python": platform.python_version()}
    for module in ("rdkit", "sklearn", "xgboost", "pandas", "numpy", "py3Dmol"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:
            continue
    rejected_table = rejects.head(20) if len(rejects) else pd.DataFrame(
        columns=["record", "input", "reason"])  # fmt: skip
    sections = [
        f"<h1>drugml report: {name}</h1>",
        f'<p class="sub">Generated {time.strftime("%Y-%m-%d %H:%M")} by drugml '
        f"{html.escape(metrics['drugml'])}, seed {metrics['seed']}. Offline, self-contained.</p>",
        '<div class="cards">' + "".join(f"<div class=card><b>{html.escape(v)}</b>"
                                        f"{html.escape(k)}</div>" for k, v in cards) + "</div>",
        "<h2>Top candidates</h2>",
        '<p class="note">A diverse selection (MaxMin on ECFP4) from the best-scoring compounds '
        "that pass the hard filters; legend: rank, name, aggregate score, predicted potency.</p>",
        _candidate_grid(ranked, name_column),
        table_html(ranked[[c for c in top_columns if c in ranked]], max_rows=25),
        "<h2>Where the known actives land</h2>",
        '<p class="note">Enrichment of the known actives named in the configuration among all '
        "screened compounds, and again without the compounds whose InChIKey is in the model's "
        "training data (those the model has seen measured, which makes their recovery easy). "
        "EF x % = hit rate in the top x % / overall hit rate; BEDROC (alpha 20) weighs the top "
        "~8 % of the list.</p>",
        table_html(enrichment),
        table_html(known[[c for c in known_columns if c in known]]) if len(known) else
        '<p class="note">No known actives named, or none found in the library.</p>',
        _score_figure(ranked),
        "<h2>The target pocket</h2>",
        _pocket_view(config, structure_path, ranked),
        "<h2>Potency model</h2>",
        f'<p class="note">{html.escape(str(config["models"]["potency"]["estimator"]))} on the '
        f"{potency['split']} split: {potency['n_train']:,} training, {potency['n_test']:,} "
        "held-out compounds; the screening model is refit on all compounds.</p>",
        _metrics_table(potency, ["rmse", "mae", "r2", "spearman", "coverage",
                                 "mean_interval_width", "n_in_domain", "in_domain_rmse"]),
        _model_figures(potency_test),
        "<h2>Solubility model</h2>",
        _metrics_table(metrics["solubility_model"], ["rmse", "mae", "r2", "spearman", "coverage"]),
        "<h2>Curation</h2>",
        f'<p class="note">{metrics["curation"]["raw_records"]:,} raw records to '
        f"{metrics['curation']['compounds']:,} compounds, "
        f"{metrics['curation']['active_fraction']:.0%} active.</p>",
        _curation_figure(log),
        table_html(log),
        "<h2>Screen</h2>",
        table_html(pd.DataFrame([{k: v for k, v in screen.items() if not isinstance(v, list)}])),
        f'<p class="note">{screen["rejected"]:,} library records rejected (first 20 below; all in '
        "screen/rejects/).</p>",
        table_html(rejected_table),
        "<h2>Ranking configuration</h2>",
        f"<pre>{html.escape(json.dumps(ranking_config, indent=2, default=str))}</pre>",
        "<h2>Versions and data</h2>",
        table_html(pd.DataFrame([versions])),
        table_html(pd.DataFrame([{"input": k, **v} for k, v in metrics["inputs"].items()])),
        table_html(pd.DataFrame(data_versions), max_rows=100),
    ]  # fmt: skip
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>drugml report: {name}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(sections) + "\n</body>\n</html>\n")  # fmt: skip
    path.write_text(page, encoding="utf-8")
    return path
