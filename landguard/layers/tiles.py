"""Vector tiles of a layer version with a bounded cost per tile, whatever the size of the layer.

The rule (docs/serving.md "Vector tiles"), applied after the region scope (the scope filter is part of the
query that selects the tile's features, so generalising never lets another township's parcels in or out):

1. A tile meeting at most DENSE_FEATURES features (bounding boxes against the buffered tile) is served
   in full: every feature, simplified by one tile unit below z16 (invisible), every vertex from z16.
2. A denser tile is generalised: features whose bounding box is smaller than one screen pixel in both
   directions are dropped (not aggregated: a parcel that small cannot be seen or clicked, and land-class
   blobs would need a union per tile), the rest are simplified to one pixel (topology-preserving per
   feature), and at most MAX_FEATURES of them are kept, the largest official areas first.
3. Whatever the rule kept, a tile is never longer than MAX_BYTES: a longer one is encoded again with the
   larger half of its features, until it fits.

PostGIS builds the tile in one SQL statement (ST_Transform to EPSG:3857, ST_AsMVTGeom, ST_AsMVT);
SpatiaLite reads the same rows (WKB) and encodes them with shapely and mapbox_vector_tile (mvt.py). The
features, ids and attributes are the same; the bytes differ (encoders, rounding), which is fine for clients.
"""

from __future__ import annotations

import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.db import connection
from django.db.models import QuerySet

from landguard.core.scope import RegionScope
from landguard.layers import mvt, selectors
from landguard.layers.models import Feature, LayerVersion

DENSE_FEATURES = 2_000
MAX_FEATURES = 4_000
MAX_BYTES = 500_000
_COLUMNS = ("pk", "fid", "code", "area_m2")


def tile(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> bytes:
    """Tile z/x/y of the version's features inside the scope (b"" when none shows); layer name = the slug.
    Feature id = feature pk; attributes: feature_no, code, area_m2 (official ellipsoidal m², 2 dp)."""
    bbox = mvt.tile_bounds(z, x, y, buffer=mvt.BUFFER)
    candidates = selectors.features(scope, version, bbox=bbox)
    dense = candidates[:DENSE_FEATURES + 1].count() > DENSE_FEATURES
    if dense:
        west, south, east, north = mvt.tile_bounds(z, x, y)
        pixel = ((east - west) / 256, (north - south) / 256)
        rows = selectors.features(scope, version, bbox=bbox, min_size=pixel).order_by("-area_m2", "index")
        limit, tolerance = MAX_FEATURES, float(mvt.PIXEL)
    else:
        rows, limit, tolerance = candidates.order_by("index"), DENSE_FEATURES, None
    encode = _postgis if connection.vendor == "postgresql" else _spatialite
    while True:
        body = encode(rows[:limit], version.layer.slug, z, x, y, tolerance)
        if len(body) <= MAX_BYTES or limit <= 1:
            return body
        limit //= 2


def _spatialite(rows: QuerySet[Feature], name: str, z: int, x: int, y: int, tolerance: float | None) -> bytes:
    found = list(rows.annotate(wkb=AsWKB("geom")).values_list(*_COLUMNS, "wkb"))
    if not found:
        return b""
    pks, fids, codes, areas, wkbs = zip(*found, strict=True)
    return mvt.encode_tile(name, z, x, y, ids=pks, geoms=shapely.from_wkb([bytes(w) for w in wkbs]),
                           attributes={"feature_no": fids, "code": codes, "area_m2": [round(a, 2) for a in areas]},
                           tolerance=tolerance)


def _postgis(rows: QuerySet[Feature], name: str, z: int, x: int, y: int, tolerance: float | None) -> bytes:
    """One statement: the selected rows → EPSG:3857 → simplified (to `tolerance` tile units; by default one
    unit below z16) → clipped and snapped by ST_AsMVTGeom → ST_AsMVT with the pk as feature id."""
    if tolerance is None:
        tolerance = 1.0 if z < mvt.SIMPLIFY_BELOW_ZOOM else 0.0
    inner, params = rows.values("id", "fid", "code", "area_m2", "geom").query.get_compiler(using=rows.db).as_sql()
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
