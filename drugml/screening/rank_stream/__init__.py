"""Rank a finished screen of millions of molecules in bounded memory: ``drugml rank``.

:func:`rank_screen` reads a screen's Parquet parts (:mod:`drugml.screening.screen`) and
writes the same ranking as ``rank_candidates(merge_salt_forms(load_results(...)))``
without ever holding the screen in memory:

1. **check** the folder (:func:`check_screen`): a screen killed and not
   resumed, parts of two runs or a damaged part is refused with what to do;
2. **partition** the rows by a hash of their InChIKey into blocks of about
   ``block_rows`` rows (Parquet files in a work folder): every salt form and
   duplicate of a structure lands in the same block; known actives are found
   by name on the way, from the screen's own ``name_column``;
3. **merge and score** one block at a time with the in-memory functions
   themselves (:func:`drugml.screening.screen.merge_salt_forms`,
   :func:`drugml.screening.rank.score_candidates`): desirabilities, score, hard
   filters, novelty, training data and known actives; each block is written
   back sorted by the ranking's order rule;
4. **order** the whole screen: only three numbers per structure are kept
   (passes the filters, score, first record), sorted once; ``rank`` is the
   place in that order, exactly :func:`drugml.screening.rank.rank_candidates`' rule
   (passing first, by score, ties by record order);
5. **the best pool** (``pool_factor * top_k`` best passing molecules, the
   same pool the MaxMin picker sees) is read back: the diverse short list
   (``selected``) and the Pareto fronts are computed over it;
6. **write** ``ranked/part-NNNNNN.parquet`` in rank order (every structure,
   every column), ``ranked_candidates.csv``/``.parquet`` (the ``top_n``
   best), ``ranking_highlights.parquet`` (short list, pool, known actives and
   an even sample of the ranking for figures) and ``ranking.json`` (counts,
   histograms, the known actives' places: what a report needs), while the
   sorted blocks are merged.

**Pareto rank outside the pool.** ``pareto_rank`` is the non-dominated front
*among the pool* (1 = no molecule of the pool beats it on every objective at
once) and is null for every molecule outside the pool, failing molecules
included. :func:`drugml.screening.rank.rank_candidates` compares every molecule with
every other one (O(n^2): 125 GB of dominance bits for a million molecules), so
its fronts can differ from the pool's: a molecule that fails a filter can
dominate one of the pool. Within the pool, both functions agree with
``pareto_rank`` of the pool's desirabilities.

**Memory.** Only the sort keys grow with the screen (about 40 bytes per
structure: 40 MB for a million); a block of ``block_rows`` rows in pandas and
the output buffers are bounded. **Engine**: pyarrow (already a core
dependency) streams and partitions the Parquet parts, pandas and numpy score
each block with the very functions of the in-memory ranking; a columnar SQL
engine (DuckDB, Polars) would sort and group out of core too, but its
grouping would re-implement ``merge_salt_forms`` (first non-null value of
every column, ids joined in library order) and the scoring in another
language, a second definition of the same numbers to keep equal, and a new
dependency in every environment file.

**Nothing is overwritten by surprise.** An output folder that already holds a
ranking of another screen or configuration is refused unless
``overwrite=True``; the new ``ranked/`` is written beside the old one and
swapped in, ``ranking.json`` last (its presence marks a complete ranking).

**Inside.** ``_check`` (checking a screen folder), ``_blocks`` (partition,
block scoring, reading the sorted blocks in order), ``_known`` (the known
actives' places), ``_write`` (the merge and every file of the ranking),
``_ranked`` (:class:`RankedScreen`: loading a ranking and its validation) and
``_rank`` (:func:`rank_screen`).

Example
-------
>>> from drugml.screening.rank_stream import rank_screen
>>> ranked = rank_screen("screens/lib", "ranking.yaml", "ranked/lib")  # doctest: +SKIP
>>> ranked.top.head()  # doctest: +SKIP
"""

from __future__ import annotations

from drugml.screening.rank_stream._blocks import FLUSH_ROWS, INCHIKEY, READ_AHEAD_ROWS
from drugml.screening.rank_stream._check import (
    CorruptPartError,
    IncompleteScreenError,
    MixedScreenError,
    ScreenFolderError,
    ScreenParts,
    check_screen,
)
from drugml.screening.rank_stream._rank import (
    BLOCK_ROWS,
    TOP_N,
    RankingExistsError,
    default_rank_by,
    rank_screen,
)
from drugml.screening.rank_stream._ranked import (
    HIGHLIGHTS,
    RANKED,
    SUMMARY,
    TOP_CSV,
    TOP_PARQUET,
    RankedScreen,
)
from drugml.screening.rank_stream._write import HISTOGRAM_BINS, PART_ROWS, SAMPLE_ROWS

__all__ = [
    "BLOCK_ROWS",
    "FLUSH_ROWS",
    "HIGHLIGHTS",
    "HISTOGRAM_BINS",
    "INCHIKEY",
    "PART_ROWS",
    "RANKED",
    "READ_AHEAD_ROWS",
    "SAMPLE_ROWS",
    "SUMMARY",
    "TOP_CSV",
    "TOP_N",
    "TOP_PARQUET",
    "CorruptPartError",
    "IncompleteScreenError",
    "MixedScreenError",
    "RankedScreen",
    "RankingExistsError",
    "ScreenFolderError",
    "ScreenParts",
    "check_screen",
    "default_rank_by",
    "rank_screen",
]
