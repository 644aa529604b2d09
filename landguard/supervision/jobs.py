"""The monthly 卫片 batch import as a background job: the upload page submits it, the worker runs
patches.import_batch (one transaction for the whole batch) with the submitter's scope and as the submitter,
progress per patch goes to the job page, and the report — or the rows at fault — is the job's outcome.

The province batch (卫片图斑分县批量分类): a year's patches of every county in the submitter's scope classified on
the current layers, one Dask task per county (supervision/batches.py, jobs/cluster.py)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core.geodesy import mu
from landguard.core.scope import scope_for
from landguard.formats.uploads import WEB_UPLOAD_SUFFIXES
from landguard.jobs import partitions
from landguard.jobs.models import Job
from landguard.jobs.services import JobFailed, Progress, handler
from landguard.regions.models import Region
from landguard.supervision import batches, patches
from landguard.supervision.models import ProvinceBatchCounty

# Job.Kind lists the platform's job kinds for display; this kind's label comes with the jobs app's next migration.
PATCH_BATCH = "patch_batch"


@handler(PATCH_BATCH, suffixes=WEB_UPLOAD_SUFFIXES)
def run_patch_import(job: Job, progress: Progress) -> list[str]:
    o = job.options
    county = Region.objects.get(code=o["county"], retired_in__isnull=True)
    try:
        batch = patches.import_batch(job.file.path, actor=job.created_by, county=county, name=o["name"],
                                     month=dt.date.fromisoformat(o["month"]), original_name=job.original_name,
                                     encoding=o.get("encoding") or None, progress=progress)
    except (patches.PatchImportError, PermissionDenied) as exc:
        raise JobFailed(str(exc)) from None
    Job.objects.filter(pk=job.pk).update(result_url=f"{reverse('supervision:patch-list')}?batch={batch.pk}")
    return report(batch)


@handler(Job.Kind.PROVINCE_BATCH, suffixes=())
def run_province_batch(job: Job, progress: Progress) -> list[str]:
    """A year's patches of every county in the submitter's scope (as it is now) classified on Dask, one task per
    county (supervision/batches.py); the bar moves by counties written. A run retried after its worker died skips
    the counties an earlier run wrote."""
    year = int(job.options["year"])
    scope = scope_for(job.created_by)
    names = dict(batches.counties(scope, year))
    if not names:
        raise JobFailed(_("数据范围内没有 %(year)s 年度的卫片图斑") % {"year": year})
    done = batches.written(job)
    problems: dict[str, str] = {}

    def write(code: str, result: batches.CountyResult) -> None:
        if result.problem:
            problems[code] = result.problem
        batches.write_county(job, year, result)

    todo = {code: (batches.classify_county, (code, year)) for code in names if code not in done}
    partitions.run_partitions(job, progress, names, done, todo, write)
    return province_report(job, year, names, problems)


def province_report(job: Job, year: int, names: dict[str, str], problems: dict[str, str]) -> list[str]:
    rows = {r.region_code: r for r in ProvinceBatchCounty.objects.filter(job=job)}
    lines = [_("%(year)s 年度卫片图斑按现行图层分县分类：%(n)s 个县（区）") % {"year": year, "n": len(names)}]
    for code, name in names.items():
        row = rows.get(code)
        if row is None:
            lines.append(_("%(name)s：%(problem)s") % {"name": name, "problem": problems.get(code, _("未完成"))})
            continue
        line = _("%(name)s：%(n)s 个图斑，占用耕地 %(farmland)s 个 %(mu).2f 亩（扣除田坎）") % {
            "name": name, "n": row.patch_count, "farmland": row.farmland_count, "mu": mu(row.farmland_net_m2)}
        if row.basic_farmland_count is not None:
            line += _("，涉及永久基本农田 %(n)s 个") % {"n": row.basic_farmland_count}
        if row.unapproved_count is not None:
            line += _("，未被已批用地覆盖 %(n)s 个") % {"n": row.unapproved_count}
        lines.append(line)
    return lines


def report(batch) -> list[str]:
    figures = batch.patches.aggregate(area=Sum("area_m2"), farmland=Sum("farmland_m2"),
                                      touching=Count("id", filter=Q(farmland_m2__gt=0)),
                                      basic=Count("id",
                                          filter=Q(basic_farmland_m2__gt=0)
                                              | Q(basic_farmland_m2__isnull=True, sfyn=True)))
    return [
        _("批次“%(name)s”（%(month)s）：%(n)s 个图斑，合计 %(mu).2f 亩") % {
            "name": batch.name, "month": batch.month.strftime("%Y-%m"), "n": batch.patch_count,
            "mu": mu(figures["area"] or 0.0)},
        _("涉及耕地 %(n)s 个，占用耕地 %(mu).2f 亩（扣除田坎）")
            % {"n": figures["touching"], "mu": mu(figures["farmland"] or 0.0)},
        _("涉及永久基本农田 %(n)s 个") % {"n": figures["basic"]},
        _("每个图斑已登记为待研判线索"),
    ]
