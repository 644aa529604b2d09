"""Steps of a project (start, complete — on time or, by a manager, before its minimum period —, mark not
applicable, reopen, plan, dependencies, due dates) and their 容缺 items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.utils.translation import gettext_lazy

from landguard.audit import notes
from landguard.audit.notes import Note
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.workdays import LimitUnit, WorkCalendar, due_at, due_date, period_end, working_days_between
from landguard.people.models import User
from landguard.projects import graph, workflow
from landguard.projects.calendar import work_calendar
from landguard.projects.models import (
    DeferredItem,
    LimitFrom,
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
    workflow.StepAction.COMPLETE: pgettext_lazy("button: finish handling", "办结"),
    workflow.StepAction.COMPLETE_EARLY: gettext_lazy("提前办结"),
    workflow.StepAction.SKIP: gettext_lazy("标记为不适用"),
    workflow.StepAction.REOPEN: gettext_lazy("重新办理"),
}


def _transition(actor: User | None, step: Step, action: str, on: dt.date, note: str | Note,
                audit_note: str | None = None) -> None:
    old = step.status
    new = workflow.step_target(action, old)
    if new is None:
        raise ValidationError(_("环节“%(step)s”当前为%(status)s，不能%(action)s。") % {
            "step": step.name, "status": step.get_status_display(), "action": STEP_ACTION_LABELS[action]})
    step.status = new
    sentence, msgid, params = notes.stored(note, limit=200)
    StepStatusChange.objects.create(step=step, from_status=old, to_status=new, on=on, note=sentence, note_msgid=msgid,
                                    note_params=params, actor=actor if getattr(actor, "pk", None) else None)
    _state(actor, step, step.project.region_code, "status", f"{old} ({Step.Status(old).label})",
           f"{new} ({Step.Status(new).label})", note if audit_note is None else audit_note)


def _moment(on: dt.date | None, at: dt.datetime | None, *, label: str) -> tuple[dt.date | None, dt.datetime | None]:
    """The business date and, when known, the moment of a step action: `at` (a time given; naive is Beijing time)
    wins; an action dated today or undated happened now; a past date alone has no time."""
    if at is not None:
        at = at if timezone.is_aware(at) else timezone.make_aware(at, timezone.get_default_timezone())
        if at > clock.now():
            raise ValidationError(_("%(label)s不能晚于当前时间。") % {"label": label})
        return timezone.localtime(at).date(), at
    if on is None or on == clock.today():
        return on, clock.now()
    return on, None


def _require_time(step: Step, at: dt.datetime | None, label: str) -> None:
    if step.in_hours and at is None:
        raise ValidationError(_("环节“%(step)s”的办理时限按小时计，请填写%(label)s的具体时间。") % {
            "step": step.name, "label": label})


@transaction.atomic
def start_step(*, actor: User | None, step: Step, on: dt.date | None = None, note: str | Note = "",
               at: dt.datetime | None = None) -> Step:
    """Accept a step. Its predecessors must be done; missing material does not block the start — it is
    recorded as 容缺 items instead (容缺受理). A step whose limit is in hours needs the moment it started (now, or
    `at`): its deadline is that moment plus the hours."""
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    _require_predecessors_closed(step)
    on, at = _moment(on, at, label=_("开始时间"))
    on = _business_date(on, label=_("开始日期"))
    _require_time(step, at, _("开始"))
    _transition(actor, step, workflow.StepAction.START, on, note)
    step.actual_start, step.started_at = on, at
    _clear_finish(step)
    _refresh_due(step, work_calendar())
    step.save()
    return step


def _require_predecessors_closed(step: Step) -> None:
    waiting = [d.name for d in step.depends_on.exclude(status__in=Step.CLOSED)]
    if waiting:
        raise ValidationError(_("前置环节尚未办结：%(steps)s。") % {"steps": "、".join(waiting)})


def predecessors_closed_on(step: Step) -> dt.date | None:
    """The day the last of the step's predecessors closed (办结 or 不适用), or None while one is open or when it
    has none."""
    return _last_predecessor_close(step, "actual_finish")


def predecessors_closed_at(step: Step) -> dt.datetime | None:
    """The moment the last of the step's predecessors closed, when every one of them has a recorded time."""
    return _last_predecessor_close(step, "finished_at")


def _last_predecessor_close(step: Step, field: str) -> Any:
    """The latest `field` (actual_finish or finished_at) of the step's predecessors; None while one is open or
    lacks it, or when it has none."""
    finished = []
    for predecessor in step.depends_on.all():
        value = getattr(predecessor, field)
        if predecessor.status not in Step.CLOSED or value is None:
            return None
        finished.append(value)
    return max(finished, default=None)


def deadline_at(step: Step) -> dt.datetime | None:
    """The moment an hours limit runs out (办结时限): counted from the predecessors' close when the limit says so
    and their times are known, else from the step's own start; None for a day limit or before a start."""
    if not step.in_hours:
        return None
    if step.status in Step.CLOSED:
        return step.due_at
    if step.limit_from == LimitFrom.PREDECESSORS and (anchor := predecessors_closed_at(step)):
        return due_at(anchor, step.limit_days)
    if step.status == Step.Status.PENDING or step.started_at is None:
        return None
    return due_at(step.started_at, step.limit_days)


def deadline(step: Step, calendar: WorkCalendar) -> dt.date | None:
    """The step's current deadline (办结期限). A limit counted from the predecessors' close runs from that day
    as soon as they are all closed, started or not; otherwise a waiting step is due at its planned finish and a
    started one at its limit from the actual start. An hours limit is due on the day its moment falls."""
    if step.status in Step.CLOSED:
        return step.due_on
    if (moment := deadline_at(step)) is not None:
        return timezone.localtime(moment).date()
    if step.limit_from == LimitFrom.PREDECESSORS and (anchor := predecessors_closed_on(step)):
        return due_date(anchor, step.limit_days, step.limit_unit, calendar)
    if step.status == Step.Status.PENDING or not step.actual_start:
        return step.planned_finish
    return due_date(step.actual_start, step.limit_days, step.limit_unit, calendar)


def earliest_finish(step: Step, calendar: WorkCalendar) -> dt.date | None:
    """最早可办结日期: the day the step's minimum period (counted from its actual start, or its planned start
    while it waits) is complete; None when it has no minimum period or no start yet."""
    start = step.actual_start or step.planned_start
    if not step.min_period or start is None:
        return None
    return period_end(start, step.min_period, step.min_period_unit, calendar)


def _period_text(days: int, unit: str) -> str:
    return (_("%(days)s 个工作日") if LimitUnit(unit) == LimitUnit.WORKING else _("%(days)s 日")) % {"days": days}


def _too_early(step: Step, on: dt.date, calendar: WorkCalendar) -> str | None:
    """Why `step` may not close on `on` (its minimum period not yet complete), or None when it may."""
    earliest = earliest_finish(step, calendar)
    if earliest is None or on >= earliest:
        return None
    if LimitUnit(step.min_period_unit) == LimitUnit.WORKING:
        remaining = working_days_between(on, earliest, calendar)
    else:
        remaining = (earliest - on).days
    return _("环节“%(step)s”的最短期限为 %(period)s（自 %(start)s 开始办理起算），最早可办结日期为 %(earliest)s，"
             "还差 %(remaining)s，不能在 %(on)s 办结。") % {
        "step": step.name, "period": _period_text(step.min_period, step.min_period_unit),
        "start": step.actual_start.isoformat() if step.actual_start else "", "earliest": earliest.isoformat(),
        "remaining": _period_text(remaining, step.min_period_unit), "on": on.isoformat()}


@transaction.atomic
def complete_step(*, actor: User | None, step: Step, on: dt.date | None = None, note: str | Note = "",
                  at: dt.datetime | None = None) -> Step:
    """Close a step: no 容缺 item may be open, and its minimum period (最短期限) must have run — the day it
    completes is allowed. Records cycle time and ahead / on time / late against its deadline (an hours limit:
    on time up to its moment, late after it); closes the project when it was the last step."""
    step, on, at = _closing(actor, step, on, at)
    calendar = work_calendar()
    if reason := _too_early(step, on, calendar):
        raise ValidationError(reason)
    return _close(actor, step, workflow.StepAction.COMPLETE, on, at, note, calendar)


@transaction.atomic
def complete_step_early(*, actor: User | None, step: Step, note: str, on: dt.date | None = None,
                        at: dt.datetime | None = None) -> Step:
    """提前办结: close a step before its minimum period has run (a start recorded late, a period the law
    shortens for this case). Managers only, with the reason, which the history and the audit entry keep with
    the rule that was not met."""
    if actor is not None and not actor.can_manage:
        raise PermissionDenied(_("只有管理员可以在最短期限届满前办结环节。"))
    if not note.strip():
        raise ValidationError({"note": _("请说明提前办结的原因。")})
    step, on, at = _closing(actor, step, on, at)
    calendar = work_calendar()
    reason = _too_early(step, on, calendar)
    if reason is None:
        raise ValidationError(_("环节“%(step)s”已满足最短期限，请直接办结。") % {"step": step.name})
    note = (_("提前办结：%(reason)s") % {"reason": note.strip()})[:200]  # the history tells it from a plain 办结
    audit_note = f"{note}（{reason}）"
    return _close(actor, step, workflow.StepAction.COMPLETE_EARLY, on, at, note, calendar,
                  audit_note=audit_note[:300])


def _closing(actor: User | None, step: Step, on: dt.date | None,
             at: dt.datetime | None) -> tuple[Step, dt.date, dt.datetime | None]:
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    open_items = list(step.deferred_items.filter(status=DeferredItem.Status.OPEN).values_list("material", flat=True))
    if open_items:
        raise ValidationError(_("尚有 %(count)s 项容缺材料未补齐（%(items)s），不能办结。") % {
            "count": len(open_items), "items": "、".join(open_items)})
    on, at = _moment(on, at, label=_("办结时间"))
    on = _business_date(on, not_before=step.actual_start, label=_("办结日期"))
    _require_time(step, at, _("办结"))
    if at is not None and step.started_at is not None and at < step.started_at:
        raise ValidationError(_("办结时间不能早于开始时间（%(start)s）。") % {
            "start": f"{timezone.localtime(step.started_at):%Y-%m-%d %H:%M}"})
    return step, on, at


def _close(actor: User | None, step: Step, action: str, on: dt.date, at: dt.datetime | None, note: str | Note,
           calendar: WorkCalendar, audit_note: str | None = None) -> Step:
    _transition(actor, step, action, on, note, audit_note)
    assert step.actual_start is not None and step.due_on is not None  # set when it started
    step.actual_finish, step.finished_at = on, at
    step.cycle_working_days = working_days_between(step.actual_start, on, calendar)
    step.cycle_calendar_days = (on - step.actual_start).days
    step.cycle_minutes = (int((at - step.started_at).total_seconds() // 60)
                          if at is not None and step.started_at is not None else None)
    if step.in_hours and step.due_at is not None and at is not None:
        step.timeliness = Step.Timeliness.ON_TIME if at <= step.due_at else Step.Timeliness.LATE
    else:
        step.timeliness = (Step.Timeliness.AHEAD if on < step.due_on else Step.Timeliness.ON_TIME
                           if on == step.due_on else Step.Timeliness.LATE)
    step.save()
    _after_close(actor, step, calendar)
    return step


def _after_close(actor: User | None, step: Step, calendar: WorkCalendar) -> None:
    """A closed step starts the clock of successors whose limit counts from their predecessors' close, and
    closes the project when it was the last open step."""
    for successor in step.dependents.exclude(status__in=Step.CLOSED).filter(limit_from=LimitFrom.PREDECESSORS):
        _refresh_due(successor, calendar)
        successor.save(update_fields=["due_on", "due_at"])
    project = Project.objects.select_for_update().get(pk=step.project_id)
    if project.status == Project.Status.ACTIVE and not project.steps.exclude(status__in=Step.CLOSED).exists():
        project.status = Project.Status.DONE
        project.save(update_fields=["status"])
        _state(actor, project, project.region_code, "status", Project.Status.ACTIVE, Project.Status.DONE,
               _("全部环节办结"))


@transaction.atomic
def skip_step(*, actor: User | None, step: Step, note: str, on: dt.date | None = None) -> Step:
    """Mark a conditional step (one with 适用条件) 不适用: its condition is not met (听证: no majority of the
    collective's members objected to the 补偿安置方案). Only a waiting step whose predecessors are closed — the
    condition is judged when its turn comes —, with the reason, kept in the history and the audit entry."""
    if not note.strip():
        raise ValidationError({"note": _("请说明不适用的理由。")})
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    if not step.applies_when:
        raise ValidationError(_("环节“%(step)s”不是视情况办理的环节，不能标记为不适用。") % {"step": step.name})
    _require_predecessors_closed(step)
    on, at = _moment(on, None, label=_("日期"))
    on = _business_date(on, label=_("日期"))
    _transition(actor, step, workflow.StepAction.SKIP, on, note.strip())
    step.actual_finish, step.finished_at = on, at
    step.save()
    _after_close(actor, step, work_calendar())
    return step


def _step_by_key(project: Project, key: str) -> Step:
    step = project.steps.filter(key=key).first()
    if step is None:
        raise ValidationError(_("项目“%(project)s”没有标识为“%(key)s”的环节。") % {"project": project.name, "key": key})
    return step


@transaction.atomic
def complete_step_by_key(*, actor: User | None, project: Project, key: str, when: dt.date | dt.datetime | None = None,
                         note: str = "") -> Step:
    """Close the step of `project` whose key (环节标识) is `key` on `when` (a date, or a time read in
    Asia/Shanghai; default today) — for other apps that learn a step is done elsewhere (a dossier's approval
    closes 组卷报批 / 批准 of the 土地征收 chain). A waiting step is started on the same day first (its
    predecessors must be closed); a step already 办结 is returned unchanged, so a repeated call is harmless.
    Every rule of start_step and complete_step applies (scope, 容缺 items, minimum period)."""
    on = None if isinstance(when, dt.datetime) else when
    at = when if isinstance(when, dt.datetime) else None
    step = _step_by_key(project, key)
    if step.status == Step.Status.DONE:
        return step
    if step.status == Step.Status.PENDING:
        step = start_step(actor=actor, step=step, on=on, at=at, note=note)
    return complete_step(actor=actor, step=step, on=on, at=at, note=note)


@transaction.atomic
def reopen_step(*, actor: User | None, step: Step, note: str) -> Step:
    """Undo a mistaken 办结 (the deadline runs again from the actual start) or 不适用 (the step waits again); the
    reason is required and kept."""
    if not note.strip():
        raise ValidationError({"note": _("请说明重新办理的原因。")})
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    _transition(actor, step, workflow.StepAction.REOPEN, clock.today(), note)
    _clear_finish(step)
    if step.status == Step.Status.PENDING:  # a 不适用 mark undone: it waits again, due at its plan
        _refresh_due(step, work_calendar())
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
            _refresh_due(step, calendar)
        finish[step.pk] = step.actual_finish or step.due_on or step.planned_finish
    Step.objects.bulk_update(steps, ["planned_start", "planned_finish", "due_on", "due_at"])


def _refresh_due(step: Step, calendar: WorkCalendar) -> None:
    step.due_at = deadline_at(step)
    step.due_on = deadline(step, calendar)


def _clear_finish(step: Step) -> None:
    """A step (re)started or reopened has no finish, timeliness or time taken."""
    step.actual_finish, step.finished_at, step.timeliness = None, None, ""
    step.cycle_working_days, step.cycle_calendar_days, step.cycle_minutes = None, None, None


def refresh_due_dates() -> int:
    """Recompute the deadline of every open step and the plan of every waiting one: after the holiday
    calendar changed, "10 working days" may end on another date. Returns the steps changed."""
    calendar = work_calendar()
    changed = []
    open_steps = Step.objects.exclude(status__in=Step.CLOSED).only(
        "status", "actual_start", "started_at", "limit_days", "limit_unit", "limit_from", "planned_start",
        "planned_finish", "due_on", "due_at")
    for step in open_steps.prefetch_related("depends_on"):
        before = (step.planned_finish, step.due_on, step.due_at)
        if step.status == Step.Status.PENDING and step.planned_start:
            step.planned_finish = due_date(step.planned_start, step.limit_days, step.limit_unit, calendar)
        _refresh_due(step, calendar)
        if (step.planned_finish, step.due_on, step.due_at) != before:
            changed.append(step)
    Step.objects.bulk_update(changed, ["planned_finish", "due_on", "due_at"], batch_size=500)
    return len(changed)


# --- 容缺 items -----------------------------------------------------------------------------------------


@transaction.atomic
def add_deferred_item(*, actor: User | None, step: Step, material: str, promised_on: dt.date,
                      owner: str) -> DeferredItem:
    """Record material accepted as missing (容缺) on a step that is being handled."""
    step = _locked_step(step)
    _require_project_writer(actor, step.project)
    if step.status in Step.CLOSED:
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
