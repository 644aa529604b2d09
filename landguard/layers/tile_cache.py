"""Vector tiles built once per (layer version, scope, z/x/y), and their HTTP validators.

A hundred officers opening the same map ask for the same tiles; each costs 60–240 ms to build at the dense zooms
(docs/performance.md), so a tile is kept in the "tiles" cache (settings.CACHES: a file cache of its own under
var/, or Redis) and its strong ETag lets a browser that holds it get a 304 without the tile being read at all.

What a tile depends on, and therefore what the key and the ETag are made of:

- the layer version's id and import time — a version's features never change after the import (a new file is a
  new version; publishing one makes a new version current, so the URL without ?v= gets a new ETag), and the
  time tells apart two databases that reuse an id (a restored or recreated database, a test run);
- the layer's slug, the tile's layer name;
- the viewer's scope (its code prefixes, or "everything"): the scope filters the features before the tile rule
  runs (tiles.py), so two users share an entry only when they would have been served the same bytes — never a
  township officer's tile to the county, or the county's to the township;
- z/x/y;
- the encoding: the database's encoder (ST_AsMVT on PostGIS, mapbox_vector_tile on SpatiaLite: the bytes
  differ), the tile rule's limits and extent, and RULE_REVISION, raised whenever tiles.py or mvt.py change what
  a tile holds, so a deployment never serves a tile built by the old rule.

The parts are hashed with an HMAC keyed by SECRET_KEY (salted): the key and the ETag show neither the scope's
codes nor anything a client could forge. Responses stay `Cache-Control: private` with `Vary: Cookie,
Authorization` (serving_views.data_view): a shared proxy must never hand one user's tile to another.
"""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection
from django.utils.crypto import salted_hmac

from landguard.core.scope import RegionScope
from landguard.layers import mvt, tiles
from landguard.layers.models import LayerVersion

CACHE_ALIAS = "tiles"
# A day: versions do not change, so this only bounds how long an unused tile occupies the cache.
CACHE_SECONDS = 24 * 3600
# Raise when tiles.py or mvt.py change the bytes a tile holds for the same features (see the module docstring).
RULE_REVISION = 1
_SALT = "landguard.layers.tile-cache"


def _digest(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> str:
    encoding = (connection.vendor, RULE_REVISION, tiles.DENSE_FEATURES, tiles.MAX_FEATURES, tiles.MAX_BYTES,
                mvt.EXTENT, mvt.BUFFER)
    parts = (version.pk, version.imported_at.isoformat(), version.layer.slug, scope.key(), encoding, z, x, y)
    return salted_hmac(_SALT, repr(parts)).hexdigest()[:40]


def etag(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> str:
    """The strong ETag of the tile (quoted): the same for the same bytes, different when any input differs."""
    return f'"{_digest(scope, version, z, x, y)}"'


def cache_key(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> str:
    return f"tile:{version.pk}:{z}:{x}:{y}:{_digest(scope, version, z, x, y)}"


def tile(scope: RegionScope, version: LayerVersion, z: int, x: int, y: int) -> bytes:
    """tiles.tile, built at most once per key while the cache keeps it (an empty tile is kept too)."""
    cache = caches[CACHE_ALIAS]
    key = cache_key(scope, version, z, x, y)
    body = cache.get(key)
    if body is None:
        body = tiles.tile(scope, version, z, x, y)
        cache.set(key, body, CACHE_SECONDS)
    return body
