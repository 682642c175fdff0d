"""The chunk worker: one chunk of library records in, its scored rows and its rejects out.

:func:`score_chunk` is what a worker process or a Dask worker runs; it is sent
by reference (``drugml.screening.screen._chunk.score_chunk``), so it stays a
module-level function, and each worker loads a model folder once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.schema import DEFAULT_ALERTS, MODEL_OUTPUTS, PROFILED, filter_columns, model_column

if TYPE_CHECKING:
    import pandas as pd

    from drugml.screening.screen._bound import ShortlistBound

__all__ = ["DOMAIN_OUTPUTS", "score_chunk"]

#: Columns a molecule of the short-list profile may leave empty: what the
#: domain search gives (the interval and the domain) and the expensive
#: drug-likeness (alerts, QED, SA score). Properties and rules are always there.
DOMAIN_OUTPUTS = ("lower", "upper", "nearest_similarity", "in_domain")

_MODEL_CACHE: dict[str, Any] = {}


def _load_model(directory: str) -> Any:
    """Each worker process loads a model directory once."""
    from drugml.models import PropertyModel

    if directory not in _MODEL_CACHE:
        _MODEL_CACHE[directory] = PropertyModel.load(directory)
    return _MODEL_CACHE[directory]


def score_chunk(
    records: pd.DataFrame,
    model_dirs: Mapping[str, str],
    keep_columns: tuple[str, ...] = (),
    alerts: tuple[str, ...] = DEFAULT_ALERTS,
    profile: str = "full",
    bound: ShortlistBound | None = None,
) -> tuple:
    """Score one chunk of library records: ``(scored, rejected)`` DataFrames.

    ``records`` has the columns of :func:`drugml.chem.iter_molecules`; the
    ``keep_columns`` of it are carried into the scored table; ``alerts`` are
    the alert catalogues checked. Every record ends in exactly one of the two
    tables. ``profile="shortlist"`` with a ``bound`` (:class:`ShortlistBound`)
    leaves the domain and the expensive drug-likeness columns of molecules
    that cannot reach the short list empty and adds :data:`drugml.schema.PROFILED`.
    """
    std = _standardized(records, keep_columns)
    accepted, rejected = _split_rejected(std)
    accepted, mols, rejected = _parse_again(accepted, rejected)
    scored = accepted[["record", "id", "input", "smiles", "inchikey", *keep_columns]].copy()
    shortlist = profile == "shortlist"
    if mols:
        rows, profiled = _profile(scored, mols, model_dirs, alerts, shortlist, bound)
        _add_druglikeness(scored, rows, alerts, profiled)
    elif shortlist:
        scored[PROFILED] = np.zeros(0, dtype=bool)
    del mols
    return scored, rejected.sort_values("record", ignore_index=True)


def _standardized(records: pd.DataFrame, keep_columns: Sequence[str]) -> pd.DataFrame:
    """The records standardized, with their record numbers and the kept columns."""
    import pandas as pd

    from drugml.chem import standardize

    std = standardize(
        records[["record", "id", "input", "read_error"]],
        smiles_column="input",
        id_column="id",
        progress=False,
    )
    std.insert(0, "record", records["record"].to_numpy())
    for column in keep_columns:
        # as text: a chunk whose names are all empty would read as float NaN, and the
        # parts of one screen must agree on every column's type
        std[column] = pd.array(records[column].to_numpy(), dtype="string")
    return std


def _split_rejected(std: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(accepted, rejected)``: the rejected records with the reason of each."""
    failed = ~std["ok"]
    rejected = std.loc[failed, ["record", "input"]].copy()
    # The message already starts with what went wrong ("unparsable: ...",
    # "bad valence: ..."): the error type is said only where there is no message.
    rejected["reason"] = [
        error if error else str(kind)
        for kind, error in zip(std.loc[failed, "error_type"], std.loc[failed, "error"], strict=True)
    ]
    return std[std["ok"]].reset_index(drop=True), rejected


def _parse_again(
    accepted: pd.DataFrame, rejected: pd.DataFrame
) -> tuple[pd.DataFrame, list, pd.DataFrame]:
    """The standardized SMILES parsed; one that does not parse again joins the rejects."""
    import pandas as pd
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        mols = [Chem.MolFromSmiles(s) for s in accepted["smiles"]]
    lost = [i for i, m in enumerate(mols) if m is None]  # standardized but unreadable: rare
    if lost:
        extra = accepted.loc[lost, ["record", "input"]].assign(
            reason="standardized SMILES does not parse again"
        )
        rejected = pd.concat([rejected, extra], ignore_index=True)
        keep = [i for i, m in enumerate(mols) if m is not None]
        accepted = accepted.loc[keep].reset_index(drop=True)
        mols = [mols[i] for i in keep]
    return accepted, mols, rejected


def _profile(
    scored: pd.DataFrame,
    mols: list,
    model_dirs: Mapping[str, str],
    alerts: tuple[str, ...],
    shortlist: bool,
    bound: ShortlistBound | None,
) -> tuple[list[dict], np.ndarray | None]:
    """Every model's columns into ``scored``; the drug-likeness rows and the ``profiled``
    mask (None for the full profile)."""
    from drugml.featurize import bit_fingerprints, fingerprint_bits, shared_descriptors
    from drugml.screening.filters import druglikeness_rows

    # The models' descriptors and the drug-likeness properties share values.
    with shared_descriptors():
        fps = bit_fingerprints(mols, radius=2, n_bits=2048)
        bits = fingerprint_bits(fps)  # every model's domain search reads these
        models = {name: _load_model(directory) for name, directory in model_dirs.items()}
        features = _features(models, mols)
        if shortlist:
            return _shortlist_profile(scored, mols, fps, bits, models, features, alerts, bound)
        for name, model in models.items():
            out = model.predict_mols(
                mols, features.get(model.featurizer_key()), fps, domain_bits=bits
            )
            for column in out.columns:
                scored[model_column(name, column)] = out[column].to_numpy()
        return druglikeness_rows(mols, alerts), None


def _features(models: Mapping[str, Any], mols: list) -> dict[str | None, np.ndarray]:
    """Each featurizer's output, computed once for the models that share it."""
    features: dict[str | None, np.ndarray] = {}
    for model in models.values():
        key = model.featurizer_key()
        if key is not None and key not in features:
            features[key] = model.featurizer_.transform(mols)
    return features


def _add_druglikeness(
    scored: pd.DataFrame, rows: list[dict], alerts: tuple[str, ...], profiled: np.ndarray | None
) -> None:
    """The drug-likeness columns into ``scored`` (and the short-list profile's flag)."""
    import pandas as pd

    properties = pd.DataFrame.from_records(rows)
    for column in filter_columns(alerts):
        scored[column] = properties[column].to_numpy() if column in properties else np.nan
    if profiled is not None:
        for name in alerts:  # flags of molecules not profiled are unknown, not False
            scored[name] = pd.array(scored[name].to_numpy(), dtype="boolean")
        scored[PROFILED] = profiled


def _shortlist_profile(
    scored: pd.DataFrame,
    mols: list,
    fps: list,
    bits: np.ndarray,
    models: Mapping[str, Any],
    features: Mapping[str | None, np.ndarray],
    alerts: tuple[str, ...],
    bound: ShortlistBound | None,
) -> tuple[list[dict], np.ndarray]:
    """The short-list profile of one chunk: predictions, properties and rules of every
    molecule (into ``scored``), the rest for those that may reach the pool.

    Returns the drug-likeness rows and the ``profiled`` mask.
    """
    from drugml.screening.filters import druglikeness_rows

    predictions = _predict_without_domain(scored, mols, fps, models, features)
    rows, computed = _property_columns(scored, mols)
    domain = {
        model_column(name, output)
        for name in models
        for output in DOMAIN_OUTPUTS
        if output in MODEL_OUTPUTS
    }
    profile = set(filter_columns(alerts)) - set(computed)
    if bound is None:
        searched = np.ones(len(mols), dtype=bool)
    else:
        searched = bound.needed(scored, unknown=domain | profile)
    if searched.any():
        _search_domain(scored, mols, fps, bits, models, features, predictions, searched)
    profiled = searched.copy()
    if bound is not None and searched.any():
        chosen = np.flatnonzero(searched)
        profiled[chosen] = bound.needed(scored.iloc[chosen], unknown=profile)
    full = druglikeness_rows([mols[i] for i in np.flatnonzero(profiled)], alerts)
    for i, row in zip(np.flatnonzero(profiled), full, strict=True):
        rows[i] = row
    return rows, profiled


def _predict_without_domain(
    scored: pd.DataFrame,
    mols: list,
    fps: list,
    models: Mapping[str, Any],
    features: Mapping[str | None, np.ndarray],
) -> dict[str, pd.DataFrame]:
    """Every model's predictions of every molecule into ``scored``, no domain search."""
    predictions = {}
    for name, model in models.items():
        out = model.predict_mols(mols, features.get(model.featurizer_key()), fps, domain=False)
        predictions[name] = out
        for column in out.columns:  # .array: in_domain stays a nullable boolean
            scored[model_column(name, column)] = out[column].array
    return predictions


def _property_columns(scored: pd.DataFrame, mols: list) -> tuple[list[dict], list[str]]:
    """Properties and rules of every molecule into ``scored``: their rows and columns."""
    import pandas as pd

    from drugml.screening.filters import property_rows

    rows = property_rows(mols)
    properties = pd.DataFrame.from_records(rows)
    for column in properties.columns.drop(["ok", "error"]):
        scored[column] = properties[column].to_numpy()
    return rows, list(properties.columns)


def _search_domain(
    scored: pd.DataFrame,
    mols: list,
    fps: list,
    bits: np.ndarray,
    models: Mapping[str, Any],
    features: Mapping[str | None, np.ndarray],
    predictions: Mapping[str, pd.DataFrame],
    searched: np.ndarray,
) -> None:
    """The domain columns (interval, nearest similarity, in domain) of the ``searched``
    molecules into ``scored``; the others stay empty."""
    import pandas as pd

    n = len(mols)
    chosen = np.flatnonzero(searched)
    for name, model in models.items():
        out = _domain_of(model, mols, fps, bits, features, predictions[name], searched)
        for output in DOMAIN_OUTPUTS:
            if output not in out:
                continue
            column = model_column(name, output)
            if output == "in_domain":
                values = pd.array(np.full(n, np.nan), dtype="boolean")
            else:
                values = np.full(n, np.nan)
            values[chosen] = out[output].to_numpy()
            scored[column] = values


def _domain_of(
    model: Any,
    mols: list,
    fps: list,
    bits: np.ndarray,
    features: Mapping[str | None, np.ndarray],
    first: pd.DataFrame,
    searched: np.ndarray,
) -> pd.DataFrame:
    """One model's outputs with the domain search for the ``searched`` molecules."""
    chosen = np.flatnonzero(searched)
    own = features.get(model.featurizer_key())
    out = model.predict_mols(
        [mols[i] for i in chosen],
        None if own is None else own[chosen],
        [fps[i] for i in chosen],
        domain_bits=bits[chosen],
    )
    same = all(
        np.array_equal(out[c].to_numpy(), first[c].to_numpy()[chosen])
        for c in first.columns
        if c not in DOMAIN_OUTPUTS
    )
    if not same:
        # a backend whose answer depends on the batch: search with the whole chunk
        out = model.predict_mols(mols, own, fps, domain=searched, domain_bits=bits).iloc[chosen]
    return out
