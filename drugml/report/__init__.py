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
from drugml.report._campaign_page import write_report
from drugml.report._candidates import SHOWN_CANDIDATES, score_factors
from drugml.report._html import figure_html, table_html
from drugml.report._pocket import docking_html
from drugml.report._ranking_page import write_ranking_report
from drugml.report._receptor_text import describe_receptor

__getattr__, __dir__ = lazy_submodules(__name__, ("gallery",), globals())

__all__ = [
    "SHOWN_CANDIDATES",
    "describe_receptor",
    "docking_html",
    "figure_html",
    "gallery",
    "score_factors",
    "table_html",
    "write_ranking_report",
    "write_report",
]
