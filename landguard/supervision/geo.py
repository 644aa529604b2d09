"""Small geodesic helpers on the CGCS2000 ellipsoid: a target from a camera's bearing and distance, a
camera's coverage disc, distances between clues, and which village and township a place lies in.

CGCS2000 and GRS80 share a and differ in 1/f by 1e-10; pyproj's GRS80 Geod is CGCS2000 to well under a mm.
Camera platforms report WGS84 (GPS) positions, which differ from CGCS2000 by centimetres (both are ITRF
realisations), so they are taken as CGCS2000; GCJ-02 positions (web maps) are converted by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from pyproj import Geod

from landguard.core.boxes import box, grown
from landguard.regions.locate import holding_regions
from landguard.regions.models import LEVEL_CODE_LENGTH, Level, Region

GEOD = Geod(ellps="GRS80")
CIRCLE_VERTICES = 72


def point(lon: float, lat: float) -> Point:
    return Point(float(lon), float(lat), srid=4490)


def destination(lon: float, lat: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """Where a camera looking along `bearing_deg` (clockwise from north) sees a target `distance_m` away."""
    lon2, lat2, _back = GEOD.fwd(lon, lat, bearing_deg, distance_m)
    return float(lon2), float(lat2)


def distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distances (vectorised over arrays)."""
    _f, _b, dist = GEOD.inv(np.broadcast_to(lon1, np.shape(lon2)), np.broadcast_to(lat1, np.shape(lat2)), lon2, lat2)
    return np.asarray(dist)


def circle(lon: float, lat: float, radius_m: float, vertices: int = CIRCLE_VERTICES) -> Polygon:
    """A geodesic disc (as a polygon of `vertices` points) of `radius_m` around a point."""
    azimuths = np.linspace(0.0, 360.0, vertices, endpoint=False)
    lons, lats, _back = GEOD.fwd(np.full(vertices, lon), np.full(vertices, lat), azimuths, np.full(vertices, radius_m))
    ring = list(zip(lons.tolist(), lats.tolist(), strict=True))
    ring.append(ring[0])
    return Polygon(ring, srid=4490)


def box_around(lon: float, lat: float, radius_m: float) -> Polygon:
    """A lon/lat box that contains every point within `radius_m` (a prefilter before exact distances)."""
    return box(grown((lon, lat, lon, lat), radius_m))


def shapely_of(geom: GEOSGeometry) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geom.wkb))


@dataclass(frozen=True)
class Located:
    region_code: str  # the village, else the township, else the county
    township_code: str
    place_name: str  # "清泉街道 某某村"


def locate(pt: Point, county: Region) -> Located | None:
    """The village and township of a point inside `county`; None when the point is outside the county."""
    return locate_many([shapely.Point(pt.x, pt.y)], county)[0]


def locate_many(geometries: Sequence[shapely.Geometry] | np.ndarray, county: Region) -> list[Located | None]:
    """The village and township of each geometry (by landguard.regions.locate's rule: the region covering its
    representative point), None for one whose representative point lies outside `county`.

    The township is the village's own (its code's first nine digits), else the township found; a geometry
    in no village or township of the county is placed at the county."""
    geoms = np.asarray(geometries, dtype=object)
    located: list[Located | None] = [None] * len(geoms)
    if county.geom is None or not len(geoms):
        return located
    inside = np.flatnonzero(_prepared(bytes(county.geom.wkb)).covers(shapely.point_on_surface(geoms)))
    codes = holding_regions(geoms[inside], under=county.code)
    township_of = {code: code[:LEVEL_CODE_LENGTH[Level.TOWNSHIP]] for code in set(codes.tolist()) if code}
    names = dict(Region.objects.filter(code__in={*township_of, *township_of.values()}, retired_in__isnull=True)
                 .values_list("code", "name"))
    for i, code in zip(inside.tolist(), codes.tolist(), strict=True):
        township = township_of[code] if code and township_of[code] in names else None
        village = code if code and code != township else None
        place = [names[c] for c in (township, village) if c is not None]
        located[i] = Located(region_code=code or county.code, township_code=township or county.code,
                             place_name=" ".join(place) or county.name)
    return located


@lru_cache(maxsize=16)
def _prepared(wkb: bytes) -> shapely.Geometry:
    geom = shapely.from_wkb(wkb)
    shapely.prepare(geom)
    return geom
