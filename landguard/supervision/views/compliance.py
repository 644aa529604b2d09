"""Compliance (三个一 deadlines, by township and by receiving unit; 巡田 frequency) with their exports, and
the delivery log of the push channels."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import COUNT, PERCENT, ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.supervision import forms, selectors, stats, tunables, verification
from landguard.supervision.models import Delivery, SourceKind
from landguard.supervision.views.common import in_township, local_time
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import scope_label


@scoped
def compliance(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    rows, total = stats.compliance(scope)
    today = clock.today()
    offices, chiefs = stats.patrol_compliance(scope, year=today.year, month=today.month)
    context = {"nav": "supervision", "subnav": "compliance", "rows": rows, "total": total, "offices": offices,
               "units": stats.unit_compliance(scope), "unit_definition": stats.DEFINITIONS["unit_compliance"],
               "chiefs": chiefs[:200], "chief_count": len(chiefs), "chiefs_ok": sum(1 for c in chiefs if c.ok),
               "month": today,
               "office_required": tunables.get("SUPERVISION_OFFICE_PATROLS_PER_MONTH"),
               "definition": stats.DEFINITIONS["compliance"],
               "policy": verification.durations(SourceKind.CAMERA, "normal")}
    return render(request, "supervision/compliance.html", context)


@scoped
def compliance_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    rows, total = stats.compliance(scope)
    columns = [ExportColumn(str(h), f) for h,
               f in ((_("乡镇代码"), None), (_("乡镇（街道）"), None), (_("环节合计"), COUNT),
                                                     (_("按时完成"), COUNT), (_("进行中"), COUNT), (_("超时"), COUNT),
                                                     (_("已升级"), COUNT), (_("达标率（%）"), PERCENT))]
    data = ([r.code, r.name, r.total, r.on_time, r.running, r.breached, r.escalated, r.rate] for r in [*rows, total])
    return xlsx_response(title=_("三个一时限达标情况"), scope_label=scope_label(scope), columns=columns, rows=data,
                         filename=_("时限达标情况"))


@scoped
def unit_compliance_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    columns = [ExportColumn(str(h), f) for h,
               f in ((_("接收方类型"), None), (_("接收单位"), None), (_("环节合计"), COUNT),
                                                     (_("按时完成"), COUNT), (_("进行中"), COUNT), (_("超时"), COUNT),
                                                     (_("已升级"), COUNT), (_("达标率（%）"), PERCENT))]
    data = ([u.kind_label, u.name, u.total, u.on_time, u.running, u.breached, u.escalated, u.rate]
            for u in stats.unit_compliance(scope))
    return xlsx_response(title=_("三个一时限达标情况（分接收单位）"), scope_label=scope_label(scope), columns=columns,
                         rows=data,
                         filename=_("分接收单位时限达标情况"))


@scoped
def patrol_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    today = clock.today()
    offices, chiefs = stats.patrol_compliance(scope, year=today.year, month=today.month)
    columns = [ExportColumn(str(h), f) for h,
               f in ((_("巡查主体"), None), (_("区域"), None), (_("本月巡田次数"), COUNT),
                                                     (_("有巡田的周数"), COUNT), (_("要求"), COUNT), (_("达标"), None))]
    data = ([r.label, r.region, r.count, r.weeks, r.required, r.ok] for r in [*offices, *chiefs])
    return xlsx_response(title=_("%(month)s 巡田频次") % {"month": today.strftime("%Y-%m")},
                         scope_label=scope_label(scope),
                         columns=columns, rows=data, filename=_("巡田频次"))


def _delivery_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Delivery]:
    return in_township(values, selectors.deliveries(scope), "region_code")


DELIVERIES = Listing(
    key="supervision", title=gettext_lazy("推送记录"), filename=gettext_lazy("推送记录"),
    columns=(
        Column(gettext_lazy("时间"), lambda d: local_time(d.created_at)),
        Column(gettext_lazy("渠道"), lambda d: f"{d.channel.get_kind_display()} · {d.channel.name}"),
        Column(gettext_lazy("任务"), lambda d: str(d.task) if d.task_id else None,
               link=lambda d: reverse("supervision:task-detail", args=[d.task_id]) if d.task_id else None),
        Column(gettext_lazy("标题"), lambda d: d.title),
        Column(gettext_lazy("状态"), lambda d: d.get_status_display()),
        Column(gettext_lazy("尝试次数"), lambda d: d.attempts, numeric=True),
        Column(gettext_lazy("响应码"), lambda d: d.response_status),
        Column(gettext_lazy("最近错误"), lambda d: d.last_error),
        Column(gettext_lazy("送达时间"), lambda d: local_time(d.sent_at)),
    ),
    form_class=forms.PlainFilterForm, rows=_delivery_rows, list_url="supervision:delivery-list",
    export_url="supervision:delivery-export", template="supervision/list.html", extra={"subnav": "deliveries"},
)


delivery_list, delivery_export = list_views(DELIVERIES)
