"""Home sections (首页): what each app adds to the home page of the roles that need it.

The home is per role — a field chief lands on their tasks, a township officer on the township's queue and figures,
an enforcer on their cases, a leader on the county's figures — and every app contributes its own part of it, so a
new app (land supply, plan indicators, public services) adds its section here without touching `web`. An app
registers a section at start-up (`<app>/extensions.py`): the roles it is for, a template fragment of its own and a
function that computes the fragment's values for the viewer, from the app's selectors (so the region scope applies
as everywhere else). The function returns None when it has nothing to show this viewer (e.g. a township section for a
county user), and the section is left out.

A section's HTML is kept for a moment in the figures cache (core/figures_cache.py: until the next write, within the
minute): the county's queue and figures are the same for every officer of the county and cost most of a home's time.
Its key is the viewer's scope and role, and their user id when the section is `per_user` (it reads viewer.user_id:
"my tasks") — a fragment renders only its own values (no request, user or CSRF token), so a shared one holds
nothing of the viewer who computed it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from landguard.core import figures_cache
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
    per_user: bool = False  # `context` reads viewer.user_id: never shared between the scope's users


@dataclass(frozen=True)
class ShownSection:
    section: HomeSection
    html: SafeString  # the fragment rendered with its values


SECTIONS: Registry[HomeSection] = Registry("home section", key=lambda s: s.key, order=lambda s: s.order)
register = SECTIONS.register


def sections(viewer: Viewer) -> list[ShownSection]:
    """The sections of this viewer's home, in order, each rendered; those with nothing to show left out."""
    shown = []
    for section in SECTIONS.all():
        if viewer.role not in section.roles:
            continue
        user = viewer.user_id if section.per_user else None
        html = figures_cache.cached(f"home.{section.key}", viewer.scope, partial(_render, section, viewer),
                                    viewer.role, user)
        if html is not None:
            shown.append(ShownSection(section, mark_safe(html)))
    return shown


def _render(section: HomeSection, viewer: Viewer) -> str | None:
    context = section.context(viewer)
    return None if context is None else render_to_string(section.template, {"section": context})
