"""A screen's settings: one frozen dataclass, each option's default and rule declared once.

:func:`~drugml.screening.screen.screen_library` takes them as ``settings=`` and
each of its keywords as an override of one field, so a call of either kind
reads the same defaults and is checked by the same rules.

Example
-------
>>> settings = ScreenSettings(chunk_size=500)
>>> settings.chunk_size, settings.alerts
(500, ('pains', 'brenk'))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drugml.errors import DrugmlError
from drugml.schema import ALERT_CATALOGS, DEFAULT_ALERTS
from drugml.screening.ranking_config import RankingSource

__all__ = [
    "BACKENDS",
    "DEFAULT_CHUNK_SIZE",
    "PROFILES",
    "NothingScreenedError",
    "ScreenConfigError",
    "ScreenOptionError",
    "ScreenSettings",
]

#: Records per chunk of a screen (``chunk_size``): a chunk is the unit of work sent to a
#: worker, of resuming, and of the output's part files.
DEFAULT_CHUNK_SIZE = 1000
#: ``profile=`` values of :func:`screen_library` (see :class:`ShortlistBound`).
PROFILES = ("full", "shortlist")
#: ``backend=`` values: worker processes on this machine, or a Dask cluster.
BACKENDS = ("local", "dask")


class ScreenConfigError(DrugmlError, ValueError):
    """The screen cannot start: a missing file or model, or an output folder of another run."""


class ScreenOptionError(ScreenConfigError, TypeError):
    """A keyword :func:`screen_library` does not know (a ``TypeError`` too, as Python says it)."""


class NothingScreenedError(DrugmlError, ValueError):
    """Every record of the library was rejected (or it has none): nothing to rank.

    The rejects, with their reasons, are written before this is raised.
    """


@dataclass(frozen=True)
class ScreenSettings:
    """How a library is screened (every option of :func:`screen_library` but its inputs).

    ``chunk_size``: records per chunk; ``n_jobs``: worker processes (local) or
    the workers of the LocalCluster a Dask screen starts; ``backend``:
    ``"local"`` or ``"dask"``; ``client``: a Dask ``Client`` or scheduler
    address; ``resume``: skip the chunks a killed run of the same screen
    finished (``False``: start over); ``smiles_column``/``id_column``: the
    library's columns (found by name when None); ``keep_columns``: library
    columns carried into the results as text; ``alerts``: the structural-alert
    catalogues checked; ``progress``: ``False`` silences the bar and the closing
    line; ``profile``: ``"full"`` or ``"shortlist"``; ``ranking``: the ranking a
    short-list screen bounds with (default: the default ranking).
    """

    chunk_size: int = DEFAULT_CHUNK_SIZE
    n_jobs: int = 1
    backend: str = "local"
    client: Any = None
    resume: bool = True
    smiles_column: str | None = None
    id_column: str | None = None
    keep_columns: tuple[str, ...] = ()
    alerts: tuple[str, ...] = DEFAULT_ALERTS
    progress: bool | None = None
    profile: str = "full"
    ranking: RankingSource = None

    def __post_init__(self) -> None:
        if self.chunk_size < 1:
            raise ScreenConfigError(f"chunk_size must be at least 1, got {self.chunk_size}")
        if self.backend not in BACKENDS:
            raise ScreenConfigError(f"backend must be 'local' or 'dask', got {self.backend!r}")
        alerts = tuple(self.alerts)
        object.__setattr__(self, "alerts", alerts)
        unknown = [name for name in alerts if name not in ALERT_CATALOGS]
        if unknown or len(set(alerts)) != len(alerts):
            raise ScreenConfigError(
                f"alerts must be distinct names of {list(ALERT_CATALOGS)}, got {list(alerts)}"
            )
        if self.profile not in PROFILES:
            raise ScreenConfigError(f"profile must be one of {PROFILES}, got {self.profile!r}")
        object.__setattr__(self, "keep_columns", tuple(self.keep_columns))

    @property
    def read_options(self) -> dict[str, str | None]:
        """How the library is read (:func:`drugml.chem.iter_molecules`' column options)."""
        return {"smiles_column": self.smiles_column, "id_column": self.id_column}
