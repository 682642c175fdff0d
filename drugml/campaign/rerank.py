"""What ``drugml rank`` takes from a configuration file: a ranking, a campaign, or a part of one.

``drugml rank --config FILE`` accepts three kinds of file, told apart by their
top-level keys:

- a whole campaign (it has ``models`` or ``library``): its ``ranking:``
  section, ``library.name_column`` and ``validation.known_actives``, the
  campaign checked as ``drugml run`` checks it;
- some sections of one (only ``ranking:``, ``library:`` and ``validation:``):
  what they give;
- a ranking on its own (the ranking section's keys at the top).

Example
-------
>>> ranking_settings({"top_k": 3}).config.top_k
3
>>> ranking_settings({"ranking": {"top_k": 4}, "library": {"name_column": "name"}}).name_column
'name'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drugml.screening.ranking_config import RankingConfig, parse_ranking

__all__ = ["RerankSettings", "ranking_settings"]

#: The sections a partial file may have.
PARTIAL_SECTIONS = frozenset({"ranking", "library", "validation"})


@dataclass(frozen=True)
class RerankSettings:
    """The ranking, the library's name column and the known actives' names of a file."""

    config: RankingConfig
    name_column: str | None = None
    known_actives: list[str] | None = None


def ranking_settings(source: str | Path | Mapping[str, Any] | None) -> RerankSettings:
    """Read a ranking, a campaign or a part of one (see the module docstring)."""
    given = _read_yaml(source)
    if isinstance(given, Mapping) and "ranking" in given and set(given) <= PARTIAL_SECTIONS:
        return _from_sections(given)
    if isinstance(given, Mapping) and {"models", "library", "ranking"} & set(given):
        from drugml.campaign.config import load_config

        campaign = load_config(source if isinstance(source, (str, Path)) else given)
        return RerankSettings(
            campaign.ranking,
            campaign.library.name_column,
            list(campaign.validation.known_actives) or None,
        )
    return RerankSettings(parse_ranking(source))


def _read_yaml(source: Any) -> Any:
    """A YAML file's content (the source itself otherwise, or when it does not parse: the
    ranking's own reader then says what is wrong)."""
    if not (isinstance(source, (str, Path)) and Path(source).suffix.lower() in (".yaml", ".yml")):
        return source
    import yaml

    path = Path(source)
    if not path.is_file():
        return source
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return source


def _from_sections(given: Mapping[str, Any]) -> RerankSettings:
    library = given.get("library") or {}
    validation = given.get("validation") or {}
    name_column = library.get("name_column") if isinstance(library, Mapping) else None
    known = validation.get("known_actives") if isinstance(validation, Mapping) else None
    return RerankSettings(parse_ranking(given["ranking"]), name_column, list(known or []) or None)
