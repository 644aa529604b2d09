"""Steps of a project (start, complete, reopen, plan, dependencies, due dates) and their 容缺 items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.workdays import WorkCalendar, due_date, working_days_between
from landguard.people.models import User
from landguard.projects import graph, workflow
from landguard.projects.calendar import work_calendar
from landguard.projects.models import (
    DeferredItem,
    Project,
    Step,
    StepStatusChange,
)
from landguard.projects.services.common import _business_date, _require_project_writer, _state
from landguard.projects.services.projects import _flow_order



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
def add_deferred_item(*, actor: User | None, step: Step, material: str, promised_on: dt.date,
                      owner: str) -> DeferredItem:
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
