"""The campaign's 3D overlay step: every unique screened molecule overlaid on the reference
ligand(s) before the ranking, so that its similarity can be an objective."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from drugml.campaign._similarity_config import TARGET_REFERENCE

if TYPE_CHECKING:
    import pandas as pd

    from drugml.campaign.config import CampaignConfig


def similarity_references(config: CampaignConfig, inputs: Any) -> list[Any]:
    """The references of ``similarity_3d`` as :func:`drugml.structure.shape_similarity`
    takes them: the target's crystal ligand as ``(structure, residue, SMILES)``, SMILES as
    they are. ``inputs``: the run's checked inputs (where the structure file is)."""
    section = config.similarity_3d
    assert section is not None
    out: list[Any] = []
    for reference in section.references:
        if reference == TARGET_REFERENCE:
            target = config.target
            assert target is not None and target.ligand and target.ligand_smiles
            source = inputs.datasets.get("target.structure") or inputs.paths["target.structure"]
            out.append((str(source), target.ligand, target.ligand_smiles))
        else:
            out.append(reference)
    return out


def add_similarity_3d(
    config: CampaignConfig, inputs: Any, table: pd.DataFrame, n_jobs: int, progress: bool
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``table`` with the columns of :data:`drugml.schema.SIMILARITY_3D_COLUMNS` (one row out
    per row in; a molecule that cannot be overlaid keeps its row, with its status) and the
    step's summary (time, statuses, settings)."""
    from drugml.structure import shape_similarity

    section = config.similarity_3d
    assert section is not None
    started = time.perf_counter()
    settings = section.settings(int(config.seed))
    scores = shape_similarity(
        list(table["smiles"]),
        similarity_references(config, inputs),
        settings,
        n_jobs=n_jobs,
        progress=progress,
    )
    out = table.drop(columns=[c for c in scores.columns if c in table]).reset_index(drop=True)
    out = out.join(scores)
    seconds = time.perf_counter() - started
    summary = {
        "molecules": len(out),
        "statuses": scores["shape_status"].value_counts().to_dict(),
        "references": list(section.references),
        "settings": settings.as_dict(),
        "seconds": round(seconds, 1),
        "ms_per_molecule": round(1000 * seconds / max(len(out), 1), 1),
    }
    return out, summary
