"""Projects: the list and its xlsx twin, the 项目台账 export and import, registering a project, its page
(steps, Gantt, occupation summary, problems, requests, history), its boundary (uploaded or drawn) and
its GeoJSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import ExportColumn, xlsx_response
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.core.workdays import missing_years
from landguard.projects import forms as pforms
from landguard.projects import imports, selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Project, Step
from landguard.projects.occupation import occupation
from landguard.projects.selectors import Health
from landguard.projects.views.common import form_page, project_rows, project_url, require_work
from landguard.regions import maps as region_maps
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.maps import map_config
from landguard.shell.pages import run_service, scope_label


def _listing_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Project]:
    return selectors.with_steps(project_rows(scope, values))


def _health_of(p: Project) -> str:
    return str(Health.LABELS[selectors.project_health(p, clock.today(), work_calendar())])


PROJECTS = Listing(
    key="projects",
    extra={"subnav": "list"},
    title=gettext_lazy("重点项目"),
    filename=gettext_lazy("重点项目台账"),
    columns=(
        Column(gettext_lazy("项目名称"), lambda p: p.name, link=project_url, badge=True),
        Column(gettext_lazy("项目级别"), lambda p: p.get_level_display()),
        Column(gettext_lazy("所在地区"), lambda p: p.region.name),
        Column(gettext_lazy("作战指挥部"), lambda p: p.headquarters),
        Column(gettext_lazy("服务组"), lambda p: p.team),
        Column(gettext_lazy("状态"), _health_of),
        Column(gettext_lazy("当前环节"), lambda p: "、".join(s.name for s in selectors.current_steps(p))),
        Column(gettext_lazy("用地需求（亩）"),
               lambda p: None if p.land_demand_ha is None else mu(float(p.land_demand_ha) * 10_000),
               digits=2, numeric=True),
        Column(gettext_lazy("总投资（万元）"), lambda p: None if p.investment_wan is None else float(p.investment_wan),
               digits=2, numeric=True),
    ),
    form_class=pforms.ProjectFilterForm,
    rows=_listing_rows,
    list_url="projects:list",
    export_url="projects:list-export",
    template="projects/list.html",
)


def _project_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    actions = [(_("导出项目台账"),
                reverse("projects:ledger-export") + (f"?{request.GET.urlencode()}" if request.GET else ""))]
    if services.can_work(request.user):
        actions = [(_("登记项目"), reverse("projects:create")), (_("导入项目台账"), reverse("projects:ledger-import")),
                   *actions]
    return {"work_actions": actions}


project_list, project_export = list_views(PROJECTS, extra=_project_actions)


@scoped
def ledger_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The project ledger in the import's own columns (项目台账), so it can be edited and imported again."""
    form = pforms.ProjectFilterForm(request.GET or None, scope=scope)
    rows = (imports.ledger_row(p) for p in project_rows(scope, form.values()).iterator(chunk_size=500))
    columns = [ExportColumn(h) for h in imports.ledger_headers()]
    return xlsx_response(title=_("项目台账"), scope_label=scope_label(scope), columns=columns, rows=rows,
                         filename=_("项目台账"))


def boundary_draw_config(scope: RegionScope, project: Project | None = None) -> dict[str, Any]:
    """The map behind the boundary forms' drawing tool: townships to find the place, the current boundary."""
    config = map_config(scope, levels=[k for k in region_maps.map_levels(scope) if k in ("county", "township")],
                        visible={"county", "township"}, extent=region_maps.scope_extent(scope))
    config["current"] = reverse("projects:geojson",
                                args=[project.pk]) if project is not None and project.boundary else None
    config["draw"] = {"idle": _("尚未绘制。可上传文件，或点“绘制范围”在地图上绘制。"),
                      "drawing": _("正在绘制：已添加 %(count)s 个顶点"),
                      "drawn": _("已绘制用地范围（%(count)s 个顶点），保存后按乡镇分区并计算面积"),
                      "needThree": _("至少需要 3 个顶点")}
    return config


@scoped
def project_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = pforms.ProjectCreateForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        project = run_service(form, services.create_project, actor=request.user, **form.service_values())
        if project is not None:
            messages.success(request, _("已登记项目“%(name)s”。") % {"name": project.name})
            for warning in form.boundary_warnings:
                messages.warning(request, warning)
            return redirect(project_url(project))
    return form_page(request, form, _("登记重点项目"), "projects", reverse("projects:list"),
                     template="projects/form.html",
                     draw_config=boundary_draw_config(scope))


@scoped
def project_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    project = selectors.get_project_with_steps(scope, pk)
    today, calendar = clock.today(), work_calendar()
    steps = list(project.steps.all())
    for s in steps:
        s.health = selectors.step_health(s, today, calendar)
        s.health_label = Health.LABELS[s.health]
        s.waiting_for = [d.name for d in s.depends_on.all() if d.status not in Step.CLOSED]
        earliest = services.earliest_finish(s, calendar)
        vars(s).update(earliest_finish=earliest,  # for the page: 最早可办结日期, and whether 提前办结 is offered
                       too_early=s.status == Step.Status.IN_PROGRESS and bool(earliest and today < earliest))
    health = selectors.project_health(project, today, calendar)
    parts = list(selectors.parts(scope, project).defer("geom"))
    context = {
        "project": project, "nav": "projects", "subnav": "list", "steps": steps, "gantt": _gantt(steps, today),
        "health": health, "health_label": Health.LABELS[health], "today": today,
        "calendar_missing_years": missing_years(calendar, today),
        "land_ready": selectors.land_ready_on(project), "parts": parts,
        "hidden_parts": project.parts.count() - len(parts),
        "occupation": occupation(scope, project),
        "problems": selectors.problems(scope).filter(project=project).order_by("status", "deadline"),
        "requests": selectors.service_requests(scope).filter(project=project),
        "can_work": services.can_work(request.user) and selectors.owns(scope, project),
        "item_form": pforms.DeferredItemForm(), "history": audit_selectors.history_of(scope, project),
        "map_config": {"geojson": reverse("projects:geojson", args=[project.pk])} if project.boundary else None,
    }
    return render(request, "projects/detail.html", context)


def _gantt(steps: list[Step], today: dt.date) -> dict[str, Any] | None:
    """Bars in percent of a timeline from the earliest to the latest date of the steps (and today)."""
    dates = [d for s in steps for d in (s.planned_start, s.planned_finish, s.actual_start, s.actual_finish, s.due_on)
             if d]
    if not dates:
        return None
    start, end = min(dates + [today]), max(dates + [today])
    span = max(1, (end - start).days + 1)

    def bar(first: dt.date | None, last: dt.date | None) -> dict[str, float] | None:
        if not first or not last:
            return None
        return {"left": round((first - start).days / span * 100, 2),
                "width": round(max(1, (last - first).days + 1) / span * 100, 2)}

    rows = [{"step": s, "plan": bar(s.planned_start, s.planned_finish),
             "actual": bar(s.actual_start, s.actual_finish or (max(today, s.actual_start) if s.actual_start else None))}
            for s in steps]
    months = []
    month = start.replace(day=1)
    while month <= end:
        if month >= start:
            months.append({"label": f"{month:%Y-%m}", "left": round((month - start).days / span * 100, 2)})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return {"rows": rows, "start": start, "end": end, "today": round((today - start).days / span * 100, 2),
            "months": months}


@scoped
def project_geojson(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """The project's parts inside the scope (its whole boundary when the scope holds the project)."""
    project = selectors.get_project(scope, pk)
    features = [{"type": "Feature", "geometry": json.loads(part.geom.json),
                 "properties": {"name": part.region.name, "ha": hectares(part.area_m2), "mu": mu(part.area_m2)}}
                for part in selectors.parts(scope, project)]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


@scoped
def project_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    require_work(request)
    project = selectors.get_project(scope, pk)
    initial = {f: getattr(project, f)
               for f in ("name", "level", "service_group", "service_team", "owner", "investment_wan",
                                                 "planned_start", "leader", "plan")}
    if project.land_demand_ha is not None:
        initial["land_demand_mu"] = round(project.land_demand_ha * 15, 2)
    form = pforms.ProjectForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.update_project, actor=request.user, project=project,
                       **form.project_values()) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect(project_url(project))
    return form_page(request, form, _("编辑项目：%(name)s") % {"name": project.name}, "projects", project_url(project))


@scoped
def project_boundary(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    require_work(request)
    project = selectors.get_project(scope, pk)
    form = pforms.BoundaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_boundary, actor=request.user, project=project, boundary=form.boundary,
                       source=form.boundary_source) is not None:
            messages.success(request, _("已更新用地范围。"))
            return redirect(project_url(project))
    return form_page(request, form, _("更新用地范围：%(name)s") % {"name": project.name}, "projects",
                     project_url(project),
                     template="projects/form.html", draw_config=boundary_draw_config(scope, project))


@scoped
def ledger_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = pforms.LedgerImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        path = pforms.stored_upload(form.cleaned_data["file"])
        try:
            report = imports.import_ledger(path, actor=request.user, mapping=form.mapping(),
                                           dry_run=form.cleaned_data["dry_run"])
        except imports.SheetImportError as error:
            report = imports.LedgerReport(mapping={}, problems=error.problems)
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
        if report.imported:
            messages.success(request, _("已导入项目台账：新建 %(created)s 个，更新 %(updated)s 个。") % {
                "created": len(report.created), "updated": len(report.updated)})
            return redirect("projects:list")
    response = form_page(request, form, _("导入项目台账"), "projects", reverse("projects:list"),
                         template="projects/import.html", ledger_report=report)
    if report is not None and report.problems:
        response.status_code = 400
    return response
