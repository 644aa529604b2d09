"""The allowed status changes, one table per aggregate (Signalen's workflow.py): services consult these and
nothing else, so a new transition is added here or not at all."""

from __future__ import annotations

from landguard.projects.models import Problem, ServiceRequest, Step

StepStatus = Step.Status
ProblemStatus = Problem.Status

class StepAction:
    START = "start"
    COMPLETE = "complete"
    # 提前办结: closing before the step's minimum period (最短期限) has run. Not a bypass of `complete`: a
    # separate action, for managers only, with a reason kept in the history and the audit entry.
    COMPLETE_EARLY = "complete_early"
    # 不适用: a conditional step (适用条件, e.g. 听证 when no majority objected) closed without being handled.
    SKIP = "skip"
    REOPEN = "reopen"


# Keyed by action, not only by target status: 开始办理 and 重新办理 both lead to 办理中, and a table keyed by the
# target alone let `reopen` move a never-started step (未开始 → 办理中) past the predecessor check that only
# `start` makes, leaving it in progress without an actual start. Each action is legal from exactly these states.
STEP_TRANSITIONS: dict[str, dict[str, str]] = {
    StepAction.START: {StepStatus.PENDING: StepStatus.IN_PROGRESS},
    StepAction.COMPLETE: {StepStatus.IN_PROGRESS: StepStatus.DONE},
    StepAction.COMPLETE_EARLY: {StepStatus.IN_PROGRESS: StepStatus.DONE},
    # Only before it starts: a step being handled has been found to apply.
    StepAction.SKIP: {StepStatus.PENDING: StepStatus.SKIPPED},
    # Reopening corrects a mistaken 办结 or 不适用, so only a closed step can be reopened; its history keeps both
    # changes. A step marked 不适用 goes back to waiting (it was never started).
    StepAction.REOPEN: {StepStatus.DONE: StepStatus.IN_PROGRESS, StepStatus.SKIPPED: StepStatus.PENDING},
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
