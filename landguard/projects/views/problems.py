"""The problem ledger (问题台账): list, register, detail and the escalate/resolve/close/reopen actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.models import Problem
from landguard.projects.views.common import error_text, form_page, require_work
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import run_service


def _problem_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Problem]:
    queryset = selectors.problems(scope).defer("region__geom")
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if category := values.get("category"):
        queryset = queryset.filter(category=category)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "description", "project__name", "division")


def _problem_url(p: Problem) -> str:
    return reverse("projects:problem-detail", args=[p.pk])


PROBLEMS = Listing(
    key="projects",
    extra={"subnav": "problems"},
    title=gettext_lazy("问题台账"),
    filename=gettext_lazy("问题台账"),
    columns=(
        Column(gettext_lazy("问题描述"), lambda p: p.description[:60], link=_problem_url),
        Column(gettext_lazy("问题类别"), lambda p: p.get_category_display()),
        Column(gettext_lazy("项目"), lambda p: p.project.name if p.project else None),
        Column(gettext_lazy("地区"), lambda p: p.region.name),
        Column(gettext_lazy("责任科室"), lambda p: p.division),
        Column(gettext_lazy("解决时限"), lambda p: p.deadline),
        Column(gettext_lazy("状态"), lambda p: p.get_status_display()),
        Column(gettext_lazy("是否超期"),
            lambda p: p.status not in (Problem.Status.RESOLVED, Problem.Status.CLOSED) and p.deadline < clock.today()),
        Column(gettext_lazy("解决情况"), lambda p: p.resolution, html=False),
        Column(gettext_lazy("销号日期"), lambda p: p.closed_on, html=False),
    ),
    form_class=pforms.ProblemFilterForm,
    rows=_problem_rows,
    list_url="projects:problem-list",
    export_url="projects:problem-export",
    template="projects/list.html",
)


def _problem_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    if not services.can_work(request.user):
        return {}
    return {"work_actions": [(_("登记问题"), reverse("projects:problem-create"))]}


problem_list, problem_export = list_views(PROBLEMS, extra=_problem_actions)


@scoped
def problem_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    initial = {"deadline": clock.today() + dt.timedelta(days=7)}
    if (project_pk := request.GET.get("project", "")).isdigit():
        initial["project"] = selectors.projects(scope).filter(pk=project_pk).first()
    form = pforms.ProblemForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        problem = run_service(form, services.raise_problem, actor=request.user, **form.cleaned_data)
        if problem is not None:
            messages.success(request, _("已登记问题。"))
            return redirect(_problem_url(problem))
    return form_page(request, form, _("登记问题"), "problems", reverse("projects:problem-list"))


@scoped
def problem_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    problem = selectors.get_problem(scope, pk)
    context = {"problem": problem, "nav": "projects", "subnav": "problems",
               "changes": problem.history.select_related("actor"),
               "can_work": services.can_work(request.user) and selectors.owns(scope, problem),
               "project_visible": problem.project is not None, "action_form": pforms.ProblemActionForm(),
               "history": audit_selectors.history_of(scope, problem), "today": clock.today()}
    return render(request, "projects/problem_detail.html", context)


# Each action: its service, the form field it passes on, and what the user is told after.
PROBLEM_ACTIONS: dict[str, tuple[Callable[..., Problem], str, Any]] = {
    "escalate": (services.escalate_problem, "note", gettext_lazy("已提请领导小组协调。")),
    "resolve": (services.resolve_problem, "resolution", gettext_lazy("已登记解决情况，待销号。")),
    "close": (services.close_problem, "note", gettext_lazy("已销号。")),
    "reopen": (services.reopen_problem, "note", gettext_lazy("已退回，问题重新打开。")),
}


@require_POST
@scoped
def problem_action(request: HttpRequest, scope: RegionScope, pk: int, action: str) -> HttpResponse:
    problem = selectors.get_problem(scope, pk)
    if action not in PROBLEM_ACTIONS:
        raise PermissionDenied
    service, argument, success = PROBLEM_ACTIONS[action]
    form = pforms.ProblemActionForm(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, problem=problem, **{argument: form.cleaned_data.get("text", "")})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, str(success))
    return redirect(_problem_url(problem))
