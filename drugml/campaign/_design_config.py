"""The ``design:`` section of a campaign: analogues of the short list and the next batch.

Every default is the design stage's own (:class:`~drugml.design.AnalogueSettings`,
:class:`~drugml.design.NextBatchSettings`): the section reads them, it does not copy them.

Example
-------
>>> section = DesignConfig.model_validate({"batch": {"size": 8, "acquisition": "ucb"}})
>>> section.seeds, section.batch.settings(seed=0).k
('shortlist', 8)
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from pydantic import Field, field_validator

from drugml._util.settings import Section
from drugml.design import (
    DEFAULT_POOL,
    DIVERSITY_MODES,
    OPERATIONS,
    POOLS,
    AnalogueSettings,
    NextBatchSettings,
)

__all__ = ["BatchConfig", "DesignConfig", "GeneratorConfig"]

_ANALOGUES = AnalogueSettings()
_BATCH = NextBatchSettings()
Operation = Literal[OPERATIONS]  # type: ignore[valid-type]


def _settings_of(section: Section, kind: type, renamed: dict[str, str], **extra: Any) -> Any:
    """The settings dataclass ``kind`` of a section: every field the two share (after
    ``renamed``: section field -> dataclass field), and ``extra`` (the run's seed)."""
    shared = {f.name for f in dataclasses.fields(kind)}
    values = {}
    for name in type(section).model_fields:
        target = renamed.get(name, name)
        if target in shared:
            value = getattr(section, name)
            values[target] = tuple(value) if isinstance(value, list) else value
    return kind(**values, **extra)


class GeneratorConfig(Section):
    """How analogues are made (CReM fragments, :func:`drugml.design.propose_analogues`)."""

    operations: list[Operation] = Field(
        default_factory=lambda: list(_ANALOGUES.operations),
        min_length=1,
        description="mutate: replace a fragment; grow: add one at a hydrogen",
    )
    max_per_seed: int = Field(_ANALOGUES.max_per_seed, ge=1, le=10_000)
    radius: int | None = Field(
        _ANALOGUES.radius, ge=1, le=5, description="context radius; null: the database's"
    )
    min_replaced_atoms: int = Field(_ANALOGUES.min_replaced_atoms, ge=0, le=50)
    max_replaced_atoms: int = Field(_ANALOGUES.max_replaced_atoms, ge=0, le=50)
    min_heavy_atom_change: int = Field(_ANALOGUES.min_heavy_atom_change, ge=-50, le=50)
    max_heavy_atom_change: int = Field(_ANALOGUES.max_heavy_atom_change, ge=-50, le=50)
    allowed_elements: list[str] = Field(
        default_factory=lambda: list(_ANALOGUES.allowed_elements), min_length=1
    )
    max_heavy_atoms: int = Field(_ANALOGUES.max_heavy_atoms, ge=1, le=500)
    min_fragment_frequency: int = Field(_ANALOGUES.min_fragment_frequency, ge=0)

    def settings(self, seed: int) -> AnalogueSettings:
        """The :class:`~drugml.design.AnalogueSettings` of this section."""
        return _settings_of(self, AnalogueSettings, {}, random_seed=seed)


class BatchConfig(Section):
    """How the next batch is picked (:func:`drugml.design.next_batch`)."""

    size: int = Field(_BATCH.k, ge=1, le=100_000, description="molecules in the batch")
    acquisition: str = Field(_BATCH.acquisition, description="greedy, ucb, pi, thompson, random")
    beta: float = Field(_BATCH.beta, ge=0, description="ucb: weight of the uncertainty")
    threshold: float | None = Field(_BATCH.threshold, description="pi: the value to exceed")
    coverage: float = Field(_BATCH.coverage, gt=0, lt=1, description="of the models' intervals")
    diversity: Literal[DIVERSITY_MODES] = _BATCH.diversity  # type: ignore[valid-type]
    max_similarity: float = Field(_BATCH.max_similarity, gt=0, le=1)
    cluster_similarity: float = Field(_BATCH.cluster_similarity, gt=0, le=1)

    @field_validator("acquisition")
    @classmethod
    def _known(cls, value: str) -> str:
        from drugml.design import get_acquisition

        get_acquisition(value)  # an unknown name: its message says the closest
        return value

    def settings(self, seed: int) -> NextBatchSettings:
        """The :class:`~drugml.design.NextBatchSettings` of this section."""
        return _settings_of(self, NextBatchSettings, {"size": "k"}, seed=seed)


class DesignConfig(Section):
    """Analogues of the short list, scored like the screen, and the next batch to test."""

    seeds: str = Field(
        "shortlist",
        description="shortlist: the ranking's diverse short list, best first; or a file "
        "(SMILES, CSV, SDF) or data set of the user's own seed molecules",
    )
    n_seeds: int = Field(5, ge=1, le=10_000, description="seeds taken (the first n)")
    smiles_column: str | None = Field(
        None, description="a seeds table's SMILES column; null: detected"
    )
    id_column: str | None = Field(None, description="a seeds table's id column; null: detected")
    fragments: str | None = Field(
        None,
        description="fragment database (.db with its .json manifest) from `drugml design "
        "fragments`; null: the shipped one (EGFR compounds and approved drugs)",
    )
    generator: GeneratorConfig = Field(default_factory=GeneratorConfig)
    objective: str | None = Field(
        None, description="the model the batch's acquisition reads; null: the lead model"
    )
    pool: Literal[POOLS] = Field(  # type: ignore[valid-type]
        DEFAULT_POOL, description="where the batch is picked from"
    )
    batch: BatchConfig = Field(default_factory=BatchConfig)
