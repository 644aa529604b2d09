"""Region and grid boundaries as light GeoJSON for the map: scoped by the selectors, simplified per level
(a few metres on screen is plenty for an overview; official areas come from area_m2, never from these shapes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.db.models import Extent
from django.urls import reverse
from django.utils.translation import gettext
from shapely.geometry import mapping

from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.people import selectors as people_selectors
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level, Region

LEVEL_KEYS: dict[str, int] = {"province": Level.PROVINCE, "city": Level.CITY, "county": Level.COUNTY,
                              "township": Level.TOWNSHIP, "village": Level.VILLAGE}
GRID = "grid"
# Simplification tolerance in degrees (1e-4° ≈ 10 m at 36°N).
TOLERANCE: dict[str, float] = {"province": 2e-3, "city": 1e-3, "county": 3e-4, "township": 2e-4, "village": 5e-5, GRID: 2e-5}


def _shapes(geoms: Sequence[Any], tolerance: float) -> list[dict[str, Any]]:
    if not geoms:
        return []
    shapes = shapely.from_wkb([bytes(g.wkb) for g in geoms])
    shapes = shapely.simplify(shapes, tolerance, preserve_topology=True)
    # Six decimals (~0.1 m) keep the payload small without visible loss.
    shapes = shapely.transform(shapes, lambda c: np.round(c, 6))
    return [mapping(s) for s in shapes]


def _area(area: float | None) -> dict[str, Any]:
    if area is None:
        return {"ha": None, "mu": None}
    return {"ha": f"{hectares(area):,.4f}", "mu": f"{mu(area):,.2f}"}


def region_features(regions: Iterable[Region], tolerance: float) -> list[dict[str, Any]]:
    rows = [r for r in regions if r.geom is not None]
    geometries = _shapes([r.geom for r in rows], tolerance)
    return [{
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": r.code, "name": r.name, "level": r.get_level_display(), "synthetic": r.is_synthetic,
                       "url": reverse("regions:detail", args=[r.code]), **_area(r.area_m2)},
    } for r, geometry in zip(rows, geometries, strict=True)]


def grid_features(scope: RegionScope, within: str | None) -> list[dict[str, Any]]:
    grids = people_selectors.grids(scope).filter(geom__isnull=False)
    if within:
        grids = grids.filter(village__code__startswith=within)
    rows = list(grids)
    geometries = _shapes([g.geom for g in rows], TOLERANCE[GRID])
    return [{
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": g.code, "name": g.name, "level": gettext("网格"), "synthetic": g.is_synthetic,
                       "url": reverse("regions:detail", args=[g.village.code]), **_area(g.area_m2)},
    } for g, geometry in zip(rows, geometries, strict=True)]


def level_features(scope: RegionScope, level: str, within: str | None = None) -> list[dict[str, Any]]:
    if level == GRID:
        return grid_features(scope, within)
    regions = region_selectors.regions(scope).filter(level=LEVEL_KEYS[level], geom__isnull=False)
    if within:
        regions = regions.filter(code__startswith=within)
    return region_features(regions, TOLERANCE[level])


def scope_extent(scope: RegionScope) -> tuple[float, float, float, float] | None:
    root = region_selectors.scope_root(scope)
    if root is not None and root.geom is not None:
        return root.geom.extent
    return region_selectors.regions(scope).filter(geom__isnull=False).aggregate(extent=Extent("geom"))["extent"]


def map_levels(scope: RegionScope) -> list[str]:
    """The layer keys worth offering: from the scope's own level down to grids."""
    root = region_selectors.scope_root(scope)
    top = root.level if root is not None else Level.PROVINCE
    return [key for key, level in LEVEL_KEYS.items() if level >= top] + [GRID]
