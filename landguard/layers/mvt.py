"""Mapbox Vector Tile 2.1 on SpatiaLite: lon/lat features → tile units (shapely + numpy) → the maintained
`mapbox_vector_tile` encoder. PostGIS builds its tiles in SQL instead (ST_AsMVTGeom / ST_AsMVT, see
landguard/layers/tiles.py), so the bytes differ between the databases; what a tile holds does not.

Per tile: lon/lat → Web Mercator tile units (extent 4096, y down; EPSG:4490 lon/lat is treated as WGS84,
they differ by centimetres); each geometry is clipped to the tile plus a buffer and snapped to the integer
grid so that the result is valid and parts collapsing below one unit (slivers, sub-pixel parcels at low
zoom) disappear instead of becoming degenerate rings (see _clip_and_snap), then simplified by `tolerance`
tile units (tiles.py chooses it: one unit, invisible, or one screen pixel for a generalised tile).
Polygons are oriented as the spec requires (exterior ring clockwise on screen) before the encoder sees them.
GeometryCollections are not drawn (the layer importer never stores one).

Spec: https://github.com/mapbox/vector-tile-spec/tree/master/2.1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely

EXTENT = 4096
BUFFER = 64  # tile units kept around the tile, so outlines and strokes continue across tile seams
MAX_ZOOM = 22
SIMPLIFY_BELOW_ZOOM = 16  # at z16+ a parcel's every vertex is kept: people inspect boundaries there
PIXEL = EXTENT // 256  # tile units per screen pixel (a 256-pixel tile)
MAX_LATITUDE = 85.0511287798066  # Web Mercator's square world

_DRAWN = (0, 1, 2, 3, 4, 5, 6)  # shapely type ids of (multi)points, lines and polygons; 7 = GeometryCollection
_CLIP_BOX = shapely.box(-BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
shapely.prepare(_CLIP_BOX)


# --- tile grid ---------------------------------------------------------------------------------------------


def is_valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def tile_bounds(z: int, x: int, y: int, *, buffer: float = 0.0) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of tile z/x/y, widened by `buffer` tile units on every side."""
    n = 2**z
    pad = buffer / EXTENT

    def lon(tx: float) -> float:
        return min(max(tx / n * 360.0 - 180.0, -180.0), 180.0)

    def lat(ty: float) -> float:
        ty = min(max(ty, 0.0), float(n))
        return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * ty / n))))

    return lon(x - pad), lat(y + 1 + pad), lon(x + 1 + pad), lat(y - pad)


def tile_containing(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x, y of the zoom-z tile that holds the point."""
    gx, gy = _world_units(np.array([[lon, lat]]), z)[0] / EXTENT
    n = 2**z
    return min(int(gx), n - 1), min(int(gy), n - 1)


NEVER_BY_SIZE = 30  # min_zoom of a feature with no extent (a point): never kept for its size


def min_zooms(bounds: np.ndarray) -> np.ndarray:
    """For each lon/lat box (n × 4: minx, miny, maxx, maxy), the lowest zoom at which it is at least one screen
    pixel wide or high: a pixel spans P(z) = 360° / (256 · 2^z) of longitude, and P(z) · cos(latitude) of
    latitude (Web Mercator), so the box shows from z ≥ log2(360 / (256 · max(width, height / cos lat)))."""
    bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
    width, height = bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]
    lat = np.radians(np.clip((bounds[:, 1] + bounds[:, 3]) / 2, -MAX_LATITUDE, MAX_LATITUDE))
    size = np.nan_to_num(np.maximum(width, height / np.cos(lat)), nan=0.0)
    with np.errstate(divide="ignore"):
        zoom = np.ceil(np.log2(360.0 / (256.0 * size)) - 1e-9)
    return np.clip(np.nan_to_num(zoom, nan=NEVER_BY_SIZE, posinf=NEVER_BY_SIZE), 0, NEVER_BY_SIZE).astype(np.int64)


def pixel_degrees(z: int) -> float:
    """Degrees of longitude one screen pixel spans at zoom z (256-pixel tiles)."""
    return 360.0 / (256.0 * 2**z)


def _world_units(lonlat: np.ndarray, z: int) -> np.ndarray:
    """Lon/lat degrees → Web Mercator tile units of the whole zoom-z world (origin top left, y down)."""
    size = EXTENT * 2.0**z
    lat = np.radians(np.clip(lonlat[:, 1], -MAX_LATITUDE, MAX_LATITUDE))
    gx = (lonlat[:, 0] + 180.0) / 360.0 * size
    gy = (1.0 - np.arcsinh(np.tan(lat)) / math.pi) / 2.0 * size
    return np.column_stack([gx, gy])


# --- encoding ----------------------------------------------------------------------------------------------


def encode_tile(name: str, z: int, x: int, y: int, *, ids: Sequence[int], geoms: np.ndarray,
                attributes: Mapping[str, Sequence[Any]], tolerance: float | None = None) -> bytes:
    """A tile with one layer `name` holding the features (shapely geometries in lon/lat degrees) that show
    in tile z/x/y, each with its id and attributes (column name → one value per feature; None = absent).
    `tolerance`: simplification in tile units (default: one unit below SIMPLIFY_BELOW_ZOOM, else none).
    Returns b"" (a valid, empty tile) when nothing shows."""
    geoms = np.asarray(geoms, dtype=object)
    origin = np.array([x * EXTENT, y * EXTENT], dtype=float)
    local = shapely.transform(geoms, lambda coords: _world_units(coords, z) - origin)
    shown = _clip_and_snap(local)
    if tolerance is None:
        tolerance = 1.0 if z < SIMPLIFY_BELOW_ZOOM else 0.0
    if tolerance:
        shown = shapely.simplify(shown, tolerance, preserve_topology=True)
    shown = _drawable(shown, shapely.get_dimensions(local))
    keys = list(attributes)
    kept = np.flatnonzero(shown != None)  # noqa: E711 (element-wise)
    # Oriented here, all at once, as the spec wants them (exterior ring: positive area in tile units with y down,
    # i.e. clockwise on screen; holes the other way), so the encoder need not check each polygon itself: its
    # per-polygon check built shapely objects one by one and was half of a 4,000-feature tile's time.
    oriented = shapely.orient_polygons(shown[kept], exterior_cw=False)
    features = [{"id": int(ids[i]), "geometry": geometry,
                 "properties": {k: attributes[k][i] for k in keys if attributes[k][i] is not None}}
                for i, geometry in zip(kept.tolist(), oriented, strict=True)]
    if not features:
        return b""
    return mapbox_vector_tile.encode([{"name": name, "features": features}],
                                     default_options={"extents": EXTENT, "y_coord_down": True,
                                                      "check_winding_order": False})


def _drawable(shown: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """Each clipped geometry with only the parts of its own dimension (an overlay may add lower-dimension bits
    where a polygon touches the tile edge, and answers an empty polygon where the bounding boxes met but not
    the shapes); None where nothing of it is left."""
    out = shown.copy()
    types = shapely.get_type_id(shown)
    empty = shapely.is_empty(shown)
    out[empty | (types == 7) | (shapely.get_dimensions(shown) != dims)] = None
    for i in np.flatnonzero(~empty & (types == 7)).tolist():
        parts = shapely.get_parts(shown[i])
        parts = parts[(shapely.get_dimensions(parts) == dims[i]) & ~shapely.is_empty(parts)]
        if len(parts):
            out[i] = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    return out


def _clip_and_snap(local: np.ndarray) -> np.ndarray:
    """Each geometry clipped to the buffered tile and snapped to integer tile units, valid, collapsed parts
    gone (repeated points may remain; the encoder drops them). Most geometries of a tile lie wholly inside
    it and only need rounding, which leaves nearly all of them valid and is 20× cheaper than GEOS's
    snap-rounding overlay; the rest (crossing the tile edge, or broken by the rounding) take the overlay."""
    out = np.empty(len(local), dtype=object)
    inside = shapely.contains_properly(_CLIP_BOX, local)
    rounded = shapely.transform(local[inside], np.rint)
    broken = ~shapely.is_valid(rounded)
    rounded[broken] = shapely.set_precision(local[inside][broken], 1.0)
    out[inside] = rounded
    out[~inside] = shapely.intersection(local[~inside], _CLIP_BOX, grid_size=1.0)
    return out
