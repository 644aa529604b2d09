"""Reports send_dispatch stored: their history and files (their notices are in landguard.inbox)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import reports, selectors
from landguard.projects.models import Dispatch
from landguard.shell.listing import Column, Listing, list_views


def _dispatch_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Dispatch]:
    queryset = selectors.dispatches(scope).select_related("group__region").defer("group__region__geom")
    if kind := values.get("kind"):
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-period", "-due_at", "region_code")


def _dispatch_file_url(fmt: str) -> Any:
    def url(d: Dispatch) -> str | None:
        return reverse("projects:dispatch-file", args=[d.pk, fmt]) if getattr(d, fmt) else None
    return url


DISPATCHES = Listing(
    key="projects",
    extra={"subnav": "reports"},
    title=gettext_lazy("历史报告"),
    filename=gettext_lazy("调度报告"),
    columns=(
        Column(gettext_lazy("报告日期"), lambda d: d.period),
        Column(gettext_lazy("类型"), lambda d: d.get_kind_display()),
        Column(gettext_lazy("标题"), lambda d: d.title),
        Column(gettext_lazy("领导小组"), lambda d: d.group.name),
        Column(gettext_lazy("摘要"), lambda d: d.summary),
        Column(gettext_lazy("状态"), lambda d: d.get_status_display()),
        Column(gettext_lazy("送达时间"),
               lambda d: timezone.localtime(d.sent_at).strftime("%Y-%m-%d %H:%M") if d.sent_at else None),
        Column(gettext_lazy("Word"), lambda d: _("下载") if d.docx else None, link=_dispatch_file_url("docx"),
               export=False),
        Column(gettext_lazy("Excel"), lambda d: _("下载") if d.xlsx else None, link=_dispatch_file_url("xlsx"),
               export=False),
        Column(gettext_lazy("最近错误"), lambda d: d.error, html=False),
    ),
    form_class=pforms.DispatchFilterForm,
    rows=_dispatch_rows,
    list_url="projects:dispatch-list",
    export_url="projects:dispatch-export",
    template="projects/list.html",
)


dispatch_list, dispatch_export = list_views(DISPATCHES)


DISPATCH_FILES = {"docx": reports.DOCX_MIME,
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@scoped
def dispatch_file(request: HttpRequest, scope: RegionScope, pk: int, fmt: str) -> HttpResponse:
    """A stored report, from the media storage (never served directly: the scope decides)."""
    item = selectors.get_dispatch(scope, pk)
    stored = getattr(item, fmt) if fmt in DISPATCH_FILES else None
    if not stored:
        raise Http404
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=f"{item.title or item}.{fmt}",
                            content_type=DISPATCH_FILES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response
