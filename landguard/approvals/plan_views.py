"""成片开发方案 pages: the list and its xlsx twin (shell.listing), creating a plan from a drawn or uploaded 片区,
its page (map, figures, checklist with rules and formulas, implementation plan with 实施率, the county's earlier
plans, timeline, audit history), its figures, 片区 and implementation plan forms, and the status actions."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.approvals import plan_forms as forms
from landguard.approvals import plan_selectors as selectors
from landguard.approvals import plan_services as services
from landguard.approvals import plan_tunables as tunables
from landguard.approvals import plans
from landguard.approvals.views import post_action
from landguard.approvals.models import DevelopmentPlan
from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.geodesy import hectares
from landguard.core.scope import RegionScope
from landguard.core.text import join_clauses
from landguard.projects.forms import BoundaryForm
from landguard.projects.views.projects import boundary_draw_config as draw_config
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def _can_work(request: HttpRequest) -> bool:
    return services.can_work(request.user)  # type: ignore[arg-type]


def _run(form: Any, service: Any, **kwargs: Any) -> Any:
    """shell.pages.run_service for the plan forms (model forms too)."""
    return run_service(form, service, **kwargs)


def plan_url(p: DevelopmentPlan) -> str:
    return reverse("approvals:plan-detail", args=[p.pk])


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[DevelopmentPlan]:
    queryset = selectors.development_plans(scope).defer("boundary", "region__geom").prefetch_related("years")
    for name in ("status", "year"):
        if value := values.get(name):
            queryset = queryset.filter(**{name: value})
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code[:6])
    if text := values.get("q"):
        queryset = queryset.filter(Q(name__contains=text) | Q(plan_no__contains=text) | Q(approval_no__contains=text))
    return queryset


def _dec(value: Any) -> float | None:
    return None if value is None else float(value)


PLANS = Listing(
    key="approvals",
    extra={"subnav": "plans"},
    title=gettext_lazy("成片开发方案"),
    filename=gettext_lazy("成片开发方案列表"),
    columns=(
        Column(gettext_lazy("方案名称"), lambda p: p.name, link=plan_url, badge=True),
        Column(gettext_lazy("方案编号"), lambda p: p.plan_no),
        Column(gettext_lazy("方案年度"), lambda p: p.year),
        Column(gettext_lazy("行政区"), lambda p: p.region.name),
        Column(gettext_lazy("片区总面积（公顷）"), lambda p: hectares(p.total_m2), digits=4, numeric=True),
        Column(gettext_lazy("公益性用地（公顷）"), lambda p: _dec(plans.public_ha(p)), digits=4, numeric=True),
        Column(gettext_lazy("拟征收面积（公顷）"), lambda p: _dec(p.expropriation_ha), digits=4, numeric=True),
        Column(gettext_lazy("计划项目数"), lambda p: p.planned_project_count, numeric=True),
        Column(gettext_lazy("状态"), lambda p: p.get_status_display()),
        Column(gettext_lazy("批准机关"), lambda p: p.approved_by),
        Column(gettext_lazy("批复文号"), lambda p: p.approval_no),
        Column(gettext_lazy("批复日期"), lambda p: p.approved_on),
    ),
    form_class=forms.PlanFilterForm,
    rows=_rows,
    list_url="approvals:plans",
    export_url="approvals:plans-export",
    template="approvals/list.html",
)


def _list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    return {"work_actions": [(_("新建成片开发方案"), reverse("approvals:plan-create"))]
            if _can_work(request) else []}


plan_list, plan_export = list_views(PLANS, extra=_list_actions)


def _require_work(request: HttpRequest) -> None:
    if not _can_work(request):
        raise PermissionDenied


def _form_page(request: HttpRequest, form: Any, title: str, cancel_url: str, *, template: str = "approvals/form.html",
               **extra: Any) -> HttpResponse:
    invalid = bool(form.is_bound and (form.errors or getattr(form, "non_form_errors", lambda: [])()))
    return render(request, template, {"form": form, "title": title, "nav": "approvals", "subnav": "plans",
                                      "cancel_url": cancel_url, **extra}, status=400 if invalid else 200)


@scoped
def plan_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    form = forms.PlanCreateForm(request.POST or None, request.FILES or None, scope=scope,
                                initial={"year": clock.today().year})
    if request.method == "POST" and form.is_valid():
        plan = _run(form, services.create_plan, actor=request.user, **form.service_values())
        if plan is not None:
            messages.success(request, _("已建立成片开发方案“%(name)s”，请填写年度实施计划并核对检查清单。")
                             % {"name": plan.name})
            for warning in form.boundary_warnings:
                messages.warning(request, warning)
            return redirect(plan_url(plan))
    return _form_page(request, form, _("新建成片开发方案"), reverse("approvals:plans"), draw_config=draw_config(scope))


def _tunables() -> list[tuple[tunables.Tunable, Any]]:
    return [(t, t.value) for t in tunables.TUNABLES.values()]


@scoped
def plan_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    plan = selectors.get_plan(scope, pk)
    public = plans.public_ha(plan)
    context = {
        "plan": plan, "nav": "approvals", "subnav": "plans", "can_work": _can_work(request),
        "checks": selectors.checklist(scope, plan), "rates": selectors.year_rates(plan),
        "earlier": selectors.earlier_plans(plan), "projects": list(plan.projects.all()),
        "measured_ha": plans.measured_ha(plan), "public_ha": public, "uses_ha": plans.uses_ha(plan),
        "status_history": selectors.history(plan), "history": audit_selectors.history_of(scope, plan),
        "submit_form": forms.PlanSubmitForm(initial={"on": clock.today()}),
        "approve_form": forms.PlanApproveForm(initial={"approved_on": clock.today()}),
        "refuse_form": forms.PlanRefuseForm(initial={"on": clock.today()}),
        "map_config": {"geojson": reverse("approvals:plan-geojson", args=[plan.pk])}, "tunables": _tunables(),
    }
    return render(request, "approvals/plan_detail.html", context)


@scoped
def plan_geojson(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    plan = selectors.get_plan(scope, pk)
    feature = {"type": "Feature", "geometry": json.loads(plan.boundary.json),
               "properties": {"name": plan.name, "ha": hectares(plan.total_m2)}}
    body = json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False,
                      separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


@scoped
def plan_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    plan = selectors.get_plan(scope, pk)
    form = forms.PlanForm(request.POST or None, instance=plan, scope=scope)
    if request.method == "POST" and form.is_valid():
        fresh = selectors.get_plan(scope, pk)  # the form's instance holds unsaved edits; the service writes
        if _run(form, services.update_plan, actor=request.user, plan=fresh,
                **form.service_values()) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect(plan_url(plan))
    return _form_page(request, form, _("编辑成片开发方案：%(name)s") % {"name": plan.name}, plan_url(plan))


@scoped
def plan_boundary(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    plan = selectors.get_plan(scope, pk)
    form = BoundaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_boundary, actor=request.user, plan=plan, boundary=form.boundary,
                       source=form.boundary_source) is not None:
            messages.success(request, _("已更新片区范围并重新计算面积。"))
            return redirect(plan_url(plan))
    config = draw_config(scope)
    config["current"] = reverse("approvals:plan-geojson", args=[plan.pk])
    return _form_page(request, form, _("更新片区范围：%(name)s") % {"name": plan.name}, plan_url(plan),
                      draw_config=config)


@scoped
def plan_years(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    plan = selectors.get_plan(scope, pk)
    formset = cast(forms.BaseYearFormSet, forms.YearFormSet(request.POST or None, queryset=plan.years.all(),
                                                             prefix="years"))
    if request.method == "POST" and formset.is_valid():
        try:
            services.set_years(actor=request.user, plan=plan, rows=formset.rows())  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, join_clauses(error.messages))
        else:
            messages.success(request, _("已保存年度实施计划。"))
            return redirect(plan_url(plan))
    help_text = _("方案已批准：只能登记实际实施面积和项目数。") if plan.status == DevelopmentPlan.Status.APPROVED \
        else _("面积以公顷计，保留 4 位小数；实施率 = 实际实施面积 ÷ 计划实施面积。")
    return _form_page(request, formset, _("年度实施计划：%(name)s") % {"name": plan.name}, plan_url(plan),
                      template="approvals/plan_years.html", help=help_text)


def _action(request: HttpRequest, scope: RegionScope, pk: int, form_class: type, service: Any,
            done: str) -> HttpResponse:
    _require_work(request)
    plan = selectors.get_plan(scope, pk)
    return post_action(request, form_class, lambda data: service(actor=request.user, plan=plan, **data), done,
                       plan_url(plan))


@scoped
def plan_submit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, forms.PlanSubmitForm, services.submit, _("方案已报批。"))


@scoped
def plan_approve(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, forms.PlanApproveForm, services.approve, _("已登记方案批复。"))


@scoped
def plan_refuse(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _action(request, scope, pk, forms.PlanRefuseForm, services.refuse, _("已登记不予批准。"))
