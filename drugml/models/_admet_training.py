"""Training an ADMET panel (:func:`train_panel`): one model per endpoint on TDC's
``train_val`` rows, scored on TDC's ``test`` rows, saved with its card, and the approved
drugs' predictions kept as quantiles (the reference of the percentiles).
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._version import __version__
from drugml.models._admet_endpoints import AdmetError, Endpoint, resolve_endpoints, tdc_score
from drugml.models._admet_panel import (
    N_QUANTILES,
    PANEL_FILE,
    PANEL_FORMAT_VERSION,
    REFERENCE_DATASET,
    predict_shared,
)

if TYPE_CHECKING:
    import pandas as pd

    from drugml.models import PropertyModel

__all__ = ["train_panel"]


def _model_for(
    endpoint: Endpoint,
    estimator: str | None,
    estimator_params: Mapping[str, Any] | None,
    n_jobs: int,
    progress: bool | str,
    random_state: int = 0,
) -> tuple[PropertyModel, str | None]:
    """A PropertyModel for the endpoint, and the target transform it was given."""
    from drugml.models import PropertyModel

    params: dict[str, Any] = {
        "task": endpoint.task,
        "n_jobs": n_jobs,
        "progress": progress,
        "estimator_params": dict(estimator_params or {}) or None,
        "random_state": random_state,
    }
    if (estimator or endpoint.estimator) is not None:
        params["estimator"] = estimator or endpoint.estimator
    if endpoint.featurizer is not None and estimator is None:  # the row's pair, or neither
        from drugml.featurize import featurizer_preset

        # its RDKit descriptors cost about 3 ms a molecule: featurize on n_jobs processes
        params["featurizer"] = featurizer_preset(endpoint.featurizer).set_params(n_jobs=n_jobs)
    # PropertyModel's target_transform is newer than this panel: use it where it exists; a
    # drugml without it fits the raw scale, and panel.json says so.
    applied = None
    if "target_transform" in PropertyModel().get_params():
        params["target_transform"] = applied = endpoint.target_transform
    return PropertyModel(**params), applied


def _standardized(smiles: Sequence[Any], n_jobs: int) -> pd.DataFrame:
    """:func:`drugml.chem.standardize` of ``smiles``, on processes for large sets."""
    from drugml.chem import standardize

    jobs = n_jobs if len(smiles) >= 5000 else 1
    return standardize(list(smiles), n_jobs=jobs, progress=False)


def _split_rows(endpoint: Endpoint) -> tuple[pd.DataFrame, pd.DataFrame]:
    from drugml import data

    table = data.load(endpoint.dataset)
    missing = {"smiles", "y", "tdc_split"} - set(table.columns)
    if missing:
        raise AdmetError(f"Data set {endpoint.dataset!r} lacks the TDC column(s) {missing}")
    return (
        table[table["tdc_split"] == "train_val"].reset_index(drop=True),
        table[table["tdc_split"] == "test"].reset_index(drop=True),
    )


def _fit_endpoint(
    endpoint: Endpoint,
    directory: Path,
    estimator: str | None,
    estimator_params: Mapping | None,
    n_jobs: int,
    progress: bool,
    random_state: int = 0,
) -> tuple[PropertyModel, dict[str, Any]]:
    """Fit, score on TDC's test rows, describe and save one endpoint; it and its panel.json
    record."""
    import warnings

    from drugml import data

    start = time.perf_counter()
    train, test = _split_rows(endpoint)
    train_std = _standardized(train["smiles"].tolist(), n_jobs)
    usable = train_std["ok"].to_numpy()
    label = f"admet {endpoint.name}" if progress else False
    model, applied = _model_for(endpoint, estimator, estimator_params, n_jobs, label, random_state)
    with warnings.catch_warnings():
        # A skipped record is counted below and in panel.json; not a warning per endpoint.
        warnings.filterwarnings("ignore", message="PropertyModel.fit skipped")
        model.fit(train_std.loc[usable, "smiles"].tolist(), train.loc[usable, "y"].to_numpy())
    applied = getattr(model, "target_transform_", applied)  # what fit did, where it says
    fit_seconds = time.perf_counter() - start

    tdc_test, held_out_test = _test_score(endpoint, model, test, n_jobs)
    dataset = data.info(endpoint.dataset)
    model.describe(
        endpoint=f"{endpoint.title} ({endpoint.tdc_name})",
        unit=endpoint.unit,
        target=endpoint.meaning,
        data_source=f"{endpoint.dataset} ({dataset.relative_path}, tdc_split == 'train_val')",
        data_source_sha256=dataset.sha256,
        held_out_test=held_out_test,
    )
    model.save(directory)
    record = {
        "directory": endpoint.name,
        "task": endpoint.task,
        "n_train_val": len(train),
        "n_trained": int(model.training_info_["n_molecules"]),
        "not_standardized": _failures(train_std),
        "skipped_by_model": model.training_info_["skipped"],
        "estimator": model.estimator,
        "estimator_params": model.estimator_params_,
        "selection": getattr(model, "selection_", None),
        "target_transform_requested": endpoint.target_transform,
        "target_transform_applied": applied,
        "fit_seconds": round(fit_seconds, 2),
        "tdc_test": tdc_test,
    }
    if endpoint.target_transform and applied != endpoint.target_transform:
        record["note"] = (
            f"target_transform {endpoint.target_transform!r} wanted, but this "
            "drugml's PropertyModel has no target_transform: fitted on the raw "
            "scale"
        )
    return model, record


def _test_score(
    endpoint: Endpoint, model: PropertyModel, test: pd.DataFrame, n_jobs: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(tdc_test, held_out_test)``: TDC's metric on its test rows (the panel.json record's
    ``tdc_test``), and the model's metrics there with how they were measured (its card's)."""
    test_std = _standardized(test["smiles"].tolist(), n_jobs)
    scored = test_std["ok"].to_numpy()
    predictions = model.predict(test_std.loc[scored, "smiles"].tolist())
    y_test = test.loc[scored, "y"].to_numpy(dtype=float)
    value = predictions["probability" if endpoint.task == "classification" else "prediction"]
    score = tdc_score(endpoint, y_test, value.to_numpy(dtype=float))
    metrics = model.evaluate(None, y_test, predictions=predictions)
    how = (
        f"TDC's own test partition of {endpoint.tdc_name} (scaffold split), "
        f"{int(scored.sum()):,} of {len(test):,} molecules"
    )
    if (~scored).any():
        how += f"; {int((~scored).sum())} could not be standardized"
    tdc_test = {
        "metric": endpoint.tdc_metric,
        "value": round(score, 4),
        "leaderboard_best": endpoint.leaderboard_best,
        "leaderboard_method": endpoint.leaderboard_method,
        "n_test": len(test),
        "n_scored": int(scored.sum()),
        "not_standardized": _failures(test_std),
        "in_domain_fraction": round(float(predictions["in_domain"].mean()), 4),
    }
    return tdc_test, {**metrics, "how": how}


def _failures(standardized: pd.DataFrame) -> dict[str, Any]:
    failed = standardized[~standardized["ok"]]
    return {"count": len(failed), "reasons": failed["error_type"].value_counts().to_dict()}


def _reference_molecules(n_jobs: int) -> tuple[list[str], dict[str, Any]]:
    """The approved drugs, standardized and deduplicated on the standardized SMILES (once per
    process: the ready panel builds its endpoints one by one)."""
    smiles, info = _standardized_reference(n_jobs)
    return list(smiles), dict(info)


@functools.cache
def _standardized_reference(n_jobs: int) -> tuple[tuple[str, ...], dict[str, Any]]:
    from drugml import data

    drugs = data.load(REFERENCE_DATASET)
    out = _standardized(drugs["smiles"].tolist(), n_jobs)
    usable = out.loc[out["ok"], "smiles"]
    unique = list(dict.fromkeys(usable))
    info = {
        "data_set": REFERENCE_DATASET,
        "sha256": data.info(REFERENCE_DATASET).sha256,
        "n_records": len(drugs),
        "n_not_standardized": int((~out["ok"]).sum()),
        "n_molecules": len(unique),
        "how": "drugml.chem.standardize (largest organic fragment, normalized, neutralized), "
        "then one row per distinct standardized SMILES (salt forms merged)",
    }
    return tuple(unique), info


def _reference_distribution(
    models: Mapping[str, PropertyModel], chosen: list[Endpoint], n_jobs: int
) -> dict[str, Any]:
    """panel.json's ``reference``: the approved drugs, and each endpoint's quantiles of its
    predictions for them (and the fraction in its domain)."""
    reference_start = time.perf_counter()
    smiles, reference = _reference_molecules(n_jobs)
    predicted = predict_shared(models, smiles)
    levels = np.linspace(0, 100, N_QUANTILES)
    reference["quantiles"], reference["in_domain_fraction"] = {}, {}
    for endpoint in chosen:
        frame = predicted[endpoint.name]
        value = frame["probability" if endpoint.task == "classification" else "prediction"]
        reference["quantiles"][endpoint.name] = [
            float(x) for x in np.percentile(value.to_numpy(dtype=float), levels)
        ]
        reference["in_domain_fraction"][endpoint.name] = round(float(frame["in_domain"].mean()), 4)
    reference["seconds"] = round(time.perf_counter() - reference_start, 2)
    return reference


def train_panel(
    out_dir: str | Path,
    endpoints: Iterable[str] | str | None = None,
    n_jobs: int | None = None,
    estimator_params: Mapping[str, Any] | None = None,
    progress: bool = True,
    estimator: str | None = None,
    random_state: int = 0,
) -> Path:
    """Train one model per endpoint on TDC's ``train_val`` rows; save the panel to ``out_dir``.

    ``endpoints``: names of :data:`ENDPOINTS` (a list or ``"herg,ames"``;
    default all). ``n_jobs``: threads for each fit and processes for
    standardizing large sets (default: every core). ``estimator``: the
    :class:`~drugml.models.PropertyModel` estimator of every endpoint (default:
    each endpoint's own, :attr:`Endpoint.estimator`). ``estimator_params``:
    overrides of that estimator's defaults for every endpoint (e.g.
    ``estimator="xgboost", estimator_params={"n_estimators": 50}`` for a quick
    panel). Writes ``out_dir/<endpoint>/``
    (a saved :class:`~drugml.models.PropertyModel` with its model card, which
    holds the score on TDC's ``test`` rows) and ``out_dir/panel.json``.
    ``random_state``: every model's seed (``benchmarks/admet.py --seeds`` varies it). Returns
    ``out_dir``. The whole default panel takes about 8 minutes on 2 cores
    (``benchmarks/results/admet.json``).

    >>> folder = train_panel("models/admet", endpoints="herg,hia_hou")  # doctest: +SKIP
    """
    start = time.perf_counter()
    chosen = resolve_endpoints(endpoints)
    if estimator_params and estimator is None:
        # Settings are an estimator's own (XGBoost's differ from the default menu's): without
        # a named estimator they would reach some endpoints' estimators and not others.
        raise AdmetError(
            "estimator_params need the estimator they are for: pass estimator= "
            "as well (e.g. estimator='xgboost')"
        )
    n_jobs = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise AdmetError(f"n_jobs must be a positive number or -1, got {n_jobs!r}")
    n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records, models = {}, {}
    for endpoint in chosen:
        models[endpoint.name], records[endpoint.name] = _fit_endpoint(
            endpoint,
            out / endpoint.name,
            estimator,
            estimator_params,
            n_jobs,
            progress,
            random_state,
        )

    # Reference distribution: every endpoint's predictions for the approved drugs.
    reference = _reference_distribution(models, chosen, n_jobs)

    panel = {
        "format_version": PANEL_FORMAT_VERSION,
        "drugml": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "endpoints": [e.name for e in chosen],
        "endpoint_table": {e.name: asdict(e) for e in chosen},
        "models": records,
        "reference": reference,
        "training": {
            "n_jobs": n_jobs,
            "estimator": estimator,
            "estimator_params": dict(estimator_params or {}),
            "random_state": random_state,
            "total_seconds": round(time.perf_counter() - start, 2),
        },
    }
    (out / PANEL_FILE).write_text(json.dumps(panel, indent=2, allow_nan=True) + "\n")
    return out
