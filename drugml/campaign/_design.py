"""The design step of ``drugml run``: its inputs checked before any work, then the stage.

With a ``design:`` section the run proposes analogues of its short list (or of the user's
seeds), scores and ranks them with every model of the campaign through the screen's code,
and picks the next batch from the screen and the proposals (:mod:`drugml.design`). It
writes ``proposals/`` and ``next_batch.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drugml.campaign.config import CampaignConfig

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check_design", "design_seeds", "run_design"]

SEEDS_KEY = "design.seeds"
FRAGMENTS_KEY = "design.fragments"


def check_design(
    config: CampaignConfig,
    inputs: Any,
    resolve: Callable[[str, str | None], bool],
    problems: list[str],
) -> None:
    """The design section's inputs: the generator's limits, the seeds file (read once, here,
    into ``inputs.tables``; unique ids), the fragment database (present, intact, of this
    version). ``inputs``: the campaign's :class:`~drugml.campaign.pipeline.CampaignInputs`."""
    from drugml.design import DesignError, read_seeds
    from drugml.errors import DrugmlError

    design = config.design
    if design is None:
        return
    try:  # limits that contradict each other, unknown elements: now, not after the screen
        design.generator.settings(int(config.seed)).check()
    except DesignError as exc:
        problems.append(f"`design.generator`: {exc}")
    if design.seeds != "shortlist" and resolve(SEEDS_KEY, design.seeds):
        try:
            seeds = read_seeds(
                inputs.paths[SEEDS_KEY],
                smiles_column=design.smiles_column,
                id_column=design.id_column,
                n=design.n_seeds,
            )
        except DrugmlError as exc:  # the reader names the file, a missing column, ...
            problems.append(f"`{SEEDS_KEY}`: {exc}")
        else:
            inputs.tables[SEEDS_KEY] = seeds
            twice = sorted(set(seeds.loc[seeds["id"].duplicated(), "id"]))[:5]
            if twice:
                problems.append(
                    f"`design.id_column`: the seeds' ids must be unique (they name the "
                    f"proposals); repeated: {twice}"
                )
    path = None
    if design.fragments is not None:
        path = Path(design.fragments).expanduser()
        path = path if path.is_absolute() else config.base_dir / path
    _check_database(path, problems)


def _check_database(path: Path | None, problems: list[str]) -> None:
    from drugml.design import FragmentDatabaseError, load_fragment_database

    try:
        load_fragment_database(path)
    except FragmentDatabaseError as exc:
        problems.append(f"`{FRAGMENTS_KEY}`: {exc}")


def design_seeds(
    config: CampaignConfig, ranked: pd.DataFrame, user_seeds: pd.DataFrame | None
) -> pd.DataFrame:
    """The seeds: the user's (already read by :func:`check_design`), or the first ``n_seeds``
    of the short list in rank order."""
    import pandas as pd

    if user_seeds is not None:
        return user_seeds
    shortlist = ranked[ranked["selected"]] if "selected" in ranked else ranked
    seeds = pd.DataFrame(shortlist.head(config.design.n_seeds)).reset_index(drop=True)
    # a row of merged salt forms has every form's id ("A; B"): its proposals take the first
    seeds["id"] = seeds["id"].astype(str).str.split("; ").str[0]
    return seeds


def run_design(
    config: CampaignConfig,
    ranked: pd.DataFrame,
    user_seeds: pd.DataFrame | None,
    model_dirs: Mapping[str, Path],
    out_dir: Path,
    *,
    lead: str,
    trained_on: Mapping[str, Sequence[str]],
    n_jobs: int,
    progress: bool,
) -> Any:
    """Run the design stage for a campaign; returns its :class:`~drugml.design.DesignResult`."""
    from drugml.design import design_stage

    design = config.design
    known = {key: "training: " + ", ".join(models) for key, models in trained_on.items()}
    if "inchikey" in ranked:
        known.update({key: "library" for key in ranked["inchikey"] if key not in known})
    fragments = None
    if design.fragments is not None:
        path = Path(design.fragments).expanduser()
        fragments = path if path.is_absolute() else config.base_dir / path
    return design_stage(
        design_seeds(config, ranked, user_seeds),
        model_dirs,
        out_dir,
        tasks=config.model_tasks(),
        objective=design.objective or lead,
        ranking=config.ranking,
        screened=ranked,
        pool=design.pool,
        analogue_settings=design.generator.settings(int(config.seed)),
        batch_settings=design.batch.settings(int(config.seed)),
        database=fragments,
        known=known,
        trained_on=trained_on,
        screen_options={
            "n_jobs": int(config.library.n_jobs or n_jobs),
            "alerts": config.library.alerts,
            "backend": config.library.backend,  # a Dask campaign scores its proposals on Dask
            "client": config.library.scheduler,
            "resume": False,
            "progress": progress,
        },
    )
