"""Province-wide batches on Dask: a job's work split into one task per partition (a county), run by the workers of a
Dask cluster, each task reading its own rows from the database, and the results written by the job itself as they
come back.

Where the tasks run: the scheduler named by settings.DASK_SCHEDULER (LANDGUARD_DASK_SCHEDULER, e.g.
tcp://10.0.0.5:8786 — a cluster started with `dask scheduler` / `dask worker`, whose workers can import landguard and
reach the database); unset, a distributed.LocalCluster of DASK_WORKERS processes with one thread each, started inside
the job worker for the length of the job and stopped with it (processes, not threads: the overlay is CPU-bound Python
and numpy, and one GIL would serialise it).

Each worker process sets Django up once (DjangoSetup, a worker plugin the scheduler also hands to workers that join
later, e.g. the one a nanny restarts after a crash) with the database settings of the job's own process, passed
explicitly: in tests the database is pytest-django's test database, whose name exists only in the settings of the
process that created it, and a remote worker's environment may not name the database at all.

Who writes: the tasks only read and compute; they return their results and the job's process writes them, one
partition at a time in one transaction, as each task completes (run_partitioned's `write`). SpatiaLite has one
writer at a time, and a dozen worker processes queueing on its write lock would serialise anyway while holding
their results in memory; on PostgreSQL a county's results are one bulk insert, small beside its reading and
overlay, so one write path for both databases costs nothing measurable and keeps the "written once" rule in one
place. A task that dies with its worker is run again by the scheduler (and `retries` more times if it raises); its
first run wrote nothing, so the rerun cannot write twice. The writer keys each partition's rows by (job, partition)
under a unique constraint, so a job that is itself retried after its worker died (jobs.services.reclaim) skips the
partitions already written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin
from django.conf import settings
from django.db import connections

# A task that raises (a database hiccup, a connection dropped) is run again this many times before the job fails.
# A task whose worker dies is rescheduled by the scheduler itself (distributed's `allowed-failures`, 3 by default).
TASK_RETRIES = 2


def database_settings() -> dict[str, Any]:
    """The database settings of this process's default connection, as a worker needs them: under pytest-django the
    test database's name, which settings.py (reading DATABASE_URL) would not give a new process."""
    return dict(connections["default"].settings_dict)


class DjangoSetup(WorkerPlugin):
    """Sets Django up in a worker process, once, on the database given (before its first connection)."""

    name = "landguard-django"

    def __init__(self, database: Mapping[str, Any], settings_module: str) -> None:
        self.database = dict(database)
        self.settings_module = settings_module

    def setup(self, worker: Any = None) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", self.settings_module)
        import django
        from django.apps import apps
        from django.conf import settings as worker_settings

        if apps.ready:  # this process was set up before (a plugin registered again by a later job)
            if connections["default"].settings_dict.get("NAME") != self.database.get("NAME"):
                raise RuntimeError("a Dask worker serves one LandGuard database; start other workers for another")
            return
        # Reading settings imports landguard.settings, which imports pyproj/pyogrio before any SpatiaLite connection
        # (the exit-crash trap in docs): the database is replaced before Django opens one.
        worker_settings.DATABASES["default"] = dict(self.database)
        django.setup()

    def teardown(self, worker: Any = None) -> None:
        connections.close_all()


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A distributed.Client with DjangoSetup registered: on settings.DASK_SCHEDULER when set (or `scheduler`), else
    on a LocalCluster of `workers` (default settings.DASK_WORKERS) processes that lives as long as the block."""
    from distributed import Client, LocalCluster

    # distributed sets its loggers to INFO when it is imported (after Django's LOGGING) and logs every worker's start
    # and stop there: the job worker's log keeps its warnings only.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, logging.getLogger().level))
    address = settings.DASK_SCHEDULER if scheduler is None else scheduler
    plugin = DjangoSetup(database_settings(), os.environ.get("DJANGO_SETTINGS_MODULE", "landguard.settings"))
    if address:
        with Client(address, timeout=30) as client:
            client.register_plugin(plugin)
            yield client
        return
    # No dashboard: it needs bokeh, and a per-job cluster has nobody watching it; the job page shows the progress.
    with LocalCluster(n_workers=workers or settings.DASK_WORKERS, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.WARNING) as cluster, Client(cluster) as client:
        client.register_plugin(plugin)
        yield client


def run_partitioned(client: Any, tasks: Mapping[str, tuple[Callable[..., Any], tuple[Any, ...]]], *, prefix: str,
                    write: Callable[[str, Any], None], done: Callable[[int, int], None] | None = None) -> None:
    """Run `tasks` (partition key → (function, arguments)) on the cluster and call `write(key, result)` in this
    process as each one completes, then `done(written, total)`. Task keys are `prefix`-`key`: unique per job run,
    so a retried job never picks up a stale future of its previous run on a shared scheduler. The first task
    that fails for good (its retries spent, or its workers killed `allowed-failures` times) fails the run, the
    rest cancelled; what was written stays written."""
    from distributed import as_completed

    total = len(tasks)
    if done is not None:
        done(0, total)
    if not total:
        return
    futures = {client.submit(func, *args, key=f"{prefix}-{key}", pure=False, retries=TASK_RETRIES): key
               for key, (func, args) in tasks.items()}
    written = 0
    try:
        for future in as_completed(futures):
            result = future.result()  # raises the task's own exception, or KilledWorker
            write(futures[future], result)
            future.release()
            written += 1
            if done is not None:
                done(written, total)
    except BaseException:
        client.cancel(list(futures))
        raise

