"""Which region holds a place: the one rule that gives a geometry its village (else township), the scope key
(`region_code`) of every layer feature, camera, clue and 卫片 patch.

The rule: a geometry belongs to the finest current region whose outline covers its representative point
(`shapely.point_on_surface`, a point always on the geometry; the centroid of an L-shaped parcel, a ring or a
multipolygon may lie outside it, even in another village): the village if one does, else the township.
A point exactly on the line between two villages goes to the lower code, so the answer never depends on the
order rows come back in. Callers decide what "none" means: the layer's own region for a feature, the county
for a camera or a clue.

Vectorised: per level, one read of the current outlines that meet the box of all the geometries, then one
STRtree query for all points, so a county's 10⁵ parcels cost about what one alarm does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from landguard.core.boxes import box
from landguard.regions.models import Level, Region

# The box of a single point is empty; outlines are read with the box grown by this much (~1 cm), which
# changes nothing else: the exact test is the STRtree's.
_BOX_MARGIN_DEGREES = 1e-7


def outlines(*, level: int, near: Any = None, under: str = "") -> tuple[list[Region], np.ndarray]:
    """The current regions of `level` with an outline (below the code `under` when given, meeting the box
    of the geometry or geometries `near` when given), ordered by code, and their outlines as shapely
    geometries (EPSG:4490)."""
    queryset = Region.objects.filter(level=level, retired_in__isnull=True, geom__isnull=False)
    if under:
        queryset = queryset.filter(code__startswith=under)
    if near is not None:
        minx, miny, maxx, maxy = shapely.total_bounds(near)
        queryset = queryset.filter(geom__intersects=box((minx - _BOX_MARGIN_DEGREES, miny - _BOX_MARGIN_DEGREES,
                                                                maxx + _BOX_MARGIN_DEGREES,
                                                                maxy + _BOX_MARGIN_DEGREES)))
    regions = list(queryset.order_by("code"))
    shapes = shapely.from_wkb([bytes(r.geom.wkb) for r in regions]) if regions else np.empty(0, dtype=object)
    return regions, shapes


def holding_regions(geometries: Sequence[shapely.Geometry] | np.ndarray, *, under: str,
                    levels: Sequence[int] = (Level.VILLAGE, Level.TOWNSHIP)) -> np.ndarray:
    """For each geometry, the code of the region below `under` that holds it (the rule above: the first of
    `levels` whose outline covers its representative point), or "" where none does."""
    geoms = np.asarray(geometries, dtype=object)
    codes = np.full(len(geoms), "", dtype=object)
    if not len(geoms):
        return codes
    points = shapely.point_on_surface(geoms)
    todo = np.arange(len(geoms))
    for level in levels:
        if not len(todo):
            break
        regions, shapes = outlines(level=level, near=points[todo], under=under)
        if not regions:
            continue
        point, region = shapely.STRtree(shapes).query(points[todo], predicate="intersects")
        found = np.full(len(todo), len(regions))
        np.minimum.at(found, point, region)  # on a shared line, the lower code (regions are ordered by code)
        hit = found < len(regions)
        codes[todo[hit]] = np.array([r.code for r in regions], dtype=object)[found[hit]]
        todo = todo[~hit]
    return codes
