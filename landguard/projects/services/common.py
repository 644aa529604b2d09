"""Who may write, and the helpers every projects service shares (business dates, state audit entries)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from landguard.audit.notes import Note
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import Role, User
from landguard.projects.models import (
    Project,
)



WRITER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})


# --- who may write --------------------------------------------------------------------------------------


def can_work(user: User | None) -> bool:
    """Admins, leaders and staff work on projects inside their scope; viewers and field chiefs only read."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))


def _require_writer(actor: User | None, region_code: str) -> None:
    if actor is None:  # the system: demo loader, imports run by a command
        return
    if not can_work(actor):
        raise PermissionDenied(_("您的角色不能办理项目事务。"))
    if not scope_for(actor).contains(region_code):
        raise PermissionDenied(_("该项目不在您的数据范围内。"))


def _require_project_writer(actor: User | None, project: Project) -> None:
    """A project is written by users whose scope holds the whole project (its region): a township officer
    works on the projects inside the township, the county on those that cross townships."""
    _require_writer(actor, project.region_code)


# The one business-date rule (landguard.core.clock), under the name the projects' services use.
_business_date = clock.business_date


def _state(actor: User | None, target: Any, region_code: str, field: str, before: str, after: str,
           note: str | Note = "") -> None:
    audit.record(actor=actor, action=AuditEntry.Action.STATE, target=target, region_code=region_code,
                 changes={field: [before, after]}, note=note)


def hectares_from_mu(mu: Decimal | None) -> Decimal | None:
    """亩 → 公顷 at the 4-decimal precision the model keeps (1 公顷 = 15 亩)."""
    return None if mu is None else (Decimal(mu) / Decimal(15)).quantize(Decimal("0.0001"))
