"""The Markdown model card of a :class:`~drugml.models.PropertyModel`: what it predicts, the
data, the features, how well it works and how that was measured, its uncertainty and domain,
its intended use and limitations; and the featurizer and metrics described in words.

>>> describe_featurizer({"class": "ECFP", "params": {"radius": 2, "counts": True}})
'ECFP4 counts (2048)'
>>> metric_lines({"rmse": 0.61234, "n": 1200})
['- RMSE: 0.612', '- molecules: 1,200']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from drugml._version import __version__
from drugml.models._domain import LOCAL_NEIGHBOURS
from drugml.models._persistence import FORMAT_VERSION
from drugml.models.backends import get_backend
from drugml.models.metrics import METRIC_NAMES

#: A drugml.models.PropertyModel; not imported here, since its module imports this one.
PropertyModel = Any

__all__ = ["describe_featurizer", "metric_lines", "model_card"]

#: The card's last sections: the same for every model.
_USE_AND_LIMITATIONS = (
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
)


def model_card(model: PropertyModel) -> str:
    """The card of a fitted model, as :meth:`PropertyModel.model_card
    <drugml.models.PropertyModel.model_card>` returns it."""
    card = getattr(model, "card_info_", {})
    lines = [
        *_description_lines(model, card),
        *_performance_lines(model, card.get("held_out_test")),
        *_selection_lines(getattr(model, "selection_", None)),
        *_uncertainty_lines(model, card.get("unit", "not stated")),
        *_USE_AND_LIMITATIONS,
    ]
    return "\n".join(lines)


def _description_lines(model: PropertyModel, card: Mapping[str, Any]) -> list[str]:
    """What it predicts, the training data, the features and the estimator."""
    hidden_params = get_backend(model.estimator).card_hidden_params
    info = model.training_info_
    endpoint = card.get("endpoint", "not stated")
    unit = card.get("unit", "not stated")
    source_hash = (
        f" (sha256 `{card['data_source_sha256']}`)" if "data_source_sha256" in card else ""
    )
    skipped = info["skipped"]
    estimator_params = ", ".join(
        f"{k}={v}" for k, v in model.estimator_params_.items() if k not in hidden_params
    )
    return [
        f"# Model card: {card.get('endpoint', 'property')} ({model.task}, {model.estimator})",
        "",
        f"drugml {__version__}, model format {FORMAT_VERSION}.",
        "",
        "## What it predicts",
        f"- endpoint: {endpoint}; unit: {unit}",
        f"- target: {card.get('target', 'not stated')}",
        f"- task: {model.task}"
        + ("" if model.task == "regression" else " (probability of class 1)"),
        "",
        "## Training data",
        f"- source: {card.get('data_source', 'not stated')}" + source_hash,
        f"- {info['n_molecules']:,} molecules, {info['n_scaffolds']:,} Bemis-Murcko scaffolds",
        f"- skipped: {skipped['invalid_smiles']} unparsable SMILES, "
        f"{skipped['missing_or_infinite_target']} missing or infinite targets",
        f"- target mean {info['target_mean']:.3f}, standard deviation {info['target_std']:.3f}",
        f"- sha256 of the (SMILES, value) pairs it was fitted on `{info['data_sha256']}`",
        "",
        "## Features and estimator",
        f"- features: {model.features_description()}",
        f"- estimator: {model.estimator} " + estimator_params,
        "",
        "## How well it works, and how that was measured",
    ]


def _performance_lines(model: PropertyModel, held_out: Mapping[str, Any] | None) -> list[str]:
    """The held-out test (where the card has one) and the cross-validation."""
    info, metrics = model.training_info_, model.cv_metrics_
    lines = []
    if held_out:
        lines += [
            f"**Held-out test** ({held_out.get('how', 'molecules not used for fitting')}); "
            "a model with these settings was fitted without these molecules:",
            "",
            *metric_lines(held_out),
            "",
        ]
    lines += [
        f"**Cross-validation** ({metrics['n_folds']}-fold, grouped by scaffold, over all "
        f"{info['n_molecules']:,} training molecules; each fold's model predicted scaffolds "
        "it had not seen, and these out-of-fold predictions calibrate the uncertainty):",
        "",
        *metric_lines(metrics),
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
    return lines


def _selection_lines(selection: Mapping[str, Any] | None) -> list[str]:
    """The rule, the choice and every candidate's score, for a model whose estimator was
    chosen from a menu (a model saved before the rule: the best score was chosen)."""
    if not selection:
        return []
    metric = METRIC_NAMES.get(selection["metric"], selection["metric"])
    differences = selection.get("differences")
    if not differences:
        return [
            "## Model selection",
            f"Chosen: **{selection['chosen']}**, by {metric} on the {selection['how']} "
            f"({selection['n_molecules']:,} molecules). Every candidate:",
            "",
            *(f"- {name}: {metric} {score:.3f}" for name, score in selection["scores"].items()),
            "",
        ]
    scores = selection["scores"]
    ensemble = next(name for name in scores if name not in differences)
    lines = [
        "## Model selection",
        f"Rule: {selection['rule']}. Chosen: **{selection['chosen']}**.",
        "",
        f"Each candidate's {metric} on {selection['n_molecules']:,} molecules: the "
        f"{selection['how']}. The noise of a member's advantage over the ensemble: "
        f"{selection['noise']}.",
        "",
        f"- {ensemble} (the ensemble: the members' mean): {metric} {scores[ensemble]:.3f}",
    ]
    for name, found in differences.items():
        verdict = "beats the ensemble beyond noise" if found["beyond_noise"] else "within noise"
        if found["difference"] <= 0:
            verdict = "no better than the ensemble"
        lines.append(
            f"- {name}: {metric} {scores[name]:.3f}; advantage over the ensemble "
            f"{found['difference']:+.3f} (lower bound {found['lower_bound']:+.3f}): {verdict}"
        )
    return [*lines, ""]


def _uncertainty_lines(model: PropertyModel, unit: str) -> list[str]:
    lines = ["## Uncertainty and applicability domain"]
    if model.task == "regression":
        lines += _interval_lines(model, unit)
        if getattr(model, "target_transform_note_", None):
            lines.append(f"- target transform: {model.target_transform_note_}")
    else:
        lines.append("- probabilities calibrated by Platt scaling on the scaffold folds")
        lines += _prediction_set_lines(getattr(model, "class_conformal_", None))
    return [
        *lines,
        f"- in domain: nearest training-set Tanimoto similarity (ECFP4) >= "
        f"{model.domain_threshold_:.3f}",
        "",
    ]


def _prediction_set_lines(conformal: Mapping[str, Any] | None) -> list[str]:
    """How a classifier's conformal prediction sets were calibrated (none before them)."""
    if not conformal:
        return []
    counts = ", ".join(f"{len(scores):,} {name}" for name, scores in conformal["scores"].items())
    return [
        f"- conformal prediction sets (`prediction_set`: active, inactive, active|inactive or "
        f"empty) holding the true class with {conformal['coverage']:.0%} nominal coverage for "
        "each class (class-conditional, Mondrian), calibrated on the Platt-scaled out-of-fold "
        f"probabilities of the scaffold folds ({counts} molecules); the guarantee assumes "
        "molecules like the calibration folds, not those out of the domain",
    ]


def _interval_lines(model: PropertyModel, unit: str) -> list[str]:
    calibrator = getattr(model, "interval_calibrator_", None)
    if calibrator is None:
        return [
            f"- split-conformal interval: prediction ± {model.conformal_quantile_:.3f} "
            f"{unit} for {model.coverage:.0%} nominal coverage, one width for every "
            "molecule (a model saved before adaptive intervals)"
        ]
    grid = np.array([0.2, 0.35, 0.5, 0.65, 0.8])
    widths = ", ".join(
        f"{s:.2f}: ±{h:.2f}" for s, h in zip(grid, calibrator.half_width(grid), strict=True)
    )
    return [
        f"- adaptive conformal interval for {model.coverage:.0%} nominal coverage "
        "(drugml.models.uncertainty.SimilarityConformal): its half-width grows as the mean "
        f"Tanimoto similarity to the {LOCAL_NEIGHBOURS} nearest training molecules falls; "
        f"calibrated on {calibrator.n_calibration_:,} out-of-fold predictions of the scaffold "
        f"folds, in {len(calibrator.quantiles_)} similarity strata. Half-width by local "
        f"similarity ({unit}): {widths}",
    ]


def metric_lines(metrics: Mapping[str, Any]) -> list[str]:
    """One Markdown bullet per known metric in ``metrics`` (counts with thousands commas)."""
    lines = []
    for key, label in METRIC_NAMES.items():
        value = metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            counted = key.startswith("n") and key != "n_folds"
            lines.append(f"- {label}: {value:,}" if counted else f"- {label}: {value:.3f}")
    return lines


def describe_featurizer(spec: Mapping[str, Any]) -> str:
    """A saved featurizer spec in words, e.g. ``"ECFP4 counts (2048) + 42 RDKit descriptors"``."""
    params = spec.get("params", {})
    name = spec["class"]
    if name == "MolecularFeatures":
        return " + ".join(describe_featurizer(part) for part in spec["featurizers"])
    if name in ("ECFP", "FCFP"):
        kind = "counts" if params.get("counts") else "bits"
        return f"{name}{2 * params.get('radius', 2)} {kind} ({params.get('n_bits', 2048)})"
    if name == "RDKitDescriptors":
        chosen = params.get("descriptors")
        return f"{len(chosen)} RDKit descriptors" if chosen else "all RDKit descriptors"
    return name
