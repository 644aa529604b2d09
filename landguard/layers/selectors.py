"""Reads of layers and their features, always through the caller's RegionScope.

A layer is visible when its owning region is inside the scope or above it (a township officer opens the
county's 地类图斑); its features are then filtered by their own region code, so the officer sees the
parcels of their township only. Everything that serves features — pages, API, GeoJSON, vector tiles,
OGC API, overlay — reads through here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from landguard.core.scope import RegionScope
from landguard.layers.models import Feature, Layer, LayerVersion


def layers(scope: RegionScope) -> QuerySet[Layer]:
    return Layer.objects.filter(scope.q_reaching("region_code")).select_related("region")


def layer(scope: RegionScope, slug: str) -> Layer:
    try:
        return layers(scope).get(slug=slug)
    except Layer.DoesNotExist:
        raise Http404 from None


def versions(scope: RegionScope, of: Layer | None = None) -> QuerySet[LayerVersion]:
    qs = LayerVersion.objects.filter(layer__in=layers(scope)).select_related("layer", "imported_by")
    return qs.filter(layer=of) if of is not None else qs


def current_version(of: Layer) -> LayerVersion | None:
    return of.versions.filter(is_current=True).first()


def current_versions(scope: RegionScope, *, kinds: Sequence[str] | None = None) -> QuerySet[LayerVersion]:
    qs = versions(scope).filter(is_current=True)
    return qs.filter(layer__kind__in=kinds) if kinds else qs


def version(scope: RegionScope, pk: int) -> LayerVersion:
    try:
        return versions(scope).get(pk=pk)
    except LayerVersion.DoesNotExist:
        raise Http404 from None


def features(scope: RegionScope, of: LayerVersion, *, bbox: tuple[float, float, float, float] | None = None) -> QuerySet[Feature]:
    """The version's features inside the scope; with `bbox` (lon/lat, EPSG:4490), those whose bounding box
    meets it — the spatial index's test; callers that need the geometry itself to meet it filter on."""
    qs = scope.filter(Feature.objects.filter(version=of), "region_code")
    if bbox is None:
        return qs
    if not _is_box(bbox):
        return qs.none()
    if connection.vendor == "sqlite":
        # GeoDjango's bbox lookups on SpatiaLite are MbrOverlaps/MbrWithin… (false when the feature's box
        # contains the query box: a tile inside a large 生态保护红线 polygon would miss it) and never use
        # the R*Tree; ask the R*Tree directly.
        sql, params = rtree_ids_sql(np.array([bbox], dtype=float))
        return qs.filter(pk__in=RawSQL(sql, params))
    box = Polygon.from_bbox(bbox)
    box.srid = 4490
    return qs.filter(geom__bboverlaps=box)  # PostGIS &&: the boxes meet (GiST)


def rtree_ids_sql(boxes: np.ndarray) -> tuple[str, list[float]]:
    """SpatiaLite: SQL for the ids of features whose box meets any of `boxes` (k × 4: minx, miny, maxx, maxy),
    from the R*Tree of the feature geometries joined to the boxes as a VALUES list (columns column1…4)."""
    table = f"idx_{Feature._meta.db_table}_{Feature._meta.get_field('geom').column}"
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(boxes))
    sql = (f'SELECT r.pkid FROM (VALUES {rows}) AS e JOIN "{table}" AS r ON r.xmin <= e.column3 AND r.xmax >= e.column1 '
           "AND r.ymin <= e.column4 AND r.ymax >= e.column2")
    return sql, np.asarray(boxes, dtype=float).ravel().tolist()


def feature(scope: RegionScope, of: LayerVersion, pk: int) -> Feature:
    try:
        return features(scope, of).get(pk=pk)
    except Feature.DoesNotExist:
        raise Http404 from None


def _is_box(bbox: tuple[float, float, float, float]) -> bool:
    return bbox[0] <= bbox[2] and bbox[1] <= bbox[3]
