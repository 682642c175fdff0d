"""Several featurizers side by side on one parse per molecule: :class:`MolecularFeatures`.

A ``FeatureUnion`` of featurizers would parse every molecule once per featurizer.

Example
-------
>>> from drugml.featurize import MACCS, ECFP, MolecularFeatures
>>> MolecularFeatures([ECFP(n_bits=64), MACCS()]).fit_transform(["CCO"]).shape
(1, 231)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from drugml.featurize._base import FeaturizerTypeError, MolecularFeaturizer
from drugml.featurize._descriptors import RDKitDescriptors
from drugml.featurize._registry import (
    featurizer_from_spec,
    featurizer_spec,
    register_featurizer,
)

__all__ = ["MolecularFeatures"]


@register_featurizer("combination")
class MolecularFeatures(MolecularFeaturizer):
    """Several featurizers side by side, each molecule parsed once.

    ``featurizers`` is a list of featurizers or of ``(name, featurizer)``
    pairs; columns are named ``name__feature``. Use it instead of a
    ``FeatureUnion`` of featurizers, which would parse every molecule once per
    featurizer. Featurizers that learn (scaled descriptors) are fitted in ``fit``.

    >>> from drugml.featurize import ECFP, RDKitDescriptors
    >>> X = MolecularFeatures([ECFP(n_bits=64), RDKitDescriptors(["MolWt"])]).fit_transform(["CCO"])
    >>> X.shape, X.dtype.name
    ((1, 65), 'float32')
    """

    def __init__(
        self,
        featurizers: Sequence[Any],
        n_jobs: int = 1,
        chunk_size: int = 500,
        strict: bool = False,
        progress: bool | None = None,
    ) -> None:
        self.featurizers = featurizers
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.strict = strict
        self.progress = progress

    def _named(self) -> list[tuple[str, MolecularFeaturizer]]:
        named = []
        for item in self.featurizers:
            name, featurizer = item if isinstance(item, tuple) else (None, item)
            if not isinstance(featurizer, MolecularFeaturizer):
                raise FeaturizerTypeError(
                    f"{featurizer!r} is not a drugml featurizer "
                    "(ECFP, MACCS, RDKitDescriptors, ... from drugml.featurize)"
                )
            named.append((name or type(featurizer).__name__.lower(), featurizer))
        return named

    @property
    def _dtype(self):  # type: ignore[override]
        return np.result_type(*[f._dtype for _, f in self._named()])

    def _needs_full_parse(self) -> bool:
        return any(f._needs_full_parse() for _, f in self._named())

    def _n_features(self) -> int:
        return sum(f._n_features() for _, f in self._named())

    def _feature_names(self) -> list[str]:
        return [f"{name}__{feature}" for name, f in self._named() for feature in f._feature_names()]

    def _fill(self, mols: Sequence[Any]) -> np.ndarray:
        return np.hstack([f._fill(mols).astype(self._dtype, copy=False) for _, f in self._named()])

    def fit(self, X: Any = None, y: Any = None) -> MolecularFeatures:
        super().fit(X, y)
        for _, featurizer in self._named():
            if getattr(featurizer, "scale", False):
                featurizer.fit(X)
        return self

    def transform(self, X: Any) -> np.ndarray:
        out = super().transform(X)
        start = 0
        for _, featurizer in self._named():
            width = featurizer._n_features()
            if isinstance(featurizer, RDKitDescriptors):
                block = out[:, start : start + width].astype(np.float64)
                block[~np.isfinite(block)] = np.nan
                if featurizer.scale:
                    block = (block - featurizer.mean_) / featurizer.scale_
                out[:, start : start + width] = block
            start += width
        return out

    def to_spec(self) -> dict[str, Any]:
        """The own parameters, then each part's spec under ``featurizers`` with its ``name``."""
        params = self.get_params(deep=False)
        return {
            "class": type(self).__name__,
            "params": {k: v for k, v in params.items() if k != "featurizers"},
            "featurizers": [{"name": n, **featurizer_spec(f)} for n, f in self._named()],
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> MolecularFeatures:
        """The combination, each part rebuilt from its spec under its name."""
        parts = [(p["name"], featurizer_from_spec(p)) for p in spec["featurizers"]]
        return cls(parts, **spec["params"])
