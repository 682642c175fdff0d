"""drugml._util.parallel: worker processes' thread pools are sized to their share of the cores."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from drugml._util.parallel import THREAD_VARIABLES, limit_threads, threads_per_worker


def _pools_of_this_process() -> tuple[dict[str, str | None], list[int]]:
    import numpy  # noqa: F401  (its BLAS pool)
    from threadpoolctl import threadpool_info

    return (
        {name: os.environ.get(name) for name in THREAD_VARIABLES},
        [pool["num_threads"] for pool in threadpool_info()],
    )


def _worker_pools(monkeypatch, **initializer):
    for name in THREAD_VARIABLES:  # as a user's shell: no limits set (the tests set them)
        monkeypatch.delenv(name, raising=False)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, **initializer) as pool:
        return pool.submit(_pools_of_this_process).result()


def test_a_limited_worker_has_pools_of_its_share(monkeypatch):
    variables, sizes = _worker_pools(monkeypatch, initializer=limit_threads, initargs=(1,))
    assert variables == dict.fromkeys(THREAD_VARIABLES, "1")
    assert sizes and set(sizes) == {1}
    if threads_per_worker(1) > 1:  # negative control: a worker left alone takes every core
        _, alone = _worker_pools(monkeypatch)
        assert max(alone) == threads_per_worker(1)


def test_threads_per_worker_shares_the_cores():
    cores = len(os.sched_getaffinity(0))
    assert threads_per_worker(1) == cores
    assert threads_per_worker(cores) == 1
    assert threads_per_worker(cores * 4) == 1
