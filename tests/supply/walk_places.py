"""One supply record and one 两清 item per place for the access walk (tests/access_walk.py): the place's dossier
(approvals' walk sample) marked approved, a parcel cut from its middle named after the township, and its 交地 item
raised, so a page that leaked another township's parcel or item would show its name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import shapely

from landguard.approvals.models import Dossier
from landguard.core import clock
from landguard.regions.models import Region
from landguard.supply import services, sweep
from landguard.supply.models import ItemKind, SupplyRecord


def supply_objects(township: Region, dossier: Dossier) -> dict[str, Any]:
    Dossier.objects.filter(pk=dossier.pk).update(status=Dossier.Status.APPROVED, approved_on=dt.date(2024, 1, 10),
                                                 approval_no=f"{township.name}示例批复")
    land = shapely.from_wkb(bytes(dossier.boundary.wkb))
    x0, y0, x1, y1 = land.bounds
    dx, dy = (x1 - x0) / 4, (y1 - y0) / 4
    parcel = shapely.multipolygons([shapely.box(x0 + dx, y0 + dy, x1 - dx, y1 - dy)])
    record = services.create_supply(
        actor=None, kind=SupplyRecord.Kind.TRANSFER, method=SupplyRecord.Method.LISTING, use="industrial",
        term_years=50, parcel_no=f"{township.code}W", land_user=f"{township.name}示例用地单位", boundary=parcel,
        signed_on=dt.date(2024, 3, 1), contract_no=f"{township.name}出让合同", price_wan_yuan=Decimal(100),
        agreed_delivery_on=dt.date(2024, 4, 1))
    watch = record.watches.get(kind=ItemKind.DELIVERY_LATE)
    watch.claimed_at = clock.now()
    watch.save()
    item = sweep.raise_item(watch)
    return {"supply": record, "supply_item": item}
