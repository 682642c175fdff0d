"""Graph featurization for graph neural networks: :class:`GraphFeaturizer` (DeepChem graphs).

DeepChem is imported on first use, never with :mod:`drugml.featurize`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from drugml.errors import MissingDependencyError
from drugml.featurize._base import FeaturizationError, as_molecule_list, parse_molecules
from drugml.featurize._registry import register_featurizer

__all__ = ["GraphFeaturizer"]


@register_featurizer("graph")
class GraphFeaturizer(TransformerMixin, BaseEstimator):
    """DeepChem graph featurization for graph neural networks (imports DeepChem on use).

    ``kind="dmpnn"`` gives ``DMPNNFeaturizer`` graphs (for DeepChem's DMPNN),
    ``kind="molgraphconv"`` ``MolGraphConvFeaturizer`` graphs. Returns an object
    array of ``GraphData``; a molecule that cannot be parsed gives ``None``,
    named in a warning (or a :class:`FeaturizationError` when ``strict``).
    """

    def __init__(self, kind: str = "dmpnn", strict: bool = False) -> None:
        self.kind = kind
        self.strict = strict

    def fit(self, X: Any = None, y: Any = None) -> GraphFeaturizer:
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def transform(self, X: Any) -> np.ndarray:
        from rdkit import Chem

        items = as_molecule_list(X)
        mols, invalid = parse_molecules(items, full=True)
        featurizer = _deepchem_featurizer(self.kind)
        out = np.empty(len(items), dtype=object)
        for i, mol in enumerate(mols):
            if mol is None:
                continue
            graph = featurizer.featurize([Chem.MolToSmiles(mol)])[0]
            if isinstance(graph, np.ndarray) and graph.size == 0:  # DeepChem's failure marker
                invalid.append((i, "DeepChem could not featurize it"))
                continue
            out[i] = graph
        if invalid:
            listing = "; ".join(f"[{i}] {items[i]!r}: {r}" for i, r in invalid[:20])
            if self.strict:
                raise FeaturizationError(
                    f"{len(invalid)} molecules could not be featurized: {listing}"
                )
            warnings.warn(
                f"GraphFeaturizer: {len(invalid)} molecules gave no graph: {listing}",
                stacklevel=2,
            )
        self.last_invalid_ = [(i, items[i], r) for i, r in invalid]
        return out


def _deepchem_featurizer(kind: str):
    try:
        import deepchem as dc
    except ImportError as exc:  # pragma: no cover - deepchem is a core dependency
        raise MissingDependencyError(
            "GraphFeaturizer needs deepchem: pip install deepchem"
        ) from exc
    if kind == "dmpnn":
        return dc.feat.DMPNNFeaturizer()
    if kind == "molgraphconv":
        return dc.feat.MolGraphConvFeaturizer(use_edges=True)
    raise FeaturizationError(f"Unknown graph kind {kind!r}; use 'dmpnn' or 'molgraphconv'")
