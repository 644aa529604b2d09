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
