"""The ranked candidates on a page: the interactive table with why each molecule scores as it
does (each objective's factor in the score), the top of the ranking and the diverse short list
drawn in 2D, and the score figure.

Example
-------
>>> where_all(False, 10)
' in <a href="ranked_candidates.csv">ranked_candidates.csv</a>'
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from drugml.report._html import figure_html, join_parts
from drugml.report._view import RankedView, molecule_name
from drugml.schema import RANKED_CSV, prediction_column
from drugml.screening.rank_stream import RANKED
from drugml.screening.ranking_config import RankingConfig, RankingSource, parse_ranking

__all__ = [
    "SHOWN_CANDIDATES",
    "candidate_sections",
    "candidate_table",
    "score_factors",
    "score_figure",
    "structure_grid",
    "where_all",
]

#: Candidates drawn in the report's interactive table (all of them are in the CSV).
SHOWN_CANDIDATES = 100


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
    return pd.DataFrame(
        {name: ranked[f"d_{name}"] ** (o.weight / total) for name, o in objectives.items()},
        index=ranked.index,
    )


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
        badges.append(
            f'<span class="badge b-train" title="its measured value was used to train '
            f'the {which} model">in training data ({which})</span>'
        )
    if domain_column and not bool(getattr(row, domain_column, True)):
        badges.append(
            '<span class="badge b-domain" title="far from every training molecule: '
            'treat the prediction with care">out of domain</span>'
        )
    for column in alert_columns:
        names = getattr(row, f"{column}_alerts", "") or ""
        if isinstance(names, str) and names:
            badges.append(
                f'<span class="badge b-alert">{html.escape(column.upper())}: '
                f"{html.escape(names)}</span>"
            )
    if not getattr(row, "passes_filters", True):
        badges.append(
            f'<span class="badge b-filter">filter failed: '
            f"{html.escape(str(row.filter_reasons))}</span>"
        )
    return "".join(badges)


def _why(factors: Mapping[str, float], desirabilities: Mapping[str, float]) -> str:
    """What holds a molecule's score back: the objectives whose factor is below 0.97."""
    costly = sorted((f, n) for n, f in factors.items() if f < 0.97)
    detail = "; ".join(f"{n} {desirabilities[n]:.2f} (×{f:.2f})" for f, n in costly[:3])
    full = ", ".join(f"{n}: d {desirabilities[n]:.2f}, ×{f:.3f}" for n, f in factors.items())
    return (
        f'<span title="{html.escape(full)}">'
        + (
            f"held back by {html.escape(detail)}"
            if detail
            else "no objective costs it more than 3 %"
        )
        + "</span>"
    )


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


def _candidate_row(
    row: Any,
    factors: Mapping[str, float],
    objectives: Sequence[str],
    name_column: str | None,
    alert_columns: Sequence[str],
    models: Mapping[str, str],
    domain_column: str | None,
) -> str:
    """One row of the candidate table; its ``data-`` flags are what the check boxes hide."""
    from drugml.viz import molecule_svg

    name = molecule_name(row, name_column)
    d = {n: float(getattr(row, f"d_{n}")) for n in objectives}
    f = {n: float(factors[n]) for n in objectives}
    flags = {
        "train": getattr(row, "in_training_data", False),
        "fail": not row.passes_filters,
        "ood": domain_column is not None and not getattr(row, domain_column),
    }
    data = " ".join(f'data-{k}="{int(bool(v))}"' for k, v in flags.items())
    cells = [
        f'<td data-sort="{row.rank}">{row.rank}</td>',
        f'<td class="structure">{molecule_svg(row.smiles, title=name)}</td>',
        f"<td>{html.escape(name)}<br><small>{html.escape(_ids(row))}</small></td>",
        f'<td data-sort="{row.score:.6f}">{row.score:.3f}</td>',
        *[_model_cell(row, n, t) for n, t in models.items()],
        *[
            f'<td data-sort="{v:.4f}">{v:.2f}</td>' if v == v else "<td></td>"
            for v in (float(getattr(row, c, float("nan"))) for c in ("qed", "sa_score"))
        ],
        f"<td>{int(getattr(row, 'ro5_violations', 0))}</td>",
        f"<td>{_badges(row, alert_columns, domain_column)}</td>",
        f'<td class="why">{_why(f, d)}</td>',
    ]
    return f"<tr {data}>{''.join(cells)}</tr>"


def candidate_table(
    ranked: Any,
    ranking_config: RankingConfig,
    name_column: str | None,
    alert_columns: Sequence[str],
    models: Mapping[str, str],
    lead: str | None,
) -> str:
    """The interactive table of the best ``SHOWN_CANDIDATES`` molecules."""
    shown = ranked.head(SHOWN_CANDIDATES)
    factors = score_factors(shown, ranking_config)
    objectives = list(ranking_config.objectives)
    domain_column = f"{lead}_in_domain" if lead and f"{lead}_in_domain" in shown else None
    headers = [
        "rank",
        "structure",
        "molecule",
        "score",
        *[_model_header(n, t) for n, t in models.items()],
        *["QED", "SA", "Ro5 viol.", "flags", "why this score"],
    ]
    body = [
        _candidate_row(
            row,
            factors.iloc[position],
            objectives,
            name_column,
            alert_columns,
            models,
            domain_column,
        )
        for position, row in enumerate(shown.itertuples(index=False))
    ]
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
    )
    return (
        controls
        + '<div class="scroll tall"><table id="candidates"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def structure_grid(rows: Any, name_column: str | None, what: str, lead_column: str | None) -> str:
    """A grid of 2D structures labelled with rank, name (two lines at most) and score."""
    import textwrap

    from drugml.viz import molecule_grid

    legends = []
    for row in rows.itertuples(index=False):
        name = "\n".join(textwrap.wrap(molecule_name(row, name_column), 26)[:2])
        lead = (
            f", {lead_column.rsplit('_', 1)[0]} {getattr(row, lead_column):.2f}"
            if lead_column
            else ""
        )
        legends.append(f"#{row.rank} {name}\nscore {row.score:.2f}{lead}")
    svg = molecule_grid(
        rows["smiles"].tolist(), legends=legends, n_cols=4, sub_image_size=(270, 220)
    ).svg
    svg = svg[svg.index("<svg") :]
    label = html.escape(
        f"{what}: "
        + ", ".join(
            f"#{r} {molecule_name(row, name_column)}"
            for r, row in zip(rows["rank"], rows.itertuples(index=False), strict=True)
        )
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def where_all(streamed: bool, n_top: int) -> str:
    """Where every ranked structure is, in words with links."""
    csv_link = f' in <a href="{RANKED_CSV}">{RANKED_CSV}</a>'
    if not streamed:
        return csv_link
    parts = f"{RANKED}/"
    return f' in the Parquet parts of <a href="{parts}">{parts}</a> (the best {n_top:,}{csv_link})'


def candidate_sections(view: RankedView, ranking_config: RankingConfig) -> str:
    """The ranked-candidate table, the top of the ranking and the short list.

    ``ranking_config``: the ranking whose score the table explains (the campaign page's is
    the ranking before docking)."""
    ranked, short, name_column = view.top, view.short, view.name_column
    top = ranked[ranked["passes_filters"]].head(8)
    shown = min(len(ranked), SHOWN_CANDIDATES)  # ranked: every row, or the top of a big screen
    more_candidates = view.n_ranked - shown
    table = candidate_table(
        ranked, ranking_config, name_column, view.alert_columns, view.models, view.lead
    )
    parts = [
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
        table,
        f'<p class="note">Showing the best {shown} of '
        f"{view.n_ranked:,} distinct structures; all {view.n_ranked:,}, with every column, are"
        f"{where_all(view.streamed is not None, len(ranked))}"
        + (f" ({more_candidates:,} more than here)" if more_candidates else "")
        + ".</p>",
        "<h3>The top of the ranking</h3>",
        f'<p class="note">The {len(top)} best-scoring molecules that pass the hard filters, in '
        "rank order (they may be close analogues of each other).</p>",
        structure_grid(top, name_column, "The best-scoring passing molecules", view.lead_column)
        if len(top)
        else "",
        "<h3>The diverse short list</h3>",
        f'<p class="note">{len(short)} molecules picked for diversity (MaxMin on ECFP4) among the '
        f"best {ranking_config.pool_factor} x {ranking_config.top_k} passing molecules, "
        "seeded with the best one: a list to test that is not ten copies of one chemotype. "
        "Ranks skipped between them (e.g. #2-#5) were close analogues of a molecule already "
        "picked; they are in the table above.</p>",
        structure_grid(short, name_column, "The diverse short list", view.lead_column)
        if len(short)
        else "",
    ]
    return join_parts(parts)


# ------------------------------------------------------------------ score figure
def _mark_known_actives(ax: Any, known: Any, x_column: str, y_column: str) -> None:
    """The known actives as stars on a score figure (nothing when there are none)."""
    from drugml.viz import ACCENT_COLOR

    if len(known):
        ax.scatter(
            known[x_column],
            known[y_column],
            s=50,
            marker="*",
            color=ACCENT_COLOR,
            label="known actives",
        )


def _label_score_axes(ax: Any, lead: str | None, y_column: str) -> str:
    """Labels of the score figure's scatter (lead prediction against drug-likeness); returns
    what the x axis shows."""
    what = f"predicted {lead}" if lead else "QED"
    ax.set_xlabel(what)
    ax.set_ylabel("QED desirability" if y_column == "d_qed" else "score")
    ax.legend(fontsize=8)
    ax.set_title(f"{what[0].upper()}{what[1:]} against drug-likeness")
    return what


def _score_figure_table(ranked: Any, lead: str | None, lead_column: str | None) -> str:
    import matplotlib.pyplot as plt

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    passing = ranked["passes_filters"]
    y_column = "d_qed" if "d_qed" in ranked else "score"
    x_column = lead_column or "qed"
    axes[0].scatter(
        ranked.loc[passing, x_column],
        ranked.loc[passing, y_column],
        s=8,
        alpha=0.4,
        color="#999999",
        label="candidates",
    )
    front = ranked[passing & (ranked["pareto_rank"] == 1)]
    axes[0].scatter(
        front[x_column], front[y_column], s=22, color=PRIMARY_COLOR, label="Pareto front (rank 1)"
    )
    known = ranked[ranked["known_active"]] if "known_active" in ranked else ranked.iloc[:0]
    _mark_known_actives(axes[0], known, x_column, y_column)
    what = _label_score_axes(axes[0], lead, y_column)
    axes[1].hist(ranked["score"], bins=40, color="#bbbbbb")
    for value in known["score"]:
        axes[1].axvline(value, color=ACCENT_COLOR, lw=1)
    axes[1].set_xlabel("aggregate score")
    axes[1].set_ylabel("compounds")
    axes[1].set_title("Score distribution" + (" (red: known actives)" if len(known) else ""))
    fig.tight_layout()
    return figure_html(
        fig,
        alt=f"Left: {what} against QED desirability of every "
        "passing candidate, Pareto front"
        + (" and known actives" if len(known) else "")
        + " marked. Right: histogram of the aggregate score"
        + (", known actives as red lines." if len(known) else "."),
    )


def _score_figure_streamed(streamed: Any, lead: str | None, lead_column: str | None) -> str:
    """The score figure of a big screen: an even sample of the passing molecules, the
    pool's Pareto front and the histogram of every score."""
    import matplotlib.pyplot as plt

    from drugml.viz import ACCENT_COLOR, PRIMARY_COLOR

    sample, pool, known = streamed.sample, streamed.pool, streamed.known
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    y_column = "d_qed" if "d_qed" in sample else "score"
    x_column = lead_column if lead_column and lead_column in sample else "qed"
    every = max(1, streamed.summary["passing"] // max(1, len(sample)))
    axes[0].scatter(
        sample[x_column],
        sample[y_column],
        s=8,
        alpha=0.4,
        color="#999999",
        label=f"candidates (1 in {every:,} passing)",
    )
    front = pool[pool["pareto_rank"] == 1]
    axes[0].scatter(
        front[x_column],
        front[y_column],
        s=22,
        color=PRIMARY_COLOR,
        label="Pareto front of the best pool",
    )
    _mark_known_actives(axes[0], known, x_column, y_column)
    what = _label_score_axes(axes[0], lead, y_column)
    counts, edges = streamed.histogram("score")
    axes[1].hist(edges[:-1], bins=edges, weights=counts, color="#bbbbbb")
    for value in known["score"]:
        axes[1].axvline(value, color=ACCENT_COLOR, lw=1)
    axes[1].set_xlabel("aggregate score")
    axes[1].set_ylabel("compounds")
    axes[1].set_title(
        f"Score distribution, {len(streamed):,} structures"
        + (" (red: known actives)" if len(known) else "")
    )
    fig.tight_layout()
    return figure_html(
        fig,
        alt=f"Left: {what} against QED desirability of an even sample of the "
        "passing candidates"
        + (
            ", the Pareto front of the best pool and the known actives"
            if len(known)
            else " and the Pareto front of the best pool"
        )
        + ". Right: histogram of the aggregate score of every structure"
        + (", known actives as red lines." if len(known) else "."),
    )


def score_figure(view: RankedView) -> str:
    """The lead prediction against drug-likeness (Pareto front and known actives marked) and
    the histogram of the score: of every row of a table, of a sample and histograms of a big
    screen."""
    streamed = view.streamed
    if streamed is None:
        return _score_figure_table(view.top, view.lead, view.lead_column)
    return _score_figure_streamed(streamed, view.lead, view.lead_column)
