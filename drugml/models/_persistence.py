"""Saving and loading a :class:`~drugml.models.PropertyModel` without pickle: the
``metadata.json`` layout, the training set as NPZ, the library versions a model was saved
with (checked on loading), and the hash of the data it was fitted on.

A saved model is a folder: the backend's files (``model.json``, ``model.skops``,
``gnn_weights.npz`` or none), ``training_set.npz`` (packed ECFP4 fingerprints and targets),
``metadata.json`` (the keys of :func:`write_model`, in that order) and ``MODEL_CARD.md``.

>>> data_hash(["CCO"], np.array([1.0]))[:12]
'3827e8c649ec'
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from drugml._version import __version__
from drugml.models._domain import DOMAIN_BITS, pack_fingerprints, unpack_fingerprints
from drugml.models._errors import ModelVersionError
from drugml.models.backends import (
    DENSE,
    ModelBackend,
    ModelLoadError,
    TrainingSet,
    UnknownEstimatorError,
    get_backend,
)

#: A drugml.models.PropertyModel; not imported here, since its module imports this one.
PropertyModel = Any

__all__ = [
    "FORMAT_VERSION",
    "PREDICTION_SETS_KEY",
    "check_versions",
    "data_hash",
    "library_versions",
    "metadata_file",
    "open_model",
    "read_metadata",
    "restore_fitted",
    "write_model",
]

#: Version of the saved-model layout; loading a different one fails clearly.
FORMAT_VERSION = 1
#: Where in ``metadata["calibrator"]`` a classifier keeps its conformal prediction sets'
#: calibration (:mod:`drugml.models._conformal_sets`): with the Platt scaling it is fitted
#: on, and no new top-level key that a backend's name could clash with.
PREDICTION_SETS_KEY = "prediction_sets"


def write_model(
    model: PropertyModel,
    directory: Path,
    backend: ModelBackend,
    featurizer_spec: dict[str, Any] | None,
) -> Path:
    """Write a fitted model's files into ``directory`` (the card is the model's to write)."""
    directory.mkdir(parents=True, exist_ok=True)
    backend_state = backend.save(model.estimator_, directory)
    np.savez_compressed(
        directory / "training_set.npz",
        fingerprints=pack_fingerprints(model.training_fingerprints_),
        targets=model.training_targets_,
    )
    metadata = {
        "format_version": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "versions": library_versions(backend),
        "params": {k: v for k, v in model.get_params(deep=False).items() if k != "featurizer"},
        "featurizer": featurizer_spec,
        "estimator_params": model.estimator_params_,
        "domain_threshold": model.domain_threshold_,
        "conformal_quantile": getattr(model, "conformal_quantile_", None),
        "interval_calibrator": (
            model.interval_calibrator_.to_dict()
            if getattr(model, "interval_calibrator_", None)
            else None
        ),
        "calibrator": _classifier_calibration(model),
        "cv_metrics": model.cv_metrics_,
        "training": model.training_info_,
        "card": getattr(model, "card_info_", {}),
        "input_layout": getattr(model, "input_layout_", DENSE),
        "target_transform": getattr(model, "target_transform_", None),
        "target_transform_note": getattr(model, "target_transform_note_", None),
        "selection": getattr(model, "selection_", None),
    }
    if backend_state is not None:  # what the backend's load needs besides its files
        metadata[backend.name] = backend_state
    metadata_file(directory).write_text(json.dumps(metadata, indent=2) + "\n")
    return directory


def open_model(
    cls: type[PropertyModel], directory: Path, strict_versions: bool
) -> tuple[PropertyModel, dict[str, Any], ModelBackend]:
    """``(model, metadata, backend)`` of a saved folder: the unfitted model of the saved
    parameters, once its format, backend and library versions are checked."""
    metadata = read_metadata(directory)
    model = cls(**metadata["params"])
    try:
        backend = get_backend(model.estimator)
    except UnknownEstimatorError as exc:
        raise ModelLoadError(
            f"Model in {directory} needs a backend that is not registered here: {exc}"
        ) from exc
    check_versions(metadata["versions"], directory, strict_versions, backend, stacklevel=4)
    return model, metadata, backend


def metadata_file(directory: str | Path) -> Path:
    """The ``metadata.json`` of a saved model's folder (what makes a folder a saved model).

    >>> metadata_file("models/potency").as_posix()
    'models/potency/metadata.json'
    """
    return Path(directory) / "metadata.json"


def read_metadata(directory: Path) -> dict[str, Any]:
    """``metadata.json`` of a saved model, checked to be of this drugml's format version."""
    meta_path = metadata_file(directory)
    if not meta_path.is_file():
        raise ModelLoadError(f"{directory} is not a drugml model: no metadata.json")
    metadata = json.loads(meta_path.read_text())
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelVersionError(
            f"Model in {directory} has format version {metadata.get('format_version')}, "
            f"this drugml ({__version__}) reads version {FORMAT_VERSION}. Retrain or use "
            f"drugml {metadata.get('versions', {}).get('drugml', '?')}."
        )
    return metadata


def restore_fitted(
    model: PropertyModel, directory: Path, metadata: dict[str, Any], backend: ModelBackend
) -> None:
    """Set the fitted attributes of ``model`` (its featurizer aside) from a saved folder."""
    arrays = np.load(directory / "training_set.npz", allow_pickle=False)
    model.training_fingerprints_ = unpack_fingerprints(arrays["fingerprints"])
    model.training_bits_ = np.unpackbits(arrays["fingerprints"], axis=1)[:, :DOMAIN_BITS]
    model.training_targets_ = arrays["targets"]
    model.estimator_params_ = metadata["estimator_params"]
    # Models saved before the sparse layout read the dense matrix, as they were fitted.
    model.input_layout_ = metadata.get("input_layout", DENSE)
    model.estimator_ = backend.load(
        directory,
        task=model.task,
        params=dict(model.estimator_params_),
        random_state=model.random_state,
        state=metadata.get(backend.name),
        training=TrainingSet(model.training_fingerprints_, model.training_targets_),
    )
    model.domain_threshold_ = metadata["domain_threshold"]
    if model.task == "regression":
        state = metadata.get("interval_calibrator")
        if state:
            from drugml.models.uncertainty import SimilarityConformal

            model.interval_calibrator_ = SimilarityConformal.from_dict(state)
        else:  # saved before adaptive intervals: one width for every molecule
            model.conformal_quantile_ = metadata["conformal_quantile"]
    else:
        calibration = dict(metadata["calibrator"])
        # absent in models saved before prediction sets: they predict without them
        model.class_conformal_ = calibration.pop(PREDICTION_SETS_KEY, None)
        model.calibrator_ = calibration
    model.cv_metrics_ = metadata["cv_metrics"]
    model.training_info_ = metadata["training"]
    model.card_info_ = metadata.get("card", {})  # absent in models saved before cards
    model.target_transform_ = metadata.get("target_transform")  # absent before transforms
    model.target_transform_note_ = metadata.get("target_transform_note")
    model.selection_ = metadata.get("selection")


def _classifier_calibration(model: PropertyModel) -> dict[str, Any] | None:
    """A classifier's Platt scaling and, under :data:`PREDICTION_SETS_KEY`, its conformal
    sets' calibration (None for regression)."""
    platt = getattr(model, "calibrator_", None)
    if platt is None:
        return None
    sets = getattr(model, "class_conformal_", None)
    return {**platt, PREDICTION_SETS_KEY: sets} if sets else dict(platt)


def data_hash(items: Sequence[Any], targets: np.ndarray) -> str:
    """sha256 of the (SMILES, target) pairs a model was fitted on (Mols as canonical SMILES)."""
    from rdkit import Chem

    digest = hashlib.sha256()
    for item, target in zip(items, targets, strict=True):
        text = item if isinstance(item, str) else Chem.MolToSmiles(item)
        digest.update(f"{text}\t{target!r}\n".encode())
    return digest.hexdigest()


def library_versions(backend: ModelBackend) -> dict[str, str]:
    """Versions of drugml and the libraries a saved model with this backend depends on."""
    import rdkit
    import sklearn

    versions = {
        "drugml": __version__,
        "rdkit": rdkit.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }
    return {**versions, **backend.versions()}


def check_versions(
    saved: dict[str, str],
    directory: Path,
    strict: bool,
    backend: ModelBackend,
    stacklevel: int = 2,
) -> None:
    """Refuse (``strict``) or warn about a library whose major version changed since saving;
    note any other change in a warning, at ``stacklevel`` (:func:`open_model`: the caller of
    :meth:`PropertyModel.load <drugml.models.PropertyModel.load>`)."""
    current = library_versions(backend)
    format_libraries = ("scikit-learn", *backend.format_libraries)
    problems, notes = [], []
    for name, version in saved.items():
        now = current.get(name)
        if now is None or now == version:
            continue
        major_changed = version.split(".")[0] != now.split(".")[0]
        serious = major_changed and name in format_libraries
        (problems if serious else notes).append(f"{name} {version} (now {now})")
    if problems:
        message = (
            f"Model in {directory} was saved with {', '.join(problems)}: a different major "
            "version may read it differently. Retrain it, or load with strict_versions=False."
        )
        if strict:
            raise ModelVersionError(message)
        warnings.warn(message, stacklevel=stacklevel)
    if notes:
        warnings.warn(
            f"Model in {directory} was saved with {', '.join(notes)}; predictions may differ "
            "slightly.",
            stacklevel=stacklevel,
        )
