"""Verification tasks (核查任务) at the desk: the list, a task's page and closing it (销号)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.supervision import forms, selectors, verification
from landguard.supervision.models import Task
from landguard.supervision.views.common import error_text, in_township, local_time, number_or_text, task_context
from landguard.shell.listing import Bulk, BulkAction, Column, Listing, bulk_view, list_views


def _task_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Task]:
    qs = in_township(values, selectors.tasks(scope))
    if status := values.get("status"):
        qs = qs.filter(status=status)
    if outcome := values.get("outcome"):
        qs = qs.filter(outcome=outcome)
    return number_or_text(qs, values.get("q"), "RW", "clue__title", "clue__place_name")


def _task_url(task: Task) -> str:
    return reverse("supervision:task-detail", args=[task.pk])


TASKS = Listing(
    key="supervision", title=gettext_lazy("核查任务"), filename=gettext_lazy("核查任务列表"),
    columns=(
        Column(gettext_lazy("编号"), lambda t: t.number, link=_task_url, badge=True),
        Column(gettext_lazy("线索"), lambda t: t.clue.title),
        Column(gettext_lazy("坐落"), lambda t: t.clue.place_name),
        Column(gettext_lazy("状态"), lambda t: t.get_status_display()),
        Column(gettext_lazy("核查结论"), lambda t: t.get_outcome_display() or None),
        Column(gettext_lazy("派发时间"), lambda t: local_time(t.dispatched_at)),
        Column(gettext_lazy("签收上报"), lambda t: local_time(t.reported_at)),
        Column(gettext_lazy("到场"), lambda t: local_time(t.on_site_at)),
        Column(gettext_lazy("恢复原状"), lambda t: local_time(t.restored_at), html=False),
        Column(gettext_lazy("销号"), lambda t: local_time(t.closed_at), html=False),
        Column(gettext_lazy("违法占地（平方米）"), lambda t: t.illegal_area_m2, digits=2, numeric=True, html=False),
    ),
    form_class=forms.TaskFilterForm, rows=_task_rows, list_url="supervision:task-list",
    export_url="supervision:task-export",
    template="supervision/list.html", extra={"subnav": "tasks"},
    # 审核销号 of many verified tasks at once (a township's false alarms after a patrol), with one note for all.
    bulk=Bulk("supervision:task-bulk", (
        BulkAction("close", gettext_lazy("审核销号"),
                   lambda actor, task, reason: verification.close(actor=actor, task=task, note=reason)),
    ), allowed=verification.can_triage),
)


task_list, task_export = list_views(TASKS)
task_bulk = bulk_view(TASKS)


@scoped
def task_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = selectors.get_task(scope, pk)
    context = {**task_context(scope, task), "nav": "supervision", "can_triage": verification.can_triage(request.user),
               "field_url": reverse("supervision:field-task", args=[task.pk])}
    return render(request, "supervision/task_detail.html", context)


@scoped
@require_POST
def task_close(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = selectors.get_task(scope, pk)
    try:
        verification.close(actor=request.user, task=task, note=request.POST.get("note", "")[:300])
        messages.success(request, _("任务已销号"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_task_url(task))
