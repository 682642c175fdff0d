"""The tables a :class:`~drugml.models.PropertyModel` predicts: one row per molecule with the
prediction, its interval or calibrated probability (and a classifier's conformal prediction
set), and the applicability domain; and the same per input, with the inputs that could not
be parsed kept as rows that say why.

>>> import pandas as pd
>>> table = pd.DataFrame({"probability": [0.8], "in_domain": [1.0]})
>>> out = per_input_table(table, np.array([True, False]), [None, "bad SMILES"], "classification")
>>> out["prediction"].tolist(), out["in_domain"].tolist(), out["error"][1]
([1, <NA>], [True, False], 'bad SMILES')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.models._calibration import apply_platt, inverse_transform
from drugml.models._conformal_sets import prediction_sets
from drugml.models._domain import nearest_similarity, neighbour_similarities

if TYPE_CHECKING:
    import pandas as pd


#: A drugml.models.PropertyModel; not imported here, since its module imports this one.
PropertyModel = Any

__all__ = ["interval", "per_input_table", "prediction_table"]


def prediction_table(
    model: PropertyModel, raw: np.ndarray, bits: np.ndarray, searched: np.ndarray
) -> pd.DataFrame:
    """:meth:`PropertyModel.predict_mols <drugml.models.PropertyModel.predict_mols>`'s table
    from the estimator's ``raw`` predictions and the domain ``bits`` of the ``searched``
    molecules (the others get NaN and ``<NA>``)."""
    import pandas as pd

    n = len(searched)
    out = pd.DataFrame(index=range(n))
    similarity = np.full(n, np.nan)
    if model.task == "regression":
        local = np.full(n, np.nan)
        near, local[searched] = neighbour_similarities(bits, model.training_bits_)
        similarity[searched] = near
        transform = getattr(model, "target_transform_", None)
        lower, upper = np.full(n, np.nan), np.full(n, np.nan)
        lower[searched], upper[searched] = interval(model, raw[searched], local[searched])
        out["prediction"] = inverse_transform(transform, raw)
        out["lower"] = inverse_transform(transform, lower)
        out["upper"] = inverse_transform(transform, upper)
    else:
        similarity[searched] = nearest_similarity(bits, model.training_bits_)
        probability = apply_platt(model.calibrator_, raw) if len(raw) else raw
        out["prediction"] = (probability >= 0.5).astype(int)
        out["probability"] = probability
        conformal = getattr(model, "class_conformal_", None)
        if conformal:  # models saved before prediction sets have none
            out["prediction_set"], out["set_size"] = prediction_sets(conformal, probability)
    out["nearest_similarity"] = similarity
    in_domain = similarity >= model.domain_threshold_
    if searched.all():
        out["in_domain"] = in_domain
    else:
        out["in_domain"] = pd.arrays.BooleanArray(in_domain & searched, ~searched)
    return out


def interval(
    model: PropertyModel, prediction: np.ndarray, local_similarity: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The interval at each molecule's local similarity (models saved before adaptive
    intervals: their one width for every molecule)."""
    calibrator = getattr(model, "interval_calibrator_", None)
    if calibrator is None:
        return prediction - model.conformal_quantile_, prediction + model.conformal_quantile_
    return calibrator.interval(prediction, local_similarity)


def per_input_table(
    parsed: pd.DataFrame, ok: np.ndarray, errors: list[Any], task: str
) -> pd.DataFrame:
    """:meth:`PropertyModel.predict <drugml.models.PropertyModel.predict>`'s table: the rows
    ``parsed`` for the inputs that are ``ok``, NaN and the ``errors`` for the others."""
    import pandas as pd

    valid = np.flatnonzero(ok)
    out = pd.DataFrame(index=range(len(ok)), columns=parsed.columns)
    for column in parsed.columns:
        if column == "prediction_set":  # text: None where there is no prediction
            values = np.full(len(ok), None, dtype=object)
            values[valid] = parsed[column].to_numpy(dtype=object)
        else:
            values = np.full(len(ok), np.nan)
            values[valid] = parsed[column].to_numpy(dtype=float)
        out[column] = values
    if task == "classification":
        out["prediction"] = pd.array(
            np.where(ok, out["probability"] >= 0.5, pd.NA), dtype="boolean"
        ).astype("Int64")
    if "set_size" in out:
        out["set_size"] = out["set_size"].astype("Int64")
    out["in_domain"] = np.where(ok, out["in_domain"] == 1.0, False)
    out["ok"] = ok
    out["error"] = errors
    return out
