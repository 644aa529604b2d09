"""Writes to org units, users and field chiefs. Each runs in one transaction with its audit entry, and
refuses to place anything outside the acting user's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core.scope import scope_for
from landguard.people.models import FieldChief, OrgUnit, User
from landguard.regions.models import Region


def _require_in_scope(actor: User | None, region: Region | None) -> None:
    if actor is None:  # system (import, demo loader)
        return
    if region is None or not scope_for(actor).contains(region.code):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))


def _apply(obj: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(obj, key, value)
    obj.full_clean(exclude=["password"])


@transaction.atomic
def create_org_unit(*, actor: User | None, **values: Any) -> OrgUnit:
    unit = OrgUnit()
    _apply(unit, values)
    _require_in_scope(actor, unit.region)
    unit.save()
    audit.record_create(actor=actor, target=unit, region_code=unit.region.code)
    return unit


@transaction.atomic
def update_org_unit(*, actor: User | None, unit: OrgUnit, **values: Any) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _require_in_scope(actor, unit.region)
    before = audit.snapshot(unit)
    _apply(unit, values)
    _require_in_scope(actor, unit.region)
    unit.save()
    audit.record_update(actor=actor, target=unit, before=before, region_code=unit.region.code)
    return unit


@transaction.atomic
def create_user(*, actor: User | None, password: str | None = None, **values: Any) -> User:
    user = User()
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _apply(user, values)
    if user.scope_region is None:
        raise ValidationError({"scope_region": _("每个用户都必须有数据范围。")})
    _require_in_scope(actor, user.scope_region)
    user.save()
    audit.record_create(actor=actor, target=user, region_code=user.scope_region.code)
    return user


@transaction.atomic
def update_user(*, actor: User | None, user: User, **values: Any) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_in_scope(actor, user.scope_region)
    before = audit.snapshot(user)
    _apply(user, values)
    if user.scope_region is None:
        raise ValidationError({"scope_region": _("每个用户都必须有数据范围。")})
    _require_in_scope(actor, user.scope_region)
    user.save()
    audit.record_update(actor=actor, target=user, before=before, region_code=user.scope_region.code)
    return user


@transaction.atomic
def appoint_field_chief(*, actor: User | None, user: User, level: int, region: Region,
                        superior: FieldChief | None = None, title: str = "", grids=(),
                        is_synthetic: bool = False) -> FieldChief:
    _require_in_scope(actor, region)
    chief = FieldChief(user=user, level=level, region=region, superior=superior, title=title, is_synthetic=is_synthetic)
    chief.full_clean()
    chief.save()
    if grids:
        chief.grids.set(grids)
    audit.record_create(actor=actor, target=chief, region_code=region.code)
    return chief


@transaction.atomic
def update_field_chief(*, actor: User | None, chief: FieldChief, grids=None, **values: Any) -> FieldChief:
    chief = FieldChief.objects.select_for_update().get(pk=chief.pk)
    _require_in_scope(actor, chief.region)
    before = audit.snapshot(chief)
    before_grids = sorted(g.code for g in chief.grids.all())
    _apply(chief, values)
    _require_in_scope(actor, chief.region)
    chief.save()
    entry_changes = audit.diff(before, audit.snapshot(chief, list(before)))
    if grids is not None:
        chief.grids.set(grids)
        after_grids = sorted(g.code for g in chief.grids.all())
        if after_grids != before_grids:
            entry_changes["grids"] = [before_grids, after_grids]
    if entry_changes:
        audit.record(actor=actor, action="update", target=chief, region_code=chief.region.code, changes=entry_changes)
    return chief


# Audit notes are records, stored in one language whatever the actor's page language was.
TOKEN_ISSUED = "签发 API 令牌"
TOKEN_REVOKED = "吊销 API 令牌"


def _token_region_code(user: User) -> str:
    return user.scope_region.code if user.scope_region_id else ""


@transaction.atomic
def issue_token(*, user: User) -> Any:
    """The user's API token: the current one while it is valid, else a new one (audited)."""
    from rest_framework.authtoken.models import Token

    from landguard.shell.tokens import is_expired

    # Lock the user row: two parallel logins must not both create a token (one per user).
    User.objects.select_for_update().get(pk=user.pk)
    token = Token.objects.filter(user=user).first()
    if token is not None and not is_expired(token):
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    audit.record(actor=user, action=AuditEntry.Action.STATE, target=user, region_code=_token_region_code(user),
                 note=TOKEN_ISSUED)
    return token


@transaction.atomic
def revoke_token(*, actor: User, user: User) -> bool:
    """Revoke the user's API token. A user may revoke their own; an admin also anyone's inside their scope.
    Returns False when there was no token to revoke."""
    from rest_framework.authtoken.models import Token

    user = User.objects.select_for_update().get(pk=user.pk)
    if actor.pk != user.pk:
        if not actor.can_manage:
            raise PermissionDenied(_("只有管理员可以吊销他人的令牌。"))
        _require_in_scope(actor, user.scope_region)
    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=actor, action=AuditEntry.Action.STATE, target=user,
                     region_code=_token_region_code(user), note=TOKEN_REVOKED)
    return bool(deleted)
