"""The allowed status changes, one table per aggregate (Signalen's workflow.py): services consult these and
nothing else, so a new transition is added here or not at all."""

from __future__ import annotations

from landguard.projects.models import Problem, ServiceRequest, Step

StepStatus = Step.Status
ProblemStatus = Problem.Status

STEP_TRANSITIONS: dict[str, frozenset[str]] = {
    StepStatus.PENDING: frozenset({StepStatus.IN_PROGRESS}),
    StepStatus.IN_PROGRESS: frozenset({StepStatus.DONE}),
    # Reopening a closed step corrects a mistaken 办结; its history keeps both changes.
    StepStatus.DONE: frozenset({StepStatus.IN_PROGRESS}),
}

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
