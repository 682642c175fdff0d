"""Screening a library and ranking it: the screen (and its folder), druglikeness filters,
the ranking (objectives, filters, Pareto, diversity) in memory and streamed.

Example
-------
>>> from drugml.screening import desirability
>>> desirability([5, 6.5, 9], "increasing", low=6, high=8).tolist()
[0.0, 0.25, 1.0]
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.screening.rank import desirability, rank_candidates

__getattr__, __dir__ = lazy_submodules(
    __name__, ("filters", "rank", "rank_stream", "screen"), globals()
)

__all__ = ["desirability", "filters", "rank", "rank_candidates", "rank_stream", "screen"]
