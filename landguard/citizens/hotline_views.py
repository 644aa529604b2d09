"""12345 work orders' pages (domain-land.md §C.3): the list with its xlsx twin, receiving an order, and its page
with the actions its status allows — 签收 or 申请退回, 答复, 回访 (不满意 sends it back for 再办) — each through the
hotline services; the timeline, the 督办 mark and the audit history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.citizens import forms as cforms
from landguard.citizens import hotline, selectors, services, tunables
from landguard.citizens.models import Matter, WorkOrder
from landguard.citizens.pages import act, require_work
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.people.models import acting_user
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def order_url(m: Matter) -> str:
    return reverse("citizens:order-detail", args=[m.pk])


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Matter]:
    queryset = selectors.work_orders(scope)
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if topic := values.get("topic"):
        queryset = queryset.filter(work_order__topic=topic)
    if values.get("supervised"):
        queryset = queryset.filter(work_order__supervised_at__isnull=False)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(work_order__order_no__contains=text) | Q(title__contains=text))
    return queryset


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _satisfaction(m: Matter) -> str:
    visits = m.work_order.visits
    return str(WorkOrder.Satisfaction(visits[-1]["satisfaction"]).label) if visits else ""


ORDERS = Listing(
    key="citizens",
    extra={"subnav": "orders"},
    title=gettext_lazy("12345工单"),
    filename=gettext_lazy("12345工单列表"),
    columns=(
        Column(gettext_lazy("工单编号"), lambda m: m.work_order.order_no, link=order_url, badge=True),
        Column(gettext_lazy("事项"), lambda m: m.title, link=order_url),
        Column(gettext_lazy("主题"), lambda m: m.work_order.get_topic_display()),
        Column(gettext_lazy("主办单位"), lambda m: m.work_order.lead_unit.name),
        Column(gettext_lazy("状态"), lambda m: m.get_status_display()),
        Column(gettext_lazy("派单时间"), lambda m: _local(m.received_at)),
        Column(gettext_lazy("签收时限"), lambda m: _local(m.work_order.sign_by)),
        Column(gettext_lazy("办结期限"), lambda m: m.limit_on),
        Column(gettext_lazy("督办"), lambda m: _local(m.work_order.supervised_at) or None),
        Column(gettext_lazy("回访满意度"), _satisfaction),
        Column(gettext_lazy("再办次数"), lambda m: m.work_order.redo_count, numeric=True),
        Column(gettext_lazy("答复内容"), lambda m: m.work_order.answer, html=False),
    ),
    form_class=cforms.WorkOrderFilterForm,
    rows=_rows,
    list_url="citizens:order-list",
    export_url="citizens:order-export",
    template="citizens/list.html",
)


def _list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    may_work = services.can_work(acting_user(request))
    actions = [(_("登记12345工单"), reverse("citizens:order-create"))] if may_work else []
    return {"work_actions": actions, "nav": "citizens"}


order_list, order_export = list_views(ORDERS, extra=_list_actions)


@scoped
def order_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = cforms.WorkOrderForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matter = run_service(form, hotline.receive_order, actor=acting_user(request), region=data["region"],
                             order_no=data["order_no"], topic=data["topic"], summary=data["summary"],
                             lead_unit=data["lead_unit"], assist_units=tuple(data["assist_units"]),
                             designated=data["designated"], petition_no=data["petition_no"], handler=request.user)
        if matter is not None:
            if matter.status == Matter.Status.REFUSED:
                messages.warning(request, _("该事项已进入信访程序，工单已记为不予办理。"))
            else:
                messages.success(request, _("已登记工单 %(no)s，请在签收时限内签收。") % {
                    "no": matter.work_order.order_no})
            return redirect(order_url(matter))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizens/form.html", {"form": form, "title": _("登记12345工单"), "nav": "citizens",
                                                  "subnav": "orders", "cancel_url": reverse("citizens:order-list")},
                  status=status)


@scoped
def order_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    matter = selectors.get_work_order(scope, pk)
    order = matter.work_order
    return render(request, "citizens/order_detail.html", {
        "matter": matter, "order": order, "nav": "citizens", "subnav": "orders",
        "assist_units": order.assist_units.all(), "can_work": services.can_work(acting_user(request)),
        "visits": [{**v, "label": WorkOrder.Satisfaction(v["satisfaction"]).label,
                    "at": timezone.localtime(dt.datetime.fromisoformat(v["at"]))} for v in order.visits],
        "status_history": selectors.history(matter), "history": audit_selectors.history_of(scope, matter),
        "answer_form": cforms.AnswerForm(), "callback_form": cforms.CallbackForm(), "reason_form": cforms.ReasonForm(),
        "rules": tunables.CATALOG.rows("CITIZENS_HOTLINE")})


ACTIONS: dict[str, tuple[type, Any, Any]] = {
    "sign": (cforms.EmptyForm, lambda user, m, d: hotline.sign(actor=user, matter=m), gettext_lazy("已签收。")),
    "return": (cforms.ReasonForm, lambda user, m, d: hotline.request_return(actor=user, matter=m, reason=d["reason"]),
               gettext_lazy("已申请退回。")),
    "answer": (cforms.AnswerForm, lambda user, m, d: hotline.answer(actor=user, matter=m, text=d["text"]),
               gettext_lazy("已答复，待回访。")),
    "callback": (cforms.CallbackForm, lambda user, m, d: hotline.record_visit(
        actor=user, matter=m, satisfaction=d["satisfaction"], note=d["note"]), gettext_lazy("已记录回访。")),
}


@scoped
@require_POST
def order_action(request: HttpRequest, scope: RegionScope, pk: int, action: str) -> HttpResponse:
    """签收, 申请退回, 答复 or 回访, through the hotline services."""
    if action not in ACTIONS:
        raise PermissionDenied
    form_class, call, done = ACTIONS[action]
    matter = selectors.get_work_order(scope, pk)
    return act(request, matter, form_class, lambda m, d: call(acting_user(request), m, d), str(done),
               order_url(matter))
