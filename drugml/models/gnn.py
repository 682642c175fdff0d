"""Graph neural network estimator: DeepChem's directed message-passing network (D-MPNN).

:class:`DMPNNEstimator` is the ``estimator="gnn"`` of
:class:`drugml.models.PropertyModel` (its backend class is
:class:`drugml.models.backends.gnn_backend.GNNBackend`). It learns its own representation of each
molecule from the molecular graph (atoms as nodes, bonds as directed edges,
Yang et al. 2019, *J. Chem. Inf. Model.* 59, 3370) instead of using fixed
fingerprints, which tends to pay off on physico-chemical endpoints such as
solubility and needs more data and CPU time than XGBoost on fingerprints.

It needs the ``deep`` extra (``pip install "drugml[deep]"``: PyTorch 2.13 CPU
and torch-geometric); without it, :func:`require_deep` raises an ImportError
that names the extra. Weights persist as a plain NPZ of arrays (no pickle;
loading never executes code).

Example
-------
>>> from drugml.models.gnn import DMPNNEstimator
>>> from rdkit import Chem
>>> mols = [Chem.MolFromSmiles(s) for s in ["CCO", "CCCO", "CCCCO", "c1ccccc1O"]]
>>> model = DMPNNEstimator(epochs=2).fit(mols, [0.5, 0.1, -0.3, 0.0])  # doctest: +SKIP
>>> model.predict_value(mols).shape  # doctest: +SKIP
(4,)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from drugml.errors import MissingDependencyError

__all__ = ["DEEP_EXTRA_HINT", "DMPNNEstimator", "require_deep"]

DEEP_EXTRA_HINT = (
    'estimator="gnn" needs the deep extra (PyTorch and torch-geometric): '
    'pip install "drugml[deep]"  (on a CPU-only machine install torch==2.13.0 first from '
    "PyTorch's CPU wheel index to avoid the multi-GB CUDA build)"
)


def require_deep() -> None:
    """Raise an ImportError naming the ``deep`` extra when PyTorch or torch-geometric is missing."""
    import importlib.util

    missing = [m for m in ("torch", "torch_geometric") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingDependencyError(f"{DEEP_EXTRA_HINT}. Missing: {', '.join(missing)}.")


@contextlib.contextmanager
def _quiet_deepchem() -> Iterator[None]:
    """DeepChem logs optional-backend notices on import and warns per batch; keep them out."""
    import warnings

    loggers = [logging.getLogger(n) for n in ("deepchem", "deepchem.models")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed torch and numpy's global RNG (DeepChem shuffles with it), then restore numpy's."""
    import torch

    state = np.random.get_state()  # noqa: NPY002 - DeepChem shuffles with the global RNG
    np.random.seed(seed)  # noqa: NPY002
    torch.manual_seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


class DMPNNEstimator:
    """D-MPNN regressor or binary classifier on RDKit molecules (DeepChem ``DMPNNModel``).

    Parameters
    ----------
    task : ``"regression"`` or ``"classification"`` (labels 0/1).
    epochs : passes over the training data (50 reaches a converged ESOL model).
    batch_size, learning_rate : optimiser settings (Adam).
    hidden : width of the message-passing and feed-forward layers (300 as in Chemprop).
    depth : message-passing steps (3).
    ffn_layers : feed-forward layers after the read-out (3).
    dropout : dropout in the feed-forward network.
    random_state : seeds initialisation and batch order, so a fit is repeatable.

    Regression targets are standardised for training and predictions mapped back.
    """

    def __init__(
        self,
        task: str = "regression",
        epochs: int = 50,
        batch_size: int = 50,
        learning_rate: float = 1e-3,
        hidden: int = 300,
        depth: int = 3,
        ffn_layers: int = 3,
        dropout: float = 0.0,
        random_state: int = 0,
    ) -> None:
        self.task = task
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.hidden = hidden
        self.depth = depth
        self.ffn_layers = ffn_layers
        self.dropout = dropout
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments (saved with the model)."""
        return {k: getattr(self, k) for k in (
            "task", "epochs", "batch_size", "learning_rate", "hidden", "depth",
            "ffn_layers", "dropout", "random_state")}  # fmt: skip

    def _new_model(self):
        require_deep()
        with _quiet_deepchem():
            from deepchem.models.torch_models import DMPNNModel

            return DMPNNModel(
                mode=self.task,
                n_tasks=1,
                n_classes=2,
                batch_size=self.batch_size,
                learning_rate=self.learning_rate,
                enc_hidden=self.hidden,
                ffn_hidden=self.hidden,
                depth=self.depth,
                ffn_layers=self.ffn_layers,
                ffn_dropout_p=self.dropout,
            )

    @staticmethod
    def _graphs(mols: Sequence) -> np.ndarray:
        require_deep()
        with _quiet_deepchem():
            import deepchem as dc

            graphs = dc.feat.DMPNNFeaturizer().featurize(list(mols))
        failed = [i for i, g in enumerate(graphs) if isinstance(g, np.ndarray) and g.size == 0]
        if failed:
            raise ValueError(
                f"DeepChem's DMPNNFeaturizer could not featurize molecules {failed[:20]}"
            )
        return graphs

    def fit(self, mols: Sequence, y: Any) -> DMPNNEstimator:
        """Train on RDKit molecules and targets."""
        import deepchem as dc

        targets = np.asarray(y, dtype=float)
        if self.task == "regression":
            self.target_mean_ = float(targets.mean())
            self.target_std_ = float(targets.std()) or 1.0
            labels = (targets - self.target_mean_) / self.target_std_
        else:
            self.target_mean_, self.target_std_ = 0.0, 1.0
            labels = targets
        graphs = self._graphs(mols)
        dataset = dc.data.NumpyDataset(graphs, labels.reshape(-1, 1).astype(np.float32))
        with _seeded(self.random_state), _quiet_deepchem():
            model = self._new_model()
            model.fit(dataset, nb_epoch=self.epochs, checkpoint_interval=0)
        self.model_ = model
        return self

    def predict_value(self, mols: Sequence) -> np.ndarray:
        """Regression value, or the (uncalibrated) probability of class 1."""
        import deepchem as dc

        if not len(mols):
            return np.array([])
        dataset = dc.data.NumpyDataset(self._graphs(mols))
        with _quiet_deepchem():
            out = np.asarray(self.model_.predict(dataset), dtype=float)
        if self.task == "regression":
            return out.reshape(len(mols)) * self.target_std_ + self.target_mean_
        return out.reshape(len(mols), -1)[:, -1]

    # ------------------------------------------------------------ persistence
    def state_arrays(self) -> dict[str, np.ndarray]:
        """The network weights as plain numpy arrays (saved as NPZ, never pickled)."""
        return {k: v.detach().cpu().numpy() for k, v in self.model_.model.state_dict().items()}

    @classmethod
    def from_state(cls, params: dict[str, Any], arrays: Any, target_mean: float,
                   target_std: float) -> DMPNNEstimator:  # fmt: skip
        """Rebuild a fitted estimator from :meth:`get_params` and :meth:`state_arrays`."""
        import torch

        estimator = cls(**params)
        model = estimator._new_model()
        state = {k: torch.from_numpy(np.array(arrays[k])) for k in arrays}
        model.model.load_state_dict(state, strict=True)
        estimator.model_ = model
        estimator.target_mean_ = float(target_mean)
        estimator.target_std_ = float(target_std)
        return estimator
