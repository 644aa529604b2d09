"""A ledger's balance, computed from its entries and nothing else (so any balance can be recomputed and checked).

Pure: `compute(rows, on)` takes the entry rows of one account (models.QuotaEntry values, any order) and the day
the balance is wanted for. Services call it under the account's lock; selectors call it for pages and the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from landguard.quotas.models import Action, QuotaEntry, Source

ZERO = Decimal("0.0000")
ROW_FIELDS = ("id", "action", "source", "amount", "refers_to_id", "corrects_id", "effective_on", "expires_on")


@dataclass(frozen=True)
class Balance:
    issued: Decimal = ZERO  # 下达 + 奖励 + 结转 + 项目入库, corrections included
    reserved: Decimal = ZERO  # open reservations (预占中)
    used: Decimal = ZERO  # settled reservations (已核销)
    released: Decimal = ZERO  # released reservations (已退回), for the record: they no longer weigh
    transferred_in: Decimal = ZERO
    transferred_out: Decimal = ZERO
    available: Decimal = ZERO  # issued + in − out − reserved − used − lapsed
    lapsed: Decimal = ZERO  # carry-over (结转) past its expiry that nothing drew on: no longer usable

    @property
    def received(self) -> Decimal:
        return self.issued + self.transferred_in

    def as_dict(self) -> dict[str, Decimal]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Row:
    id: int
    action: str
    source: str
    amount: Decimal
    refers_to_id: int | None
    corrects_id: int | None
    effective_on: dt.date
    expires_on: dt.date | None


def rows_of(queryset: Any) -> list[Row]:
    return [Row(*values) for values in queryset.values_list(*ROW_FIELDS)]


def rows_by_account(account_ids: Iterable[int]) -> dict[int, list[Row]]:
    found: dict[int, list[Row]] = {pk: [] for pk in account_ids}
    for account_id, *values in QuotaEntry.objects.filter(account_id__in=list(found)).values_list(
            "account_id", *ROW_FIELDS):
        found[account_id].append(Row(*values))
    return found


def compute(rows: list[Row], on: dt.date) -> Balance:
    by_id = {row.id: row for row in rows}
    closing: dict[int | None, str] = {row.refers_to_id: row.action for row in rows
                                      if row.action in (Action.SETTLE, Action.RELEASE)}
    # A correction changes the quantity of the entry it corrects: its effect counts where that entry's counts.
    effective = {row.id: row.amount for row in rows}
    for row in rows:
        if row.action == Action.CORRECT and row.corrects_id in effective:
            effective[row.corrects_id] += row.amount
    totals = {key: ZERO for key in ("issued", "reserved", "used", "released", "transferred_in", "transferred_out")}
    for row in rows:
        amount = effective[row.id]
        if row.action == Action.ALLOCATE:
            totals["issued"] += amount
        elif row.action == Action.TRANSFER_IN:
            totals["transferred_in"] += amount
        elif row.action == Action.TRANSFER_OUT:
            totals["transferred_out"] -= amount
        elif row.action == Action.RESERVE:
            closed_by = closing.get(row.id)
            state = "used" if closed_by == Action.SETTLE else "released" if closed_by == Action.RELEASE else "reserved"
            totals[state] -= amount
    lapsed = _lapsed(rows, by_id, effective, on)
    available = sum((row.amount for row in rows), ZERO) - lapsed
    return Balance(**totals, available=available, lapsed=lapsed)


def _lapsed(rows: list[Row], by_id: dict[int, Row], effective: dict[int, Decimal], on: dt.date) -> Decimal:
    """Expired carry-over that nothing drew on. Draws (reservations net of releases, transfers out) are taken
    from the carry-over expiring first, as a bureau spends what expires first; a carry-over valid until day E is
    drawn on by what was drawn up to and including E, and its rest lapses on E + 1."""
    expired = sorted((row for row in rows if row.action == Action.ALLOCATE and row.source == Source.CARRY_OVER
                      and row.expires_on is not None and row.expires_on < on), key=lambda r: (r.expires_on, r.id))
    if not expired:
        return ZERO
    drawing = [row for row in rows if row.action in (Action.RESERVE, Action.RELEASE, Action.TRANSFER_OUT)
               or (row.action == Action.CORRECT and by_id.get(row.corrects_id or 0, row).action == Action.TRANSFER_OUT)]
    lapsed, absorbed = ZERO, ZERO
    for carry in expired:
        assert carry.expires_on is not None
        drawn = -sum((row.amount for row in drawing if row.effective_on <= carry.expires_on), ZERO)
        quantity = max(effective[carry.id], ZERO)
        used = min(quantity, max(drawn - absorbed, ZERO))
        absorbed += used
        lapsed += quantity - used
    return lapsed
