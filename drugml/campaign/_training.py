"""Each model's training data (curated, nothing dropped silently) and its training with a
held-out test fold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from drugml.campaign._inputs import CampaignInputs
from drugml.campaign.config import (
    AdmetData,
    ChemblData,
    ModelConfig,
)


# ------------------------------------------------------------ training data
@dataclass
class TrainingData:
    """One model's training set: standardized SMILES, targets, and where they came from."""

    smiles: list[str]
    y: np.ndarray
    inchikeys: list[str]
    summary: dict[str, Any]
    card: dict[str, Any]
    table: Any = None  # the curated table
    log: Any = None  # curation log (one row per step)
    rejected: Any = None  # every record not used, with its reason


def training_data(
    model: ModelConfig, inputs: CampaignInputs, out_dir: str | Path, n_jobs: int = 1
) -> TrainingData:
    """Curate the records of ``model`` into its training set (nothing dropped silently)."""
    from drugml._util.io import sha256

    prefix = f"models[{model.name}].data"
    if isinstance(model.data, ChemblData):
        source = _from_chembl(model, inputs, prefix, out_dir, n_jobs)
    elif isinstance(model.data, AdmetData):
        source = _from_admet(model, inputs, prefix, out_dir, n_jobs)
    else:
        source = _from_table(model, inputs, prefix, out_dir, n_jobs)
    table = source.table
    if model.task == "classification" and "active_fraction" not in source.summary:
        label = "active" if source.summary["source"] == "chembl" else "label"
        source.summary["active_fraction"] = float(table[label].mean()) if len(table) else 0.0
    card = {
        "endpoint": source.endpoint,
        "unit": source.unit,
        "target": source.card_target,
        "data_source": source.how,
        "data_source_sha256": sha256(inputs.paths[source.key]),
    }
    return TrainingData(
        smiles=table["smiles"].tolist(),
        y=table[source.target].to_numpy(dtype=float),
        inchikeys=table["inchikey"].tolist(),
        summary=source.summary,
        card=card,
        table=table,
        log=source.log,
        rejected=source.rejected,
    )


@dataclass
class _Curated:
    """What one kind of data source gives: the curated table and what its card says."""

    key: str  # the input's key in CampaignInputs
    table: Any
    log: Any
    rejected: Any
    target: str  # the table's target column
    summary: dict[str, Any]
    endpoint: str
    unit: str
    how: str
    card_target: str | None = None


def _from_chembl(
    model: ModelConfig, inputs: CampaignInputs, prefix: str, out_dir: str | Path, n_jobs: int
) -> _Curated:
    from drugml.chem.curate import curate_bioactivities

    data = model.data
    key = f"{prefix}.chembl"
    structures = inputs.table(f"{prefix}.structures") if data.structures else None
    threshold = data.active_threshold
    curated = curate_bioactivities(
        inputs.table(key),
        structures=structures,
        activity_type=data.activity_type,
        id_column=data.id_column,
        **({"active_threshold": threshold} if threshold is not None else {}),
        n_jobs=n_jobs,
        progress=False,
    )
    table, log = curated
    value = f"p{data.activity_type}"
    classification = model.task == "classification"
    summary = {
        "source": "chembl",
        "raw_records": len(inputs.table(key)),
        "compounds": len(table),
        "activity_type": data.activity_type,
    }
    if threshold is not None:
        summary["active_threshold"] = threshold
        summary["active_fraction"] = float(table["active"].mean()) if len(table) else 0.0
    return _Curated(
        key=key,
        table=table,
        log=log,
        rejected=curated.rejected,
        target="active" if classification else value,
        summary=summary,
        endpoint=model.endpoint or _chembl_endpoint(value, threshold, classification),
        unit=model.unit or ("probability" if classification else "-log10(molar)"),
        how=f"{inputs.label(key, out_dir)}, curated ({data.activity_type} records)",
        card_target=str(inputs.config.name),
    )


def _chembl_endpoint(value: str, threshold: float | None, classification: bool) -> str:
    return f"active ({value} >= {threshold})" if classification else value


def _from_admet(
    model: ModelConfig, inputs: CampaignInputs, prefix: str, out_dir: str | Path, n_jobs: int
) -> _Curated:
    from drugml.chem.curate import curate_table
    from drugml.models.admet import ENDPOINTS

    data = model.data
    endpoint = ENDPOINTS[data.admet]
    key = f"{prefix}.admet"
    table = inputs.table(key)
    if data.rows == "train_val":
        table = table[table["tdc_split"] == "train_val"]
    column = {"target_column": "y"} if model.task == "regression" else {"label_column": "y"}
    curated = curate_table(table, smiles_column="smiles", n_jobs=n_jobs, **column)
    table, log = curated
    summary = {
        "source": "admet",
        "endpoint": endpoint.name,
        "raw_records": len(inputs.table(key)),
        "compounds": len(table),
    }
    return _Curated(
        key=key,
        table=table,
        log=log,
        rejected=curated.rejected,
        target="value" if model.task == "regression" else "label",
        summary=summary,
        endpoint=model.endpoint or f"{endpoint.title}: {endpoint.meaning}",
        unit=model.unit or endpoint.unit,
        how=f"{inputs.label(key, out_dir)} (TDC {endpoint.tdc_name}, {data.rows} rows)",
    )


def _from_table(
    model: ModelConfig, inputs: CampaignInputs, prefix: str, out_dir: str | Path, n_jobs: int
) -> _Curated:
    from drugml.chem.curate import curate_table

    data = model.data
    key = f"{prefix}.table"
    curated = curate_table(
        inputs.table(key),
        smiles_column=data.smiles_column,
        target_column=data.target_column,
        label_column=data.label_column,
        positive_label=data.positive_label,
        active_threshold=data.active_threshold,
        n_jobs=n_jobs,
    )
    table, log = curated
    summary = {"source": "table", "raw_records": len(inputs.table(key)), "compounds": len(table)}
    return _Curated(
        key=key,
        table=table,
        log=log,
        rejected=curated.rejected,
        target="value" if model.task == "regression" else "label",
        summary=summary,
        endpoint=model.endpoint or _table_endpoint(data),
        unit=model.unit or ("probability" if model.task == "classification" else "as given"),
        how=inputs.label(key, out_dir),
    )


def _table_endpoint(data: Any) -> str:
    """What a plain table's model predicts, in words, from its columns."""
    column = data.target_column or data.label_column
    if data.active_threshold is not None:
        return f"{column} >= {data.active_threshold}"
    if data.positive_label is not None:
        return f"{column} (positive: {data.positive_label!r})"
    return column


def _split(smiles: list[str], kind: str, test_size: float, seed: int):
    from drugml.models import split

    function = {
        "scaffold": split.scaffold_split,
        "cluster": split.cluster_split,
        "random": split.random_split,
    }[kind]
    return function(smiles, test_size=test_size, seed=seed)


def train_model(
    model_config: ModelConfig, training: TrainingData, *, seed: int, n_jobs: int, progress: bool
) -> tuple[Any, dict, dict]:
    """The screening model with a held-out test fold; (model, metrics, test data).

    The returned metrics are the held-out test's, with the screening model's
    cross-validation beside them (``cross_validation``); the model's card says
    what it predicts and how each number was obtained.
    """
    from drugml.models import PropertyModel

    name, kind = model_config.name, model_config.split
    train, test = _split(training.smiles, kind, model_config.test_size, seed)
    model = PropertyModel(
        task=str(model_config.task),
        estimator=model_config.estimator,
        estimator_params=model_config.estimator_params or None,
        random_state=seed,
        n_jobs=n_jobs,
        progress=f"{name} model, {kind}-split test fold + screening model" if progress else False,
    )
    # The held-out molecules are one of the screening model's calibration folds:
    # that fold's model never sees them, so their metrics are a held-out test,
    # and no second model is trained for it.
    model.fit(training.smiles, training.y, held_out=test)
    metrics = dict(model.held_out_metrics_)
    metrics.update(
        {
            "task": model_config.task,
            "estimator": model_config.estimator,
            "split": kind,
            "n_train": len(train),
            "n_test": len(test),
        }
    )
    how = (
        f"{kind} split: {len(test):,} of {len(training.smiles):,} molecules held out as one "
        f"of the calibration folds (their model never saw them), seed {seed}"
    )
    card = {k: v for k, v in training.card.items() if v is not None}
    model.describe(**card, held_out_test={**metrics, "how": how})
    if getattr(model, "selection_", None):
        metrics["selection"] = model.selection_
    metrics.update(
        {
            "how": how,
            "cross_validation": model.cv_metrics_,
            "features": model.features_description(),
            **card,
        }
    )
    test_data = {
        "y": training.y[model.held_out_index_],
        "predictions": model.held_out_predictions_,
        "task": model_config.task,
    }
    return model, metrics, test_data
