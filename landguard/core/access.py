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


def scoped(view: Callable | None = None, *, manage: bool = False) -> Callable:
    """Login required; passes the user's RegionScope as `scope`. manage=True also requires an admin role."""

    def decorate(func: Callable) -> Callable:
        @login_required
        @wraps(func)
        def wrapper(request, *args: Any, **kwargs: Any):
            if manage and not request.user.can_manage:
                raise PermissionDenied
            return func(request, *args, scope=scope_for(request.user), **kwargs)

        wrapper.landguard_access = SCOPED  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


def request_scope(request) -> RegionScope:
    return scope_for(request.user)
