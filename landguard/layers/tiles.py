"""Vector tiles of a layer version with a bounded cost per tile, whatever the size of the layer.

The rule (docs/serving.md "Vector tiles"), applied after the region scope (the scope filter is part of the
query that selects the tile's features, so generalising never lets another township's parcels in or out):

1. A tile meeting at most DENSE_FEATURES features (bounding boxes against the buffered tile) is served
   in full: every feature, simplified by one tile unit below z16 (invisible), every vertex from z16.
2. A denser tile is generalised: features smaller than one screen pixel in both directions (their
   `min_zoom`, written at import, is above z) are dropped (not aggregated: a parcel that small cannot be seen
   or clicked, and land-class blobs would need a union per tile), the rest are simplified to one pixel
   (topology-preserving per feature), and at most MAX_FEATURES of them are kept: those showing from the lowest
   zoom first (the largest on screen), then the largest official areas.
3. Whatever the rule kept, a tile is never longer than MAX_BYTES: a longer one is encoded again with the
   larger half of its features, until it fits.

What bounds the cost: the density test stops at DENSE_FEATURES + 1 rows; a generalised tile reads only the
features visible at z, in the order of the (version, min_zoom, −area) index when that reads fewer rows (low
zooms, where an empty answer costs one index probe, or a tile covering much of the layer: _index_driven), else
the tile box's rows from the spatial index, the pixel size checked on the index's own boxes before a row is
read. On SpatiaLite the joins are written with CROSS JOIN, which fixes SQLite's loop order (the R*Tree or the
min_zoom index outside), since GeoDjango's bbox filter would materialise every candidate id first; on PostgreSQL
a MATERIALIZED CTE keeps the planner off the index walk when the box is small. PostGIS builds the tile in one
SQL statement (ST_Transform to EPSG:3857, ST_AsMVTGeom, ST_AsMVT); SpatiaLite reads the same rows (WKB), clips
and simplifies them with shapely and numpy and encodes them with the maintained mapbox_vector_tile (mvt.py,
polygons oriented beforehand in one vectorised call). The features, ids and attributes are the same; the bytes
differ (encoders, rounding), which is fine for clients.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from landguard.core.scope import RegionScope
from landguard.layers import mvt, selectors
from landguard.layers.models import Feature, LayerVersion

DENSE_FEATURES = 2_000
MAX_FEATURES = 3_000
MAX_BYTES = 500_000
# A generalised tile is driven by the min_zoom index when the whole version has at most this many features
# showing at the zoom (counted through the index, bounded) or the tile covers much of it (_index_driven).
INDEX_DRIVEN_MAX = 20_000
# A generalised tile's order (what MAX_FEATURES keeps): the features showing from the lowest zoom first (the
# largest on screen), then the largest official areas; the (version, min_zoom, −area) index's own order.
GENERALISED_ORDER = ("min_zoom", "-area_m2", "index")
_TABLE = Feature._meta.db_table
_GEOM = Feature._meta.get_field("geom").column
_RTREE = f"idx_{_TABLE}_{_GEOM}"


def tile(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> bytes:
    """Tile z/x/y of the version's features inside the scope (b"" when none shows); layer name = the slug.
    Feature id = feature pk; attributes: feature_no, code, area_m2 (official ellipsoidal m², 2 dp)."""
    try:
        return _tile(scope, version, z, x, y)
    except EmptyResultSet:  # a scope that holds nothing compiles to no SQL: nothing to draw
        return b""


def _tile(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> bytes:
    bbox = mvt.tile_bounds(z, x, y, buffer=mvt.BUFFER)
    if connection.vendor == "postgresql":
        candidates = selectors.features(scope, version, bbox=bbox).order_by()
        # order_by(): the model's default ordering (through the layer tables) would sort every candidate
        dense = candidates[:DENSE_FEATURES + 1].count() > DENSE_FEATURES
        if not dense:
            return _fit(lambda limit: _postgis(candidates.order_by("index")[:limit], version.layer.slug, z, x, y,
                                               None), dense)
        shown = candidates.filter(min_zoom__lte=z)
        if not _index_driven(version, z, bbox):
            # Many features show at this zoom: the planner would walk the (version, min_zoom, −area) index in
            # order and test each row against the box (its estimate assumes the box's rows are spread evenly
            # through that order; at z12 it read 390 000 rows for 4 000). The box's rows first (GiST), then sorted.
            return _fit(lambda limit: _postgis(shown, version.layer.slug, z, x, y, float(mvt.PIXEL),
                                               materialised=limit), dense)
        return _fit(lambda limit: _postgis(shown.order_by(*GENERALISED_ORDER)[:limit], version.layer.slug, z, x,
                                           y, float(mvt.PIXEL)), dense)
    where, params = _where(selectors.features(scope, version))
    dense = _sqlite_dense(where, params, bbox)
    return _fit(lambda limit: _spatialite(_sqlite_rows(version, where, params, bbox, z, dense, limit),
                                          version.layer.slug, z, x, y, float(mvt.PIXEL) if dense else None), dense)


def _fit(encode: Any, dense: bool) -> bytes:
    limit = MAX_FEATURES if dense else DENSE_FEATURES
    while True:
        body = encode(limit)
        if len(body) <= MAX_BYTES or limit <= 1:
            return body
        limit //= 2


def _where(qs: QuerySet[Feature]) -> tuple[str, list[Any]]:
    """The WHERE of the scoped queryset (version and region scope), columns qualified by the table name."""
    compiler = qs.query.get_compiler(connection=connection)
    sql, params = compiler.compile(qs.query.where)
    return sql, list(params)


def _box_sql(bbox: tuple[float, float, float, float]) -> tuple[str, list[float]]:
    west, south, east, north = bbox
    return "r.xmin <= %s AND r.xmax >= %s AND r.ymin <= %s AND r.ymax >= %s", [east, west, north, south]


def _sqlite_dense(where: str, params: list[Any], bbox: tuple[float, float, float, float]) -> bool:
    box, box_params = _box_sql(bbox)
    sql = (f'SELECT count(*) FROM (SELECT 1 FROM "{_RTREE}" AS r CROSS JOIN "{_TABLE}" ON "{_TABLE}".id = r.pkid '
           f"WHERE {box} AND {where} LIMIT {DENSE_FEATURES + 1})")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*box_params, *params])
        return cursor.fetchone()[0] > DENSE_FEATURES


def _sqlite_rows(version: LayerVersion, where: str, params: list[Any], bbox: tuple[float, float, float, float],
                 z: int, dense: bool, limit: int) -> list[tuple]:
    columns = f'"{_TABLE}".id, "{_TABLE}".fid, "{_TABLE}".code, "{_TABLE}".area_m2, AsBinary("{_TABLE}"."{_GEOM}")'
    box, box_params = _box_sql(bbox)
    if not dense:
        sql = (f'SELECT {columns} FROM "{_RTREE}" AS r CROSS JOIN "{_TABLE}" ON "{_TABLE}".id = r.pkid '
               f'WHERE {box} AND {where} ORDER BY "{_TABLE}"."index" LIMIT %s')
        args = [*box_params, *params, limit]
    elif _index_driven(version, z, bbox):
        sql = (f'SELECT {columns} FROM "{_TABLE}" CROSS JOIN "{_RTREE}" AS r ON r.pkid = "{_TABLE}".id '
               f'WHERE "{_TABLE}".version_id = %s AND "{_TABLE}".min_zoom <= %s AND {where} AND {box} '
               f'ORDER BY "{_TABLE}".min_zoom, "{_TABLE}".area_m2 DESC, "{_TABLE}"."index" LIMIT %s')
        args = [version.pk, z, *params, *box_params, limit]
    else:
        # the index's own boxes rule out most sub-pixel candidates before a row is read: a feature visible at z
        # is at least a pixel wide, or at least a pixel × cos(latitude) high (mvt.min_zooms)
        pixel = mvt.pixel_degrees(z)
        south, north = bbox[1], bbox[3]
        cos_lat = math.cos(math.radians(min(max(abs(south), abs(north)), mvt.MAX_LATITUDE)))
        sql = (f'SELECT {columns} FROM "{_RTREE}" AS r CROSS JOIN "{_TABLE}" ON "{_TABLE}".id = r.pkid '
               f"WHERE {box} AND (r.xmax - r.xmin >= %s OR r.ymax - r.ymin >= %s) "
               f'AND "{_TABLE}".min_zoom <= %s AND {where} '
               f'ORDER BY "{_TABLE}".min_zoom, "{_TABLE}".area_m2 DESC, "{_TABLE}"."index" LIMIT %s')
        args = [*box_params, pixel, pixel * cos_lat * 0.999, z, *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def _index_driven(version: LayerVersion, z: int, bbox: tuple[float, float, float, float]) -> bool:
    """Whether a generalised tile reads the (version, min_zoom, −area) index in order, testing each row against
    the box, rather than the box's rows from the spatial index. The first reads about MAX_FEATURES / f rows, f being
    the share of the version's extent the tile covers; the second about N · f (N features in the version), each
    ~4× cheaper (measured on 500,000 parcels, docs/performance.md) — so the index wins when f² ≥ 4 · MAX_FEATURES / N,
    and always when the version has at most INDEX_DRIVEN_MAX features showing at z (counted through the index,
    bounded): then it reads no more than that."""
    if selectors.version_features(version).filter(min_zoom__lte=z).order_by()[:INDEX_DRIVEN_MAX + 1].count() \
            <= INDEX_DRIVEN_MAX:
        return True
    if version.extent is None or not version.feature_count:
        return False
    extent = shapely.from_wkb(bytes(version.extent.wkb))
    if not extent.area:
        return False
    share = shapely.intersection(extent, shapely.box(*bbox)).area / extent.area
    return share * share >= 4 * MAX_FEATURES / version.feature_count


def _spatialite(found: list[tuple], name: str, z: int, x: int, y: int, tolerance: float | None) -> bytes:
    if not found:
        return b""
    pks, fids, codes, areas, wkbs = zip(*found, strict=True)
    return mvt.encode_tile(name, z, x, y, ids=pks, geoms=shapely.from_wkb([bytes(w) for w in wkbs]),
                           attributes={"feature_no": fids, "code": codes, "area_m2": [round(a, 2) for a in areas]},
                           tolerance=tolerance)


def _postgis(rows: QuerySet[Feature], name: str, z: int, x: int, y: int, tolerance: float | None, *,
             materialised: int | None = None) -> bytes:
    """One statement: the selected rows → EPSG:3857 → simplified (to `tolerance` tile units; by default one
    unit below z16) → clipped and snapped by ST_AsMVTGeom → ST_AsMVT with the pk as feature id.
    `materialised`: the rows are read first as a MATERIALIZED CTE, then the first `materialised` of them in
    GENERALISED_ORDER are kept."""
    if tolerance is None:
        tolerance = 1.0 if z < mvt.SIMPLIFY_BELOW_ZOOM else 0.0
    columns = ("id", "fid", "code", "area_m2", "geom", "min_zoom", "index")
    inner, params = rows.values(*columns).query.get_compiler(using=rows.db).as_sql()
    if materialised is not None:
        inner = (f"WITH found AS MATERIALIZED ({inner}) SELECT * FROM found "
                 f'ORDER BY min_zoom, area_m2 DESC, "index" LIMIT {int(materialised)}')
    # metres per tile unit at zoom z: the Web Mercator world is 2·20037508.34 m wide
    unit = 2 * 20037508.342789244 / 2**z / mvt.EXTENT
    geom = "ST_Transform(c.geom, 3857)"
    if tolerance:
        geom = f"ST_SimplifyPreserveTopology({geom}, {tolerance * unit!r})"
    sql = (f"SELECT ST_AsMVT(t, %s, {mvt.EXTENT}, 'geom', 'id') FROM ("
           "SELECT c.id, c.fid AS feature_no, c.code, round(c.area_m2::numeric, 2)::float8 AS area_m2, "
           f"ST_AsMVTGeom({geom}, ST_TileEnvelope(%s, %s, %s), {mvt.EXTENT}, {mvt.BUFFER}, true) AS geom "
           f"FROM ({inner}) AS c) AS t WHERE t.geom IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, z, x, y, *params])
        (body,) = cursor.fetchone()
    return bytes(body) if body else b""
