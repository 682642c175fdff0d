"""The ADMET panel: one model per ADMET endpoint, predictions in context of the approved drugs.

Twelve endpoints of the Therapeutics Data Commons ADMET benchmark group
(Huang et al. 2021), each an embedded data set (``data/admet/``), are listed
in one table, :data:`ENDPOINTS`: what each predicts in plain words, its unit,
which direction is better (and a sign for ranking), the transform of its
target, TDC's metric and the leaderboard's best value on TDC's test partition.
Adding an endpoint is adding one row.

- :func:`ready_panel` is the panel ready to predict: built once on first use into a user
  cache (about 8 minutes on 2 cores for all twelve endpoints, with a progress bar), loaded
  in seconds after that; ``drugml admet build`` builds it ahead.
- :func:`train_panel` fits one :class:`~drugml.models.PropertyModel` per
  endpoint on TDC's ``train_val`` rows only (standardized as
  :func:`drugml.chem.standardize` does), scores it on TDC's ``test`` rows with
  TDC's metric (written into its model card and ``panel.json``), saves it to
  ``out_dir/<endpoint>/`` and stores, per endpoint, 101 quantiles of its
  predictions for the approved drugs (:func:`drugml.data.load` ``("approved_drugs")``,
  standardized and deduplicated): the reference for percentiles.
- :func:`load_panel` reads it back (JSON and the models' safe formats; no
  pickle) as an :class:`AdmetPanel`, whose :meth:`~AdmetPanel.predict` gives a
  tidy table (one row per molecule and endpoint: value, interval, domain,
  unit, direction, percentile among the approved drugs) and
  :meth:`~AdmetPanel.predict_wide` the screen's columns
  (:func:`drugml.schema.model_columns`).

Each endpoint's folder is an ordinary saved model, so ``drugml screen LIB
--model herg=models/admet/herg`` puts it into a screen and a ranking.

Example
-------
>>> from drugml.models.admet import ENDPOINTS
>>> ENDPOINTS["herg"].direction
'higher probability of blocking hERG is worse'
>>> ENDPOINTS["clearance_microsome_az"].objective_shape
'decreasing'
>>> from drugml.models.admet import ready_panel
>>> ready_panel(["herg", "hia_hou"]).predict(["CCO"])  # doctest: +SKIP
>>> from drugml.models.admet import train_panel, load_panel
>>> folder = train_panel("models/admet", endpoints=["herg", "hia_hou"])  # doctest: +SKIP
>>> load_panel(folder).predict(["CCO"])  # doctest: +SKIP
"""

from __future__ import annotations

# The endpoint table, the panel and its training live in private files; this module is
# where they are imported from. N_QUANTILES, PANEL_FILE and TIDY_COLUMNS (the panel's file
# and table layout) are public here too, though not in __all__, as before the split.
from drugml.models._admet_endpoints import (
    ENDPOINTS,
    AdmetError,
    Endpoint,
    PanelLoadError,
    UnknownEndpointError,
    endpoint_table,
    percentile_of,
    tdc_score,
)
from drugml.models._admet_panel import N_QUANTILES as N_QUANTILES
from drugml.models._admet_panel import PANEL_FILE as PANEL_FILE
from drugml.models._admet_panel import (
    PANEL_FORMAT_VERSION,
    REFERENCE_DATASET,
    AdmetPanel,
    load_panel,
)
from drugml.models._admet_panel import TIDY_COLUMNS as TIDY_COLUMNS
from drugml.models._admet_ready import CACHE_ENV, ready_panel, ready_panel_dir
from drugml.models._admet_training import train_panel

__all__ = [
    "CACHE_ENV",
    "ENDPOINTS",
    "PANEL_FORMAT_VERSION",
    "REFERENCE_DATASET",
    "AdmetError",
    "AdmetPanel",
    "Endpoint",
    "PanelLoadError",
    "UnknownEndpointError",
    "endpoint_table",
    "load_panel",
    "percentile_of",
    "ready_panel",
    "ready_panel_dir",
    "tdc_score",
    "train_panel",
]
