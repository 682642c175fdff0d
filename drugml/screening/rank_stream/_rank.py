"""The streamed ranking's driver: :func:`rank_screen` checks, partitions, scores and writes."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from drugml.errors import DrugmlError
from drugml.screening.rank_stream._blocks import partition, score_blocks
from drugml.screening.rank_stream._check import ScreenFolderError, ScreenParts, check_screen
from drugml.screening.rank_stream._ranked import RANKED, SUMMARY, RankedScreen
from drugml.screening.rank_stream._write import write_ranking
from drugml.screening.ranking_config import (
    RankingConfig,
    RankingConfigError,
    RankingSource,
    parse_ranking,
)

__all__ = ["BLOCK_ROWS", "TOP_N", "RankingExistsError", "default_rank_by", "rank_screen"]

#: Rows of the ranking's top written to ``ranked_candidates.csv``.
TOP_N = 1000
#: Rows merged and scored at once (the bound on the ranking's working memory).
BLOCK_ROWS = 50_000


class RankingExistsError(DrugmlError, FileExistsError):
    """The output folder holds another ranking; choose another folder or overwrite it."""


def default_rank_by(config: RankingSource) -> list[str]:
    """Prediction columns scored by an increasing objective: each ranks the known actives
    alone too (what the other objectives cost).

    >>> default_rank_by({"objectives": {"p": {"column": "potency_prediction",
    ...                                       "shape": "increasing", "low": 6, "high": 8}}})
    ['potency_prediction']
    """
    columns = [
        o.column
        for o in parse_ranking(config).objectives.values()
        if o.shape == "increasing" and o.column.endswith(("_prediction", "_probability"))
    ]
    return list(dict.fromkeys(columns))


def rank_screen(
    screen_dir: str | Path,
    config: RankingSource,
    out_dir: str | Path,
    *,
    name_column: str | None = None,
    trained_on: Mapping[str, Sequence[str]] | None = None,
    known_actives: Iterable[str] | None = None,
    rank_by: Sequence[str] | None = None,
    top_n: int = TOP_N,
    overwrite: bool = False,
    block_rows: int = BLOCK_ROWS,
) -> RankedScreen:
    """Rank every molecule of a finished screen in bounded memory; see the module docstring.

    ``config``: a ranking configuration (a
    :class:`~drugml.screening.ranking_config.RankingConfig`, or a dict or YAML/TOML file that
    :func:`~drugml.screening.ranking_config.parse_ranking` reads).
    ``name_column``: the kept library column of names, joined like ids when salt forms merge.
    ``trained_on``:
    InChIKey -> the models trained on it (adds ``in_training_data`` and
    ``training_data_of``). ``known_actives``: names (matched on
    ``name_column`` as :func:`drugml.screening.validation.find_known_actives` does) or
    InChIKeys (adds ``known_active``). ``rank_by``: columns (higher is better)
    by which the known actives are placed too (default
    :func:`default_rank_by`). ``top_n``: rows of ``ranked_candidates.csv``.
    Writes into ``out_dir`` (see the module docstring) and returns the
    :class:`RankedScreen`.
    """
    config = parse_ranking(config)
    if not isinstance(top_n, int) or top_n < 1:
        raise RankingConfigError(
            f"top_n (--top) must be at least 1, got {top_n!r}: the rows of ranked_candidates.csv"
        )
    screen = check_screen(screen_dir)
    _check_columns(screen, config, name_column)
    names = screen.schema.names
    rank_by = [c for c in (default_rank_by(config) if rank_by is None else rank_by) if c in names]
    out = Path(out_dir)
    stamp = {
        "screen": screen.identity,
        "ranking": config.as_dict(),
        "name_column": name_column,
        "known_actives": sorted(known_actives) if known_actives is not None else None,
        "trained_on": _digest(trained_on),
        "top_n": top_n,
    }
    _check_out(out, stamp, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    work = out / f".rank-work-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        n_blocks = max(1, math.ceil(screen.rows / max(1, block_rows)))
        blocks, known = partition(screen, work, n_blocks, name_column, known_actives)
        keys, blocks, extremes = score_blocks(blocks, config, name_column, trained_on, known)
        return write_ranking(
            out, screen, blocks, keys, extremes, config, stamp, rank_by, known, top_n
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_columns(screen: ScreenParts, config: RankingConfig, name_column: str | None) -> None:
    """Every column the ranking names is in the screen (or derived from it), and the names."""
    names = screen.schema.names
    derivable = {f"{c[: -len('_lower')]}_interval_width" for c in names if c.endswith("_lower")}
    missing = [c for c in config.columns() if c not in names and c not in derivable]
    if missing:
        raise RankingConfigError(
            f"The screen in {screen.folder} lacks column(s) {missing} named by the ranking "
            f"configuration; it has {names}"
        )
    if name_column and name_column not in names:
        raise ScreenFolderError(
            f"name_column {name_column!r} is not a column of the screen in {screen.folder}; it "
            f"has {names}"
        )


def _digest(value: Any) -> str | None:
    if value is None:
        return None
    text = json.dumps(
        value if not isinstance(value, Mapping) else sorted((k, list(v)) for k, v in value.items()),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_out(out: Path, stamp: Mapping[str, Any], overwrite: bool) -> None:
    """Refuse an output folder holding another ranking (unless ``overwrite``)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise RankingExistsError(f"{out} exists and is not a folder; choose another --out")
    previous = out / SUMMARY
    if previous.is_file():
        try:
            old = json.loads(previous.read_text()).get("stamp")
        except ValueError:
            old = None
        same = json.loads(json.dumps(old, default=str)) == json.loads(
            json.dumps(stamp, default=str)
        )
        if same or overwrite:
            return
        raise RankingExistsError(
            f"{out} holds a ranking of another screen or configuration; "
            "choose another --out, or overwrite it (--overwrite; "
            "overwrite=True in Python)"
        )
    if (out / RANKED).exists() and not overwrite:
        raise RankingExistsError(
            f"{out}/{RANKED} exists but is not a finished drugml ranking (no "
            f"{SUMMARY}); choose another --out, or --overwrite"
        )
