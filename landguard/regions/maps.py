"""Region boundaries as light GeoJSON for the map: scoped by the selectors, simplified per level (a few metres
on screen is plenty for an overview; official areas come from area_m2, never from these shapes); the extent of a
scope and the levels worth offering it. Grids are drawn the same way by `people.maps`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.db.models import Extent
from django.urls import reverse
from shapely.geometry import mapping

from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level, Region

LEVEL_KEYS: dict[str, int] = {"province": Level.PROVINCE, "city": Level.CITY, "county": Level.COUNTY,
                              "township": Level.TOWNSHIP, "village": Level.VILLAGE}
GRID = "grid"
# Simplification tolerance in degrees (1e-4° ≈ 10 m at 36°N).
TOLERANCE: dict[str, float] = {"province": 2e-3, "city": 1e-3, "county": 3e-4, "township": 2e-4, "village": 5e-5,
                               GRID: 2e-5}


def shapes(geoms: Sequence[Any], tolerance: float) -> list[dict[str, Any]]:
    if not geoms:
        return []
    """GeoJSON geometries of `geoms`, simplified by `tolerance` degrees."""
    simplified = shapely.simplify(shapely.from_wkb([bytes(g.wkb) for g in geoms]), tolerance, preserve_topology=True)
    # Six decimals (~0.1 m) keep the payload small without visible loss.
    return [mapping(s) for s in shapely.transform(simplified, lambda c: np.round(c, 6))]


def area_properties(area: float | None) -> dict[str, Any]:
    if area is None:
        return {"ha": None, "mu": None}
    return {"ha": f"{hectares(area):,.4f}", "mu": f"{mu(area):,.2f}"}


def region_features(regions: Iterable[Region], tolerance: float) -> list[dict[str, Any]]:
    rows = [r for r in regions if r.geom is not None]
    geometries = shapes([r.geom for r in rows], tolerance)
    return [{
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": r.code, "name": r.name, "level": r.get_level_display(), "synthetic": r.is_synthetic,
                       "url": reverse("regions:detail", args=[r.code]), **area_properties(r.area_m2)},
    } for r, geometry in zip(rows, geometries, strict=True)]


def level_features(scope: RegionScope, level: str, within: str | None = None) -> list[dict[str, Any]]:
    """The current regions of one level (a LEVEL_KEYS key) inside the scope, optionally under a code prefix."""
    regions = region_selectors.regions(scope).filter(level=LEVEL_KEYS[level], geom__isnull=False)
    if within:
        regions = regions.filter(code__startswith=within)
    return region_features(regions, TOLERANCE[level])


def scope_extent(scope: RegionScope) -> tuple[float, float, float, float] | None:
    if scope.root_code:
        extent = region_selectors.regions(scope).filter(code=scope.root_code).aggregate(extent=Extent("geom"))["extent"]
        if extent is not None:
            return extent
    return region_selectors.regions(scope).filter(geom__isnull=False).aggregate(extent=Extent("geom"))["extent"]


def map_levels(scope: RegionScope) -> list[str]:
    """The layer keys worth offering: from the scope's own level down to grids."""
    root = region_selectors.scope_root(scope)
    top = root.level if root is not None else Level.PROVINCE
    return [key for key, level in LEVEL_KEYS.items() if level >= top] + [GRID]
