"""The allowed status changes of clues, tasks and cases. Services refuse anything not listed here, so the
tables below are the whole state machine (Signalen's workflow.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from landguard.supervision.models import Case, Clue, Task

# Two-stage triage (冠县: 332 alarms → 40 pushed to the 所长 → 16 closed): staff pre-judge a clue as a suspected
# violation (初判), the office head decides (派发核查 or 误报). An office head may also decide a new clue at once, and
# with SUPERVISION_TWO_STAGE_TRIAGE on only the office head decides (verification.can_decide).
CLUE_TRANSITIONS: dict[str, frozenset[str]] = {
    Clue.Status.NEW: frozenset({Clue.Status.PREJUDGED, Clue.Status.VALID, Clue.Status.FALSE_ALARM}),
    Clue.Status.PREJUDGED: frozenset({Clue.Status.VALID, Clue.Status.FALSE_ALARM}),
    Clue.Status.VALID: frozenset({Clue.Status.CLOSED}),
    Clue.Status.FALSE_ALARM: frozenset(),
    Clue.Status.CLOSED: frozenset(),
}

# 派发 → 签收上报 → 到场 → 核查提交 → (违法: 恢复原状) → 销号. A legal or false-alarm outcome closes without restoring.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    Task.Status.DISPATCHED: frozenset({Task.Status.REPORTED}),
    Task.Status.REPORTED: frozenset({Task.Status.ON_SITE}),
    Task.Status.ON_SITE: frozenset({Task.Status.VERIFIED}),
    Task.Status.VERIFIED: frozenset({Task.Status.RESTORED, Task.Status.CLOSED}),
    Task.Status.RESTORED: frozenset({Task.Status.CLOSED}),
    Task.Status.CLOSED: frozenset(),
}

# 立案 → 调查取证 → 审理（法制审核）→ 告知/听证 → 决定 → 送达 → 执行 → 结案 (domain.md §8): a decision binds the
# party only once served, so execution waits for 送达. A case found groundless at review (事实不成立) may close
# from 审理 with a 不予处罚 note.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    Case.Status.FILED: frozenset({Case.Status.INVESTIGATING}),
    Case.Status.INVESTIGATING: frozenset({Case.Status.REVIEW}),
    Case.Status.REVIEW: frozenset({Case.Status.NOTICE, Case.Status.CLOSED}),
    Case.Status.NOTICE: frozenset({Case.Status.DECIDED}),
    Case.Status.DECIDED: frozenset({Case.Status.SERVED}),
    Case.Status.SERVED: frozenset({Case.Status.EXECUTING}),
    Case.Status.EXECUTING: frozenset({Case.Status.CLOSED}),
    Case.Status.CLOSED: frozenset(),
}


def check(table: dict[str, frozenset[str]], labels: type, current: str, target: str) -> None:
    if target not in table.get(current, frozenset()):
        raise ValidationError(_("不能从“%(current)s”变为“%(target)s”") % {
            "current": labels(current).label, "target": labels(target).label}, code="transition")
