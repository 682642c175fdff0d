"""The docking stack's optional packages, imported when first needed, and their noise.

Vina, Meeko, ProLIF, PoseBusters and Dimorphite-DL are heavy and optional
(``pip install 'drugml[dock]'``): each is imported by :func:`require` inside the
function that uses it, so that ``import drugml.structure.dock`` stays light.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from drugml.errors import MissingDependencyError

#: Per-process engines: Vina objects with their maps (by receptor, box, scoring and seed) and
#: ProLIF proteins (by receptor PDB). One dict, so that switching receptors frees both.
ENGINE_CACHE: dict[tuple, Any] = {}


def require(module: str, what: str) -> Any:
    """Import ``module``, or say which package ``what`` needs and how to install it."""
    import importlib
    import importlib.util

    try:
        with warnings.catch_warnings():  # MDAnalysis (under ProLIF) warns about its own moves
            warnings.simplefilter("ignore")
            if module == "prolif" and importlib.util.find_spec("MDAnalysis") is not None:
                # MDAnalysis makes its deprecation warnings loud as it is imported (a filter
                # put first), before ProLIF imports its moved tables: silence them again
                importlib.import_module("MDAnalysis")
                warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{what} needs the `{module.split('.')[0]}` package: pip install 'drugml[dock]'"
        ) from exc


def quiet_logs() -> None:
    """Meeko, MDAnalysis and PoseBusters log warnings per residue; the report says what counts."""
    for name in ("meeko", "MDAnalysis", "posebusters", "prolif"):
        logging.getLogger(name).setLevel(logging.ERROR)
