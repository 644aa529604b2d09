"""What projects shows on the homes of leaders, admins and staff (registered in extensions.py), read through the
selectors: the key projects of the scope behind schedule (a step past its due date) or close to it; the 包保领导
not yet on a visit this year (from the reminder day, PROJECTS_VISIT_REMINDER_FROM); and the regions whose
responsibility-list progress lags the time elapsed by more than PROJECTS_TARGET_LAG_POINTS.

These are states, computed on each view rather than pushed as messages: a reminder must vanish as soon as the visit
is recorded or the approvals arrive, which a message already sent cannot."""

from __future__ import annotations

from typing import Any

from landguard.core import clock
from landguard.core.workdays import current_calendar
from landguard.projects import selectors, tunables
from landguard.projects.models import Project
from landguard.shell.homes import Viewer

SHOWN = 6


def behind_schedule(viewer: Viewer) -> dict[str, Any] | None:
    active = selectors.with_steps(selectors.projects(viewer.scope).filter(status=Project.Status.ACTIVE))
    if not active.exists():
        return None
    today, calendar = clock.today(), current_calendar()
    health = {p.pk: selectors.project_health(p, today, calendar) for p in active}
    overdue = [p for p in active if health[p.pk] == selectors.Health.OVERDUE]
    due_soon = [p for p in active if health[p.pk] == selectors.Health.DUE_SOON]
    return {"active": len(health), "overdue": overdue[:SHOWN], "overdue_count": len(overdue),
            "due_soon_count": len(due_soon)}


def visits_due(viewer: Viewer) -> dict[str, Any] | None:
    """From the reminder day to the year's end: the responsible leaders without a visit this year."""
    today = clock.today()
    month, day = (int(part) for part in str(tunables.get("PROJECTS_VISIT_REMINDER_FROM")).split("-"))
    if today < today.replace(month=month, day=day):
        return None
    missing = [row for row in selectors.visit_coverage(viewer.scope, today.year) if row.visits == 0]
    if not missing:
        return None
    return {"missing": missing[:SHOWN], "missing_count": len(missing), "year": today.year}


def lagging_targets(viewer: Viewer) -> dict[str, Any] | None:
    """Rows of the responsibility lists running today whose area done lags the share of the period elapsed."""
    points = float(tunables.get("PROJECTS_TARGET_LAG_POINTS"))
    lagging = selectors.lagging_targets(viewer.scope, clock.today(), points)
    if not lagging:
        return None
    return {"lagging": lagging[:SHOWN], "lagging_count": len(lagging), "points": points}
