"""drugml: from a protein target to a ranked list of candidate molecules.

The package is layered; each subpackage imports only from those listed before
it (``docs/architecture.md`` has the picture):

``errors``, ``schema``, ``data``, ``chem``, ``featurize``, ``models``,
``structure``, ``variants``, ``viz``, ``screening``, ``design``, ``report``, ``campaign``, ``cli``.

Subpackages load on first use, so ``import drugml`` stays fast and quiet and
never imports heavy libraries such as deepchem, xgboost or torch. The old
module paths of drugml 0.x (``drugml.dock``, ``drugml.rank_stream``, ...) still
import, with a :class:`DeprecationWarning` naming the new one (``drugml._aliases``).

Example
-------
>>> import drugml
>>> drugml.data.list_datasets()["name"].tolist()[:2]
['egfr_compounds', 'egfr_bioactivities_raw']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from drugml import _aliases
from drugml._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from drugml import campaign as campaign
    from drugml import chem as chem
    from drugml import cli as cli
    from drugml import data as data
    from drugml import design as design
    from drugml import errors as errors
    from drugml import featurize as featurize
    from drugml import models as models
    from drugml import report as report
    from drugml import schema as schema
    from drugml import screening as screening
    from drugml import structure as structure
    from drugml import variants as variants
    from drugml import viz as viz

# The layers, lowest first; loaded lazily (PEP 562).
LAYERS = (
    "errors", "schema", "data", "chem", "featurize", "models", "structure", "variants", "viz",
    "screening", "design", "report", "campaign", "cli",
)  # fmt: skip

__all__ = ["__version__", *LAYERS]

_aliases.install()


def __getattr__(name: str):
    if name in LAYERS or f"drugml.{name}" in _aliases.MODULES:
        module = importlib.import_module(f"drugml.{name}")
        if name in LAYERS:
            globals()[name] = module
        return module
    raise AttributeError(f"module 'drugml' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
