"""Property-prediction models with honest uncertainty, an applicability domain and safe persistence.

:class:`PropertyModel` wraps a featurizer and an estimator behind
``fit(smiles, y)`` / ``predict(smiles)``:

- **A default chosen per data set.** ``estimator="auto"`` (the default) fits
  a small menu on the scaffold-grouped calibration folds (XGBoost and a
  random forest on ECFP4 counts + descriptors, the Tanimoto kNN baseline, and
  the mean of the three) and keeps the candidate with the best out-of-fold
  score (:mod:`drugml.models.backends.auto_backend`); ``selection_`` and the model
  card list every candidate's score. A fixed estimator stays available:
  ``"xgboost"``, ``"random_forest"``, ``"knn"``, ``"gnn"`` (a D-MPNN with the
  ``deep`` extra), or any registered backend.
- **Uncertainty.** Regression gives a conformal prediction interval
  (``lower``, ``upper``) at ``coverage`` (90 % by default) whose width adapts
  to each molecule: wider where the training data are sparse around it
  (:mod:`drugml.models.uncertainty`: normalized, Mondrian conformal by the mean
  similarity to the 5 nearest training molecules). Classification gives a
  probability calibrated by Platt scaling. Both are calibrated on
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
>>> from drugml import data
>>> from drugml.models import PropertyModel
>>> esol = data.load("esol")
>>> target = esol["measured log solubility in mols per litre"]
>>> model = PropertyModel().fit(esol.smiles, target)  # doctest: +SKIP
>>> model.predict(["c1ccccc1O"])[["prediction", "lower", "upper", "in_domain"]]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from drugml._version import __version__
from drugml.errors import DrugmlError
from drugml.models.backends import (
    ALL_INPUTS,
    DENSE,
    FEATURES,
    FINGERPRINT_BITS,
    FINGERPRINTS,
    ModelBackend,
    ModelLoadError,
    MultiInput,
    TrainingSet,
    UnknownEstimatorError,
    get_backend,
)
from drugml.models.backends.xgboost_backend import (
    SPARSE_FINGERPRINTS,
    fingerprint_columns,
    sparse_fingerprint_matrix,
)
from drugml.models.metrics import (
    METRIC_NAMES,
    classification_metrics,
    interval_metrics,
    regression_metrics,
)

if TYPE_CHECKING:
    import pandas as pd

# SPARSE_FINGERPRINTS, fingerprint_columns and sparse_fingerprint_matrix live
# with the XGBoost backend that reads that layout; ModelLoadError and
# UnknownEstimatorError with the backends that raise them. They are imported
# from here too.
__all__ = [
    "FORMAT_VERSION",
    "SPARSE_FINGERPRINTS",
    "ModelInputError",
    "ModelLoadError",
    "ModelVersionError",
    "PropertyModel",
    "UnknownEstimatorError",
    "default_featurizer",
    "fingerprint_columns",
    "sparse_fingerprint_matrix",
]

#: Version of the saved-model layout; loading a different one fails clearly.
FORMAT_VERSION = 1
#: Bits of the ECFP4 fingerprints of the applicability domain (and of the knn backend).
DOMAIN_BITS = FINGERPRINT_BITS

#: Cheap RDKit descriptors (about 0.4 ms a molecule together, against 6.5 ms for
#: all of them) that carry most of the physchem signal for ADMET endpoints such
#: as solubility (see benchmarks/featurizer_selection.py).
FAST_DESCRIPTORS = (
    "MolWt", "HeavyAtomCount", "MolLogP", "MolMR", "TPSA", "LabuteASA", "NumHDonors",
    "NumHAcceptors", "NumRotatableBonds", "NumAromaticRings", "NumAliphaticRings",
    "RingCount", "FractionCSP3", "NumHeteroatoms", "NHOHCount", "NOCount",
    "HallKierAlpha", "Kappa1", "Chi0v", "Chi1v",
    *(f"SlogP_VSA{i}" for i in range(1, 13)), *(f"SMR_VSA{i}" for i in range(1, 11)),
)  # fmt: skip


class ModelInputError(DrugmlError, ValueError):
    """Parameters or training data a model cannot use (one class, a non-positive target for a
    log transform, too few molecules to calibrate); the message says which and why."""


class ModelVersionError(ModelLoadError):
    """A saved model was written by an incompatible version of drugml or its libraries."""


def default_featurizer():
    """The featurizer a :class:`PropertyModel` uses unless told otherwise.

    ECFP4 counts (2048) plus a few cheap physchem descriptors, each molecule
    parsed once; chosen on validation data (see ``benchmarks/featurizer_selection.py``).
    """
    from drugml.featurize import ECFP, MolecularFeatures, RDKitDescriptors

    return MolecularFeatures(
        [("ecfp", ECFP(radius=2, n_bits=2048, counts=True)),
         ("physchem", RDKitDescriptors(descriptors=list(FAST_DESCRIPTORS)))]
    )  # fmt: skip


def _domain_fingerprints(mols: Sequence) -> list:
    from drugml.featurize import bit_fingerprints

    return bit_fingerprints(mols, radius=2, n_bits=DOMAIN_BITS)


def _as_targets(y: Any) -> np.ndarray:
    """Targets as a float array (NaN stays NaN; pandas nullable values become NaN)."""
    return np.asarray(y.tolist() if hasattr(y, "tolist") else list(y), dtype=float)


#: Fewer training molecules than this: calibration is rough (a warning says so).
MIN_CALIBRATION_MOLECULES = 50
#: ``target_transform`` values.
TARGET_TRANSFORMS = ("auto", "log", None)
#: ``target_transform="auto"`` takes the log of a strictly positive target this skewed:
#: lognormal-like data (half-lives, clearances) lie far above it, pIC50s and log
#: solubilities (already logs) near 0.
SKEWNESS_FOR_LOG = 2.0


def choose_target_transform(targets: np.ndarray, requested: str | None,
                            task: str = "regression") -> tuple[str | None, str | None]:  # fmt: skip
    """``(transform, message)`` for these targets: ``"log"`` or ``None``, and why.

    >>> half_lives = np.random.default_rng(0).lognormal(1.0, 1.5, 300)  # hours
    >>> choose_target_transform(half_lives, "auto")[0]
    'log'
    >>> choose_target_transform(np.array([5.0, 6.0, 7.0]), "auto")
    (None, None)
    """
    from scipy.stats import skew

    if task != "regression" or requested is None:
        return None, None
    positive = bool(np.all(targets > 0))
    if requested == "log":
        if not positive:
            bad = targets[targets <= 0]
            raise ModelInputError(
                f"target_transform='log' needs strictly positive targets; {len(bad)} are not "
                f"(e.g. {bad[:3].tolist()}). Use target_transform=None, or shift the values."
            )
        return "log", "fitted on log10 of the target, as asked (target_transform='log')"
    skewness = float(skew(targets)) if len(targets) > 2 else 0.0
    if positive and skewness > SKEWNESS_FOR_LOG:
        return "log", (
            f"the target is strictly positive and skewed (skewness {skewness:.1f} > "
            f"{SKEWNESS_FOR_LOG}): fitted on log10 of it; predictions and intervals are on the "
            "original scale (target_transform=None turns this off)"
        )
    return None, None


def _forward(transform: str | None, values: np.ndarray) -> np.ndarray:
    return np.log10(values) if transform == "log" else values


def _inverse(transform: str | None, values: Any) -> Any:
    return np.power(10.0, values) if transform == "log" else values


#: Training molecules whose mean similarity measures how densely the training data
#: surround a molecule: the difficulty the intervals adapt to (drugml.models.uncertainty).
LOCAL_NEIGHBOURS = 5


def _neighbour_similarities(
    query: np.ndarray, reference: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(nearest, local)``: similarity to the nearest reference row, and the mean
    similarity to the :data:`LOCAL_NEIGHBOURS` nearest (0 where there are none)."""
    from drugml.featurize import top_tanimoto

    if not len(reference) or not len(query):
        return np.zeros(len(query)), np.zeros(len(query))
    similarities = top_tanimoto(query, reference, k=LOCAL_NEIGHBOURS)
    return similarities[:, 0], similarities.mean(axis=1)


def _nearest_similarity(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each query's Tanimoto similarity to its nearest reference (0 with no reference).

    Both are :func:`~drugml.featurize.fingerprint_bits` matrices; the values
    are RDKit's (``BulkTanimotoSimilarity``), computed in tiles.
    """
    from drugml.featurize import max_tanimoto

    if not len(reference) or not len(query):
        return np.zeros(len(query))
    return max_tanimoto(query, reference)


def _pack(fps: Sequence) -> np.ndarray:
    from rdkit import DataStructs

    bits = np.zeros((len(fps), DOMAIN_BITS), dtype=np.uint8)
    for i, fp in enumerate(fps):
        DataStructs.ConvertToNumpyArray(fp, bits[i])
    return np.packbits(bits, axis=1)


def _unpack(packed: np.ndarray) -> list:
    from rdkit import DataStructs

    fps = []
    for row in np.unpackbits(packed, axis=1)[:, :DOMAIN_BITS]:
        fp = DataStructs.ExplicitBitVect(DOMAIN_BITS)
        fp.SetBitsFromList(np.flatnonzero(row).tolist())
        fps.append(fp)
    return fps


class PropertyModel(BaseEstimator):
    """A molecular property model: featurizer + estimator + uncertainty + domain.

    Parameters
    ----------
    task : ``"regression"`` or ``"classification"`` (binary, labels 0/1 or bool).
    estimator : ``"auto"`` (default: the best of a small menu by scaffold-grouped
        cross-validation, see the module docstring), ``"xgboost"``, ``"random_forest"``, ``"knn"``
        (Tanimoto k-nearest neighbours on ECFP4 bits; ignores ``featurizer``) or
        ``"gnn"`` (DeepChem's D-MPNN graph network, :mod:`drugml.models.gnn`; learns from
        the molecular graph, ignores ``featurizer``, needs the ``deep`` extra and
        minutes of CPU where XGBoost needs seconds); or the name of another
        registered backend (:mod:`drugml.models.backends`).
    featurizer : a drugml featurizer; default :func:`default_featurizer`. ``fit``
        fits a clone of it (``featurizer_``) and leaves this one as it is.
    coverage : nominal coverage of the regression intervals (0.9).
    calibration_folds : scaffold-grouped folds used for calibration (5).
    domain_threshold : ``None`` learns it in ``fit`` (see the module docstring).
    estimator_params : overrides of the estimator's defaults.
    random_state : passed to the estimator.
    n_jobs : threads for ``fit``: the calibration folds and the final model are
        fitted side by side (XGBoost, random forest), each on one thread, so the
        fitted model is the same whatever ``n_jobs`` is. The GNN fits one after
        the other, each on ``n_jobs`` torch threads (-1: torch's own pool, every core).
    progress : ``True`` or a label shows a progress bar during ``fit`` (featurization,
        each calibration fold, the final model, with the elapsed time).
    target_transform : ``"log"`` fits log10 of a strictly positive target (half-life,
        clearance, volume of distribution); predictions and intervals come back on the
        original scale (intervals then widen with the value). ``"auto"`` (default) does
        so for a strictly positive target whose skewness exceeds
        :data:`SKEWNESS_FOR_LOG` and says so in a warning and the model card;
        ``None`` never transforms. Regression only. Metrics are on the original scale.
    """

    def __init__(
        self,
        task: str = "regression",
        estimator: str = "auto",
        featurizer: Any = None,
        coverage: float = 0.9,
        calibration_folds: int = 5,
        domain_threshold: float | None = None,
        estimator_params: dict[str, Any] | None = None,
        random_state: int = 0,
        n_jobs: int = 1,
        progress: bool | str = False,
        target_transform: str | None = "auto",
    ) -> None:
        self.task = task
        self.estimator = estimator
        self.featurizer = featurizer
        self.coverage = coverage
        self.calibration_folds = calibration_folds
        self.domain_threshold = domain_threshold
        self.estimator_params = estimator_params
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.target_transform = target_transform

    # ------------------------------------------------------------------ setup
    def _check_params(self) -> None:
        if self.task not in ("regression", "classification"):
            raise ModelInputError(
                f"task must be 'regression' or 'classification', got {self.task!r}"
            )
        self._backend().require()
        if not 0 < self.coverage < 1:
            raise ModelInputError(f"coverage must be between 0 and 1, got {self.coverage}")
        if self.calibration_folds < 2:
            raise ModelInputError(
                f"calibration_folds must be at least 2, got {self.calibration_folds}"
            )
        if self.target_transform not in TARGET_TRANSFORMS:
            raise ModelInputError(f"target_transform must be one of {TARGET_TRANSFORMS}, got "
                                  f"{self.target_transform!r}")  # fmt: skip

    def _backend(self) -> ModelBackend:
        """The backend of ``estimator``; :class:`UnknownEstimatorError` for an unknown name."""
        return get_backend(self.estimator)

    def _featurizer(self) -> Any:
        """The featurizer given, or :func:`default_featurizer`."""
        return self.featurizer if self.featurizer is not None else default_featurizer()

    def _params(self) -> dict[str, Any]:
        try:
            return self._backend().params(self.task, self.estimator_params)
        except ValueError as exc:
            raise ModelInputError(str(exc)) from None

    def _features(self, mols: list) -> np.ndarray | None:
        """The fitted featurizer's matrix, or None for a backend that does not read it."""
        if not _reads_features(self._backend()) or not mols:
            return None
        return self.featurizer_.transform(mols)

    def _estimator_input(self, features: Any, fps: list, mols: list) -> Any:
        """What the backend reads: the laid-out matrix, the fingerprints or the molecules."""
        backend = self._backend()
        if backend.input_kind == FINGERPRINTS:
            return fps
        if backend.input_kind == ALL_INPUTS:
            return MultiInput(features, fps, mols, self.featurizer_)
        if backend.input_kind == FEATURES:
            return backend.lay_out(features, self.input_layout_, self.featurizer_)
        return mols

    def _raw_predict(self, features: Any, fps: list, mols: list) -> np.ndarray:
        """Regression value, or uncalibrated probability of class 1."""
        return self._backend().predict(self.estimator_, self._estimator_input(features, fps, mols),
                                       task=self.task)  # fmt: skip

    # ---------------------------------------------------------------- fitting
    def _clean_inputs(self, smiles: Any, y: Any):
        """Parse, featurize and drop unusable rows (with a warning that counts them)."""
        from drugml.featurize import as_molecule_list, parse_molecules

        items = as_molecule_list(smiles)
        targets = _as_targets(y)
        if len(items) != len(targets):
            raise ModelInputError(f"Got {len(items)} molecules but {len(targets)} target values.")
        mols, invalid = parse_molecules(items, full=True)
        bad_target = ~np.isfinite(targets)
        bad_mol = np.zeros(len(items), dtype=bool)
        bad_mol[[i for i, _ in invalid]] = True
        keep = ~bad_target & ~bad_mol
        skipped = {"invalid_smiles": int(bad_mol.sum()),
                   "missing_or_infinite_target": int((bad_target & ~bad_mol).sum())}  # fmt: skip
        if skipped["invalid_smiles"] or skipped["missing_or_infinite_target"]:
            examples = "; ".join(f"[{i}] {items[i]!r}: {r}" for i, r in invalid[:5])
            warnings.warn(
                f"PropertyModel.fit skipped {int((~keep).sum())} of {len(items)} records: "
                f"{skipped['invalid_smiles']} unparsable SMILES, "
                f"{skipped['missing_or_infinite_target']} missing or infinite targets"
                + (f" (e.g. {examples})" if examples else ""),
                stacklevel=3,
            )
        kept_items = [items[i] for i in np.flatnonzero(keep)]
        kept_mols = [mols[i] for i in np.flatnonzero(keep)]
        return kept_items, kept_mols, targets[keep], skipped, keep

    def fit(self, smiles: Any, y: Any, held_out: Any = None) -> PropertyModel:
        """Fit on SMILES (or Mols) and targets; unusable records are skipped and counted.

        ``held_out``: positions (or a boolean mask) of molecules that form one of
        the calibration folds, a held-out test at no extra cost: that fold's
        model never sees them, and their intervals, probabilities and domain
        flags are calibrated on the other folds only. Their predictions, as
        :meth:`predict` gives them, are in ``held_out_predictions_`` (input
        positions in ``held_out_index_``) and the metrics, as :meth:`evaluate`
        gives them, in ``held_out_metrics_``. The
        screening model is still fitted on every molecule. The other folds are
        grouped by scaffold, as without ``held_out``.

        >>> from drugml import data
        >>> esol = data.load("esol").head(120)
        >>> model = PropertyModel(estimator="xgboost", estimator_params={"n_estimators": 20}).fit(
        ...     esol.smiles, esol["measured log solubility in mols per litre"],
        ...     held_out=range(100, 120))
        >>> len(model.held_out_predictions_), sorted(model.held_out_metrics_)[:2]
        (20, ['coverage', 'in_domain_coverage'])
        """
        from sklearn.model_selection import GroupKFold

        from drugml.chem.scaffolds import scaffolds
        from drugml.featurize import fingerprint_bits

        self._check_params()
        backend = self._backend()
        start = time.perf_counter()
        self.estimator_params_ = self._params()
        items, mols, targets, skipped, keep = self._clean_inputs(smiles, y)
        n = len(items)
        self.target_transform_, message = choose_target_transform(
            targets, self.target_transform, self.task)  # fmt: skip
        if message and self.target_transform == "auto":
            warnings.warn(f"PropertyModel: {message}", stacklevel=2)
        self.target_transform_note_ = message
        original_targets = targets
        targets = _forward(self.target_transform_, targets)
        test_fold = _held_out_mask(held_out, len(keep))[keep] if held_out is not None else None
        if self.task == "classification":
            classes = np.unique(targets)
            if len(classes) != 2 or not set(classes) <= {0.0, 1.0}:
                raise ModelInputError(
                    f"Classification needs two classes labelled 0 and 1; the targets have "
                    f"{len(classes)} distinct value(s): {classes[:5].tolist()}"
                )
        if n < 2 * self.calibration_folds:
            raise ModelInputError(
                f"Need at least {2 * self.calibration_folds} usable molecules for "
                f"{self.calibration_folds}-fold calibration, got {n}"
            )
        if n < MIN_CALIBRATION_MOLECULES:
            warnings.warn(
                f"PropertyModel: {n} usable molecules. Intervals and probabilities are "
                f"calibrated on their {n} out-of-fold predictions: with fewer than "
                f"{MIN_CALIBRATION_MOLECULES} the coverage is rough and does not adapt to "
                "similarity (one width for every molecule).",
                stacklevel=2,
            )
        bar = _fit_progress(self.progress, self.calibration_folds + 2, n)
        # The caller's featurizer stays as it was given (scikit-learn's rule): fit a clone.
        self.featurizer_ = clone(self._featurizer()) if _reads_features(backend) else None
        self.input_layout_ = (backend.input_layout(self.featurizer_)
                              if backend.input_kind == FEATURES else DENSE)  # fmt: skip
        features = self.featurizer_.fit_transform(mols) if self.featurizer_ is not None else None
        fps = _domain_fingerprints(mols)
        inputs = self._estimator_input(features, fps, mols)
        bits = fingerprint_bits(fps)
        groups = scaffolds(mols)
        n_folds = min(self.calibration_folds, len(set(groups)))
        if n_folds < 2:
            raise ModelInputError(
                "All molecules share one scaffold: calibration needs at least two."
            )
        bar.total = n_folds + 2
        bar.update()

        # Out-of-fold predictions on scaffold-grouped folds: calibration data
        # and an honest estimate of performance on unseen scaffolds.
        if test_fold is None:
            folds = list(GroupKFold(n_splits=n_folds).split(np.zeros(n), targets, groups))
        else:
            rest = np.flatnonzero(~test_fold)
            if not test_fold.any() or len(set(groups[i] for i in rest)) < n_folds - 1:
                raise ModelInputError(f"held_out must leave {n_folds - 1} scaffolds for the other "
                                 f"folds and hold out at least one usable molecule")  # fmt: skip
            inner = GroupKFold(n_splits=n_folds - 1).split(
                rest, targets[rest], [groups[i] for i in rest])  # fmt: skip
            folds = [(rest, np.flatnonzero(test_fold)),
                     *((np.sort(np.concatenate([rest[a], np.flatnonzero(test_fold)])), rest[b])
                       for a, b in inner)]  # fmt: skip
        for train, _ in folds:
            if self.task == "classification" and len(np.unique(targets[train])) < 2:
                raise ModelInputError(
                    "A calibration fold has a single class; too few of one class."
                )

        def fit_on(rows: np.ndarray | None, threads: int):
            """The backend's estimator fitted on ``rows`` (None: all of them)."""
            return backend.fit(inputs if rows is None else _rows(inputs, rows),
                               targets if rows is None else targets[rows], task=self.task,
                               params=dict(self.estimator_params_),
                               random_state=self.random_state, threads=threads)  # fmt: skip

        def fit_fold(fold: tuple[np.ndarray, np.ndarray] | None, threads: int):
            """One fold's out-of-fold predictions, or (fold=None) the final model."""
            if fold is None:
                return fit_on(None, threads)
            train, test = fold
            fitted, rows = fit_on(train, threads), _rows(inputs, test)
            # A menu backend gives every member's predictions, to choose among them.
            predict = getattr(backend, "predict_members", backend.predict)
            raw = predict(fitted, rows, task=self.task)
            return test, raw, *_neighbour_similarities(bits[test], bits[train])

        jobs = [*folds, None]  # the final model is one more job
        bar.set_postfix_str(f"fitting {n_folds} calibration folds and the final model")
        results = _run_jobs(fit_fold, jobs, self.n_jobs, backend.parallel_folds, bar)
        oof = np.empty(n)
        oof_similarity = np.empty(n)
        oof_local = np.empty(n)
        oof_fold = np.empty(n, dtype=int)
        member_oof: dict[str, np.ndarray] = {}
        for fold, (test, raw, similarity, local) in enumerate(results[:-1]):
            if isinstance(raw, dict):
                for name, values in raw.items():
                    member_oof.setdefault(name, np.empty(n))[test] = values
            else:
                oof[test] = raw
            oof_similarity[test] = similarity
            oof_local[test] = local
            oof_fold[test] = fold
        self.estimator_ = results[-1]
        self.selection_ = None
        if member_oof:
            # Chosen on the calibration folds only: a held-out test fold is never looked at.
            scored = ~test_fold if test_fold is not None else np.ones(n, dtype=bool)
            choice, self.selection_ = _select(member_oof, targets, scored, self.task)
            oof = _candidate_predictions(member_oof)[choice]
            self.estimator_ = backend.restrict(results[-1], choice)
        bar.close()
        self.training_fingerprints_ = fps
        self.training_bits_ = bits
        self.training_targets_ = targets
        self.domain_threshold_ = (
            float(self.domain_threshold)
            if self.domain_threshold is not None
            else float(np.percentile(oof_similarity, 5))
        )
        if self.task == "regression":
            self.interval_calibrator_ = _interval_calibrator(self.coverage, targets, oof, oof_local)
            # Metrics on the original scale: what the user's predictions are on.
            back = _inverse(self.target_transform_, oof)
            self.cv_metrics_ = regression_metrics(original_targets, back)
            half = self.interval_calibrator_.half_width(oof_local)
            self.cv_metrics_["coverage"] = float(np.mean(np.abs(targets - oof) <= half))
        else:
            self.calibrator_ = _fit_platt(oof, targets)
            self.cv_metrics_ = classification_metrics(targets, _apply_platt(self.calibrator_, oof))
        self.cv_metrics_["n_folds"] = n_folds
        import pandas as pd

        # What calibration learned from: each molecule predicted by the fold that left it out.
        self.cv_predictions_ = pd.DataFrame({"target": original_targets,
                                             "prediction": _inverse(self.target_transform_, oof),
                                             "nearest_similarity": oof_similarity,
                                             "local_similarity": oof_local,
                                             "fold": oof_fold})  # fmt: skip
        # With a menu, every candidate's out-of-fold predictions too (``prediction_<name>``).
        for name, values in (_candidate_predictions(member_oof) if member_oof else {}).items():
            self.cv_predictions_[f"prediction_{name}"] = _inverse(self.target_transform_, values)
        if test_fold is not None:
            self._evaluate_held_out(test_fold, oof, oof_similarity, oof_local, targets)
            self.held_out_index_ = np.flatnonzero(keep)[test_fold]  # positions in the input
        self.training_info_ = {
            "n_molecules": n,
            "skipped": skipped,
            "n_scaffolds": len(set(groups)),
            "target_mean": float(targets.mean()),
            "target_std": float(targets.std()),
            "data_sha256": _data_hash(items, targets),
            "fit_seconds": round(time.perf_counter() - start, 2),
        }
        return self

    def _evaluate_held_out(self, test_fold: np.ndarray, oof: np.ndarray, similarity: np.ndarray,
                           local: np.ndarray, targets: np.ndarray) -> None:  # fmt: skip
        """Predictions and metrics of the held-out fold, calibrated on the other folds."""
        import pandas as pd

        other = ~test_fold
        threshold = (float(self.domain_threshold) if self.domain_threshold is not None
                     else float(np.percentile(similarity[other], 5)))  # fmt: skip
        raw = oof[test_fold]
        transform = getattr(self, "target_transform_", None)
        frame = pd.DataFrame({"prediction": _inverse(transform, raw)})
        if self.task == "regression":
            calibrator = _interval_calibrator(self.coverage, targets[other], oof[other],
                                              local[other])  # fmt: skip
            lower, upper = calibrator.interval(raw, local[test_fold])
            frame["lower"], frame["upper"] = _inverse(transform, lower), _inverse(transform, upper)
        else:
            probability = _apply_platt(_fit_platt(oof[other], targets[other]), raw)
            frame["prediction"] = (probability >= 0.5).astype(int)
            frame["probability"] = probability
        frame["nearest_similarity"] = similarity[test_fold]
        frame["in_domain"] = similarity[test_fold] >= threshold
        frame["ok"], frame["error"] = True, None
        self.held_out_predictions_ = frame
        measured = _inverse(transform, targets[test_fold])
        self.held_out_metrics_ = self._evaluate_frame(frame, measured)

    # ------------------------------------------------------------- predicting
    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This PropertyModel is not fitted yet; call fit() or load().")

    def predict(self, smiles: Any) -> pd.DataFrame:
        """Predictions with uncertainty and domain, one row per input (invalid rows: NaN + reason).

        Regression columns: ``prediction``, ``lower``, ``upper``; classification:
        ``prediction`` (0/1 at probability 0.5) and ``probability``; both add
        ``nearest_similarity``, ``in_domain``, ``ok`` and ``error``.
        """
        import pandas as pd

        from drugml.featurize import as_molecule_list, parse_molecules

        self._check_fitted()
        items = as_molecule_list(smiles)
        mols, invalid = parse_molecules(items, full=True)
        ok = np.ones(len(items), dtype=bool)
        ok[[i for i, _ in invalid]] = False
        errors: list[str | None] = [None] * len(items)
        for i, reason in invalid:
            errors[i] = reason
        valid = np.flatnonzero(ok)
        parsed = self.predict_mols([mols[i] for i in valid])
        out = pd.DataFrame(index=range(len(items)), columns=parsed.columns)
        for column in parsed.columns:
            values = np.full(len(items), np.nan)
            values[valid] = parsed[column].to_numpy(dtype=float)
            out[column] = values
        if self.task == "classification":
            out["prediction"] = pd.array(
                np.where(ok, out["probability"] >= 0.5, pd.NA), dtype="boolean"
            ).astype("Int64")
        out["in_domain"] = np.where(ok, out["in_domain"] == 1.0, False)
        out["ok"] = ok
        out["error"] = errors
        return out

    def predict_mols(self, mols: Sequence, features: np.ndarray | None = None,
                     domain_fingerprints: Sequence | None = None,
                     domain: bool | np.ndarray = True,
                     domain_bits: np.ndarray | None = None) -> pd.DataFrame:  # fmt: skip
        """Predictions for parsed, valid RDKit molecules: the screening path.

        ``features`` (this model's featurizer output) and ``domain_fingerprints``
        (ECFP4 2048-bit vectors, :func:`drugml.featurize.bit_fingerprints`) can be
        passed in when several models share them, so each molecule is featurized
        once; so can ``domain_bits``, those fingerprints as
        :func:`drugml.featurize.fingerprint_bits` gives them. Columns as
        :meth:`predict` without ``ok``/``error``.

        ``domain``: ``False``, or a boolean mask, searches the training set (the
        applicability domain and, for regression, the interval, which widens
        with the distance to it) for no molecule, or only those of the mask;
        the others get NaN in ``lower``, ``upper`` and ``nearest_similarity``
        and ``<NA>`` in ``in_domain`` (a nullable boolean column then). The
        values computed are those of a search over every molecule.
        """
        import pandas as pd

        from drugml.featurize import fingerprint_bits

        self._check_fitted()
        mols = list(mols)
        if domain is True or domain is False:
            searched = np.full(len(mols), domain, dtype=bool)
        else:
            searched = np.asarray(domain, dtype=bool)
        if len(searched) != len(mols):
            raise ModelInputError(f"domain mask has {len(searched)} entries for {len(mols)} "
                                  "molecules")  # fmt: skip
        if domain_fingerprints is not None:
            fps = domain_fingerprints
        elif searched.any() or self._backend().input_kind in (FINGERPRINTS, ALL_INPUTS):
            fps = _domain_fingerprints(mols)
        else:
            fps = [None] * len(mols)  # neither searched nor read by the estimator
        if not searched.any():
            bits = np.zeros((0, DOMAIN_BITS), dtype=np.uint8)
        elif domain_bits is not None:
            if len(domain_bits) != len(mols):
                raise ModelInputError(f"domain_bits has {len(domain_bits)} rows for {len(mols)} "
                                      "molecules")  # fmt: skip
            bits = domain_bits[searched]
        else:
            bits = fingerprint_bits([fps[i] for i in np.flatnonzero(searched)])
        if features is None:
            features = self._features(mols)
        raw = self._raw_predict(features, fps, mols) if mols else np.array([])
        out = pd.DataFrame(index=range(len(mols)))
        similarity = np.full(len(mols), np.nan)
        if self.task == "regression":
            local = np.full(len(mols), np.nan)
            near, local[searched] = _neighbour_similarities(bits, self.training_bits_)
            similarity[searched] = near
            transform = getattr(self, "target_transform_", None)
            lower, upper = np.full(len(mols), np.nan), np.full(len(mols), np.nan)
            lower[searched], upper[searched] = self._interval(raw[searched], local[searched])
            out["prediction"] = _inverse(transform, raw)
            out["lower"], out["upper"] = _inverse(transform, lower), _inverse(transform, upper)
        else:
            similarity[searched] = _nearest_similarity(bits, self.training_bits_)
            probability = _apply_platt(self.calibrator_, raw) if len(raw) else raw
            out["prediction"] = (probability >= 0.5).astype(int)
            out["probability"] = probability
        out["nearest_similarity"] = similarity
        in_domain = similarity >= self.domain_threshold_
        if searched.all():
            out["in_domain"] = in_domain
        else:
            out["in_domain"] = pd.arrays.BooleanArray(in_domain & searched, ~searched)
        return out

    def _interval(self, prediction: np.ndarray, local_similarity: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """The interval at each molecule's local similarity (models saved before adaptive
        intervals: their one width for every molecule)."""
        calibrator = getattr(self, "interval_calibrator_", None)
        if calibrator is None:
            return prediction - self.conformal_quantile_, prediction + self.conformal_quantile_
        return calibrator.interval(prediction, local_similarity)

    def _interval_card_lines(self, unit: str) -> list[str]:
        calibrator = getattr(self, "interval_calibrator_", None)
        if calibrator is None:
            return [f"- split-conformal interval: prediction ± {self.conformal_quantile_:.3f} "
                    f"{unit} for {self.coverage:.0%} nominal coverage, one width for every "
                    "molecule (a model saved before adaptive intervals)"]  # fmt: skip
        grid = np.array([0.2, 0.35, 0.5, 0.65, 0.8])
        widths = ", ".join(f"{s:.2f}: ±{h:.2f}" for s, h in zip(grid, calibrator.half_width(grid),
                                                                 strict=True))  # fmt: skip
        return [
            f"- adaptive conformal interval for {self.coverage:.0%} nominal coverage "
            "(drugml.models.uncertainty.SimilarityConformal): its half-width grows as the mean "
            f"Tanimoto similarity to the {LOCAL_NEIGHBOURS} nearest training molecules falls; "
            f"calibrated on {calibrator.n_calibration_:,} out-of-fold predictions of the scaffold "
            f"folds, in {len(calibrator.quantiles_)} similarity strata. Half-width by local "
            f"similarity ({unit}): {widths}",
        ]

    def featurizer_key(self) -> str | None:
        """A string equal for models whose featurizers give the same matrix (None: no matrix)."""
        if not _reads_features(self._backend()):
            return None
        return json.dumps(_featurizer_spec(self.featurizer_), sort_keys=True)

    def evaluate(self, smiles: Any, y: Any, predictions: pd.DataFrame | None = None
                 ) -> dict[str, float]:  # fmt: skip
        """Metrics on the given molecules (invalid SMILES and missing targets are skipped, counted).

        Regression: ``rmse``, ``mae``, ``r2``, ``spearman``, ``coverage`` (fraction
        inside the interval) and ``mean_interval_width``; classification:
        ``roc_auc``, ``pr_auc``, ``mcc``, ``balanced_accuracy``, ``brier``. Both add
        ``n``, ``n_skipped`` and the metrics on in-domain molecules only.
        ``predictions``: this model's :meth:`predict` output for ``smiles``, when
        already at hand (saves predicting twice).
        """
        if predictions is None:
            predictions = self.predict(smiles)
        targets = _as_targets(y)
        if len(targets) != len(predictions):
            raise ModelInputError(
                f"Got {len(predictions)} molecules but {len(targets)} target values."
            )
        return self._evaluate_frame(predictions, targets)

    def _evaluate_frame(self, predictions: pd.DataFrame, targets: np.ndarray) -> dict[str, float]:
        usable = predictions["ok"].to_numpy() & np.isfinite(targets)
        if usable.sum() < 2:
            raise ModelInputError("Fewer than two usable molecules to evaluate.")
        result = self._metrics(predictions[usable], targets[usable])
        result["n"] = int(usable.sum())
        result["n_skipped"] = int((~usable).sum())
        domain = predictions["in_domain"].to_numpy() & usable
        result["n_in_domain"] = int(domain.sum())
        if domain.sum() >= 2 and (
            self.task == "regression" or len(np.unique(targets[domain])) == 2
        ):
            inside = self._metrics(predictions[domain], targets[domain])
            result.update({f"in_domain_{k}": v for k, v in inside.items()})
        outside = ~predictions["in_domain"].to_numpy() & usable
        result["n_out_of_domain"] = int(outside.sum())
        if self.task == "regression" and outside.any():
            result["out_of_domain_coverage"] = interval_metrics(
                targets[outside], predictions["lower"].to_numpy()[outside],
                predictions["upper"].to_numpy()[outside])["coverage"]  # fmt: skip
        return result

    def _metrics(self, predictions: pd.DataFrame, targets: np.ndarray) -> dict[str, float]:
        if self.task == "regression":
            metrics = regression_metrics(targets, predictions["prediction"].to_numpy())
            metrics.update(interval_metrics(targets, predictions["lower"].to_numpy(),
                                            predictions["upper"].to_numpy()))  # fmt: skip
            return metrics
        return classification_metrics(targets, predictions["probability"].to_numpy())

    # ------------------------------------------------------------ explaining
    def explain(self, smiles: str, size: tuple[int, int] = (400, 300)) -> AtomContributions:
        """Per-atom contributions to one prediction, drawn as an RDKit similarity map.

        Each atom's weight is the prediction minus the prediction with that
        atom's fingerprint bits removed (RDKit's ``GetAtomicWeightsForModel``
        idea, applied to the model's own featurizer): positive atoms push the
        prediction up (more potent, more soluble ...), negative ones down.
        """
        from rdkit import Chem

        from drugml.chem import parse_smiles

        self._check_fitted()
        mol, _, error = parse_smiles(smiles) if isinstance(smiles, str) else (smiles, None, None)
        if mol is None:
            raise ModelInputError(f"Cannot explain {smiles!r}: {error}")
        base = float(self._value_for([mol])[0])
        variants = []
        for atom in mol.GetAtoms():
            editable = Chem.RWMol(mol)
            # Replace the atom by a dummy: its environments vanish from the fingerprint.
            editable.GetAtomWithIdx(atom.GetIdx()).SetAtomicNum(0)
            variants.append(editable.GetMol())
        with_removed = self._value_for(variants)
        weights = [base - v for v in with_removed]
        return AtomContributions(mol, base, weights, size)

    def _value_for(self, mols: list) -> np.ndarray:
        from rdkit import Chem

        for m in mols:  # a dummy atom can break aromaticity: sanitize as far as possible
            Chem.SanitizeMol(m, catchErrors=True)
        fps = _domain_fingerprints(mols)
        raw = self._raw_predict(self._features(mols), fps, mols)
        if self.task == "regression":
            return _inverse(getattr(self, "target_transform_", None), raw)
        return _apply_platt(self.calibrator_, raw)

    # ----------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> Path:
        """Write the model to a directory: JSON/NPZ/skops files and ``MODEL_CARD.md``. No pickle."""
        self._check_fitted()
        backend = self._backend()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        backend_state = backend.save(self.estimator_, directory)
        np.savez_compressed(
            directory / "training_set.npz",
            fingerprints=_pack(self.training_fingerprints_),
            targets=self.training_targets_,
        )
        metadata = {
            "format_version": FORMAT_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "versions": _library_versions(backend),
            "params": {k: v for k, v in self.get_params(deep=False).items() if k != "featurizer"},
            "featurizer": (
                _featurizer_spec(self.featurizer_) if _reads_features(backend) else None
            ),
            "estimator_params": self.estimator_params_,
            "domain_threshold": self.domain_threshold_,
            "conformal_quantile": getattr(self, "conformal_quantile_", None),
            "interval_calibrator": (
                self.interval_calibrator_.to_dict()
                if getattr(self, "interval_calibrator_", None)
                else None
            ),
            "calibrator": getattr(self, "calibrator_", None),
            "cv_metrics": self.cv_metrics_,
            "training": self.training_info_,
            "card": getattr(self, "card_info_", {}),
            "input_layout": getattr(self, "input_layout_", DENSE),
            "target_transform": getattr(self, "target_transform_", None),
            "target_transform_note": getattr(self, "target_transform_note_", None),
            "selection": getattr(self, "selection_", None),
        }
        if backend_state is not None:  # what the backend's load needs besides its files
            metadata[backend.name] = backend_state
        (directory / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
        (directory / "MODEL_CARD.md").write_text(self.model_card(), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path, strict_versions: bool = True) -> PropertyModel:
        """Load a saved model. Never unpickles; raises :class:`ModelVersionError` on a mismatch.

        Library versions that differ only in minor/patch release load with a
        warning; a different model format or major version fails unless
        ``strict_versions=False`` (then it warns).
        """
        directory = Path(directory)
        meta_path = directory / "metadata.json"
        if not meta_path.is_file():
            raise ModelLoadError(f"{directory} is not a drugml model: no metadata.json")
        metadata = json.loads(meta_path.read_text())
        if metadata.get("format_version") != FORMAT_VERSION:
            raise ModelVersionError(
                f"Model in {directory} has format version {metadata.get('format_version')}, "
                f"this drugml ({__version__}) reads version {FORMAT_VERSION}. Retrain or use "
                f"drugml {metadata.get('versions', {}).get('drugml', '?')}."
            )
        model = cls(**metadata["params"])
        try:
            backend = model._backend()
        except UnknownEstimatorError as exc:
            raise ModelLoadError(f"Model in {directory} needs a backend that is not "
                                 f"registered here: {exc}") from exc  # fmt: skip
        _check_versions(metadata["versions"], directory, strict_versions, backend)
        if _reads_features(backend):
            model.featurizer_ = _featurizer_from_spec(metadata["featurizer"])
            model.featurizer = clone(model.featurizer_)  # the parameter: unfitted, as given
        else:
            model.featurizer_ = None
        arrays = np.load(directory / "training_set.npz", allow_pickle=False)
        model.training_fingerprints_ = _unpack(arrays["fingerprints"])
        model.training_bits_ = np.unpackbits(arrays["fingerprints"], axis=1)[:, :DOMAIN_BITS]
        model.training_targets_ = arrays["targets"]
        model.estimator_params_ = metadata["estimator_params"]
        # Models saved before the sparse layout read the dense matrix, as they were fitted.
        model.input_layout_ = metadata.get("input_layout", DENSE)
        model.estimator_ = backend.load(
            directory, task=model.task, params=dict(model.estimator_params_),
            random_state=model.random_state, state=metadata.get(backend.name),
            training=TrainingSet(model.training_fingerprints_, model.training_targets_),
        )  # fmt: skip
        model.domain_threshold_ = metadata["domain_threshold"]
        if model.task == "regression":
            state = metadata.get("interval_calibrator")
            if state:
                from drugml.models.uncertainty import SimilarityConformal

                model.interval_calibrator_ = SimilarityConformal.from_dict(state)
            else:  # saved before adaptive intervals: one width for every molecule
                model.conformal_quantile_ = metadata["conformal_quantile"]
        else:
            model.calibrator_ = metadata["calibrator"]
        model.cv_metrics_ = metadata["cv_metrics"]
        model.training_info_ = metadata["training"]
        model.card_info_ = metadata.get("card", {})  # absent in models saved before cards
        model.target_transform_ = metadata.get("target_transform")  # absent before transforms
        model.target_transform_note_ = metadata.get("target_transform_note")
        model.selection_ = metadata.get("selection")
        return model

    def describe(self, *, endpoint: str | None = None, unit: str | None = None,
                 target: str | None = None, data_source: str | None = None,
                 data_source_sha256: str | None = None,
                 held_out_test: Mapping[str, Any] | None = None) -> PropertyModel:  # fmt: skip
        """Say what the model predicts, for its card; saved with the model. Returns ``self``.

        ``endpoint`` (e.g. ``"pIC50"``), ``unit``, ``target`` (protein, organism,
        or a physchem property), ``data_source`` (a data set name or a file name,
        never a machine's path) and its ``data_source_sha256``;
        ``held_out_test``: metrics of a model like this one on molecules it did
        not train on, with ``"how"`` (one sentence: which split, how many).

        >>> model = PropertyModel().describe(endpoint="logS", unit="log10(mol/L)")
        >>> model.card_info_["unit"]
        'log10(mol/L)'
        """
        given = {"endpoint": endpoint, "unit": unit, "target": target,
                 "data_source": data_source, "data_source_sha256": data_source_sha256,
                 "held_out_test": dict(held_out_test) if held_out_test else None}  # fmt: skip
        self.card_info_ = {**getattr(self, "card_info_", {}),
                           **{k: v for k, v in given.items() if v is not None}}  # fmt: skip
        return self

    def features_description(self) -> str:
        """The model's input in words, e.g. ``"ECFP4 counts (2048) + 42 RDKit descriptors"``."""
        backend = self._backend()
        if not _reads_features(backend):
            return backend.input_description or backend.input_kind
        featurizer = getattr(self, "featurizer_", None) or self._featurizer()
        described = _describe_featurizer(_featurizer_spec(featurizer))
        if backend.input_kind == ALL_INPUTS:
            return f"{described} (XGBoost, random forest); ECFP4 bits (kNN)"
        return described

    def model_card(self) -> str:
        """A Markdown model card: what it predicts, data, features, how well (and how measured),
        uncertainty, domain, intended use, limitations."""
        self._check_fitted()
        hidden_params = self._backend().card_hidden_params
        info, metrics = self.training_info_, self.cv_metrics_
        card = getattr(self, "card_info_", {})
        endpoint = card.get("endpoint", "not stated")
        unit = card.get("unit", "not stated")
        lines = [
            f"# Model card: {card.get('endpoint', 'property')} ({self.task}, {self.estimator})",
            "",
            f"drugml {__version__}, model format {FORMAT_VERSION}.",
            "",
            "## What it predicts",
            f"- endpoint: {endpoint}; unit: {unit}",
            f"- target: {card.get('target', 'not stated')}",
            f"- task: {self.task}"
            + ("" if self.task == "regression" else " (probability of class 1)"),
            "",
            "## Training data",
            f"- source: {card.get('data_source', 'not stated')}"
            + (f" (sha256 `{card['data_source_sha256']}`)" if "data_source_sha256" in card
               else ""),
            f"- {info['n_molecules']:,} molecules, {info['n_scaffolds']:,} Bemis-Murcko scaffolds",
            f"- skipped: {info['skipped']['invalid_smiles']} unparsable SMILES, "
            f"{info['skipped']['missing_or_infinite_target']} missing or infinite targets",
            f"- target mean {info['target_mean']:.3f}, standard deviation {info['target_std']:.3f}",
            f"- sha256 of the (SMILES, value) pairs it was fitted on `{info['data_sha256']}`",
            "",
            "## Features and estimator",
            f"- features: {self.features_description()}",
            f"- estimator: {self.estimator} "
            + ", ".join(f"{k}={v}" for k, v in self.estimator_params_.items()
                        if k not in hidden_params),
            "",
            "## How well it works, and how that was measured",
        ]  # fmt: skip
        held_out = card.get("held_out_test")
        if held_out:
            lines += [
                f"**Held-out test** ({held_out.get('how', 'molecules not used for fitting')}); "
                "a model with these settings was fitted without these molecules:",
                "",
                *_metric_lines(held_out),
                "",
            ]
        lines += [
            f"**Cross-validation** ({metrics['n_folds']}-fold, grouped by scaffold, over all "
            f"{info['n_molecules']:,} training molecules; each fold's model predicted scaffolds "
            "it had not seen, and these out-of-fold predictions calibrate the uncertainty):",
            "",
            *_metric_lines(metrics),
            "",
        ]
        if held_out:
            lines += [
                "The two numbers answer different questions. The cross-validation folds mix "
                "large and small scaffold families, so most test molecules have close relatives "
                "in their fold's training data. A held-out scaffold (or cluster) split keeps whole "
                "chemotypes out, usually the rarest ones, which are the hardest: expect the "
                "held-out figure for molecules unlike the training data, the cross-validated one "
                "for close analogues.",
                "",
            ]
        selection = getattr(self, "selection_", None)
        if selection:
            metric = METRIC_NAMES.get(selection["metric"], selection["metric"])
            lines += [
                "## Model selection",
                f"Chosen: **{selection['chosen']}**, by {metric} on the {selection['how']} "
                f"({selection['n_molecules']:,} molecules). Every candidate:",
                "",
            ]
            lines += [f"- {name}: {metric} {score:.3f}"
                      for name, score in selection["scores"].items()]  # fmt: skip
            lines.append("")
        lines.append("## Uncertainty and applicability domain")
        if self.task == "regression":
            lines += self._interval_card_lines(unit)
            if getattr(self, "target_transform_note_", None):
                lines.append(f"- target transform: {self.target_transform_note_}")
        else:
            lines.append("- probabilities calibrated by Platt scaling on the scaffold folds")
        lines += [
            f"- in domain: nearest training-set Tanimoto similarity (ECFP4) >= "
            f"{self.domain_threshold_:.3f}",
            "",
            "## Intended use",
            "Ranking and prioritising molecules similar to the training chemistry, as one input "
            "to a decision by a chemist. Not for regulatory or clinical decisions.",
            "",
            "## Limitations",
            "- Predictions may be less reliable for chemotypes under-represented in training; "
            "check `in_domain` and `nearest_similarity` for every prediction.",
            "- The model inherits the noise and biases of its training data (assay "
            "differences, literature bias towards potent compounds).",
            "- Intervals hold on average over molecules like the calibration folds, not for each "
            "molecule; far outside the domain they can be too narrow.",
            "",
        ]
        return "\n".join(lines)


def _metric_lines(metrics: Mapping[str, Any]) -> list[str]:
    lines = []
    for key, label in METRIC_NAMES.items():
        value = metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lines.append(f"- {label}: {value:,}" if key.startswith("n") and key != "n_folds"
                         else f"- {label}: {value:.3f}")  # fmt: skip
    return lines


def _describe_featurizer(spec: Mapping[str, Any]) -> str:
    params = spec.get("params", {})
    name = spec["class"]
    if name == "MolecularFeatures":
        return " + ".join(_describe_featurizer(part) for part in spec["featurizers"])
    if name in ("ECFP", "FCFP"):
        kind = "counts" if params.get("counts") else "bits"
        return f"{name}{2 * params.get('radius', 2)} {kind} ({params.get('n_bits', 2048)})"
    if name == "RDKitDescriptors":
        chosen = params.get("descriptors")
        return f"{len(chosen)} RDKit descriptors" if chosen else "all RDKit descriptors"
    return name


class AtomContributions:
    """Per-atom contributions of :meth:`PropertyModel.explain`; shows itself as a PNG map.

    ``svg`` and ``png`` draw the map (:func:`drugml.viz.similarity_map`) when
    first asked for; notebooks show the PNG, a few tens of kilobytes where the
    SVG weighs megabytes.
    """

    def __init__(self, mol: Any, prediction: float, weights: list[float],
                 size: tuple[int, int] = (400, 300)) -> None:  # fmt: skip
        from rdkit import Chem

        self.mol = mol
        self.smiles = Chem.MolToSmiles(mol)
        self.prediction = prediction
        self.weights = weights
        self.size = size

    def _draw(self, image_format: str) -> str | bytes:
        from drugml.viz import similarity_map

        return similarity_map(self.mol, self.weights, self.size, image_format)

    @property
    def svg(self) -> str:
        return self._draw("svg")

    @property
    def png(self) -> bytes:
        return self._draw("png")

    def _repr_png_(self) -> bytes:
        return self.png


def _rows(inputs: Any, index: np.ndarray) -> Any:
    """The rows ``index`` of a backend's input: a (sparse) matrix, a list or a MultiInput."""
    if isinstance(inputs, MultiInput):
        return inputs.rows(index)
    return [inputs[i] for i in index] if isinstance(inputs, list) else inputs[index]


def _candidate_predictions(member_oof: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each member's out-of-fold predictions, and their mean (the ensemble)."""
    from drugml.models.backends.auto_backend import ENSEMBLE

    return {**member_oof, ENSEMBLE: np.mean(list(member_oof.values()), axis=0)}


def _select(member_oof: Mapping[str, np.ndarray], targets: np.ndarray, scored: np.ndarray,
            task: str) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """The best candidate by out-of-fold RMSE (regression) or ROC-AUC (classification).

    Ties go to the earlier candidate (the members in menu order, then the mean).
    """
    from sklearn.metrics import roc_auc_score

    candidates = _candidate_predictions(member_oof)
    y = targets[scored]
    if task == "regression":
        metric = "rmse"
        scores = {c: float(np.sqrt(np.mean((p[scored] - y) ** 2))) for c, p in candidates.items()}
        choice = min(scores, key=lambda c: (round(scores[c], 12), list(candidates).index(c)))
    else:
        metric = "roc_auc"
        scores = {c: float(roc_auc_score(y, p[scored])) for c, p in candidates.items()}
        choice = max(scores, key=lambda c: (round(scores[c], 12), -list(candidates).index(c)))
    return choice, {
        "chosen": choice, "metric": metric, "scores": scores, "n_molecules": int(scored.sum()),
        "how": "out-of-fold predictions of the scaffold-grouped calibration folds of the "
               "training data (a held-out test fold excluded)",
    }  # fmt: skip


def _reads_features(backend: ModelBackend) -> bool:
    """Whether the backend reads the featurizer's matrix (alone or among other inputs)."""
    return backend.input_kind in (FEATURES, ALL_INPUTS)


def _held_out_mask(held_out: Any, n: int) -> np.ndarray:
    """Positions or a boolean mask of ``n`` inputs as a boolean mask."""
    values = np.asarray(list(held_out) if not isinstance(held_out, np.ndarray) else held_out)
    if values.dtype == bool:
        if len(values) != n:
            raise ModelInputError(f"held_out has {len(values)} flags for {n} molecules")
        return values
    mask = np.zeros(n, dtype=bool)
    mask[values.astype(int)] = True
    return mask


def _run_jobs(function, jobs: list, n_jobs: int, on_threads: bool, bar) -> list:
    """``[function(job, threads) for job in jobs]``, on ``n_jobs`` threads where that pays.

    ``on_threads``: the backend's fits release the GIL (``parallel_folds``).
    Two single-threaded XGBoost fits side by side do 1.85x the work of one
    fit on two threads (which splits each tree's small histograms). Each fit
    is then single-threaded whatever ``n_jobs`` is, so its result does not
    depend on ``n_jobs``.
    """
    done = [0]

    def finished(*_args: Any) -> None:
        done[0] += 1
        # the jobs are the calibration folds and the final model: count them as one
        bar.set_postfix_str(f"{done[0]} of {len(jobs)} fits done ({len(jobs) - 1} calibration "
                            "folds + the final model)", refresh=False)  # fmt: skip
        bar.update()

    if n_jobs == 1 or not on_threads:
        results = []
        for job in jobs:
            results.append(function(job, n_jobs))
            finished()
        return results
    from concurrent.futures import ThreadPoolExecutor

    workers = len(jobs) if n_jobs < 0 else min(n_jobs, len(jobs))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, job, 1) for job in jobs]
        for future in futures:
            future.add_done_callback(finished)
        return [future.result() for future in futures]


def _fit_progress(progress: bool | str, steps: int, n_molecules: int):
    """The bar of :meth:`PropertyModel.fit`: featurize, each fold, the final model."""
    from tqdm.auto import tqdm

    label = progress if isinstance(progress, str) else "PropertyModel.fit"
    return tqdm(total=steps, desc=f"{label} ({n_molecules:,} molecules)", unit="step",
                disable=not progress, bar_format="{l_bar}{bar}| {n}/{total} "
                "[{elapsed}{postfix}]")  # fmt: skip


def _interval_calibrator(coverage: float, targets: np.ndarray, oof: np.ndarray,
                         local_similarity: np.ndarray):  # fmt: skip
    """Intervals adapted to how densely training molecules surround each molecule."""
    from drugml.models.uncertainty import SimilarityConformal

    threshold = float(np.percentile(local_similarity, 5))
    return SimilarityConformal(coverage=coverage).fit(targets, oof, local_similarity, threshold)


def _fit_platt(scores: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    logit = _logit(scores).reshape(-1, 1)
    fitted = LogisticRegression(C=1e6).fit(logit, targets.astype(int))
    return {"slope": float(fitted.coef_[0, 0]), "intercept": float(fitted.intercept_[0])}


def _apply_platt(calibrator: dict[str, float], scores: np.ndarray) -> np.ndarray:
    z = calibrator["slope"] * _logit(scores) + calibrator["intercept"]
    return 1.0 / (1.0 + np.exp(-z))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _data_hash(items: Sequence[Any], targets: np.ndarray) -> str:
    from rdkit import Chem

    digest = hashlib.sha256()
    for item, target in zip(items, targets, strict=True):
        text = item if isinstance(item, str) else Chem.MolToSmiles(item)
        digest.update(f"{text}\t{target!r}\n".encode())
    return digest.hexdigest()


def _library_versions(backend: ModelBackend) -> dict[str, str]:
    import rdkit
    import sklearn

    versions = {
        "drugml": __version__,
        "rdkit": rdkit.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }
    return {**versions, **backend.versions()}


def _check_versions(saved: dict[str, str], directory: Path, strict: bool,
                    backend: ModelBackend) -> None:  # fmt: skip
    current = _library_versions(backend)
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
        warnings.warn(message, stacklevel=3)
    if notes:
        warnings.warn(
            f"Model in {directory} was saved with {', '.join(notes)}; predictions may differ "
            "slightly.",
            stacklevel=3,
        )


# Featurizers a saved model may name: loading builds only these classes.
def _featurizer_classes() -> dict[str, type]:
    from drugml import featurize

    return {name: getattr(featurize, name) for name in
            ("ECFP", "FCFP", "AtomPairs", "TopologicalTorsion", "MACCS", "RDKitDescriptors",
             "MolecularFeatures")}  # fmt: skip


def _featurizer_spec(featurizer: Any) -> dict[str, Any]:
    from drugml.featurize import MolecularFeatures, RDKitDescriptors

    name = type(featurizer).__name__
    if name not in _featurizer_classes():
        raise TypeError(f"Cannot save a model with featurizer {name}: not a drugml featurizer")
    params = featurizer.get_params(deep=False)
    spec: dict[str, Any] = {"class": name}
    if isinstance(featurizer, MolecularFeatures):
        spec["params"] = {k: v for k, v in params.items() if k != "featurizers"}
        spec["featurizers"] = [{"name": n, **_featurizer_spec(f)} for n, f in featurizer._named()]
    else:
        spec["params"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
    if isinstance(featurizer, RDKitDescriptors) and featurizer.scale:
        spec["mean"] = featurizer.mean_.tolist()
        spec["scale"] = featurizer.scale_.tolist()
    return spec


def _featurizer_from_spec(spec: dict[str, Any]):
    classes = _featurizer_classes()
    if spec.get("class") not in classes:
        raise ModelLoadError(f"Unknown featurizer {spec.get('class')!r} in model metadata")
    cls = classes[spec["class"]]
    if spec["class"] == "MolecularFeatures":
        parts = [(p["name"], _featurizer_from_spec(p)) for p in spec["featurizers"]]
        featurizer = cls(parts, **spec["params"])
    else:
        featurizer = cls(**spec["params"])
    if "mean" in spec:
        featurizer.mean_ = np.asarray(spec["mean"])
        featurizer.scale_ = np.asarray(spec["scale"])
    return featurizer  # stateless apart from the scaling restored above: no fit needed
