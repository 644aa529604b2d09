"""批而未供 and 供地率 (domain-land.md §B.3): for every approved dossier, the supplied area (the dossier's geometry ∩
the live supply parcels, stored per dossier piece as CGCS2000 ellipsoidal m² when the parcel was cut), the
remainder (批而未供) and its age; the rate per dossier, per approval year and per region over the assessment window
(default: approvals of years N−5 … N−1 assessed in year N; the window, the current year and a provincial exclusion
of recent approvals are tunables, flagged 待确认). The formula is returned with every figure so pages print it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from landguard.approvals.models import Dossier
from landguard.core.scope import RegionScope
from landguard.shell.supply_rate import SupplyRate
from landguard.supply import services, tunables
from landguard.supply.models import SupplyPiece, SupplyRecord

Q2 = Decimal("0.01")


@dataclass(frozen=True)
class DossierSupply:
    dossier: Dossier
    approved_m2: float
    supplied_m2: float

    @property
    def remainder_m2(self) -> float:
        return max(0.0, self.approved_m2 - self.supplied_m2)

    @property
    def rate(self) -> Decimal | None:
        return percent(self.supplied_m2, self.approved_m2)

    def age_days(self, today: dt.date) -> int | None:
        return (today - self.dossier.approved_on).days if self.dossier.approved_on else None


def percent(part: float, whole: float) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Q2, rounding=ROUND_HALF_UP)


def window(on: dt.date) -> tuple[int, int]:
    """The approval years counted in the assessment of year on.year."""
    years = int(tunables.get("SUPPLY_RATE_WINDOW_YEARS"))
    last = on.year if tunables.get("SUPPLY_RATE_INCLUDE_CURRENT_YEAR") else on.year - 1
    return last - years + 1, last


def formula(on: dt.date) -> str:
    first, last = window(on)
    text = _("供地率 = 已供面积 ÷ 批准面积 × 100%%（%(first)s–%(last)s 年批准的用地；已供面积为批准范围与供地宗地"
             "（不含已收回）相交的椭球面积）") % {"first": first, "last": last}
    months = int(tunables.get("SUPPLY_RATE_EXCLUDE_RECENT_MONTHS"))
    if months:
        text += _("；批准不足 %(n)s 个月的不计入") % {"n": months}
    return text + _("。口径待确认")


def approved_dossiers(scope: RegionScope) -> QuerySet[Dossier]:
    return scope.filter(Dossier.objects.filter(status=Dossier.Status.APPROVED, approved_on__isnull=False),
                        "region_code").select_related("region").defer("boundary", "region__geom")


def supplied_by_dossier(dossier_ids: list[int]) -> dict[int, float]:
    rows = (SupplyPiece.objects.filter(dossier_id__in=dossier_ids).exclude(supply__status=SupplyRecord.Status.RECOVERED)
            .values("dossier_id").annotate(m2=Sum("area_m2")))
    return {r["dossier_id"]: float(r["m2"] or 0) for r in rows}


def dossier_supply(queryset: QuerySet[Dossier]) -> list[DossierSupply]:
    dossiers = list(queryset)
    supplied = supplied_by_dossier([d.pk for d in dossiers])
    return [DossierSupply(d, d.total_m2, supplied.get(d.pk, 0.0)) for d in dossiers]


def in_window(queryset: QuerySet[Dossier], on: dt.date) -> QuerySet[Dossier]:
    first, last = window(on)
    queryset = queryset.filter(approved_on__year__gte=first, approved_on__year__lte=last)
    months = int(tunables.get("SUPPLY_RATE_EXCLUDE_RECENT_MONTHS"))
    if months:
        queryset = queryset.filter(approved_on__lte=services.add_months(on, -months))
    return queryset


def region_rate(scope: RegionScope, on: dt.date) -> SupplyRate:
    rows = dossier_supply(in_window(approved_dossiers(scope), on))
    approved = sum(r.approved_m2 for r in rows)
    supplied = sum(min(r.supplied_m2, r.approved_m2) for r in rows)
    first, last = window(on)
    return SupplyRate(approved, supplied, percent(supplied, approved), f"{first}–{last}", formula(on))


def rate_for_region_code(region_code: str, on: dt.date) -> SupplyRate:
    """The provider shell.supply_rate calls: a region (county) by code, any viewer (the gate is about the land)."""
    above = [region_code[:n] for n in (2, 4) if n < len(region_code)]
    queryset = Dossier.objects.filter(status=Dossier.Status.APPROVED, approved_on__isnull=False).filter(
        Q(region_code__startswith=region_code) | Q(region_code__in=above)).defer("boundary")
    rows = dossier_supply(in_window(queryset, on))
    approved = sum(r.approved_m2 for r in rows)
    supplied = sum(min(r.supplied_m2, r.approved_m2) for r in rows)
    first, last = window(on)
    return SupplyRate(approved, supplied, percent(supplied, approved), f"{first}–{last}", formula(on))


@dataclass(frozen=True)
class YearRow:
    year: int
    count: int
    approved_m2: float
    supplied_m2: float

    @property
    def remainder_m2(self) -> float:
        return max(0.0, self.approved_m2 - self.supplied_m2)

    @property
    def rate(self) -> Decimal | None:
        return percent(self.supplied_m2, self.approved_m2)


def by_year(scope: RegionScope) -> list[YearRow]:
    """Every approval year in the scope: approved, supplied, 批而未供 and the rate (the trend)."""
    totals: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for r in dossier_supply(approved_dossiers(scope)):
        if r.dossier.approved_on is None:  # approved_dossiers keeps dated ones only; the type does not know
            continue
        row = totals[r.dossier.approved_on.year]
        row[0] += 1
        row[1] += r.approved_m2
        row[2] += min(r.supplied_m2, r.approved_m2)
    return [YearRow(y, int(v[0]), v[1], v[2]) for y, v in sorted(totals.items())]


def disposal_tasks(scope: RegionScope, today: dt.date) -> list[DossierSupply]:
    """增存挂钩: the dossiers whose 批而未供 remainder is old enough to be this year's disposal task, oldest first."""
    age = int(tunables.get("SUPPLY_TASK_MIN_AGE_YEARS"))
    cutoff = services.add_years(today, -age)
    rows = dossier_supply(approved_dossiers(scope).filter(approved_on__lte=cutoff))
    return sorted((r for r in rows if r.remainder_m2 >= 1.0), key=lambda r: (r.dossier.approved_on, r.dossier.pk))
