"""Docking a campaign's short list: the receptor, box and settings from its configuration, and
the re-ordering of the docked molecules by the docking objectives."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml import schema
from drugml.campaign._inputs import CampaignInputs
from drugml.campaign._pocket import binding_site_box
from drugml.campaign.config import (
    CampaignConfig,
)
from drugml.screening.ranking_config import RankingConfig

if TYPE_CHECKING:
    import pandas as pd


# ------------------------------------------------------------------ docking
def docking_setup(
    config: CampaignConfig, inputs: CampaignInputs, seed: int | None = None
) -> tuple[Any, Any, Any]:
    """``(receptor, box, settings)`` of a campaign's docking section."""
    from drugml.structure import dock, load_structure

    docking = config.docking
    assert docking is not None
    key = "docking.structure" if docking.structure is not None else "target.structure"
    ligand = docking.ligand or (config.target.ligand if config.target else None)
    source = inputs.datasets.get(key) or inputs.paths[key]
    structure = load_structure(source, ligand_residues=[ligand] if ligand else None)
    if docking.keep_waters == "bridging":
        waters = dock.bridging_waters(structure, ligand) if ligand else []
    elif docking.keep_waters == "none":
        waters = []
    else:
        waters = list(docking.keep_waters)
    covalent = dock.covalent_attachments(structure, ligand) if ligand else []
    covalent_residue = docking.covalent_residue
    if covalent_residue == "auto":
        covalent_residue = dock.reactive_residue(structure, ligand, covalent) if ligand else None
    receptor = dock.prepare_receptor(
        structure, chains=docking.chains, keep_waters=waters, covalent_residue=covalent_residue
    )
    box = binding_site_box(config, inputs, structure, ligand, receptor.report)
    reference = _reference_interactions(config, structure, receptor, ligand)
    settings = docking.settings(int(config.seed if seed is None else seed), reference)
    receptor.report["reference_covalent_to"] = covalent
    return receptor, box, settings


def _reference_interactions(
    config: CampaignConfig, structure: Any, receptor: Any, ligand: str | None
) -> tuple[str, ...] | None:
    """The reference ligand's interactions in the crystal, the yardstick of each pose's
    interaction similarity (None without a reference ligand with its SMILES, or when its
    pose cannot be read: the reason goes into the receptor's report and docking goes on)."""
    from drugml.errors import DrugmlError
    from drugml.structure import crystal_ligand_pose, dock

    docking, target = config.docking, config.target
    assert docking is not None
    smiles = target.ligand_smiles if target is not None else None
    if not (docking.interaction_reference and ligand and smiles):
        return None
    try:
        reference = dock.reference_interactions(
            receptor,
            crystal_ligand_pose(structure, ligand, smiles),
            source=f"{ligand} in the crystal",
        )
    except DrugmlError as exc:
        if docking.pose_selection == "interaction_similarity":
            raise
        receptor.report["interaction_reference"] = f"not used: {exc}"
        return None
    receptor.report["interaction_reference"] = list(reference.interactions)
    return reference.interactions


def dock_candidates(
    config: CampaignConfig,
    inputs: CampaignInputs,
    ranked: pd.DataFrame,
    out_dir: str | Path,
    n_jobs: int = 1,
    progress: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Dock the ``docking.top_n`` best molecules of the short list; ``(ranked, summary)``.

    ``ranked`` gets the columns of :data:`drugml.schema.DOCKING_COLUMNS` (empty
    for molecules not docked) and keeps its order. Poses, the receptor and
    ``docking.csv`` go to ``out_dir``. The short list (``selected``) is taken
    in rank order; with fewer selected molecules than ``top_n``, the next
    passing molecules by rank fill up.
    """
    from drugml.structure.dock import dock_many

    docking = config.docking
    assert docking is not None
    started = time.perf_counter()
    receptor, box, settings = docking_setup(config, inputs)
    order = ranked.sort_values("rank") if "rank" in ranked else ranked
    chosen = list(order.index[order["selected"]]) if "selected" in order else []
    if len(chosen) < docking.top_n and "passes_filters" in order:
        chosen += [i for i in order.index[order["passes_filters"]] if i not in set(chosen)]
    chosen = chosen[: docking.top_n]
    keep = [c for c in ("rank", "id", "smiles", "inchikey") if c in ranked]
    # resume: a run repeated into the same folder with the same molecules and settings
    # reuses the poses (identical by construction); anything else starts again
    table = dock_many(
        ranked.loc[chosen, keep],
        receptor,
        box,
        out_dir,
        settings,
        n_jobs=int(docking.n_jobs or n_jobs),
        resume="if_same",
        progress=progress,
    )
    added = table.drop(columns=keep)
    added.index = chosen
    out = ranked.drop(columns=[c for c in added.columns if c in ranked]).join(added)
    # pose files relative to the run's folder (the report's), not the docking folder
    folder = Path(out_dir).name
    poses = [f"{folder}/{p}" if isinstance(p, str) and p else "" for p in out["docking_pose_file"]]
    out["docking_pose_file"] = poses
    statuses = table["docking_status"].value_counts().to_dict()
    key = "docking.structure" if docking.structure is not None else "target.structure"
    summary = {
        "structure": str(inputs.datasets.get(key) or inputs.paths[key]),
        "reference_ligand": docking.ligand or (config.target.ligand if config.target else None),
        "docked": int((table["docking_status"] == "docked").sum()),
        "asked": len(chosen),
        "statuses": statuses,
        "receptor": receptor.report,
        "box": box.as_dict(),
        "settings": settings.as_dict(),
        "key_interaction_made": int(table["docking_key_interaction"].eq(True).sum()),
        "poses_ok": int(table["pose_ok"].eq(True).sum()),
        "seconds": round(time.perf_counter() - started, 1),
        "folder": str(Path(out_dir).name),
    }
    return out, summary


def rerank_docked(ranked: pd.DataFrame, ranking_config: RankingConfig) -> pd.DataFrame:
    """Re-order the docked molecules among the places they hold, by the full ranking
    (docking objectives and filters included); every other row keeps its place.

    Docking scores exist only for the molecules docked, so they cannot rank the rest:
    the docked molecules (the top of the short list) swap places among themselves.
    ``score_with_docking`` is their score under the full configuration;
    ``passes_filters`` and ``filter_reasons`` take its docking filters into account.
    """
    from drugml.screening.rank import rank_candidates

    docked = ranked.index[ranked["docking_status"].notna()]
    if not len(docked) or not ranking_config.uses_docking():
        return ranked
    config = ranking_config.model_copy(update={"top_k": 0})  # the short list is already chosen
    kept = ("in_training_data", "known_active", "rank")
    ranking = [c for c in ranked.columns if c in schema.RANKING_COLUMNS and c not in kept]
    derived = ranking + [c for c in ranked.columns if c.startswith("d_")]
    subset = ranked.loc[docked].drop(columns=derived)
    subset = subset.rename(columns={"rank": "rank_before_docking"})
    subset["_row"] = list(docked)
    again = rank_candidates(subset.reset_index(drop=True), config)
    out = ranked.copy()
    out["score_with_docking"] = np.nan
    places = sorted(out.loc[docked, "rank"])
    new_rows = list(again["_row"])
    moved = out.loc[new_rows].copy()
    moved["rank_before_docking"] = moved["rank"].to_numpy()
    moved["rank"] = places
    moved["score_with_docking"] = again["score"].to_numpy()
    moved["passes_filters"] = again["passes_filters"].to_numpy()
    moved["filter_reasons"] = again["filter_reasons"].to_numpy()
    import pandas as pd

    out = pd.concat([out.drop(index=docked), moved])
    return out.sort_values("rank", kind="stable").reset_index(drop=True)
