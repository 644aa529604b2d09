"""Reads of the supply ledger and the 两清 board, each through the viewer's RegionScope (applied here and nowhere
else), and the figures the pages, the API, the weekly report, the dashboard and the home show."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from landguard.core.scope import RegionScope, one_or_404
from landguard.supply.models import Instalment, ItemKind, Payment, SupplyRecord, TwoClearItem

OPEN_ITEMS = ~Q(status=TwoClearItem.Status.CLOSED)
IDLE_KINDS = (ItemKind.IDLE, ItemKind.RECOVER)


def supplies(scope: RegionScope) -> QuerySet[SupplyRecord]:
    return scope.filter(SupplyRecord.objects.select_related("region"), "region_code")


def get_supply(scope: RegionScope, pk: int) -> SupplyRecord:
    return one_or_404(supplies(scope).select_related("project", "service_request"), pk=pk)


def items(scope: RegionScope) -> QuerySet[TwoClearItem]:
    return scope.filter(TwoClearItem.objects.select_related("supply", "owner_region", "owner_user"), "region_code")


def get_item(scope: RegionScope, pk: int) -> TwoClearItem:
    return one_or_404(items(scope), pk=pk)


def pieces(record: SupplyRecord) -> QuerySet:
    return record.pieces.select_related("dossier").defer("dossier__boundary")


def instalments(record: SupplyRecord) -> QuerySet[Instalment]:
    return record.instalments.order_by("number")


def payments(record: SupplyRecord) -> QuerySet[Payment]:
    return record.payments.select_related("recorded_by").order_by("paid_on", "id")


def history(record: SupplyRecord) -> QuerySet:
    return record.history.select_related("actor").order_by("at", "id")


def item_history(item: TwoClearItem) -> QuerySet:
    return item.history.select_related("actor").order_by("at", "id")


def paid_total(record: SupplyRecord) -> Decimal:
    return record.payments.aggregate(s=Sum("amount_wan_yuan"))["s"] or Decimal(0)


def money(scope: RegionScope, today: dt.date) -> dict[str, Decimal]:
    """出让收入 (paid), 应缴 (fee due) and 欠缴 (instalments due by today not paid) of the live records."""
    live = supplies(scope).exclude(status=SupplyRecord.Status.RECOVERED)
    fee = live.aggregate(s=Sum("fee_due_wan_yuan"))["s"] or Decimal(0)
    paid = Payment.objects.filter(supply__in=live).aggregate(s=Sum("amount_wan_yuan"))["s"] or Decimal(0)
    due: dict[int, Decimal] = defaultdict(Decimal)
    for row in Instalment.objects.filter(supply__in=live, due_on__lt=today).values("supply_id").annotate(
            s=Sum("amount_wan_yuan")):
        due[row["supply_id"]] = row["s"]
    paid_by: dict[int, Decimal] = {r["supply_id"]: r["s"] for r in Payment.objects.filter(supply__in=live).values(
        "supply_id").annotate(s=Sum("amount_wan_yuan"))}
    arrears = sum((max(Decimal(0), d - paid_by.get(pk, Decimal(0))) for pk, d in due.items()), Decimal(0))
    return {"fee": fee, "paid": paid, "arrears": arrears}


def supplied_area(scope: RegionScope, year: int | None = None) -> tuple[int, float]:
    qs = supplies(scope).exclude(status=SupplyRecord.Status.RECOVERED)
    if year:
        qs = qs.filter(signed_on__year=year)
    row = qs.aggregate(n=Count("pk"), m2=Sum("area_m2"))
    return row["n"] or 0, float(row["m2"] or 0)


def idle_by_cause(scope: RegionScope) -> list[dict[str, Any]]:
    """Open idle items (满一年 / 满两年) by cause and sub-cause, for the board and the dashboard."""
    rows = (items(scope).filter(OPEN_ITEMS, kind__in=IDLE_KINDS).values("cause", "sub_cause")
            .annotate(n=Count("supply", distinct=True)).order_by("cause", "sub_cause"))
    return list(rows)


def items_due(scope: RegionScope, today: dt.date, days: int = 30) -> QuerySet[TwoClearItem]:
    """Open items whose stage deadline falls within `days` (or has passed), or that have no stage yet."""
    return items(scope).filter(OPEN_ITEMS).filter(Q(stage_due_on__isnull=True, status=TwoClearItem.Status.OPEN)
                                                  | Q(stage_due_on__lte=today + dt.timedelta(days=days))
                                                  ).order_by("stage_due_on", "raised_on", "pk")


def helped(scope: RegionScope, requests: QuerySet) -> QuerySet[SupplyRecord]:
    """The supplies a land service commissioner handled under `requests` (shell.service_links)."""
    return supplies(scope).filter(service_request__in=requests.values("pk"))


def helped_tally(scope: RegionScope, requests: QuerySet) -> tuple[int, float]:
    found = helped(scope, requests).aggregate(n=Count("id"), m2=Sum("area_m2"))
    return found["n"], found["m2"] or 0.0
