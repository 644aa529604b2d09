"""What projects shows on the homes of leaders, admins and staff (registered in extensions.py): the key projects
of the scope behind schedule (a step past its due date) or close to it, read through the selectors."""

from __future__ import annotations

from typing import Any

from landguard.core import clock
from landguard.core.workdays import current_calendar
from landguard.projects import selectors
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
