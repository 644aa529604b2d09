"""Official areas: CGCS2000 ellipsoidal area (椭球面积) as the land-survey standard computes it.

Each polygon edge, with the reference meridian, bounds an ellipsoidal trapezoid whose area has a closed
series form in the first eccentricity (domain.md §2, the formula used by survey tools):

    S = 2 b² ΔL [A sin(ΔB/2) cos Bm − B sin(3ΔB/2) cos 3Bm + C sin(5ΔB/2) cos 5Bm
                 − D sin(7ΔB/2) cos 7Bm + E sin(9ΔB/2) cos 9Bm]

with ΔL the edge's mean longitude from the reference meridian, ΔB = B2 − B1 and Bm = (B1 + B2)/2.
Summing the signed trapezoids of a ring gives its area; holes are subtracted. Everything is numpy over
all vertices at once (pyproj's Geod loops per ring in Python, and SpatiaLite's ST_Area drifts by up to
~1 m² on parcels — both unacceptable for reported figures).

Planar areas (shapely .area on projected coordinates) and degree² are never reported as areas.
"""

from __future__ import annotations

import numpy as np
import shapely

# CGCS2000 ellipsoid (EPSG:4490 / GRS80-equivalent).
A_AXIS = 6378137.0
INV_F = 298.257222101
F = 1.0 / INV_F
B_AXIS = A_AXIS * (1.0 - F)
E2 = F * (2.0 - F)

_e2, _e4, _e6, _e8 = E2, E2**2, E2**3, E2**4
_A = 1 + 3 / 6 * _e2 + 30 / 80 * _e4 + 35 / 112 * _e6 + 630 / 2304 * _e8
_B = 1 / 6 * _e2 + 15 / 80 * _e4 + 21 / 112 * _e6 + 420 / 2304 * _e8
_C = 3 / 80 * _e4 + 7 / 112 * _e6 + 180 / 2304 * _e8
_D = 1 / 112 * _e6 + 45 / 2304 * _e8
_E = 5 / 2304 * _e8

SQM_PER_MU = 2000.0 / 3.0
SQM_PER_HECTARE = 10_000.0
SQM_PER_WAN_MU = SQM_PER_MU * 10_000.0


def _trapezoids(lon: np.ndarray, lat: np.ndarray, ref_lon: np.ndarray) -> np.ndarray:
    """Signed trapezoid areas for edges (lon[i], lat[i]) → (lon[i+1], lat[i+1]); arrays in radians."""
    b1, b2 = lat[:-1], lat[1:]
    dl = (lon[:-1] + lon[1:]) / 2.0 - ref_lon
    db = b2 - b1
    bm = (b1 + b2) / 2.0
    series = (
        _A * np.sin(db / 2) * np.cos(bm)
        - _B * np.sin(3 * db / 2) * np.cos(3 * bm)
        + _C * np.sin(5 * db / 2) * np.cos(5 * bm)
        - _D * np.sin(7 * db / 2) * np.cos(7 * bm)
        + _E * np.sin(9 * db / 2) * np.cos(9 * bm)
    )
    return 2.0 * B_AXIS**2 * dl * series


def ellipsoidal_area_m2(geoms) -> np.ndarray:
    """Ellipsoidal areas in m² of (Multi)Polygons given in CGCS2000 longitude/latitude degrees.

    Accepts one shapely geometry or an array of them; returns a float array (0 for empty/non-areal).
    """
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    result = np.zeros(len(arr), dtype=float)
    polys, poly_owner = shapely.get_parts(arr, return_index=True)
    if len(polys) == 0:
        return result
    kinds = shapely.get_type_id(polys)
    areal = (kinds == shapely.GeometryType.POLYGON) & ~shapely.is_empty(polys)  # an empty part has no ring to sum
    polys, poly_owner = polys[areal], poly_owner[areal]
    if len(polys) == 0:
        return result
    exteriors = shapely.get_exterior_ring(polys)
    n_holes = shapely.get_num_interior_rings(polys)
    hole_list = [shapely.get_interior_ring(p, i) for p, n in zip(polys, n_holes, strict=True) for i in range(n)]
    hole_owner = np.repeat(np.arange(len(polys)), n_holes)
    rings = np.concatenate([exteriors, np.array(hole_list, dtype=object)]) if hole_list else exteriors
    ring_poly = np.concatenate([np.arange(len(polys)), hole_owner]) if hole_list else np.arange(len(polys))
    ring_sign = np.concatenate([np.ones(len(polys)), -np.ones(len(hole_list))]) if hole_list else np.ones(len(polys))

    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    lon = np.radians(coords[:, 0])
    lat = np.radians(coords[:, 1])
    # Reference meridian per ring: its first vertex keeps ΔL small, which keeps the series well conditioned.
    first = np.r_[0, np.flatnonzero(np.diff(ring_index)) + 1]
    ref = np.repeat(lon[first], np.diff(np.r_[first, len(lon)]))
    edge = _trapezoids(lon, lat, ref[:-1])
    same_ring = ring_index[:-1] == ring_index[1:]  # drop the "edges" that jump between rings
    ring_area = np.abs(np.bincount(ring_index[:-1][same_ring], weights=edge[same_ring], minlength=len(rings)))
    poly_area = np.bincount(ring_poly, weights=ring_area * ring_sign, minlength=len(polys))
    np.add.at(result, poly_owner, poly_area)
    return result


def hectares(m2: float) -> float:
    return round(m2 / SQM_PER_HECTARE, 4)


def mu(m2: float) -> float:
    return round(m2 / SQM_PER_MU, 2)


def wan_mu(m2: float) -> float:
    return round(m2 / SQM_PER_WAN_MU, 4)
