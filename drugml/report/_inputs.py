"""What went into a page's numbers: the screen's records and rejects, the ranking
configuration (objectives, hard filters, short list), and the versions and data of the run.

Example
-------
>>> from drugml.screening.ranking_config import parse_ranking
>>> objective = {"column": "qed", "shape": "increasing", "low": 0, "high": 1}
>>> config = parse_ranking({"objectives": {"drug-likeness": objective}})
>>> "drug-likeness" in ranking_configuration_section(config, {})
True
"""

from __future__ import annotations

import html
import platform
from collections.abc import Mapping, Sequence
from typing import Any

from drugml.report._html import join_parts, table_html
from drugml.screening.ranking_config import RankingConfig

__all__ = [
    "ranking_config_html",
    "ranking_configuration_section",
    "screen_section",
    "versions_section",
]


def screen_section(screen: Mapping[str, Any], rejects: Any) -> str:
    """The screen in numbers (records, scored, rejected, merged, speed) and its rejects by
    reason. ``screen``: the metrics' ``screen``; ``rejects``: the rejected records (``reason``)."""
    rejected_by_reason = (
        rejects["reason"]
        .astype(str)
        .str.split(":")
        .str[0]
        .value_counts()
        .rename_axis("reason")
        .reset_index(name="records")
    )
    parts = [
        "<h2>Screen</h2>",
        f'<p class="note">{screen["records"]:,} records of '
        f"{html.escape(str(screen['library']))}: "
        f"{screen['scored']:,} scored, {screen['rejected']:,} rejected, "
        f"{screen['salt_forms_merged']:,} salt forms and duplicates merged into "
        f"{screen['unique_structures']:,} distinct structures; "
        f"{screen.get('molecules_per_second') or 0:,.0f} molecules a second. Every rejected "
        "record, with its reason, is in screen/rejects/.</p>",
        table_html(rejected_by_reason) if len(rejects) else "",
        table_html(rejects.head(20), more=" in screen/rejects/") if len(rejects) else "",
    ]
    return join_parts(parts)


def _objective_rows(ranking_config: RankingConfig, models: Mapping[str, str]) -> list[dict]:
    from drugml.schema import column_meaning

    objectives = ranking_config.objectives
    total = sum(o.weight for o in objectives.values())
    shape_words = {
        "increasing": "higher is better",
        "decreasing": "lower is better",
        "window": "best inside the range",
    }
    return [
        {
            "objective": name,
            "column": o.column,
            "meaning": column_meaning(o.column, models),
            "shape": f"{o.shape} ({shape_words.get(o.shape, '')})",
            "0 at / 1 at": (
                f"{o.low:g} / {o.high:g}"
                if o.shape == "increasing"
                else f"{o.high:g} / {o.low:g}"
                if o.shape == "decreasing"
                else f"{o.low:g} to {o.high:g}, margin {o.margin:g}"
            ),
            "weight": o.weight,
            "share of the score": f"{o.weight / total:.0%}",
        }
        for name, o in objectives.items()
    ]


def ranking_config_html(ranking_config: RankingConfig, models: Mapping[str, str]) -> str:
    """The objectives (column, meaning, shape, weight, share of the score), the hard filters
    and the short list's settings. ``models``: each model's task, to say what a column means."""
    import pandas as pd

    filters = [
        {
            "column": column,
            "a molecule fails when": ", ".join(
                {"max": f"above {v}", "min": f"below {v}", "equals": f"not {v}"}[k]
                for k, v in rule.rules().items()
            ),
        }
        for column, rule in ranking_config.filters.items()
    ]
    settings = (
        f"Short list: {ranking_config.top_k} molecules, diversity "
        f"{ranking_config.diversity!r} (pool of the best {ranking_config.pool_factor}"
        f" x {ranking_config.top_k} passing molecules); desirabilities floored at "
        f"{ranking_config.floor}."
    )
    lines = [
        '<p class="note">Each objective maps a column to a desirability between 0 and 1; the '
        "score is their weighted geometric mean, so a molecule cannot buy back a near-zero "
        "desirability with excellent others. Hard filters do not change the score: a failing "
        "molecule keeps it but ranks after every passing one.</p>",
        table_html(pd.DataFrame(_objective_rows(ranking_config, models)), float_format="{:g}"),
        "<h3>Hard filters</h3>",
        table_html(pd.DataFrame(filters)) if filters else '<p class="note">None.</p>',
        f'<p class="note">{html.escape(settings)}</p>',
    ]
    return "\n".join(lines)


def ranking_configuration_section(ranking_config: RankingConfig, models: Mapping[str, str]) -> str:
    """The ranking configuration under its heading (both pages end with it)."""
    parts = [
        "<h2>Ranking configuration</h2>",
        ranking_config_html(ranking_config, models),
    ]
    return join_parts(parts)


def _versions(drugml_version: str) -> dict[str, str]:
    """The versions of drugml, Python and the libraries the numbers depend on."""
    versions = {"drugml": drugml_version, "python": platform.python_version()}
    for module in ("rdkit", "sklearn", "xgboost", "pandas", "numpy", "py3Dmol"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:
            continue
    return versions


def versions_section(metrics: Mapping[str, Any], data_versions: Sequence[Mapping[str, str]]) -> str:
    """The versions, each input's source and checksum and the bundled data's versions."""
    import pandas as pd

    inputs = [{"input": k, **v} for k, v in metrics["inputs"].items()]
    parts = [
        "<h2>Versions and data</h2>",
        table_html(pd.DataFrame([_versions(metrics["drugml"])])),
        table_html(pd.DataFrame(inputs)),
        table_html(pd.DataFrame(data_versions), max_rows=100),
    ]
    return join_parts(parts)
