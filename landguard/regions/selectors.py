"""Reads of regions, always through the caller's RegionScope."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from landguard.core.scope import RegionScope
from landguard.regions.models import CodeChange, Region


def regions(scope: RegionScope, *, include_retired: bool = False) -> QuerySet[Region]:
    qs = scope.filter(Region.objects.select_related("parent"), "code")
    return qs if include_retired else qs.filter(retired_in__isnull=True)


def get_region(scope: RegionScope, code: str) -> Region:
    """The current region with this code, or — for a retired code — the retired row (its page shows the successor)."""
    qs = regions(scope, include_retired=True).filter(code=code).order_by("retired_in")
    found = qs.first()
    if found is None:
        raise Http404
    return found


def is_visible(scope: RegionScope, code: str | None) -> bool:
    """The region with this code lies inside the scope (its page opens): pages name regions above or beside the
    scope — an ancestor, a successor, the other side of a recoding — but link them only then."""
    return scope.contains(code)


def with_region_name(qs: QuerySet, field: str = "region_code") -> QuerySet:
    """Adds `region_name` to each row: the current name of the region whose code `field` holds, so that exports and
    lists show a name beside every code (one subquery, not a query per row)."""
    names = Region.objects.filter(code=OuterRef(field), retired_in__isnull=True).order_by().values("name")[:1]
    return qs.annotate(region_name=Subquery(names))


def scope_root(scope: RegionScope, *, outline: bool = False) -> Region | None:
    """The scope's own region, without its outline unless asked (pages need its name, level and area; a county's
    polygon is most of the row)."""
    if not scope.root_code:
        return None
    found = Region.objects.filter(code=scope.root_code, retired_in__isnull=True)
    return (found if outline else found.defer("geom")).first()


def code_changes(scope: RegionScope) -> QuerySet[CodeChange]:
    return scope.filter(CodeChange.objects.select_related("edition"), "region_code")
