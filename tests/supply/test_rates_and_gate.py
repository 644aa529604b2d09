"""批而未供 / 供地率: a region's rate equals an independent computation on the same geometries (shapely intersections
measured on the GRS80 ellipsoid by pyproj, which CGCS2000 matches to the millimetre at county scale); the formula
is printed with it; the window is configurable. The 成片开发 checklist reads the county's rate as a gate through
shell.supply_rate: the demo county passes at 65 %, a higher floor fails it, and with no provider the check is 未接入.
The demo ledger holds every item kind with both causes."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from django.test import override_settings
from pyproj import Geod

from landguard.approvals import plan_selectors
from landguard.approvals.models import DevelopmentPlan, Dossier
from landguard.core.scope import scope_for
from landguard.shell import supply_rate
from landguard.supply import rates
from landguard.supply.models import Cause, ItemKind, SupplyRecord, TwoClearItem
from landguard.supply.extensions import PROVIDER

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="GRS80")


def _geodesic_m2(geometry: shapely.Geometry) -> float:
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(geometry) if not p.is_empty)


def _independent_rate(region_prefix: str, first: int, last: int) -> tuple[float, float]:
    approved = supplied = 0.0
    parcels = [shapely.from_wkb(bytes(s.geometry.wkb)) for s in SupplyRecord.objects.exclude(
        status=SupplyRecord.Status.RECOVERED)]
    union = shapely.union_all(parcels) if parcels else shapely.Polygon()
    for d in Dossier.objects.filter(status=Dossier.Status.APPROVED, region_code__startswith=region_prefix,
                                    approved_on__year__gte=first, approved_on__year__lte=last):
        land = shapely.from_wkb(bytes(d.boundary.wkb))
        approved += _geodesic_m2(land)
        supplied += _geodesic_m2(shapely.intersection(land, union))
    return approved, supplied


def test_the_county_rate_equals_an_independent_shapely_pyproj_computation(county_admin):
    on = dt.date(2026, 12, 6)
    figure = rates.region_rate(scope_for(county_admin), on)
    assert figure.window == "2021–2025"
    approved, supplied = _independent_rate("371525", 2021, 2025)
    assert approved > 0 and supplied > 0
    assert figure.approved_m2 == pytest.approx(approved, rel=1e-6)
    assert figure.supplied_m2 == pytest.approx(supplied, rel=1e-6)
    assert float(figure.rate) == pytest.approx(supplied / approved * 100, abs=0.006)
    assert "供地率 = 已供面积 ÷ 批准面积 × 100%" in figure.formula and "2021–2025" in figure.formula


@override_settings(SUPPLY_RATE_WINDOW_YEARS=7, SUPPLY_RATE_INCLUDE_CURRENT_YEAR=True)
def test_the_window_is_configurable(county_admin):
    figure = rates.region_rate(scope_for(county_admin), dt.date(2026, 12, 6))
    assert figure.window == "2020–2026"
    approved, supplied = _independent_rate("371525", 2020, 2026)
    assert figure.approved_m2 == pytest.approx(approved, rel=1e-6)
    assert figure.supplied_m2 == pytest.approx(supplied, rel=1e-6)


def _gate(user) -> object:
    plan = DevelopmentPlan.objects.filter(region_code__startswith="371525").order_by("pk").first()
    (check,) = [c for c in plan_selectors.checklist(scope_for(user), plan).items if c.key == "supply_rate"]
    return check


def test_the_gate_in_the_development_plan_checklist(county_admin):
    check = _gate(county_admin)
    assert check.state == "ok" and check.to_confirm and "下限 65%" in check.detail
    assert "供地率 = 已供面积" in check.formula
    with override_settings(PLANS_SUPPLY_RATE_MIN_PERCENT=99):
        assert _gate(county_admin).state == "fail"
    with override_settings(PLANS_SUPPLY_RATE_MIN_PERCENT=99, PLANS_SUPPLY_RATE_HARD=False):
        assert _gate(county_admin).state == "warn"
    supply_rate.PROVIDERS.unregister(PROVIDER.key)
    try:
        check = _gate(county_admin)
        assert check.state == "na" and "未接入" in check.detail
    finally:
        supply_rate.register(PROVIDER)


def test_the_demo_ledger_has_every_item_kind_and_both_causes():
    kinds = set(TwoClearItem.objects.values_list("kind", flat=True))
    assert {ItemKind.DELIVERY_LATE, ItemKind.IDLE, ItemKind.RECOVER, ItemKind.COMPLETION_LATE,
            ItemKind.ARREARS} <= kinds
    assert set(TwoClearItem.objects.values_list("cause", flat=True)) == {Cause.ENTERPRISE, Cause.GOVERNMENT}
    idle = TwoClearItem.objects.filter(kind=ItemKind.IDLE, cause=Cause.ENTERPRISE).get()
    assert idle.proposed_fee_wan_yuan == (idle.supply.price_wan_yuan * 20 / 100).quantize(idle.proposed_fee_wan_yuan)
