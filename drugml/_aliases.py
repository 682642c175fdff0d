"""Old import paths of drugml 0.x, kept for one release through this one table.

drugml used to be one folder of modules (``drugml.dock``, ``drugml.rank_stream``,
...). They now live in layered subpackages (see ``docs/architecture.md``). A
script that still writes ``from drugml.dock import dock_many`` keeps working:
the old module is made on first import by :class:`AliasFinder`, and each name
taken from it is looked up at its new home and raises a
:class:`DeprecationWarning` that names the new path.

``MODULES`` maps an old module to the module that now holds its names; ``NAMES``
maps the few names that moved elsewhere than their module's new home.

Example
-------
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     from drugml.dock import dock_many
>>> str(caught[0].message).split(";")[0]
'drugml.dock.dock_many is deprecated: import dock_many from drugml.structure.dock'
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
import warnings
from typing import Any

#: Old module -> the module that holds its public names now.
MODULES: dict[str, str] = {
    "drugml._io": "drugml._util.io",
    "drugml._parallel": "drugml._util.parallel",
    "drugml.admet": "drugml.models.admet",
    "drugml.assets": "drugml.data.assets",
    "drugml.backends": "drugml.models.backends",
    "drugml.backends.auto_backend": "drugml.models.backends.auto_backend",
    "drugml.backends.gnn_backend": "drugml.models.backends.gnn_backend",
    "drugml.backends.knn_backend": "drugml.models.backends.knn_backend",
    "drugml.backends.random_forest_backend": "drugml.models.backends.random_forest_backend",
    "drugml.backends.xgboost_backend": "drugml.models.backends.xgboost_backend",
    "drugml.config": "drugml.campaign.config",
    "drugml.curate": "drugml.chem.curate",
    "drugml.dock": "drugml.structure.dock",
    "drugml.filters": "drugml.screening.filters",
    "drugml.gnn": "drugml.models.gnn",
    "drugml.metrics": "drugml.models.metrics",
    "drugml.notebooks": "drugml.report.gallery",
    "drugml.pipeline": "drugml.campaign.pipeline",
    "drugml.rank": "drugml.screening.rank",
    "drugml.rank_stream": "drugml.screening.rank_stream",
    "drugml.rna": "drugml.structure.rna",
    "drugml.scaffolds": "drugml.chem.scaffolds",
    "drugml.screen": "drugml.screening.screen",
    "drugml.split": "drugml.models.split",
    "drugml.uncertainty": "drugml.models.uncertainty",
    "drugml.view3d": "drugml.viz.view3d",
}  # fmt: skip

#: Old ``module.name`` -> new ``module`` where a name left its old module's new home.
NAMES: dict[str, str] = {
    "drugml.pipeline.find_known_actives": "drugml.screening.validation",
    "drugml.pipeline.ranking_without_docking": "drugml.screening.ranking_config",
    "drugml.pipeline.uses_docking": "drugml.screening.ranking_config",
    "drugml.rank_stream.ranking_settings": "drugml.campaign.rerank",
    "drugml.rank_stream.training_compounds": "drugml.screening.validation",
    "drugml.config.Objective": "drugml.screening.ranking_config",
    "drugml.config.FilterRule": "drugml.screening.ranking_config",
    "drugml.config.RankingConfig": "drugml.screening.ranking_config",
    "drugml.config.parse_ranking": "drugml.screening.ranking_config",
    "drugml.config.ConfigError": "drugml.errors",
}


def new_home(old_module: str, name: str) -> str:
    """The module that now holds ``name`` of the old module ``old_module``."""
    return NAMES.get(f"{old_module}.{name}", MODULES[old_module])


class DeprecatedModule(types.ModuleType):
    """An old drugml module: every public name is fetched from its new home, with a warning."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        home = new_home(self.__name__, name)
        try:
            value = getattr(importlib.import_module(home), name)
        except AttributeError:
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {name!r} (its names are in {home})"
            ) from None
        warnings.warn(
            f"{self.__name__}.{name} is deprecated: import {name} from {home}; "
            "the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return value

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(MODULES[self.__name__]))


class AliasFinder:
    """Makes the old modules of :data:`MODULES` importable as :class:`DeprecatedModule` (a
    meta path finder and loader; not derived from ``importlib.abc``, whose import costs
    ``import drugml`` 30 ms)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if fullname in MODULES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec) -> types.ModuleType:
        module = DeprecatedModule(spec.name, f"Moved to {MODULES[spec.name]}.")
        module.__path__ = []  # old submodules (drugml.backends.knn_backend) come through here too
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install() -> None:
    """Put :class:`AliasFinder` on ``sys.meta_path`` once."""
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.append(AliasFinder())
