"""The self-contained HTML report of ``drugml run``: one file, no network, opens anywhere.

Written for the medicinal chemist who reads it: why each molecule ranks where
it does (each objective's desirability and its factor in the score), how sure
the model is (interval, applicability domain), whether a molecule was in the
training data, which structural alerts it carries and which filter it failed;
where the known actives land, by the final ranking and by the lead model's
prediction alone; what each model predicts and how each number was obtained.
Nothing here names a model: every model of the campaign gets its columns,
metrics, figures and card (column names from :mod:`drugml.schema`).

Figures are embedded as PNG (base64) or SVG, each with an ``alt`` text; the 3D
pocket view and its 3Dmol.js are inline, once (see :mod:`drugml.viz.view3d`); the
candidate table sorts and filters with a few lines of inline script. Nothing
refers to another host, and no absolute path of the machine that ran it
appears: inputs by data-set name or relative to the output folder.
:func:`write_report` is called by :func:`drugml.campaign.pipeline.run`.
"""

from __future__ import annotations

import base64
import html
import io
import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from drugml.schema import prediction_column
from drugml.screening.ranking_config import RankingConfig, RankingSource, parse_ranking

__all__ = [
    "SHOWN_CANDIDATES",
    "figure_html",
    "score_factors",
    "table_html",
    "write_ranking_report",
    "write_report",
]

#: Candidates drawn in the report's interactive table (all of them are in the CSV).
SHOWN_CANDIDATES = 100

_STYLE = """
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1200px; padding: 16px 24px; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0; } h2 { border-bottom: 2px solid #2b6ca3; padding-bottom: 4px;
       margin-top: 36px; }
h3 { margin-bottom: 4px; }
.sub { color: #666; margin-top: 4px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #f3f6fa; border-radius: 6px; padding: 10px 16px; flex: 1 1 170px; }
.card b { display: block; font-size: 20px; color: #2b6ca3; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f6fa; }
.tall { max-height: 80vh; overflow-y: auto; border: 1px solid #ddd; }
#candidates { margin: 0; }
#candidates th { cursor: pointer; user-select: none; position: sticky; top: 0; z-index: 1; }
#candidates th.sorted-asc::after { content: " \\25B2"; }
#candidates th.sorted-desc::after { content: " \\25BC"; }
#candidates td.structure { padding: 0; }
.figs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
img, svg { max-width: 100%; height: auto; }
pre { background: #f7f7f7; padding: 10px; font-size: 12px; overflow-x: auto; }
.note { color: #555; font-size: 13px; }
.badge { display: inline-block; border-radius: 3px; padding: 0 5px; margin: 1px 2px 1px 0;
         font-size: 11px; white-space: nowrap; }
.b-train { background: #dbe9f6; color: #1d4f7a; } .b-domain { background: #fde6c8; color: #7a4a00; }
.b-alert { background: #f9d6d9; color: #8a1c2b; } .b-filter { background: #8a1c2b; color: #fff; }
.b-known { background: #d3efd8; color: #1e5e2c; } .b-short { background: #e4dcf3; color: #4b2e83; }
.why { font-size: 12px; color: #444; max-width: 260px; }
.controls { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; font-size: 13px;
            margin: 8px 0; }
.controls input[type=search] { width: 220px; padding: 3px 6px; }
.legend span { margin-right: 14px; font-size: 13px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
          vertical-align: -1px; border: 1px solid #999; }
.poses { display: flex; flex-wrap: wrap; gap: 12px; }
.pose { margin: 0; width: 440px; }
.pose figcaption { font-size: 13px; font-weight: bold; }
"""

# Sorting (click a header) and filtering (text, check boxes) of the candidate table.
_TABLE_SCRIPT = """
(function () {
  const table = document.getElementById("candidates");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  table.querySelectorAll("th").forEach((th, column) => {
    th.addEventListener("click", () => {
      const descending = !th.classList.contains("sorted-desc");
      table.querySelectorAll("th").forEach(h => h.classList.remove("sorted-asc", "sorted-desc"));
      th.classList.add(descending ? "sorted-desc" : "sorted-asc");
      const key = r => r.cells[column].dataset.sort ?? r.cells[column].textContent.trim();
      const numeric = rows.every(r => key(r) === "" || !isNaN(parseFloat(key(r))));
      rows.sort((a, b) => {
        let x = key(a), y = key(b);
        if (numeric) { x = x === "" ? -Infinity : parseFloat(x);
                       y = y === "" ? -Infinity : parseFloat(y); }
        const order = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -order : order;
      });
      rows.forEach(r => body.appendChild(r));
    });
  });
  const text = document.getElementById("candidate-search");
  const boxes = Array.from(document.querySelectorAll("input[data-hide]"));
  function apply() {
    const words = text.value.toLowerCase().split(/\\s+/).filter(w => w);
    let shown = 0;
    rows.forEach(r => {
      const content = r.textContent.toLowerCase();
      const hidden = boxes.some(b => b.checked && r.dataset[b.dataset.hide] === "1") ||
                     !words.every(w => content.includes(w));
      r.style.display = hidden ? "none" : "";
      if (!hidden) shown += 1;
    });
    document.getElementById("candidate-count").textContent = shown;
  }
  text.addEventListener("input", apply);
  boxes.forEach(b => b.addEventListener("change", apply));
})();
"""


def figure_html(fig: Any, alt: str, width: int | None = None) -> str:
    """A matplotlib figure as an embedded PNG ``<img>`` with its ``alt`` text (figure closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    size = f' width="{width}"' if width else ""
    return f'<img alt="{html.escape(alt)}"{size} src="data:image/png;base64,{data}">'


def _cell(value: Any, float_format: str) -> str:
    import pandas as pd

    if isinstance(value, float) and not pd.isna(value):
        return html.escape(float_format.format(value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def table_html(frame: Any, float_format: str = "{:.3g}", max_rows: int = 50,
               more: str = "") -> str:  # fmt: skip
    """A DataFrame as a plain HTML table (escaped, scrolls inside its box), ``max_rows`` rows.

    ``more`` (HTML) follows a cut table, e.g. a link to the full CSV.

    >>> import pandas as pd
    >>> "<td>1.23</td>" in table_html(pd.DataFrame({"x": [1.234]}))
    True
    """
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(v, float_format)}</td>" for v in row) + "</tr>"
                   for row in shown.itertuples(index=False))  # fmt: skip
    cut = (f'<p class="note">{len(frame) - max_rows:,} more rows{more}.</p>'
           if len(frame) > max_rows else "")  # fmt: skip
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
            f"</table></div>{cut}")  # fmt: skip


# ------------------------------------------------------------------ ranking
def score_factors(ranked: Any, ranking_config: RankingSource) -> Any:
    """Each objective's factor in each molecule's score: ``desirability ** (weight / total)``.

    The score is the weighted geometric mean of the desirabilities, so it is
    the product of these factors: a factor of 0.8 means that objective costs
    the molecule 20 % of its score. Columns are the objective names.

    >>> import pandas as pd
    >>> objective = {"column": "x", "shape": "increasing", "low": 0, "high": 1}
    >>> config = {"objectives": {"a": {**objective, "weight": 3.0}, "b": objective}}
    >>> score_factors(pd.DataFrame({"d_a": [1.0], "d_b": [0.0625]}), config).round(3).values
    array([[1. , 0.5]])
    """
    import pandas as pd

    objectives = parse_ranking(ranking_config).objectives
    total = sum(o.weight for o in objectives.values())
    return pd.DataFrame({name: ranked[f"d_{name}"] ** (o.weight / total)
                         for name, o in objectives.items()}, index=ranked.index)  # fmt: skip


def _name(row: Any, name_column: str | None) -> str:
    """A molecule's first name, else its first id (salt forms merged join theirs)."""
    name = getattr(row, name_column, None) if name_column else None
    text = str(name).split(";")[0].strip() if name is not None and str(name) != "nan" else ""
    return text or str(row.id).split(";")[0].strip()


def _ids(row: Any, shown: int = 3) -> str:
    """The record ids of a row: the first ``shown``, then how many more (a structure
    screened a hundred times as salts and duplicates has a hundred)."""
    ids = [i.strip() for i in str(row.id).split(";")]
    more = f" (+{len(ids) - shown:,} more)" if len(ids) > shown else ""
    return "; ".join(ids[:shown]) + more


def _badges(row: Any, alert_columns: Sequence[str], domain_column: str | None) -> str:
    badges = []
    if getattr(row, "known_active", False):
        badges.append('<span class="badge b-known">known active</span>')
    if getattr(row, "selected", False):
        badges.append('<span class="badge b-short">short list</span>')
    if getattr(row, "in_training_data", False):
        which = html.escape(str(getattr(row, "training_data_of", "") or "a model"))
        badges.append(f'<span class="badge b-train" title="its measured value was used to train '
                      f'the {which} model">in training data ({which})</span>')  # fmt: skip
    if domain_column and not bool(getattr(row, domain_column, True)):
        badges.append('<span class="badge b-domain" title="far from every training molecule: '
                      'treat the prediction with care">out of domain</span>')  # fmt: skip
    for column in alert_columns:
        names = getattr(row, f"{column}_alerts", "") or ""
        if isinstance(names, str) and names:
            badges.append(f'<span class="badge b-alert">{html.escape(column.upper())}: '
                          f"{html.escape(names)}</span>")  # fmt: skip
    if not getattr(row, "passes_filters", True):
        badges.append(f'<span class="badge b-filter">filter failed: '
                      f"{html.escape(str(row.filter_reasons))}</span>")  # fmt: skip
    return "".join(badges)


def _why(factors: Mapping[str, float], desirabilities: Mapping[str, float]) -> str:
    """What holds a molecule's score back: the objectives whose factor is below 0.97."""
    costly = sorted((f, n) for n, f in factors.items() if f < 0.97)
    detail = "; ".join(f"{n} {desirabilities[n]:.2f} (×{f:.2f})" for f, n in costly[:3])
    full = ", ".join(f"{n}: d {desirabilities[n]:.2f}, ×{f:.3f}" for n, f in factors.items())
    return (f'<span title="{html.escape(full)}">'
            + (f"held back by {html.escape(detail)}" if detail else "no objective costs it "
               "more than 3 %") + "</span>")  # fmt: skip


def _model_cell(row: Any, name: str, task: str) -> str:
    """One model's prediction of a row: value with its interval, or the probability."""
    column = prediction_column(name, task)
    value = float(getattr(row, column, float("nan")))
    if value != value:
        return "<td></td>"
    if task == "classification":
        return f'<td data-sort="{value:.4f}">{value:.2f}</td>'
    lower, upper = getattr(row, f"{name}_lower", None), getattr(row, f"{name}_upper", None)
    interval = f" <small>({lower:.1f}-{upper:.1f})</small>" if lower is not None else ""
    return f'<td data-sort="{value:.4f}">{value:.2f}{interval}</td>'


def _model_header(name: str, task: str) -> str:
    return f"P({name})" if task == "classification" else f"{name} (90 % interval)"


def _candidate_table(ranked: Any, ranking_config: RankingConfig, name_column: str | None,
                     alert_columns: Sequence[str], models: Mapping[str, str],
                     lead: str | None) -> str:  # fmt: skip
    """The interactive table of the best ``SHOWN_CANDIDATES`` molecules."""
    from drugml.viz import molecule_svg

    shown = ranked.head(SHOWN_CANDIDATES)
    factors = score_factors(shown, ranking_config)
    objectives = list(ranking_config.objectives)
    domain_column = f"{lead}_in_domain" if lead and f"{lead}_in_domain" in shown else None
    headers = ["rank", "structure", "molecule", "score",
               *[_model_header(n, t) for n, t in models.items()],
               "QED", "SA", "Ro5 viol.", "flags", "why this score"]  # fmt: skip
    body = []
    for position, row in enumerate(shown.itertuples(index=False)):
        name = _name(row, name_column)
        d = {n: float(getattr(row, f"d_{n}")) for n in objectives}
        f = {n: float(factors.iloc[position][n]) for n in objectives}
        flags = {"train": getattr(row, "in_training_data", False),
                 "fail": not row.passes_filters,
                 "ood": domain_column is not None and not getattr(row, domain_column)}  # fmt: skip
        data = " ".join(f'data-{k}="{int(bool(v))}"' for k, v in flags.items())
        cells = [
            f'<td data-sort="{row.rank}">{row.rank}</td>',
            f'<td class="structure">{molecule_svg(row.smiles, title=name)}</td>',
            f"<td>{html.escape(name)}<br><small>{html.escape(_ids(row))}</small></td>",
            f'<td data-sort="{row.score:.6f}">{row.score:.3f}</td>',
            *[_model_cell(row, n, t) for n, t in models.items()],
            *[f'<td data-sort="{v:.4f}">{v:.2f}</td>' if v == v else "<td></td>"
              for v in (float(getattr(row, c, float("nan"))) for c in ("qed", "sa_score"))],
            f"<td>{int(getattr(row, 'ro5_violations', 0))}</td>",
            f"<td>{_badges(row, alert_columns, domain_column)}</td>",
            f'<td class="why">{_why(f, d)}</td>',
        ]  # fmt: skip
        body.append(f"<tr {data}>{''.join(cells)}</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    controls = (
        '<div class="controls"><label>Filter <input type="search" id="candidate-search" '
        'placeholder="name, id, alert ..."></label>'
        '<label><input type="checkbox" data-hide="train"> hide training compounds</label>'
        '<label><input type="checkbox" data-hide="fail"> hide molecules that fail a filter'
        "</label>"
        '<label><input type="checkbox" data-hide="ood"> hide out-of-domain molecules</label>'
        f'<span><span id="candidate-count">{len(shown)}</span> of the best {len(shown)} '
        f"shown</span></div>"
    )  # fmt: skip
    return (controls + '<div class="scroll tall"><table id="candidates"><thead><tr>' + head
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")  # fmt: skip


def _grid(rows: Any, name_column: str | None, what: str, lead_column: str | None) -> str:
    """A grid of 2D structures labelled with rank, name (two lines at most) and score."""
    import textwrap

    from drugml.viz import molecule_grid

    legends = []
    for row in rows.itertuples(index=False):
        name = "\n".join(textwrap.wrap(_name(row, name_column), 26)[:2])
        lead = (f", {lead_column.rsplit('_', 1)[0]} {getattr(row, lead_column):.2f}"
                if lead_column else "")  # fmt: skip
        legends.append(f"#{row.rank} {name}\nscore {row.score:.2f}{lead}")
    svg = molecule_grid(rows["smiles"].tolist(), legends=legends, n_cols=4,
                        sub_image_size=(270, 220)).svg  # fmt: skip
    svg = svg[svg.index("<svg") :]
    label = html.escape(f"{what}: " + ", ".join(f"#{r} {_name(row, name_column)}"
                        for r, row in zip(rows["rank"], rows.itertuples(index=False),
                                          strict=True)))  # fmt: skip
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


# -------------------------------------------------------------- validation
def _enrichment_words(validation: Mapping[str, Any], n_seen: int | None, lead: str | None
                      ) -> str:  # fmt: skip
    """What the enrichment table says, in words. ``n_seen``: known actives in a model's
    training data (None: not known, e.g. a screen ranked outside its run's folder)."""
    final = validation["all_compounds"]
    alone = validation.get(f"{lead}_alone")
    unseen = validation.get("without_training_compounds")
    n, total = final["n_known_actives"], final["n_compounds"]
    if n == 0:
        return ('<p class="note">No known active named in the configuration was found in the '
                "library: the ranking cannot be checked against known drugs here.</p>")  # fmt: skip
    ef = final["ef_1pct"]
    return (
        f"<p>{n} known actives named in the configuration are among the {total:,} distinct "
        + (f"structures screened. <b>{n_seen} of them are in a model's training data</b>: "
           "their measured value was learned, so ranking them high shows the model remembers, "
           "not that it predicts. " if n_seen is not None else
           "structures screened. <b>Whether they are in a model's training data is not known "
           "here</b> (the screen was ranked outside its run's folder, which holds the training "
           "sets): if they are, ranking them high shows the model remembers, not that it "
           "predicts. ")
        + "By the final ranking, "
        f"<b>{final['n_in_top_1pct']} of {n}</b> land in the top 1 % and "
        f"<b>{final['n_in_top_5pct']}</b> in the top 5 %"
        + (f"; by the {html.escape(str(lead))} prediction alone, {alone['n_in_top_1pct']} and "
           f"{alone['n_in_top_5pct']}" if alone else "")
        + ". The enrichment factor says "
        f"how much richer in known actives the top of the list is than the library as a whole: "
        f"EF 1 % = {ef:.1f} means {ef:.0f} times what a random order gives (at most "
        f"{min(100.0, total / n):.0f} here). BEDROC (alpha 20) weighs the first ~8 % of the "
        "list: 1 is every active first, about 0 is random."
        + ((f" Without the training compounds {unseen['n_known_actives']} known active"
            f"{'s' if unseen['n_known_actives'] != 1 else ''} remain"
            + (", too few for an enrichment figure to mean much"
               if unseen["n_known_actives"] < 3 else ""))
           if unseen is not None else "")
        + (f"{'.' if unseen is not None else ''} What the other objectives and the filters "
           f"cost the {html.escape(str(lead))} signal is the difference between the final "
           "ranking and that model alone below." if alone else
           ("." if unseen is not None else ""))
        + "</p>"
    )  # fmt: skip


def _enrichment_table(validation: Mapping[str, Any], leads: Sequence[str]) -> str:
    import pandas as pd

    unseen = "without training compounds"
    labels = {"all_compounds": ("final ranking", "all compounds"),
              "without_training_compounds": ("final ranking", unseen)}  # fmt: skip
    for lead in leads:
        labels[f"{lead}_alone"] = (f"{lead} prediction alone", "all compounds")
        labels[f"{lead}_alone_without_training_compounds"] = (f"{lead} prediction alone", unseen)
    rows = [{"ranked by": by, "compounds": what, "known actives": v["n_known_actives"],
             "in top 1 %": v["n_in_top_1pct"], "in top 5 %": v["n_in_top_5pct"],
             "EF 1 %": v["ef_1pct"], "EF 5 %": v["ef_5pct"], "BEDROC": v["bedroc_alpha20"]}
            for key, (by, what) in labels.items() if key in validation
            for v in [validation[key]]]  # fmt: skip
    return table_html(pd.DataFrame(rows), float_format="{:.2f}")


def _recovery_figure(ranked: Any, lead: str | None, lead_column: str | None) -> str:
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    fig, ax = plt.subplots(figsize=(6.5, 4))
    known = ranked["known_active"].to_numpy()
    orders = {"final ranking": np.arange(len(ranked))}
    if lead_column:
        orders[f"{lead} prediction alone"] = np.argsort(
            -np.nan_to_num(ranked[lead_column].to_numpy(dtype=float), nan=-np.inf),
            kind="stable")  # fmt: skip
    for (label, order), color in zip(orders.items(), (PRIMARY_COLOR, ACCENT_COLOR), strict=True):
        hits = known[order]
        ax.plot(np.arange(1, len(hits) + 1) / len(hits) * 100, np.cumsum(hits), label=label,
                color=color)  # fmt: skip
    return _recovery_axes(fig, ax, lead, int(known.sum()))


def _score_figure(ranked: Any, lead: str | None, lead_column: str | None) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    passing = ranked["passes_filters"]
    y_column = "d_qed" if "d_qed" in ranked else "score"
    x_column = lead_column or "qed"
    axes[0].scatter(ranked.loc[passing, x_column], ranked.loc[passing, y_column], s=8,
                    alpha=0.4, color="#999999", label="candidates")  # fmt: skip
    front = ranked[passing & (ranked["pareto_rank"] == 1)]
    axes[0].scatter(front[x_column], front[y_column], s=22, color=PRIMARY_COLOR,
                    label="Pareto front (rank 1)")  # fmt: skip
    known = ranked[ranked["known_active"]] if "known_active" in ranked else ranked.iloc[:0]
    if len(known):
        axes[0].scatter(known[x_column], known[y_column], s=50, marker="*", color=ACCENT_COLOR,
                        label="known actives")  # fmt: skip
    what = _label_score_axes(axes[0], lead, y_column)
    axes[1].hist(ranked["score"], bins=40, color="#bbbbbb")
    for value in known["score"]:
        axes[1].axvline(value, color=ACCENT_COLOR, lw=1)
    axes[1].set_xlabel("aggregate score")
    axes[1].set_ylabel("compounds")
    axes[1].set_title("Score distribution" + (" (red: known actives)" if len(known) else ""))
    fig.tight_layout()
    return figure_html(fig, alt=f"Left: {what} against QED desirability of every "
                       "passing candidate, Pareto front" + (" and known actives" if len(known)
                       else "") + " marked. Right: histogram of the aggregate score"
                       + (", known actives as red lines." if len(known) else "."))  # fmt: skip


def _is_streamed(ranked: Any) -> bool:
    from drugml.screening.rank_stream import RankedScreen

    return isinstance(ranked, RankedScreen)


def _alone_ranks(streamed: Any, known: Any, lead_column: str | None) -> Any:
    """Each known active's place (1 = first) by the lead model's prediction alone."""
    import pandas as pd

    places = streamed.summary.get("known_actives", {}).get("places", {})
    entry = places.get(f"{lead_column}|all") if lead_column else None
    if entry is None or len(entry["positions"]) != len(known):
        return pd.Series([float("nan")] * len(known), index=known.index)
    return pd.Series([p + 1 for p in entry["positions"]], index=known.index)


def _score_figure_streamed(streamed: Any, lead: str | None, lead_column: str | None) -> str:
    """:func:`_score_figure` of a big screen: an even sample of the passing molecules, the
    pool's Pareto front and the histogram of every score."""
    import matplotlib.pyplot as plt

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    sample, pool, known = streamed.sample, streamed.pool, streamed.known
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    y_column = "d_qed" if "d_qed" in sample else "score"
    x_column = lead_column if lead_column and lead_column in sample else "qed"
    every = max(1, streamed.summary["passing"] // max(1, len(sample)))
    axes[0].scatter(sample[x_column], sample[y_column], s=8, alpha=0.4, color="#999999",
                    label=f"candidates (1 in {every:,} passing)")  # fmt: skip
    front = pool[pool["pareto_rank"] == 1]
    axes[0].scatter(front[x_column], front[y_column], s=22, color=PRIMARY_COLOR,
                    label="Pareto front of the best pool")  # fmt: skip
    if len(known):
        axes[0].scatter(known[x_column], known[y_column], s=50, marker="*", color=ACCENT_COLOR,
                        label="known actives")  # fmt: skip
    what = _label_score_axes(axes[0], lead, y_column)
    counts, edges = streamed.histogram("score")
    axes[1].hist(edges[:-1], bins=edges, weights=counts, color="#bbbbbb")
    for value in known["score"]:
        axes[1].axvline(value, color=ACCENT_COLOR, lw=1)
    axes[1].set_xlabel("aggregate score")
    axes[1].set_ylabel("compounds")
    axes[1].set_title(f"Score distribution, {len(streamed):,} structures"
                      + (" (red: known actives)" if len(known) else ""))  # fmt: skip
    fig.tight_layout()
    return figure_html(fig, alt=f"Left: {what} against QED desirability of an even sample of the "
                       "passing candidates" + (", the Pareto front of the best pool and the "
                       "known actives" if len(known) else " and the Pareto front of the best "
                       "pool") + ". Right: histogram of the aggregate score of every structure"
                       + (", known actives as red lines." if len(known) else "."))  # fmt: skip


def _recovery_figure_streamed(streamed: Any, lead: str | None, lead_column: str | None) -> str:
    """:func:`_recovery_figure` from the known actives' places (a big screen)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    places = streamed.summary["known_actives"]["places"]
    n = len(streamed)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    orders = {"final ranking": places["rank|all"]["positions"]}
    if lead_column and f"{lead_column}|all" in places:
        orders[f"{lead} prediction alone"] = places[f"{lead_column}|all"]["positions"]
    k = len(orders["final ranking"])
    for (label, positions), color in zip(orders.items(), (PRIMARY_COLOR, ACCENT_COLOR),
                                         strict=False):  # fmt: skip
        x = np.concatenate([[0], (np.sort(positions) + 1) / n * 100, [100]])
        y = np.concatenate([[0], np.arange(1, len(positions) + 1), [len(positions)]])
        ax.step(x, y, where="post", label=label, color=color)
    return _recovery_axes(fig, ax, lead, k)


def _label_score_axes(ax: Any, lead: str | None, y_column: str) -> str:
    """Labels of the score figure's scatter (lead prediction against drug-likeness); returns
    what the x axis shows."""
    what = f"predicted {lead}" if lead else "QED"
    ax.set_xlabel(what)
    ax.set_ylabel("QED desirability" if y_column == "d_qed" else "score")
    ax.legend(fontsize=8)
    ax.set_title(f"{what[0].upper()}{what[1:]} against drug-likeness")
    return what


def _recovery_axes(fig: Any, ax: Any, lead: str | None, n_known: int) -> str:
    """The recovery figure's random line, axes and words, for both ways of drawing it."""
    ax.plot([0, 100], [0, n_known], "k--", lw=0.8, label="random order")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, 100)
    ax.set_xlabel("top % of the ranked library")
    ax.set_ylabel("known actives found")
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return figure_html(fig, alt=f"Known actives found against the fraction of the ranked library "
                       f"screened, for the final ranking and for the {lead} prediction alone; "
                       f"{n_known} known actives in all.")  # fmt: skip


# ------------------------------------------------------------------ models
def _model_section(title: str, metrics: Mapping[str, Any], card_path: str,
                   figures: str = "") -> str:  # fmt: skip
    import pandas as pd

    from drugml.models.metrics import METRIC_NAMES

    cv = metrics.get("cross_validation", {})
    keys = [k for k in ("rmse", "mae", "r2", "spearman", "coverage", "mean_interval_width",
                        "roc_auc", "pr_auc", "mcc", "balanced_accuracy", "brier")
            if k in metrics]  # fmt: skip
    rows = [{"metric": METRIC_NAMES[k], "held-out test": metrics[k], "cross-validation":
             cv.get(k, float("nan"))} for k in keys]  # fmt: skip
    unit = metrics.get("unit", "")
    return "\n".join([
        f"<h3>{html.escape(title)}</h3>",
        f"<p><b>Predicts</b> {html.escape(str(metrics.get('endpoint', '?')))} "
        f"({html.escape(str(metrics.get('task', '')))}, {html.escape(unit)}, "
        f"{html.escape(str(metrics.get('estimator', '')))})"
        + (f"; <b>target</b>: {html.escape(str(metrics['target']))}" if metrics.get("target")
           else "") + "; "
        f"<b>features</b>: {html.escape(str(metrics.get('features', '?')))}. <b>Data</b>: "
        f"{html.escape(str(metrics.get('data_source', '?')))}. Model card: "
        f'<a href="{html.escape(card_path)}">{html.escape(card_path)}</a>.</p>',
        table_html(pd.DataFrame(rows), float_format="{:.3f}"),
        _selection_note(metrics.get("selection")),
        f'<p class="note"><b>Held-out test</b>: {html.escape(str(metrics.get("how", "")))} '
        f"({metrics.get('n_train', 0):,} molecules to train a model with the same settings, "
        f"{metrics.get('n_test', 0):,} to test it). <b>Cross-validation</b>: "
        f"{cv.get('n_folds', 5)} folds grouped by scaffold over all the data of the screening "
        "model, which is then refit on everything. The held-out split keeps whole chemotypes "
        "out, usually the rarest and hardest; the folds mix big and small scaffold families. "
        "Expect the held-out figure for molecules unlike the training data, the cross-validated "
        "one for close analogues.</p>",
        figures,
    ])  # fmt: skip


def _selection_note(selection: Mapping[str, Any] | None) -> str:
    """How the default chose its estimator, with every candidate's score ('' for a fixed one)."""
    from drugml.models.metrics import METRIC_NAMES

    if not selection:
        return ""
    metric = METRIC_NAMES.get(selection["metric"], selection["metric"])
    scores = ", ".join(f"{html.escape(str(name))} {score:.3f}"
                       for name, score in selection["scores"].items())  # fmt: skip
    return (f'<p class="note"><b>Estimator chosen per data set</b>: '
            f"{html.escape(str(selection['chosen']))}, the best {metric} on the "
            f"{html.escape(str(selection['how']))}: {scores}.</p>")  # fmt: skip


def _model_figures(name: str, test: Mapping[str, Any]) -> str:
    """Held-out figures of one model: parity and error against similarity (regression),
    ROC curve and probability by class (classification)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from drugml.viz import plot_error_vs_similarity, plot_parity, plot_roc

    predictions = test["predictions"]
    y = np.asarray(test["y"], dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    if test.get("task") == "classification":
        probability = predictions["probability"].to_numpy(dtype=float)
        if len(np.unique(y)) == 2:
            plot_roc(y, probability, ax=axes[0], label="held-out test set")
        for label, colour in ((0, "#999999"), (1, "#2b6ca3")):
            axes[1].hist(probability[y == label], bins=20, range=(0, 1), alpha=0.6,
                         color=colour, label=f"measured {label}")  # fmt: skip
        axes[1].set_xlabel(f"predicted probability ({name})")
        axes[1].set_ylabel("held-out molecules")
        axes[1].legend(frameon=False, fontsize=9)
        alt = (f"Left: ROC curve of the {name} model on the held-out test set. Right: its "
               "predicted probabilities for the measured positives and negatives.")  # fmt: skip
    else:
        plot_parity(y, predictions["prediction"], ax=axes[0], label="held-out test set",
                    lower=predictions["lower"], upper=predictions["upper"])  # fmt: skip
        plot_error_vs_similarity(y, predictions["prediction"], predictions["nearest_similarity"],
                                 ax=axes[1])  # fmt: skip
        alt = (f"Left: predicted against measured {name} on the held-out test set, with 90 % "
               "intervals. Right: absolute error against similarity to the nearest training "
               "molecule, with binned medians.")  # fmt: skip
    fig.tight_layout()
    return figure_html(fig, alt=alt)


def _curation_figure(log: Any) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import plot_curation_log

    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_curation_log(log, ax=ax)
    fig.tight_layout()
    return figure_html(fig, alt="Records left after each curation step, from the raw records "
                       "to one row per compound.")  # fmt: skip


# ------------------------------------------------------------------ pocket
def _pocket_view(target: Any, structure_path: Path, ranked: Any, name_column: str | None) -> str:
    """The pocket with the best-ranked passing candidate that is not a training compound."""
    from drugml.structure import load_structure, place_like_reference
    from drugml.viz.view3d import view_binding_site

    target = {"ligand": target.ligand, "ligand_smiles": target.ligand_smiles,
              "pocket_cutoff": target.pocket_cutoff}  # fmt: skip
    structure = load_structure(structure_path, ligand_residues=[target["ligand"]])
    candidates, note = [], ""
    legend = {f"reference ligand {target['ligand']} (green carbons)": "#33aa33",
              "pocket residues (white carbons, labelled)": "#ffffff",
              "pocket surface": "#9ecae1"}  # fmt: skip
    if target.get("ligand_smiles"):
        from drugml.chem import to_mol

        reference = structure.ligand_mol(target["ligand"], target["ligand_smiles"])
        pool = ranked[ranked["passes_filters"]]
        if "in_training_data" in pool:  # a molecule the model has not seen is more telling
            pool = pool[~pool["in_training_data"]]
        best = pool.head(1)
        if len(best):
            row = next(best.itertuples(index=False))
            pose = place_like_reference(to_mol(row.smiles), reference)
            if pose.GetIntProp("mcs_atoms") >= 6:
                candidates = [pose]
                legend[f"candidate #{row.rank} {_name(row, name_column)} (magenta carbons)"] = (
                    "#ff00ff"
                )
                note = (f"Candidate #{row.rank}, {_name(row, name_column)}, is the best-ranked "
                        "molecule that passes the filters and is not in the training data. It is "
                        f"placed by analogy on the reference ligand ({pose.GetIntProp('mcs_atoms')}"
                        " atoms in common, the rest embedded around them): an illustration of how "
                        "it could sit, not a docked pose.")  # fmt: skip
            else:
                note = (f"Candidate #{row.rank}, the best-ranked new molecule, shares too little "
                        "with the reference ligand to be placed by analogy; only the reference "
                        "ligand is shown.")  # fmt: skip
    cutoff = float(target["pocket_cutoff"])
    view = view_binding_site(structure, target["ligand"], cutoff=cutoff, surface=True,
                             candidates=candidates, width=900, height=520)  # fmt: skip
    offline = "" if view.offline else (
        '<p class="note">3Dmol.js is not installed locally: this view needs network access '
        "(run <code>drugml viewer install</code> before <code>drugml run</code>).</p>")  # fmt: skip
    swatches = "".join(f'<span><span class="swatch" style="background:{colour}"></span>'
                       f"{html.escape(label)}</span>"
                       for label, colour in legend.items())  # fmt: skip
    return (f'<div class="legend">{swatches}</div>' + view.to_html(include_library=False)
            + (f'<p class="note">{html.escape(note)}</p>' if note else "") + offline)  # fmt: skip


def _docking_section(summary: Mapping[str, Any], ranked: Any, run_dir: Path,
                     name_column: str | None) -> str:  # fmt: skip
    docked = ranked[ranked["docking_status"].notna()].sort_values("rank")
    return docking_html(docked, summary, summary["structure"], summary.get("reference_ligand"),
                        run_dir, name_column)  # fmt: skip


def docking_html(docked: Any, summary: Mapping[str, Any], structure_path: str | Path,
                 reference_ligand: str | None, run_dir: Path,
                 name_column: str | None = None) -> str:  # fmt: skip
    """The docking section: how the receptor was prepared, the docked candidates' table and
    each chosen pose in 3D in the pocket with the reference ligand (offline with a local
    3Dmol.js). ``docked``: the rows of the ranked table that were docked (rank order)."""
    import pandas as pd

    from drugml.structure import load_structure
    from drugml.structure.dock import read_poses
    from drugml.viz.view3d import view_binding_site, view_structure

    receptor = summary["receptor"]
    removed = {k: len(v) for k, v in receptor["removed"].items() if v}
    settings = summary["settings"]
    key = settings.get("key_interaction")
    key_text = f"{'/'.join(key['interactions'])} with {key['residue']}" if key else "none set"
    lines = [
        f"<p>{summary['docked']} of {summary['asked']} candidates of the short list docked into "
        f"{html.escape(str(receptor['structure']))} (chains {', '.join(receptor['chains'])}) with "
        f"AutoDock Vina ({html.escape(settings['scoring'])}, exhaustiveness "
        f"{settings['exhaustiveness']}, seed {settings['seed']}) in {summary['seconds']:.0f} s. "
        f"Receptor: waters kept {html.escape(', '.join(receptor['kept_waters']) or 'none')}; "
        f"removed {html.escape(str(removed))}; {receptor['hydrogens_added']:,} hydrogens added. "
        f"Box: centre {summary['box']['center']}, size {summary['box']['size']} Å. Key "
        f"interaction: {html.escape(key_text)}; pose choice: "
        f"{html.escape(settings['pose_selection'])}.</p>",
        (f'<p class="note"><b>Covalent docking at {html.escape(receptor["covalent"]["residue"])}'
         f"</b>: its {html.escape(receptor['covalent']['atom'])} was removed so that a warhead "
         "can take its place, and for a molecule with a warhead the best-scored pose whose "
         f"warhead is within {settings.get('covalent_distance', 5.0):g} Å of that atom is "
         "chosen (<i>warhead to reactive atom</i>; empty: no warhead).</p>"
         if receptor.get("covalent") else
         f'<p class="note"><b>The reference ligand is covalently bound</b> (to '
         f"{html.escape(', '.join(receptor['reference_covalent_to']))}): Vina docks without "
         "covalent bonds, so a covalent candidate's warhead is placed by non-bonded terms "
         "only (<code>docking.covalent_residue: auto</code> docks it covalently).</p>"
         if receptor.get("reference_covalent_to") else ""),
        '<p class="note">A docking score ranks poses of one molecule better than it ranks '
        "molecules: on 50 EGFR actives and 50 size-matched inactives its ROC-AUC is 0.41, the "
        "potency model's 0.97, whether the pose makes the hinge H-bond 0.69 "
        "(benchmarks/results/docking.json). Read the pose and its interactions, not the score "
        "alone. <code>pose_ok</code> is PoseBusters' docking checks (chemistry and clashes, not "
        "the binding mode).</p>",
    ]  # fmt: skip
    columns = {"rank": "rank", "docking_status": "status", "docking_score": "score (kcal/mol)",
               "docking_ligand_efficiency": "LE", "docking_key_interaction": "key interaction",
               "pose_ok": "pose ok", "pose_failed_checks": "failed checks",
               "docking_interactions": "interactions of the chosen pose"}  # fmt: skip
    if receptor.get("covalent") and "docking_covalent_distance" in docked:
        columns["docking_covalent_distance"] = "warhead to reactive atom (Å)"
    names = [_name(row, name_column) for row in docked.itertuples(index=False)]
    table = pd.DataFrame({"molecule": names})
    for column, title in columns.items():
        if column in docked:
            table[title] = docked[column].to_numpy()
    lines.append(table_html(table, float_format="{:.2f}"))
    ligands = [reference_ligand] if reference_ligand else None
    structure = load_structure(structure_path, ligand_residues=ligands)
    views = []
    for row in docked.itertuples(index=False):
        pose_file = getattr(row, "docking_pose_file", "") or ""
        if not pose_file or not (run_dir / pose_file).is_file():
            continue
        poses = read_poses(run_dir / pose_file)
        chosen = [p for p in poses if p.HasProp("chosen") and p.GetProp("chosen") == "True"]
        pose = (chosen or poses)[0]
        if reference_ligand:
            view = view_binding_site(structure, reference_ligand, surface=False, labels=True,
                                     candidates=[pose], width=440, height=340)  # fmt: skip
        else:
            view = view_structure(structure, width=440, height=340)
        found = pose.GetProp("interactions") if pose.HasProp("interactions") else ""
        views.append(
            f'<figure class="pose"><figcaption>#{row.rank} {html.escape(_name(row, name_column))}'
            f": {getattr(row, 'docking_score', float('nan')):.2f} kcal/mol</figcaption>"
            f"{view.to_html(include_library=False)}<p class=\"note\">"
            f"{html.escape(found) or 'no interaction found'}</p></figure>")  # fmt: skip
    if views:
        lines.append('<p class="note">Each docked candidate\'s chosen pose (magenta carbons) in '
                     "the pocket, with the reference ligand (green carbons).</p>")  # fmt: skip
        lines.append('<div class="poses">' + "".join(views) + "</div>")
    return "\n".join(lines)


# ---------------------------------------------------------------- sections
def _ranking_config_html(ranking_config: RankingConfig, models: Mapping[str, str]) -> str:
    import pandas as pd

    from drugml.schema import column_meaning

    objectives = ranking_config.objectives
    total = sum(o.weight for o in objectives.values())
    shape_words = {"increasing": "higher is better", "decreasing": "lower is better",
                   "window": "best inside the range"}  # fmt: skip
    rows = [{"objective": name, "column": o.column,
             "meaning": column_meaning(o.column, models),
             "shape": f"{o.shape} ({shape_words.get(o.shape, '')})",
             "0 at / 1 at": (f"{o.low:g} / {o.high:g}" if o.shape == "increasing"
                             else f"{o.high:g} / {o.low:g}" if o.shape == "decreasing"
                             else f"{o.low:g} to {o.high:g}, margin {o.margin:g}"),
             "weight": o.weight,
             "share of the score": f"{o.weight / total:.0%}"}
            for name, o in objectives.items()]  # fmt: skip
    filters = [{"column": column, "a molecule fails when": ", ".join(
                    {"max": f"above {v}", "min": f"below {v}", "equals": f"not {v}"}[k]
                    for k, v in rule.rules().items())}
               for column, rule in ranking_config.filters.items()]  # fmt: skip
    settings = (f"Short list: {ranking_config.top_k} molecules, diversity "
                f"{ranking_config.diversity!r} (pool of the best {ranking_config.pool_factor}"
                f" x {ranking_config.top_k} passing molecules); desirabilities floored at "
                f"{ranking_config.floor}.")  # fmt: skip
    return "\n".join([
        '<p class="note">Each objective maps a column to a desirability between 0 and 1; the '
        "score is their weighted geometric mean, so a molecule cannot buy back a near-zero "
        "desirability with excellent others. Hard filters do not change the score: a failing "
        "molecule keeps it but ranks after every passing one.</p>",
        table_html(pd.DataFrame(rows), float_format="{:g}"),
        "<h3>Hard filters</h3>",
        table_html(pd.DataFrame(filters)) if filters else '<p class="note">None.</p>',
        f'<p class="note">{html.escape(settings)}</p>',
    ])  # fmt: skip


def _cards(metrics: Mapping[str, Any], n_seen: int, lead: str | None) -> str:
    screen, validation = metrics["screen"], metrics["validation"]
    final = validation["all_compounds"]
    models = metrics["models"]
    cards = [("models", f"{len(models)} trained", ", ".join(models))]
    for name, m in models.items():
        if name != lead and lead is not None:
            continue
        data = m.get("training_data", {})
        cards.append((f"{name}: training compounds", f"{data.get('compounds', m['n_train']):,}",
                      f"from {data.get('raw_records', 0):,} records"))  # fmt: skip
        if m.get("task") == "classification":
            cards.append((f"{name} model, held-out test", f"ROC-AUC {m['roc_auc']:.2f}",
                          f"PR-AUC {m['pr_auc']:.2f} on {m['split']}-split molecules it never "
                          "saw"))  # fmt: skip
        else:
            cards.append((f"{name} model, held-out test", f"RMSE {m['rmse']:.2f}",
                          f"{m.get('unit', '')}; R² {m['r2']:.2f} on {m['split']}-split "
                          "molecules it never saw"))  # fmt: skip
            cards.append(("90 % intervals cover", f"{m['coverage']:.0%}",
                          "of the held-out molecules"))  # fmt: skip
    cards += [
        ("library", f"{screen['scored']:,} scored",
         f"of {screen['records']:,} records; {screen['rejected']:,} rejected (reasons below)"),
        ("known actives in the top 5 %", f"{final['n_in_top_5pct']} of {final['n_known_actives']}",
         f"{n_seen} of the {final['n_known_actives']} are training compounds"),
    ]  # fmt: skip
    return (
        '<div class="cards">'
        + "".join(
            f"<div class=card>{html.escape(k)}<b>{html.escape(v)}</b>"
            f'<span class="note">{html.escape(sub)}</span></div>'
            for k, v, sub in cards
        )
        + "</div>"
    )


def _curation_section(name: str, metrics: Mapping[str, Any], log: Any) -> str:
    data = metrics.get("training_data", {})
    active = f", {data['active_fraction']:.0%} active" if "active_fraction" in data else ""
    return "\n".join([
        f"<h3>{html.escape(name)}</h3>",
        f'<p class="note">{data.get("raw_records", 0):,} records of '
        f"{html.escape(str(metrics.get('data_source', '')))} to "
        f"{data.get('compounds', 0):,} compounds{active}. Every record not used, with its step "
        f'and reason, is in <a href="training/{html.escape(name)}/rejected.csv">'
        f"training/{html.escape(name)}/rejected.csv</a>.</p>",
        _curation_figure(log) if log is not None and len(log) else "",
        table_html(log) if log is not None else "",
    ])  # fmt: skip


def _where_all(streamed: bool, n_top: int) -> str:
    """Where every ranked structure is, in words with links."""
    csv_link = ' in <a href="ranked_candidates.csv">ranked_candidates.csv</a>'
    if not streamed:
        return csv_link
    return (f' in the Parquet parts of <a href="ranked/">ranked/</a> (the best {n_top:,}'
            f"{csv_link})")  # fmt: skip


def _candidate_sections(ranked: Any, n_ranked: int, short: Any,
                        ranking_config: RankingConfig, name_column: str | None,
                        alert_columns: Sequence[str], models: Mapping[str, str],
                        lead: str | None, where_all: str) -> list[str]:  # fmt: skip
    """The ranked-candidate table, the top of the ranking and the short list."""
    lead_column = prediction_column(lead, models[lead]) if lead else None
    top = ranked[ranked["passes_filters"]].head(8)
    shown = min(len(ranked), SHOWN_CANDIDATES)  # ranked: every row, or the top of a big screen
    more_candidates = n_ranked - shown
    return [
        "<h2>Ranked candidates</h2>",
        '<p class="note">The best-ranked molecules, best first: passing molecules by score, then '
        "those that fail a hard filter. Click a column to sort, type to filter. <b>Why this "
        "score</b> names the objectives that cost the molecule most (desirability, and its "
        "factor in the score: the score is the product of the factors); hover it for all of "
        "them. Badges: <span class='badge b-train'>in training data</span> a model (named) "
        "learned its measured value; <span class='badge b-domain'>out of domain</span> no "
        "training molecule is similar, the prediction is less sure; "
        "<span class='badge b-alert'>BRENK: ...</span> structural alerts by name; "
        "<span class='badge b-filter'>filter failed</span> with the rule.</p>",
        _candidate_table(ranked, ranking_config, name_column, alert_columns, models, lead),
        f'<p class="note">Showing the best {shown} of '
        f"{n_ranked:,} distinct structures; all {n_ranked:,}, with every column, are"
        f"{where_all}" + (f" ({more_candidates:,} more than here)" if more_candidates else "")
        + ".</p>",
        "<h3>The top of the ranking</h3>",
        f'<p class="note">The {len(top)} best-scoring molecules that pass the hard filters, in '
        "rank order (they may be close analogues of each other).</p>",
        _grid(top, name_column, "The best-scoring passing molecules", lead_column)
        if len(top) else "",
        "<h3>The diverse short list</h3>",
        f'<p class="note">{len(short)} molecules picked for diversity (MaxMin on ECFP4) among the '
        f"best {ranking_config.pool_factor} x {ranking_config.top_k} passing molecules, "
        "seeded with the best one: a list to test that is not ten copies of one chemotype. "
        "Ranks skipped between them (e.g. #2-#5) were close analogues of a molecule already "
        "picked; they are in the table above.</p>",
        _grid(short, name_column, "The diverse short list", lead_column) if len(short) else "",
    ]  # fmt: skip


def _known_table(known: Any, alone: Any, name_column: str | None, models: Mapping[str, str],
                 lead: str | None) -> str:  # fmt: skip
    """The known actives found: rank, rank by the lead model alone, score, predictions."""
    import pandas as pd

    table = pd.DataFrame({
        "rank": known["rank"],
        "molecule": [_name(r, name_column) for r in known.itertuples(index=False)],
        **({f"rank by {lead} alone": alone} if lead else {}),
        "score": known["score"],
        **{prediction_column(n, t): known[prediction_column(n, t)] for n, t in models.items()},
        "in training data": known["training_data_of"] if "training_data_of" in known
        else known.get("in_training_data", False),
        "passes filters": known["passes_filters"], "filter failed": known["filter_reasons"],
    })  # fmt: skip
    return table_html(table.sort_values("rank"), float_format="{:.2f}")


def _page(title: str, sections: Sequence[str], head: str = "") -> str:
    """A whole self-contained page: style, ``head`` (e.g. an inline library), sections and
    the candidate table's script."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>{_STYLE}</style>\n"
            f"{head}</head>\n<body>\n" + "\n".join(s for s in sections if s)
            + f"\n<script>{_TABLE_SCRIPT}</script>\n</body>\n</html>\n")  # fmt: skip


def write_report(
    path: str | Path,
    *,
    config: Any,
    metrics: Mapping[str, Any],
    ranked: Any,
    rejects: Any,
    held_out: Mapping[str, Mapping[str, Any]],
    curation_logs: Mapping[str, Any],
    structure_path: Path | None,
    data_versions: list[dict[str, str]],
) -> Path:
    """Write a campaign's HTML report next to its outputs; returns its path.

    ``config`` is the run's :class:`~drugml.campaign.config.CampaignConfig`;
    ``held_out`` maps each model to its held-out test (``y``, ``predictions``,
    ``task``); ``curation_logs`` each model to its curation log. Links (the CSV
    of every candidate, the model cards) are relative to the report's folder,
    which :func:`drugml.campaign.pipeline.run` fills. ``ranked``: the ranked table, or
    for a big screen the :class:`~drugml.screening.rank_stream.RankedScreen` of
    :func:`~drugml.screening.rank_stream.rank_screen`: the report then builds from its
    top rows, short list, known actives, an even sample and histograms over
    every structure, in memory that does not grow with the screen.
    """
    import pandas as pd

    from drugml.schema import ALERT_CATALOGS
    from drugml.screening.rank import lead_models
    from drugml.viz.view3d import library_html

    path = Path(path)
    name = html.escape(str(config.name))
    name_column = config.library.name_column
    ranking_config = config.ranking
    models = config.model_tasks()
    leads = lead_models(ranking_config, models)
    lead = leads[0] if leads else None
    lead_column = prediction_column(lead, models[lead]) if lead else None
    screen = metrics["screen"]
    validation = metrics["validation"]
    streamed = ranked if _is_streamed(ranked) else None
    if streamed is not None:  # a big screen: its top rows and streamed aggregates
        ranked = streamed.top
        n_ranked = len(streamed)
        known = streamed.known
        short = streamed.selected
        alone = _alone_ranks(streamed, known, lead_column)
    else:
        n_ranked = len(ranked)
        known = ranked[ranked["known_active"]]
        short = ranked[ranked["selected"]]
        alone = (ranked[lead_column].rank(ascending=False, method="min").loc[known.index]
                 if lead_column else None)  # fmt: skip
    alert_columns = [c for c in ALERT_CATALOGS if f"{c}_alerts" in ranked]
    n_seen = int((known["in_training_data"]).sum()) if "in_training_data" in known else 0
    rejected_by_reason = (rejects["reason"].astype(str).str.split(":").str[0].value_counts()
                          .rename_axis("reason").reset_index(name="records"))  # fmt: skip
    versions = {"drugml": metrics["drugml"], "python": platform.python_version()}
    for module in ("rdkit", "sklearn", "xgboost", "pandas", "numpy", "py3Dmol"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:
            continue
    where_all = _where_all(streamed is not None, len(ranked))
    sections = [
        f"<h1>drugml report: {name}</h1>",
        f'<p class="sub">Generated {time.strftime("%Y-%m-%d %H:%M")} by drugml '
        f"{html.escape(metrics['drugml'])}, seed {metrics['seed']}. Offline and self-contained; "
        "the links point to files next to this report.</p>",
        _cards(metrics, n_seen, lead),
        # the score explained is the ranking's before docking (docking objectives re-order
        # the docked molecules only: score_with_docking)
        *_candidate_sections(ranked, n_ranked, short, ranking_config.without_docking(),
                             name_column, alert_columns, models, lead, where_all),
        _score_figure(ranked, lead, lead_column) if streamed is None
        else _score_figure_streamed(streamed, lead, lead_column),
        *(["<h2>The best new candidate in the pocket</h2>",
           _pocket_view(config.target, structure_path, ranked, name_column)]
          if config.target is not None and config.target.ligand and structure_path else []),
        *(["<h2>Docked candidates</h2>",
           _docking_section(metrics["docking"], ranked, path.parent, name_column)]
          if metrics.get("docking") else []),
        "<h2>Where the known actives land</h2>",
        _enrichment_words(validation, n_seen, lead),
        _enrichment_table(validation, leads),
        _known_table(known, alone, name_column, models, lead) if len(known) else "",
        (_recovery_figure(ranked, lead, lead_column) if streamed is None
         else _recovery_figure_streamed(streamed, lead, lead_column)) if len(known) else "",
        "<h2>Models</h2>",
        *[_model_section(f"{n} model", metrics["models"][n], f"models/{n}/MODEL_CARD.md",
                         _model_figures(n, held_out[n]) if n in held_out else "")
          for n in models],
        "<h2>Training data</h2>",
        *[_curation_section(n, metrics["models"][n], curation_logs.get(n)) for n in models],
        "<h2>Screen</h2>",
        f'<p class="note">{screen["records"]:,} records of {html.escape(str(screen["library"]))}: '
        f"{screen['scored']:,} scored, {screen['rejected']:,} rejected, "
        f"{screen['salt_forms_merged']:,} salt forms and duplicates merged into "
        f"{screen['unique_structures']:,} distinct structures; "
        f"{screen.get('molecules_per_second') or 0:,.0f} molecules a second. Every rejected "
        "record, with its reason, is in screen/rejects/.</p>",
        table_html(rejected_by_reason) if len(rejects) else "",
        table_html(rejects.head(20), more=" in screen/rejects/") if len(rejects) else "",
        "<h2>Ranking configuration</h2>",
        _ranking_config_html(ranking_config, models),
        "<h2>Versions and data</h2>",
        table_html(pd.DataFrame([versions])),
        table_html(pd.DataFrame([{"input": k, **v} for k, v in metrics["inputs"].items()])),
        table_html(pd.DataFrame(data_versions), max_rows=100),
    ]  # fmt: skip
    path.write_text(_page(f"drugml report: {name}", sections, library_html()), encoding="utf-8")
    return path


def write_ranking_report(path: str | Path, ranked: Any, *, title: str | None = None,
                         notes: Sequence[str] = ()) -> Path:  # fmt: skip
    """Write the HTML page of a ranking made by ``drugml rank``; returns its path.

    ``ranked``: a :class:`~drugml.screening.rank_stream.RankedScreen` or its folder.
    The page is built from what the ranking folder holds (its top rows, short
    list, known actives, an even sample and histograms over every structure),
    so its memory does not grow with the screen: the candidate table with why
    each molecule scores as it does, the top of the ranking and the short list
    drawn in 2D, the score figure, where the known actives land (by the final
    ranking and by the lead model alone) and the ranking configuration. Models
    are found from the prediction columns (:func:`drugml.schema.models_in_columns`);
    the models' own metrics and cards are in the run's report
    (:func:`write_report`), not here. ``title``: the page's heading (default:
    "ranking of" the screen's folder, or of its run's folder); ``notes``:
    sentences shown first (what the ranking left out, say). Its links
    (``ranked/``, ``ranked_candidates.csv``) are relative: write it into the
    ranking folder, as ``drugml rank`` does.

    >>> write_ranking_report("ranked/report.html", "ranked")  # doctest: +SKIP
    """
    from drugml.schema import ALERT_CATALOGS, models_in_columns
    from drugml.screening.rank import lead_models
    from drugml.screening.rank_stream import RankedScreen

    path = Path(path)
    streamed = ranked if isinstance(ranked, RankedScreen) else RankedScreen.load(ranked)
    summary = streamed.summary
    ranking_config = parse_ranking(summary["ranking"])
    name_column = summary.get("stamp", {}).get("name_column")
    top = streamed.top
    models = models_in_columns(top.columns)
    leads = lead_models(ranking_config, models)
    lead = leads[0] if leads else None
    lead_column = prediction_column(lead, models[lead]) if lead else None
    known = streamed.known
    # a run's screen is its folder's screen/: the run's folder names it better
    screen = Path(str(summary["screen"]))
    where = screen.parent.name if screen.name == "screen" and screen.parent.name else screen.name
    heading = html.escape(title or f"ranking of {where}")
    training_known = streamed.training_marked  # only with a run's training sets
    counts = (f"{summary['screen_rows']:,} scored rows of the screen in "
              f"<code>{html.escape(screen.name)}/</code>, "
              f"{summary['salt_forms_merged']:,} salt forms and duplicates merged into "
              f"{len(streamed):,} distinct structures; {summary['passing']:,} pass the hard "
              "filters" + "".join(f", {n:,} fail {html.escape(str(f))}"
                                  for f, n in summary.get("failing_by_filter", {}).items())
              + (f"; {summary.get('in_training_data', 0):,} are in a model's training data."
                 if training_known else ". Training compounds are not marked: the screen was "
                 "ranked outside its run's folder, which holds the training sets."))  # fmt: skip
    sections = [
        f"<h1>drugml {heading}</h1>",
        f'<p class="sub">Generated {time.strftime("%Y-%m-%d %H:%M")} by <code>drugml rank</code> '
        "from the ranking folder; offline and self-contained, the links point to files next "
        "to this page.</p>",
        *(f'<p class="note"><b>Note:</b> {html.escape(n)}</p>' for n in notes),
        f"<p>{counts}</p>",
        *_candidate_sections(top, len(streamed), streamed.selected, ranking_config,
                             name_column, [c for c in ALERT_CATALOGS if f"{c}_alerts" in top],
                             models, lead, _where_all(True, len(top))),
        _score_figure_streamed(streamed, lead, lead_column),
    ]  # fmt: skip
    places = summary.get("known_actives", {}).get("places", {})
    if "rank|all" in places:
        validation = streamed.validation({n: prediction_column(n, models[n]) for n in leads})
        n_seen = int(known["in_training_data"].sum()) if training_known else None
        sections += [
            "<h2>Where the known actives land</h2>",
            _enrichment_words(validation, n_seen, lead),
            _enrichment_table(validation, leads),
            _known_table(known, _alone_ranks(streamed, known, lead_column), name_column, models,
                         lead) if len(known) else "",
            _recovery_figure_streamed(streamed, lead, lead_column) if len(known) else "",
        ]  # fmt: skip
    sections += ["<h2>Ranking configuration</h2>", _ranking_config_html(ranking_config, models)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_page(f"drugml {heading}", sections), encoding="utf-8")
    return path
