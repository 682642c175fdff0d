"""Chunked, order-preserving parallel map with a progress bar: drugml's one parallel helper
(used by chem, filters and featurize), with ``n_jobs``, ``chunk_size`` and ``progress``.

Work goes to processes from joblib's loky backend, which reuses its workers
between calls and works in notebooks. Each chunk is one task, so per-task
overhead is paid once per ``chunk_size`` molecules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from drugml.errors import DrugmlError

__all__ = [
    "THREAD_VARIABLES",
    "ParallelOptionError",
    "check_n_jobs",
    "flat_map_chunks",
    "limit_threads",
    "map_chunks",
    "threads_per_worker",
]

#: Environment variables that size the thread pools of OpenMP (XGBoost, torch) and of the
#: BLAS libraries, read when each library loads.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class ParallelOptionError(DrugmlError, ValueError):
    """``n_jobs`` or ``chunk_size`` has an impossible value; the message says which."""


def check_n_jobs(n_jobs: int, chunk_size: int) -> None:
    """Raise :class:`ParallelOptionError` for impossible ``n_jobs`` or ``chunk_size`` values.

    >>> check_n_jobs(-1, 1000)  # every core, chunks of 1000: fine
    >>> check_n_jobs(0, 1000)
    Traceback (most recent call last):
    ...
    drugml._util.parallel.ParallelOptionError: n_jobs must be a positive number or -1, got 0
    """
    if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ParallelOptionError(f"n_jobs must be a positive number or -1, got {n_jobs!r}")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ParallelOptionError(f"chunk_size must be at least 1, got {chunk_size!r}")


def threads_per_worker(n_workers: int) -> int:
    """Each of ``n_workers`` processes' share of this machine's cores (at least 1).

    >>> threads_per_worker(10**6)
    1
    """
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) // max(1, n_workers))


def limit_threads(n_threads: int) -> None:
    """Limit this process's OpenMP and BLAS thread pools to ``n_threads``.

    The initializer of drugml's worker processes (the screen's and docking's
    pools; joblib's loky workers and Dask's nannies do the same on their own):
    without it each of n workers starts a pool as large as the machine, and
    n x cores threads spin on cores threads. Libraries loaded later read the
    environment variables; those loaded already are limited by threadpoolctl.

    >>> from concurrent.futures import ProcessPoolExecutor
    >>> pool = ProcessPoolExecutor(2, initializer=limit_threads,
    ...                            initargs=(threads_per_worker(2),))  # doctest: +SKIP
    """
    import os

    from threadpoolctl import threadpool_limits

    for name in THREAD_VARIABLES:
        os.environ[name] = str(n_threads)
    threadpool_limits(n_threads)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def map_chunks(
    func: Callable[..., Any],
    items: Sequence[Any],
    args: tuple = (),
    *,
    n_jobs: int = 1,
    chunk_size: int = 1000,
    progress: bool | None = None,
    desc: str = "",
) -> list[Any]:
    """``[func(chunk, *args) for chunk in chunks(items)]``, in order, on ``n_jobs`` processes.

    A progress bar (molecules per second) shows for 10,000 or more items
    unless ``progress`` says otherwise.

    >>> map_chunks(sum, [1, 2, 3, 4, 5], chunk_size=2)
    [3, 7, 5]
    """
    from tqdm.auto import tqdm

    check_n_jobs(n_jobs, chunk_size)
    total = len(items)
    show = progress if progress is not None else total >= 10_000
    chunks = list(_chunks(items, chunk_size))
    results: list[Any] = []
    with tqdm(total=total, desc=desc, unit="mol", disable=not show, smoothing=0.1) as bar:
        if n_jobs == 1 or len(chunks) <= 1:
            for chunk in chunks:
                results.append(func(chunk, *args))
                bar.update(len(chunk))
        else:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator")
            outputs = parallel(delayed(func)(chunk, *args) for chunk in chunks)
            for chunk, out in zip(chunks, outputs, strict=True):
                results.append(out)
                bar.update(len(chunk))
    return results


def flat_map_chunks(
    func: Callable[..., Sequence[Any]],
    items: Sequence[Any],
    args: tuple = (),
    *,
    n_jobs: int = 1,
    chunk_size: int = 1000,
    progress: bool | None = None,
    desc: str = "",
) -> list[Any]:
    """:func:`map_chunks` for a ``func`` that returns one row per item of its chunk: the
    rows of every chunk joined into one list, in input order.

    >>> flat_map_chunks(lambda chunk, k: [x * k for x in chunk], [1, 2, 3], (10,), chunk_size=2)
    [10, 20, 30]
    """
    chunks = map_chunks(func, items, args, n_jobs=n_jobs, chunk_size=chunk_size,
                        progress=progress, desc=desc)  # fmt: skip
    return [row for chunk in chunks for row in chunk]
