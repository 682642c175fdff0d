"""The ranking's configuration: objectives, hard filters and the diverse short list, typed.

One class, :class:`RankingConfig`, is what every ranking function takes: the
campaign's ``ranking:`` section is one, and a ranking given on its own (a dict,
a YAML or TOML file) is read into one by :func:`parse_ranking`. Defaults live
in :data:`drugml.schema.DEFAULT_RANKING`.

Example
-------
>>> config = parse_ranking({"top_k": 5})
>>> config.top_k, sorted(config.filters), config.objectives["qed"].shape
(5, ['pains'], 'increasing')
>>> parse_ranking({"top_kk": 5})
Traceback (most recent call last):
...
drugml.screening.ranking_config.RankingConfigError: The configuration has a problem: `ranking.top_kk` is not a setting; did you mean `top_k`?
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from drugml import schema
from drugml._util.settings import Section, describe_error, format_problems
from drugml.errors import ConfigError

__all__ = [
    "FilterRule",
    "Objective",
    "RankingConfig",
    "RankingConfigError",
    "RankingSource",
    "parse_ranking",
    "ranking_without_docking",
    "uses_docking",
]

Shape = Literal["increasing", "decreasing", "window"]


class RankingConfigError(ConfigError):
    """A ranking configuration names a missing column or an unknown setting."""


class Objective(Section):
    """One objective: a column turned into a desirability in [0, 1]."""

    column: str
    shape: Shape
    low: float
    high: float
    weight: float = Field(1.0, ge=0)
    margin: float = Field(1.0, gt=0, description="window shape: width of the slopes")

    @model_validator(mode="after")
    def _ordered(self) -> Objective:
        if not self.high > self.low:
            raise ValueError(f"needs high > low, got low {self.low}, high {self.high}")
        return self


class FilterRule(Section):
    """A hard filter on one column: ``max``, ``min`` and/or ``equals``."""

    max: float | None = None
    min: float | None = None
    equals: bool | float | str | None = None

    @model_validator(mode="after")
    def _some_rule(self) -> FilterRule:
        if self.max is None and self.min is None and self.equals is None:
            raise ValueError("a filter needs max, min or equals")
        return self

    def rules(self) -> dict[str, Any]:
        """The parts that are set, in the order max, min, equals.

        >>> FilterRule(max=1).rules()
        {'max': 1.0}
        """
        return {k: v for k, v in self.model_dump().items() if v is not None}


def _default_objectives() -> dict[str, Objective]:
    return {name: Objective(**o) for name, o in schema.DEFAULT_OBJECTIVES.items()}


def _default_filters() -> dict[str, FilterRule]:
    return {name: FilterRule(**f) for name, f in schema.DEFAULT_FILTERS.items()}


class RankingConfig(Section):
    """Objectives, hard filters and the diverse short list (defaults:
    :data:`drugml.schema.DEFAULT_RANKING`)."""

    objectives: dict[str, Objective] = Field(default_factory=_default_objectives)
    filters: dict[str, FilterRule] = Field(default_factory=_default_filters)
    floor: float = Field(schema.DEFAULT_RANKING["floor"], ge=0, lt=1)
    top_k: int = Field(schema.DEFAULT_RANKING["top_k"], ge=0)
    diversity: Literal["maxmin", "sphere"] = schema.DEFAULT_RANKING["diversity"]
    pool_factor: int = Field(schema.DEFAULT_RANKING["pool_factor"], ge=1)
    max_similarity: float = Field(schema.DEFAULT_RANKING["max_similarity"], gt=0, le=1)
    diversity_radius: int = Field(schema.DEFAULT_RANKING["diversity_radius"], ge=1, le=4)
    novelty_column: str | None = schema.DEFAULT_RANKING["novelty_column"]

    @model_validator(mode="after")
    def _weights(self) -> RankingConfig:
        if self.objectives and sum(o.weight for o in self.objectives.values()) <= 0:
            raise ValueError("objective weights must not all be 0")
        if not self.objectives:
            raise ValueError("give at least one objective")
        return self

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts without unset rule parts (for JSON files and pages)."""
        out = self.model_dump()
        out["filters"] = {c: rule.rules() for c, rule in self.filters.items()}
        return out

    def __getitem__(self, key: str) -> Any:
        """``config["top_k"]``: the dict access of drugml 0.x (``load_ranking_config`` returned
        a dict), kept for one release with a :class:`DeprecationWarning`."""
        import warnings

        warnings.warn(
            f"ranking[{key!r}] is deprecated: the ranking configuration is typed now; use "
            f"ranking.{key} (or ranking.as_dict() for plain dicts)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.as_dict()[key]

    def columns(self) -> list[str]:
        """Every column the ranking reads: its objectives' and its filters'."""
        return [o.column for o in self.objectives.values()] + list(self.filters)

    def without_docking(self) -> RankingConfig:
        """This ranking minus its objectives and filters on docking columns: the ranking done
        before docking, which chooses the molecules to dock (objectives may end up empty)."""
        docking = set(schema.DOCKING_COLUMNS)
        objectives = {k: o for k, o in self.objectives.items() if o.column not in docking}
        filters = {k: f for k, f in self.filters.items() if k not in docking}
        return self.model_construct(**{**dict(self), "objectives": objectives, "filters": filters})

    def uses_docking(self) -> bool:
        """Whether an objective or a filter of the ranking is on a docking column."""
        return bool(set(self.columns()) & set(schema.DOCKING_COLUMNS))


#: What a ranking function accepts: a typed configuration, a dict, a YAML/TOML file, or None
#: for the defaults.
RankingSource = RankingConfig | str | Path | Mapping[str, Any] | None


def parse_ranking(source: RankingSource) -> RankingConfig:
    """A ranking configuration (dict, YAML or TOML file, or ``None`` for the defaults); a
    :class:`RankingConfig` is returned as it is.

    Objectives given replace the default objectives as a whole, so that a
    configuration says exactly what it scores; the other settings keep their
    defaults unless given. Every problem is reported at once
    (:class:`RankingConfigError`, a :class:`~drugml.errors.ConfigError`).

    >>> parse_ranking({"top_k": 5}).top_k
    5
    """
    if source is None:
        return RankingConfig()
    if isinstance(source, RankingConfig):
        return source
    given = _read(Path(source)) if isinstance(source, (str, Path)) else source
    if not isinstance(given, Mapping):
        raise RankingConfigError(f"A ranking configuration is a mapping, got {str(given)[:80]!r}")
    try:
        return RankingConfig.model_validate(dict(given))
    except ValidationError as exc:
        wrapped = {"ranking": dict(given)}
        lines = [describe_error(e, wrapped, RankingConfig, ("ranking",)) for e in exc.errors()]
        raise RankingConfigError(format_problems(lines)) from None


def _read(path: Path) -> Any:
    if not path.is_file():
        raise RankingConfigError(f"Ranking configuration {path} does not exist")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".toml":
        import tomllib

        return tomllib.loads(text)
    import yaml

    return yaml.safe_load(text) or {}


def ranking_without_docking(config: RankingSource) -> RankingConfig:
    """:meth:`RankingConfig.without_docking` of any ranking source (drugml 0.x's
    ``pipeline.ranking_without_docking``, kept for its scripts)."""
    return parse_ranking(config).without_docking()


def uses_docking(config: RankingSource) -> bool:
    """:meth:`RankingConfig.uses_docking` of any ranking source (drugml 0.x's
    ``pipeline.uses_docking``, kept for its scripts)."""
    return parse_ranking(config).uses_docking()
