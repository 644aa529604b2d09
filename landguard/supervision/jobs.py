"""The monthly 卫片 batch import as a background job: the upload page submits it, the worker runs
patches.import_batch (one transaction for the whole batch) with the submitter's scope and as the submitter,
progress per patch goes to the job page, and the report — or the rows at fault — is the job's outcome."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core.geodesy import mu
from landguard.formats.uploads import WEB_UPLOAD_SUFFIXES
from landguard.jobs.models import Job
from landguard.jobs.services import JobFailed, Progress, handler
from landguard.regions.models import Region
from landguard.supervision import patches

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
