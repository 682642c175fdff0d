"""A whole campaign, target to ranked candidates, from one configuration: ``drugml run``.

:func:`run` reads a configuration (:mod:`drugml.campaign.config`; the EGFR default
ships as ``drugml/campaign/configs/egfr.yaml``, a second example built from plain
tables as ``drugml/campaign/configs/table_example.yaml``: :func:`example_configs`),
checks every file, column, the structure and the ranking's columns before
any work starts (:func:`check_inputs`), then:

1. prepares each model's training data: ChEMBL activity records are curated
   by :mod:`drugml.chem.curate`; a plain table is standardized and merged per
   structure by :func:`drugml.chem.curate.curate_table`; nothing is dropped
   without a row saying why;
2. trains each model, reports it on a held-out split (scaffold, cluster or
   random) that is one of its calibration folds, and saves it with its
   model card;
3. screens the library once with every model and the drug-likeness filters
   (:mod:`drugml.screening.screen`); salt forms of one parent (same InChIKey) merge;
4. ranks the candidates on the configured objectives and filters
   (:mod:`drugml.screening.rank`; columns from :mod:`drugml.schema`); a screen of more
   than :data:`IN_MEMORY_RANKING_ROWS` rows is ranked streaming
   (:mod:`drugml.screening.rank_stream`: ``ranked/`` holds every structure,
   ``ranked_candidates.csv`` the top 1,000, Pareto fronts over the best pool);
5. checks itself: where do the known actives named in the configuration
   land? Enrichment factors at 1 % and 5 % and BEDROC (alpha 20), on the
   whole library and without the compounds any model was trained on, for
   the final ranking and for each scoring model alone (:mod:`drugml.models.metrics`);
6. writes ``out_dir``: ``ranked_candidates.csv`` / ``.parquet``,
   ``models/<name>/`` (safe formats, model cards), ``training/<name>/``
   (the curated table, the curation log and every rejected record),
   ``screen/`` (parts, rejects, manifest), ``metrics.json``,
   ``config.yaml`` (the resolved configuration) and the self-contained
   ``report.html``.

The same seed gives the same ranking. Nothing is downloaded.

Example
-------
>>> from drugml.campaign.pipeline import default_config_path, load_config
>>> config = load_config(default_config_path())
>>> config.name, [m.name for m in config.models]
('EGFR', ['potency', 'solubility'])
"""

from __future__ import annotations

from drugml.campaign._docking import dock_candidates, docking_setup, rerank_docked
from drugml.campaign._inputs import CampaignInputs, check_inputs, input_label
from drugml.campaign._run import IN_MEMORY_RANKING_ROWS, CampaignRun, lead_models, run
from drugml.campaign._training import TrainingData, train_model, training_data
from drugml.campaign.config import (
    CONFIG_DIR,
    ConfigError,
    default_config_path,
    example_configs,
    load_config,
)

__all__ = [
    "CONFIG_DIR",
    "IN_MEMORY_RANKING_ROWS",
    "CampaignInputs",
    "CampaignRun",
    "ConfigError",
    "TrainingData",
    "check_inputs",
    "default_config_path",
    "dock_candidates",
    "docking_setup",
    "example_configs",
    "input_label",
    "lead_models",
    "load_config",
    "rerank_docked",
    "run",
    "train_model",
    "training_data",
]
