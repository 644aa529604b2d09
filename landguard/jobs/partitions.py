"""A batch job's results written once per partition (issue 16 item 5: the province batches of supervision and
approvals, one Dask task per county — jobs/cluster.py). The job's own process is the only writer (on SQLite the
only one possible), and a partition's results are one transaction opened by a marker row unique on (job,
region_code): a retried job skips what is written, and a second writer racing for a partition blocks on the unique
index until the first commits, then fails on it before inserting a single result row. Kept apart from cluster.py so
a domain app's write path does not import Dask."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from landguard.jobs.services import Progress


def write_partition_once(marker: type[models.Model], job: Any, partition: str, marker_fields: Mapping[str, Any],
                         write_rows: Callable[[], None]) -> bool:
    """The `marker` row for (job, partition) with `marker_fields`, then `write_rows()`, in one transaction; False
    when the partition was written already."""
    try:
        with transaction.atomic():
            marker._default_manager.create(job=job, region_code=partition, **marker_fields)
            write_rows()
    except IntegrityError:
        if marker._default_manager.filter(job=job, region_code=partition).exists():
            return False
        raise
    return True


def written_partitions(marker: type[models.Model], job: Any) -> set[str]:
    """The partitions of this job whose results are written (by an earlier run of it)."""
    return set(marker._default_manager.filter(job=job).values_list("region_code", flat=True))


def run_partitions(job: Any, progress: Progress, names: Mapping[str, str], done: set[str],
                   tasks: Mapping[str, tuple[Callable[..., Any], tuple[Any, ...]]],
                   write: Callable[[str, Any], None]) -> None:
    """A batch job's run: `tasks` (the partitions of `names` not in `done`, each → (function, arguments)) on Dask,
    `write(partition, result)` here as each completes, the bar counting the partitions written of all `names`."""

    def moved(n: int, _total: int) -> None:
        counted = len(done) + n
        progress(counted, len(names), _("已完成 %(done)s / %(total)s 个县（区）") % {"done": counted,
                                                                                 "total": len(names)})

    if not tasks:
        return
    from landguard.jobs import cluster  # dask and distributed load here, in the job worker, not in every process

    with cluster.dask_client() as client:
        cluster.run_partitioned(client, tasks, prefix=f"landguard-job{job.pk}-run{job.attempts}", write=write,
                                done=moved)
