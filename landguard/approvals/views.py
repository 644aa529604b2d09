"""Approval dossiers (报批): the list and its xlsx twin, the 报批台账 export in the bureaus' columns, creating a
dossier from a drawn or uploaded boundary, its page (map, checklist with the approving authorities, areas, quota,
timeline, audit history), its figures and quota lines, the status actions, and the yearly summary."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.approvals import forms as aforms
from landguard.approvals import ledger, selectors, services, spatial
from landguard.approvals import parts as package
from landguard.approvals.models import Dossier
from landguard.approvals.quota_groups import kind_choices
from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import xlsx_response
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.core.text import join_clauses
from landguard.engine.kinds import Verdict
from landguard.jobs import services as job_services
from landguard.jobs.models import Job
from landguard.projects.forms import BoundaryForm
from landguard.projects.views.common import error_text
from landguard.projects.views.projects import boundary_draw_config as draw_config
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service, scope_label


def dossier_url(d: Dossier) -> str:
    return reverse("approvals:detail", args=[d.pk])


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Dossier]:
    queryset = selectors.dossiers(scope).defer("boundary", "region__geom")
    for name in ("kind", "status", "year"):
        if value := values.get(name):
            queryset = queryset.filter(**{name: value})
    if township := values.get("township"):
        queryset = queryset.filter(Q(region_code__startswith=township.code[:6]))
    if text := values.get("q"):
        queryset = queryset.filter(Q(name__contains=text) | Q(approval_no__contains=text)
                                   | Q(pre_review_no__contains=text))
    return queryset


DOSSIERS = Listing(
    key="approvals",
    extra={"subnav": "dossiers"},
    title=gettext_lazy("报批卷宗"),
    filename=gettext_lazy("报批卷宗列表"),
    columns=(
        Column(gettext_lazy("批次/项目名称"), lambda d: d.name, link=dossier_url, badge=True),
        Column(gettext_lazy("报批类型"), lambda d: d.get_kind_display()),
        Column(gettext_lazy("报批年度"), lambda d: d.year),
        Column(gettext_lazy("行政区"), lambda d: d.region.name),
        Column(gettext_lazy("用地总面积（公顷）"), lambda d: hectares(d.total_m2), digits=4, numeric=True),
        Column(gettext_lazy("用地总面积（亩）"), lambda d: round(d.total_m2 / (2000 / 3), 4), digits=4, numeric=True),
        Column(gettext_lazy("状态"), lambda d: d.get_status_display()),
        Column(gettext_lazy("上报日期"), lambda d: d.submitted_on),
        Column(gettext_lazy("批复文号"), lambda d: d.approval_no),
        Column(gettext_lazy("批复日期"), lambda d: d.approved_on),
    ),
    form_class=aforms.DossierFilterForm,
    rows=_rows,
    list_url="approvals:list",
    export_url="approvals:list-export",
    manage_actions=((gettext_lazy("已批用地分县叠加复核"), "approvals:overlay-batch"),),
    template="approvals/list.html",
)


def _list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    actions = [(_("导出报批台账"), reverse("approvals:ledger-export") + query)]
    if services.can_work(request.user):
        actions.insert(0, (_("新建报批卷宗"), reverse("approvals:create")))
    return {"work_actions": actions}


dossier_list, dossier_export = list_views(DOSSIERS, extra=_list_actions)


@scoped
def ledger_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The 报批台账 in the bureaus' columns (domain-land.md §A.4) for the filtered dossiers."""
    form = aforms.DossierFilterForm(request.GET or None, scope=scope)
    queryset = _rows(scope, form.values()).prefetch_related("quotas")
    return xlsx_response(title=_("报批台账"), scope_label=scope_label(scope), columns=ledger.columns(),
                         rows=(ledger.row(d) for d in queryset.iterator(chunk_size=500)), filename=_("报批台账"))


@scoped(manage=True)
def overlay_batch(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Start the batch overlay: every approved dossier in the scope measured on the current layers by the background
    worker, one Dask task per county (approvals/batches.py); the job page shows the counties done and the report."""
    form = forms.Form(request.POST if request.method == "POST" else None)  # nothing to choose: a confirmation
    if request.method == "POST" and form.is_valid():
        job = run_service(form, job_services.submit_batch, actor=request.user, kind=Job.Kind.DOSSIER_OVERLAY,
                          name=_("已批用地分县叠加复核"), options={}, scope=scope)
        if job is not None:
            messages.success(request, _("已提交，正在后台分县计算"))
            return redirect("jobs:detail", pk=job.pk)
    count = selectors.approved(scope).count()
    return _form_page(request, form, _("已批用地分县叠加复核"), reverse("approvals:list"), submit_label=_("开始复核"),
                      help=_("数据范围内已批复的 %(n)s 宗报批卷宗，按各县现行地类图斑和管控图层重新叠加，各县并行计算；"
                             "提交后在任务页查看进度和分县结果，卷宗页显示最近一次批量复核的面积。卷宗原有的面积不变")
                      % {"n": count})


def _require_work(request: HttpRequest) -> None:
    if not services.can_work(request.user):
        raise PermissionDenied


def _form_page(request: HttpRequest, form: Any, title: str, cancel_url: str, **extra: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "approvals/form.html", {"form": form, "title": title, "nav": "approvals",
                                                   "subnav": "dossiers", "cancel_url": cancel_url, **extra},
                  status=status)


@scoped
def dossier_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    form = aforms.DossierCreateForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        dossier = run_service(form, services.create_dossier, actor=request.user, **form.service_values())
        if dossier is not None:
            messages.success(request, _("已建立报批卷宗“%(name)s”，请核对检查清单。") % {"name": dossier.name})
            for warning in form.boundary_warnings:
                messages.warning(request, warning)
            return redirect(dossier_url(dossier))
    return _form_page(request, form, _("新建报批卷宗"), reverse("approvals:list"), draw_config=draw_config(scope))


@scoped
def dossier_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    dossier = selectors.get_dossier(scope, pk)
    can_work = services.can_work(request.user)
    checks = selectors.checklist(scope, dossier) if dossier.is_open else None
    overlay = selectors.latest_overlay(scope, dossier)
    context = {
        "dossier": dossier, "nav": "approvals", "subnav": "dossiers", "can_work": can_work, "checks": checks,
        # What the 征收 figures are prefilled from: measured now for an open dossier, as stored for a closed one.
        "collective": checks.collective if checks and checks.collective else spatial.collective_land(dossier, None),
        "parts": [(p, p.key in (dossier.parts_done or [])) for p in package.applicable(dossier)],
        "quota_lines": [(dict(kind_choices([q.kind])).get(q.kind, q.kind), q) for q in dossier.quotas.all()],
        "projects": list(dossier.projects.all()),
        "status_history": selectors.history(dossier), "history": audit_selectors.history_of(scope, dossier),
        "submit_form": aforms.SubmitForm(initial={"on": clock.today()}),
        "approve_form": aforms.ApproveForm(initial={"approved_on": clock.today()}),
        "reason_form": aforms.ReasonForm(initial={"on": clock.today()}),
        "map_config": {"geojson": reverse("approvals:geojson", args=[dossier.pk])},
        "new_construction_m2": dossier.new_construction_m2,
        "overlay": overlay,
        "overlay_verdicts": [Verdict(v).label for v in overlay.verdicts if v in Verdict.values] if overlay else [],
    }
    return render(request, "approvals/detail.html", context)


@scoped
def dossier_geojson(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    dossier = selectors.get_dossier(scope, pk)
    feature = {"type": "Feature", "geometry": json.loads(dossier.boundary.json),
               "properties": {"name": dossier.name, "ha": hectares(dossier.total_m2), "mu": mu(dossier.total_m2)}}
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False,
                      separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


@scoped
def dossier_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    dossier = selectors.get_dossier(scope, pk)
    collective = selectors.collective_land(scope, dossier) if request.method != "POST" else None
    form = aforms.DossierForm(request.POST or None, instance=dossier, scope=scope, collective=collective)
    if request.method == "POST" and form.is_valid():
        fresh = selectors.get_dossier(scope, pk)  # the form's instance holds unsaved edits; the service writes
        if run_service(form, services.update_dossier, actor=request.user, dossier=fresh,
                       **form.service_values()) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect(dossier_url(dossier))
    return _form_page(request, form, _("编辑报批卷宗：%(name)s") % {"name": dossier.name}, dossier_url(dossier))


@scoped
def dossier_quotas(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    dossier = selectors.get_dossier(scope, pk)
    form = aforms.QuotaLinesForm(request.POST or None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_quotas, actor=request.user, dossier=dossier,
                       lines=form.lines()) is not None:
            messages.success(request, _("已保存使用指标。"))
            return redirect(dossier_url(dossier))
    return _form_page(request, form, _("使用指标：%(name)s") % {"name": dossier.name}, dossier_url(dossier),
                      help=_("新增建设用地 %(mu)s 亩，须由计划指标（含奖励、结转）或增减挂钩指标保障；占用耕地须落实"
                             "补充耕地指标。")
                      % {"mu": f"{mu(dossier.new_construction_m2):,.4f}"})


@scoped
def dossier_boundary(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    dossier = selectors.get_dossier(scope, pk)
    form = BoundaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_boundary, actor=request.user, dossier=dossier, boundary=form.boundary,
                       source=form.boundary_source) is not None:
            messages.success(request, _("已更新用地范围并重新计算面积。"))
            return redirect(dossier_url(dossier))
    config = draw_config(scope)
    config["current"] = reverse("approvals:geojson", args=[dossier.pk])
    return _form_page(request, form, _("更新用地范围：%(name)s") % {"name": dossier.name}, dossier_url(dossier),
                      draw_config=config)


def post_action(request: HttpRequest, form_class: type, call: Any, done: str, back: str) -> HttpResponse:
    """A workflow action posted from a detail page (dossier or plan): the form validated, `call(cleaned_data)`
    run, its refusal or the form's errors shown as a message, and back to the page either way."""
    if request.method != "POST":
        return redirect(back)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, done)
    else:
        messages.error(request, join_clauses(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back)


def _action(request: HttpRequest, scope: RegionScope, pk: int, form_class: type, service: Any,
            done: str, **fixed: Any) -> HttpResponse:
    _require_work(request)
    dossier = selectors.get_dossier(scope, pk)
    return post_action(request, form_class, lambda data: service(actor=request.user, dossier=dossier, **data, **fixed),
                       done, dossier_url(dossier))


@scoped
def dossier_submit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, aforms.SubmitForm, services.submit, _("已上报，使用指标已预占。"))


@scoped
def dossier_approve(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, aforms.ApproveForm, services.approve, _("已登记批复，使用指标已核销。"))


@scoped
def dossier_refuse(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, aforms.ReasonForm, services.refuse, _("已登记不予批准，预占指标已退回。"))


@scoped
def dossier_return(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, aforms.ReasonForm, services.return_for_correction,
                   _("已退回补正，预占指标已退回。"))


@scoped
def dossier_withdraw(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, aforms.ReasonForm, services.withdraw, _("已撤回。"))


@scoped
def dossier_remeasure(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    dossier = selectors.get_dossier(scope, pk)
    if request.method == "POST":
        try:
            services.remeasure(actor=request.user, dossier=dossier)
            messages.success(request, _("已按最新官方图层重新计算面积。"))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
    return redirect(dossier_url(dossier))


def _year_param(request: HttpRequest) -> int:
    """The `?year=` of the summary page and its export: this year when absent or not a number, kept within
    2000 … next year."""
    try:
        year = int(request.GET.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    return min(max(year, 2000), clock.today().year + 1)


@scoped
def summary(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The year's approvals per county against the previous year (counts by kind, areas as the reports state them)."""
    year = _year_param(request)
    rows = selectors.year_figures(scope, year)
    ratio_rows, formulas = ledger.ratios(scope, year)
    previous = {r.region_code: r for r in selectors.year_figures(scope, year - 1)}
    context = {"nav": "approvals", "subnav": "summary", "year": year, "years": range(clock.today().year, 2015, -1),
               "rows": [(r, previous.get(r.region_code)) for r in rows], "kinds": Dossier.Kind.choices,
               "ratios": ratio_rows, "formulas": formulas}
    return render(request, "approvals/summary.html", context)


@scoped
def summary_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = _year_param(request)
    columns, rows = ledger.summary_table(scope, year)
    return xlsx_response(title=_("%(year)s 年建设用地报批情况") % {"year": year}, scope_label=scope_label(scope),
                         columns=columns, rows=rows, filename=_("报批统计"))

