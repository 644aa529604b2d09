"""Service groups (服务组): the roster and creating a group."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.models import ServiceGroup
from landguard.projects.views.common import form_page
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import run_service


def _group_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceGroup]:
    visible = selectors.projects(scope).values("pk")
    queryset = selectors.service_groups(scope).defer("region__geom").annotate(
        project_count=Count("projects", filter=Q(projects__in=visible), distinct=True),
        red_flag_count=Count("red_flags", distinct=True)).order_by("region_code", "name")
    return text_filter(queryset, values.get("q"), "name", "headquarters")


GROUPS = Listing(
    key="projects",
    extra={"subnav": "groups"},
    title=gettext_lazy("服务组"),
    filename=gettext_lazy("服务组名册"),
    columns=(
        Column(gettext_lazy("服务组"), lambda g: g.name, badge=True,
               link=lambda g: reverse("projects:list") + f"?service_group={g.pk}"),
        Column(gettext_lazy("作战指挥部"), lambda g: g.headquarters),
        Column(gettext_lazy("所属行政区"), lambda g: g.region.name),
        Column(gettext_lazy("组长"), lambda g: g.leader),
        Column(gettext_lazy("联络员"), lambda g: g.liaison),
        Column(gettext_lazy("项目数"), lambda g: g.project_count, numeric=True),
        Column(gettext_lazy("流动红旗（面）"), lambda g: g.red_flag_count, numeric=True),
    ),
    form_class=pforms.PlainFilterForm,
    rows=_group_rows,
    list_url="projects:group-list",
    export_url="projects:group-export",
    create_url="projects:group-create",
    template="projects/groups.html",
)


def _structure(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    return {"structure": selectors.group_structure(scope)}


group_list, group_export = list_views(GROUPS, extra=_structure)


@scoped(manage=True)
def group_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.ServiceGroupForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.create_service_group, actor=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已新建服务组。"))
            return redirect("projects:group-list")
    return form_page(request, form, _("新建服务组"), "groups", reverse("projects:group-list"))
