"""A township's current values (现状值) are the engine's ellipsoidal areas of its parcels: computed here independently
with shapely and pyproj's Geod on the CGCS2000 ellipsoid from the same stored geometries — the DLTB parcels of class
01xx clipped to the township outline, net of 田坎 (KCXS); the union of the 永久基本农田 layer inside the outline — and
compared with what services.measure stores and the township page shows.

The engine's documented 面积平差 is applied to the independent sum as it is defined (engine/overlay.py): pieces are
clipped by the outline densified every DENSIFY_DEGREES and scaled by the outline's official area (the series on its
vertices as given, core.geodesy) over the densified outline's area — here that area is Geod's."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from landguard.core.geodesy import SQM_PER_MU, ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.engine.clipping import DENSIFY_DEGREES
from landguard.layers.models import Feature, Layer, LayerKind
from landguard.planning import selectors, services
from landguard.planning.models import CountyPlan, IndicatorKind, Measurement
from landguard.regions.models import Region

CGCS2000 = Geod(a=6378137.0, f=1 / 298.257222101)
TOWNSHIP = "371525001"  # 清泉街道
# Geod's areas (geodesic edges) and core.geodesy's (the official series) of one parcel agree to ~1e-7.
RELATIVE = 1e-6


def _area(geom) -> float:
    if geom is None or shapely.is_empty(geom):
        return 0.0
    total = 0.0
    for part in shapely.get_parts(geom):
        if shapely.get_type_id(part) == 3:
            total += abs(CGCS2000.geometry_area_perimeter(part)[0])
    return total


def _features(kind: str, outline):
    layer = Layer.objects.get(region_code="371525", kind=kind, is_official=True)
    rows = Feature.objects.filter(version__layer=layer, version__is_current=True).values_list("geom", "code", "kcxs")
    box = shapely.box(*outline.bounds)
    found = []
    for geom, code, kcxs in rows.iterator(chunk_size=5000):
        g = shapely.from_wkb(bytes(geom.wkb))
        if shapely.intersects(box, g):
            found.append((g, code, kcxs or 0.0))
    return found


def test_a_townships_current_farmland_and_basic_farmland_equal_independent_geod_areas(county_admin):
    plan = CountyPlan.objects.get(region__code="371525")
    township = Region.objects.get(code=TOWNSHIP, retired_in__isnull=True)
    outline = shapely.from_wkb(bytes(township.geom.wkb))
    dense = shapely.segmentize(outline, DENSIFY_DEGREES)
    adjustment = float(ellipsoidal_area_m2(np.array([outline], dtype=object))[0]) / _area(dense)
    farmland = adjustment * sum(_area(shapely.intersection(g, dense)) * (1 - kcxs)
                                for g, code, kcxs in _features(LayerKind.DLTB, outline) if code.startswith("01"))
    basic = adjustment * _area(shapely.intersection(
        shapely.union_all([g for g, _c, _k in _features(LayerKind.BASIC_FARMLAND, outline)]), dense))
    assert farmland > 0 and basic > 0

    services.measure(actor=county_admin, plan=plan)
    stored = {m.kind: m.area_m2 for m in Measurement.objects.filter(plan=plan, region_code=TOWNSHIP)}
    assert stored[IndicatorKind.FARMLAND] == pytest.approx(farmland, rel=RELATIVE)
    assert stored[IndicatorKind.BASIC_FARMLAND] == pytest.approx(basic, rel=RELATIVE)

    rows = {r.indicator.kind: r for r in selectors.township_rows(
        RegionScope(prefixes=(TOWNSHIP,), root_code=TOWNSHIP), plan)}
    assert rows[IndicatorKind.FARMLAND].current_mu == pytest.approx(farmland / SQM_PER_MU, rel=RELATIVE)
    target = float(rows[IndicatorKind.FARMLAND].breakdown.target)
    assert rows[IndicatorKind.FARMLAND].gap == pytest.approx(farmland / SQM_PER_MU - target, abs=0.01)


def test_new_construction_counts_the_approved_dossiers_since_the_base_year(county_admin):
    from landguard.shell import approved_land
    import datetime as dt
    from django.utils import timezone

    plan = CountyPlan.objects.get(region__code="371525")
    services.measure(actor=county_admin, plan=plan)
    pieces = approved_land.approved_pieces("371525", dt.date(plan.base_year + 1, 1, 1), timezone.localdate())
    stored = Measurement.objects.filter(plan=plan, kind=IndicatorKind.NEW_CONSTRUCTION)
    assert sum(m.area_m2 for m in stored) == pytest.approx(sum(p.area_m2 for p in pieces), abs=0.01)
    assert sum(p.area_m2 for p in pieces) > 0
    assert np.isfinite(sum(m.area_m2 for m in stored))
