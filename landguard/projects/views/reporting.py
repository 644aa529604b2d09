"""Live dispatch reports: the weekly report (page, docx, xlsx), the daily digest and the monthly ranking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import rendering as audit_rendering
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import reports, selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import ServiceGroup
from landguard.people.models import acting_user
from landguard.regions.models import Region
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
    extra={"subnav": "reports", "plain_filters": True},
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
    """The month's red flag (流动红旗): the one awarded and stored, else the ranking's leader as the proposal, with
    the award form for a leader once the month is over; and the totals since a year (累计)."""
    form = pforms.MonthFilterForm(request.GET or None, scope=scope)
    values = form.values()
    month = (values.get("month") or clock.today()).replace(day=1)
    today = clock.today()
    awarded = selectors.red_flags(scope).filter(month=month, region_code=scope.root_code).first()
    may_award = (awarded is None and month < today.replace(day=1) and bool(scope.root_code)
                 and services.can_award_red_flag(request.user))
    since = values.get("since") or min(today.year, 2021)
    return {"red_flag": next(iter(reports.ranked(scope, month)), None), "awarded": awarded,
            "award_form": pforms.RedFlagForm(initial={"month": month}) if may_award else None, "month": month,
            "totals": reports.since_totals(scope, since, today)}


ranking, ranking_export = list_views(RANKING, extra=_red_flag)


@scoped
@require_POST
def red_flag_award(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.RedFlagForm(request.POST)
    back = reverse("projects:ranking")
    if not form.is_valid():
        messages.error(request, _("请选择月份。"))
        return redirect(back)
    month = form.cleaned_data["month"]
    region = Region.objects.filter(code=scope.root_code, retired_in__isnull=True).first()
    if region is None:
        raise PermissionDenied(_("您的账号没有数据范围，不能授予流动红旗。"))
    try:
        flag = services.award_red_flag(actor=acting_user(request), region=region, month=month,
                                       note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已授予 %(month)s 流动红旗：%(group)s。") % {
            "month": f"{flag.month:%Y-%m}", "group": flag.group.name})
    return redirect(f"{back}?month={month:%Y-%m}")
