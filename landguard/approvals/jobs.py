"""The batch overlay of approved dossiers (已批用地分县叠加复核) as a background job: every approved dossier in the
submitter's scope measured on the current survey, one Dask task per county (approvals/batches.py,
jobs/cluster.py); the bar moves by counties written and the report says, per county, how many dossiers now show
耕地 or 永久基本农田 in them. Registered here, imported by the app's ready(): the jobs app imports no domain app."""

from __future__ import annotations

from django.utils.translation import gettext as _

from landguard.approvals import batches
from landguard.approvals.models import DossierOverlayCounty
from landguard.core.scope import scope_for
from landguard.jobs import partitions
from landguard.jobs.models import Job
from landguard.jobs.services import JobFailed, Progress, handler


@handler(Job.Kind.DOSSIER_OVERLAY, suffixes=())
def run_dossier_overlay(job: Job, progress: Progress) -> list[str]:
    """A run retried after its worker died skips the counties an earlier run wrote."""
    scope = scope_for(job.created_by)
    names = batches.partitions(scope)
    if not names:
        raise JobFailed(_("数据范围内没有已批复的报批卷宗"))
    done = batches.written(job)

    def write(_code: str, result: batches.CountyResult) -> None:
        batches.write_county(job, result)

    todo = {code: (batches.overlay_county, (code, scope)) for code in names if code not in done}
    partitions.run_partitions(job, progress, names, done, todo, write)
    return overlay_report(job, names)


def overlay_report(job: Job, names: dict[str, str]) -> list[str]:
    rows = {r.region_code: r for r in DossierOverlayCounty.objects.filter(job=job)}
    lines = [_("已批复的报批卷宗按现行图层分县叠加复核：%(n)s 个县（区）") % {"n": len(names)}]
    for code, name in names.items():
        row = rows.get(code)
        if row is None:
            lines.append(_("%(name)s：未完成") % {"name": name})
            continue
        line = _("%(name)s：叠加 %(n)s 宗，现状占用耕地 %(farmland)s 宗，占用永久基本农田 %(basic)s 宗") % {
            "name": name, "n": row.dossier_count, "farmland": row.farmland_count, "basic": row.basic_farmland_count}
        if row.failed_count:
            line += _("，%(n)s 宗未能叠加") % {"n": row.failed_count}
        lines.append(line)
    return lines
