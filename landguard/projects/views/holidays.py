"""The holiday calendar (节假日安排): list and export for everyone, edits for superusers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import CalendarDay
from landguard.projects.views.common import form_page
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def _calendar_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[CalendarDay]:
    queryset = selectors.calendar_days()
    if year := values.get("year"):
        queryset = queryset.filter(date__year=year)
    return queryset


CALENDAR = Listing(
    key="projects",
    extra={"subnav": "calendar"},
    title=gettext_lazy("节假日安排"),
    filename=gettext_lazy("节假日安排"),
    columns=(
        Column(gettext_lazy("日期"), lambda d: d.date, link=lambda d: reverse("projects:calendar-edit", args=[d.pk])),
        Column(gettext_lazy("星期"), lambda d: "一二三四五六日"[d.date.weekday()]),
        Column(gettext_lazy("类型"), lambda d: d.get_kind_display()),
        Column(gettext_lazy("名称"), lambda d: d.name),
        Column(gettext_lazy("说明"), lambda d: d.note),
    ),
    form_class=pforms.YearFilterForm,
    rows=_calendar_rows,
    list_url="projects:calendar",
    export_url="projects:calendar-export",
    template="projects/calendar.html",
)


def _calendar_state(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    today = clock.today()
    calendar = work_calendar()
    missing = [y for y in (today.year, today.year + 1) if not calendar.knows(y)]
    return {"missing_years": missing, "can_edit": request.user.is_superuser}


calendar_list, calendar_export = list_views(CALENDAR, extra=_calendar_state)


def _calendar_form(request: HttpRequest, day: CalendarDay | None) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    form = pforms.CalendarDayForm(request.POST or None, instance=day)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.save_calendar_day, actor=request.user, day=day, **form.cleaned_data) is not None:
            messages.success(request, _("已保存节假日安排，并重新计算了未办结环节的期限。"))
            return redirect("projects:calendar")
    title = _("编辑节假日安排：%(day)s") % {"day": day} if day else _("新增节假日安排")
    return form_page(request, form, title, "calendar", reverse("projects:calendar"))


@scoped
def calendar_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _calendar_form(request, None)


@scoped
def calendar_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    day = selectors.get_calendar_day(pk)
    if request.method == "POST" and request.POST.get("delete") and request.user.is_superuser:
        services.delete_calendar_day(actor=request.user, day=day)
        messages.success(request, _("已删除，并重新计算了未办结环节的期限。"))
        return redirect("projects:calendar")
    return _calendar_form(request, day)
