"""Writes to the quota ledgers: one function per transaction, each in one `transaction.atomic()` that locks the
account(s) it writes (`select_for_update`: two reservations on one ledger serialise, the second sees the first's
row; on SQLite every transaction already begins IMMEDIATE, settings.py), checks the balance, appends entries and
the audit entry. Nothing here changes or deletes an entry (models.py).

Who may write: allocations, transfers and corrections are manager actions (User.can_manage) inside the actor's
scope; reservations, settlements and releases come from the approval of a dossier (admins, leaders and staff
inside their scope, or the system with actor=None); a reservation beyond the balance needs a manager and a
reason (`override_reason`), and is marked and audited as such.

The approvals app calls reserve / settle / release with the dossier's holder key ("approvals.dossier:12"), a
label and its URL; this app never imports approvals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import Role
from landguard.quotas import balances, tunables
from landguard.quotas.models import Action, Kind, QuotaAccount, QuotaEntry, Source
from landguard.regions.models import Level, Region

WRITER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})
QUANTUM = Decimal("0.0001")
MAX_AMOUNT = Decimal("9999999999.9999")  # Decimal(14, 4)
YEARS = range(2000, 2101)


class QuotaShortfall(ValidationError):
    """A reservation or transfer larger than the ledger's available balance."""

    def __init__(self, account: QuotaAccount, needed: Decimal, available: Decimal) -> None:
        unit = str(account.unit)
        super().__init__(
            _("%(region)s %(year)s 年度%(kind)s不足：需要 %(needed)s %(unit)s，可用 %(available)s %(unit)s。") % {
                "region": account.region.name, "year": account.year, "kind": account.get_kind_display(),
                "needed": f"{needed:,.4f}", "available": f"{available:,.4f}", "unit": unit},
            code="quota_shortfall")
        self.account, self.needed, self.available = account, needed, available


# --- who may write ----------------------------------------------------------------------------------------


def can_manage(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.can_manage)


def can_reserve(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))


def _require(actor: Any, regions: Iterable[Region], *, manager: bool) -> None:
    if actor is None:  # the system: the demo loader, a command
        return
    if not (can_manage(actor) if manager else can_reserve(actor)):
        raise PermissionDenied(_("只有管理员可以办理指标下达、调剂和更正。") if manager
                               else _("您的角色不能办理指标预占。"))
    scope = scope_for(actor)
    if not all(scope.contains(region.code) for region in regions):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))


# --- checks -----------------------------------------------------------------------------------------------


def _quantity(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(QUANTUM)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("数量须为数字。")}) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: _("数量须大于 0（最多 4 位小数）。")})
    return amount


def _ledger_region(region: Region) -> Region:
    if region.level > Level.COUNTY:
        raise ValidationError({"region": _("指标台账记在县级及以上行政区。")})
    if not region.is_current:
        raise ValidationError({"region": _("该行政区已停用，请记在承继区划上。")})
    return region


def _year(year: int) -> int:
    if year not in YEARS:
        raise ValidationError({"year": _("年度须在 2000—2100 之间。")})
    return year


def _date(day: dt.date | None, field: str) -> dt.date | None:
    if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise ValidationError({field: _("日期须在 2000—2100 年之间。")})
    return day


def _kind(kind: str) -> str:
    if kind not in Kind.values:
        raise ValidationError({"kind": _("未知的指标类型。")})
    return kind


def _locked_account(region: Region, year: int, kind: str) -> QuotaAccount:
    account, _created = QuotaAccount.objects.get_or_create(region=region, year=_year(year), kind=_kind(kind))
    return QuotaAccount.objects.select_for_update().select_related("region").get(pk=account.pk)


def _lock(account_ids: Iterable[int]) -> dict[int, QuotaAccount]:
    """Lock accounts in id order, so two transactions locking the same pair never deadlock."""
    return {a.pk: a for a in QuotaAccount.objects.select_for_update().select_related("region")
            .filter(pk__in=sorted(set(account_ids))).order_by("pk")}


def balance_now(account: QuotaAccount, on: dt.date | None = None) -> balances.Balance:
    """The balance of an account the caller has locked (or only reads): from its rows, as of `on` (today)."""
    return balances.compute(balances.rows_of(account.entries.all()), on or clock.today())


def _audit(actor: Any, entry: QuotaEntry, note: str = "") -> None:
    changes = {"action": [None, entry.get_action_display()], "amount": [None, str(entry.amount)]}
    if entry.holder_key:
        changes["holder"] = [None, entry.holder_label or entry.holder_key]
    if entry.document_no:
        changes["document_no"] = [None, entry.document_no]
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=entry, region_code=entry.account.region.code,
                 changes=changes, note=note or entry.note)


def _append(actor: Any, account: QuotaAccount, action: str, amount: Decimal, **values: Any) -> QuotaEntry:
    values.setdefault("effective_on", clock.today())
    entry = QuotaEntry.objects.create(account=account, action=action, amount=amount,
                                      created_by=actor if getattr(actor, "pk", None) else None, **values)
    _audit(actor, entry)
    return entry


# --- the transactions -------------------------------------------------------------------------------------


def allocate(*, actor: Any, region: Region, year: int, kind: str, amount: Any, source: str, document_no: str,
             effective_on: dt.date, expires_on: dt.date | None = None, note: str = "") -> QuotaEntry:
    """下达 / 奖励 / 结转 / 项目入库: quota received by the region's ledger of that year and kind. A carry-over (结转)
    needs its expiry; a 增减挂钩 周转 allocation gets its return deadline (default three years on)."""
    _require(actor, [region], manager=True)
    amount = _quantity(amount)
    if source not in Source.values:
        raise ValidationError({"source": _("未知的指标来源。")})
    if not document_no.strip():
        raise ValidationError({"document_no": _("请填写下达文号或项目编号。")})
    _date(effective_on, "effective_on")
    _date(expires_on, "expires_on")
    if source == Source.CARRY_OVER and expires_on is None:
        raise ValidationError({"expires_on": _("结转指标须填写有效期。")})
    if kind == Kind.LINK_TURNOVER and expires_on is None:
        expires_on = _years_after(effective_on, int(tunables.get("QUOTAS_TURNOVER_RETURN_YEARS")))
    if expires_on is not None and expires_on < effective_on:
        raise ValidationError({"expires_on": _("有效期不能早于下达日期。")})
    with transaction.atomic():
        account = _locked_account(_ledger_region(region), year, kind)
        return _append(actor, account, Action.ALLOCATE, amount, source=source, document_no=document_no.strip(),
                       effective_on=effective_on, expires_on=expires_on, note=note)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def reserve(*, actor: Any, region: Region, year: int, kind: str, amount: Any, holder: str, holder_label: str,
            holder_url: str = "", override_reason: str = "") -> QuotaEntry:
    """预占: a dossier (`holder`) takes `amount` out of the ledger's available balance when it is submitted.
    Refused with QuotaShortfall when the balance is short — unless `override_reason` is given by a manager, who
    may exceed it (the entry is marked 超额预占 and the reason audited)."""
    _require(actor, [region], manager=False)
    amount = _quantity(amount)
    if not holder.strip():
        raise ValidationError({"holder": _("请指明占用指标的业务。")})
    with transaction.atomic():
        account = _locked_account(_ledger_region(region), year, kind)
        available = balance_now(account).available
        override = False
        if amount > available:
            if not override_reason.strip():
                raise QuotaShortfall(account, amount, available)
            if actor is None or not can_manage(actor):
                raise PermissionDenied(_("只有管理员可以超额预占指标。"))
            override = True
        entry = QuotaEntry.objects.create(
            account=account, action=Action.RESERVE, amount=-amount, holder_key=holder.strip()[:80],
            holder_label=holder_label[:200], holder_url=holder_url[:300], effective_on=clock.today(),
            is_override=override, note=override_reason.strip()[:300] if override else "",
            created_by=actor if getattr(actor, "pk", None) else None)
        note = _("超额预占：可用 %(available)s，原因：%(reason)s") % {
            "available": f"{available:,.4f}", "reason": override_reason.strip()} if override else ""
        _audit(actor, entry, note=note)
        return entry


def _close(actor: Any, holder: str, action: str, note: str) -> list[QuotaEntry]:
    """Settle or release every open reservation of `holder`, each by a row referring to it."""
    holder = holder.strip()
    with transaction.atomic():
        reservations = QuotaEntry.objects.filter(holder_key=holder, action=Action.RESERVE)
        accounts = _lock(reservations.values_list("account_id", flat=True))
        _require(actor, [a.region for a in accounts.values()], manager=False)
        # Read again under the locks: a concurrent settle or release of the same holder has committed by now.
        open_ones = list(reservations.filter(closed_by__isnull=True).order_by("id"))
        if not open_ones:
            raise ValidationError(_("“%(holder)s”没有预占中的指标。") % {"holder": holder})
        closed = []
        for reservation in open_ones:
            amount = Decimal(0) if action == Action.SETTLE else -reservation.amount
            closed.append(_append(actor, accounts[reservation.account_id], action, amount, refers_to=reservation,
                                  holder_key=reservation.holder_key, holder_label=reservation.holder_label,
                                  holder_url=reservation.holder_url, note=note))
        return closed


def settle(*, actor: Any, holder: str) -> list[QuotaEntry]:
    """核销: the dossier was approved; every open reservation of `holder` becomes used quota."""
    return _close(actor, holder, Action.SETTLE, "")


def release(*, actor: Any, holder: str, reason: str) -> list[QuotaEntry]:
    """退回: the dossier was withdrawn or refused; every open reservation of `holder` returns to the balance."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写退回原因。")})
    return _close(actor, holder, Action.RELEASE, reason.strip()[:300])


def transfer(*, actor: Any, source_region: Region, target_region: Region, year: int, kind: str, amount: Any,
             price_wan_yuan_per_mu: Any = None, document_no: str, effective_on: dt.date) -> tuple[QuotaEntry,
                                                                                                    QuotaEntry]:
    """调剂: `amount` out of one region's ledger into another's (same year and kind), at an optional price; the
    incoming row refers to the outgoing one. The actor's scope must hold both regions (the city, usually)."""
    _require(actor, [source_region, target_region], manager=True)
    amount = _quantity(amount)
    _date(effective_on, "effective_on")
    if source_region.pk == target_region.pk:
        raise ValidationError({"target_region": _("调入与调出行政区不能相同。")})
    if not document_no.strip():
        raise ValidationError({"document_no": _("请填写调剂文号。")})
    price = None
    if price_wan_yuan_per_mu not in (None, ""):
        try:
            price = Decimal(str(price_wan_yuan_per_mu)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"price_wan_yuan_per_mu": _("价格须为数字。")}) from None
        if not price.is_finite() or price < 0 or price >= Decimal("100000000"):
            raise ValidationError({"price_wan_yuan_per_mu": _("价格须为 0 至 1 亿万元/亩之间的数字。")})
    with transaction.atomic():
        accounts = [QuotaAccount.objects.get_or_create(region=_ledger_region(r), year=_year(year), kind=_kind(kind))[0]
                    for r in (source_region, target_region)]
        locked = _lock(a.pk for a in accounts)
        source, target = locked[accounts[0].pk], locked[accounts[1].pk]
        available = balance_now(source).available
        if amount > available:
            raise QuotaShortfall(source, amount, available)
        values = {"document_no": document_no.strip(), "effective_on": effective_on, "price_wan_yuan_per_mu": price}
        out = _append(actor, source, Action.TRANSFER_OUT, -amount,
                      note=_("调入 %(region)s") % {"region": target.region.name}, **values)
        into = _append(actor, target, Action.TRANSFER_IN, amount, refers_to=out,
                       note=_("自 %(region)s 调入") % {"region": source.region.name}, **values)
        return out, into


CORRECTABLE = (Action.ALLOCATE, Action.TRANSFER_IN, Action.TRANSFER_OUT)


def correct(*, actor: Any, entry: QuotaEntry, amount: Any, reason: str) -> QuotaEntry:
    """更正: `amount` is the quantity the entry should have had (≥ 0, in the ledger's unit); a new row carries the
    difference and refers to the entry. Reservations are not corrected here: their dossier releases them and
    reserves again. A correction that would leave the balance negative is refused."""
    _require(actor, [entry.account.region], manager=True)
    if entry.action not in CORRECTABLE:
        raise ValidationError(_("只能更正下达和调剂分录；预占请退回后重新预占。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写更正原因。")})
    try:
        wanted = Decimal(str(amount)).quantize(QUANTUM)
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("数量须为数字。")}) from None
    if not wanted.is_finite() or wanted < 0 or wanted > MAX_AMOUNT:
        raise ValidationError({"amount": _("更正后的数量须不小于 0。")})
    with transaction.atomic():
        account = _lock([entry.account_id])[entry.account_id]
        current = entry.amount + sum((c.amount for c in QuotaEntry.objects.filter(corrects=entry)), Decimal(0))
        sign = -1 if entry.action == Action.TRANSFER_OUT else 1
        delta = sign * wanted - current
        if delta == 0:
            raise ValidationError({"amount": _("更正后的数量与现有数量相同。")})
        if delta < 0:
            available = balance_now(account).available
            if -delta > available:
                raise QuotaShortfall(account, -delta, available)
        return _append(actor, account, Action.CORRECT, delta, corrects=entry, document_no=entry.document_no,
                       note=reason.strip()[:300])
