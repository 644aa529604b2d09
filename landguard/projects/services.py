"""Writes for the battle map: projects and their steps, 容缺 items, problems, service requests, service groups
and the holiday calendar. One service per change, keyword-only; each runs in one transaction, locks the row
it changes (select_for_update), checks the actor may write inside the scope, consults the transition
table (workflow.py) for status changes, appends the history row and the audit entry, and commits all or
nothing. Dates of record ("completed on") default to the clock's today (landguard.core.clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.core.workdays import LimitUnit, WorkCalendar, due_date, working_days_between
from landguard.people.models import Role, User
from landguard.projects import boundaries, graph, workflow
from landguard.projects.calendar import work_calendar
from landguard.projects.models import (
    CalendarDay,
    DeferredItem,
    Problem,
    ProblemStatusChange,
    ProcedureTemplate,
    Project,
    ProjectPart,
    ServiceGroup,
    ServiceRequest,
    Step,
    StepStatusChange,
    TemplateStep,
)
from landguard.regions.models import Region

WRITER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})


# --- who may write --------------------------------------------------------------------------------------


def can_work(user: User | None) -> bool:
    """Admins, leaders and staff work on projects inside their scope; viewers and field chiefs only read."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))


def _require_writer(actor: User | None, region_code: str) -> None:
    if actor is None:  # the system: demo loader, imports run by a command
        return
    if not can_work(actor):
        raise PermissionDenied(_("您的角色不能办理项目事务。"))
    if not scope_for(actor).contains(region_code):
        raise PermissionDenied(_("该项目不在您的数据范围内。"))


def _require_project_writer(actor: User | None, project: Project) -> None:
    """A project is written by users whose scope holds the whole project (its region): a township officer
    works on the projects inside the township, the county on those that cross townships."""
    _require_writer(actor, project.region_code)


def _business_date(on: dt.date | None, *, not_before: dt.date | None = None, label: str = "") -> dt.date:
    today = clock.today()
    on = on or today
    if on > today:
        raise ValidationError(_("日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()})
    if not_before is not None and on < not_before:
        raise ValidationError(_("%(label)s不能早于 %(day)s。") % {"label": label, "day": not_before.isoformat()})
    return on


def _state(actor: User | None, target: Any, region_code: str, field: str, before: str, after: str, note: str = "") -> None:
    audit.record(actor=actor, action=AuditEntry.Action.STATE, target=target, region_code=region_code,
                 changes={field: [before, after]}, note=note)


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
    project = Project(name=name, level=level, is_synthetic=is_synthetic, created_by=actor if getattr(actor, "pk", None) else None,
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
                                   limit_days=ts.limit_days, limit_unit=ts.limit_unit, counts_for_targets=ts.counts_for_targets)
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


# --- steps ----------------------------------------------------------------------------------------------


def _locked_step(step: Step) -> Step:
    return Step.objects.select_for_update().select_related("project").get(pk=step.pk)


STEP_ACTION_LABELS = {
    workflow.StepAction.START: gettext_lazy("开始办理"),
    workflow.StepAction.COMPLETE: gettext_lazy("办结"),
    workflow.StepAction.REOPEN: gettext_lazy("重新办理"),
}


def _transition(actor: User | None, step: Step, action: str, on: dt.date, note: str) -> None:
    old = step.status
    new = workflow.step_target(action, old)
    if new is None:
        raise ValidationError(_("环节“%(step)s”当前为%(status)s，不能%(action)s。") % {
            "step": step.name, "status": step.get_status_display(), "action": STEP_ACTION_LABELS[action]})
    step.status = new
    StepStatusChange.objects.create(step=step, from_status=old, to_status=new, on=on, note=note,
                                    actor=actor if getattr(actor, "pk", None) else None)
    _state(actor, step, step.project.region_code, "status", f"{old} ({Step.Status(old).label})",
           f"{new} ({Step.Status(new).label})", note)


@transaction.atomic
def start_step(*, actor: User | None, step: Step, on: dt.date | None = None, note: str = "") -> Step:
    """Accept a step. Its predecessors must be done; missing material does not block the start — it is
    recorded as 容缺 items instead (容缺受理)."""
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    waiting = [d.name for d in step.depends_on.exclude(status=Step.Status.DONE)]
    if waiting:
        raise ValidationError(_("前置环节尚未办结：%(steps)s。") % {"steps": "、".join(waiting)})
    on = _business_date(on, label=_("开始日期"))
    _transition(actor, step, workflow.StepAction.START, on, note)
    step.actual_start = on
    step.actual_finish, step.timeliness, step.cycle_working_days, step.cycle_calendar_days = None, "", None, None
    step.due_on = due_date(on, step.limit_days, step.limit_unit, work_calendar())
    step.save()
    return step


@transaction.atomic
def complete_step(*, actor: User | None, step: Step, on: dt.date | None = None, note: str = "") -> Step:
    """Close a step: no 容缺 item may be open. Records cycle time and ahead / on time / late against its
    deadline; closes the project when it was the last step."""
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    open_items = list(step.deferred_items.filter(status=DeferredItem.Status.OPEN).values_list("material", flat=True))
    if open_items:
        raise ValidationError(_("尚有 %(count)s 项容缺材料未补齐（%(items)s），不能办结。") % {
            "count": len(open_items), "items": "、".join(open_items)})
    on = _business_date(on, not_before=step.actual_start, label=_("办结日期"))
    _transition(actor, step, workflow.StepAction.COMPLETE, on, note)
    calendar = work_calendar()
    step.actual_finish = on
    step.cycle_working_days = working_days_between(step.actual_start, on, calendar)
    step.cycle_calendar_days = (on - step.actual_start).days
    step.timeliness = (Step.Timeliness.AHEAD if on < step.due_on else Step.Timeliness.ON_TIME if on == step.due_on
                       else Step.Timeliness.LATE)
    step.save()
    project = Project.objects.select_for_update().get(pk=step.project_id)
    if project.status == Project.Status.ACTIVE and not project.steps.exclude(status=Step.Status.DONE).exists():
        project.status = Project.Status.DONE
        project.save(update_fields=["status"])
        _state(actor, project, project.region_code, "status", Project.Status.ACTIVE, Project.Status.DONE,
               _("全部环节办结"))
    return step


@transaction.atomic
def reopen_step(*, actor: User | None, step: Step, note: str) -> Step:
    """Undo a mistaken 办结 (the reason is required and kept); the deadline runs again from the actual start."""
    if not note.strip():
        raise ValidationError({"note": _("请说明重新办理的原因。")})
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    _transition(actor, step, workflow.StepAction.REOPEN, clock.today(), note)
    step.actual_finish, step.timeliness, step.cycle_working_days, step.cycle_calendar_days = None, "", None, None
    step.save()
    project = Project.objects.select_for_update().get(pk=step.project_id)
    if project.status == Project.Status.DONE:
        project.status = Project.Status.ACTIVE
        project.save(update_fields=["status"])
        _state(actor, project, project.region_code, "status", Project.Status.DONE, Project.Status.ACTIVE, note)
    return step


STEP_PLAN_FIELDS = ("responsible_unit", "limit_days", "limit_unit", "planned_start", "planned_finish")


@transaction.atomic
def update_step(*, actor: User | None, step: Step, **values: Any) -> Step:
    """Change a step's responsible unit, time limit or planned dates. A started step's deadline follows the
    new limit; a waiting one's follows its planned finish (computed from the limit when not given)."""
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    before = audit.snapshot(step, list(STEP_PLAN_FIELDS))
    old_limit = (step.limit_days, step.limit_unit)
    for key, value in values.items():
        if key not in STEP_PLAN_FIELDS:
            raise ValueError(f"not an editable step field: {key}")
        setattr(step, key, value)
    calendar = work_calendar()
    limit_changed = (step.limit_days, step.limit_unit) != old_limit
    if step.planned_start and (not step.planned_finish or (limit_changed and "planned_finish" not in values)):
        step.planned_finish = due_date(step.planned_start, step.limit_days, step.limit_unit, calendar)
    if step.planned_start and step.planned_finish and step.planned_finish < step.planned_start:
        raise ValidationError({"planned_finish": _("计划办结不能早于计划开始。")})
    _refresh_due(step, calendar)
    step.full_clean()
    step.save()
    audit.record_update(actor=actor, target=step, before=before, region_code=step.project.region_code)
    return step


@transaction.atomic
def set_step_dependencies(*, actor: User | None, step: Step, depends_on: Iterable[Step]) -> Step:
    """Change which steps of its project `step` waits for (admins: it reshapes the project's chain). A step
    already started keeps its predecessors; the project's chain must stay free of cycles. Waiting steps are
    planned again from their predecessors' dates."""
    if actor is not None and not actor.can_manage:
        raise PermissionDenied(_("只有管理员可以调整前置环节。"))
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    if step.status != Step.Status.PENDING:
        raise ValidationError(_("环节“%(step)s”已开始办理，不能调整前置环节。") % {"step": step.name})
    chain = list(step.project.steps.prefetch_related("depends_on").order_by("order"))
    wanted = list(depends_on)
    foreign = [s.name for s in wanted if s.project_id != step.project_id]
    if foreign:
        raise ValidationError(_("只能选择本项目的环节：%(steps)s") % {"steps": "、".join(foreign)})
    predecessors = {s.pk: [d.pk for d in s.depends_on.all()] for s in chain}
    predecessors[step.pk] = [s.pk for s in wanted]
    names = {s.pk: s.name for s in chain}
    _check_acyclic(predecessors, names)
    before = sorted(names[pk] for pk in [d.pk for d in step.depends_on.all()])
    step.depends_on.set(wanted)
    _replan_waiting(step.project, work_calendar())
    audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=step, region_code=step.project.region_code,
                 changes={"depends_on": ["、".join(before), "、".join(sorted(s.name for s in wanted))]})
    return step


def _check_acyclic(predecessors: dict[Any, list[Any]], names: dict[Any, str]) -> None:
    cycle = graph.find_cycle(predecessors)
    if cycle:
        raise ValidationError(_("前置环节形成循环：%(cycle)s。") % {"cycle": " → ".join(names[k] for k in cycle)})


def _replan_waiting(project: Project, calendar: WorkCalendar) -> None:
    """Plan the waiting steps after their predecessors' (actual, due or planned) finish; a waiting step
    without predecessors keeps its own planned start."""
    steps = _flow_order(list(project.steps.prefetch_related("depends_on").order_by("order")))
    finish: dict[int, dt.date | None] = {}
    for step in steps:
        if step.status == Step.Status.PENDING:
            deps = [finish[d.pk] for d in step.depends_on.all() if finish.get(d.pk)]
            if deps:
                step.planned_start = max(deps)
            if step.planned_start:
                step.planned_finish = due_date(step.planned_start, step.limit_days, step.limit_unit, calendar)
            step.due_on = step.planned_finish
        finish[step.pk] = step.actual_finish or step.due_on or step.planned_finish
    Step.objects.bulk_update(steps, ["planned_start", "planned_finish", "due_on"])


def _refresh_due(step: Step, calendar: WorkCalendar) -> None:
    if step.status == Step.Status.PENDING:
        step.due_on = step.planned_finish
    elif step.actual_start:
        step.due_on = due_date(step.actual_start, step.limit_days, step.limit_unit, calendar)


def refresh_due_dates() -> int:
    """Recompute the deadline of every open step and the plan of every waiting one: after the holiday
    calendar changed, "10 working days" may end on another date. Returns the steps changed."""
    calendar = work_calendar()
    changed = []
    for step in Step.objects.exclude(status=Step.Status.DONE).only("status", "actual_start", "limit_days", "limit_unit",
                                                                    "planned_start", "planned_finish", "due_on"):
        before = (step.planned_finish, step.due_on)
        if step.status == Step.Status.PENDING and step.planned_start:
            step.planned_finish = due_date(step.planned_start, step.limit_days, step.limit_unit, calendar)
        _refresh_due(step, calendar)
        if (step.planned_finish, step.due_on) != before:
            changed.append(step)
    Step.objects.bulk_update(changed, ["planned_finish", "due_on"], batch_size=500)
    return len(changed)


# --- 容缺 items -----------------------------------------------------------------------------------------


@transaction.atomic
def add_deferred_item(*, actor: User | None, step: Step, material: str, promised_on: dt.date, owner: str) -> DeferredItem:
    """Record material accepted as missing (容缺) on a step that is being handled."""
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    if step.status == Step.Status.DONE:
        raise ValidationError(_("环节已办结，不能再登记容缺材料。"))
    if promised_on < clock.today():
        raise ValidationError({"promised_on": _("承诺补齐日期不能早于今天。")})
    item = DeferredItem(step=step, material=material, promised_on=promised_on, owner=owner)
    item.full_clean()
    item.save()
    audit.record_create(actor=actor, target=item, region_code=step.project.region_code, note=step.name)
    return item


@transaction.atomic
def clear_deferred_item(*, actor: User | None, item: DeferredItem, on: dt.date | None = None) -> DeferredItem:
    item = DeferredItem.objects.select_for_update().select_related("step__project").get(pk=item.pk)
    _require_project_writer(actor, item.step.project)
    if item.status == DeferredItem.Status.CLEARED:
        raise ValidationError(_("该容缺材料已补齐。"))
    item.cleared_on = _business_date(on)
    item.status = DeferredItem.Status.CLEARED
    item.save()
    _state(actor, item, item.step.project.region_code, "status", DeferredItem.Status.OPEN, DeferredItem.Status.CLEARED)
    return item


# --- problems -------------------------------------------------------------------------------------------


@transaction.atomic
def raise_problem(*, actor: User | None, category: str, description: str, division: str, deadline: dt.date,
                  project: Project | None = None, region: Region | None = None) -> Problem:
    """Enter a problem in the ledger, for a project (it takes the project's region) or a region."""
    if project is not None:
        region = project.region
    if region is None:
        raise ValidationError({"region": _("请选择项目或行政区。")})
    _require_writer(actor, region.code)
    problem = Problem(project=project, region=region, region_code=region.code, category=category, description=description,
                      division=division, deadline=deadline, raised_on=clock.today(),
                      created_by=actor if getattr(actor, "pk", None) else None)
    problem.full_clean()
    problem.save()
    ProblemStatusChange.objects.create(problem=problem, to_status=Problem.Status.OPEN, on=problem.raised_on,
                                       actor=problem.created_by)
    audit.record_create(actor=actor, target=problem, region_code=problem.region_code)
    return problem


def _move_problem(actor: User | None, problem: Problem, new: str, note: str = "") -> Problem:
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    _require_writer(actor, problem.region_code)
    old = problem.status
    if not workflow.allowed(workflow.PROBLEM_TRANSITIONS, old, new):
        raise ValidationError(_("问题当前为%(status)s，不能改为%(new)s。") % {
            "status": problem.get_status_display(), "new": Problem.Status(new).label})
    today = clock.today()
    problem.status = new
    if new == Problem.Status.ESCALATED:
        problem.escalated_on = today
    elif new == Problem.Status.RESOLVED:
        problem.resolved_on = today
    elif new == Problem.Status.CLOSED:
        problem.closed_on = today
    elif new == Problem.Status.OPEN:
        problem.resolved_on = None
    problem.save()
    ProblemStatusChange.objects.create(problem=problem, from_status=old, to_status=new, on=today, note=note,
                                       actor=actor if getattr(actor, "pk", None) else None)
    _state(actor, problem, problem.region_code, "status", f"{old} ({Problem.Status(old).label})",
           f"{new} ({Problem.Status(new).label})", note)
    return problem


@transaction.atomic
def escalate_problem(*, actor: User | None, problem: Problem, note: str = "") -> Problem:
    """Refer the problem to the leadership group (提请领导小组协调)."""
    return _move_problem(actor, problem, Problem.Status.ESCALATED, note)


@transaction.atomic
def resolve_problem(*, actor: User | None, problem: Problem, resolution: str) -> Problem:
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写解决情况。")})
    problem = _move_problem(actor, problem, Problem.Status.RESOLVED, resolution[:300])
    problem.resolution = resolution
    problem.save(update_fields=["resolution"])
    return problem


@transaction.atomic
def close_problem(*, actor: User | None, problem: Problem, note: str = "") -> Problem:
    """销号: confirm the resolution holds; only admins and leaders close problems."""
    if actor is not None and not (actor.is_superuser or actor.role in (Role.ADMIN, Role.LEADER)):
        raise PermissionDenied(_("只有管理员或领导可以销号。"))
    return _move_problem(actor, problem, Problem.Status.CLOSED, note)


@transaction.atomic
def reopen_problem(*, actor: User | None, problem: Problem, note: str) -> Problem:
    """不予销号: the resolution did not hold; the problem is open again."""
    if not note.strip():
        raise ValidationError({"note": _("请说明不予销号的原因。")})
    return _move_problem(actor, problem, Problem.Status.OPEN, note)


# --- service requests -----------------------------------------------------------------------------------


@transaction.atomic
def create_service_request(*, actor: User | None, enterprise: str, kind: str, request: str, commissioner: User,
                           received_on: dt.date, contact: str = "", project: Project | None = None,
                           region: Region | None = None) -> ServiceRequest:
    if project is not None:
        region = project.region
    if region is None:
        raise ValidationError({"region": _("请选择项目或行政区。")})
    _require_writer(actor, region.code)
    if commissioner.scope_region is None or not scope_for(commissioner).contains(region.code):
        raise ValidationError({"commissioner": _("该专员的数据范围不包括此行政区。")})
    item = ServiceRequest(enterprise=enterprise, kind=kind, request=request, commissioner=commissioner, contact=contact,
                          received_on=_business_date(received_on), project=project, region=region, region_code=region.code)
    item.full_clean()
    item.save()
    audit.record_create(actor=actor, target=item, region_code=item.region_code)
    return item


@transaction.atomic
def resolve_service_request(*, actor: User | None, item: ServiceRequest, outcome: str, days_saved: int | None = None,
                            steps: Iterable[Step] = ()) -> ServiceRequest:
    item = ServiceRequest.objects.select_for_update().get(pk=item.pk)
    _require_writer(actor, item.region_code)
    if not workflow.allowed(workflow.REQUEST_TRANSITIONS, item.status, ServiceRequest.Status.RESOLVED):
        raise ValidationError(_("该诉求已办结。"))
    if not outcome.strip():
        raise ValidationError({"outcome": _("请填写办理结果。")})
    steps = list(steps)
    foreign = [s.name for s in steps if item.project_id is None or s.project_id != item.project_id]
    if foreign:
        raise ValidationError({"steps": _("只能关联本诉求所属项目的环节：%(steps)s") % {"steps": "、".join(foreign)}})
    item.status, item.outcome, item.days_saved, item.resolved_on = ServiceRequest.Status.RESOLVED, outcome, days_saved, clock.today()
    item.save()
    item.steps.set(steps)
    _state(actor, item, item.region_code, "status", ServiceRequest.Status.OPEN, ServiceRequest.Status.RESOLVED, outcome[:300])
    return item


# --- procedure templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    """One step of a template as entered: `depends_on` names predecessors by their step number (order)."""

    order: int
    name: str
    limit_days: int
    limit_unit: str = LimitUnit.WORKING
    responsible_unit: str = ""
    depends_on: tuple[int, ...] = ()
    counts_for_targets: bool = False


def can_edit_template(user: User | None, template: ProcedureTemplate | None = None) -> bool:
    """Admins edit the templates of their scope; the national templates (no region) only a superuser, as
    they shape every bureau's new projects."""
    if not (user and user.is_authenticated and user.can_manage):
        return False
    if template is None or template.region_id is None:
        return user.is_superuser or template is None
    return scope_for(user).contains(template.region_code)


def check_chain(steps: Sequence[StepSpec]) -> None:
    """A template's chain is usable: at least one step, numbers unique, every predecessor exists, no cycle.
    ValidationError names the offending steps."""
    if not steps:
        raise ValidationError(_("流程至少需要一个环节。"))
    numbers = [s.order for s in steps]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        raise ValidationError(_("环节序号重复：%(numbers)s。") % {"numbers": "、".join(map(str, repeated))})
    names = {s.order: f"{s.order}. {s.name}" for s in steps}
    predecessors = {s.order: list(s.depends_on) for s in steps}
    missing = graph.dangling(predecessors)
    if missing:
        raise ValidationError([_("环节“%(step)s”的前置环节 %(number)s 不存在。") % {"step": names[step], "number": dep}
                               for step, dep in missing])
    _check_acyclic(predecessors, names)
    if sum(s.counts_for_targets for s in steps) > 1:
        raise ValidationError(_("只能有一个环节计入用地保障任务（办结即计为完成一件）。"))


# The chain is not a field of the template: the history shows this key as its own label.
CHAIN_KEY = "流程环节"


def _chain_text(template: ProcedureTemplate) -> str:
    """The chain in one line for the audit trail: 1. 名称（10 工作日；前置 2、3；计入任务）."""
    parts = []
    for ts in template.steps.prefetch_related("depends_on").order_by("order"):
        notes = [f"{ts.limit_days} {ts.get_limit_unit_display()}"]
        if ts.responsible_unit:
            notes.append(ts.responsible_unit)
        deps = sorted(d.order for d in ts.depends_on.all())
        if deps:
            notes.append(_("前置 %(steps)s") % {"steps": "、".join(map(str, deps))})
        if ts.counts_for_targets:
            notes.append(_("计入任务"))
        parts.append(f"{ts.order}. {ts.name}（{'；'.join(notes)}）")
    return " ".join(parts)


@transaction.atomic
def save_template(*, actor: User | None, name: str, steps: Sequence[StepSpec], region: Region | None = None,
                  description: str = "", template: ProcedureTemplate | None = None) -> ProcedureTemplate:
    """Create a template, or replace `template`'s name, region, description and whole chain. Projects copy
    their steps when created, so a change applies to projects registered afterwards only."""
    check_chain(steps)
    if template is not None:
        template = ProcedureTemplate.objects.select_for_update().get(pk=template.pk)
    if actor is not None:
        if not can_edit_template(actor, template):
            raise PermissionDenied(_("您不能修改该流程模板。"))
        if region is None and not actor.is_superuser:
            raise ValidationError({"region": _("请选择模板适用的行政区（全国通用模板只有系统管理员可以设置）。")})
        if region is not None and not scope_for(actor).contains(region.code):
            raise PermissionDenied(_("该行政区不在您的数据范围内。"))
    before = None
    if template is None:
        template = ProcedureTemplate()
    else:
        before = {**audit.snapshot(template, ["name", "region", "description"]), CHAIN_KEY: _chain_text(template)}
    template.name, template.description = name, description
    template.region, template.region_code = region, region.code if region else ""
    template.full_clean()
    template.save()
    template.steps.all().delete()
    created = {spec.order: TemplateStep.objects.create(
        template=template, order=spec.order, name=spec.name, responsible_unit=spec.responsible_unit,
        limit_days=spec.limit_days, limit_unit=spec.limit_unit, counts_for_targets=spec.counts_for_targets) for spec in steps}
    for spec in steps:
        created[spec.order].depends_on.set([created[n] for n in spec.depends_on])
    after = {**audit.snapshot(template, ["name", "region", "description"]), CHAIN_KEY: _chain_text(template)}
    if before is None:
        audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=template, region_code=template.region_code,
                     changes={k: [None, v] for k, v in after.items() if v not in (None, "")})
    elif changes := audit.diff(before, after):
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=template, region_code=template.region_code,
                     changes=changes)
    return template


def template_specs(template: ProcedureTemplate) -> list[StepSpec]:
    return [StepSpec(order=ts.order, name=ts.name, limit_days=ts.limit_days, limit_unit=ts.limit_unit,
                     responsible_unit=ts.responsible_unit, depends_on=tuple(sorted(d.order for d in ts.depends_on.all())),
                     counts_for_targets=ts.counts_for_targets)
            for ts in template.steps.prefetch_related("depends_on").order_by("order")]


# --- service groups -------------------------------------------------------------------------------------


@transaction.atomic
def create_service_group(*, actor: User | None, region: Region, **values: Any) -> ServiceGroup:
    if actor is not None and not actor.can_manage:
        raise PermissionDenied(_("只有管理员可以设置服务组。"))
    _require_writer(actor, region.code)
    group = ServiceGroup(region=region, region_code=region.code, **values)
    group.full_clean()
    group.save()
    audit.record_create(actor=actor, target=group, region_code=group.region_code)
    return group


# --- the holiday calendar -------------------------------------------------------------------------------


def _require_calendar_editor(actor: User | None) -> None:
    # The schedule is national: one county's admin must not move everyone's deadlines.
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("节假日安排全国统一，只有系统管理员可以修改。"))


@transaction.atomic
def save_calendar_day(*, actor: User | None, date: dt.date, kind: str, name: str, note: str = "",
                      day: CalendarDay | None = None) -> CalendarDay:
    """Add a day (or change `day`) and move every open deadline to the new calendar."""
    _require_calendar_editor(actor)
    if day is not None:
        day = CalendarDay.objects.select_for_update().get(pk=day.pk)
        before = audit.snapshot(day)
    else:
        day, before = CalendarDay(), None
    day.date, day.kind, day.name, day.note = date, kind, name, note
    day.full_clean()
    day.save()
    moved = refresh_due_dates()
    note_text = _("重新计算了 %(count)s 个环节的期限") % {"count": moved}
    if before is None:
        audit.record_create(actor=actor, target=day, region_code="", note=note_text)
    else:
        audit.record_update(actor=actor, target=day, before=before, region_code="", note=note_text)
    return day


@transaction.atomic
def delete_calendar_day(*, actor: User | None, day: CalendarDay) -> int:
    _require_calendar_editor(actor)
    day = CalendarDay.objects.select_for_update().get(pk=day.pk)
    audit.record(actor=actor, action=AuditEntry.Action.DELETE, target=day, region_code="", changes={
        k: [v, None] for k, v in audit.snapshot(day).items()})
    day.delete()
    return refresh_due_dates()


def hectares_from_mu(mu: Decimal | None) -> Decimal | None:
    """亩 → 公顷 at the 4-decimal precision the model keeps (1 公顷 = 15 亩)."""
    return None if mu is None else (Decimal(mu) / Decimal(15)).quantize(Decimal("0.0001"))
