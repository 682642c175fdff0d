"""The chunk executors: where :func:`score_chunk` runs (this process, a process pool, Dask).

Both have one interface: ``submit(records, *args)`` gives a future,
``result(future)`` its ``(scored, rejected)``, ``slots`` the chunks kept in
flight (twice the workers: memory stays bounded) and ``close()``.
"""

from __future__ import annotations

from typing import Any

from drugml.screening.screen._chunk import score_chunk

__all__ = ["DaskExecutor", "LocalExecutor", "executor_for"]


class LocalExecutor:
    """n_jobs=1: run in this process; else a process pool. Same submit/result interface."""

    def __init__(self, n_jobs: int) -> None:
        self.pool = None
        if n_jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: a forked copy of a process with OpenMP threads
            # (XGBoost, torch) can deadlock.
            from drugml._util.parallel import limit_threads, threads_per_worker

            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                max_workers=n_jobs,
                mp_context=context,
                initializer=limit_threads,
                initargs=(threads_per_worker(n_jobs),),
            )
        self.slots = max(1, n_jobs) * 2

    def submit(self, *args):
        if self.pool is None:
            from concurrent.futures import Future

            future: Future = Future()
            future.set_result(score_chunk(*args))
            return future
        return self.pool.submit(score_chunk, *args)

    @staticmethod
    def result(future):
        return future.result()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Chunks on a Dask cluster: ``client`` a Client, a scheduler address, or None for a
    LocalCluster of ``n_jobs`` single-threaded worker processes, closed with the executor."""

    def __init__(self, client: Any, n_jobs: int = 1) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            from drugml.errors import MissingDependencyError

            raise MissingDependencyError(
                'backend="dask" needs the scale extra: pip install "drugml[scale]"'
            ) from exc
        self.own_client = not isinstance(client, Client)
        self.cluster = None
        if client is None:
            # processes of one thread, like the local backend: the per-molecule
            # Python loops hold the GIL, so threads would take turns
            import dask

            # no statistical profiler: its samples (an hour's worth, for the dashboard)
            # make a long screen's workers grow
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self.cluster = LocalCluster(
                    n_workers=max(1, n_jobs),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            client = self.cluster
        self.client = Client(client) if self.own_client else client
        workers = len(self.client.scheduler_info().get("workers", {})) or 1
        self.slots = workers * 2
        self.inputs: dict[Any, Any] = {}

    def submit(self, records, *args):
        # The chunk goes to a worker by scatter, not inside the task: a scheduler
        # that is never idle keeps what it deserialized from submitted tasks,
        # so embedded chunks made its memory grow with the library.
        data = self.client.scatter(records, hash=False)
        future = self.client.submit(score_chunk, data, *args, pure=False)
        self.inputs[future.key] = data
        return future

    def result(self, future):
        try:
            return future.result()
        finally:
            self.inputs.pop(future.key, None)

    def close(self) -> None:
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def executor_for(backend: str, client: Any, n_jobs: int) -> LocalExecutor | DaskExecutor:
    """The executor of a screen's ``backend``."""
    return DaskExecutor(client, n_jobs) if backend == "dask" else LocalExecutor(n_jobs)
