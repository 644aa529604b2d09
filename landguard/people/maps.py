"""Grid boundaries (网格) as light GeoJSON for the region map, drawn like the regions' own levels
(`regions.maps`): scoped by the selectors, simplified, areas from area_m2."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from landguard.core.scope import RegionScope
from landguard.people import selectors as people_selectors
from landguard.regions.maps import GRID, TOLERANCE, area_properties, shapes


def grid_features(scope: RegionScope, within: str | None) -> list[dict[str, Any]]:
    grids = people_selectors.grids(scope).filter(geom__isnull=False)
    if within:
        grids = grids.filter(village__code__startswith=within)
    rows = list(grids)
    geometries = shapes([g.geom for g in rows], TOLERANCE[GRID])
    return [{
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": g.code, "name": g.name, "level": gettext("网格"), "synthetic": g.is_synthetic,
                       "url": reverse("regions:detail", args=[g.village.code]), **area_properties(g.area_m2)},
    } for g, geometry in zip(rows, geometries, strict=True)]
