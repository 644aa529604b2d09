"""Responsibility lists (责任清单): the lists, one list's progress by region with its export, and the import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.exports import PERCENT, WAN_MU, ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import imports, selectors
from landguard.projects.models import TargetList
from landguard.projects.views.common import error_text, form_page
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import paginate, scope_label


def _target_list_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[TargetList]:
    return text_filter(selectors.target_lists(scope).defer("region__geom"), values.get("q"), "name")


def _target_list_url(t: TargetList) -> str:
    return reverse("projects:target-detail", args=[t.pk])


TARGET_LISTS = Listing(
    key="projects",
    extra={"subnav": "targets"},
    title=gettext_lazy("责任清单"),
    filename=gettext_lazy("责任清单列表"),
    columns=(
        Column(gettext_lazy("名称"), lambda t: t.name, link=_target_list_url, badge=True),
        Column(gettext_lazy("下达单位所在行政区"), lambda t: t.region.name),
        Column(gettext_lazy("起始日期"), lambda t: t.period_start),
        Column(gettext_lazy("截止日期"), lambda t: t.period_end),
        Column(gettext_lazy("合计件数"), lambda t: t.total_cases, numeric=True),
        Column(gettext_lazy("合计面积（万亩）"), lambda t: float(t.total_wan_mu), digits=4, numeric=True),
        Column(gettext_lazy("保底目标（万亩）"), lambda t: None if t.floor_wan_mu is None else float(t.floor_wan_mu),
               digits=4, numeric=True),
        Column(gettext_lazy("力争目标（万亩）"),
               lambda t: None if t.stretch_wan_mu is None else float(t.stretch_wan_mu), digits=4, numeric=True),
    ),
    form_class=pforms.PlainFilterForm,
    rows=_target_list_rows,
    list_url="projects:target-list",
    export_url="projects:target-list-export",
    template="projects/list.html",
)


def _target_list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    return {"work_actions": [(_("导入责任清单"), reverse("projects:target-import"))]} if request.user.can_manage else {}


target_list_list, target_list_export = list_views(TARGET_LISTS, extra=_target_list_actions)


TARGET_HEADERS = (gettext_lazy("地区"), gettext_lazy("责任领导"), gettext_lazy("责任处室"),
                  gettext_lazy("用地任务件数"),
                  gettext_lazy("用地任务面积（万亩）"), gettext_lazy("省重点项目件数"),
                  gettext_lazy("省重点项目面积（万亩）"),
                  gettext_lazy("合计件数"), gettext_lazy("合计面积（万亩）"), gettext_lazy("完成件数"),
                  gettext_lazy("完成面积（万亩）"), gettext_lazy("面积完成率（%）"), gettext_lazy("差距（万亩）"))


def _target_cells(p: selectors.TargetProgress) -> list[Any]:
    t = p.target
    return [t.region.name, t.leader, t.division, t.task_cases, float(t.task_wan_mu), t.key_cases, float(t.key_wan_mu),
            t.total_cases, float(t.total_wan_mu), p.total_cases, p.total_wan_mu, p.area_rate, p.gap_wan_mu]


@scoped
def target_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    target_list = selectors.get_target_list(scope, pk)
    progress = selectors.target_progress(scope, target_list)
    context = {"target_list": target_list, "nav": "projects", "subnav": "targets", "headers": TARGET_HEADERS,
               # The import's notes cite rows of the whole list: shown to those whose scope holds the issuing region.
               "import_warnings": target_list.import_warnings if selectors.owns(scope, target_list) else [],
               "page": paginate(request, [(p, _target_cells(p)) for p in progress]),
               "totals": selectors.list_totals(target_list, progress), "progress_basis": selectors.progress_basis(),
               "history": audit_selectors.history_of(scope, target_list)}
    return render(request, "projects/target_detail.html", context)


@scoped
def target_detail_export(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    target_list = selectors.get_target_list(scope, pk)
    rows = [_target_cells(p) for p in selectors.target_progress(scope, target_list)]
    formats = [None, None, None, None, WAN_MU, None, WAN_MU, None, WAN_MU, None, WAN_MU, PERCENT, WAN_MU]
    columns = [ExportColumn(str(h), f) for h, f in zip(TARGET_HEADERS, formats, strict=True)]
    return xlsx_response(title=target_list.name, scope_label=scope_label(scope), columns=columns, rows=rows,
                         filename=target_list.name)


@scoped(manage=True)
def target_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.TargetImportForm(request.POST or None, request.FILES or None, scope=scope)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        path = pforms.stored_upload(data["file"])
        try:
            target_list = imports.import_target_list(
                path, actor=request.user, name=data["name"], region=data["region"], period_start=data["period_start"],
                period_end=data["period_end"], floor_wan_mu=data["floor_wan_mu"], stretch_wan_mu=data["stretch_wan_mu"],
                source_name=data["file"].name)
        except imports.SheetImportError as error:
            problems = error.problems
        except PermissionDenied as error:
            problems = [error_text(error)]
        else:
            messages.success(request, _("已导入责任清单“%(name)s”。") % {"name": target_list.name})
            if target_list.import_warnings:
                messages.warning(request,
                    _("有 %(count)s 处合计与各项之和相差在四舍五入范围内，已按计算值保存，详见清单页的导入提示。")
                                 % {"count": len(target_list.import_warnings)})
            return redirect(_target_list_url(target_list))
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
    response = form_page(request, form, _("导入责任清单"), "targets", reverse("projects:target-list"),
                         template="projects/import.html", problems=problems)
    if problems:
        response.status_code = 400
    return response
