"""Reads of the planning app, each with the caller's RegionScope applied here.

A plan is filed under its county: a county user reads it, and a township officer reads it as a container
(`q_reaching`, as a county layer) whose township rows are then filtered to the scope. Status of a township's share:
待分解 (no value yet), 逾期未分解布局 (the deadline passed and the layout not reported), 待测算 (no current value), then
达标 / 未达标 by the indicator's direction (at least the target for 耕地, 永农, 红线; at most for the rest)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.geodesy import SQM_PER_MU, SQM_PER_WAN_MU
from landguard.core.scope import RegionScope, one_or_404
from landguard.planning.models import (Breakdown, BreakdownChange, CountyPlan, IdleParcel, Indicator, IndicatorKind,
                                       Measurement)
from landguard.regions.models import Level, Region


class Status:
    MET, NOT_MET, PENDING, OVERDUE, UNMEASURED = "met", "not_met", "pending", "overdue", "unmeasured"
    LABELS = {MET: _("达标"), NOT_MET: _("未达标"), PENDING: _("待分解"), OVERDUE: _("逾期未分解布局"),
              UNMEASURED: _("待测算")}
    TONES = {MET: "ok", NOT_MET: "bad", PENDING: "warn", OVERDUE: "bad", UNMEASURED: ""}


def plans(scope: RegionScope) -> QuerySet[CountyPlan]:
    return CountyPlan.objects.filter(scope.q_reaching("region_code")).select_related("region").defer("region__geom")


def get_plan(scope: RegionScope, pk: int) -> CountyPlan:
    return one_or_404(plans(scope), pk=pk)


def indicators(scope: RegionScope) -> QuerySet[Indicator]:
    return Indicator.objects.filter(scope.q_reaching("plan__region_code")).select_related("plan__region").defer(
        "plan__region__geom")


def get_indicator(scope: RegionScope, pk: int) -> Indicator:
    return one_or_404(indicators(scope), pk=pk)


def breakdowns(scope: RegionScope) -> QuerySet[Breakdown]:
    return scope.filter(Breakdown.objects.select_related("indicator__plan", "township"), "region_code").defer(
        "township__geom")


def get_breakdown(scope: RegionScope, pk: int) -> Breakdown:
    return one_or_404(breakdowns(scope), pk=pk)


def changes(scope: RegionScope) -> QuerySet[BreakdownChange]:
    return scope.filter(BreakdownChange.objects.select_related("indicator", "township", "changed_by"),
                        "region_code").defer("township__geom")


def measurements(scope: RegionScope, plan: CountyPlan) -> dict[tuple[str, str], Measurement]:
    """(township code, kind) → the stored current value, inside the scope."""
    return {(m.region_code, m.kind): m for m in scope.filter(Measurement.objects.filter(plan=plan), "region_code")}


def status_of(kind: str, target: Decimal | None, current_mu: float | None, deadline: dt.date | None,
              laid_out_on: dt.date | None, today: dt.date | None = None) -> str:
    if target is None:
        return Status.PENDING
    if laid_out_on is None and deadline is not None and deadline < (today or clock.today()):
        return Status.OVERDUE
    if current_mu is None:
        return Status.UNMEASURED
    met = current_mu >= float(target) if kind in (IndicatorKind.FARMLAND, IndicatorKind.BASIC_FARMLAND,
                                                  IndicatorKind.ECO_REDLINE) else current_mu <= float(target)
    return Status.MET if met else Status.NOT_MET


@dataclass
class Row:
    """One township's share of one indicator, with its current value and status."""

    township: Region
    indicator: Indicator
    breakdown: Breakdown | None
    current_mu: float | None
    status: str

    @property
    def kind_label(self) -> str:
        return str(self.indicator.get_kind_display())

    @property
    def target(self) -> float | None:
        return float(self.breakdown.target) if self.breakdown else None

    @property
    def gap(self) -> float | None:
        """current − target (亩): positive is above the target."""
        if self.target is None or self.current_mu is None:
            return None
        return round(self.current_mu - self.target, 4)

    @property
    def deadline(self) -> dt.date | None:
        return self.breakdown.deadline if self.breakdown else None

    @property
    def laid_out_on(self) -> dt.date | None:
        return self.breakdown.laid_out_on if self.breakdown else None

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def tone(self) -> str:
        return Status.TONES[self.status]


def township_rows(scope: RegionScope, plan: CountyPlan, *, township_code: str | None = None,
                  kind: str | None = None) -> list[Row]:
    """Every (township in scope, indicator) of the plan, township order then indicator order."""
    townships = list(scope.filter(Region.objects.filter(parent_id=plan.region_id, level=Level.TOWNSHIP,
                                                        retired_in__isnull=True), "code").defer("geom")
                     .order_by("code"))
    if township_code:
        townships = [t for t in townships if t.code == township_code]
    found = list(plan.indicators.all().order_by("id"))
    if kind:
        found = [i for i in found if i.kind == kind]
    shares = {(b.region_code, b.indicator_id): b for b in breakdowns(scope).filter(indicator__plan=plan)}
    values = measurements(scope, plan)
    rows = []
    for township in townships:
        for indicator in found:
            share = shares.get((township.code, indicator.pk))
            measured = values.get((township.code, indicator.kind))
            current = round(measured.area_m2 / SQM_PER_MU, 4) if measured else None
            rows.append(Row(township, indicator, share, current,
                            status_of(indicator.kind, share.target if share else None, current,
                                      share.deadline if share else None, share.laid_out_on if share else None)))
    return rows


@dataclass
class CountyRow:
    indicator: Indicator
    allocated: Decimal
    townships: int
    current_mu: float | None

    @property
    def unallocated(self) -> Decimal:
        return self.indicator.county_value - self.allocated

    @property
    def gap(self) -> float | None:
        return None if self.current_mu is None else round(self.current_mu - float(self.indicator.county_value), 4)


def county_rows(scope: RegionScope, plan: CountyPlan) -> list[CountyRow]:
    sums = {r["indicator_id"]: r for r in breakdowns(scope).filter(indicator__plan=plan).values("indicator_id")
            .annotate(total=Sum("target"), n=Count("id"))}
    current: dict[str, float] = defaultdict(float)
    measured: set[str] = set()
    for m in measurements(scope, plan).values():
        current[m.kind] += m.area_m2
        measured.add(m.kind)
    return [CountyRow(i, sums.get(i.pk, {}).get("total") or Decimal(0), sums.get(i.pk, {}).get("n", 0),
                      round(current[i.kind] / SQM_PER_MU, 4) if i.kind in measured else None)
            for i in plan.indicators.all().order_by("id")]


def measured_at(scope: RegionScope, plan: CountyPlan) -> tuple[dt.datetime | None, str]:
    m = scope.filter(Measurement.objects.filter(plan=plan), "region_code").order_by("-measured_at").first()
    return (m.measured_at, m.basis) if m else (None, "")


def plan_for_scope(scope: RegionScope) -> CountyPlan | None:
    """The one plan a page shows: the scope's county's (the first one for a wider scope)."""
    return plans(scope).order_by("region_code").first()


# --- rural idle land --------------------------------------------------------------------------------------


def idle_parcels(scope: RegionScope) -> QuerySet[IdleParcel]:
    return scope.filter(IdleParcel.objects.select_related("village__parent"), "region_code").defer(
        "village__geom", "village__parent__geom")


def get_idle_parcel(scope: RegionScope, pk: int) -> IdleParcel:
    return one_or_404(idle_parcels(scope), pk=pk)


@dataclass(frozen=True)
class IdleTotals:
    parcels: int
    area_m2: float
    villages: int
    townships: int

    @property
    def mu(self) -> float:
        return round(self.area_m2 / SQM_PER_MU, 2)

    @property
    def wan_mu(self) -> float:
        return round(self.area_m2 / SQM_PER_WAN_MU, 4)


def idle_totals(queryset: QuerySet[IdleParcel]) -> IdleTotals:
    """Totals of a filtered ledger: "8.8万亩 in 540 villages of 7 townships" is one of these."""
    codes = list(queryset.order_by().values_list("region_code", flat=True).distinct())
    figures = queryset.order_by().aggregate(n=Count("id"), area=Sum("area_m2"))
    return IdleTotals(figures["n"] or 0, float(figures["area"] or 0.0), len(codes), len({c[:9] for c in codes}))
