"""Job pages: the scoped list (with xlsx export) and a job's page, whose status panel HTMX polls while it runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.jobs import selectors, services
from landguard.jobs.models import Job
from landguard.shell.listing import Column, Listing, ScopedFilterForm, list_views
from landguard.shell.pages import is_htmx


class JobFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Job.Status.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("township", None)  # jobs belong to the submitter's scope, not to a township
        self.fields["q"].widget.attrs["placeholder"] = _("文件名")


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Job]:
    queryset = selectors.jobs(scope)
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if text := values.get("q"):
        queryset = queryset.filter(original_name__contains=text)
    return queryset


def _url(job: Job) -> str:
    return reverse("jobs:detail", args=[job.pk])


JOBS = Listing(
    key="jobs",
    title=_("后台任务"),
    filename=_("后台任务列表"),
    columns=(
        Column(_("编号"), lambda j: j.pk, link=_url),
        Column(_("类型"), lambda j: j.get_kind_display()),
        Column(_("文件"), lambda j: j.original_name, link=_url),
        Column(_("状态"), lambda j: j.get_status_display()),
        Column(_("提交人"), lambda j: str(j.created_by)),
        Column(_("提交时间"), lambda j: j.created_at),
        Column(_("完成时间"), lambda j: j.finished_at),
        Column(_("错误"), lambda j: j.error, html=False),
    ),
    form_class=JobFilterForm,
    rows=_rows,
    list_url="jobs:list",
    export_url="jobs:export",
)


job_list, job_export = list_views(JOBS)


@scoped
def job_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    job = selectors.get_job(scope, pk)
    progress = services.progress(job)
    percent = round(100 * progress["done"] / progress["total"]) if progress and progress["total"] else None
    context = {"job": job, "nav": "jobs", "progress": progress, "percent": percent}
    template = "jobs/_status.html" if is_htmx(request) else "jobs/detail.html"
    return render(request, template, context)


@scoped
def job_result(request: HttpRequest, scope: RegionScope, pk: int) -> FileResponse:
    """The file an export job wrote, for its submitter only (inside the scope, like the job itself)."""
    job = selectors.get_job(scope, pk)
    if not job.is_export or job.status != Job.Status.DONE or not job.file:
        raise Http404
    if job.created_by_id != request.user.pk:
        raise Http404
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.original_name)
    response["Cache-Control"] = "private, no-store"
    return response
