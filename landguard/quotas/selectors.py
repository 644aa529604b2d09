"""Reads of the quota ledgers, each with the caller's RegionScope applied here (an account belongs to its region:
county or above, so a township's officer sees no ledger).

Balances are computed from the entries (balances.compute); the yearly report adds 上报比例 and 批复比例 by the
configured formulas (tunables: no official definition exists, both are shown with their formula, 待确认).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core import clock
from landguard.core.scope import RegionScope, one_or_404
from landguard.core.text import join_list
from landguard.quotas import balances, tunables
from landguard.quotas.balances import ZERO, Balance
from landguard.quotas.models import Action, Kind, QuotaAccount, QuotaEntry, ReservationState, unit_of
from landguard.quotas.tunables import ApprovedBasis, OffsetPeriod, ReportedBasis, offset_kinds, offset_period
from landguard.regions.models import Level, Region

__all__ = ["Balance", "OffsetPeriod", "offset_kinds", "offset_period"]


def accounts(scope: RegionScope, *, year: int | None = None, kind: str | None = None,
             region_code: str | None = None) -> QuerySet[QuotaAccount]:
    queryset = scope.filter(QuotaAccount.objects.select_related("region"), "region__code").defer("region__geom")
    if year is not None:
        queryset = queryset.filter(year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    if region_code:
        queryset = queryset.filter(region__code__startswith=region_code)
    return queryset


def get_account(scope: RegionScope, pk: int) -> QuotaAccount:
    return one_or_404(accounts(scope), pk=pk)


def _running() -> Subquery:
    """The account's available balance after this row (expired carry-over aside): Σ amount up to and including it."""
    before = (QuotaEntry.objects.filter(account_id=OuterRef("account_id"), id__lte=OuterRef("id"))
              .order_by().values("account_id").annotate(total=Sum("amount")).values("total"))
    return Subquery(before)


def entries(scope: RegionScope, *, account: QuotaAccount | None = None, holder: str | None = None,
            year: int | None = None, kind: str | None = None, action: str | None = None) -> QuerySet[QuotaEntry]:
    """Ledger rows, each annotated with `state` (a reservation's 预占中/已核销/已退回, "" for other rows) and
    `running` (the account's balance after the row)."""
    queryset = scope.filter(QuotaEntry.objects.select_related("account__region", "refers_to", "corrects"),
                            "account__region__code").defer("account__region__geom")
    if account is not None:
        queryset = queryset.filter(account=account)
    if holder:
        queryset = queryset.filter(holder_key=holder)
    if year is not None:
        queryset = queryset.filter(account__year=year)
    if kind:
        queryset = queryset.filter(account__kind=kind)
    if action:
        queryset = queryset.filter(action=action)
    state = Case(When(action=Action.RESERVE, closed_by__action=Action.SETTLE, then=Value(ReservationState.SETTLED)),
                 When(action=Action.RESERVE, closed_by__action=Action.RELEASE, then=Value(ReservationState.RELEASED)),
                 When(action=Action.RESERVE, then=Value(ReservationState.OPEN)), default=Value(""),
                 output_field=CharField())
    return queryset.annotate(state=state, running=_running()).order_by("account__region__code", "-account__year",
                                                                        "account__kind", "id")


def get_entry(scope: RegionScope, pk: int) -> QuotaEntry:
    return one_or_404(entries(scope), pk=pk)


def open_reservations(scope: RegionScope, holder: str) -> QuerySet[QuotaEntry]:
    """The holder's reservations nothing has settled or released yet."""
    return entries(scope, holder=holder, action=Action.RESERVE).filter(closed_by__isnull=True)


def balances_of(scoped_accounts: Iterable[QuotaAccount], on: dt.date | None = None) -> dict[int, Balance]:
    """The balance of each account (already read through `accounts(scope)`), from its rows in one query."""
    day = on or clock.today()
    return {pk: balances.compute(rows, day)
            for pk, rows in balances.rows_by_account(a.pk for a in scoped_accounts).items()}


def balance(scope: RegionScope, region: Region, year: int, kind: str, on: dt.date | None = None) -> Balance:
    """The ledger of `region`, `year`, `kind` as of `on` (today); all zero when it has no entries or lies outside
    the scope."""
    account = accounts(scope, year=year, kind=kind).filter(region=region).first()
    if account is None:
        return Balance()
    return balances_of([account], on)[account.pk]


# --- the yearly report ------------------------------------------------------------------------------------


@dataclass
class Figures:
    issued: Decimal = ZERO
    reserved: Decimal = ZERO
    used: Decimal = ZERO
    released: Decimal = ZERO
    available: Decimal = ZERO

    def add(self, b: Balance) -> None:
        self.issued += b.issued
        self.reserved += b.reserved
        self.used += b.used
        self.released += b.released
        self.available += b.available

    @property
    def reported(self) -> Decimal:
        extra = self.released if tunables.get("QUOTAS_REPORTED_BASIS") == ReportedBasis.ALL_RESERVATIONS else ZERO
        return self.reserved + self.used + extra

    @property
    def reported_ratio(self) -> float | None:
        return _ratio(self.reported, self.issued)

    @property
    def approved_ratio(self) -> float | None:
        of_issued = tunables.get("QUOTAS_APPROVED_BASIS") == ApprovedBasis.OF_ISSUED
        return _ratio(self.used, self.issued if of_issued else self.reported)


def _ratio(part: Decimal, whole: Decimal) -> float | None:
    return None if whole <= 0 else round(float(part / whole * 100), 1)


@dataclass
class ReportRow:
    region: Region
    city: Region | None
    figures: Figures
    previous: Figures
    rank: int | None = None  # by 上报比例 among the counties of its city in the scope

    @property
    def reported_change(self) -> float | None:
        now, before = self.figures.reported_ratio, self.previous.reported_ratio
        return None if now is None or before is None else round(now - before, 1)


def formulas() -> dict[str, str]:
    """The formulas in force, in words, for the page and the export (no official definition exists)."""
    all_reservations = tunables.get("QUOTAS_REPORTED_BASIS") == ReportedBasis.ALL_RESERVATIONS
    reported = _("上报面积 = 预占中 + 已核销 + 已退回") if all_reservations else _("上报面积 = 预占中 + 已核销")
    of_issued = tunables.get("QUOTAS_APPROVED_BASIS") == ApprovedBasis.OF_ISSUED
    kinds = join_list(str(Kind(k).label) for k in tunables.get("QUOTAS_REPORT_KINDS"))
    return {"reported_area": str(reported), "kinds": kinds,
            "reported_ratio": _("上报比例 = 上报面积 ÷ 下达指标 × 100%"),
            "approved_ratio": _("批复比例 = 已核销 ÷ 下达指标 × 100%") if of_issued
            else _("批复比例 = 已核销 ÷ 上报面积 × 100%")}


def report(scope: RegionScope, year: int) -> list[ReportRow]:
    """Per county in the scope with a ledger of the report's kinds in `year` or the year before: issued, reserved,
    used, balance, 上报比例 and 批复比例, last year's figures and the rank within its city (by 上报比例)."""
    kinds = list(tunables.get("QUOTAS_REPORT_KINDS"))
    found = list(accounts(scope).filter(kind__in=kinds, year__in=[year, year - 1], region__level=Level.COUNTY))
    figures: dict[int, dict[int, Figures]] = defaultdict(lambda: {year: Figures(), year - 1: Figures()})
    regions: dict[int, Region] = {}
    for account in found:
        regions[account.region_id] = account.region
    found_balances = balances_of(found)
    for account in found:
        figures[account.region_id][account.year].add(found_balances[account.pk])
    cities = {r.code: r for r in Region.objects.filter(code__in={r.code[:4] for r in regions.values()},
                                                       retired_in__isnull=True).defer("geom")}
    rows = [ReportRow(region, cities.get(region.code[:4]), figures[pk][year], figures[pk][year - 1])
            for pk, region in sorted(regions.items(), key=lambda item: item[1].code)]
    by_city: dict[str, list[ReportRow]] = defaultdict(list)
    for row in rows:
        by_city[row.region.code[:4]].append(row)
    for siblings in by_city.values():
        ranked = sorted((r for r in siblings if r.figures.reported_ratio is not None),
                        key=lambda r: -(r.figures.reported_ratio or 0))
        for position, row in enumerate(ranked, start=1):
            row.rank = position
    return rows


# --- warnings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaWarning:
    kind: str  # "low" or "return"
    account: QuotaAccount
    text: str
    tone: str = "warn"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return reverse("quotas:account", args=[self.account.pk])


def warnings(scope: RegionScope, on: dt.date | None = None) -> list[QuotaWarning]:
    """What needs attention today, computed from the ledgers each time (a warning disappears once the ledger is
    topped up or the 周转 quota is returned): ledgers of this year or last running below QUOTAS_LOW_SHARE of what
    they received, and 增减挂钩 周转 allocations within QUOTAS_RETURN_WARNING_DAYS of their return deadline or
    past it by no more than as many days."""
    day = on or clock.today()
    found: list[QuotaWarning] = []
    recent = list(accounts(scope).filter(year__gte=day.year - 1))
    share = Decimal(str(tunables.get("QUOTAS_LOW_SHARE")))
    recent_balances = balances_of(recent, day)
    for account in recent:
        b = recent_balances[account.pk]
        if b.received > 0 and b.available < b.received * share:
            found.append(QuotaWarning("low", account, _(
                "%(account)s 可用余额 %(available)s %(unit)s，低于已下达 %(received)s %(unit)s 的 %(share)s%%") % {
                "account": account, "available": f"{b.available:,.4f}", "received": f"{b.received:,.4f}",
                "unit": unit_of(account.kind), "share": f"{share * 100:g}"},
                tone="bad" if b.available <= 0 else "warn"))
    days = int(tunables.get("QUOTAS_RETURN_WARNING_DAYS"))
    window = (day - dt.timedelta(days=days), day + dt.timedelta(days=days))
    turnover = (entries(scope, kind=Kind.LINK_TURNOVER, action=Action.ALLOCATE)
                .filter(expires_on__range=window).order_by("expires_on"))
    for entry in turnover:
        assert entry.expires_on is not None
        left = (entry.expires_on - day).days
        text = (_("%(account)s 周转指标（%(document)s）应于 %(deadline)s 前归还，还有 %(days)s 天") if left >= 0
                else _("%(account)s 周转指标（%(document)s）归还期限 %(deadline)s 已过 %(days)s 天"))
        found.append(QuotaWarning("return", entry.account, text % {
            "account": entry.account, "document": entry.document_no, "deadline": entry.expires_on.isoformat(),
            "days": abs(left)}, tone="bad" if left < 0 else "warn", extra={"entry": entry}))
    return found
