"""The planning pages: the county's indicators (table + chart), the plan form, the breakdown form (one row per
township), the township page (its indicators, history and map), the township indicator table with xlsx, and the
rural idle-land ledger (filtered table with totals and xlsx, map, entry, xlsx import, detail)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import ExportColumn, xlsx_response
from landguard.core.geodesy import SQM_PER_MU, hectares, mu
from landguard.core.scope import RegionScope
from landguard.planning import forms as pforms
from landguard.planning import imports, selectors, services
from landguard.planning.models import Breakdown, IdleParcel, IndicatorKind
from landguard.projects.views.projects import boundary_draw_config as draw_config
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level, Region
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service, scope_label

DIGITS = 4


def _require(request: HttpRequest, *, manager: bool) -> None:
    if not (services.can_manage(request.user) if manager else services.can_work(request.user)):
        raise PermissionDenied


def _form_page(request: HttpRequest, form: Any, title: str, cancel_url: str, **extra: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "title": title, "cancel_url": cancel_url, "nav": "planning", **extra}
    return render(request, "planning/form.html", context, status=status)


# --- the county's indicators ------------------------------------------------------------------------------


def _chart(rows: list[selectors.Row]) -> dict[str, Any]:
    data = [{"name": r.township.name, "target": r.target or 0, "current": r.current_mu or 0} for r in rows]
    return {"rows": data, "labels": {"target": _("分解值（亩）"), "current": _("现状值（亩）"), "empty": _("暂无数据")},
            "locale": "ZH" if get_language() == "zh-hans" else "EN"}


@scoped
def indicators(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    plan = selectors.plan_for_scope(scope)
    context: dict[str, Any] = {"nav": "planning", "subnav": "indicators", "plan": plan,
                               "can_manage": services.can_manage(request.user),
                               "can_work": services.can_work(request.user)}
    if plan is not None:
        kinds = [k for k in IndicatorKind.values if plan.indicators.filter(kind=k).exists()]
        kind = request.GET.get("kind") if request.GET.get("kind") in kinds else (kinds[0] if kinds else None)
        township_rows = selectors.township_rows(scope, plan, kind=kind) if kind else []
        at, basis = selectors.measured_at(scope, plan)
        context.update(county_rows=selectors.county_rows(scope, plan), chart=_chart(township_rows), kinds=[
            (k, IndicatorKind(k).label) for k in kinds], kind=kind, township_rows=township_rows, measured_at=at,
            basis=basis, farmland_net=services.farmland_is_net(),
            new_construction_start=services.new_construction_start(plan))
    return render(request, "planning/indicators.html", context)


MU4 = "#,##0.0000"


@scoped
def indicators_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The county indicator table as xlsx: county value, broken down, not broken down, current value and gap (亩)."""
    plan = selectors.plan_for_scope(scope)
    rows = [[str(r.indicator.get_kind_display()), float(r.indicator.county_value), float(r.allocated),
             float(r.unallocated), r.current_mu, r.gap] for r in (selectors.county_rows(scope, plan) if plan else [])]
    columns = [ExportColumn(gettext_lazy("指标")), ExportColumn(gettext_lazy("县级指标（亩）"), MU4),
               ExportColumn(gettext_lazy("已分解（亩）"), MU4), ExportColumn(gettext_lazy("未分解（亩）"), MU4),
               ExportColumn(gettext_lazy("现状值（亩）"), MU4), ExportColumn(gettext_lazy("差值（亩）"), MU4)]
    title = plan.name if plan else str(gettext_lazy("国土空间规划指标"))
    return xlsx_response(title=title, scope_label=scope_label(scope), columns=columns, rows=rows,
                         filename=_("国土空间规划指标"))


@scoped
def plan_edit(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require(request, manager=True)
    plan = selectors.plan_for_scope(scope)
    county = plan.region if plan else region_selectors.scope_root(scope)
    if county is None or county.level != Level.COUNTY:
        raise Http404
    form = pforms.PlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.save_plan, actor=request.user, county=county,
                       **form.service_values()) is not None:
            messages.success(request, _("已保存规划指标。"))
            return redirect("planning:indicators")
    return _form_page(request, form, _("%(county)s国土空间规划指标") % {"county": county.name},
                      reverse("planning:indicators"))


@scoped
def breakdown(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require(request, manager=True)
    indicator = selectors.get_indicator(scope, pk)
    if not scope.contains(indicator.plan.region_code):
        raise Http404
    form = pforms.BreakdownForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.save_breakdown, actor=request.user, indicator=indicator, shares=form.shares(),
                       note=form.cleaned_data.get("note", "")) is not None:
            messages.success(request, _("已保存%(kind)s的分解。") % {"kind": indicator.get_kind_display()})
            return redirect("planning:indicators")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "planning/breakdown.html", {
        "form": form, "indicator": indicator, "nav": "planning", "subnav": "indicators",
        "history": selectors.changes(scope).filter(indicator=indicator)[:50]}, status=status)


@scoped
def measure(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    _require(request, manager=False)
    plan = selectors.plan_for_scope(scope)
    if plan is None or not scope.contains(plan.region_code):
        raise Http404
    try:
        services.measure(actor=request.user, plan=plan)
        messages.success(request, _("已按官方图层重新测算各乡镇现状值。"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("planning:indicators")


# --- townships --------------------------------------------------------------------------------------------


def _township(scope: RegionScope, code: str) -> Region:
    region = region_selectors.get_region(scope, code)
    if region.level != Level.TOWNSHIP:
        raise Http404
    return region


@scoped
def township(request: HttpRequest, scope: RegionScope, code: str) -> HttpResponse:
    region = _township(scope, code)
    plan = selectors.plan_for_scope(scope)
    rows = selectors.township_rows(scope, plan, township_code=region.code) if plan else []
    idle = selectors.idle_parcels(scope).filter(region_code__startswith=region.code)
    return render(request, "planning/township.html", {
        "region": region, "plan": plan, "rows": rows, "nav": "planning", "subnav": "townships",
        "history": selectors.changes(scope).filter(region_code=region.code)[:50],
        "idle": selectors.idle_totals(idle), "can_work": services.can_work(request.user),
        "laid_out_form": pforms.LaidOutForm(),
        "map_config": {"geojson": reverse("planning:township-geojson", args=[region.code])}})


def _feature(geom: Any, name: str, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": json.loads(geom.json), "properties": {"name": name, **properties}}


def _geojson(features: list[dict[str, Any]]) -> HttpResponse:
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


@scoped
def township_geojson(request: HttpRequest, scope: RegionScope, code: str) -> HttpResponse:
    region = _township(scope, code)
    features = [_feature(region.geom, region.name)] if region.geom is not None else []
    features += [_feature(p.geom, p.name, mu=mu(p.area_m2))
                 for p in selectors.idle_parcels(scope).filter(region_code__startswith=region.code, geom__isnull=False)]
    return _geojson(features)


@scoped
def laid_out(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    _require(request, manager=False)
    row = selectors.get_breakdown(scope, pk)
    form = pforms.LaidOutForm(request.POST)
    if form.is_valid() and run_service(form, services.mark_laid_out, actor=request.user, breakdown=row,
                                       on=form.cleaned_data["on"]) is not None:
        messages.success(request, _("已登记完成分解布局。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("planning:township", row.region_code)




def _current(b: Breakdown) -> Any:
    found = getattr(b, "_current", "unset")
    if found == "unset":
        m = b.indicator.plan.measurements.filter(region_code=b.region_code, kind=b.indicator.kind).first()
        found = round(m.area_m2 / SQM_PER_MU, DIGITS) if m else None
        b._current = found  # type: ignore[attr-defined]
    return found


def _status(b: Breakdown) -> str:
    return str(selectors.Status.LABELS[selectors.status_of(b.indicator.kind, b.target, _current(b), b.deadline,
                                                              b.laid_out_on)])


def _gap(b: Breakdown) -> float | None:
    current = _current(b)
    return None if current is None else round(current - float(b.target), DIGITS)


def _breakdown_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Breakdown]:
    queryset = selectors.breakdowns(scope).order_by("region_code", "indicator_id")
    if township_ := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township_.code)
    if kind := values.get("kind"):
        queryset = queryset.filter(indicator__kind=kind)
    if text := values.get("q"):
        queryset = queryset.filter(Q(township__name__contains=text) | Q(region_code__startswith=text))
    status = values.get("status")
    if status == selectors.Status.OVERDUE:
        queryset = queryset.filter(laid_out_on__isnull=True, deadline__lt=clock.today())
    elif status == selectors.Status.PENDING:
        queryset = queryset.none()  # a township with a value is never 待分解
    return queryset


TOWNSHIP_INDICATORS = Listing(
    key="planning", extra={"subnav": "townships"},
    title=gettext_lazy("乡镇规划指标分解"), filename=gettext_lazy("乡镇规划指标分解"),
    columns=(
        Column(gettext_lazy("乡镇（街道）"), lambda b: b.township.name,
               link=lambda b: reverse("planning:township", args=[b.region_code])),
        Column(gettext_lazy("指标"), lambda b: b.indicator.get_kind_display()),
        Column(gettext_lazy("分解值（亩）"), lambda b: float(b.target), digits=DIGITS, numeric=True),
        Column(gettext_lazy("现状值（亩）"), _current, digits=DIGITS, numeric=True),
        Column(gettext_lazy("差值（亩）"), _gap, digits=DIGITS, numeric=True),
        Column(gettext_lazy("分解布局期限"), lambda b: b.deadline),
        Column(gettext_lazy("完成分解布局"), lambda b: b.laid_out_on),
        Column(gettext_lazy("状态"), _status),
        Column(gettext_lazy("区划代码"), lambda b: b.region_code, html=False),
    ),
    form_class=pforms.TownshipIndicatorFilterForm, rows=_breakdown_rows,
    list_url="planning:townships", export_url="planning:townships-export", template="planning/list.html",
)

township_list, township_export = list_views(TOWNSHIP_INDICATORS)


# --- rural idle land --------------------------------------------------------------------------------------


def _idle_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[IdleParcel]:
    queryset = selectors.idle_parcels(scope).order_by("region_code", "name", "id")
    if township_ := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township_.code)
    if village := values.get("village"):
        queryset = queryset.filter(Q(village__name__contains=village) | Q(region_code__startswith=village))
    for key in ("status", "planned_reuse", "current_use"):
        if value := values.get(key):
            queryset = queryset.filter(**{key: value})
    if text := values.get("q"):
        queryset = queryset.filter(Q(name__contains=text) | Q(village__name__contains=text))
    return queryset


def _idle_url(p: IdleParcel) -> str:
    return reverse("planning:idle-detail", args=[p.pk])


IDLE = Listing(
    key="planning", extra={"subnav": "idle"},
    title=gettext_lazy("闲散土地台账"), filename=gettext_lazy("闲散土地台账"),
    columns=(
        Column(gettext_lazy("乡镇（街道）"), lambda p: p.village.parent.name if p.village.parent else ""),
        Column(gettext_lazy("村（社区）"), lambda p: p.village.name),
        Column(gettext_lazy("地块名称（位置）"), lambda p: p.name, link=_idle_url, badge=True),
        Column(gettext_lazy("面积（亩）"), lambda p: mu(p.area_m2), digits=2, numeric=True),
        Column(gettext_lazy("面积（公顷）"), lambda p: hectares(p.area_m2), digits=4, numeric=True, html=False),
        Column(gettext_lazy("面积来源"), lambda p: p.get_area_source_display()),
        Column(gettext_lazy("现状用途"), lambda p: p.get_current_use_display()),
        Column(gettext_lazy("拟利用方向"), lambda p: p.get_planned_reuse_display()),
        Column(gettext_lazy("状态"), lambda p: p.get_status_display()),
        Column(gettext_lazy("指认日期"), lambda p: p.identified_on),
        Column(gettext_lazy("备注"), lambda p: p.note, html=False),
        Column(gettext_lazy("区划代码"), lambda p: p.region_code, html=False),
    ),
    form_class=pforms.IdleFilterForm, rows=_idle_rows,
    list_url="planning:idle", export_url="planning:idle-export", template="planning/idle_list.html",
)


def _idle_extra(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    form = pforms.IdleFilterForm(request.GET or None, scope=scope)
    query = request.GET.urlencode()
    return {"totals": selectors.idle_totals(_idle_rows(scope, form.values())),
            "can_work": services.can_work(request.user),
            "map_config": {"geojson": reverse("planning:idle-geojson") + (f"?{query}" if query else "")}}


idle_list, idle_export = list_views(IDLE, extra=_idle_extra)


@scoped
def idle_geojson(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.IdleFilterForm(request.GET or None, scope=scope)
    rows = _idle_rows(scope, form.values()).filter(geom__isnull=False)[:5000]
    return _geojson([_feature(p.geom, p.name, mu=mu(p.area_m2)) for p in rows])


@scoped
def idle_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    parcel = selectors.get_idle_parcel(scope, pk)
    return render(request, "planning/idle_detail.html", {
        "parcel": parcel, "nav": "planning", "subnav": "idle", "can_work": services.can_work(request.user),
        "history": audit_selectors.history_of(scope, parcel),
        "map_config": {"geojson": reverse("planning:idle-parcel-geojson", args=[parcel.pk])} if parcel.geom else None})


@scoped
def idle_parcel_geojson(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    parcel = selectors.get_idle_parcel(scope, pk)
    return _geojson([_feature(parcel.geom, parcel.name, mu=mu(parcel.area_m2))] if parcel.geom else [])


@scoped
def idle_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require(request, manager=False)
    form = pforms.IdleParcelForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        parcel = run_service(form, services.create_idle_parcel, actor=request.user, **form.service_values())
        if parcel is not None:
            messages.success(request, _("已登记闲散土地。"))
            return redirect("planning:idle-detail", parcel.pk)
    return _form_page(request, form, _("登记闲散土地"), reverse("planning:idle"), draw_config=draw_config(scope),
                      subnav="idle")


@scoped
def idle_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require(request, manager=False)
    parcel = selectors.get_idle_parcel(scope, pk)
    form = pforms.IdleParcelForm(request.POST or None, request.FILES or None, scope=scope, parcel=parcel)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.update_idle_parcel, actor=request.user, parcel=parcel,
                       **form.service_values()) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect("planning:idle-detail", parcel.pk)
    config = draw_config(scope)
    if parcel.geom is not None:
        config["current"] = reverse("planning:idle-parcel-geojson", args=[parcel.pk])
    return _form_page(request, form, _("编辑闲散土地：%(name)s") % {"name": parcel.name},
                      reverse("planning:idle-detail", args=[parcel.pk]), draw_config=config, subnav="idle")


@scoped
def idle_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require(request, manager=False)
    form = pforms.IdleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="landguard-idle-") as tmp:
            path = Path(tmp) / "ledger.xlsx"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            created = run_service(form, imports.import_idle_parcels, actor=request.user, scope=scope, path=path,
                                  today=clock.today())
        if created is not None:
            messages.success(request, _("已导入 %(count)s 宗闲散土地。") % {"count": len(created)})
            return redirect("planning:idle")
    return _form_page(request, form, _("导入闲散土地台账"), reverse("planning:idle"), subnav="idle",
                      help=_("每行一宗地块；有错误的行会逐行列出，整表不导入。"))
