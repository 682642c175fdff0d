"""Design: analogues of the best candidates, and the next batch to test.

Two halves, both built on the layers below (the screen scores proposals, the ranking's
filters apply to both):

- **Analogues** (:func:`propose_analogues`): fragment replacement, growing and linking
  with CReM, from a fragment database that drugml builds from molecules it has
  (:func:`build_fragment_database`, checksummed, its provenance recorded).
- **The next batch** (:func:`next_batch`): ``k`` molecules of a pool chosen by an
  acquisition function that reads the models' prediction intervals (greedy, upper
  confidence bound, probability of improvement, Thompson-like draw; a registry,
  :func:`register_acquisition`), diverse, and each with the reason it was picked.
  :func:`simulate_active_learning` replays the loop on measured data.

Example
-------
>>> from drugml.design import ACQUISITIONS
>>> sorted(ACQUISITIONS)[:2]
['greedy', 'pi']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drugml._util.lazy import lazy_submodules

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from drugml.design._acquisition import (
        ACQUISITIONS,
        Acquisition,
        get_acquisition,
        register_acquisition,
    )
    from drugml.design._analogues import (
        OPERATIONS,
        AnalogueSettings,
        draw_transformation,
        propose_analogues,
    )
    from drugml.design._batch_settings import (
        DEFAULT_ACQUISITION,
        DIVERSITY_MODES,
        NextBatchSettings,
    )
    from drugml.design._errors import (
        DesignError,
        FragmentDatabaseError,
        NextBatchOptionError,
        PoolError,
    )
    from drugml.design._fragments import (
        DEFAULT_FRAGMENT_SOURCES,
        FragmentDatabase,
        build_fragment_database,
        load_fragment_database,
    )
    from drugml.design._loop import default_surrogate, simulate_active_learning
    from drugml.design._next_batch import next_batch
    from drugml.design._scoring import ProposalFolder, compare_with_parents, score_proposals
    from drugml.design._stage import (
        DEFAULT_POOL,
        POOLS,
        DesignResult,
        design_pool,
        design_stage,
        read_seeds,
    )

# Public names, each imported from its private module on first use (light `import`).
_LAZY_NAMES = {
    "ACQUISITIONS": "drugml.design._acquisition",
    "Acquisition": "drugml.design._acquisition",
    "get_acquisition": "drugml.design._acquisition",
    "register_acquisition": "drugml.design._acquisition",
    "OPERATIONS": "drugml.design._analogues",
    "AnalogueSettings": "drugml.design._analogues",
    "draw_transformation": "drugml.design._analogues",
    "propose_analogues": "drugml.design._analogues",
    "DesignError": "drugml.design._errors",
    "FragmentDatabaseError": "drugml.design._errors",
    "NextBatchOptionError": "drugml.design._errors",
    "PoolError": "drugml.design._errors",
    "DEFAULT_FRAGMENT_SOURCES": "drugml.design._fragments",
    "FragmentDatabase": "drugml.design._fragments",
    "build_fragment_database": "drugml.design._fragments",
    "load_fragment_database": "drugml.design._fragments",
    "default_surrogate": "drugml.design._loop",
    "simulate_active_learning": "drugml.design._loop",
    "ProposalFolder": "drugml.design._scoring",
    "compare_with_parents": "drugml.design._scoring",
    "score_proposals": "drugml.design._scoring",
    "DEFAULT_POOL": "drugml.design._stage",
    "POOLS": "drugml.design._stage",
    "DesignResult": "drugml.design._stage",
    "design_pool": "drugml.design._stage",
    "design_stage": "drugml.design._stage",
    "read_seeds": "drugml.design._stage",
    "DEFAULT_ACQUISITION": "drugml.design._batch_settings",
    "DIVERSITY_MODES": "drugml.design._batch_settings",
    "NextBatchSettings": "drugml.design._batch_settings",
    "next_batch": "drugml.design._next_batch",
}

__getattr__, __dir__ = lazy_submodules(__name__, (), globals(), _LAZY_NAMES)

__all__ = [
    "ACQUISITIONS",
    "DEFAULT_ACQUISITION",
    "DEFAULT_FRAGMENT_SOURCES",
    "DEFAULT_POOL",
    "DIVERSITY_MODES",
    "OPERATIONS",
    "POOLS",
    "Acquisition",
    "AnalogueSettings",
    "DesignError",
    "DesignResult",
    "FragmentDatabase",
    "FragmentDatabaseError",
    "NextBatchOptionError",
    "NextBatchSettings",
    "PoolError",
    "ProposalFolder",
    "build_fragment_database",
    "compare_with_parents",
    "default_surrogate",
    "design_pool",
    "design_stage",
    "draw_transformation",
    "get_acquisition",
    "load_fragment_database",
    "next_batch",
    "propose_analogues",
    "read_seeds",
    "register_acquisition",
    "score_proposals",
    "simulate_active_learning",
]
