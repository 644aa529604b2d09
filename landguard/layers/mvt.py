"""Mapbox Vector Tile 2.1 encoding of lon/lat features, in Python (shapely + numpy), with a small protobuf writer.

One code path for SpatiaLite and PostGIS: the database only selects the features whose bounding box meets
the (buffered) tile and hands over WKB; everything else happens here, so both backends give the same bytes.

Per tile: lon/lat → Web Mercator tile units (extent 4096, y down; EPSG:4490 lon/lat is treated as WGS84,
they differ by centimetres); each geometry is clipped to the tile plus a buffer and snapped to the integer
grid so that the result is valid and parts collapsing below one unit (slivers, sub-pixel parcels at low
zoom) disappear instead of becoming degenerate rings (see _clip_and_snap). Below SIMPLIFY_BELOW_ZOOM the
result is also simplified by one tile unit (1/16 of a screen pixel, so invisible) to keep county-wide
tiles small. Polygons are oriented as the spec requires (exterior ring with positive area in tile
coordinates, i.e. clockwise on screen), and the command streams of all features are built and
varint-encoded with numpy at once; only the per-feature message framing is a Python loop.
GeometryCollections are not drawn (the layer importer never stores one).

Spec: https://github.com/mapbox/vector-tile-spec/tree/master/2.1
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely

EXTENT = 4096
BUFFER = 64  # tile units kept around the tile, so outlines and strokes continue across tile seams
MAX_ZOOM = 22
SIMPLIFY_BELOW_ZOOM = 16  # at z16+ a parcel's every vertex is kept: people inspect boundaries there
MAX_LATITUDE = 85.0511287798066  # Web Mercator's square world

POINT, LINESTRING, POLYGON = 1, 2, 3  # Tile.GeomType
_MOVE_TO, _LINE_TO, _CLOSE_PATH = 1, 2, 7
_FAMILY = {0: POINT, 4: POINT, 1: LINESTRING, 2: LINESTRING, 5: LINESTRING, 3: POLYGON, 6: POLYGON}
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


def _world_units(lonlat: np.ndarray, z: int) -> np.ndarray:
    """Lon/lat degrees → Web Mercator tile units of the whole zoom-z world (origin top left, y down)."""
    size = EXTENT * 2.0**z
    lat = np.radians(np.clip(lonlat[:, 1], -MAX_LATITUDE, MAX_LATITUDE))
    gx = (lonlat[:, 0] + 180.0) / 360.0 * size
    gy = (1.0 - np.arcsinh(np.tan(lat)) / math.pi) / 2.0 * size
    return np.column_stack([gx, gy])


# --- encoding ----------------------------------------------------------------------------------------------


def encode_tile(name: str, z: int, x: int, y: int, *, ids: Sequence[int], geoms: np.ndarray,
                attributes: Mapping[str, Sequence[Any]]) -> bytes:
    """A tile with one layer `name` holding the features (shapely geometries in lon/lat degrees) that show
    in tile z/x/y, each with its id and attributes (column name → one value per feature; None = absent).
    Returns b"" (a valid, empty tile) when nothing shows."""
    geoms = np.asarray(geoms, dtype=object)
    origin = np.array([x * EXTENT, y * EXTENT], dtype=float)
    local = shapely.transform(geoms, lambda coords: _world_units(coords, z) - origin)
    families = np.array([_FAMILY.get(t, 0) for t in shapely.get_type_id(local).tolist()], dtype=np.int8)
    streams: list[bytes | None] = [None] * len(geoms)
    for family in (POINT, LINESTRING, POLYGON):
        members = np.flatnonzero(families == family)
        if len(members):
            for i, stream in zip(members.tolist(), _geometry_streams(local[members], family, z), strict=True):
                streams[i] = stream
    keys = list(attributes)
    columns = [attributes[k] for k in keys]
    values: dict[tuple[type, Any], int] = {}
    features = []
    for i, stream in enumerate(streams):
        if stream is None:
            continue
        tags = []
        for k, column in enumerate(columns):
            value = column[i]
            if value is not None:
                tags += (k, values.setdefault((type(value), value), len(values)))
        features.append(_field_varint(1, int(ids[i])) + _field_packed(2, tags) + _field_varint(3, int(families[i]))
                         + _field_bytes(4, stream))
    if not features:
        return b""
    layer = [_field_varint(15, 2), _field_bytes(1, name.encode())]
    layer += [_field_bytes(2, f) for f in features]
    layer += [_field_bytes(3, k.encode()) for k in keys]
    layer += [_field_bytes(4, _value(v)) for _type, v in values]
    layer.append(_field_varint(5, EXTENT))
    return _field_bytes(3, b"".join(layer))


def _geometry_streams(local: np.ndarray, family: int, z: int) -> list[bytes | None]:
    """The encoded geometry command stream of each geometry (tile units), None where nothing is left."""
    clipped = _clip_and_snap(local)
    if family != POINT and z < SIMPLIFY_BELOW_ZOOM:
        clipped = shapely.simplify(clipped, 1.0, preserve_topology=True)
    parts, owner = shapely.get_parts(clipped, return_index=True)
    # Keep the parts of the layer's kind that are left: an overlay may add lower-dimension bits where a
    # polygon touches the tile edge, and answers an empty polygon where the bounding boxes met but not the shapes.
    same = np.array([_FAMILY.get(t) == family for t in shapely.get_type_id(parts).tolist()], dtype=bool)
    same &= ~shapely.is_empty(parts)
    parts, owner = parts[same], owner[same]
    result: list[bytes | None] = [None] * len(local)
    if not len(parts):
        return result
    if family == POLYGON:
        parts = shapely.orient_polygons(parts, exterior_cw=False)  # positive area in y-down tile units
        coords, (ring_offsets, part_offsets) = shapely.to_ragged_array(parts)[1:]
        path_owner = np.repeat(owner, np.diff(part_offsets))
        path_sizes = np.diff(ring_offsets)
    elif family == LINESTRING:
        coords, (line_offsets,) = shapely.to_ragged_array(parts)[1:]
        path_owner, path_sizes = owner, np.diff(line_offsets)
    else:  # points: one path per feature, all its points under a single MoveTo (spec 4.3.4.2)
        coords = shapely.get_coordinates(parts)
        path_owner, path_sizes = np.unique(owner, return_counts=True)
    coord_path = np.repeat(np.arange(len(path_owner)), path_sizes)
    coords = np.rint(coords).astype(np.int64)
    # A LineTo must move (spec 4.3.3.2): drop repeated points. Valid rings and lines keep enough distinct ones.
    if family != POINT:
        repeated = np.r_[False, (coord_path[1:] == coord_path[:-1]) & (coords[1:] == coords[:-1]).all(axis=1)]
        coords, coord_path = coords[~repeated], coord_path[~repeated]
    if family == POLYGON:  # the closing point is implied by ClosePath
        last = np.r_[coord_path[1:] != coord_path[:-1], True]
        coords, coord_path = coords[~last], coord_path[~last]
    values, path_value_start, path_value_end = _commands(coords, coord_path, path_owner, family)
    encoded, byte_start = _varints(values)
    owners, first = np.unique(path_owner, return_index=True)
    last_path = np.r_[first[1:], len(path_owner)] - 1
    for feature, start, end in zip(owners.tolist(), path_value_start[first].tolist(), path_value_end[last_path].tolist(), strict=True):
        result[feature] = encoded[byte_start[start]:byte_start[end]]
    return result


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


def _commands(coords: np.ndarray, coord_path: np.ndarray, path_owner: np.ndarray,
              family: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The command integers of every path, concatenated (spec 4.3), and where each path's run starts/ends.

    Polygon ring of n points: MoveTo(1) p0, LineTo(n-1) p1…, ClosePath — 2n+3 integers; line: 2n+2 (no
    ClosePath); point set: MoveTo(n) p0…: 2n+1. Coordinates are zigzag-encoded deltas from the cursor,
    which starts at (0, 0) for each feature and carries over from one path of the feature to the next."""
    n = np.bincount(coord_path, minlength=len(path_owner))
    path_len = 2 * n + {POLYGON: 3, LINESTRING: 2, POINT: 1}[family]
    start = np.r_[0, np.cumsum(path_len)[:-1]]
    out = np.zeros(int(path_len.sum()), dtype=np.uint64)

    previous = np.vstack([[0, 0], coords[:-1]])
    owner_of_coord = path_owner[coord_path]
    feature_start = np.r_[True, owner_of_coord[1:] != owner_of_coord[:-1]]
    previous[feature_start] = 0
    delta = coords - previous
    zigzag = ((delta << 1) ^ (delta >> 63)).astype(np.uint64)

    j = np.arange(len(coords)) - np.r_[0, np.cumsum(n)[:-1]][coord_path]  # index within the path
    if family == POINT:
        out[start] = _MOVE_TO | (n << 3)
        pos = start[coord_path] + 1 + 2 * j
    else:
        out[start] = _MOVE_TO | (1 << 3)
        out[start + 3] = _LINE_TO | ((n - 1) << 3)
        pos = start[coord_path] + 1 + 2 * j + (j >= 1)
        if family == POLYGON:
            out[start + 2 * n + 2] = _CLOSE_PATH | (1 << 3)
    out[pos] = zigzag[:, 0]
    out[pos + 1] = zigzag[:, 1]
    return out, start, start + path_len


def _varints(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Protobuf varints of unsigned values below 2**35, all at once; also each value's byte offset (plus
    the end offset), so slices of whole values can be cut out of the bytes."""
    groups = np.arange(5, dtype=np.uint64)
    sizes = 1 + (values[:, None] >= (np.uint64(1) << (7 * groups[1:]))).sum(axis=1)
    septets = (values[:, None] >> (7 * groups)) & np.uint64(0x7F)
    more = groups[None, :] < (sizes[:, None] - 1).astype(np.uint64)
    raw = (septets | (more.astype(np.uint64) << np.uint64(7))).astype(np.uint8)
    keep = groups[None, :] < sizes[:, None].astype(np.uint64)
    return raw[keep].tobytes(), np.r_[0, np.cumsum(sizes)]


# --- protobuf writer (the few wire forms the Tile message needs) -------------------------------------------


_ONE_BYTE = [bytes((i,)) for i in range(0x80)]


def _varint(value: int) -> bytes:
    if value < 0x80:  # most tags, commands and lengths
        return _ONE_BYTE[value]
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _field_packed(number: int, values: Sequence[int]) -> bytes:
    return _field_bytes(number, b"".join(_varint(v) for v in values))


def _value(value: str | float | int | bool) -> bytes:
    """Tile.Value: string (1), double (3), uint (5), sint (6) or bool (7)."""
    if isinstance(value, str):
        return _field_bytes(1, value.encode())
    if isinstance(value, bool):
        return _field_varint(7, int(value))
    if isinstance(value, float):
        return _varint(3 << 3 | 1) + struct.pack("<d", value)
    if value >= 0:
        return _field_varint(5, value)
    return _field_varint(6, (value << 1) ^ (value >> 63))
