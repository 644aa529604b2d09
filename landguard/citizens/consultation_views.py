"""Consultations (咨询) of the 法治工作室: the list with its xlsx twin and the year's figures by topic, channel, who
answered and where questions were sent on; recording one; and 便民服务统计, the period's public-service figures
(registrations, consultations, 12345, 信访) with their xlsx."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.citizens import consultations, selectors, services
from landguard.citizens import forms as cforms
from landguard.citizens.models import Matter
from landguard.citizens.figures import figures_table
from landguard.citizens.pages import require_work
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.people.models import acting_user
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service, scope_label


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Matter]:
    queryset = selectors.consultations(scope)
    for field, lookup in (("topic", "consultation__topic"), ("channel", "channel"),
                          ("referral", "consultation__referral")):
        if value := values.get(field):
            queryset = queryset.filter(**{lookup: value})
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(title__contains=text) | Q(consultation__answerer__contains=text))
    return queryset


def _answerer(m: Matter) -> str:
    return f"{m.consultation.answerer}（{m.consultation.get_answered_by_display()}）"


CONSULTATIONS = Listing(
    key="citizens",
    extra={"subnav": "consultations"},
    title=gettext_lazy("咨询记录"),
    filename=gettext_lazy("咨询记录"),
    columns=(
        Column(gettext_lazy("时间"), lambda m: timezone.localtime(m.received_at).strftime("%Y-%m-%d %H:%M"),
               badge=True),
        Column(gettext_lazy("咨询问题"), lambda m: m.title),
        Column(gettext_lazy("主题"), lambda m: m.consultation.get_topic_display()),
        Column(gettext_lazy("渠道"), lambda m: m.get_channel_display()),
        Column(gettext_lazy("答复人"), lambda m: _answerer(m)),
        Column(gettext_lazy("转办"), lambda m: m.consultation.get_referral_display()),
        Column(gettext_lazy("时长（分钟）"), lambda m: m.consultation.minutes, numeric=True),
        Column(gettext_lazy("答复内容"), lambda m: m.consultation.answer, html=False),
    ),
    form_class=cforms.ConsultationFilterForm,
    rows=_rows,
    list_url="citizens:consultation-list",
    export_url="citizens:consultation-export",
    template="citizens/consultations.html",
)


def _figures(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    today = clock.today()
    actions = [(_("登记咨询"), reverse("citizens:consultation-create"))] \
        if services.can_work(acting_user(request)) else []
    return {"work_actions": actions, "nav": "citizens", "figures_year": today.year,
            "figures": selectors.consultation_figures(scope, today.replace(month=1, day=1), today)}


consultation_list, consultation_export = list_views(CONSULTATIONS, extra=_figures)


@scoped
def consultation_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = cforms.ConsultationForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        matter = run_service(form, consultations.record_consultation, actor=acting_user(request), region=d["region"],
                             channel=d["channel"], topic=d["topic"], question=d["question"],
                             answered_by=d["answered_by"], answerer=d["answerer"], answer=d["answer"],
                             referral=d["referral"] or "", minutes=d["minutes"])
        if matter is not None:
            messages.success(request, _("已登记咨询记录。"))
            return redirect("citizens:consultation-list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizens/form.html", {"form": form, "title": _("登记咨询"), "nav": "citizens",
                                                  "subnav": "consultations",
                                                  "cancel_url": reverse("citizens:consultation-list")}, status=status)


def _period(request: HttpRequest) -> tuple[Any, dt.date, dt.date]:
    today = clock.today()
    form = cforms.BoardForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    return form, values.get("start") or today.replace(month=1, day=1), values.get("end") or today


@scoped
def service_figures(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """便民服务统计 for a period (default this year): registrations, consultations, 12345 and 信访, as one table."""
    form, start, end = _period(request)
    rows = figures_table(selectors.service_figures(scope, start, end, clock.today()))
    return render(request, "citizens/figures.html", {"form": form, "start": start, "end": end, "rows": rows,
                                                     "nav": "citizens", "subnav": "figures"})


@scoped
def service_figures_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _form, start, end = _period(request)
    rows = figures_table(selectors.service_figures(scope, start, end, clock.today()))
    return xlsx_response(title=_("便民服务统计（%(start)s 至 %(end)s）") % {"start": start, "end": end},
                         scope_label=scope_label(scope), columns=[ExportColumn(_("指标")), ExportColumn(_("数值"))],
                         rows=rows, filename=_("便民服务统计"))
