"""Each model's training data (curated, nothing dropped silently) and its training with a
held-out test fold."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.campaign._inputs import CampaignInputs
from drugml.campaign.config import (
    AdmetData,
    ChemblData,
    ModelConfig,
)

if TYPE_CHECKING:
    pass


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


def training_data(model: ModelConfig, inputs: CampaignInputs, out_dir: str | Path,
                  n_jobs: int = 1) -> TrainingData:  # fmt: skip
    """Curate the records of ``model`` into its training set (nothing dropped silently)."""
    from drugml._util.io import sha256
    from drugml.chem.curate import curate_bioactivities, curate_table

    config = inputs.config
    prefix = f"models[{model.name}].data"
    data = model.data
    if isinstance(data, ChemblData):
        key = f"{prefix}.chembl"
        structures = inputs.table(f"{prefix}.structures") if data.structures else None
        threshold = data.active_threshold
        curated = curate_bioactivities(
            inputs.table(key), structures=structures, activity_type=data.activity_type,
            id_column=data.id_column,
            **({"active_threshold": threshold} if threshold is not None else {}),
            n_jobs=n_jobs, progress=False)  # fmt: skip
        table, log = curated
        value = f"p{data.activity_type}"
        target = "active" if model.task == "classification" else value
        summary = {"source": "chembl", "raw_records": len(inputs.table(key)),
                   "compounds": len(table), "activity_type": data.activity_type}  # fmt: skip
        if threshold is not None:
            summary["active_threshold"] = threshold
            summary["active_fraction"] = float(table["active"].mean()) if len(table) else 0.0
        endpoint = (model.endpoint or (f"active ({value} >= {threshold})"
                    if model.task == "classification" else value))  # fmt: skip
        unit = model.unit or ("probability" if model.task == "classification"
                              else "-log10(molar)")  # fmt: skip
        how = f"{inputs.label(key, out_dir)}, curated ({data.activity_type} records)"
        card_target = str(config.name)
        rejected = curated.rejected
    elif isinstance(data, AdmetData):
        from drugml.models.admet import ENDPOINTS

        endpoint = ENDPOINTS[data.admet]
        key = f"{prefix}.admet"
        table = inputs.table(key)
        if data.rows == "train_val":
            table = table[table["tdc_split"] == "train_val"]
        column = {"target_column": "y"} if model.task == "regression" else {"label_column": "y"}
        curated = curate_table(table, smiles_column="smiles", n_jobs=n_jobs, **column)
        table, log = curated
        rejected = curated.rejected
        target = "value" if model.task == "regression" else "label"
        summary = {"source": "admet", "endpoint": endpoint.name,
                   "raw_records": len(inputs.table(key)), "compounds": len(table)}  # fmt: skip
        if model.task == "classification":
            summary["active_fraction"] = float(table["label"].mean()) if len(table) else 0.0
        endpoint_words = model.endpoint or f"{endpoint.title}: {endpoint.meaning}"
        unit = model.unit or endpoint.unit
        how = f"{inputs.label(key, out_dir)} (TDC {endpoint.tdc_name}, {data.rows} rows)"
        card_target = None
        y = table[target].to_numpy(dtype=float)
        card = {"endpoint": endpoint_words, "unit": unit, "target": card_target,
                "data_source": how, "data_source_sha256": sha256(inputs.paths[key])}  # fmt: skip
        return TrainingData(smiles=table["smiles"].tolist(), y=y,
                            inchikeys=table["inchikey"].tolist(), summary=summary, card=card,
                            table=table, log=log, rejected=rejected)  # fmt: skip
    else:
        key = f"{prefix}.table"
        curated = curate_table(inputs.table(key), smiles_column=data.smiles_column,
                               target_column=data.target_column, label_column=data.label_column,
                               positive_label=data.positive_label,
                               active_threshold=data.active_threshold, n_jobs=n_jobs)  # fmt: skip
        table, log = curated
        rejected = curated.rejected
        target = "value" if model.task == "regression" else "label"
        summary = {"source": "table", "raw_records": len(inputs.table(key)),
                   "compounds": len(table)}  # fmt: skip
        if model.task == "classification":
            summary["active_fraction"] = float(table["label"].mean()) if len(table) else 0.0
        column = data.target_column or data.label_column
        endpoint = model.endpoint or (
            f"{column} >= {data.active_threshold}" if data.active_threshold is not None
            else (f"{column} (positive: {data.positive_label!r})" if data.positive_label
                  is not None else column))  # fmt: skip
        unit = model.unit or ("probability" if model.task == "classification" else "as given")
        how = inputs.label(key, out_dir)
        card_target = None
    y = table[target].to_numpy(dtype=float)
    card = {"endpoint": endpoint, "unit": unit, "target": card_target, "data_source": how,
            "data_source_sha256": sha256(inputs.paths[key])}  # fmt: skip
    return TrainingData(smiles=table["smiles"].tolist(), y=y, inchikeys=table["inchikey"].tolist(),
                        summary=summary, card=card, table=table, log=log,
                        rejected=rejected)  # fmt: skip


# -------------------------------------------------------------------- train
def _split(smiles: list[str], kind: str, test_size: float, seed: int):
    from drugml.models import split

    function = {"scaffold": split.scaffold_split, "cluster": split.cluster_split,
                "random": split.random_split}[kind]  # fmt: skip
    return function(smiles, test_size=test_size, seed=seed)


def train_model(model_config: ModelConfig, training: TrainingData, *, seed: int, n_jobs: int,
                progress: bool) -> tuple[Any, dict, dict]:  # fmt: skip
    """The screening model with a held-out test fold; (model, metrics, test data).

    The returned metrics are the held-out test's, with the screening model's
    cross-validation beside them (``cross_validation``); the model's card says
    what it predicts and how each number was obtained.
    """
    from drugml.models import PropertyModel

    name, kind = model_config.name, model_config.split
    train, test = _split(training.smiles, kind, model_config.test_size, seed)
    model = PropertyModel(task=str(model_config.task), estimator=model_config.estimator,
                          estimator_params=model_config.estimator_params or None,
                          random_state=seed, n_jobs=n_jobs,
                          progress=f"{name} model, {kind}-split test fold + screening model"
                          if progress else False)  # fmt: skip
    # The held-out molecules are one of the screening model's calibration folds:
    # that fold's model never sees them, so their metrics are a held-out test,
    # and no second model is trained for it.
    model.fit(training.smiles, training.y, held_out=test)
    metrics = dict(model.held_out_metrics_)
    metrics.update({"task": model_config.task, "estimator": model_config.estimator,
                    "split": kind, "n_train": len(train), "n_test": len(test)})  # fmt: skip
    how = (f"{kind} split: {len(test):,} of {len(training.smiles):,} molecules held out as one "
           f"of the calibration folds (their model never saw them), seed {seed}")  # fmt: skip
    card = {k: v for k, v in training.card.items() if v is not None}
    model.describe(**card, held_out_test={**metrics, "how": how})
    if getattr(model, "selection_", None):
        metrics["selection"] = model.selection_
    metrics.update({"how": how, "cross_validation": model.cv_metrics_,
                    "features": model.features_description(), **card})  # fmt: skip
    test_data = {"y": training.y[model.held_out_index_],
                 "predictions": model.held_out_predictions_, "task": model_config.task}  # fmt: skip
    return model, metrics, test_data
