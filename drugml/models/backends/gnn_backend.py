"""``estimator="gnn"``: DeepChem's D-MPNN graph network (:mod:`~drugml.models.gnn`, ``deep`` extra).

Its weights are saved as plain NPZ arrays (``gnn_weights.npz``), the target
scaling in the model's metadata.

>>> from drugml.models.backends import get_backend
>>> get_backend("gnn").default_params("regression")["epochs"]
50
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from drugml.models.backends import (
    MOLECULES,
    ModelBackend,
    ModelLoadError,
    TrainingSet,
    register_backend,
)
from drugml.models.gnn import DMPNNEstimator, require_deep

__all__ = ["GNNBackend"]

#: Constructor arguments of :class:`~drugml.models.gnn.DMPNNEstimator` that the model sets itself.
_SET_BY_THE_MODEL = ("task", "random_state")


@register_backend
class GNNBackend(ModelBackend):
    """D-MPNN regressor or classifier on the molecular graph (``estimator="gnn"``).

    >>> GNNBackend().input_kind
    'molecules'
    """

    name = "gnn"
    input_kind = MOLECULES
    input_description = "the molecular graph (D-MPNN atom and bond features)"
    format_libraries = ("torch",)

    def require(self) -> None:
        require_deep()

    def default_params(self, task: str) -> dict[str, Any]:
        return {k: v for k, v in DMPNNEstimator().get_params().items()
                if k not in _SET_BY_THE_MODEL}  # fmt: skip

    def fit(self, inputs: Any, y: np.ndarray, *, task: str, params: dict[str, Any],
            random_state: int, threads: int) -> DMPNNEstimator:  # fmt: skip
        import torch

        # torch's pool is process-wide and as large as the machine: the fit gets the model's
        # n_jobs (-1: every core), and the caller's setting is restored after
        before = torch.get_num_threads()
        if threads > 0:
            torch.set_num_threads(threads)
        try:
            return DMPNNEstimator(task=task, **params, random_state=random_state).fit(inputs, y)
        finally:
            torch.set_num_threads(before)

    def predict(self, fitted: DMPNNEstimator, inputs: Any, *, task: str) -> np.ndarray:
        return fitted.predict_value(inputs)

    def save(self, fitted: DMPNNEstimator, directory: Path) -> dict[str, Any]:
        # Plain arrays: no pickle on disk, nothing executes when it is read.
        np.savez_compressed(directory / "gnn_weights.npz", **fitted.state_arrays())
        return {"target_mean": fitted.target_mean_, "target_std": fitted.target_std_}

    def load(self, directory: Path, *, task: str, params: dict[str, Any], random_state: int,
             state: dict[str, Any] | None, training: TrainingSet) -> DMPNNEstimator:  # fmt: skip
        path = directory / "gnn_weights.npz"
        if not path.is_file():
            raise ModelLoadError(f"{directory} is incomplete: no gnn_weights.npz")
        if not state:
            raise ModelLoadError(f"{directory}/metadata.json has no target scaling ('gnn')")
        with np.load(path, allow_pickle=False) as arrays:
            return DMPNNEstimator.from_state(
                {**params, "task": task, "random_state": random_state},
                {k: arrays[k] for k in arrays.files},
                **state,
            )

    def versions(self) -> dict[str, str]:
        import deepchem
        import torch

        return {"torch": torch.__version__.split("+")[0], "deepchem": deepchem.__version__}
