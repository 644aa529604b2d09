"""Province batches (issue 16 item 5): a year's 卫片 change patches classified, county by county, against each
county's current 地类图斑, 永久基本农田 and 已批用地 — across a city's or a province's counties at once, on Dask.

The job (supervision/jobs.py) partitions by county: one Dask task per county (classify_county), which reads that
county's patches and layers from the database in its worker process and runs analysis.services.classify_patches —
the same classification the batch import runs — returning arrays, not rows. The job's own process writes each
county's rows as its task completes (write_county: one transaction, the (job, county) row first, unique) and moves
the job page's bar by counties done / total. Why the job writes and not the workers: landguard/jobs/cluster.py.

The patches' own figures (those of their import, on the layers of the time) are not changed: the rows written here
(ProvinceBatchCounty, ProvinceBatchPatch) are what the current survey says of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.analysis.services import OverlayError, classify_patches
from landguard.core.scope import RegionScope
from landguard.engine.checks import LayerDataError
from landguard.jobs import partitions
from landguard.jobs.models import Job
from landguard.layers.models import LayerKind, LayerVersion
from landguard.regions.models import Level
from landguard.regions import selectors as region_selectors
from landguard.supervision import intake, selectors
from landguard.supervision.models import ProvinceBatchCounty, ProvinceBatchPatch


@dataclass(frozen=True)
class CountyResult:
    """What a county's task sends back to the job: its patches' classification, or why there is none."""

    county_code: str
    patch_ids: np.ndarray
    dltb_id: int | None = None
    basic_farmland_id: int | None = None
    approved_id: int | None = None
    farmland_gross_m2: np.ndarray | None = None
    farmland_net_m2: np.ndarray | None = None
    main_code: np.ndarray | None = None
    basic_farmland_m2: np.ndarray | None = None
    approved_m2: np.ndarray | None = None
    unapproved_m2: np.ndarray | None = None
    problem: str = ""  # no DLTB, or the layers refused: the county is reported, nothing written
    seconds: float = 0.0  # wall time of the task
    cpu_seconds: float = 0.0  # CPU time of its thread


def county_scope(code: str) -> RegionScope:
    return RegionScope(prefixes=(code,), root_code=code)


def counties(scope: RegionScope, year: int) -> list[tuple[str, str]]:
    """(code, name) of the counties inside the scope with 卫片 patches of the year, by code."""
    codes = set(selectors.patches(scope).filter(year=year).values_list("batch__region_code", flat=True).distinct())
    found = region_selectors.regions(scope).filter(level=Level.COUNTY, code__in=codes, retired_in__isnull=True)
    return sorted(found.values_list("code", "name"))


def classify_county(county_code: str, year: int) -> CountyResult:
    """The task: one county's patches of the year classified on its current layers (run in a Dask worker, where
    jobs.cluster.DjangoSetup has set Django up on the job's database; it only reads)."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    scope = county_scope(county_code)
    rows = list(selectors.patches(scope).filter(year=year).order_by("pk").values_list("pk", "geom"))
    ids = np.array([pk for pk, _geom in rows], dtype=np.int64)
    layers = cast(dict[str, LayerVersion], intake.current_layers(county_code))
    dltb = layers.get(LayerKind.DLTB)
    if dltb is None:
        return CountyResult(county_code, ids, problem=_("无现行地类图斑图层，未分类"))
    basic, approved = layers.get(LayerKind.BASIC_FARMLAND), layers.get(LayerKind.APPROVED)
    geoms = shapely.from_wkb([bytes(geom.wkb) for _pk, geom in rows]) if rows else np.empty(0, dtype=object)
    try:
        found = classify_patches(scope=scope, patches=geoms, dltb=dltb, basic_farmland=basic, approved=approved)
    except (OverlayError, LayerDataError) as exc:
        return CountyResult(county_code, ids, dltb_id=dltb.pk, problem=str(exc))
    return CountyResult(
        county_code, ids, dltb_id=dltb.pk, basic_farmland_id=basic.pk if basic else None,
        approved_id=approved.pk if approved else None, farmland_gross_m2=found.farmland_gross_m2,
        farmland_net_m2=found.farmland_net_m2, main_code=found.main_code, basic_farmland_m2=found.basic_farmland_m2,
        approved_m2=found.approved_m2, unapproved_m2=found.unapproved_m2, seconds=time.perf_counter() - started,
        cpu_seconds=time.thread_time() - cpu_started)


def write_county(job: Job, year: int, result: CountyResult) -> bool:
    """Write a county's results once: False when (job, county) was written already (a retried job) or nothing
    is to be written (the county's problem is reported instead)."""
    gross, net, main_code = result.farmland_gross_m2, result.farmland_net_m2, result.main_code
    if result.problem or gross is None or net is None or main_code is None:
        return False

    def optional(values: np.ndarray | None, i: int) -> float | None:
        return None if values is None else float(values[i])

    marker = dict(year=year, dltb_id=result.dltb_id, basic_farmland_id=result.basic_farmland_id,
                  approved_id=result.approved_id, patch_count=len(result.patch_ids),
                  farmland_count=int(np.count_nonzero(gross > 0)), farmland_net_m2=float(net.sum()),
                  basic_farmland_count=None if result.basic_farmland_m2 is None
                  else int(np.count_nonzero(result.basic_farmland_m2 > 0)),
                  unapproved_count=None if result.unapproved_m2 is None
                  else int(np.count_nonzero(result.unapproved_m2 > 0)),
                  seconds=round(result.seconds, 3), cpu_seconds=round(result.cpu_seconds, 3), written_at=timezone.now())

    def rows() -> None:
        ProvinceBatchPatch.objects.bulk_create([
            ProvinceBatchPatch(job=job, patch_id=int(pk), region_code=result.county_code,
                               farmland_gross_m2=float(gross[i]), farmland_net_m2=float(net[i]),
                               basic_farmland_m2=optional(result.basic_farmland_m2, i),
                               approved_m2=optional(result.approved_m2, i),
                               unapproved_m2=optional(result.unapproved_m2, i),
                               main_code=str(main_code[i]))
            for i, pk in enumerate(result.patch_ids)], batch_size=2000)

    return partitions.write_partition_once(ProvinceBatchCounty, job, result.county_code, marker, rows)


def written(job: Job) -> set[str]:
    """The counties of this job already written (by an earlier run of it)."""
    return partitions.written_partitions(ProvinceBatchCounty, job)
