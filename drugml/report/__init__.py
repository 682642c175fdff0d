"""HTML pages: the campaign report, the ranking page and the notebooks' gallery.

Example
-------
>>> from drugml.report import table_html
>>> import pandas as pd
>>> "<table" in table_html(pd.DataFrame({"a": [1]}))
True
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.report._report import (
    SHOWN_CANDIDATES,
    docking_html,
    figure_html,
    score_factors,
    table_html,
    write_ranking_report,
    write_report,
)

__getattr__, __dir__ = lazy_submodules(__name__, ("gallery",), globals())

__all__ = [
    "SHOWN_CANDIDATES",
    "docking_html",
    "figure_html",
    "gallery",
    "score_factors",
    "table_html",
    "write_ranking_report",
    "write_report",
]
