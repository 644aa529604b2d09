"""`make bench` compares LandGuard's speed with three baselines (bench/baselines.py); a ratio means something
only if they all answer the same question. On the demo county (synthetic, small): every baseline gives
LandGuard's figures — areas by DLBM gross and net of 田坎, the areas inside 永久基本农田 and 已批用地, the flags,
and the per-patch areas of the change-patch classification — within bench.baselines' stated tolerance
(ABS_TOL_M2 or REL_TOL of the boundary's own area, whichever is larger)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from django.db import connection

from bench.baselines import (ABS_TOL_M2, REL_TOL, REL_TOL_GEOGRAPHY, Data, GeopandasAnalyst, PostgisSql,
                             VectorisedShapely, compare_overlay, compare_patches, landguard_outcome, landguard_patches)
from bench.generate import _blob
from landguard.analysis import selectors, services
from landguard.core.scope import EVERYTHING
from landguard.layers.models import Feature, LayerKind
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
COUNTY = "371525"


def _versions():
    versions = {v.layer.kind: v for v in selectors.overlay_versions(EVERYTHING) if v.layer.region_code == COUNTY}
    return versions[LayerKind.DLTB], versions[LayerKind.BASIC_FARMLAND], versions[LayerKind.APPROVED]


def _geoms(version, *columns):
    rows = list(Feature.objects.filter(version=version).order_by("pk").values_list("geom", *columns))
    geoms = np.empty(len(rows), dtype=object)
    geoms[:] = [shapely.from_wkb(bytes(r[0].wkb)) for r in rows]
    return geoms, rows


def _data(dltb, basic, approved) -> Data:
    geoms, rows = _geoms(dltb, "code", "kcxs")
    return Data(geoms, np.array([r[1] for r in rows]), np.array([r[2] for r in rows], dtype=float),
                _geoms(basic)[0], _geoms(approved)[0])


def _inside_county(rng, n: int, area_m2: float, county) -> list[shapely.Geometry]:
    """n irregular boundaries of about area_m2 with ~20 m edges, each inside the county, like the bench's."""
    x0, y0, x1, y1 = county.bounds
    kx, ky = 111_320 * math.cos(math.radians((y0 + y1) / 2)), 110_574.0
    out = []
    while len(out) < n:
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        local = _blob(rng, np.zeros(2), area_m2, max(int(2 * math.pi * math.sqrt(area_m2 / math.pi) / 20), 12))
        g = shapely.transform(local, lambda xy, cx=cx, cy=cy: xy / np.array([kx, ky]) + np.array([cx, cy]))
        if county.covers(g):
            out.append(g)
    return out


@pytest.fixture(scope="module")
def setting(django_db_blocker):
    with django_db_blocker.unblock():
        dltb, basic, approved = _versions()
        county = shapely.from_wkb(bytes(Region.objects.get(code=COUNTY, retired_in__isnull=True).geom.wkb))
        rng = np.random.default_rng(16)
        boundaries = _inside_county(rng, 3, 3_000_000.0, county) + _inside_county(rng, 3, 200_000.0, county)
        patches = np.array(_inside_county(rng, 150, 4_000.0, county), dtype=object)
        return dltb, basic, approved, _data(dltb, basic, approved), boundaries, patches


def _landguard(setting):
    dltb, basic, approved, _data, boundaries, patches = setting
    results = services.overlay_boundaries(scope=EVERYTHING, boundaries=boundaries, dltb=dltb,
                                          controls=(basic, approved))
    classified = services.classify_patches(scope=EVERYTHING, patches=patches, dltb=dltb, basic_farmland=basic,
                                           approved=approved)
    return [landguard_outcome(r) for r in results], landguard_patches(classified)


def test_the_tolerance_is_tight_enough_to_mean_the_same_figures():
    assert ABS_TOL_M2 <= 1.0 and REL_TOL <= 1e-6  # 1 m², or 3 m² on a 300 ha boundary
    assert REL_TOL_GEOGRAPHY <= 1e-5  # PostGIS geography's geodesic edges: 30 m² on a 300 ha boundary


def test_the_demo_boundaries_meet_farmland_controls_and_approvals(setting):
    """The comparison below is worth something only if the boundaries touch every figure it compares."""
    outcomes, _patches = _landguard(setting)
    assert any(o["controls"]["basic_farmland"] > 0 for o in outcomes)
    assert any(o["controls"]["approved"] > 0 for o in outcomes)
    assert all(len(o["classes"]) >= 2 for o in outcomes)
    assert any("occupies_farmland" in o["flags"] for o in outcomes)


@pytest.mark.parametrize("kind", ["geopandas", "shapely"])
def test_an_in_memory_baseline_gives_landguards_figures(setting, kind):
    if kind == "geopandas":
        pytest.importorskip("geopandas", reason="bench/requirements.txt (installed by make bench) is not installed")
    baseline = (GeopandasAnalyst if kind == "geopandas" else VectorisedShapely)(setting[3])
    outcomes, patches = _landguard(setting)
    for i, g in enumerate(setting[4]):
        assert compare_overlay(outcomes[i], baseline.overlay(g)) == [], f"boundary {i}"
    assert compare_patches(patches, baseline.classify(setting[5])) == []


def test_plain_postgis_sql_gives_landguards_figures(setting):
    if connection.vendor != "postgresql":
        pytest.skip("the PostGIS SQL baseline needs PostGIS")
    dltb, basic, approved, _data, boundaries, _patches = setting
    outcomes, _ = _landguard(setting)
    with connection.cursor() as cursor:
        baseline = PostgisSql(cursor, dltb=dltb.pk, basic=basic.pk, approved=approved.pk)
        for i, g in enumerate(boundaries):
            assert compare_overlay(outcomes[i], baseline.overlay(g), rel_tol=REL_TOL_GEOGRAPHY) == [], f"boundary {i}"


def test_the_comparison_catches_a_baseline_that_is_off(setting):
    outcomes, patches = _landguard(setting)
    wrong = {**outcomes[0], "classes": {k: [g * (1 + 1e-4), n] for k, (g, n) in outcomes[0]["classes"].items()}}
    assert compare_overlay(outcomes[0], wrong)
    assert compare_overlay(outcomes[0], {**outcomes[0], "flags": []})
    assert compare_patches(patches, {**patches, "approved_m2": patches["approved_m2"] + 2 * ABS_TOL_M2})
