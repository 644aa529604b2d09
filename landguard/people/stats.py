"""Figures of the organisation (townships, villages, grids, org units, users, field chiefs) for the home page and
the dashboard's people tile. Every number starts from a selector called with the user's scope; grouping happens
in the database (a county has ~3,000 users, so nothing is counted in Python)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from landguard.audit import selectors as audit_selectors
from landguard.core.scope import RegionScope
from landguard.people import selectors as people_selectors
from landguard.people.models import FieldChief, OrgUnit, Role
from landguard.regions import selectors as region_selectors
from landguard.regions.models import LEVEL_CODE_LENGTH, Level

TOWNSHIP_CODE_LENGTH = LEVEL_CODE_LENGTH[Level.TOWNSHIP]
AUDIT_DAYS = 30


@dataclass
class TownshipRow:
    code: str
    name: str
    area_m2: float | None
    is_synthetic: bool
    villages: int = 0
    covered_villages: int = 0
    grids: int = 0
    org_units: int = 0
    users: int = 0
    field_chiefs: int = 0

    @property
    def coverage(self) -> float | None:
        """Share of villages with a village-level field chief, in percent."""
        return round(100 * self.covered_villages / self.villages, 1) if self.villages else None


def _by_township(queryset: QuerySet, code_path: str, level_path: str) -> Counter:
    """Count rows per township code (the 9-digit prefix of their region code)."""
    rows = (queryset.order_by().filter(**{f"{level_path}__gte": Level.TOWNSHIP})
            .annotate(township=Substr(code_path, 1, TOWNSHIP_CODE_LENGTH)).values("township").annotate(
                n=Count("pk", distinct=True)))
    return Counter({row["township"]: row["n"] for row in rows})


def _retired_townships(scope: RegionScope) -> dict[str, str]:
    """Retired township code → today's code, so records filed under 万善乡 371525209 count for 万善镇 371525113."""
    retired = region_selectors.regions(scope, include_retired=True).filter(level=Level.TOWNSHIP,
        retired_in__isnull=False)
    return {r.code: r.current().code for r in retired}


def township_table(scope: RegionScope) -> list[TownshipRow]:
    townships = region_selectors.regions(scope).filter(level=Level.TOWNSHIP).select_related(None).only("code", "name",
        "area_m2", "is_synthetic")
    rows = {t.code: TownshipRow(t.code, t.name, t.area_m2, t.is_synthetic) for t in townships}
    retired = _retired_townships(scope)

    def add(counter: Counter, attribute: str) -> None:
        for code, n in counter.items():
            row = rows.get(retired.get(code, code))
            if row is not None:
                setattr(row, attribute, getattr(row, attribute) + n)

    villages = (region_selectors.regions(scope).filter(level=Level.VILLAGE).order_by()
                .annotate(township=Substr("code", 1, TOWNSHIP_CODE_LENGTH)).values("township")
                .annotate(total=Count("pk", distinct=True),
                          covered=Count("pk", distinct=True, filter=Q(field_chiefs__level=FieldChief.Level.VILLAGE))))
    add(Counter({v["township"]: v["total"] for v in villages}), "villages")
    add(Counter({v["township"]: v["covered"] for v in villages}), "covered_villages")
    add(_by_township(people_selectors.grids(scope), "village__code", "village__level"), "grids")
    add(_by_township(people_selectors.org_units(scope), "region__code", "region__level"), "org_units")
    add(_by_township(people_selectors.users(scope), "scope_region__code", "scope_region__level"), "users")
    add(_by_township(people_selectors.field_chiefs(scope).prefetch_related(None), "region__code", "region__level"),
        "field_chiefs")
    return list(rows.values())


def _grouped(queryset: QuerySet, field: str) -> dict:
    return {row[field]: row["n"] for row in queryset.order_by().values(field).annotate(n=Count("pk"))}


def summary(scope: RegionScope) -> dict[str, int]:
    regions = region_selectors.regions(scope)
    since = timezone.now() - dt.timedelta(days=AUDIT_DAYS)
    return {
        "townships": regions.filter(level=Level.TOWNSHIP).count(),
        "villages": regions.filter(level=Level.VILLAGE).count(),
        "grids": people_selectors.grids(scope).count(),
        "org_units": people_selectors.org_units(scope).count(),
        "users": people_selectors.users(scope).count(),
        "field_chiefs": people_selectors.field_chiefs(scope).prefetch_related(None).count(),
        "audit_recent": audit_selectors.entries(scope).filter(at__gte=since).count(),
    }


def dashboard(scope: RegionScope) -> dict:
    """The values of the dashboard's people tile: its cards, the township table and its charts' rows
    (labelled in the active language)."""
    kinds = _grouped(people_selectors.org_units(scope), "kind")
    roles = _grouped(people_selectors.users(scope), "role")
    levels = _grouped(people_selectors.field_chiefs(scope).prefetch_related(None), "level")
    table = township_table(scope)
    villages = sum(r.villages for r in table)
    covered = sum(r.covered_villages for r in table)
    return {
        "summary": summary(scope),
        "villages": villages,
        "covered_villages": covered,
        "coverage_total": round(100 * covered / villages, 1) if villages else None,
        "table": table,
        "charts": {
            "org_units_by_kind": [{"name": str(label), "value": kinds.get(value, 0)}
                                  for value, label in OrgUnit.Kind.choices],
            "users_by_role": [{"name": str(label), "value": roles[value]}
                              for value, label in Role.choices if roles.get(value)],
            "chiefs_by_level": [{"name": str(label), "value": levels.get(value, 0)}
                                for value, label in FieldChief.Level.choices],
            "coverage": [{"name": r.name, "value": r.coverage or 0, "covered": r.covered_villages, "total": r.villages}
                         for r in table],
            "audit_per_day": [{"day": day.isoformat(), "value": n}
                              for day, n in audit_selectors.entries_per_day(scope, AUDIT_DAYS)],
        },
    }
