"""Reads of org units, users, grids and field chiefs, always through the caller's RegionScope."""

from __future__ import annotations

from django.db.models import QuerySet

from landguard.core.scope import RegionScope, one_or_404
from landguard.people.models import FieldChief, Grid, OrgUnit, User


def org_units(scope: RegionScope) -> QuerySet[OrgUnit]:
    return scope.filter(OrgUnit.objects.select_related("region", "parent"), "region__code")


def get_org_unit(scope: RegionScope, pk: int) -> OrgUnit:
    return one_or_404(org_units(scope), pk=pk)


def is_visible(scope: RegionScope, of: OrgUnit | FieldChief | None) -> bool:
    """The org unit or field chief lies inside the scope (its page opens): pages name a parent unit or a superior
    chief above the scope but link it only then."""
    return of is not None and scope.contains(of.region.code)


def users(scope: RegionScope) -> QuerySet[User]:
    # Superusers have no scope region; they are never listed to scoped users.
    qs = User.objects.select_related("org_unit", "scope_region")
    return scope.filter(qs, "scope_region__code")


def get_user(scope: RegionScope, pk: int) -> User:
    return one_or_404(users(scope), pk=pk)


def grids(scope: RegionScope) -> QuerySet[Grid]:
    return scope.filter(Grid.objects.select_related("village"), "village__code")


def field_chiefs(scope: RegionScope) -> QuerySet[FieldChief]:
    qs = FieldChief.objects.select_related("user", "region", "superior__user").prefetch_related("grids")
    return scope.filter(qs, "region__code")


def get_field_chief(scope: RegionScope, pk: int) -> FieldChief:
    return one_or_404(field_chiefs(scope), pk=pk)


def api_token(scope: RegionScope, user: User):
    """The user's API token (DRF authtoken) when the user lies inside the scope, else None."""
    from rest_framework.authtoken.models import Token

    if not users(scope).filter(pk=user.pk).exists():
        return None
    return Token.objects.filter(user=user).first()
