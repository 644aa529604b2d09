"""Batch overlays (issue 16 item 5 b): every approved dossier in a city's or a province's scope measured again on the
current survey — the counties' current official 地类图斑 and control layers — one Dask task per county.

A dossier belongs to the county of its region code (dossiers are filed under the county that assembles them). One
that crosses county lines is still measured whole in that county's task: analysis.overlay_boundaries cuts it by the
county outlines and reads each part against its own county's layers, as the dossier's own measurement does. A
dossier filed above county level (the city reports one that crosses counties, services.dossier_region) is its own
partition, keyed by that region's code, so no dossier is left out and none is measured twice.

The task (overlay_county) reads and computes in its worker: for each dossier approvals.spatial.measure, the very
measurement that gave the dossier its areas, so the batch's figures are what a remeasure would say today. It returns
plain numbers; the job's process writes them (write_county: the (job, county) row first, unique, then one row per
(job, dossier), unique) — why the job writes and not the workers: landguard/jobs/cluster.py. The dossiers' own
stored areas are not touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import shapely
from django.db.models import QuerySet
from django.utils import timezone

from landguard.analysis.services import OverlayError
from landguard.approvals import selectors, spatial
from landguard.approvals.models import Dossier, DossierOverlayCounty, DossierOverlayResult
from landguard.core.scope import RegionScope
from landguard.engine.checks import LayerDataError
from landguard.engine.kinds import Verdict
from landguard.jobs import partitions as written_once
from landguard.jobs.models import Job
from landguard.layers.models import county_of


@dataclass(frozen=True)
class DossierFigures:
    """One dossier's overlay on the current layers (the fields of DossierOverlayResult), or why there is none."""

    dossier_id: int
    figures: dict[str, float] = field(default_factory=dict)
    verdicts: tuple[str, ...] = ()
    not_evaluated: tuple[str, ...] = ()
    basis: str = ""
    problem: str = ""


@dataclass(frozen=True)
class CountyResult:
    """What a county's task sends back to the job."""

    county_code: str
    dossiers: tuple[DossierFigures, ...]
    seconds: float = 0.0


def partition_of(region_code: str) -> str:
    """The partition (county) a dossier filed under `region_code` belongs to."""
    return county_of(region_code) or region_code


def partitions(scope: RegionScope) -> dict[str, str]:
    """{partition code: name} of the counties (or above-county regions) in the scope with approved dossiers."""
    found: dict[str, str] = {}
    for code, region_code, name, parent_name in (
            selectors.approved(scope).order_by("region_code")
            .values_list("region_code", "region__code", "region__name", "region__parent__name")):
        key = partition_of(code)
        if key not in found:
            found[key] = name if region_code == key else (parent_name or key)
    return dict(sorted(found.items()))


def _in_partition(scope: RegionScope, key: str) -> QuerySet[Dossier]:
    qs = selectors.approved(scope)
    return qs.filter(region_code__startswith=key) if county_of(key) == key else qs.filter(region_code=key)


def overlay_county(key: str, scope: RegionScope) -> CountyResult:
    """The task: the approved dossiers of one partition measured on the current layers (run in a Dask worker where
    jobs.cluster.DjangoSetup has set Django up on the job's database; it only reads). `scope` is the submitter's:
    a dossier's part across the county line is measured on the neighbour's layers only when the neighbour is in it,
    as on the dossier's own page."""
    started = time.perf_counter()
    rows = list(_in_partition(scope, key).order_by("pk").values_list("pk", "boundary"))
    out = []
    for pk, boundary in rows:
        try:
            measured = spatial.measure(scope, shapely.from_wkb(bytes(boundary.wkb)))
        except (OverlayError, LayerDataError) as exc:
            text = "；".join(exc.messages) if isinstance(exc, OverlayError) else str(exc)
            out.append(DossierFigures(pk, problem=text[:300]))
            continue
        r, f = measured.result, measured.figures
        figures = {"total_m2": f["total_m2"], "agricultural_m2": f["agricultural_m2"],
                   "farmland_gross_m2": r.farmland_gross_m2, "farmland_net_m2": r.farmland_net_m2,
                   "basic_farmland_m2": f["basic_farmland_m2"], "construction_m2": f["construction_m2"],
                   "unused_m2": f["unused_m2"], "uncovered_m2": r.uncovered_m2}
        out.append(DossierFigures(pk, {k: float(v) for k, v in figures.items()},
                                  tuple(str(v.verdict.value) for v in r.verdicts),
                                  tuple(str(v.value) for v in r.not_evaluated), measured.basis))
    return CountyResult(key, tuple(out), time.perf_counter() - started)


def _flagged(d: DossierFigures, verdict: Verdict) -> bool:
    return verdict.value in d.verdicts


def write_county(job: Job, result: CountyResult) -> bool:
    """Write a partition's results once: False when (job, county) was written already (a retried job, or a
    second writer that lost the race)."""
    done = [d for d in result.dossiers if not d.problem]
    marker = dict(dossier_count=len(result.dossiers),
                  farmland_count=sum(1 for d in done if _flagged(d, Verdict.OCCUPIES_FARMLAND)),
                  basic_farmland_count=sum(1 for d in done if _flagged(d, Verdict.OCCUPIES_BASIC_FARMLAND)),
                  failed_count=len(result.dossiers) - len(done), seconds=round(result.seconds, 3),
                  written_at=timezone.now())

    def rows() -> None:
        DossierOverlayResult.objects.bulk_create([
            DossierOverlayResult(job=job, dossier_id=d.dossier_id, region_code=result.county_code,
                                 verdicts=list(d.verdicts), not_evaluated=list(d.not_evaluated),
                                 basis=d.basis[:300], problem=d.problem, **d.figures)
            for d in result.dossiers], batch_size=1000)

    return written_once.write_partition_once(DossierOverlayCounty, job, result.county_code, marker, rows)


def written(job: Job) -> set[str]:
    """The partitions of this job already written (by an earlier run of it)."""
    return written_once.written_partitions(DossierOverlayCounty, job)
