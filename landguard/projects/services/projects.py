"""Projects: creation with their steps from a template, edits, boundaries, the schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.core import clock
from landguard.core.workdays import WorkCalendar, due_date
from landguard.people.models import User
from landguard.projects import boundaries, graph
from landguard.projects.calendar import work_calendar
from landguard.projects.models import (
    STEP_RULE_FIELDS,
    ProcedureTemplate,
    Project,
    ProjectPart,
    Step,
)
from landguard.regions.models import Region
from landguard.projects.services.common import _require_project_writer, _require_writer



# --- projects -------------------------------------------------------------------------------------------


PROJECT_FIELDS = ("name", "level", "service_group", "service_team", "owner", "investment_wan", "planned_start",
                  "land_demand_ha", "leader", "plan")


@transaction.atomic
def create_project(*, actor: User | None, name: str, level: str, region: Region | None = None,
                   boundary: shapely.Geometry | None = None, boundary_source: str = "",
                   template: ProcedureTemplate | None = None, start_on: dt.date | None = None,
                   is_synthetic: bool = False, **values: Any) -> Project:
    """Register a project with its steps (from `template`, default: the default chain) planned forward from
    `start_on` (default today). The region is the boundary's (the lowest region holding every part) when a
    boundary is given, else `region`."""
    project = Project(name=name, level=level, is_synthetic=is_synthetic,
                      created_by=actor if getattr(actor, "pk", None) else None,
                      **{k: v for k, v in values.items() if k in PROJECT_FIELDS})
    parts: list[boundaries.Part] = []
    if boundary is not None:
        boundary = boundaries.checked_boundary(boundary)
        parts = boundaries.split_by_region(boundary)
        region = boundaries.common_region([p.region.code for p in parts])
        project.boundary = boundaries.to_geos(boundary)
        project.boundary_source = boundary_source or Project.BoundarySource.UPLOAD
        project.area_m2 = sum(p.area_m2 for p in parts)
    if region is None:
        raise ValidationError({"region": _("请选择项目所在行政区，或上传用地范围。")})
    project.region, project.region_code = region, region.code
    _require_writer(actor, region.code)
    project.template = template or default_template()
    project.full_clean(exclude=["boundary"])
    project.save()
    _save_parts(project, parts)
    _create_steps(project, project.template, start_on or clock.today(), work_calendar())
    audit.record_create(actor=actor, target=project, region_code=project.region_code)
    return project


def _save_parts(project: Project, parts: Iterable[boundaries.Part]) -> None:
    ProjectPart.objects.bulk_create([
        ProjectPart(project=project, region=p.region, region_code=p.region.code, geom=boundaries.to_geos(p.geometry),
                    area_m2=p.area_m2) for p in parts])


def default_template() -> ProcedureTemplate:
    template = ProcedureTemplate.objects.filter(is_default=True, region__isnull=True).first()
    if template is None:
        raise ValidationError(_("没有默认审批流程模板（迁移 0002 应已创建）。"))
    return template


def _create_steps(project: Project, template: ProcedureTemplate, start_on: dt.date, calendar: WorkCalendar) -> None:
    template_steps = list(template.steps.prefetch_related("depends_on").order_by("order"))
    created: dict[int, Step] = {}
    for ts in template_steps:
        step = Step.objects.create(project=project, order=ts.order, name=ts.name, responsible_unit=ts.responsible_unit,
                                   limit_days=ts.limit_days, limit_unit=ts.limit_unit,
                                   counts_for_targets=ts.counts_for_targets,
                                   **{f: getattr(ts, f) for f in STEP_RULE_FIELDS})
        created[ts.pk] = step
    for ts in template_steps:
        created[ts.pk].depends_on.set([created[d.pk] for d in ts.depends_on.all()])
    schedule(project, start_on, calendar)


def _flow_order(steps: list[Step]) -> list[Step]:
    """Steps with every predecessor first (a predecessor may carry a higher number), else by number."""
    by_pk = {s.pk: s for s in steps}
    predecessors = {s.pk: [d.pk for d in s.depends_on.all()] for s in steps}
    return [by_pk[pk] for pk in graph.topological([s.pk for s in steps], predecessors)]


def schedule(project: Project, start_on: dt.date, calendar: WorkCalendar) -> None:
    """Plan every step forward from `start_on`: a step starts when its last predecessor is planned to finish
    (same-day hand-over, as in 德州's compressed chain) and finishes at its time limit; steps without
    predecessors start together, so parallel branches are planned in parallel."""
    steps = _flow_order(list(project.steps.prefetch_related("depends_on").order_by("order")))
    finish: dict[int, dt.date] = {}
    for step in steps:
        deps = [finish[d.pk] for d in step.depends_on.all() if d.pk in finish]
        step.planned_start = max(deps) if deps else start_on
        step.planned_finish = due_date(step.planned_start, step.limit_days, step.limit_unit, calendar)
        finish[step.pk] = step.planned_finish
        if step.status == Step.Status.PENDING:
            step.due_on = step.planned_finish
    Step.objects.bulk_update(steps, ["planned_start", "planned_finish", "due_on"])


@transaction.atomic
def update_project(*, actor: User | None, project: Project, **values: Any) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_project_writer(actor, project)
    before = audit.snapshot(project, list(PROJECT_FIELDS))
    for key, value in values.items():
        if key not in PROJECT_FIELDS:
            raise ValueError(f"not an editable project field: {key}")
        setattr(project, key, value)
    project.full_clean(exclude=["boundary"])
    project.save()
    audit.record_update(actor=actor, target=project, before=before, region_code=project.region_code)
    return project


@transaction.atomic
def set_boundary(*, actor: User | None, project: Project, boundary: shapely.Geometry, source: str) -> Project:
    """Replace the boundary and its parts. The new region must stay inside the actor's scope."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_project_writer(actor, project)
    boundary = boundaries.checked_boundary(boundary)
    parts = boundaries.split_by_region(boundary)
    region = boundaries.common_region([p.region.code for p in parts])
    _require_writer(actor, region.code)
    before = audit.snapshot(project, ["boundary", "boundary_source", "area_m2", "region"])
    project.boundary, project.boundary_source = boundaries.to_geos(boundary), source
    project.area_m2 = sum(p.area_m2 for p in parts)
    project.region, project.region_code = region, region.code
    project.save()
    project.parts.all().delete()
    _save_parts(project, parts)
    audit.record_update(actor=actor, target=project, before=before, region_code=project.region_code)
    return project
