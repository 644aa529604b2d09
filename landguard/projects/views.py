"""Battle-map pages (挂图作战): the map, projects with their Gantt and occupation summary (boundary uploaded or
drawn on the map), step actions, the problem ledger, responsibility lists, service requests, service groups,
procedure templates, dispatch reports (live, and those send_dispatch stored) with the inbox, and the holiday
calendar. Thin views: reads through selectors with the user's scope, writes through services; every
table is a Listing (paginated HTMX list + xlsx export) or a paginated section with its own export."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import PERCENT, WAN_MU, ExportColumn, xlsx_response
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import imports, reports, selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import (
    CalendarDay,
    Dispatch,
    Problem,
    ProcedureTemplate,
    Project,
    ServiceGroup,
    ServiceRequest,
    Step,
    TargetList,
)
from landguard.projects.occupation import occupation
from landguard.projects.selectors import Health
from landguard.web.listing import Column, Listing, export_list, render_list, text_filter
from landguard.web.shell import paginate, run_service, scope_label


def _form_page(request: HttpRequest, form: forms.Form, title: str, subnav: str, cancel_url: str, *,
               template: str = "web/form.html", **extra: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "title": title, "nav": "projects", "subnav": subnav,
                                      "cancel_url": cancel_url, **extra}, status=status)


def _require_work(request: HttpRequest) -> None:
    if not services.can_work(request.user):
        raise PermissionDenied


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or _("该操作超出您的数据范围。")


# --- the battle map -------------------------------------------------------------------------------------


def _project_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Project]:
    queryset = selectors.projects(scope).defer("boundary", "region__geom")
    if level := values.get("level"):
        queryset = queryset.filter(level=level)
    if headquarters := values.get("headquarters"):
        queryset = queryset.filter(service_group__headquarters=headquarters)
    if group := values.get("service_group"):
        queryset = queryset.filter(service_group=group)
    if township := values.get("township"):
        queryset = queryset.filter(Q(region_code__startswith=township.code) | Q(parts__region_code__startswith=township.code)).distinct()
    return text_filter(queryset, values.get("q"), "name", "owner")


def _with_health(projects: list[Project]) -> list[Project]:
    today, calendar = clock.today(), work_calendar()
    for p in projects:
        p.health = selectors.project_health(p, today, calendar)
        p.health_label = Health.LABELS[p.health]
        p.now_steps = "、".join(s.name for s in selectors.current_steps(p))
        steps = list(p.steps.all())
        p.steps_done = f"{sum(s.status == Step.Status.DONE for s in steps)}/{len(steps)}"
    return projects


@scoped
def battle_map(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    from landguard.web import geo
    from landguard.web.views import map_config

    form = pforms.ProjectFilterForm(request.GET or None, scope=scope)
    projects = _with_health(list(selectors.with_steps(_project_rows(scope, form.values()))))
    counts = {h: sum(p.health == h for p in projects) for h in Health.ORDER}
    query = request.GET.urlencode()
    config = map_config(scope, levels=[k for k in geo.map_levels(scope) if k in ("county", "township")],
                        extent=geo.scope_extent(scope))
    config.update({
        "projects_url": reverse("projects:map-geojson") + (f"?{query}" if query else ""),
        "health_labels": {h: str(Health.LABELS[h]) for h in Health.ORDER},
        "strings": {"level": _("级别"), "status": _("状态"), "steps": _("当前环节"), "details": _("查看项目")},
    })
    urgent = sorted(projects, key=lambda p: (Health.ORDER.index(p.health), p.name))
    context = {"nav": "projects", "subnav": "map", "form": form, "counts": [(h, Health.LABELS[h], counts[h]) for h in Health.ORDER],
               "total": len(projects), "without_boundary": sum(1 for p in projects if not p.area_m2),
               "page": paginate(request, urgent, per_page=12), "map_config": config, "query": query}
    return render(request, "projects/battle_map.html", context)


@scoped
def map_geojson(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The filtered projects with a boundary, coloured on the map by `health`."""
    form = pforms.ProjectFilterForm(request.GET or None, scope=scope)
    rows = _project_rows(scope, form.values()).filter(boundary__isnull=False).defer(None)
    features = []
    for p in _with_health(list(selectors.with_steps(rows))):
        properties = {"id": p.pk, "name": p.name, "level": p.get_level_display(), "health": p.health,
                      "health_label": str(p.health_label), "steps": p.now_steps, "url": reverse("projects:detail", args=[p.pk])}
        # The area, and a dot on it so that a 10-亩 parcel still shows at county zoom.
        features.append({"type": "Feature", "geometry": json.loads(p.boundary.json), "properties": {**properties, "kind": "area"}})
        features.append({"type": "Feature", "geometry": json.loads(p.boundary.point_on_surface.json),
                         "properties": {**properties, "kind": "dot"}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "private, no-store"  # the colours change with the clock
    return response


# --- projects -------------------------------------------------------------------------------------------


def _project_url(p: Project) -> str:
    return reverse("projects:detail", args=[p.pk])


def _listing_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Project]:
    return selectors.with_steps(_project_rows(scope, values))


def _health_of(p: Project) -> str:
    return str(Health.LABELS[selectors.project_health(p, clock.today(), work_calendar())])


PROJECTS = Listing(
    key="projects",
    extra={"subnav": "list"},
    title=gettext_lazy("重点项目"),
    filename=gettext_lazy("重点项目台账"),
    columns=(
        Column(gettext_lazy("项目名称"), lambda p: p.name, link=_project_url, badge=True),
        Column(gettext_lazy("项目级别"), lambda p: p.get_level_display()),
        Column(gettext_lazy("所在地区"), lambda p: p.region.name),
        Column(gettext_lazy("作战指挥部"), lambda p: p.headquarters),
        Column(gettext_lazy("服务组"), lambda p: p.team),
        Column(gettext_lazy("状态"), _health_of),
        Column(gettext_lazy("当前环节"), lambda p: "、".join(s.name for s in selectors.current_steps(p))),
        Column(gettext_lazy("用地需求（亩）"), lambda p: None if p.land_demand_ha is None else mu(float(p.land_demand_ha) * 10_000),
               digits=2, numeric=True),
        Column(gettext_lazy("总投资（万元）"), lambda p: None if p.investment_wan is None else float(p.investment_wan), digits=2, numeric=True),
    ),
    form_class=pforms.ProjectFilterForm,
    rows=_listing_rows,
    list_url="projects:list",
    export_url="projects:list-export",
    template="projects/list.html",
)


@scoped
def project_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    actions = [(_("导出项目台账"), reverse("projects:ledger-export") + (f"?{request.GET.urlencode()}" if request.GET else ""))]
    if services.can_work(request.user):
        actions = [(_("登记项目"), reverse("projects:create")), (_("导入项目台账"), reverse("projects:ledger-import")), *actions]
    return render_list(request, scope, replace(PROJECTS, extra={**PROJECTS.extra, "work_actions": actions}))


@scoped
def project_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, PROJECTS)


@scoped
def ledger_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The project ledger in the import's own columns (项目台账), so it can be edited and imported again."""
    form = pforms.ProjectFilterForm(request.GET or None, scope=scope)
    rows = (imports.ledger_row(p) for p in _project_rows(scope, form.values()).iterator(chunk_size=500))
    columns = [ExportColumn(h) for h in imports.ledger_headers()]
    return xlsx_response(title=_("项目台账"), scope_label=scope_label(scope), columns=columns, rows=rows,
                         filename=_("项目台账"))


def _draw_config(scope: RegionScope, project: Project | None = None) -> dict[str, Any]:
    """The map behind the boundary forms' drawing tool: townships to find the place, the current boundary."""
    from landguard.web import geo
    from landguard.web.views import map_config

    config = map_config(scope, levels=[k for k in geo.map_levels(scope) if k in ("county", "township")],
                        visible={"county", "township"}, extent=geo.scope_extent(scope))
    config["current"] = reverse("projects:geojson", args=[project.pk]) if project is not None and project.boundary else None
    config["draw"] = {"idle": _("尚未绘制。可上传文件，或点“绘制范围”在地图上绘制。"), "drawing": _("正在绘制：已添加 %(count)s 个顶点"),
                      "drawn": _("已绘制用地范围（%(count)s 个顶点），保存后按乡镇分区并计算面积"), "needThree": _("至少需要 3 个顶点")}
    return config


@scoped
def project_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    form = pforms.ProjectCreateForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        project = run_service(form, services.create_project, actor=request.user, **form.service_values())
        if project is not None:
            messages.success(request, _("已登记项目“%(name)s”。") % {"name": project.name})
            for warning in form.boundary_warnings:
                messages.warning(request, warning)
            return redirect(_project_url(project))
    return _form_page(request, form, _("登记重点项目"), "projects", reverse("projects:list"), template="projects/form.html",
                      draw_config=_draw_config(scope))


@scoped
def project_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    project = selectors.project_with_steps(scope, pk)
    today, calendar = clock.today(), work_calendar()
    steps = list(project.steps.all())
    for s in steps:
        s.health = selectors.step_health(s, today, calendar)
        s.health_label = Health.LABELS[s.health]
        s.waiting_for = [d.name for d in s.depends_on.all() if d.status != Step.Status.DONE]
    health = selectors.project_health(project, today, calendar)
    parts = list(selectors.parts(scope, project).defer("geom"))
    context = {
        "project": project, "nav": "projects", "subnav": "list", "steps": steps, "gantt": _gantt(steps, today),
        "health": health, "health_label": Health.LABELS[health], "today": today,
        "land_ready": selectors.land_ready_on(project), "parts": parts,
        "hidden_parts": project.parts.count() - len(parts),
        "occupation": occupation(scope, project),
        "problems": selectors.problems(scope).filter(project=project).order_by("status", "deadline"),
        "requests": selectors.service_requests(scope).filter(project=project),
        "can_work": services.can_work(request.user) and scope.contains(project.region_code),
        "item_form": pforms.DeferredItemForm(), "history": audit_selectors.history_of(scope, project),
        "map_config": {"geojson": reverse("projects:geojson", args=[project.pk])} if project.boundary else None,
    }
    return render(request, "projects/detail.html", context)


def _gantt(steps: list[Step], today: dt.date) -> dict[str, Any] | None:
    """Bars in percent of a timeline from the earliest to the latest date of the steps (and today)."""
    dates = [d for s in steps for d in (s.planned_start, s.planned_finish, s.actual_start, s.actual_finish, s.due_on) if d]
    if not dates:
        return None
    start, end = min(dates + [today]), max(dates + [today])
    span = max(1, (end - start).days + 1)

    def bar(first: dt.date | None, last: dt.date | None) -> dict[str, float] | None:
        if not first or not last:
            return None
        return {"left": round((first - start).days / span * 100, 2), "width": round(max(1, (last - first).days + 1) / span * 100, 2)}

    rows = [{"step": s, "plan": bar(s.planned_start, s.planned_finish),
             "actual": bar(s.actual_start, s.actual_finish or (max(today, s.actual_start) if s.actual_start else None))}
            for s in steps]
    months = []
    month = start.replace(day=1)
    while month <= end:
        if month >= start:
            months.append({"label": f"{month:%Y-%m}", "left": round((month - start).days / span * 100, 2)})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return {"rows": rows, "start": start, "end": end, "today": round((today - start).days / span * 100, 2), "months": months}


@scoped
def project_geojson(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """The project's parts inside the scope (its whole boundary when the scope holds the project)."""
    project = selectors.project(scope, pk)
    features = [{"type": "Feature", "geometry": json.loads(part.geom.json),
                 "properties": {"name": part.region.name, "ha": hectares(part.area_m2), "mu": mu(part.area_m2)}}
                for part in selectors.parts(scope, project)]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


@scoped
def project_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    project = selectors.project(scope, pk)
    initial = {f: getattr(project, f) for f in ("name", "level", "service_group", "service_team", "owner", "investment_wan",
                                                 "planned_start", "leader", "plan")}
    if project.land_demand_ha is not None:
        initial["land_demand_mu"] = round(project.land_demand_ha * 15, 2)
    form = pforms.ProjectForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.update_project, actor=request.user, project=project, **form.project_values()) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect(_project_url(project))
    return _form_page(request, form, _("编辑项目：%(name)s") % {"name": project.name}, "projects", _project_url(project))


@scoped
def project_boundary(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    project = selectors.project(scope, pk)
    form = pforms.BoundaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_boundary, actor=request.user, project=project, boundary=form.boundary,
                       source=form.boundary_source) is not None:
            messages.success(request, _("已更新用地范围。"))
            return redirect(_project_url(project))
    return _form_page(request, form, _("更新用地范围：%(name)s") % {"name": project.name}, "projects", _project_url(project),
                      template="projects/form.html", draw_config=_draw_config(scope, project))


# --- step actions ---------------------------------------------------------------------------------------


def _after_step(request: HttpRequest, anchor: Step, call: Any, success: str, **kwargs: Any) -> HttpResponseRedirect:
    """Run a step service and go back to the step on its project page, with the outcome as a message."""
    try:
        call(actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect(f"{_project_url(anchor.project)}#step-{anchor.pk}")


@require_POST
@scoped
def step_start(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.start_step, _("“%(step)s”已开始办理。") % {"step": step.name}, step=step,
                       on=form.cleaned_data.get("on"), note=form.cleaned_data.get("note", ""))


@require_POST
@scoped
def step_complete(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.complete_step, _("“%(step)s”已办结。") % {"step": step.name}, step=step,
                       on=form.cleaned_data.get("on"), note=form.cleaned_data.get("note", ""))


@require_POST
@scoped
def step_reopen(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.reopen_step, _("“%(step)s”已重新办理。") % {"step": step.name}, step=step,
                       note=form.cleaned_data.get("note", ""))


@scoped
def step_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    _require_work(request)
    step = selectors.step(scope, pk)
    form = pforms.StepEditForm(request.POST or None, initial={f: getattr(step, f) for f in services.STEP_PLAN_FIELDS})
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        if run_service(form, services.update_step, actor=request.user, step=step, **changed) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect(f"{_project_url(step.project)}#step-{step.pk}")
    return _form_page(request, form, _("编辑环节：%(step)s") % {"step": step}, "projects", _project_url(step.project))


@scoped(manage=True)
def step_dependencies(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.step(scope, pk)
    form = pforms.StepDependenciesForm(request.POST or None, step=step, initial={"depends_on": list(step.depends_on.all())})
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_step_dependencies, actor=request.user, step=step, **form.cleaned_data) is not None:
            messages.success(request, _("已调整前置环节，并重新排定了未开始环节的计划。"))
            return redirect(f"{_project_url(step.project)}#step-{step.pk}")
    return _form_page(request, form, _("前置环节：%(step)s") % {"step": step}, "projects", _project_url(step.project))


@require_POST
@scoped
def item_add(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.step(scope, pk)
    form = pforms.DeferredItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("容缺材料未登记：%(errors)s") % {"errors": "；".join(e for errs in form.errors.values() for e in errs)})
        return redirect(f"{_project_url(step.project)}#step-{step.pk}")
    return _after_step(request, step, services.add_deferred_item, _("已登记容缺材料“%(material)s”。") % form.cleaned_data,
                       step=step, **form.cleaned_data)


@require_POST
@scoped
def item_clear(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    item = selectors.deferred_item(scope, pk)
    return _after_step(request, item.step, services.clear_deferred_item, _("容缺材料“%(material)s”已补齐。") % {
        "material": item.material}, item=item)


# --- problems -------------------------------------------------------------------------------------------


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
        Column(gettext_lazy("是否超期"), lambda p: p.status not in (Problem.Status.RESOLVED, Problem.Status.CLOSED) and p.deadline < clock.today()),
        Column(gettext_lazy("解决情况"), lambda p: p.resolution, html=False),
        Column(gettext_lazy("销号日期"), lambda p: p.closed_on, html=False),
    ),
    form_class=pforms.ProblemFilterForm,
    rows=_problem_rows,
    list_url="projects:problem-list",
    export_url="projects:problem-export",
    template="projects/list.html",
)


@scoped
def problem_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    extra = {"work_actions": [(_("登记问题"), reverse("projects:problem-create"))]} if services.can_work(request.user) else {}
    return render_list(request, scope, replace(PROBLEMS, extra={**PROBLEMS.extra, **extra}))


@scoped
def problem_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, PROBLEMS)


@scoped
def problem_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    initial = {"deadline": clock.today() + dt.timedelta(days=7)}
    if (project_pk := request.GET.get("project", "")).isdigit():
        initial["project"] = selectors.projects(scope).filter(pk=project_pk).first()
    form = pforms.ProblemForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        problem = run_service(form, services.raise_problem, actor=request.user, **form.cleaned_data)
        if problem is not None:
            messages.success(request, _("已登记问题。"))
            return redirect(_problem_url(problem))
    return _form_page(request, form, _("登记问题"), "problems", reverse("projects:problem-list"))


@scoped
def problem_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    problem = selectors.problem(scope, pk)
    context = {"problem": problem, "nav": "projects", "subnav": "problems", "changes": problem.history.select_related("actor"),
               "can_work": services.can_work(request.user) and scope.contains(problem.region_code),
               "project_visible": problem.project is not None, "action_form": pforms.ProblemActionForm(),
               "history": audit_selectors.history_of(scope, problem), "today": clock.today()}
    return render(request, "projects/problem_detail.html", context)


PROBLEM_ACTIONS = {
    "escalate": (services.escalate_problem, "note", gettext_lazy("已提请领导小组协调。")),
    "resolve": (services.resolve_problem, "resolution", gettext_lazy("已登记解决情况，待销号。")),
    "close": (services.close_problem, "note", gettext_lazy("已销号。")),
    "reopen": (services.reopen_problem, "note", gettext_lazy("已退回，问题重新打开。")),
}


@require_POST
@scoped
def problem_action(request: HttpRequest, scope: RegionScope, pk: int, action: str) -> HttpResponse:
    problem = selectors.problem(scope, pk)
    if action not in PROBLEM_ACTIONS:
        raise PermissionDenied
    service, argument, success = PROBLEM_ACTIONS[action]
    form = pforms.ProblemActionForm(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, problem=problem, **{argument: form.cleaned_data.get("text", "")})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, str(success))
    return redirect(_problem_url(problem))


# --- responsibility lists -------------------------------------------------------------------------------


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
        Column(gettext_lazy("保底目标（万亩）"), lambda t: None if t.floor_wan_mu is None else float(t.floor_wan_mu), digits=4, numeric=True),
        Column(gettext_lazy("力争目标（万亩）"), lambda t: None if t.stretch_wan_mu is None else float(t.stretch_wan_mu), digits=4, numeric=True),
    ),
    form_class=pforms.PlainFilterForm,
    rows=_target_list_rows,
    list_url="projects:target-list",
    export_url="projects:target-list-export",
    template="projects/list.html",
)


@scoped
def target_list_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    extra = {"work_actions": [(_("导入责任清单"), reverse("projects:target-import"))]} if request.user.can_manage else {}
    return render_list(request, scope, replace(TARGET_LISTS, extra={**TARGET_LISTS.extra, **extra}))


@scoped
def target_list_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, TARGET_LISTS)


TARGET_HEADERS = (gettext_lazy("地区"), gettext_lazy("责任领导"), gettext_lazy("责任处室"), gettext_lazy("用地任务件数"),
                  gettext_lazy("用地任务面积（万亩）"), gettext_lazy("省重点项目件数"), gettext_lazy("省重点项目面积（万亩）"),
                  gettext_lazy("合计件数"), gettext_lazy("合计面积（万亩）"), gettext_lazy("完成件数"),
                  gettext_lazy("完成面积（万亩）"), gettext_lazy("面积完成率（%）"), gettext_lazy("差距（万亩）"))


def _target_cells(p: selectors.TargetProgress) -> list[Any]:
    t = p.target
    return [t.region.name, t.leader, t.division, t.task_cases, float(t.task_wan_mu), t.key_cases, float(t.key_wan_mu),
            t.total_cases, float(t.total_wan_mu), p.total_cases, p.total_wan_mu, p.area_rate, p.gap_wan_mu]


@scoped
def target_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    target_list = selectors.target_list(scope, pk)
    progress = selectors.target_progress(scope, target_list)
    context = {"target_list": target_list, "nav": "projects", "subnav": "targets", "headers": TARGET_HEADERS,
               # The import's notes cite rows of the whole list: shown to those whose scope holds the issuing region.
               "import_warnings": target_list.import_warnings if scope.contains(target_list.region_code) else [],
               "page": paginate(request, [(p, _target_cells(p)) for p in progress]),
               "totals": selectors.list_totals(target_list, progress),
               "history": audit_selectors.history_of(scope, target_list)}
    return render(request, "projects/target_detail.html", context)


@scoped
def target_detail_export(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    target_list = selectors.target_list(scope, pk)
    rows = [_target_cells(p) for p in selectors.target_progress(scope, target_list)]
    formats = [None, None, None, None, WAN_MU, None, WAN_MU, None, WAN_MU, None, WAN_MU, PERCENT, WAN_MU]
    columns = [ExportColumn(str(h), f) for h, f in zip(TARGET_HEADERS, formats)]
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
            problems = [_error_text(error)]
        else:
            messages.success(request, _("已导入责任清单“%(name)s”。") % {"name": target_list.name})
            if target_list.import_warnings:
                messages.warning(request, _("有 %(count)s 处合计与各项之和相差在四舍五入范围内，已按计算值保存，详见清单页的导入提示。")
                                 % {"count": len(target_list.import_warnings)})
            return redirect(_target_list_url(target_list))
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
    response = _form_page(request, form, _("导入责任清单"), "targets", reverse("projects:target-list"),
                          template="projects/import.html", problems=problems)
    if problems:
        response.status_code = 400
    return response


@scoped
def ledger_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    form = pforms.LedgerImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        path = pforms.stored_upload(form.cleaned_data["file"])
        try:
            report = imports.import_ledger(path, actor=request.user, mapping=form.mapping(), dry_run=form.cleaned_data["dry_run"])
        except imports.SheetImportError as error:
            report = imports.LedgerReport(mapping={}, problems=error.problems)
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
        if report.imported:
            messages.success(request, _("已导入项目台账：新建 %(created)s 个，更新 %(updated)s 个。") % {
                "created": len(report.created), "updated": len(report.updated)})
            return redirect("projects:list")
    response = _form_page(request, form, _("导入项目台账"), "projects", reverse("projects:list"),
                          template="projects/import.html", ledger_report=report)
    if report is not None and report.problems:
        response.status_code = 400
    return response


# --- service requests -----------------------------------------------------------------------------------


def _request_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceRequest]:
    queryset = selectors.service_requests(scope).defer("region__geom")
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if kind := values.get("kind"):
        queryset = queryset.filter(kind=kind)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "enterprise", "request")


def _request_url(r: ServiceRequest) -> str:
    return reverse("projects:request-detail", args=[r.pk])


REQUESTS = Listing(
    key="projects",
    extra={"subnav": "requests"},
    title=gettext_lazy("企业服务诉求"),
    filename=gettext_lazy("企业服务诉求"),
    columns=(
        Column(gettext_lazy("企业"), lambda r: r.enterprise, link=_request_url),
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


@scoped
def request_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    extra = {"work_actions": [(_("登记诉求"), reverse("projects:request-create"))]} if services.can_work(request.user) else {}
    return render_list(request, scope, replace(REQUESTS, extra={**REQUESTS.extra, **extra}))


@scoped
def request_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, REQUESTS)


@scoped
def request_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _require_work(request)
    form = pforms.ServiceRequestForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        item = run_service(form, services.create_service_request, actor=request.user, **form.cleaned_data)
        if item is not None:
            messages.success(request, _("已登记企业诉求。"))
            return redirect(_request_url(item))
    return _form_page(request, form, _("登记企业服务诉求"), "requests", reverse("projects:request-list"))


@scoped
def request_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    item = selectors.service_request(scope, pk)
    can_work = services.can_work(request.user) and scope.contains(item.region_code)
    form = pforms.ServiceRequestResolveForm(request.POST or None, item=item, scope=scope)
    if request.method == "POST":
        if not can_work:
            raise PermissionDenied
        if form.is_valid() and run_service(form, services.resolve_service_request, actor=request.user, item=item,
                                           **form.cleaned_data) is not None:
            messages.success(request, _("诉求已办结。"))
            return redirect(_request_url(item))
    context = {"item": item, "nav": "projects", "subnav": "requests", "form": form, "can_work": can_work, "steps": item.steps.all(),
               "history": audit_selectors.history_of(scope, item)}
    return render(request, "projects/request_detail.html", context, status=400 if form.errors else 200)


# --- service groups -------------------------------------------------------------------------------------


def _group_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceGroup]:
    visible = selectors.projects(scope).values("pk")
    queryset = selectors.service_groups(scope).defer("region__geom").annotate(
        project_count=Count("projects", filter=Q(projects__in=visible))).order_by("region_code", "name")
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
    ),
    form_class=pforms.PlainFilterForm,
    rows=_group_rows,
    list_url="projects:group-list",
    export_url="projects:group-export",
    create_url="projects:group-create",
    template="projects/list.html",
)


@scoped
def group_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, GROUPS)


@scoped
def group_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, GROUPS)


@scoped(manage=True)
def group_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.ServiceGroupForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.create_service_group, actor=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已新建服务组。"))
            return redirect("projects:group-list")
    return _form_page(request, form, _("新建服务组"), "groups", reverse("projects:group-list"))


# --- procedure templates --------------------------------------------------------------------------------


def _template_url(t: ProcedureTemplate) -> str:
    return reverse("projects:template-detail", args=[t.pk])


def _template_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ProcedureTemplate]:
    queryset = selectors.templates(scope).select_related("region").defer("region__geom").annotate(step_count=Count("steps"))
    return text_filter(queryset, values.get("q"), "name").order_by("region_code", "name")


TEMPLATES = Listing(
    key="projects",
    extra={"subnav": "templates"},
    title=gettext_lazy("审批流程模板"),
    filename=gettext_lazy("审批流程模板"),
    columns=(
        Column(gettext_lazy("名称"), lambda t: t.name, link=_template_url),
        Column(gettext_lazy("适用行政区"), lambda t: t.region.name if t.region else gettext_lazy("全国通用")),
        Column(gettext_lazy("环节数"), lambda t: t.step_count, numeric=True),
        Column(gettext_lazy("默认"), lambda t: t.is_default),
        Column(gettext_lazy("说明"), lambda t: t.description),
    ),
    form_class=pforms.PlainFilterForm,
    rows=_template_rows,
    list_url="projects:template-list",
    export_url="projects:template-export",
    create_url="projects:template-create",
    template="projects/list.html",
)


@scoped
def template_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, TEMPLATES)


@scoped
def template_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, TEMPLATES)


@scoped
def template_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    template = selectors.template(scope, pk)
    steps = list(template.steps.prefetch_related("depends_on").order_by("order"))
    for ts in steps:
        ts.predecessors = sorted(d.order for d in ts.depends_on.all())
    context = {"template": template, "steps": steps, "nav": "projects", "subnav": "templates",
               "can_edit": services.can_edit_template(request.user, template),
               "can_copy": services.can_edit_template(request.user),
               "history": audit_selectors.history_of(scope, template)}
    return render(request, "projects/template_detail.html", context)


def _template_page(request: HttpRequest, scope: RegionScope, template: ProcedureTemplate | None,
                   source: ProcedureTemplate | None) -> HttpResponse:
    national = request.user.is_superuser
    basis = template or source
    fields = {"name": template.name if template else "", "region": (template.region if template else None),
              "description": basis.description if basis else ""}
    form = pforms.TemplateForm(request.POST or None, initial=fields, scope=scope, national=national)
    # The chain fills the rows of the blank page only: posted rows stand on their own (an unchanged row is
    # still a step), and blank extra rows are left out.
    initial = pforms.step_initial(services.template_specs(basis)) if basis and request.method != "POST" else None
    steps = pforms.TemplateStepFormSet(request.POST or None, prefix="steps", initial=initial)
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        saved = run_service(form, services.save_template, actor=request.user, template=template, steps=steps.specs(),
                            **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存流程模板“%(name)s”，此后登记的项目按新流程排期。") % {"name": saved.name})
            return redirect(_template_url(saved))
    title = _("编辑流程模板：%(name)s") % {"name": template.name} if template else _("新建流程模板")
    cancel = _template_url(template) if template else reverse("projects:template-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/template_form.html", {"form": form, "steps": steps, "title": title, "nav": "projects",
                                                           "subnav": "templates", "cancel_url": cancel}, status=status)


@scoped(manage=True)
def template_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """A new template, empty or copied from a visible one (?copy=<pk>): the default chain is the usual start."""
    source = selectors.template(scope, int(request.GET["copy"])) if request.GET.get("copy", "").isdigit() else None
    if not services.can_edit_template(request.user):
        raise PermissionDenied
    return _template_page(request, scope, None, source)


@scoped(manage=True)
def template_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    template = selectors.template(scope, pk)
    if not services.can_edit_template(request.user, template):
        raise PermissionDenied
    return _template_page(request, scope, template, None)


# --- dispatch: weekly report, daily digest, monthly ranking ---------------------------------------------


def _report_day(request: HttpRequest) -> dt.date:
    """The report asked for (?date=, any day of its week), else the latest report day."""
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return clock.today()


def _weekly(request: HttpRequest, scope: RegionScope) -> reports.WeeklyReport:
    return reports.weekly_report(scope, day=_report_day(request), scope_label=scope_label(scope), calendar=work_calendar())


def _paged(request: HttpRequest, rows: list[Any], param: str) -> dict[str, Any]:
    page = Paginator(rows, 25).get_page(request.GET.get(param))
    query = request.GET.copy()

    def url(number: int) -> str:
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return {"page": page, "prev": url(page.previous_page_number()) if page.has_previous() else None,
            "next": url(page.next_page_number()) if page.has_next() else None}


@scoped
def weekly_report(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    report = _weekly(request, scope)
    query = f"?date={report.report_day.isoformat()}"
    sections = [{"table": t, **_paged(request, t.rows, f"p{i}")} for i, t in enumerate(report.lists)]
    context = {"report": report, "nav": "projects", "subnav": "reports", "sections": sections, "query": query,
               "previous": (report.report_day - dt.timedelta(days=7)).isoformat(),
               "next": (report.report_day + dt.timedelta(days=7)).isoformat() if report.report_day + dt.timedelta(days=7) <= clock.today() else None}
    return render(request, "projects/weekly_report.html", context)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@scoped
def weekly_docx(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    report = _weekly(request, scope)
    return _attachment(reports.weekly_docx(report), reports.DOCX_MIME, f"{report.title}.docx")


@scoped
def weekly_xlsx(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    from landguard.core.exports import XLSX_MIME

    report = _weekly(request, scope)
    return _attachment(reports.weekly_xlsx(report), XLSX_MIME, f"{report.title}.xlsx")


def _digest_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[AuditEntry]:
    return reports.digest_entries(scope, values.get("day") or clock.today())


DIGEST = Listing(
    key="projects",
    extra={"subnav": "reports"},
    title=gettext_lazy("每日动态"),
    filename=gettext_lazy("每日动态"),
    columns=(
        Column(gettext_lazy("时间"), lambda e: timezone.localtime(e.at).strftime("%H:%M:%S")),
        Column(gettext_lazy("操作人"), lambda e: e.actor_name),
        Column(gettext_lazy("操作"), lambda e: e.get_action_display()),
        Column(gettext_lazy("对象"), lambda e: e.target_repr),
        Column(gettext_lazy("变更内容"), reports.digest_change),
        Column(gettext_lazy("说明"), lambda e: e.note),
    ),
    form_class=pforms.DayFilterForm,
    rows=_digest_rows,
    list_url="projects:daily",
    export_url="projects:daily-export",
    template="projects/list.html",
)


@scoped
def daily_digest(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, DIGEST)


@scoped
def daily_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, DIGEST)


def _ranking_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ServiceGroup]:
    return reports.ranking(scope, values.get("month") or clock.today())


RANKING = Listing(
    key="projects",
    extra={"subnav": "reports"},
    title=gettext_lazy("服务组月度排名"),
    filename=gettext_lazy("服务组月度排名"),
    columns=(
        Column(gettext_lazy("服务组"), lambda g: g.name, badge=True),
        Column(gettext_lazy("作战指挥部"), lambda g: g.headquarters),
        Column(gettext_lazy("办结环节"), lambda g: g.closed, numeric=True),
        Column(gettext_lazy("提前"), lambda g: g.ahead, numeric=True),
        Column(gettext_lazy("按期"), lambda g: g.on_time, numeric=True),
        Column(gettext_lazy("超期"), lambda g: g.late, numeric=True),
        Column(gettext_lazy("按期率（%）"), lambda g: None if g.rate < 0 else round(g.rate, 1), digits=1, numeric=True),
    ),
    form_class=pforms.MonthFilterForm,
    rows=_ranking_rows,
    list_url="projects:ranking",
    export_url="projects:ranking-export",
    template="projects/ranking.html",
)


@scoped
def ranking(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.MonthFilterForm(request.GET or None, scope=scope)
    leader = _ranking_rows(scope, form.values()).filter(closed__gt=0).first()
    return render_list(request, scope, replace(RANKING, extra={**RANKING.extra, "red_flag": leader}))


@scoped
def ranking_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, RANKING)


# --- scheduled reports (send_dispatch) and the inbox ---------------------------------------------------


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
        Column(gettext_lazy("送达时间"), lambda d: timezone.localtime(d.sent_at).strftime("%Y-%m-%d %H:%M") if d.sent_at else None),
        Column(gettext_lazy("Word"), lambda d: _("下载") if d.docx else None, link=_dispatch_file_url("docx"), export=False),
        Column(gettext_lazy("Excel"), lambda d: _("下载") if d.xlsx else None, link=_dispatch_file_url("xlsx"), export=False),
        Column(gettext_lazy("最近错误"), lambda d: d.error, html=False),
    ),
    form_class=pforms.DispatchFilterForm,
    rows=_dispatch_rows,
    list_url="projects:dispatch-list",
    export_url="projects:dispatch-export",
    template="projects/list.html",
)


@scoped
def dispatch_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, DISPATCHES)


@scoped
def dispatch_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, DISPATCHES)


DISPATCH_FILES = {"docx": reports.DOCX_MIME, "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@scoped
def dispatch_file(request: HttpRequest, scope: RegionScope, pk: int, fmt: str) -> HttpResponse:
    """A stored report, from the media storage (never served directly: the scope decides)."""
    item = selectors.dispatch(scope, pk)
    stored = getattr(item, fmt) if fmt in DISPATCH_FILES else None
    if not stored:
        raise Http404
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=f"{item.title or item}.{fmt}",
                            content_type=DISPATCH_FILES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response


# --- the holiday calendar -------------------------------------------------------------------------------


def _calendar_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[CalendarDay]:
    queryset = selectors.calendar_days()
    if year := values.get("year"):
        queryset = queryset.filter(date__year=year)
    return queryset


CALENDAR = Listing(
    key="projects",
    extra={"subnav": "calendar"},
    title=gettext_lazy("节假日安排"),
    filename=gettext_lazy("节假日安排"),
    columns=(
        Column(gettext_lazy("日期"), lambda d: d.date, link=lambda d: reverse("projects:calendar-edit", args=[d.pk])),
        Column(gettext_lazy("星期"), lambda d: "一二三四五六日"[d.date.weekday()]),
        Column(gettext_lazy("类型"), lambda d: d.get_kind_display()),
        Column(gettext_lazy("名称"), lambda d: d.name),
        Column(gettext_lazy("说明"), lambda d: d.note),
    ),
    form_class=pforms.YearFilterForm,
    rows=_calendar_rows,
    list_url="projects:calendar",
    export_url="projects:calendar-export",
    template="projects/calendar.html",
)


@scoped
def calendar_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    today = clock.today()
    calendar = work_calendar()
    missing = [y for y in (today.year, today.year + 1) if not calendar.knows(y)]
    extra = {"missing_years": missing, "can_edit": request.user.is_superuser}
    return render_list(request, scope, replace(CALENDAR, extra={**CALENDAR.extra, **extra}))


@scoped
def calendar_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, CALENDAR)


def _calendar_form(request: HttpRequest, day: CalendarDay | None) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    form = pforms.CalendarDayForm(request.POST or None, instance=day)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.save_calendar_day, actor=request.user, day=day, **form.cleaned_data) is not None:
            messages.success(request, _("已保存节假日安排，并重新计算了未办结环节的期限。"))
            return redirect("projects:calendar")
    title = _("编辑节假日安排：%(day)s") % {"day": day} if day else _("新增节假日安排")
    return _form_page(request, form, title, "calendar", reverse("projects:calendar"))


@scoped
def calendar_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _calendar_form(request, None)


@scoped
def calendar_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    day = selectors.calendar_days().filter(pk=pk).first()
    if day is None:
        raise Http404
    if request.method == "POST" and request.POST.get("delete") and request.user.is_superuser:
        services.delete_calendar_day(actor=request.user, day=day)
        messages.success(request, _("已删除，并重新计算了未办结环节的期限。"))
        return redirect("projects:calendar")
    return _calendar_form(request, day)

