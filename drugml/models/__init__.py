"""Property models (fit/predict with intervals and a domain), their backends, splits, metrics,
calibration and the ADMET panel.

Example
-------
>>> from drugml.models import PropertyModel
>>> PropertyModel(estimator="knn").estimator
'knn'
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.models._property_model import (
    DOMAIN_BITS,
    FAST_DESCRIPTORS,
    FORMAT_VERSION,
    LOCAL_NEIGHBOURS,
    MIN_CALIBRATION_MOLECULES,
    SKEWNESS_FOR_LOG,
    SPARSE_FINGERPRINTS,
    TARGET_TRANSFORMS,
    AtomContributions,
    ModelInputError,
    ModelLoadError,
    ModelVersionError,
    PropertyModel,
    UnknownEstimatorError,
    choose_target_transform,
    default_featurizer,
    fingerprint_columns,
    sparse_fingerprint_matrix,
)

__getattr__, __dir__ = lazy_submodules(
    __name__, ("admet", "backends", "gnn", "metrics", "split", "uncertainty"), globals()
)

__all__ = [
    "DOMAIN_BITS",
    "FAST_DESCRIPTORS",
    "FORMAT_VERSION",
    "LOCAL_NEIGHBOURS",
    "MIN_CALIBRATION_MOLECULES",
    "SKEWNESS_FOR_LOG",
    "SPARSE_FINGERPRINTS",
    "TARGET_TRANSFORMS",
    "AtomContributions",
    "ModelInputError",
    "ModelLoadError",
    "ModelVersionError",
    "PropertyModel",
    "UnknownEstimatorError",
    "admet",
    "backends",
    "choose_target_transform",
    "default_featurizer",
    "fingerprint_columns",
    "gnn",
    "metrics",
    "sparse_fingerprint_matrix",
    "split",
    "uncertainty",
]
