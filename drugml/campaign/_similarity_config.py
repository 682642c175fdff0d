"""The ``similarity_3d:`` section of a campaign: each screened molecule overlaid in 3D on the
reference ligand(s), its shape and pharmacophore similarity a column the ranking can use.

Every default is the overlay's own (:class:`~drugml.structure.ShapeSettings`): the section
reads them, it does not copy them.

Example
-------
>>> section = Similarity3DConfig.model_validate({"n_conformers": 2})
>>> section.references, section.settings(seed=0).n_conformers
(['target'], 2)
"""

from __future__ import annotations

from pydantic import Field

from drugml._util.settings import Section
from drugml.structure import ShapeSettings

__all__ = ["TARGET_REFERENCE", "Similarity3DConfig"]

#: The reference that means "the target's ligand in its crystal pose".
TARGET_REFERENCE = "target"
_SHAPE = ShapeSettings()


class Similarity3DConfig(Section):
    """3D shape and pharmacophore overlay of every screened molecule on reference ligands
    (:func:`drugml.structure.shape_similarity`), before the ranking."""

    references: list[str] = Field(
        default_factory=lambda: [TARGET_REFERENCE],
        min_length=1,
        description="target: the target's ligand in its crystal pose; or SMILES (a pose is "
        "generated)",
    )
    n_conformers: int = Field(
        _SHAPE.n_conformers, ge=1, le=50, description="conformers per molecule (cost ~linear)"
    )
    max_heavy_atoms: int | None = Field(
        _SHAPE.max_heavy_atoms, ge=1, description="larger molecules get status too_large"
    )

    def settings(self, seed: int) -> ShapeSettings:
        """The :class:`~drugml.structure.ShapeSettings` of this section."""
        return ShapeSettings(
            n_conformers=self.n_conformers, seed=seed, max_heavy_atoms=self.max_heavy_atoms
        )
