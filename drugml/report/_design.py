"""The design section of the campaign page: analogues beside their parents, and the next batch.

For the chemist: each of the best proposals drawn beside its parent with the change
highlighted, what the change does to every model's prediction (with the interval) and
what it costs elsewhere (QED, SA score, the other models), whether it is new and whether
the models can judge it (out-of-domain flagged); then the next batch, each pick with its
reason.

Example
-------
>>> design_section(None, {})
''
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from drugml import schema
from drugml.report._html import join_parts, table_html

__all__ = ["design_section"]

#: Proposals drawn with their parent (the rest are in the table and the CSV).
DRAWN = 6


def _change(row: Any, column: str, fmt: str = "{:+.2f}") -> str:
    """``parent → proposal (change)`` for one column of a proposal's row."""
    import pandas as pd

    now, before = getattr(row, column, None), getattr(row, f"{column}_parent", None)
    if now is None or pd.isna(now):
        return "n/a"
    if before is None or pd.isna(before):
        return f"{now:.2f}"
    return f"{before:.2f} → {now:.2f} ({fmt.format(now - before)})"


def _domain_note(row: Any, models: Mapping[str, str]) -> str:
    """Which models judge the proposal outside their applicability domain."""
    outside = [
        name
        for name in models
        if getattr(row, schema.model_column(name, "in_domain"), True) is False
    ]
    return "out of domain for " + ", ".join(outside) if outside else "in every model's domain"


def _proposal_card(row: Any, models: Mapping[str, str]) -> str:
    """One proposal: parent and child drawn, the change in words, each model's prediction."""
    from drugml.design import draw_transformation

    lines = []
    for name, task in models.items():
        column = schema.prediction_column(name, task)
        interval = ""
        lower, upper = (
            getattr(row, schema.model_column(name, o), None) for o in ("lower", "upper")
        )
        if task == "regression" and lower is not None and upper is not None:
            interval = f"; interval {lower:.2f} to {upper:.2f}"
        lines.append(f"{name}: {_change(row, column)}{interval}")
    lines.append(f"QED: {_change(row, 'qed')}; SA score {row.sa_score:.1f}")
    new = "new" if bool(row.is_new) else f"already known ({row.known_as})"
    outside = _domain_note(row, models)
    flag = ' class="warn"' if outside.startswith("out") else ""
    change = (
        f"{html.escape(str(row.operation))}: {html.escape(str(row.replaced))} → "
        f"{html.escape(str(row.replacement))}"
    )
    svg = draw_transformation(row.parent_smiles, row.smiles, size=(260, 190))
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (
        f'<div class="proposal"><div>{svg}</div><p><b>#{int(row.rank)} {html.escape(row.id)}'
        f"</b> from {html.escape(str(row.parent_id))}; {change}; {new}; "
        f"<span{flag}>{html.escape(outside)}</span></p><ul>{items}</ul></div>"
    )


def _proposals_part(ranked: Any, models: Mapping[str, str]) -> str:
    """The best proposals drawn, then the table of all of them."""
    if ranked is None or not len(ranked):
        return "<p>No proposal could be scored (see proposals/proposals.csv for why).</p>"
    best = ranked[ranked["passes_filters"]].head(DRAWN)
    cards = "".join(_proposal_card(row, models) for row in best.itertuples(index=False))
    shown = ["rank", "id", "parent_id", "operation", "replacement", "heavy_atom_change",
             "score", "is_new", "passes_filters"]  # fmt: skip
    for name, task in models.items():
        shown += [f"{schema.prediction_column(name, task)}_change",
                  schema.model_column(name, "in_domain")]  # fmt: skip
    shown = [c for c in [*shown, "qed_change", "sa_score"] if c in ranked]
    more = ' (all in <a href="proposals/ranked_proposals.csv">ranked_proposals.csv</a>)'
    return join_parts(
        [
            f'<div class="proposals">{cards}</div>',
            table_html(ranked[shown], "{:.2f}", max_rows=30, more=more),
        ]
    )


def _batch_part(batch: Any) -> str:
    """The next batch: each pick with what was expected of it and why it was chosen."""
    if batch is None or not len(batch):
        return ""
    shown = ["batch_rank", "id", "source", "smiles", "expected_value", "uncertainty",
             "acquisition_value", "nearest_pick_similarity", "pick_reason"]  # fmt: skip
    first = batch.iloc[0]
    intro = (
        f"<h3>The next batch: {len(batch)} molecules to test</h3><p>Chosen by "
        f"<b>{html.escape(str(first['acquisition']))}</b> on "
        f"<code>{html.escape(str(first['objective']))}</code> from the screen and the "
        "proposals together, molecules already measured left out, the ranking's hard "
        "filters applied and no two picks too similar. An uncertainty-aware acquisition "
        "trades a little expected value for molecules the model knows least, so that "
        "testing them also teaches the model (benchmarks/results/active_learning.json).</p>"
    )
    more = ' (in <a href="next_batch.csv">next_batch.csv</a>)'
    columns = [c for c in shown if c in batch]
    return intro + table_html(batch[columns], "{:.2f}", max_rows=50, more=more)


def design_section(design: Any, models: Mapping[str, str]) -> str:
    """The design section, or '' for a run without a ``design:`` section.

    ``design``: a :class:`~drugml.design.DesignResult`; ``models``: name -> task.
    """
    if design is None:
        return ""
    summary = design.summary
    database = summary.get("fragment_database", {})
    sources = ", ".join(s.get("name", "?") for s in database.get("sources", []))
    intro = (
        "<h2>Design: analogues of the short list</h2><p>"
        f"{summary['proposals']:,} analogues proposed from {summary['seeds']} seeds "
        f"({summary['seeds_without_proposals']} gave none) by fragment replacement with CReM, "
        f"from a fragment database built from {html.escape(sources or 'its sources')}; "
        f"{summary['new']:,} are new (in no training set and not in the library), "
        f"{summary['passing_filters']:,} pass the ranking's filters and "
        f"{summary['in_every_domain']:,} are inside every model's applicability domain. "
        "Each is scored by every model of the campaign and ranked like the screen; an "
        "out-of-domain prediction is a guess, flagged in orange.</p>"
    )
    return join_parts(
        [intro, _proposals_part(design.ranked, models), _batch_part(design.next_batch)]
    )
