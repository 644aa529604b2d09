"""The contract-date sweep (the claim-once pattern of supervision.sweep): every watched date that has come (交地,
开工 + 1 and + 2 years, 竣工, each instalment's reminder and due date) is claimed with a conditional UPDATE as the
first statement of its own transaction — `UPDATE … SET claimed_at = now WHERE id = … AND claimed_at IS NULL` —, so
however many sweeps run on however many hosts, one wins each row and the others skip it. The winner then looks at
the record as it is now: a date met meanwhile (the land delivered, building started, the instalment paid) raises
nothing; otherwise it raises one item on the 两清 board (TwoClearItem, one-to-one with the watch: even a broken
claim could not raise twice), pushes it to the township's and the county's bureau users, and audits it — all in the
claim's transaction, so an error rolls the claim back and the next sweep tries again.

Run by `manage.py sweep_supply` (started by scripts/run.sh beside sweep_deadlines)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.geodesy import mu
from landguard.inbox import services as inbox
from landguard.people.models import Role, User
from landguard.supply import inbox_messages, tunables
from landguard.supply.models import (
    Cause,
    Disposal,
    ItemKind,
    SubCause,
    SupplyRecord,
    SupplyWatch,
    TwoClearItem,
    TwoClearItemChange,
)

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
BUREAU_ROLES = (Role.ADMIN, Role.LEADER, Role.STAFF)


def due_ids(limit: int = 500) -> list[int]:
    return list(SupplyWatch.objects.filter(claimed_at__isnull=True, due_on__lte=clock.today())
                .order_by("due_on", "id").values_list("pk", flat=True)[:limit])


def sweep(*, worker: str = "") -> int:
    """Claim every due watch; returns how many items this process raised."""
    raised = 0
    for pk in due_ids():
        raised += _claim(pk, worker=worker)
    return raised


def _claim(pk: int, *, worker: str) -> int:
    now = clock.now()
    with transaction.atomic():
        # The claim is the transaction's first statement (on SQLite it takes the write lock at once).
        if not SupplyWatch.objects.filter(pk=pk, claimed_at__isnull=True).update(claimed_at=now,
                                                                                claimed_by=worker[:80]):
            return 0
        watch = SupplyWatch.objects.select_related("supply__region", "instalment").get(pk=pk)
        item = raise_item(watch)
        return 1 if item is not None else 0


def paid(record: SupplyRecord) -> Decimal:
    return record.payments.aggregate(s=Sum("amount_wan_yuan"))["s"] or Decimal(0)


def owed_through(record: SupplyRecord, number: int) -> Decimal:
    """What is unpaid of the instalments up to and including `number` (payments count against the earliest)."""
    due = record.instalments.filter(number__lte=number).aggregate(s=Sum("amount_wan_yuan"))["s"] or Decimal(0)
    return max(Decimal(0), due - paid(record))


def _delivered_late(record: SupplyRecord) -> bool:
    if record.agreed_delivery_on is None:
        return False
    return record.delivered_on is None or record.delivered_on > record.agreed_delivery_on


def _what(watch: SupplyWatch) -> dict | None:
    """The item this watch raises now, or None when its date was met."""
    record, kind = watch.supply, watch.kind
    if record.status == SupplyRecord.Status.RECOVERED:
        return None
    if kind == ItemKind.DELIVERY_LATE:
        return None if record.delivered_on else {"cause": Cause.GOVERNMENT, "sub_cause": SubCause.GOV_DELIVERY}
    if kind in (ItemKind.IDLE, ItemKind.RECOVER):
        if record.started_on:
            return None
        government = _delivered_late(record)
        cause = {"cause": Cause.GOVERNMENT, "sub_cause": SubCause.GOV_DELIVERY} if government else {
            "cause": Cause.ENTERPRISE, "sub_cause": SubCause.ENT_UNSTARTED}
        if kind == ItemKind.IDLE:
            fee = (record.price_wan_yuan * tunables.percent("SUPPLY_IDLE_FEE_PERCENT") / 100).quantize(CENT)
            return {**cause, "disposal": Disposal.EXTEND if government else Disposal.IDLE_FEE,
                    "proposed_fee_wan_yuan": None if government else fee}
        return {**cause, "disposal": Disposal.PAID_RECOVERY if government else Disposal.FREE_RECOVERY}
    if kind == ItemKind.COMPLETION_LATE:
        return None if record.completed_on else {"cause": Cause.ENTERPRISE, "sub_cause": SubCause.ENT_SLOW}
    owed = owed_through(record, watch.instalment.number) if watch.instalment else Decimal(0)
    if owed <= 0:
        return None
    return {"cause": Cause.ENTERPRISE, "sub_cause": SubCause.ENT_ARREARS, "arrears_wan_yuan": owed,
            "disposal": Disposal.COLLECT}


def recipients(region_code: str) -> list[User]:
    """The bureau users (admin, leader, staff) of the township and of the county above it."""
    codes = {region_code[:n] for n in (6, 9, 12) if n <= len(region_code)}
    return list(User.objects.filter(is_active=True, role__in=BUREAU_ROLES, scope_region__code__in=codes)
                .order_by("pk"))


def raise_item(watch: SupplyWatch) -> TwoClearItem | None:
    values = _what(watch)
    if values is None:
        return None
    record = watch.supply
    today = clock.today()
    item = TwoClearItem.objects.create(supply=record, watch=watch, kind=watch.kind, region_code=record.region_code,
                                       raised_on=today, due_on=watch.due_on, owner_region=record.region, **values)
    TwoClearItemChange.objects.create(item=item, to_status=item.status, on=today,
                                      note=_("合同日期巡查自动列入"))
    params = {"parcel": record.parcel_no, "user": record.land_user, "kind": watch.kind,
              "due": watch.due_on.isoformat(), "mu": f"{mu(record.area_m2):,.2f}",
              "fee": f"{item.proposed_fee_wan_yuan:,.2f}" if item.proposed_fee_wan_yuan is not None else "",
              "owed": f"{item.arrears_wan_yuan:,.2f}" if item.arrears_wan_yuan is not None else ""}
    inbox.push(code=inbox_messages.ITEM_RAISED.code, recipients=recipients(record.region_code), params=params,
               subject=item, region_code=item.region_code)
    audit.record(actor=None, action=AuditEntry.Action.CREATE, target=item, region_code=item.region_code,
                 changes={"kind": [None, item.get_kind_display()], "cause": [None, item.get_cause_display()]},
                 note=_("合同日期巡查"))
    return item
