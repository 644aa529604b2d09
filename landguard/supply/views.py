"""Land supply pages: the 供地台账 (list + xlsx in the bureaus' columns), recording a supply from a drawn or uploaded
parcel, its page (map, pieces per dossier, dates, instalments, payments, history), the 两清 board (list + xlsx) and
an item's page with its procedure, and the 批而未供 / 供地率 page with its map layers and the 增存挂钩 task list."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.approvals.views import post_action
from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import xlsx_response
from landguard.core.geodesy import SQM_PER_MU, hectares
from landguard.core.scope import RegionScope
from landguard.projects.views.projects import boundary_draw_config as draw_config
from landguard.regions import maps as region_maps
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service, scope_label
from landguard.supply import forms as sforms
from landguard.supply import maps, rates, selectors, services, tunables
from landguard.supply.models import Cause, SubCause, SupplyRecord, TwoClearItem


def supply_url(r: SupplyRecord) -> str:
    return reverse("supply:detail", args=[r.pk])


def item_url(i: TwoClearItem) -> str:
    return reverse("supply:item", args=[i.pk])


def _mu4(m2: float) -> float:
    return round(m2 / SQM_PER_MU, 4)


def _supply_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[SupplyRecord]:
    queryset = selectors.supplies(scope).defer("geometry", "region__geom")
    for name in ("kind", "use", "status"):
        if value := values.get(name):
            queryset = queryset.filter(**{name: value})
    if year := values.get("year"):
        queryset = queryset.filter(signed_on__year=year)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(parcel_no__contains=text) | Q(supervision_no__contains=text)
                                   | Q(contract_no__contains=text) | Q(land_user__contains=text))
    return queryset


def _paid(r: SupplyRecord) -> Any:
    return float(selectors.paid_total(r))


def _owed(r: SupplyRecord) -> Any:
    owed = r.fee_due_wan_yuan - selectors.paid_total(r)
    return float(owed) if owed > 0 else 0.0


# The Wuhan 供地台账 headers (domain-land.md §B.1, S1) and the columns the brief adds (I).
SUPPLIES = Listing(
    key="supply",
    extra={"subnav": "ledger"},
    title=gettext_lazy("供地台账"),
    filename=gettext_lazy("供地台账"),
    columns=(
        Column(gettext_lazy("年份"), lambda r: r.signed_on.year),
        Column(gettext_lazy("供地类型"), lambda r: r.get_method_display() + r.get_kind_display() if r.method
               else r.get_kind_display()),
        Column(gettext_lazy("宗地号"), lambda r: r.parcel_no, link=supply_url, badge=True),
        Column(gettext_lazy("用地单位"), lambda r: r.land_user),
        Column(gettext_lazy("土地坐落"), lambda r: r.location or r.region.name),
        Column(gettext_lazy("土地用途"), lambda r: r.get_use_display()),
        Column(gettext_lazy("土地面积（公顷）"), lambda r: hectares(r.area_m2), digits=4, numeric=True),
        Column(gettext_lazy("土地面积（亩）"), lambda r: _mu4(r.area_m2), digits=4, numeric=True, html=False),
        Column(gettext_lazy("电子监管号"), lambda r: r.supervision_no, html=False),
        Column(gettext_lazy("出让合同号/划拨决定书号"), lambda r: r.contract_no, html=False),
        Column(gettext_lazy("成交价（万元）"), lambda r: float(r.price_wan_yuan), digits=2, numeric=True),
        Column(gettext_lazy("出让金应缴（万元）"), lambda r: float(r.fee_due_wan_yuan), digits=2, numeric=True,
               html=False),
        Column(gettext_lazy("已缴（万元）"), _paid, digits=2, numeric=True, html=False),
        Column(gettext_lazy("欠缴（万元）"), _owed, digits=2, numeric=True, html=False),
        Column(gettext_lazy("约定交地时间"), lambda r: r.agreed_delivery_on, html=False),
        Column(gettext_lazy("实际交地时间"), lambda r: r.delivered_on, html=False),
        Column(gettext_lazy("约定开工时间"), lambda r: r.agreed_start_on),
        Column(gettext_lazy("实际开工时间"), lambda r: r.started_on, html=False),
        Column(gettext_lazy("约定竣工时间"), lambda r: r.agreed_completion_on, html=False),
        Column(gettext_lazy("实际竣工时间"), lambda r: r.completed_on, html=False),
        Column(gettext_lazy("关联批次（批复文号）"), lambda r: "、".join(
            p.dossier.approval_no or p.dossier.name for p in r.pieces.all()), html=False),
        Column(gettext_lazy("状态"), lambda r: r.get_status_display()),
    ),
    form_class=sforms.SupplyFilterForm,
    rows=lambda scope, values: _supply_rows(scope, values).prefetch_related("pieces__dossier"),
    list_url="supply:list",
    export_url="supply:list-export",
    template="supply/list.html",
)


def _list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    return {"work_actions": [(_("登记供地"), reverse("supply:create"))] if services.can_work(request.user) else []}


supply_list, supply_export = list_views(SUPPLIES, extra=_list_actions)


def _item_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[TwoClearItem]:
    queryset = selectors.items(scope).defer("supply__geometry", "owner_region__geom")
    status = values.get("status")
    if status == "all":
        pass
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status=TwoClearItem.Status.CLOSED)
    for name in ("kind", "cause"):
        if value := values.get(name):
            queryset = queryset.filter(**{name: value})
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(supply__parcel_no__contains=text) | Q(supply__land_user__contains=text))
    return queryset


def _money(value: Any) -> float | None:
    return float(value) if value is not None else None


ITEMS = Listing(
    key="supply",
    extra={"subnav": "board"},
    title=gettext_lazy("两清台账"),
    filename=gettext_lazy("两清台账"),
    columns=(
        Column(gettext_lazy("宗地号"), lambda i: i.supply.parcel_no, link=item_url),
        Column(gettext_lazy("用地单位"), lambda i: i.supply.land_user),
        Column(gettext_lazy("事项类型"), lambda i: i.get_kind_display()),
        Column(gettext_lazy("原因类别"), lambda i: i.get_cause_display()),
        Column(gettext_lazy("具体原因"), lambda i: i.get_sub_cause_display()),
        Column(gettext_lazy("责任乡镇"), lambda i: i.owner_region.name),
        Column(gettext_lazy("责任人"), lambda i: str(i.owner_user) if i.owner_user else "", html=False),
        Column(gettext_lazy("处置方式"), lambda i: i.get_disposal_display()),
        Column(gettext_lazy("拟征闲置费（万元）"), lambda i: _money(i.proposed_fee_wan_yuan), digits=2, numeric=True),
        Column(gettext_lazy("欠缴金额（万元）"), lambda i: _money(i.arrears_wan_yuan), digits=2, numeric=True),
        Column(gettext_lazy("到期日期"), lambda i: i.due_on, html=False),
        Column(gettext_lazy("列入日期"), lambda i: i.raised_on),
        Column(gettext_lazy("本环节期限"), lambda i: i.stage_due_on, html=False),
        Column(gettext_lazy("状态"), lambda i: i.get_status_display()),
    ),
    form_class=sforms.ItemFilterForm,
    rows=_item_rows,
    list_url="supply:board",
    export_url="supply:board-export",
    template="supply/board.html",
)


def _board_extra(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    labels = {**dict(Cause.choices), **dict(SubCause.choices)}
    return {"by_cause": [(labels[r["cause"]], labels[r["sub_cause"]], r["n"])
                         for r in selectors.idle_by_cause(scope)]}


item_board, item_export = list_views(ITEMS, extra=_board_extra)


def _require_work(request: HttpRequest) -> None:
    if not services.can_work(request.user):
        raise PermissionDenied


@scoped
def supply_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    form = sforms.SupplyCreateForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        record = run_service(form, services.create_supply, actor=request.user, **form.service_values())
        if record is not None:
            messages.success(request, _("已登记宗地“%(no)s”。") % {"no": record.parcel_no})
            return redirect(supply_url(record))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "supply/form.html", {"form": form, "title": _("登记供地"), "nav": "supply",
                                                "subnav": "ledger", "cancel_url": reverse("supply:list"),
                                                "draw_config": draw_config(scope),
                                                "help": _("宗地须位于已批复的报批卷宗范围内，且不得与已供宗地重叠。")},
                  status=status)


@scoped
def supply_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    record = selectors.get_supply(scope, pk)
    paid = selectors.paid_total(record)
    context = {
        "record": record, "nav": "supply", "subnav": "ledger", "can_work": services.can_work(request.user),
        "pieces": selectors.pieces(record), "instalments": selectors.instalments(record),
        "payments": selectors.payments(record), "paid": paid, "owed": max(record.fee_due_wan_yuan - paid, 0),
        "items": selectors.items(scope).filter(supply=record), "status_history": selectors.history(record),
        "history": audit_selectors.history_of(scope, record),
        "payment_form": sforms.PaymentForm(initial={"paid_on": clock.today()}),
        "milestone_form": sforms.MilestoneForm(initial={"on": clock.today()}),
        "map_config": {"geojson": reverse("supply:geojson", args=[record.pk])},
    }
    return render(request, "supply/detail.html", context)


@scoped
def supply_geojson(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    record = selectors.get_supply(scope, pk)
    return _geojson(maps.record_features(record))


def _geojson(features: list[dict[str, Any]]) -> HttpResponse:
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


@scoped
def supply_payment(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    record = selectors.get_supply(scope, pk)
    return post_action(request, sforms.PaymentForm,
                       lambda data: services.record_payment(actor=request.user, supply=record, **data),
                       _("已登记缴款。"), supply_url(record))


@scoped
def supply_milestone(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    record = selectors.get_supply(scope, pk)
    return post_action(request, sforms.MilestoneForm,
                       lambda data: services.record_milestone(actor=request.user, supply=record, **data),
                       _("已登记。"), supply_url(record))


@scoped
def item_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    item = selectors.get_item(scope, pk)
    context = {"item": item, "nav": "supply", "subnav": "board", "can_work": services.can_work(request.user),
               "status_history": selectors.item_history(item), "history": audit_selectors.history_of(scope, item),
               "step_form": sforms.ItemStepForm(initial={"on": clock.today()}),
               "rules": [tunables.TUNABLES[n] for n in ("SUPPLY_STATEMENT_DAYS", "SUPPLY_DETERMINATION_DAYS",
                                                        "SUPPLY_DECISION_DAYS", "SUPPLY_IDLE_FEE_PERCENT")]}
    return render(request, "supply/item.html", context)


@scoped
def item_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    item = selectors.get_item(scope, pk)
    initial = {"cause": item.cause, "sub_cause": item.sub_cause, "disposal": item.disposal,
               "owner_user": item.owner_user, "proposed_fee_wan_yuan": item.proposed_fee_wan_yuan, "note": item.note}
    form = sforms.ItemForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_item, actor=request.user, item=item, **form.cleaned_data) is not None:
            messages.success(request, _("已保存。"))
            return redirect(item_url(item))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "supply/form.html", {"form": form, "title": _("认定原因与处置：%(no)s") % {
        "no": item.supply.parcel_no}, "nav": "supply", "subnav": "board", "cancel_url": item_url(item)},
                  status=status)


@scoped
def item_step(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    item = selectors.get_item(scope, pk)
    return post_action(request, sforms.ItemStepForm,
                       lambda data: services.act_on_item(actor=request.user, item=item, **data),
                       _("已登记办理步骤。"), item_url(item))


@scoped
def rate_page(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    today = clock.today()
    context = {"nav": "supply", "subnav": "rates", "rate": rates.region_rate(scope, today),
               "years": rates.by_year(scope), "dossiers": rates.dossier_supply(rates.approved_dossiers(scope)),
               "tasks": rates.disposal_tasks(scope, today), "today": today, "money": selectors.money(scope, today),
               "rules": [tunables.TUNABLES[n] for n in ("SUPPLY_RATE_WINDOW_YEARS", "SUPPLY_RATE_INCLUDE_CURRENT_YEAR",
                                                        "SUPPLY_RATE_EXCLUDE_RECENT_MONTHS",
                                                        "SUPPLY_TASK_MIN_AGE_YEARS")],
               # The scope's extent: where there is nothing to draw yet, the map still shows the scope's townships.
               "map_config": {"geojson": reverse("supply:layers"), "bounds": region_maps.scope_extent(scope)}}
    return render(request, "supply/rates.html", context)


@scoped
def rate_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    today = clock.today()
    columns, rows = maps.rate_table(rates.dossier_supply(rates.approved_dossiers(scope)), today)
    return xlsx_response(title=_("批而未供及供地率"), scope_label=scope_label(scope), columns=columns, rows=rows,
                         filename=_("批而未供及供地率"))


@scoped
def task_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    today = clock.today()
    columns, rows = maps.rate_table(rates.disposal_tasks(scope, today), today)
    return xlsx_response(title=_("%(year)s 年批而未供处置任务（增存挂钩）") % {"year": today.year},
                         scope_label=scope_label(scope), columns=columns, rows=rows, filename=_("批而未供处置任务"))


@scoped
def map_layers(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The 供地率 page's map: 批而未供 remainders, idle parcels and parcels in arrears (`?layer=` one of them)."""
    wanted = request.GET.get("layer", "")
    return _geojson(maps.layers(scope, clock.today(), only=wanted if wanted in maps.LAYERS else None))
