"""Access markers for views. The URLconf-walking test (tests/test_access_walk.py) requires every view to
carry one, so a view added without thinking about access fails the suite before it ships."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from landguard.core.scope import RegionScope, scope_for

PUBLIC = "public"  # no login, no data (login page, language switch, health check)
SCOPED = "scoped"  # login required; every query goes through a selector with the user's RegionScope


def public(view: Callable) -> Callable:
    view.landguard_access = PUBLIC  # type: ignore[attr-defined]
    return view


# Bureau pages a field chief (people Role.FIELD_CHIEF, named here by its value: core sits below people) does not use:
# they are not in the field chief's navigation (web/base.html) and answer 403 to them. A URL namespace refuses all
# its pages, "namespace:name" one page. Their own work — home, tasks, patrols, reporting a problem, the inbox, the
# map and their account — stays open.
FIELD_CHIEF_ROLE = "field_chief"
FIELD_CHIEF_REFUSED = frozenset({
    "layers", "analysis", "approvals", "quotas", "projects", "jobs", "web:dashboard",
    "people:orgunit-list", "people:orgunit-export", "people:user-list", "people:user-export",
    "supervision:overview", "supervision:overview-export", "supervision:settings", "supervision:source-new",
    "supervision:source-rotate", "supervision:source-device", "supervision:channel-new", "supervision:channel-edit",
    "supervision:channel-test", "supervision:policy-new", "supervision:policy-edit", "supervision:policy-delete",
    "supervision:camera-new", "supervision:camera-edit", "supervision:patch-import", "supervision:patch-judge",
    "supervision:ratio", "supervision:ratio-export", "supervision:ratio-official", "supervision:compliance",
    "supervision:compliance-export", "supervision:unit-compliance-export", "supervision:patrol-export",
    "supervision:delivery-list", "supervision:delivery-export", "supervision:case-list", "supervision:case-export",
    "supervision:case-stats", "supervision:case-detail", "supervision:case-step", "supervision:case-pause",
    "supervision:case-resume", "supervision:case-sketch",
})


def refused_for_role(request) -> bool:
    """True when the page is bureau work the user's role does not do (a field chief on a bureau page)."""
    user = request.user
    if user.is_superuser or getattr(user, "role", None) != FIELD_CHIEF_ROLE:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.namespace in FIELD_CHIEF_REFUSED or match.view_name in FIELD_CHIEF_REFUSED


def scoped(view: Callable | None = None, *, manage: bool = False) -> Callable:
    """Login required; passes the user's RegionScope as `scope`. manage=True also requires an admin role."""

    def decorate(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(request, *args: Any, **kwargs: Any):
            if (manage and not request.user.can_manage) or refused_for_role(request):
                raise PermissionDenied
            return func(request, *args, scope=scope_for(request.user), **kwargs)

        wrapper.landguard_access = SCOPED  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


def request_scope(request) -> RegionScope:
    return scope_for(request.user)
