"""Writes for the battle map: projects and their steps, 容缺 items, problems, service requests, service groups
and the holiday calendar. One service per change, keyword-only; each runs in one transaction, locks the row
it changes (select_for_update), checks the actor may write inside the scope, consults the transition
table (workflow.py) for status changes, appends the history row and the audit entry, and commits all or
nothing. Dates of record ("completed on") default to the clock's today (landguard.core.clock).

One module per aggregate (common: who may write; projects; steps and 容缺 items; problems and service
requests; templates and the built-in 土地征收 chain; reference: service groups and the holiday
calendar). Callers use `services.<name>` from here.
"""

from landguard.projects.services.common import WRITER_ROLES, can_work, hectares_from_mu
from landguard.projects.services.projects import (
    PROJECT_FIELDS,
    create_project,
    default_template,
    schedule,
    set_boundary,
    update_project,
)
from landguard.projects.services.steps import (
    STEP_ACTION_LABELS,
    STEP_PLAN_FIELDS,
    add_deferred_item,
    clear_deferred_item,
    complete_step,
    complete_step_by_key,
    complete_step_early,
    deadline,
    earliest_finish,
    refresh_due_dates,
    reopen_step,
    set_step_dependencies,
    skip_step,
    start_step,
    update_step,
)
from landguard.projects.services.problems import (
    close_problem,
    create_service_request,
    escalate_problem,
    raise_problem,
    record_visit,
    reopen_problem,
    resolve_problem,
    resolve_service_request,
)
from landguard.projects.services.templates import (
    CHAIN_KEY,
    StepSpec,
    can_edit_template,
    check_chain,
    expropriation_specs,
    expropriation_template,
    install_expropriation_template,
    save_template,
    template_specs,
)
from landguard.projects.services.reference import (
    award_red_flag,
    can_award_red_flag,
    can_edit_calendar,
    create_service_group,
    delete_calendar_day,
    enter_year,
    save_calendar_day,
    verify_year,
)

__all__ = [
    "award_red_flag",
    "can_award_red_flag",
    "can_edit_calendar",
    "enter_year",
    "verify_year",
    "CHAIN_KEY",
    "PROJECT_FIELDS",
    "STEP_ACTION_LABELS",
    "STEP_PLAN_FIELDS",
    "StepSpec",
    "WRITER_ROLES",
    "add_deferred_item",
    "can_edit_template",
    "can_work",
    "check_chain",
    "clear_deferred_item",
    "close_problem",
    "complete_step",
    "complete_step_by_key",
    "complete_step_early",
    "create_project",
    "create_service_group",
    "create_service_request",
    "deadline",
    "default_template",
    "delete_calendar_day",
    "earliest_finish",
    "escalate_problem",
    "expropriation_specs",
    "expropriation_template",
    "hectares_from_mu",
    "install_expropriation_template",
    "raise_problem",
    "record_visit",
    "refresh_due_dates",
    "reopen_problem",
    "reopen_step",
    "resolve_problem",
    "resolve_service_request",
    "save_calendar_day",
    "save_template",
    "schedule",
    "set_boundary",
    "set_step_dependencies",
    "skip_step",
    "start_step",
    "template_specs",
    "update_project",
    "update_step",
]
