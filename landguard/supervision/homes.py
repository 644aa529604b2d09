"""What 耕地保护 shows on each role's home (registered with `shell.homes` in extensions.py), read through the
selectors so the viewer's scope applies:

- a field chief: their open tasks, overdue first, each 三个一 step with its countdown, escalations visible;
- staff and admins: the queue of their scope (clues to triage, open tasks overdue first) and its 三个一 figures —
  a township officer's scope is the township, so the same section is the township's queue;
- an enforcer: the open cases, the nearest 90-day deadline first, with the 陈述申辩/听证 window of those in notice;
- a leader (and an admin): the county's figures — alarms, clues waiting, cases filed and closed, 违法占耕比.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from landguard.core import clock
from landguard.people.models import User
from landguard.regions import selectors as region_selectors
from landguard.shell.homes import Viewer
from landguard.supervision import case_deadlines, cases, patches, selectors, stats
from landguard.supervision.models import Case, Clue, Deadline, Task
from landguard.supervision.views.common import duration_text

QUEUE_ROWS = 12


@dataclass
class StepClock:
    """One unmet 三个一 step of a task: its due time and how far it is from now."""

    label: str
    due_at: dt.datetime
    overdue: bool
    text: str  # "还剩 35 分钟" / "已超时 2 小时 5 分钟"
    escalations: int


@dataclass
class TaskRow:
    task: Task
    steps: list[StepClock] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(s.overdue for s in self.steps)

    @property
    def escalations(self) -> int:
        return sum(s.escalations for s in self.steps)

    @property
    def next_due(self) -> dt.datetime | None:
        return min((s.due_at for s in self.steps), default=None)


def step_clock(deadline: Deadline, now: dt.datetime) -> StepClock:
    left = deadline.due_at - now
    overdue = left <= dt.timedelta(0)
    if overdue:
        text = _("已超时 %(t)s") % {"t": duration_text(-left)}
    else:
        text = _("还剩 %(t)s") % {"t": duration_text(left)}
    return StepClock(label=str(deadline.get_step_display()), due_at=deadline.due_at, overdue=overdue, text=text,
                     escalations=len(deadline.escalations.all()))


def task_rows(tasks, now: dt.datetime | None = None) -> list[TaskRow]:
    """Open tasks with their unmet steps, overdue first (the longest overdue first), then the nearest deadline."""
    now = now or clock.now()
    unmet = (Deadline.objects.filter(met_at__isnull=True, waived=False).prefetch_related("escalations")
             .order_by("due_at"))
    rows = [TaskRow(t, [step_clock(d, now) for d in t.deadlines.all()])
            for t in tasks.exclude(status=Task.Status.CLOSED).prefetch_related(Prefetch("deadlines", queryset=unmet))]
    far = now + dt.timedelta(days=3650)
    return sorted(rows, key=lambda r: (not r.overdue, r.next_due or far, -r.task.pk))


def _user(viewer: Viewer) -> User | None:
    return User.objects.filter(pk=viewer.user_id).select_related("org_unit").first() if viewer.user_id else None


def my_tasks(viewer: Viewer) -> dict[str, Any] | None:
    user = _user(viewer)
    if user is None:
        return None
    mine = selectors.my_tasks(viewer.scope, user)
    rows = task_rows(mine)
    return {"rows": rows, "overdue": sum(r.overdue for r in rows), "escalated": sum(1 for r in rows if r.escalations),
            "closed": mine.filter(status=Task.Status.CLOSED).count()}


def queue(viewer: Viewer) -> dict[str, Any] | None:
    """The scope's 耕地保护 queue: what waits for triage and the open tasks, overdue first, with the 三个一 rate."""
    scope = viewer.scope
    clues = selectors.clues(scope)
    rows = task_rows(selectors.tasks(scope).select_related("clue"))
    _units, total = stats.compliance(scope)
    return {"to_triage": clues.filter(status=Clue.Status.NEW).count(),
            "prejudged": clues.filter(status=Clue.Status.PREJUDGED).count(),
            "rows": rows[:QUEUE_ROWS], "open": len(rows), "overdue": sum(r.overdue for r in rows),
            "escalated": sum(1 for r in rows if r.escalations), "rate": total.rate, "decided": total.decided,
            "open_cases": selectors.cases(scope).exclude(status=Case.Status.CLOSED).count()}


@dataclass
class CaseRow:
    case: Case
    clock: cases.CaseClock
    window_end: dt.datetime | None  # the 陈述申辩/听证 window of a case in notice, once the notice is served
    window_open: bool


def case_rows(scope, now: dt.datetime | None = None) -> list[CaseRow]:
    now = now or clock.now()
    open_cases = selectors.cases(scope).exclude(status=Case.Status.CLOSED).prefetch_related("pauses")
    rows = []
    for case in open_cases:
        end = (case_deadlines.window_end(case.notice_served_at)
               if case.status == Case.Status.NOTICE and case.notice_served_at else None)
        rows.append(CaseRow(case, cases.clock_of(case, now), end, end is not None and end > now))
    return sorted(rows, key=lambda r: (r.clock.stopped, not r.clock.overdue, r.clock.due_at))


def enforcer_cases(viewer: Viewer) -> dict[str, Any] | None:
    rows = case_rows(viewer.scope)
    by_status = dict(selectors.cases(viewer.scope).values_list("status").annotate(n=Count("id")))
    return {"rows": rows[:QUEUE_ROWS], "open": len(rows), "overdue": sum(r.clock.overdue for r in rows),
            "in_window": sum(r.window_open for r in rows), "closed": by_status.get(Case.Status.CLOSED, 0)}


def leader_figures(viewer: Viewer) -> dict[str, Any] | None:
    scope = viewer.scope
    year = clock.today().year
    root = region_selectors.scope_root(scope)
    county = (root.code, root.name) if root is not None and len(root.code) == 6 else None
    townships = selectors.townships(scope)
    rows, whole = patches.ratios(selectors.patches(scope), year=year, townships=townships, county=county,
                                 official=selectors.official_farmland(scope, year))
    ratio = whole or (rows[0] if len(rows) == 1 else None)
    start = clock.now() - dt.timedelta(days=30)
    detections = selectors.detections(scope)
    case_qs = selectors.cases(scope)
    _units, total = stats.compliance(scope)
    return {"year": year, "alarms": detections.count(), "alarms_30": detections.filter(received_at__gte=start).count(),
            "waiting": selectors.clues(scope).filter(status__in=(Clue.Status.NEW, Clue.Status.PREJUDGED)).count(),
            "cases": case_qs.filter(filed_at__year=year).count(),
            "cases_closed": case_qs.filter(Q(status=Case.Status.CLOSED) & Q(filed_at__year=year)).count(),
            "ratio": ratio, "over": [r for r in rows if r.level == "over"], "rate": total.rate,
            "escalated": total.escalated}


def township_assessment(viewer: Viewer) -> dict[str, Any] | None:
    """The township's 考核 figures on its officers' home, beside the plan indicators (planning) and the 两清 items
    (supply): this year's 违法占耕比, this month's patrols (the office's count, the village chiefs keeping the
    weekly patrol) and the 三个一 on-time rate. Only for a scope that is one township."""
    root = region_selectors.scope_root(viewer.scope)
    if root is None or len(root.code) != 9:
        return None
    today = clock.today()
    rows, _whole = patches.ratios(selectors.patches(viewer.scope), year=today.year,
                                  townships=selectors.townships(viewer.scope), county=None,
                                  official=selectors.official_farmland(viewer.scope, today.year))
    offices, chiefs = stats.patrol_compliance(viewer.scope, year=today.year, month=today.month)
    _units, total = stats.compliance(viewer.scope)
    return {"township": root.name, "year": today.year, "month": today.month,
            "ratio": next((r for r in rows if r.code == root.code), rows[0] if rows else None),
            "office_patrols": sum(o.count for o in offices), "office_required": sum(o.required for o in offices),
            "chiefs_ok": sum(1 for c in chiefs if c.ok), "chiefs": len(chiefs), "rate": total.rate}
