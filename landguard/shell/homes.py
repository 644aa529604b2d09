"""Home sections (首页): what each app adds to the home page of the roles that need it.

The home is per role — a field chief lands on their tasks, a township officer on the township's queue and figures,
an enforcer on their cases, a leader on the county's figures — and every app contributes its own part of it, so a
new app (land supply, plan indicators, public services) adds its section here without touching `web`. An app
registers a section at start-up (`<app>/extensions.py`): the roles it is for, a template fragment of its own and a
function that computes the fragment's values for the viewer, from the app's selectors (so the region scope applies
as everywhere else). The function returns None when it has nothing to show this viewer (e.g. a township section for a
county user), and the section is left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from landguard.core.scope import RegionScope
from landguard.shell.registry import Registry

# The role values of `people.models.Role` (the shell does not import people): which homes a section joins.
ADMIN, LEADER, STAFF, ENFORCEMENT = "admin", "leader", "staff", "enforcement"
FIELD_CHIEF, VIEWER = "field_chief", "viewer"
BUREAU_ROLES = frozenset({ADMIN, LEADER, STAFF, ENFORCEMENT, VIEWER})


@dataclass(frozen=True)
class Viewer:
    """Who the home is for: their scope, role and user id (the user's own queue: tasks, cases assigned to them)."""

    scope: RegionScope
    role: str
    user_id: int | None


@dataclass(frozen=True)
class HomeSection:
    key: str  # "<app>.<what>", e.g. "planning.township_indicators"
    title: str | Promise
    template: str  # the app's fragment, rendered with `section` = the values of `context`
    context: Callable[[Viewer], dict[str, Any] | None]  # None: nothing for this viewer, the section is left out
    roles: frozenset[str] = BUREAU_ROLES
    order: int = 100


@dataclass(frozen=True)
class ShownSection:
    section: HomeSection
    context: dict[str, Any]


SECTIONS: Registry[HomeSection] = Registry("home section", key=lambda s: s.key, order=lambda s: s.order)
register = SECTIONS.register


def sections(viewer: Viewer) -> list[ShownSection]:
    """The sections of this viewer's home, in order, each with its values; those with nothing to show left out."""
    shown = []
    for section in SECTIONS.all():
        if viewer.role not in section.roles:
            continue
        context = section.context(viewer)
        if context is not None:
            shown.append(ShownSection(section, context))
    return shown
