"""Search boxes in CGCS2000 degrees: the one way a bbox becomes a GEOS polygon for a spatial prefilter."""

from __future__ import annotations

import math

from django.contrib.gis.geos import Polygon

Bounds = tuple[float, float, float, float]  # west, south, east, north in degrees


def box(bounds: Bounds) -> Polygon:
    """A CGCS2000 (EPSG:4490) polygon of `bounds`; with its SRID set, so a lookup never has to guess it."""
    polygon = Polygon.from_bbox(bounds)
    polygon.srid = 4490
    return polygon


def grown(bounds: Bounds, metres: float) -> Bounds:
    """`bounds` grown so that it holds every point within `metres` of it: a prefilter before exact distances.
    1 % more than a degree's length on the ellipsoid (110,574 m of latitude; 111,320 m × cos φ of longitude at the
    box's edge farthest from the equator), never narrower than at 89.4° so a polar box stays finite."""
    west, south, east, north = bounds
    dlat = metres / 110_574.0 * 1.01
    edge = max(abs(south), abs(north))
    dlon = metres / (111_320.0 * max(math.cos(math.radians(edge)), 0.01)) * 1.01
    return west - dlon, south - dlat, east + dlon, north + dlat
