"""Live dispatch reports: the weekly report (page, docx, xlsx), the daily digest and the monthly ranking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy

from landguard.audit import rendering as audit_rendering
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import reports
from landguard.projects.calendar import work_calendar
from landguard.projects.models import ServiceGroup
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import scope_label


def _report_day(request: HttpRequest) -> dt.date:
    """The report asked for (?date=, any day of its week), else the latest report day."""
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return clock.today()


def _weekly(request: HttpRequest, scope: RegionScope) -> reports.WeeklyReport:
    return reports.weekly_report(scope, day=_report_day(request), scope_label=scope_label(scope),
                                 calendar=work_calendar())


def _paged(request: HttpRequest, rows: list[Any], param: str) -> dict[str, Any]:
    page = Paginator(rows, 25).get_page(request.GET.get(param))
    query = request.GET.copy()

    def url(number: int) -> str:
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return {"page": page, "prev": url(page.previous_page_number()) if page.has_previous() else None,
            "next": url(page.next_page_number()) if page.has_next() else None}


@scoped
def weekly_report(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    report = _weekly(request, scope)
    query = f"?date={report.report_day.isoformat()}"
    sections = [{"table": t, **_paged(request, t.rows, f"p{i}")} for i, t in enumerate(report.lists)]
    # Sections other apps registered with shell.reports, paged like the report's own lists.
    added = [{"table": t, **_paged(request, t.rows, f"s{i}")} for i, t in enumerate(report.sections)]
    context = {"report": report, "nav": "projects", "subnav": "reports", "sections": sections, "added": added,
               "query": query,
               "previous": (report.report_day - dt.timedelta(days=7)).isoformat(),
               "next": (report.report_day + dt.timedelta(days=7)).isoformat() if report.report_day
                   + dt.timedelta(days=7) <= clock.today() else None}
    return render(request, "projects/weekly_report.html", context)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@scoped
def weekly_docx(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    report = _weekly(request, scope)
    return _attachment(reports.weekly_docx(report), reports.DOCX_MIME, f"{report.title}.docx")


@scoped
def weekly_xlsx(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    from landguard.core.exports import XLSX_MIME

    report = _weekly(request, scope)
    return _attachment(reports.weekly_xlsx(report), XLSX_MIME, f"{report.title}.xlsx")


def _digest_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[AuditEntry]:
    return reports.digest_entries(scope, values.get("day") or clock.today())


DIGEST = Listing(
    key="projects",
    extra={"subnav": "reports"},
    title=gettext_lazy("每日动态"),
    filename=gettext_lazy("每日动态"),
    columns=(
        Column(gettext_lazy("时间"), lambda e: timezone.localtime(e.at).strftime("%H:%M:%S")),
        Column(gettext_lazy("操作人"), audit_rendering.actor_text),
        Column(gettext_lazy("操作"), lambda e: e.get_action_display()),
        Column(gettext_lazy("对象"), audit_rendering.target_text),
        Column(gettext_lazy("变更内容"), reports.digest_change),
        Column(gettext_lazy("说明"), audit_rendering.note_text),
    ),
    form_class=pforms.DayFilterForm,
    rows=_digest_rows,
    list_url="projects:daily",
    export_url="projects:daily-export",
    template="projects/list.html",
)


daily_digest, daily_export = list_views(DIGEST)


def _ranking_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceGroup]:
    return reports.ranking(scope, values.get("month") or clock.today())


RANKING = Listing(
    key="projects",
    extra={"subnav": "reports"},
    title=gettext_lazy("服务组月度排名"),
    filename=gettext_lazy("服务组月度排名"),
    columns=(
        Column(gettext_lazy("服务组"), lambda g: g.name, badge=True),
        Column(gettext_lazy("作战指挥部"), lambda g: g.headquarters),
        Column(gettext_lazy("办结环节"), lambda g: g.closed, numeric=True),
        Column(gettext_lazy("提前"), lambda g: g.ahead, numeric=True),
        Column(gettext_lazy("按期"), lambda g: g.on_time, numeric=True),
        Column(gettext_lazy("超期"), lambda g: g.late, numeric=True),
        Column(gettext_lazy("按期率（%）"), lambda g: None if g.rate < 0 else round(g.rate, 1), digits=1, numeric=True),
    ),
    form_class=pforms.MonthFilterForm,
    rows=_ranking_rows,
    list_url="projects:ranking",
    export_url="projects:ranking-export",
    template="projects/ranking.html",
)


def _red_flag(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    """The month's leading group (流动红旗): first of the ranking with at least one closed step."""
    form = pforms.MonthFilterForm(request.GET or None, scope=scope)
    return {"red_flag": _ranking_rows(scope, form.values()).filter(closed__gt=0).first()}


ranking, ranking_export = list_views(RANKING, extra=_red_flag)
