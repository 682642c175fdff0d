"""A trained ADMET panel (:class:`AdmetPanel`): one model per endpoint and the approved drugs'
quantiles; :func:`load_panel` reads one back from its folder (``panel.json`` and the models'
safe formats, no pickle).

>>> PANEL_FILE, N_QUANTILES
('panel.json', 101)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml._version import __version__
from drugml.models._admet_endpoints import (
    Endpoint,
    PanelLoadError,
    UnknownEndpointError,
    percentile_of,
    resolve_endpoints,
)

if TYPE_CHECKING:
    import pandas as pd

    from drugml.models import PropertyModel

__all__ = [
    "N_QUANTILES",
    "PANEL_FILE",
    "PANEL_FORMAT_VERSION",
    "REFERENCE_DATASET",
    "TIDY_COLUMNS",
    "AdmetPanel",
    "load_panel",
    "predict_shared",
]

#: Version of the ``panel.json`` layout; loading another fails clearly.
PANEL_FORMAT_VERSION = 1
#: The molecules each prediction is compared with (percentiles).
REFERENCE_DATASET = "approved_drugs"
#: Quantiles of the reference predictions stored per endpoint (0, 1, ..., 100 %).
N_QUANTILES = 101
PANEL_FILE = "panel.json"
#: Columns of :meth:`AdmetPanel.predict`, in order (``id`` follows ``record`` when the
#: input has identifiers).
TIDY_COLUMNS = (
    "record", "input", "smiles", "endpoint", "value", "lower", "upper", "prediction_set",
    "set_size", "in_domain", "nearest_similarity", "unit", "direction",
    "percentile_vs_approved_drugs", "ok", "error",
)  # fmt: skip


def predict_shared(
    models: Mapping[str, PropertyModel], smiles: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """Each model's :meth:`~PropertyModel.predict_mols` for valid standardized SMILES; each
    molecule parsed and fingerprinted once, featurized once per distinct featurizer."""
    from rdkit import Chem

    from drugml.featurize import bit_fingerprints, fingerprint_bits

    mols = [Chem.MolFromSmiles(s) for s in smiles]
    fps = bit_fingerprints(mols, radius=2, n_bits=2048)  # the domain's ECFP4 (predict_mols)
    bits = fingerprint_bits(fps)
    features: dict[str | None, Any] = {}
    out = {}
    for name, model in models.items():
        key = model.featurizer_key()
        if key is not None and key not in features:
            features[key] = model.featurizer_.transform(mols)
        out[name] = model.predict_mols(
            mols, features=features.get(key), domain_fingerprints=fps, domain_bits=bits
        )
    return out


class AdmetPanel:
    """A trained ADMET panel: one model per endpoint and the approved drugs' quantiles.

    Made by :func:`load_panel`. ``endpoints`` (name -> :class:`Endpoint`),
    ``models`` (name -> :class:`~drugml.models.PropertyModel`), ``quantiles``
    (name -> 101 values), ``info`` (the rest of ``panel.json``).
    """

    def __init__(
        self,
        endpoints: Mapping[str, Endpoint],
        models: Mapping[str, PropertyModel],
        quantiles: Mapping[str, Sequence[float]],
        info: Mapping[str, Any] | None = None,
        directory: Path | None = None,
    ) -> None:
        missing = [n for n in endpoints if n not in models or n not in quantiles]
        if missing:
            raise PanelLoadError(f"Endpoint(s) {missing} have no model or no reference quantiles")
        self.endpoints = dict(endpoints)
        self.models = dict(models)
        self.quantiles = {n: list(q) for n, q in quantiles.items()}
        self.info = dict(info or {})
        self.directory = directory

    def __repr__(self) -> str:
        return f"AdmetPanel({', '.join(self.endpoints)})"

    def percentile(self, endpoint: str, values: Any) -> np.ndarray:
        """Percentile (0-100) of ``values`` among the approved drugs' predictions of ``endpoint``.

        >>> from drugml.models.admet import ENDPOINTS
        >>> panel = AdmetPanel({"herg": ENDPOINTS["herg"]}, {"herg": None},
        ...                    {"herg": [0.1 * i for i in range(11)]})
        >>> panel.percentile("herg", [0.05, 0.5]).round(1).tolist()
        [5.0, 50.0]
        """
        if endpoint not in self.quantiles:
            raise UnknownEndpointError(f"{endpoint!r} is not in this panel: {list(self.endpoints)}")
        return percentile_of(values, self.quantiles[endpoint])

    def predict(self, smiles: Any, endpoints: Iterable[str] | str | None = None) -> pd.DataFrame:
        """The tidy table: one row per (input molecule, endpoint), inputs in order.

        ``smiles``: SMILES strings or RDKit molecules (a list or Series), or a
        table :func:`drugml.chem.read_molecules` returned (its ``id`` column is
        kept). Each input is standardized as :func:`drugml.chem.standardize`
        does. Columns: ``record`` (input position, 0-based), ``id`` (when
        given), ``input``, ``smiles`` (standardized), ``endpoint``, ``value``
        (probability, or the regression prediction), ``lower``/``upper`` (the
        regression interval), ``prediction_set``/``set_size`` (a classifier's
        conformal set at its coverage: ``"active"``, ``"inactive"``,
        ``"active|inactive"`` or ``""``; empty for regression, and for models
        saved before prediction sets), ``in_domain``, ``nearest_similarity``, ``unit``,
        ``direction`` (words), ``percentile_vs_approved_drugs`` (0-100), ``ok``
        and ``error``. An input that cannot be used keeps a row per endpoint
        with NaN and the reason: ``len(out) == len(inputs) * len(endpoints)``.
        """
        import pandas as pd

        chosen = self.endpoint_names(endpoints)
        std = self._standardize(smiles)
        ok = std["ok"].to_numpy(dtype=bool)
        valid = std.loc[ok, "smiles"].tolist()
        predicted = predict_shared({n: self.models[n] for n in chosen}, valid) if valid else {}
        n = len(std)
        blocks = []
        for name in chosen:
            endpoint = self.endpoints[name]
            values = _endpoint_values(predicted.get(name), endpoint.task, ok)
            block = pd.DataFrame(
                {
                    "record": np.arange(n),
                    "input": std["input"].to_numpy(),
                    "smiles": std["smiles"].to_numpy(),
                    "endpoint": name,
                    **values,
                    "unit": endpoint.unit,
                    "direction": endpoint.direction,
                    "percentile_vs_approved_drugs": self.percentile(name, values["value"]),
                    "ok": ok,
                    "error": std["error"].to_numpy(),
                }
            )
            if "id" in std.columns:
                block.insert(1, "id", std["id"].to_numpy())
            blocks.append(block)
        if not blocks or not n:
            columns = list(TIDY_COLUMNS)
            if "id" in std.columns:
                columns.insert(1, "id")
            return pd.DataFrame(columns=columns)
        # Molecule by molecule, each with its endpoints in the panel's order.
        tidy = pd.concat(blocks, ignore_index=True)
        return tidy.sort_values("record", kind="stable").reset_index(drop=True)

    def predict_wide(
        self, smiles: Any, endpoints: Iterable[str] | str | None = None, percentiles: bool = False
    ) -> pd.DataFrame:
        """One row per input with the screen's columns of every endpoint.

        Columns: ``record``, ``id`` (when given), ``input``, ``smiles``, ``ok``,
        ``error``, then per endpoint :func:`drugml.schema.model_columns`
        (``herg_probability``, ``herg_nearest_similarity``, ``herg_in_domain``;
        ``caco2_wang_prediction``, ``..._lower``, ``..._upper``, ...) so that a
        ranking's objectives and filters can name them; ``percentiles`` adds
        ``<endpoint>_percentile_vs_approved_drugs``.
        """
        from drugml.schema import model_columns

        tidy = self.predict(smiles, endpoints)
        keys = ["record", "id", "input", "smiles", "ok", "error"]
        keys = [k for k in keys if k in tidy.columns]
        chosen = self.endpoint_names(endpoints)
        first = tidy[tidy["endpoint"] == chosen[0]] if len(tidy) else tidy
        wide = first[keys].reset_index(drop=True)
        for name in chosen:
            endpoint = self.endpoints[name]
            rows = tidy[tidy["endpoint"] == name].reset_index(drop=True)
            source = {"prediction": "value", "probability": "value"}
            for column in model_columns(name, endpoint.task):
                output = column[len(name) + 1 :]
                wide[column] = rows[source.get(output, output)].to_numpy()
            if percentiles:
                wide[f"{name}_percentile_vs_approved_drugs"] = rows[
                    "percentile_vs_approved_drugs"
                ].to_numpy()
        return wide

    def endpoint_names(self, endpoints: Iterable[str] | str | None = None) -> list[str]:
        """The names of ``endpoints`` (default: every endpoint of the panel), checked."""
        if endpoints is None:
            return list(self.endpoints)
        names = [e.name for e in resolve_endpoints(endpoints)]
        absent = [n for n in names if n not in self.endpoints]
        if absent:
            raise UnknownEndpointError(
                f"Endpoint(s) {absent} are not in this panel; it has {list(self.endpoints)}"
            )
        return names

    @staticmethod
    def _standardize(smiles: Any) -> pd.DataFrame:
        import pandas as pd

        from drugml.chem import standardize

        if isinstance(smiles, str):
            smiles = [smiles]  # one SMILES is one molecule here, not a list of characters
        if isinstance(smiles, pd.DataFrame):
            return standardize(smiles, progress=False).reset_index(drop=True)
        return standardize(list(smiles), progress=False)


def _endpoint_values(frame: pd.DataFrame | None, task: str, ok: np.ndarray) -> dict[str, Any]:
    """One endpoint's columns of the tidy table, from its model's predictions ``frame`` of
    the ``ok`` inputs (None: no input was usable); NaN, None or ``<NA>`` for the others."""
    import pandas as pd

    n = len(ok)
    value, lower, upper, similarity = (np.full(n, np.nan) for _ in range(4))
    prediction_set = np.full(n, None, dtype=object)
    set_size = pd.array([pd.NA] * n, dtype="Int64")
    in_domain = pd.array([pd.NA] * n, dtype="boolean")
    if frame is not None:
        value[ok] = frame["probability" if task == "classification" else "prediction"]
        if task == "regression":
            lower[ok], upper[ok] = frame["lower"], frame["upper"]
        if "prediction_set" in frame:  # models saved before prediction sets have none
            prediction_set[ok] = frame["prediction_set"].to_numpy(dtype=object)
            set_size[ok] = frame["set_size"].to_numpy(dtype=int)
        similarity[ok] = frame["nearest_similarity"]
        in_domain[ok] = frame["in_domain"].to_numpy(dtype=bool)
    return {
        "value": value,
        "lower": lower,
        "upper": upper,
        "prediction_set": prediction_set,
        "set_size": set_size,
        "in_domain": in_domain,
        "nearest_similarity": similarity,
    }


def load_panel(directory: str | Path, strict_versions: bool = True) -> AdmetPanel:
    """Load a panel :func:`train_panel` wrote (JSON and the models' safe formats; no pickle).

    >>> panel = load_panel("models/admet")  # doctest: +SKIP
    >>> panel.predict(["CC(=O)Oc1ccccc1C(=O)O"])  # doctest: +SKIP
    """
    from drugml.models import ModelLoadError, PropertyModel

    directory = Path(directory)
    file = directory / PANEL_FILE
    if not file.is_file():
        raise PanelLoadError(
            f"{directory} is not an ADMET panel: no {PANEL_FILE} "
            "(train one with `drugml admet train --out DIR`)"
        )
    try:
        info = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise PanelLoadError(f"{file} is not valid JSON: {exc}") from exc
    if info.get("format_version") != PANEL_FORMAT_VERSION:
        raise PanelLoadError(
            f"{file} has format version {info.get('format_version')!r}; this drugml "
            f"({__version__}) reads {PANEL_FORMAT_VERSION}. Retrain it."
        )
    known = {f.name for f in fields(Endpoint)}
    endpoints, models = {}, {}
    for name in info["endpoints"]:
        row = info["endpoint_table"][name]
        endpoints[name] = Endpoint(**{k: v for k, v in row.items() if k in known})
        model_dir = directory / info["models"][name]["directory"]
        try:
            models[name] = PropertyModel.load(model_dir, strict_versions=strict_versions)
        except ModelLoadError as exc:
            raise PanelLoadError(f"Model of endpoint {name!r} in {model_dir}: {exc}") from exc
    quantiles = info["reference"]["quantiles"]
    return AdmetPanel(endpoints, models, quantiles, info, directory)
