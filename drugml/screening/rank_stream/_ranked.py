"""A finished ranking: the folder :func:`rank_screen` writes, and :class:`RankedScreen`, what a
report or a validation reads back from it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from drugml.schema import RANKED_CSV, RANKED_PARQUET
from drugml.screening.rank_stream._check import ScreenFolderError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HIGHLIGHTS", "RANKED", "SUMMARY", "TOP_CSV", "TOP_PARQUET", "RankedScreen"]

#: The ranking's counts, histograms and stamp; written last, it marks a finished ranking.
SUMMARY = "ranking.json"
#: The folder of every structure's row, in rank order (``part-NNNNNN.parquet``).
RANKED = "ranked"
#: The names drugml 0.x gave the top rows' files (:data:`drugml.schema.RANKED_CSV` ...).
TOP_CSV = RANKED_CSV
TOP_PARQUET = RANKED_PARQUET
HIGHLIGHTS = "ranking_highlights.parquet"


@dataclass
class RankedScreen:
    """A ranking written by :func:`rank_screen`: what a report or a validation needs.

    ``top``: the ``top_n`` best rows (every column); ``highlights``: the short
    list, the pool (``in_pool``), the known actives and an even sample of
    passing molecules (``in_sample``); ``summary``: ``ranking.json`` (counts,
    histograms, the known actives' places). Every row is in ``folder/ranked/``.
    """

    folder: Path
    summary: dict[str, Any]
    top: Any = field(repr=False)
    highlights: Any = field(repr=False)

    @classmethod
    def load(cls, folder: str | Path) -> RankedScreen:
        """Read a finished ranking folder (``ranking.json`` marks it complete)."""
        import pandas as pd

        folder = Path(folder)
        if not (folder / SUMMARY).is_file():
            raise ScreenFolderError(
                f"{folder} holds no finished ranking (no {SUMMARY}); run "
                f"`drugml rank SCREEN_DIR --out {folder}`"
            )
        summary = json.loads((folder / SUMMARY).read_text())
        return cls(
            folder,
            summary,
            pd.read_parquet(folder / RANKED_PARQUET),
            pd.read_parquet(folder / HIGHLIGHTS),
        )

    def __len__(self) -> int:
        return int(self.summary["structures"])

    @property
    def selected(self) -> pd.DataFrame:
        """The diverse short list, in rank order."""
        return self.highlights[self.highlights["selected"]].reset_index(drop=True)

    @property
    def known(self) -> pd.DataFrame:
        """The known actives found, in rank order (empty without known actives)."""
        if "known_active" not in self.highlights:
            return self.highlights.iloc[:0]
        return self.highlights[self.highlights["known_active"]].reset_index(drop=True)

    @property
    def sample(self) -> pd.DataFrame:
        """Passing molecules evenly spaced along the ranking (for scatter plots)."""
        return self.highlights[self.highlights["in_sample"]].reset_index(drop=True)

    @property
    def pool(self) -> pd.DataFrame:
        """The best pool: the molecules with a ``pareto_rank``."""
        return self.highlights[self.highlights["in_pool"]].reset_index(drop=True)

    @property
    def known_inchikeys(self) -> set[str]:
        """InChIKeys of the known actives found in the screen."""
        return set(self.summary.get("known_actives", {}).get("inchikeys", []))

    def enrichment(self, by: str = "rank", without_training: bool = False) -> dict[str, Any]:
        """:func:`drugml.models.metrics.enrichment_summary` of the known actives, from their places.

        ``by``: ``"rank"`` or a column of ``rank_by`` (higher is better);
        ``without_training``: the training compounds left out first.
        """
        from drugml.models.metrics import enrichment_from_positions

        places = self.summary.get("known_actives", {}).get("places", {})
        key = f"{by}|{'unseen' if without_training else 'all'}"
        if key not in places:
            raise KeyError(f"no places by {by!r} in this ranking; it has {sorted(places)}")
        entry = places[key]
        return enrichment_from_positions(entry["positions"], entry["n"], by=by)

    @property
    def training_marked(self) -> bool:
        """Whether the ranking knows which compounds trained a model (``trained_on`` given)."""
        return self.summary.get("stamp", {}).get("trained_on") is not None

    def validation(self, leads: Mapping[str, str]) -> dict[str, Any]:
        """The known actives' enrichment, as a run's ``metrics.json`` keeps it.

        ``all_compounds`` by the final ranking and ``<lead>_alone`` by each lead
        model's column (``leads``: model -> column of ``rank_by``), each also
        ``..._without_training_compounds`` where training compounds are marked.
        """
        from drugml.screening.validation import enrichment_by_ranking

        places = self.summary.get("known_actives", {}).get("places", {})
        ranked_by = {name: c for name, c in leads.items() if f"{c}|all" in places}
        return enrichment_by_ranking(
            lambda by, without: self.enrichment(by, without_training=without),
            ranked_by,
            without_training=self.training_marked,
        )

    def histogram(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``(counts, edges)`` of a column over every structure (``score`` and properties)."""
        entry = self.summary["histograms"][column]
        return np.asarray(entry["counts"]), np.asarray(entry["edges"])
