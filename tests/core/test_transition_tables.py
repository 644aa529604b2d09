"""Every workflow transition table (`<app>/workflow.py`, `*_TRANSITIONS`) is a whole state machine: each status of
its choices appears in it, the terminal states have no exit, and the happy path walks from the first status to the
last through the table. A new table must be listed in TABLES, so it gets the same checks."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import pytest
from django.db.models import TextChoices

import landguard
from landguard.approvals import workflow as approvals_workflow
from landguard.approvals.models import DevelopmentPlan, Dossier
from landguard.citizens import workflow as citizens_workflow
from landguard.citizens.models import Matter
from landguard.projects import workflow as projects_workflow
from landguard.projects.models import Problem, ServiceRequest, Step
from landguard.supervision import workflow as supervision_workflow
from landguard.supervision.models import Case, Clue, Task
from landguard.supply import workflow as supply_workflow
from landguard.supply.models import SupplyRecord, TwoClearItem


@dataclass(frozen=True)
class Machine:
    table: dict
    status: type[TextChoices]
    terminal: frozenset[str]
    happy_path: tuple[str, ...]


def _edges(table: dict) -> dict[str, set[str]]:
    """The table as state → next states. The step table is keyed by action ({action: {from: to}}); the others by
    state ({from: {to, …}})."""
    edges: dict[str, set[str]] = {}
    for key, value in table.items():
        if isinstance(value, dict):  # keyed by action
            for source, target in value.items():
                edges.setdefault(source, set()).add(target)
                edges.setdefault(target, set())
        else:
            edges.setdefault(key, set()).update(value)
    return edges


TABLES: dict[str, Machine] = {
    "projects.STEP_TRANSITIONS": Machine(
        projects_workflow.STEP_TRANSITIONS, Step.Status,
        terminal=frozenset(),  # 已办结 can be reopened to correct a mistaken close
        happy_path=(Step.Status.PENDING, Step.Status.IN_PROGRESS, Step.Status.DONE),
    ),
    "projects.PROBLEM_TRANSITIONS": Machine(
        projects_workflow.PROBLEM_TRANSITIONS, Problem.Status,
        terminal=frozenset({Problem.Status.CLOSED}),
        happy_path=(Problem.Status.OPEN, Problem.Status.ESCALATED, Problem.Status.RESOLVED, Problem.Status.CLOSED),
    ),
    "projects.REQUEST_TRANSITIONS": Machine(
        projects_workflow.REQUEST_TRANSITIONS, ServiceRequest.Status,
        terminal=frozenset({ServiceRequest.Status.RESOLVED}),
        happy_path=(ServiceRequest.Status.OPEN, ServiceRequest.Status.RESOLVED),
    ),
    "supervision.CLUE_TRANSITIONS": Machine(
        supervision_workflow.CLUE_TRANSITIONS, Clue.Status,
        terminal=frozenset({Clue.Status.FALSE_ALARM, Clue.Status.CLOSED}),
        happy_path=(Clue.Status.NEW, Clue.Status.VALID, Clue.Status.CLOSED),
    ),
    "supervision.TASK_TRANSITIONS": Machine(
        supervision_workflow.TASK_TRANSITIONS, Task.Status,
        terminal=frozenset({Task.Status.CLOSED}),
        happy_path=(Task.Status.DISPATCHED, Task.Status.REPORTED, Task.Status.ON_SITE, Task.Status.VERIFIED,
                    Task.Status.RESTORED, Task.Status.CLOSED),
    ),
    "supervision.CASE_TRANSITIONS": Machine(
        supervision_workflow.CASE_TRANSITIONS, Case.Status,
        terminal=frozenset({Case.Status.CLOSED}),
        happy_path=(Case.Status.FILED, Case.Status.INVESTIGATING, Case.Status.REVIEW, Case.Status.NOTICE,
                    Case.Status.DECIDED, Case.Status.SERVED, Case.Status.EXECUTING, Case.Status.CLOSED),
    ),
    "approvals.DOSSIER_TRANSITIONS": Machine(
        approvals_workflow.DOSSIER_TRANSITIONS, Dossier.Status,
        terminal=frozenset({Dossier.Status.APPROVED, Dossier.Status.REFUSED, Dossier.Status.WITHDRAWN}),
        happy_path=(Dossier.Status.DRAFT, Dossier.Status.SUBMITTED, Dossier.Status.APPROVED),
    ),
    "approvals.PLAN_TRANSITIONS": Machine(
        approvals_workflow.PLAN_TRANSITIONS, DevelopmentPlan.Status,
        terminal=frozenset({DevelopmentPlan.Status.APPROVED, DevelopmentPlan.Status.REFUSED}),
        happy_path=(DevelopmentPlan.Status.DRAFT, DevelopmentPlan.Status.SUBMITTED, DevelopmentPlan.Status.APPROVED),
    ),
    "supply.SUPPLY_TRANSITIONS": Machine(
        supply_workflow.SUPPLY_TRANSITIONS, SupplyRecord.Status,
        terminal=frozenset({SupplyRecord.Status.COMPLETED, SupplyRecord.Status.RECOVERED}),
        happy_path=(SupplyRecord.Status.SUPPLIED, SupplyRecord.Status.DELIVERED, SupplyRecord.Status.STARTED,
                    SupplyRecord.Status.COMPLETED),
    ),
    "supply.ITEM_TRANSITIONS": Machine(
        supply_workflow.ITEM_TRANSITIONS, TwoClearItem.Status,
        terminal=frozenset({TwoClearItem.Status.CLOSED}),
        happy_path=(TwoClearItem.Status.OPEN, TwoClearItem.Status.NOTICED, TwoClearItem.Status.STATED,
                    TwoClearItem.Status.DETERMINED, TwoClearItem.Status.DECIDED, TwoClearItem.Status.CLOSED),
    ),
    "citizens.MATTER_TRANSITIONS": Machine(
        citizens_workflow.MATTER_TRANSITIONS, Matter.Status,
        terminal=frozenset({Matter.Status.DONE, Matter.Status.REFUSED, Matter.Status.WITHDRAWN,
                            Matter.Status.RETURNED}),
        happy_path=(Matter.Status.RECEIVED, Matter.Status.ACCEPTED, Matter.Status.DONE),
    ),
}


def _tables_in_code() -> set[str]:
    found = set()
    for app in pkgutil.iter_modules(landguard.__path__):
        try:
            module = importlib.import_module(f"landguard.{app.name}.workflow")
        except ModuleNotFoundError as error:
            if error.name != f"landguard.{app.name}.workflow":
                raise
            continue
        found |= {f"{app.name}.{name}" for name in vars(module) if name.endswith("_TRANSITIONS")}
    return found


def test_every_transition_table_in_the_code_is_checked_here():
    assert _tables_in_code() == set(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_status_of_the_choices_is_in_the_table(name):
    machine = TABLES[name]
    edges = _edges(machine.table)
    assert set(edges) == set(machine.status.values), f"{name}: states missing or unknown"
    for targets in edges.values():
        assert targets <= set(machine.status.values), f"{name}: a transition leads to an unknown state"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_terminal_states_have_no_exit_and_others_have_one(name):
    machine = TABLES[name]
    edges = _edges(machine.table)
    assert {state for state, targets in edges.items() if not targets} == set(machine.terminal)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_happy_path_walks_from_the_first_status_to_the_last(name):
    machine = TABLES[name]
    edges = _edges(machine.table)
    path = machine.happy_path
    # The first status is where a record starts (the choices list it first); the last one is where work ends.
    assert path[0] == machine.status.values[0]
    assert path[-1] == machine.status.values[-1]
    for current, new in zip(path, path[1:], strict=False):
        assert new in edges[current], f"{name}: {current} → {new} is not in the table"
