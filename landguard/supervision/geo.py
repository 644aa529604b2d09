"""Small geodesic helpers on the CGCS2000 ellipsoid: a target from a camera's bearing and distance, a
camera's coverage disc, distances between clues, and which village and township a point lies in.

CGCS2000 and GRS80 share a and differ in 1/f by 1e-10; pyproj's GRS80 Geod is CGCS2000 to well under a mm.
Camera platforms report WGS84 (GPS) positions, which differ from CGCS2000 by centimetres (both are ITRF
realisations), so they are taken as CGCS2000; GCJ-02 positions (web maps) are converted by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from pyproj import Geod

from landguard.regions.models import Level, Region

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
    ring = list(zip(lons.tolist(), lats.tolist()))
    ring.append(ring[0])
    return Polygon(ring, srid=4490)


def box_around(lon: float, lat: float, radius_m: float) -> Polygon:
    """A lon/lat box that contains every point within `radius_m` (a prefilter before exact distances)."""
    dlat = radius_m / 110_574.0 * 1.01
    dlon = radius_m / (111_320.0 * max(np.cos(np.radians(lat)), 0.01)) * 1.01
    return Polygon.from_bbox((lon - dlon, lat - dlat, lon + dlon, lat + dlat))


def shapely_of(geom: GEOSGeometry) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geom.wkb))


@dataclass(frozen=True)
class Located:
    region_code: str  # the village, else the township, else the county
    township_code: str
    place_name: str  # "清泉街道 某某村"


def locate(pt: Point, county: Region) -> Located | None:
    """The village and township of a point inside `county`; None when the point is outside the county."""
    if county.geom is None or not _prepared(bytes(county.geom.wkb)).covers(shapely.Point(pt.x, pt.y)):
        return None
    below = Region.objects.filter(code__startswith=county.code, retired_in__isnull=True, geom__intersects=pt,
                                  level__in=(Level.TOWNSHIP, Level.VILLAGE)).only("code", "name", "level").order_by("-level")
    found = list(below)
    village = next((r for r in found if r.level == Level.VILLAGE), None)
    township = next((r for r in found if r.level == Level.TOWNSHIP), None)
    if township is None and village is not None:
        township = Region.objects.filter(code=village.code[:9], retired_in__isnull=True).only("code", "name").first()
    names = [r.name for r in (township, village) if r is not None]
    region = village or township or county
    return Located(region_code=region.code, township_code=township.code if township else county.code,
                   place_name=" ".join(names) or county.name)


@lru_cache(maxsize=16)
def _prepared(wkb: bytes) -> shapely.Geometry:
    geom = shapely.from_wkb(wkb)
    shapely.prepare(geom)
    return geom
