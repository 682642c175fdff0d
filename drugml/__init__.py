"""drugml: from a protein target to a ranked list of candidate molecules.

The package is one module per stage of the walk (``data``, ``viz``, ...).
Submodules load on first use, so ``import drugml`` stays fast and quiet and
never imports heavy libraries such as deepchem, xgboost or torch.

Example
-------
>>> import drugml
>>> drugml.data.list_datasets()["name"].tolist()[:2]
['egfr_compounds', 'egfr_bioactivities_raw']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from drugml._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from drugml import chem as chem
    from drugml import cli as cli
    from drugml import curate as curate
    from drugml import data as data
    from drugml import featurize as featurize
    from drugml import filters as filters
    from drugml import models as models
    from drugml import notebooks as notebooks
    from drugml import scaffolds as scaffolds
    from drugml import split as split
    from drugml import structure as structure
    from drugml import viz as viz

# Public submodules, loaded lazily (PEP 562).
_SUBMODULES = (
    "admet", "assets", "backends", "chem", "cli", "config", "curate", "data", "dock", "errors",
    "featurize", "filters", "gnn", "metrics", "models", "notebooks", "pipeline", "rank",
    "rank_stream", "report", "rna", "scaffolds", "schema", "screen", "split", "structure",
    "uncertainty", "view3d", "viz",
)  # fmt: skip

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"drugml.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'drugml' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
