"""The ``docking:`` section of a campaign: the receptor, the box, and Vina's settings.

Every default is the docking stage's own (:class:`~drugml.structure.dock.DockingSettings`,
:data:`~drugml.structure.dock.BOX_MARGIN`): the section reads them, it does not copy them.

Example
-------
>>> section = DockingConfig.model_validate({"top_n": 3, "exhaustiveness": 4})
>>> section.settings(seed=0).exhaustiveness, section.box.margin
(4, 5.0)
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from pydantic import Field, model_validator

from drugml._util.settings import Section
from drugml.structure.dock import (
    BOX_MARGIN,
    BOX_MIN_SIZE,
    POSE_SELECTIONS,
    SCORING_FUNCTIONS,
    DockingSettings,
    KeyInteraction,
)

__all__ = ["DockingBox", "DockingConfig", "KeyInteractionConfig"]


class KeyInteractionConfig(Section):
    """The target's key interaction: ProLIF interaction names with one residue."""

    residue: str = Field(description="as ProLIF names it, e.g. MET769 or MET769.A")
    interactions: list[str] = Field(default_factory=lambda: ["HBAcceptor"], min_length=1)


class DockingBox(Section):
    """The search box: around the reference ligand (default), around residues, or given."""

    margin: float = Field(BOX_MARGIN, ge=0, le=20, description="A around the ligand or residues")
    min_size: float = Field(BOX_MIN_SIZE, gt=0, le=60, description="smallest side (A)")
    residues: list[str | int] | None = Field(None, description="e.g. [719, 769, 831]")
    center: list[float] | None = Field(None, min_length=3, max_length=3)
    size: list[float] | None = Field(None, min_length=3, max_length=3)

    @model_validator(mode="after")
    def _center_and_size(self) -> DockingBox:
        if (self.center is None) != (self.size is None):
            raise ValueError("give both center and size, or neither")
        return self


_DOCKING = DockingSettings()


class DockingConfig(Section):
    """Dock the top of the short list into the target's structure (:mod:`drugml.structure.dock`)."""

    structure: str | None = Field(None, description="null: target.structure")
    ligand: str | None = Field(None, description="reference ligand for the box; null: target's")
    chains: list[str] | None = Field(None, description="null: every protein chain")
    keep_waters: Literal["bridging", "none"] | list[str | int] = Field(
        "bridging", description="bridging: waters between the reference ligand and the protein"
    )
    box: DockingBox = Field(default_factory=DockingBox)
    top_n: int = Field(6, ge=0, le=100_000, description="molecules of the short list to dock")
    # Defaults: DockingSettings's, their one home (drugml.structure.dock).
    exhaustiveness: int = Field(_DOCKING.exhaustiveness, ge=1, le=64)
    n_poses: int = Field(_DOCKING.n_poses, ge=1, le=40)
    scoring: Literal[SCORING_FUNCTIONS] = _DOCKING.scoring  # type: ignore[valid-type]
    time_limit: float | None = Field(
        _DOCKING.time_limit, gt=0, description="seconds per molecule; null: no limit"
    )
    ph: float | None = Field(_DOCKING.ph, ge=0, le=14, description="protonation; null: as given")
    pose_selection: Literal[POSE_SELECTIONS] = _DOCKING.pose_selection  # type: ignore[valid-type]
    key_interaction: KeyInteractionConfig | None = None
    check_poses: bool = Field(_DOCKING.check_poses, description="PoseBusters on every pose")
    covalent_residue: str | None = Field(
        None,
        description="dock covalent inhibitors at this residue (CYS797, or CYS797.A): its "
        "reactive atom removed, the pose whose warhead is within covalent_distance of it "
        "chosen; auto: the residue the reference ligand is bonded to, if any",
    )
    covalent_distance: float = Field(
        _DOCKING.covalent_distance, gt=0, le=10, description="Å (covalent_residue)"
    )
    interaction_reference: bool = Field(
        True,
        description="compare each pose's interactions with the reference ligand's in the "
        "crystal (docking_interaction_similarity); needs target.ligand and ligand_smiles",
    )
    n_jobs: int | None = Field(None, ge=1, description="processes; null: the run's n_jobs")

    def settings(
        self, seed: int, reference_interactions: tuple[str, ...] | None = None
    ) -> DockingSettings:
        """The :class:`~drugml.structure.dock.DockingSettings` of this section: every setting
        the two share, taken as it is; key-interaction selection without a key interaction
        chooses by score;
        ``reference_interactions``: the reference complex's, when the campaign has one."""
        shared = {f.name for f in dataclasses.fields(DockingSettings)}
        shared &= set(type(self).model_fields)
        values = {name: getattr(self, name) for name in shared}
        wanted = self.key_interaction
        values["key_interaction"] = (
            KeyInteraction(wanted.residue, tuple(wanted.interactions)) if wanted else None
        )
        if wanted is None and self.pose_selection == "key_interaction":
            values["pose_selection"] = "score"
        values["reference_interactions"] = reference_interactions
        return DockingSettings(**values, seed=seed)
