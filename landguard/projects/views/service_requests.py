"""Enterprise service requests (企业服务诉求): list, register, detail and resolve, and the commissioners' figures
(专员成效) that the dossiers, supplies and registrations linked to the requests add up to."""

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
from landguard.core.exports import COUNT, MU, ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.models import ServiceRequest
from landguard.projects.views.common import form_page, require_work
from landguard.shell import service_links
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import run_service, scope_label


def _request_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceRequest]:
    queryset = selectors.service_requests(scope).defer("region__geom")
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if kind := values.get("kind"):
        queryset = queryset.filter(kind=kind)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "enterprise", "request")


def request_url(r: ServiceRequest) -> str:
    return reverse("projects:request-detail", args=[r.pk])


REQUESTS = Listing(
    key="projects",
    extra={"subnav": "requests"},
    title=gettext_lazy("企业服务诉求"),
    filename=gettext_lazy("企业服务诉求"),
    columns=(
        Column(gettext_lazy("企业"), lambda r: r.enterprise, link=request_url),
        Column(gettext_lazy("诉求类型"), lambda r: r.get_kind_display()),
        Column(gettext_lazy("诉求内容"), lambda r: r.request[:60]),
        Column(gettext_lazy("关联项目"), lambda r: r.project.name if r.project else None),
        Column(gettext_lazy("土地服务专员"), lambda r: str(r.commissioner)),
        Column(gettext_lazy("受理日期"), lambda r: r.received_on),
        Column(gettext_lazy("状态"), lambda r: r.get_status_display()),
        Column(gettext_lazy("节省天数"), lambda r: r.days_saved, numeric=True),
        Column(gettext_lazy("办理结果"), lambda r: r.outcome, html=False),
    ),
    form_class=pforms.RequestFilterForm,
    rows=_request_rows,
    list_url="projects:request-list",
    export_url="projects:request-export",
    template="projects/list.html",
)


def _request_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    actions = [(_("专员成效"), reverse("projects:commissioners"))]
    if services.can_work(request.user):
        actions.append((_("登记诉求"), reverse("projects:request-create")))
    return {"work_actions": actions}


request_list, request_export = list_views(REQUESTS, extra=_request_actions)


@scoped
def request_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = pforms.ServiceRequestForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        item = run_service(form, services.create_service_request, actor=request.user, **form.cleaned_data)
        if item is not None:
            messages.success(request, _("已登记企业诉求。"))
            return redirect(request_url(item))
    return form_page(request, form, _("登记企业服务诉求"), "requests", reverse("projects:request-list"))


@scoped
def request_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    item = selectors.get_service_request(scope, pk)
    can_work = services.can_work(request.user) and selectors.owns(scope, item)
    form = pforms.ServiceRequestResolveForm(request.POST or None, item=item, scope=scope)
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied
        if form.is_valid() and run_service(form, services.resolve_service_request, actor=request.user, item=item,
                                           **form.cleaned_data) is not None:
            messages.success(request, _("诉求已办结。"))
            return redirect(request_url(item))
    context = {"item": item, "nav": "projects", "subnav": "requests", "form": form, "can_work": can_work,
               "steps": item.steps.all(), "linked": selectors.linked_work(scope, item),
               "history": audit_selectors.history_of(scope, item)}
    return render(request, "projects/request_detail.html", context, status=400 if form.errors else 200)


def _figure_header() -> list[ExportColumn]:
    """The commissioners' table columns: the request counts, then per kind of work its count, the approved part
    where it has one, and its measure in 亩 where it has one."""
    columns = [ExportColumn(_("土地服务专员")), ExportColumn(_("诉求（件）"), COUNT), ExportColumn(_("已办结"), COUNT),
               ExportColumn(_("节省天数"), COUNT)]
    for work in service_links.works():
        columns.append(ExportColumn(_("%(work)s（%(unit)s）") % {"work": work.label, "unit": work.unit}, COUNT))
        if work.has_approval:
            columns.append(ExportColumn(_("其中已批"), COUNT))
        if work.amount_label is not None:
            columns.append(ExportColumn(work.amount_label, MU))
    return columns


def _figure_values(row: selectors.CommissionerFigures) -> list[Any]:
    values: list[Any] = [str(row.commissioner) if row.commissioner else _("合计"), row.requests, row.resolved,
                         row.days_saved]
    for work, tally in row.tallies:
        values.append(tally.count)
        if work.has_approval:
            values.append(tally.approved)
        if work.amount_label is not None:
            values.append(tally.amount)
    return values


def _shown(value: Any, number_format: str | None) -> str:
    if value is None:
        return "—"
    if number_format == MU:
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@scoped
def commissioners(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """土地服务专员成效: per commissioner, what the links of their requests add up to ("12 宗出让 821.66 亩")."""
    header = _figure_header()
    table = [(row.commissioner is None, [(str(c.header), _shown(v, c.number_format), c.number_format is not None)
                                         for c, v in zip(header, _figure_values(row), strict=True)])
             for row in selectors.commissioner_figures(scope)]
    return render(request, "projects/commissioners.html", {
        "nav": "projects", "subnav": "requests", "table": table, "header": header, "works": service_links.works()})


@scoped
def commissioners_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return xlsx_response(title=_("土地服务专员成效"), scope_label=scope_label(scope), columns=_figure_header(),
                         rows=[_figure_values(r) for r in selectors.commissioner_figures(scope)],
                         filename=_("土地服务专员成效"))
