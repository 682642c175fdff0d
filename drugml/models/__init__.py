"""Property models (fit/predict with intervals and a domain), their backends, splits, metrics,
calibration and the ADMET panel.

:class:`PropertyModel` wraps a featurizer and an estimator behind
``fit(smiles, y)`` / ``predict(smiles)``:

- **A default chosen per data set.** ``estimator="auto"`` (the default) fits
  a small menu on the scaffold-grouped calibration folds (XGBoost and a
  random forest on ECFP4 counts + descriptors, the Tanimoto kNN baseline, and
  the mean of the three) and keeps the mean unless a member beats it by more
  than the noise of the out-of-fold scores (a paired scaffold bootstrap:
  advantage - 2 SE > 0; :mod:`drugml.models.backends.auto_backend`);
  ``selection_`` and the model card list every candidate's score and margin.
  A fixed estimator stays available: ``"xgboost"``, ``"random_forest"``,
  ``"knn"``, ``"gnn"`` (a D-MPNN with the ``deep`` extra), or any registered
  backend.
- **Uncertainty.** Regression gives a conformal prediction interval
  (``lower``, ``upper``) at ``coverage`` (90 % by default) whose width adapts
  to each molecule: wider where the training data are sparse around it
  (:mod:`drugml.models.uncertainty`: normalized, Mondrian conformal by the mean
  similarity to the 5 nearest training molecules). Classification gives a
  probability calibrated by Platt scaling and a class-conditional conformal
  prediction set (``prediction_set``: active, inactive, both or none). Both are calibrated on
  out-of-fold predictions of a *scaffold-grouped* K-fold cross-validation
  inside ``fit``: the calibration molecules are from scaffolds the fold's
  model has not seen. A skewed, strictly positive target is fitted on the
  log scale (``target_transform``).
- **Applicability domain.** ``nearest_similarity`` is the Tanimoto similarity
  (ECFP4, 2048 bits) of each molecule to its nearest training molecule;
  ``in_domain`` is ``nearest_similarity >= domain_threshold``. The default
  threshold is the 5th percentile of that similarity for the out-of-fold
  molecules of the scaffold-grouped folds. A test set of rarer chemotypes
  than the folds hold (a scaffold split keeps the rarest scaffolds out) has
  more molecules out of the domain (on EGFR's scaffold test set 16 %, not
  5 %); the intervals keep their coverage there because they are calibrated
  per similarity (benchmarks/results/uncertainty.json).
- **Persistence without pickle.** ``save(dir)`` writes the XGBoost model as
  JSON (the random forest with skops, the GNN's weights as NPZ arrays), metadata as JSON, training
  fingerprints as NPZ and a Markdown model card. ``PropertyModel.load(dir)``
  rebuilds featurizers from a fixed list of known classes and never executes
  code from the files; it checks the format and library versions.

Each estimator is a backend class (:mod:`drugml.models.backends`): another estimator
is one more class, registered with :func:`drugml.models.backends.register_backend`.

Example
-------
>>> from drugml.models import PropertyModel
>>> PropertyModel(estimator="knn").estimator
'knn'
>>> from drugml import data
>>> esol = data.load("esol")
>>> target = esol["measured log solubility in mols per litre"]
>>> model = PropertyModel().fit(esol.smiles, target)  # doctest: +SKIP
>>> model.predict(["c1ccccc1O"])[["prediction", "lower", "upper", "in_domain"]]  # doctest: +SKIP
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.models._calibration import (
    MIN_CALIBRATION_MOLECULES,
    SKEWNESS_FOR_LOG,
    TARGET_TRANSFORMS,
    choose_target_transform,
)
from drugml.models._domain import DOMAIN_BITS, LOCAL_NEIGHBOURS
from drugml.models._errors import ModelInputError, ModelVersionError
from drugml.models._explain import AtomContributions, draw_similarity_map
from drugml.models._inputs import FAST_DESCRIPTORS, default_featurizer
from drugml.models._persistence import FORMAT_VERSION, metadata_file
from drugml.models._property_model import PropertyModel
from drugml.models.backends import ModelLoadError, UnknownEstimatorError

# SPARSE_FINGERPRINTS, fingerprint_columns and sparse_fingerprint_matrix live with the
# XGBoost backend that reads that layout; they are imported from here too.
from drugml.models.backends.xgboost_backend import (
    SPARSE_FINGERPRINTS,
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
    "draw_similarity_map",
    "fingerprint_columns",
    "gnn",
    "metadata_file",
    "metrics",
    "sparse_fingerprint_matrix",
    "split",
    "uncertainty",
]
