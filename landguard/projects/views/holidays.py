"""The holiday calendar (节假日安排): list and export for everyone; a national or provincial admin (and a superuser)
enters a year from the State Council notice, marks it checked, and edits single days. Only they see the edit
links, so no row leads to a page that answers 403."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import calendar_forms
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.calendar import calendar_warning_years
from landguard.projects.models import CalendarDay, CalendarYear
from landguard.projects.views.common import form_page
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def _calendar_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[CalendarDay]:
    queryset = selectors.calendar_days()
    if year := values.get("year"):
        queryset = queryset.filter(date__year=year)
    return queryset


def _columns(*, editable: bool) -> tuple[Column, ...]:
    link = (lambda d: reverse("projects:calendar-edit", args=[d.pk])) if editable else None
    return (
        Column(gettext_lazy("日期"), lambda d: d.date, link=link),
        Column(gettext_lazy("星期"), lambda d: "一二三四五六日"[d.date.weekday()]),
        Column(gettext_lazy("类型"), lambda d: d.get_kind_display()),
        Column(gettext_lazy("名称"), lambda d: d.name),
        Column(gettext_lazy("说明"), lambda d: d.note),
    )


CALENDAR = Listing(
    key="projects",
    extra={"subnav": "calendar"},
    title=gettext_lazy("节假日安排"),
    filename=gettext_lazy("节假日安排"),
    columns=_columns(editable=False),
    form_class=pforms.YearFilterForm,
    rows=_calendar_rows,
    list_url="projects:calendar",
    export_url="projects:calendar-export",
    template="projects/calendar.html",
)
CALENDAR_EDITABLE = replace(CALENDAR, columns=_columns(editable=True))


def _calendar_state(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    return {"missing_years": calendar_warning_years(clock.today()),
            "can_edit": services.can_edit_calendar(request.user),
            "calendar_years": CalendarYear.objects.select_related("verified_by")}


_reader_list, calendar_export = list_views(CALENDAR, extra=_calendar_state)
_editor_list, _editor_export = list_views(CALENDAR_EDITABLE, extra=_calendar_state)


@scoped
def calendar_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The list; its dates link to the edit page only for those who may edit."""
    return (_editor_list if services.can_edit_calendar(request.user) else _reader_list)(request)


def _require_editor(request: HttpRequest) -> None:
    if not services.can_edit_calendar(request.user):
        raise PermissionDenied


@scoped
def calendar_year_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Enter a year from the State Council notice (its title and date as the source)."""
    _require_editor(request)
    initial = {"year": (calendar_warning_years(clock.today()) or [clock.today().year + 1])[-1]}
    form = calendar_forms.CalendarYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        entry = run_service(form, services.enter_year, actor=request.user, **form.cleaned_data)
        if entry is not None:
            messages.success(request,
                             _("已录入 %(year)s 年节假日安排，并重新计算了未办结环节的期限。") % {"year": entry.year})
            return redirect("projects:calendar")
    return form_page(request, form, _("录入年度节假日安排"), "calendar", reverse("projects:calendar"))


@scoped
@require_POST
def calendar_year_verify(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """Mark a year checked against its notice day by day."""
    _require_editor(request)
    entry = get_object_or_404(CalendarYear, pk=pk)
    form = calendar_forms.VerifyYearForm(request.POST)
    if form.is_valid() and run_service(form, services.verify_year, actor=request.user, entry=entry,
                                       **form.cleaned_data) is not None:
        messages.success(request, _("已标记 %(year)s 年为已核对。") % {"year": entry.year})
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("projects:calendar")


def _calendar_form(request: HttpRequest, day: CalendarDay | None) -> HttpResponse:
    _require_editor(request)
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
    if request.method == "POST" and request.POST.get("delete") and services.can_edit_calendar(request.user):
        services.delete_calendar_day(actor=request.user, day=day)  # type: ignore[arg-type]  # logged in: a User
        messages.success(request, _("已删除，并重新计算了未办结环节的期限。"))
        return redirect("projects:calendar")
    return _calendar_form(request, day)
