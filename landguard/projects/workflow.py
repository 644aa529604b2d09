"""The allowed status changes, one table per aggregate (Signalen's workflow.py): services consult these and
nothing else, so a new transition is added here or not at all."""

from __future__ import annotations

from landguard.projects.models import Problem, ServiceRequest, Step

StepStatus = Step.Status
ProblemStatus = Problem.Status

class StepAction:
    START = "start"
    COMPLETE = "complete"
    REOPEN = "reopen"


# Keyed by action, not only by target status: 开始办理 and 重新办理 both lead to 办理中, and a table keyed by the
# target alone let `reopen` move a never-started step (未开始 → 办理中) past the predecessor check that only
# `start` makes, leaving it in progress without an actual start. Each action is legal from exactly these states.
STEP_TRANSITIONS: dict[str, dict[str, str]] = {
    StepAction.START: {StepStatus.PENDING: StepStatus.IN_PROGRESS},
    StepAction.COMPLETE: {StepStatus.IN_PROGRESS: StepStatus.DONE},
    # Reopening corrects a mistaken 办结, so only a closed step can be reopened; its history keeps both changes.
    StepAction.REOPEN: {StepStatus.DONE: StepStatus.IN_PROGRESS},
}


def step_target(action: str, current: str) -> str | None:
    """The status `action` moves a step in `current` to, or None when the action is not legal there."""
    return STEP_TRANSITIONS[action].get(current)


PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.OPEN: frozenset({ProblemStatus.ESCALATED, ProblemStatus.RESOLVED}),
    ProblemStatus.ESCALATED: frozenset({ProblemStatus.RESOLVED}),
    # 销号 needs a resolution first; a resolution that does not hold is sent back (不予销号).
    ProblemStatus.RESOLVED: frozenset({ProblemStatus.CLOSED, ProblemStatus.OPEN}),
    ProblemStatus.CLOSED: frozenset(),
}

REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    ServiceRequest.Status.OPEN: frozenset({ServiceRequest.Status.RESOLVED}),
    ServiceRequest.Status.RESOLVED: frozenset(),
}


def allowed(table: dict[str, frozenset[str]], current: str, new: str) -> bool:
    return new in table.get(current, frozenset())
