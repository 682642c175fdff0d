"""The campaign's binding site: around the reference ligand, around listed residues, or the
best (or a chosen) pocket found in the structure without any ligand (``target.pocket``).

The docking box follows the binding site unless the ``docking.box`` section places it
itself (``center`` and ``size``, or ``residues``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drugml.campaign.config import CampaignConfig

# ``inputs`` below is the run's CampaignInputs (typed Any: that module imports this one).

#: Where the pockets found by the check are kept for the run (``CampaignInputs.tables``).
POCKETS_KEY = "target.pockets"


def pocket_source(config: CampaignConfig) -> str:
    """``ligand``, ``residues`` or ``auto``: how the campaign's binding site is found (a
    campaign without a target section has its docking section's ligand, if any)."""
    if config.target is not None:
        return config.target.pocket_source
    return "ligand"


def detected_pockets(inputs: Any, structure: Any) -> list[Any]:
    """The structure's pockets, found once per run (the check finds them; the run reuses
    them). Raises :class:`~drugml.structure.pockets.PocketError` when there is none."""
    from drugml.structure.pockets import find_pockets

    if POCKETS_KEY not in inputs.tables:
        inputs.tables[POCKETS_KEY] = find_pockets(structure)
    return inputs.tables[POCKETS_KEY]


def check_pocket(config: CampaignConfig, inputs: Any, structure: Any, problems: list[str]) -> None:
    """``target.pocket``: the residues exist, or a pocket of ``pocket_rank`` is found."""
    from drugml.structure.pockets import PocketError, select_pocket

    target = config.target
    assert target is not None
    source = pocket_source(config)
    if source == "residues":
        from drugml.structure.dock import DockingError, box_from_residues

        try:
            box_from_residues(structure, target.pocket_residues or [])
        except DockingError as exc:
            problems.append(f"`target.pocket_residues`: {exc}")
    elif source == "auto":
        try:
            select_pocket(detected_pockets(inputs, structure), target.pocket_rank)
        except PocketError as exc:
            problems.append(f"`target.pocket` (auto, rank {target.pocket_rank}): {exc}")


def binding_site_box(
    config: CampaignConfig,
    inputs: Any,
    structure: Any,
    ligand: str | None,
    report: dict[str, Any],
) -> Any:
    """The docking box: the docking section's own placement, else around the binding site
    of ``target.pocket``. What was chosen is written into ``report`` (the receptor's)."""
    from drugml.structure import dock

    docking = config.docking
    assert docking is not None
    box = docking.box
    if box.center is not None and box.size is not None:
        report["binding_site"] = "the box given in the configuration"
        return dock.Box(tuple(box.center), tuple(box.size))
    if box.residues is not None:
        report["binding_site"] = f"around residues {list(box.residues)}"
        return dock.box_from_residues(structure, box.residues, box.margin, box.min_size)
    source = "ligand" if docking.ligand else pocket_source(config)
    if source == "residues":
        residues = config.target.pocket_residues if config.target else None
        report["binding_site"] = f"around residues {list(residues or [])}"
        return dock.box_from_residues(structure, residues, box.margin, box.min_size)
    if source == "auto":
        from drugml.structure.pockets import box_from_pocket, select_pocket

        rank = config.target.pocket_rank if config.target else 1
        pocket = select_pocket(detected_pockets(inputs, structure), rank)
        report["binding_site"] = f"pocket {rank} of {len(detected_pockets(inputs, structure))}"
        report["pocket"] = pocket.as_dict()
        # the pocket's points are where ligand atoms sit: its own, smaller margin
        return box_from_pocket(pocket, min_size=box.min_size)
    report["binding_site"] = f"around the reference ligand {ligand}"
    return dock.box_from_ligand(structure, ligand, box.margin, box.min_size)
