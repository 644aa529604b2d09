"""Enforcement cases (执法案件): the list, a case's page, its steps on the transition table, pausing and
resuming the 90-day clock, and the case statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.core import clock, workdays
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.supervision import case_area
from landguard.supervision import cases as case_services
from landguard.supervision import case_deadlines, figures, forms, selectors, stats, verification
from landguard.supervision.models import Case, Task
from landguard.supervision.views.common import error_text, in_township, local_time, photo_groups, year_param
from landguard.supervision.workflow import CASE_TRANSITIONS
from landguard.shell.listing import Column, Listing, list_views, text_filter


def _case_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Case]:
    qs = in_township(values, selectors.cases(scope))
    if status := values.get("status"):
        qs = qs.filter(status=status)
    return text_filter(qs, values.get("q"), "number", "party")


def _case_url(case: Case) -> str:
    return reverse("supervision:case-detail", args=[case.pk])


CASES = Listing(
    key="supervision", title=gettext_lazy("执法案件"), filename=gettext_lazy("执法案件列表"),
    columns=(
        Column(gettext_lazy("立案号"), lambda c: c.number, link=_case_url, badge=True),
        Column(gettext_lazy("当事人"), lambda c: c.party),
        Column(gettext_lazy("状态"), lambda c: c.get_status_display()),
        Column(gettext_lazy("立案时间"), lambda c: local_time(c.filed_at)),
        Column(gettext_lazy("办案期限"), lambda c: local_time(c.due_at)),
        Column(gettext_lazy("违法占地（平方米）"), lambda c: c.illegal_area_m2, digits=2, numeric=True),
        Column(gettext_lazy("没收（平方米）"), lambda c: c.confiscated_m2, digits=2, numeric=True, html=False),
        Column(gettext_lazy("拆除（平方米）"), lambda c: c.demolished_m2, digits=2, numeric=True, html=False),
        Column(gettext_lazy("罚款（元）"), lambda c: float(c.fine_yuan), digits=2, numeric=True),
        Column(gettext_lazy("复耕（平方米）"), lambda c: c.restored_m2, digits=2, numeric=True, html=False),
        Column(gettext_lazy("没收违法所得（元）"), lambda c: float(c.confiscated_income_yuan), digits=2, numeric=True,
               html=False),
        Column(gettext_lazy("移送纪检监察（人）"), lambda c: c.referrals, numeric=True, html=False),
        Column(gettext_lazy("移送已落实（人）"), lambda c: c.referrals_done, numeric=True, html=False),
        Column(gettext_lazy("结案时间"), lambda c: local_time(c.closed_at), html=False),
    ),
    form_class=forms.CaseFilterForm, rows=_case_rows, list_url="supervision:case-list",
    export_url="supervision:case-export",
    template="supervision/list.html",
    extra={"subnav": "cases", "links": [(gettext_lazy("案件统计"), reverse_lazy("supervision:case-stats"))]},
)


case_list, case_export = list_views(CASES)


@scoped
def case_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = selectors.get_case(scope, pk)
    nexts = [(s, Case.Status(s).label) for s in Case.Status.values if s in CASE_TRANSITIONS[case.status]]
    form = forms.CaseStepForm(initial={"to": nexts[0][0] if nexts else ""})
    form.fields["to"].choices = nexts
    calendar = workdays.current_calendar()
    window_end = case_deadlines.window_end(case.notice_served_at, calendar) if case.notice_served_at else None
    pauses = list(case.pauses.all())
    context = {"case": case, "nav": "supervision", "events": case.events.all(), "form": form, "next_steps": nexts,
               "clock": case_services.clock_of(case), "pauses": pauses,
               "open_pause": next((p for p in pauses if p.ended_at is None), None),
               "pause_form": forms.CasePauseForm(), "resume_form": forms.CaseResumeForm(),
               "window_last_day": timezone.localtime(window_end).date() - dt.timedelta(days=1) if window_end else None,
               "deadline_rules": list(case_deadlines.rules().values()),
               "calendar_missing_years": workdays.missing_years(calendar, clock.today()),
               "sketch_form": forms.CaseSketchForm(initial={"geojson": case.occupied.geojson if case.occupied else ""}),
               "can_triage": verification.can_triage(request.user), "history": audit_selectors.history_of(scope, case),
               "photo_groups": photo_groups(Task.objects.filter(clue_id=case.clue_id).first())}
    return render(request, "supervision/case_detail.html", context)


@scoped
@require_POST
def case_step(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = selectors.get_case(scope, pk)
    form = forms.CaseStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写内容"))
        return redirect(_case_url(case))
    d = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    to, note = d.pop("to"), d.pop("note", "")
    try:
        case_services.advance(actor=request.user, case=case, to=to, note=note, **d)
        messages.success(request, _("已办理至“%(status)s”") % {"status": Case.Status(to).label})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_case_url(case))


@scoped
@require_POST
def case_pause(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = selectors.get_case(scope, pk)
    form = forms.CasePauseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择不计入期间并填写理由"))
        period = case_services.pause(actor=request.user, case=case, kind=form.cleaned_data["kind"],
                                     reason=form.cleaned_data["reason"])
        messages.success(request, _("已中止办案期限计时（%(kind)s）") % {"kind": period.get_kind_display()})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_case_url(case))


@scoped
@require_POST
def case_resume(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = selectors.get_case(scope, pk)
    form = forms.CaseResumeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请检查填写内容"))
        case_services.resume(actor=request.user, case=case, note=form.cleaned_data["note"])
        messages.success(request, _("已恢复办案期限计时"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_case_url(case))


@scoped
@require_POST
def case_sketch(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """Save the occupied area sketched on site; the engine computes the 耕地 in it."""
    case = selectors.get_case(scope, pk)
    form = forms.CaseSketchForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请勾绘占地范围"))
        case = case_area.sketch_occupied(actor=request.user, case=case, geojson=form.cleaned_data["geojson"])
        messages.success(request, _("已保存占地范围"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_case_url(case))


@scoped
def case_stats(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = year_param(request)
    filing = figures.chosen(request.GET, "filing", figures.FILING_RATES, "SUPERVISION_FILING_RATE")
    handling = figures.chosen(request.GET, "handling", figures.HANDLING_RATES, "SUPERVISION_HANDLING_RATE")
    s, whole = stats.case_stats(scope, year=year), stats.case_stats(scope)
    chosen_rates = figures.rates(s, filing=filing, handling=handling)
    all_rates = figures.rates(whole, filing=filing, handling=handling)
    context = {"nav": "supervision", "subnav": "cases", "year": year, "s": s, "all": whole,
               "definitions": stats.DEFINITIONS, "filing": filing, "handling": handling,
               "filing_choices": figures.FILING_RATES.values(), "handling_choices": figures.HANDLING_RATES.values(),
               "rate_rows": [(chosen_rates[k], all_rates[k]) for k in ("filing_rate", "handling_rate")]}
    return render(request, "supervision/case_stats.html", context)
