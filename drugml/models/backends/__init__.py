"""Model backends: the estimators a :class:`~drugml.models.PropertyModel` can fit.

A backend is one small class, a :class:`ModelBackend`, that says how one kind
of estimator learns: which input it reads, its default settings, how to fit,
predict, save and load it, and which libraries it depends on. The
:class:`~drugml.models.PropertyModel` around it adds what every model shares:
featurization, scaffold-grouped calibration folds, conformal intervals or
Platt-calibrated probabilities, the applicability domain, the model card and
the rest of the saved files. Adding an estimator means adding one class
(and its tests) and registering it:

>>> import json
>>> import numpy as np
>>> from drugml.models.backends import ModelBackend, register_backend
>>> @register_backend
... class MeanBackend(ModelBackend):
...     '''Predicts the mean of the training targets (a baseline).'''
...     name = "mean_baseline"
...     input_kind = "fingerprints"
...     input_description = "nothing (the training mean)"
...     def default_params(self, task):
...         return {}
...     def fit(self, inputs, y, *, task, params, random_state, threads):
...         return float(np.mean(y))
...     def predict(self, fitted, inputs, *, task):
...         return np.full(len(inputs), fitted)
...     def save(self, fitted, directory):
...         (directory / "mean.json").write_text(json.dumps(fitted))
...     def load(self, directory, *, task, params, random_state, state, training):
...         return float(json.loads((directory / "mean.json").read_text()))
>>> "mean_baseline" in available_backends()
True

Then ``PropertyModel(estimator="mean_baseline")`` fits, calibrates, predicts,
saves and loads like the built-in ones: ``"xgboost"``
(:mod:`drugml.models.backends.xgboost_backend`), ``"random_forest"``
(:mod:`~drugml.models.backends.random_forest_backend`), ``"lightgbm"``
(:mod:`~drugml.models.backends.lightgbm_backend`), ``"knn"``
(:mod:`~drugml.models.backends.knn_backend`) and ``"gnn"``
(:mod:`~drugml.models.backends.gnn_backend`). The built-in modules end in
``_backend`` so that none of them is named like the library it wraps: a
``drugml/models/backends/xgboost.py`` would shadow the real ``xgboost`` wherever its
folder lands on ``sys.path`` (a script run from it, some tools' import modes),
and ``from drugml.models.backends import xgboost`` would read as the library.

Loading a saved model never unpickles: each backend stores its fitted
estimator in a format that holds data, not code (JSON, LightGBM's text model,
NPZ arrays, skops with a list of trusted types).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np

from drugml.errors import DrugmlError

__all__ = [
    "ALL_INPUTS",
    "DENSE",
    "ENTRY_POINT_GROUP",
    "FEATURES",
    "FINGERPRINTS",
    "FINGERPRINT_BITS",
    "INPUT_KINDS",
    "MOLECULES",
    "ModelBackend",
    "ModelLoadError",
    "MultiInput",
    "TrainingSet",
    "UnknownEstimatorError",
    "available_backends",
    "get_backend",
    "register_backend",
]

#: Input kinds: the featurizer's matrix (rows: molecules), ECFP4 bit vectors
#: (RDKit ``ExplicitBitVect``, radius 2, :data:`FINGERPRINT_BITS` bits, the
#: applicability domain's fingerprints), or the parsed RDKit molecules.
FEATURES = "features"
FINGERPRINTS = "fingerprints"
MOLECULES = "molecules"
#: Every input at once (a :class:`MultiInput`): for backends made of other backends.
ALL_INPUTS = "all"
INPUT_KINDS = (FEATURES, FINGERPRINTS, MOLECULES, ALL_INPUTS)
FINGERPRINT_BITS = 2048
#: The featurizer's matrix as it comes (the layout of every non-XGBoost model).
DENSE = "dense"

#: Keys of a saved model's ``metadata.json``. A backend's saved state is stored
#: under the backend's name, so no backend may take one of these names.
_METADATA_KEYS = frozenset(
    {
        "format_version",
        "created",
        "versions",
        "params",
        "featurizer",
        "estimator_params",
        "domain_threshold",
        "conformal_quantile",
        "interval_calibrator",
        "calibrator",
        "cv_metrics",
        "training",
        "card",
        "input_layout",
        "target_transform",
        "target_transform_note",
        "selection",
    }
)


class MultiInput(NamedTuple):
    """Every input a model can read, for a backend of kind :data:`ALL_INPUTS`.

    ``features``: the fitted featurizer's matrix (dense, as it comes);
    ``fingerprints``: ECFP4 bit vectors; ``molecules``: the RDKit molecules;
    ``featurizer``: the fitted featurizer (members lay its matrix out their way).

    >>> MultiInput(np.zeros((2, 3)), ["a", "b"], ["m", "n"], None).rows(np.array([1])).molecules
    ['n']
    """

    features: Any
    fingerprints: list
    molecules: list
    featurizer: Any

    def rows(self, index: np.ndarray) -> MultiInput:
        """The same inputs for the molecules at ``index``."""
        return MultiInput(
            None if self.features is None else self.features[index],
            [self.fingerprints[i] for i in index],
            [self.molecules[i] for i in index],
            self.featurizer,
        )


class ModelLoadError(DrugmlError, ValueError):
    """A model directory is incomplete or not a drugml model."""


class UnknownEstimatorError(DrugmlError, ValueError):
    """No backend is registered under the estimator name asked for; the message lists them."""


class TrainingSet(NamedTuple):
    """The training set every saved model keeps: ECFP4 fingerprints and float targets.

    A backend whose fitted state is its training set (the k-nearest-neighbour
    baseline) is rebuilt from it on loading instead of saving a copy.

    >>> TrainingSet(fingerprints=[], targets=np.zeros(0)).targets.shape
    (0,)
    """

    fingerprints: list
    targets: np.ndarray


class ModelBackend(ABC):
    """How one kind of estimator learns, predicts and persists (subclass, then register).

    Class attributes
    ----------------
    name : the ``estimator=`` name a :class:`~drugml.models.PropertyModel` takes.
    input_kind : :data:`FEATURES`, :data:`FINGERPRINTS` or :data:`MOLECULES`.
    input_description : the input in words, for the model card; for a
        :data:`FEATURES` backend the featurizer describes itself instead.
    parallel_folds : ``True`` when a fit releases the GIL, so the calibration
        folds and the final model may be fitted side by side on threads (each
        fit then gets ``threads=1``).
    format_libraries : libraries that read the saved files: a different major
        version of one refuses to load (scikit-learn always counts).
    card_hidden_params : settings left off the model card (how it computes,
        not what it learns).

    Every method gets what it needs as arguments: a backend holds no state,
    and one instance can serve many models. The module docstring shows a
    whole backend; the built-in ones are each a screenful.

    >>> backend = get_backend("random_forest")
    >>> backend.input_kind, backend.parallel_folds
    ('features', True)
    """

    name: ClassVar[str]
    input_kind: ClassVar[str]
    input_description: ClassVar[str] = ""
    parallel_folds: ClassVar[bool] = False
    format_libraries: ClassVar[tuple[str, ...]] = ()
    card_hidden_params: ClassVar[tuple[str, ...]] = ()

    def require(self) -> None:
        """Raise an ImportError that names what to install when an optional library is missing."""
        return None  # a backend on core dependencies only has nothing to check

    @abstractmethod
    def default_params(self, task: str) -> dict[str, Any]:
        """The estimator's settings for ``task`` unless the user overrides them."""

    @abstractmethod
    def fit(
        self,
        inputs: Any,
        y: np.ndarray,
        *,
        task: str,
        params: dict[str, Any],
        random_state: int,
        threads: int,
    ) -> Any:
        """Fit on ``inputs`` (of :attr:`input_kind`) and float targets; return the fitted object.

        ``task`` is ``"regression"`` or ``"classification"`` (targets 0.0/1.0);
        ``threads`` is how many threads the fit may use.
        """

    @abstractmethod
    def predict(self, fitted: Any, inputs: Any, *, task: str) -> np.ndarray:
        """Float predictions: the regression value, or the uncalibrated probability of class 1."""

    @abstractmethod
    def save(self, fitted: Any, directory: Path) -> dict[str, Any] | None:
        """Write ``fitted`` into ``directory`` in a format that holds no code.

        Returns JSON-able facts that :meth:`load` needs besides the files
        (stored in ``metadata.json`` under the backend's name), or None.
        """

    @abstractmethod
    def load(
        self,
        directory: Path,
        *,
        task: str,
        params: dict[str, Any],
        random_state: int,
        state: dict[str, Any] | None,
        training: TrainingSet,
    ) -> Any:
        """The fitted object :meth:`save` wrote; never unpickles, never executes code.

        ``state`` is what :meth:`save` returned; ``training`` the model's training set.
        Raise :class:`ModelLoadError` for missing or unexpected content.
        """

    def params(self, task: str, given: dict[str, Any] | None) -> dict[str, Any]:
        """The settings a fit uses: the defaults updated by the user's ``estimator_params``.

        Raise ``ValueError`` naming a setting the backend cannot take.
        """
        return {**self.default_params(task), **(given or {})}

    def versions(self) -> dict[str, str]:
        """Versions of the libraries the fitted estimator depends on, saved with the model."""
        return {}

    def input_layout(self, featurizer: Any) -> str:
        """The layout a new fit reads the featurizer's matrix in (saved as ``input_layout``)."""
        return DENSE

    def lay_out(self, features: Any, layout: str, featurizer: Any) -> Any:
        """The featurizer's matrix as the estimator reads it in ``layout``."""
        return features


_REGISTRY: dict[str, type[ModelBackend]] = {}


def register_backend(backend: type[ModelBackend], replace: bool = False) -> type[ModelBackend]:
    """Make a :class:`ModelBackend` subclass available as ``estimator=backend.name``.

    Returns the class, so it works as a class decorator (see the module
    docstring). Registering another class under a taken name fails unless
    ``replace``.

    >>> from drugml.models.backends.knn_backend import KNNBackend
    >>> register_backend(KNNBackend) is KNNBackend
    True
    """
    if not (isinstance(backend, type) and issubclass(backend, ModelBackend)):
        raise TypeError(f"register_backend takes a ModelBackend subclass, got {backend!r}")
    name = getattr(backend, "name", None)
    if not isinstance(name, str) or not name.isidentifier() or name in _METADATA_KEYS:
        raise ValueError(
            f"{backend.__name__}.name must be an identifier and not one of "
            f"{sorted(_METADATA_KEYS)}, got {name!r}"
        )
    if getattr(backend, "input_kind", None) not in INPUT_KINDS:
        raise ValueError(
            f"{backend.__name__}.input_kind must be one of {INPUT_KINDS}, got "
            f"{getattr(backend, 'input_kind', None)!r}"
        )
    registered = _REGISTRY.get(name)
    if registered is not None and registered is not backend and not replace:
        raise ValueError(
            f"Estimator name {name!r} is taken by {registered.__module__}."
            f"{registered.__qualname__}; pass replace=True to replace it"
        )
    _REGISTRY[name] = backend
    return backend


def get_backend(name: str) -> ModelBackend:
    """The backend registered as ``name``; :class:`UnknownEstimatorError` lists the others.

    >>> get_backend("knn").input_kind
    'fingerprints'
    """
    backend = _REGISTRY.get(name) if isinstance(name, str) else None
    if backend is None and isinstance(name, str):
        _load_plugins()
        backend = _REGISTRY.get(name)
    if backend is None:
        raise UnknownEstimatorError(
            f"estimator must be one of {available_backends()}, got {name!r} (another estimator "
            "needs a backend class: see drugml.models.backends.register_backend)"
        )
    return backend()


def available_backends() -> tuple[str, ...]:
    """Names of the registered backends, sorted.

    >>> {"gnn", "knn", "random_forest", "xgboost"} <= set(available_backends())
    True
    """
    _load_plugins()
    return tuple(sorted(_REGISTRY))


#: Entry-point group of backends that other packages install: a package
#: declaring ``[project.entry-points."drugml.backends"] toy = "pkg.module:ToyBackend"``
#: makes ``estimator="toy"`` work in every process, the screen's workers included
#: (a class registered at run time exists only in the process that registered it).
ENTRY_POINT_GROUP = "drugml.backends"
_PLUGINS_LOADED = [False]


def _load_plugins() -> None:
    """Register the backends installed packages declare (once per process)."""
    if _PLUGINS_LOADED[0]:
        return
    _PLUGINS_LOADED[0] = True
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        backend = entry.load()
        if _REGISTRY.get(getattr(backend, "name", None)) is not backend:
            register_backend(backend)


# The built-in backends register themselves on import; they use the names
# above, so they are imported last.
from drugml.models.backends import (  # noqa: E402
    auto_backend,  # noqa: F401
    gnn_backend,  # noqa: F401
    knn_backend,  # noqa: F401
    lightgbm_backend,  # noqa: F401
    random_forest_backend,  # noqa: F401
    xgboost_backend,  # noqa: F401
)
