"""The :class:`PropertyModel` estimator: its parameters, ``fit`` as a list of named steps, and
``predict``. What it does (a default estimator per data set, calibrated uncertainty, an
applicability domain, persistence without pickle) is told in the :mod:`drugml.models`
docstring.

The steps live in private files named for them: ``_inputs`` (the default featurizer, the
training records cleaned), ``_folds`` (the scaffold-grouped calibration folds and the choice
among a menu's candidates), ``_calibration`` (target transform, conformal intervals, Platt
scaling), ``_domain`` (the applicability domain), ``_predict`` (the prediction tables),
``_evaluation`` (metrics, the held-out fold), ``_explain`` (per-atom contributions),
``_persistence`` (saved files, versions) and ``_card`` (the model card).
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from drugml.models._calibration import (
    TARGET_TRANSFORMS,
    apply_platt,
    calibrate_on_folds,
    check_calibration_targets,
    choose_target_transform,
    fit_platt,
    forward_transform,
    inverse_transform,
)
from drugml.models._card import describe_featurizer, model_card
from drugml.models._conformal_sets import add_held_out_sets, fit_class_conformal
from drugml.models._domain import (
    domain_fingerprints,
    domain_mask,
    domain_search_inputs,
    domain_threshold,
)
from drugml.models._errors import ModelInputError
from drugml.models._evaluation import evaluate_frame, held_out_predictions
from drugml.models._explain import AtomContributions, atom_contributions, explained_molecule
from drugml.models._folds import (
    OutOfFold,
    calibration_folds,
    fit_calibration_folds,
    fit_progress,
    fold_count,
    held_out_mask,
    keep_best,
    out_of_fold_table,
)
from drugml.models._inputs import (
    as_targets,
    clean_training_inputs,
    default_featurizer,
    reads_features,
)
from drugml.models._persistence import data_hash, open_model, restore_fitted, write_model
from drugml.models._predict import per_input_table, prediction_table
from drugml.models.backends import (
    ALL_INPUTS,
    DENSE,
    FEATURES,
    FINGERPRINTS,
    ModelBackend,
    ModelLoadError,
    MultiInput,
    get_backend,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PropertyModel"]


class PropertyModel(BaseEstimator):
    """A molecular property model: featurizer + estimator + uncertainty + domain.

    Parameters
    ----------
    task : ``"regression"`` or ``"classification"`` (binary, labels 0/1 or bool).
    estimator : ``"auto"`` (default: the mean of a small menu, unless one member beats it
        beyond noise in scaffold-grouped cross-validation, see
        :mod:`drugml.models.backends.auto_backend`), ``"xgboost"``, ``"random_forest"``, ``"knn"``
        (Tanimoto k-nearest neighbours on ECFP4 bits; ignores ``featurizer``) or
        ``"gnn"`` (DeepChem's D-MPNN graph network, :mod:`drugml.models.gnn`; learns from
        the molecular graph, ignores ``featurizer``, needs the ``deep`` extra and
        minutes of CPU where XGBoost needs seconds); or the name of another
        registered backend (:mod:`drugml.models.backends`).
    featurizer : a drugml featurizer; default :func:`default_featurizer`. ``fit``
        fits a clone of it (``featurizer_``) and leaves this one as it is.
    coverage : nominal coverage of the regression intervals and, per class, of the
        classification prediction sets (0.9).
    calibration_folds : scaffold-grouped folds used for calibration (5).
    domain_threshold : ``None`` learns it in ``fit`` (see :mod:`drugml.models`).
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
            raise ModelInputError(
                f"target_transform must be one of {TARGET_TRANSFORMS}, got "
                f"{self.target_transform!r}"
            )

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
        if not reads_features(self._backend()) or not mols:
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
        return self._backend().predict(
            self.estimator_, self._estimator_input(features, fps, mols), task=self.task
        )

    # ---------------------------------------------------------------- fitting
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
        self._check_params()
        backend = self._backend()
        start = time.perf_counter()
        self.estimator_params_ = self._params()
        items, mols, targets, skipped, keep = clean_training_inputs(smiles, y)
        original_targets = targets
        targets = self._transformed_targets(targets)
        test_fold = held_out_mask(held_out, len(keep))[keep] if held_out is not None else None
        check_calibration_targets(self.task, targets, self.calibration_folds)
        bar = fit_progress(self.progress, self.calibration_folds + 2, len(items))
        inputs, fps, bits, groups = self._training_inputs(backend, mols)
        n_folds = fold_count(self.calibration_folds, groups)
        bar.total = n_folds + 2
        bar.update()
        # Out-of-fold predictions on scaffold-grouped folds: calibration data
        # and an honest estimate of performance on unseen scaffolds.
        folds = calibration_folds(n_folds, targets, groups, test_fold, self.task)
        oof, final = fit_calibration_folds(
            backend,
            inputs,
            targets,
            bits,
            folds,
            task=self.task,
            params=self.estimator_params_,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            bar=bar,
        )
        self.estimator_, self.selection_, prediction = keep_best(
            backend, final, oof, targets, test_fold, self.task, groups
        )
        bar.close()
        self.training_fingerprints_ = fps
        self.training_bits_ = bits
        self.training_targets_ = targets
        self._calibrate(oof, prediction, targets, original_targets, n_folds)
        if test_fold is not None:
            self._evaluate_held_out(test_fold, prediction, oof, targets)
            self.held_out_index_ = np.flatnonzero(keep)[test_fold]  # positions in the input
        self.training_info_ = {
            "n_molecules": len(items),
            "skipped": skipped,
            "n_scaffolds": len(set(groups)),
            "target_mean": float(targets.mean()),
            "target_std": float(targets.std()),
            "data_sha256": data_hash(items, targets),
            "fit_seconds": round(time.perf_counter() - start, 2),
        }
        return self

    def _transformed_targets(self, targets: np.ndarray) -> np.ndarray:
        """The targets on the scale the estimator fits (``target_transform_`` says which)."""
        self.target_transform_, message = choose_target_transform(
            targets, self.target_transform, self.task
        )
        if message and self.target_transform == "auto":
            warnings.warn(f"PropertyModel: {message}", stacklevel=3)  # at fit's caller
        self.target_transform_note_ = message
        return forward_transform(self.target_transform_, targets)

    def _training_inputs(self, backend: ModelBackend, mols: list) -> tuple[Any, list, Any, Any]:
        """Fit the featurizer; ``(estimator input, fingerprints, their bits, scaffolds)``."""
        from drugml.chem.scaffolds import scaffolds
        from drugml.featurize import fingerprint_bits

        # The caller's featurizer stays as it was given (scikit-learn's rule): fit a clone.
        self.featurizer_ = clone(self._featurizer()) if reads_features(backend) else None
        self.input_layout_ = (
            backend.input_layout(self.featurizer_) if backend.input_kind == FEATURES else DENSE
        )
        features = self._fit_featurizer(mols) if self.featurizer_ is not None else None
        fps = domain_fingerprints(mols)
        inputs = self._estimator_input(features, fps, mols)
        return inputs, fps, fingerprint_bits(fps), scaffolds(mols)

    def _fit_featurizer(self, mols: list) -> Any:
        """``featurizer_.fit_transform``; a quiet fit keeps the featurizer's own bar (shown
        from 10,000 molecules when its ``progress`` is None) quiet too."""
        quiet = not self.progress and self.featurizer_.get_params().get("progress", 0) is None
        if quiet:
            self.featurizer_.set_params(progress=False)
        features = self.featurizer_.fit_transform(mols)
        if quiet:
            self.featurizer_.set_params(progress=None)  # screens still show it
        return features

    def _calibrate(
        self,
        oof: OutOfFold,
        prediction: np.ndarray,
        targets: np.ndarray,
        original_targets: np.ndarray,
        n_folds: int,
    ) -> None:
        """The domain threshold, the intervals or probabilities, and the out-of-fold metrics
        and predictions (``cv_metrics_``, ``cv_predictions_``)."""
        self.domain_threshold_ = domain_threshold(self.domain_threshold, oof.similarity)
        calibrator, self.cv_metrics_ = calibrate_on_folds(
            self.task,
            self.coverage,
            prediction,
            oof.local,
            targets,
            original_targets,
            self.target_transform_,
        )
        if self.task == "regression":
            self.interval_calibrator_ = calibrator
        else:
            self.calibrator_ = calibrator
            probability = apply_platt(calibrator, prediction)
            self.class_conformal_ = fit_class_conformal(probability, targets, self.coverage)
        self.cv_metrics_["n_folds"] = n_folds
        self.cv_predictions_ = out_of_fold_table(
            oof, prediction, original_targets, self.target_transform_
        )

    def _evaluate_held_out(
        self, test_fold: np.ndarray, prediction: np.ndarray, oof: OutOfFold, targets: np.ndarray
    ) -> None:
        """Predictions and metrics of the held-out fold, calibrated on the other folds."""
        transform = getattr(self, "target_transform_", None)
        self.held_out_predictions_ = held_out_predictions(
            self.task,
            self.coverage,
            self.domain_threshold,
            transform,
            test_fold,
            prediction,
            oof.similarity,
            oof.local,
            targets,
        )
        if self.task == "classification":  # the sets, too, calibrated on the other folds
            oof_other, other_targets = prediction[~test_fold], targets[~test_fold]
            calibration = apply_platt(fit_platt(oof_other, other_targets), oof_other)
            add_held_out_sets(self.held_out_predictions_, self.coverage, calibration, other_targets)
        measured = inverse_transform(transform, targets[test_fold])
        self.held_out_metrics_ = evaluate_frame(self.task, self.held_out_predictions_, measured)

    # ------------------------------------------------------------- predicting
    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This PropertyModel is not fitted yet; call fit() or load().")

    def predict(self, smiles: Any) -> pd.DataFrame:
        """Predictions with uncertainty and domain, one row per input (invalid rows: NaN + reason).

        Regression columns: ``prediction``, ``lower``, ``upper``; classification:
        ``prediction`` (0/1 at probability 0.5), ``probability``, and the conformal
        ``prediction_set`` at ``coverage`` per class (``"active"``: class 1,
        ``"inactive"``, ``"active|inactive"``, ``""``) with its ``set_size``
        (:mod:`drugml.models._conformal_sets`); both add ``nearest_similarity``,
        ``in_domain``, ``ok`` and ``error``.
        """
        from drugml.featurize import as_molecule_list, parse_molecules

        self._check_fitted()
        items = as_molecule_list(smiles)
        mols, invalid = parse_molecules(items, full=True)
        ok = np.ones(len(items), dtype=bool)
        ok[[i for i, _ in invalid]] = False
        errors: list[str | None] = [None] * len(items)
        for i, reason in invalid:
            errors[i] = reason
        parsed = self.predict_mols([mols[i] for i in np.flatnonzero(ok)])
        return per_input_table(parsed, ok, errors, self.task)

    def predict_mols(
        self,
        mols: Sequence,
        features: np.ndarray | None = None,
        domain_fingerprints: Sequence | None = None,
        domain: bool | np.ndarray = True,
        domain_bits: np.ndarray | None = None,
    ) -> pd.DataFrame:
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
        self._check_fitted()
        mols = list(mols)
        searched = domain_mask(domain, len(mols))
        reads_fingerprints = self._backend().input_kind in (FINGERPRINTS, ALL_INPUTS)
        fps, bits = domain_search_inputs(
            mols, searched, domain_fingerprints, domain_bits, reads_fingerprints
        )
        if features is None:
            features = self._features(mols)
        raw = self._raw_predict(features, fps, mols) if mols else np.array([])
        return prediction_table(self, raw, bits, searched)

    def featurizer_key(self) -> str | None:
        """A string equal for models whose featurizers give the same matrix (None: no matrix)."""
        if not reads_features(self._backend()):
            return None
        return json.dumps(_featurizer_spec(self.featurizer_), sort_keys=True)

    def evaluate(
        self, smiles: Any, y: Any, predictions: pd.DataFrame | None = None
    ) -> dict[str, float]:
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
        targets = as_targets(y)
        if len(targets) != len(predictions):
            raise ModelInputError(
                f"Got {len(predictions)} molecules but {len(targets)} target values."
            )
        return evaluate_frame(self.task, predictions, targets)

    # ------------------------------------------------------------ explaining
    def explain(self, smiles: str, size: tuple[int, int] = (400, 300)) -> AtomContributions:
        """Per-atom contributions to one prediction, drawn as an RDKit similarity map.

        Each atom's weight is the prediction minus the prediction with that
        atom's fingerprint bits removed (RDKit's ``GetAtomicWeightsForModel``
        idea, applied to the model's own featurizer): positive atoms push the
        prediction up (more potent, more soluble ...), negative ones down.
        """
        self._check_fitted()
        return atom_contributions(explained_molecule(smiles), self._value_for, size)

    def _value_for(self, mols: list) -> np.ndarray:
        from rdkit import Chem

        for m in mols:  # a dummy atom can break aromaticity: sanitize as far as possible
            Chem.SanitizeMol(m, catchErrors=True)
        fps = domain_fingerprints(mols)
        raw = self._raw_predict(self._features(mols), fps, mols)
        if self.task == "regression":
            return inverse_transform(getattr(self, "target_transform_", None), raw)
        return apply_platt(self.calibrator_, raw)

    # ----------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> Path:
        """Write the model to a directory: JSON/NPZ/skops files and ``MODEL_CARD.md``. No pickle."""
        self._check_fitted()
        backend = self._backend()
        spec = _featurizer_spec(self.featurizer_) if reads_features(backend) else None
        directory = write_model(self, Path(directory), backend, spec)
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
        model, metadata, backend = open_model(cls, directory, strict_versions)
        if reads_features(backend):
            model.featurizer_ = _featurizer_from_spec(metadata["featurizer"])
            model.featurizer = clone(model.featurizer_)  # the parameter: unfitted, as given
        else:
            model.featurizer_ = None
        restore_fitted(model, directory, metadata, backend)
        return model

    def describe(
        self,
        *,
        endpoint: str | None = None,
        unit: str | None = None,
        target: str | None = None,
        data_source: str | None = None,
        data_source_sha256: str | None = None,
        held_out_test: Mapping[str, Any] | None = None,
    ) -> PropertyModel:
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
        given = {
            "endpoint": endpoint,
            "unit": unit,
            "target": target,
            "data_source": data_source,
            "data_source_sha256": data_source_sha256,
            "held_out_test": dict(held_out_test) if held_out_test else None,
        }
        self.card_info_ = {
            **getattr(self, "card_info_", {}),
            **{k: v for k, v in given.items() if v is not None},
        }
        return self

    def features_description(self) -> str:
        """The model's input in words, e.g. ``"ECFP4 counts (2048) + 42 RDKit descriptors"``."""
        backend = self._backend()
        if not reads_features(backend):
            return backend.input_description or backend.input_kind
        featurizer = getattr(self, "featurizer_", None) or self._featurizer()
        described = describe_featurizer(_featurizer_spec(featurizer))
        if backend.input_kind == ALL_INPUTS:
            return f"{described} (XGBoost, random forest); ECFP4 bits (kNN)"
        return described

    def model_card(self) -> str:
        """A Markdown model card: what it predicts, data, features, how well (and how measured),
        uncertainty, domain, intended use, limitations."""
        self._check_fitted()
        return model_card(self)


# Featurizers a saved model may name: loading builds only these classes.
def _featurizer_spec(featurizer: Any) -> dict[str, Any]:
    from drugml.featurize import UnknownFeaturizerError, featurizer_spec

    try:
        return featurizer_spec(featurizer)
    except UnknownFeaturizerError as exc:  # the error saving has always raised
        raise TypeError(
            f"Cannot save a model with featurizer {exc.name}: not a drugml featurizer"
        ) from exc


def _featurizer_from_spec(spec: dict[str, Any]):
    from drugml.featurize import UnknownFeaturizerError, featurizer_from_spec

    try:  # stateless apart from the scaling the spec restores: no fit needed
        return featurizer_from_spec(spec)
    except UnknownFeaturizerError as exc:  # a model file's problem: a load error
        raise ModelLoadError(f"Unknown featurizer {exc.name!r} in model metadata") from exc
