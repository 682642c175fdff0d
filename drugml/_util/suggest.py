"""The one "did you mean" of drugml: the closest known name to a misspelt one.

Example
-------
>>> from drugml._util.suggest import closest, suggest
>>> suggest("chunksize", ["chunk_size", "n_jobs"])
'; did you mean `chunk_size`?'
>>> closest("Units", ["standard_value", "units"])
'units'
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

#: How close a name must be to count as a likely misspelling (difflib's ratio).
CUTOFF = 0.6


def closest(
    word: Any, candidates: Iterable[Any], normalize: Callable[[str], str] = str.lower
) -> Any | None:
    """The candidate most like ``word`` once both are normalized (case by default), or None.

    Where two candidates normalize alike, the first one given wins.
    """
    by_key: dict[str, Any] = {}
    for candidate in candidates:
        by_key.setdefault(normalize(str(candidate)), candidate)
    close = difflib.get_close_matches(normalize(str(word)), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[close[0]] if close else None


def suggest(word: Any, candidates: Iterable[Any], template: str = "; did you mean `{}`?") -> str:
    """A 'did you mean' for a misspelt name ('' when nothing is close)."""
    match = closest(word, candidates)
    return template.format(match) if match is not None else ""
