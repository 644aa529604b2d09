"""上门服务 (湖北): the leaders' visits to key projects — the list with its xlsx, recording one, and the year's
coverage of the 包保领导 (who has not been yet) above the list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services, tunables
from landguard.projects.models import ServiceVisit
from landguard.people.models import acting_user
from landguard.projects.views.common import form_page, project_url, require_work
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def _visit_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceVisit]:
    queryset = selectors.visits(scope).defer("project__boundary")
    if year := values.get("year"):
        queryset = queryset.filter(visited_on__year=year)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(leader__contains=text) | Q(project__name__contains=text)
                                   | Q(enterprise__contains=text))
    return queryset


VISITS = Listing(
    key="projects",
    extra={"subnav": "visits"},
    title=gettext_lazy("上门服务"),
    filename=gettext_lazy("上门服务记录"),
    columns=(
        Column(gettext_lazy("走访日期"), lambda v: v.visited_on, badge=True),
        Column(gettext_lazy("走访领导"), lambda v: v.leader),
        Column(gettext_lazy("重点项目"), lambda v: v.project.name, link=lambda v: project_url(v.project)),
        Column(gettext_lazy("包保领导"), lambda v: v.project.leader),
        Column(gettext_lazy("走访企业/地点"), lambda v: v.enterprise),
        Column(gettext_lazy("了解的问题和诉求"), lambda v: v.content[:60]),
        Column(gettext_lazy("协调解决情况"), lambda v: v.outcome, html=False),
    ),
    form_class=pforms.VisitFilterForm,
    rows=_visit_rows,
    list_url="projects:visit-list",
    export_url="projects:visit-export",
    template="projects/visits.html",
)


def _coverage(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    year = clock.today().year
    rows = selectors.visit_coverage(scope, year)
    actions = [(_("登记上门服务"), reverse("projects:visit-create"))] if services.can_work(acting_user(request)) else []
    return {"coverage": rows, "coverage_year": year, "coverage_missing": sum(1 for r in rows if r.visits == 0),
            "work_actions": actions, "reminder_from": tunables.get("PROJECTS_VISIT_REMINDER_FROM")}


visit_list, visit_export = list_views(VISITS, extra=_coverage)


@scoped
def visit_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    initial = {}
    if (pk := request.GET.get("project", "")).isdigit() and len(pk) <= 18:
        project = selectors.projects(scope).filter(pk=int(pk)).first()
        initial = {"project": project, "leader": project.leader} if project is not None else {}
    form = pforms.VisitForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        visit = run_service(form, services.record_visit, actor=acting_user(request), **form.cleaned_data)
        if visit is not None:
            messages.success(request, _("已登记：%(visit)s。") % {"visit": visit})
            return redirect("projects:visit-list")
    return form_page(request, form, _("登记上门服务"), "visits", reverse("projects:visit-list"))
