"""A campaign: its configuration (checked before any work) and the run, as a list of steps.

Example
-------
>>> from drugml.campaign import load_config
>>> from drugml.campaign.pipeline import default_config_path
>>> load_config(default_config_path()).name
'EGFR'
"""

from __future__ import annotations

from drugml._util.lazy import lazy_submodules
from drugml.campaign.config import CampaignConfig, ConfigError, load_config

__getattr__, __dir__ = lazy_submodules(__name__, ("config", "pipeline"), globals())

__all__ = ["CampaignConfig", "ConfigError", "config", "load_config", "pipeline"]
