"""Named featurizer recipes (:func:`featurizer_preset`): a whole featurization by one name,
as a configuration or an ADMET endpoint's row names it.

- ``maplight``: MapLight's features for ADMET (Notwell and Wood 2023, first or second on
  many TDC ADMET endpoints): ECFP4 counts (1,024), Avalon counts (1,024), ErG (315) and every
  RDKit 2D descriptor, side by side on one parse per molecule.

Adding a recipe is one function in :data:`FEATURIZER_PRESETS`.

>>> featurizer_preset("maplight").fit_transform(["CCO"]).shape[1] > 2300
True
"""

from __future__ import annotations

from collections.abc import Callable

from drugml._util.suggest import suggest
from drugml.featurize._base import MolecularFeaturizer, UnknownFeaturizerError
from drugml.featurize._combined import MolecularFeatures
from drugml.featurize._descriptors import RDKitDescriptors
from drugml.featurize._fingerprints import ECFP, Avalon, ErG

__all__ = ["FEATURIZER_PRESETS", "featurizer_preset"]


def _maplight() -> MolecularFeaturizer:
    return MolecularFeatures(
        [
            ("ecfp", ECFP(radius=2, n_bits=1024, counts=True)),
            ("avalon", Avalon(n_bits=1024, counts=True)),
            ("erg", ErG()),
            ("rdkit", RDKitDescriptors()),
        ]
    )


#: Recipe name -> a function making a new, unfitted featurizer.
FEATURIZER_PRESETS: dict[str, Callable[[], MolecularFeaturizer]] = {"maplight": _maplight}


def featurizer_preset(name: str) -> MolecularFeaturizer:
    """A new featurizer of the recipe ``name`` (:data:`FEATURIZER_PRESETS`)."""
    try:
        return FEATURIZER_PRESETS[name]()
    except KeyError:
        raise UnknownFeaturizerError(
            f"Unknown featurizer preset {name!r}{suggest(name, FEATURIZER_PRESETS)}; "
            f"known: {', '.join(FEATURIZER_PRESETS)}",
            name=name,
        ) from None
