"""Shared by the supply tests: an approved demo dossier and a square of its land not yet supplied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import shapely

from landguard.approvals.models import Dossier
from landguard.supply import services
from landguard.supply.models import SupplyRecord


def approved_dossier(index: int = 0) -> Dossier:
    return list(Dossier.objects.filter(status=Dossier.Status.APPROVED, region_code__startswith="371525")
                .order_by("approved_on", "pk"))[index]


def unsupplied_land(dossier: Dossier) -> shapely.Geometry:
    land = shapely.from_wkb(bytes(dossier.boundary.wkb))
    taken = [shapely.from_wkb(bytes(s.geometry.wkb)) for s in SupplyRecord.objects.exclude(
        status=SupplyRecord.Status.RECOVERED).filter(geometry__intersects=dossier.boundary)]
    return shapely.difference(land, shapely.union_all(taken)) if taken else land


def square_in(dossier: Dossier, half: float = 0.0004, shift: float = 0.0) -> shapely.Geometry:
    """A square of side 2·half degrees inside the dossier's unsupplied land (shrunk until it fits)."""
    land = unsupplied_land(dossier)
    while half > 1e-6:
        inner = shapely.buffer(land, -half * 1.5)
        if not shapely.is_empty(inner):
            x, y = shapely.get_coordinates(shapely.point_on_surface(inner))[0]
            square = shapely.box(x - half + shift, y - half, x + half + shift, y + half)
            if shapely.covers(land, square):
                return shapely.multipolygons([square])
        half /= 2
    raise AssertionError(f"no free land left in {dossier}")


def transfer(boundary: shapely.Geometry, parcel_no: str, *, actor: Any = None, **more: Any) -> SupplyRecord:
    values: dict[str, Any] = dict(
        kind=SupplyRecord.Kind.TRANSFER, method=SupplyRecord.Method.LISTING, use="industrial", term_years=50,
        parcel_no=parcel_no, land_user="测试实业有限公司", boundary=boundary, signed_on=dt.date(2024, 3, 1),
        contract_no=f"HT-{parcel_no}", price_wan_yuan=Decimal("1000.00"),
        agreed_delivery_on=dt.date(2024, 4, 1), agreed_start_on=dt.date(2024, 6, 1),
        agreed_completion_on=dt.date(2026, 6, 1))
    values.update(more)
    return services.create_supply(actor=actor, **values)
