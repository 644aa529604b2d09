"""Reads of layers and their features, always through the caller's RegionScope.

A layer is visible when its owning region is inside the scope or above it (a township officer opens the
county's 地类图斑); its features are then filtered by their own region code, so the officer sees the
parcels of their township only. Everything that serves features — pages, API, GeoJSON, vector tiles,
OGC API, overlay — reads through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

import numpy as np
from django.db import connection
from django.db.models import (BooleanField, Case, Count, FloatField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum,
                              Value, When)
from django.db.models.functions import Coalesce
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext

from landguard.core.boxes import box
from landguard.core.scope import RegionScope, one_or_404
from landguard.engine.landclass import LEVEL1_NAMES, UnknownLandClassError, classify
from landguard.layers.models import COUNTY_CODE_LENGTH, Feature, Layer, LayerVersion, county_of


def layers(scope: RegionScope) -> QuerySet[Layer]:
    return Layer.objects.filter(scope.q_reaching("region_code")).select_related("region")


def owns(scope: RegionScope, of: Layer) -> bool:
    """The scope holds the layer's own region: its users see the whole layer, totals and import reports included."""
    return scope.contains(of.region_code)


def layers_with_totals(scope: RegionScope) -> QuerySet[Layer]:
    """`layers`, each with `visible_count` / `visible_area` of its current version as the scope sees it: the
    stored totals of a layer the scope holds, else the sums over the features inside the scope (a township
    officer never sees a county-wide total)."""
    current = LayerVersion.objects.filter(layer=OuterRef("pk"), is_current=True)
    stored_n = Subquery(current.values("feature_count")[:1], output_field=IntegerField())
    stored_a = Subquery(current.values("area_m2")[:1], output_field=FloatField())
    qs = layers(scope)
    if scope.unrestricted:
        return qs.annotate(visible_count=stored_n, visible_area=stored_a)
    inside = scope.filter(Feature.objects.filter(version__layer=OuterRef("pk"), version__is_current=True),
                          "region_code")
    inside = inside.order_by().values("version__layer")
    counted_n = Coalesce(Subquery(inside.annotate(c=Count("id")).values("c")[:1], output_field=IntegerField()),
                         Value(0))
    counted_a = Coalesce(Subquery(inside.annotate(a=Sum("area_m2")).values("a")[:1], output_field=FloatField()),
                         Value(0.0))
    owned = scope.q("region_code")
    return qs.annotate(visible_count=Case(When(owned, then=stored_n), default=counted_n, output_field=IntegerField()),
                       visible_area=Case(When(owned, then=stored_a), default=counted_a, output_field=FloatField()))


def version_totals(scope: RegionScope, of: Iterable[LayerVersion]) -> dict[int, tuple[int, float]]:
    """(feature count, official area m²) of each version as the scope sees it — stored totals where the scope
    holds the layer, else sums over the features inside the scope."""
    totals: dict[int, tuple[int, float]] = {}
    partial: list[int] = []
    for v in of:
        if owns(scope, v.layer):
            totals[v.pk] = (v.feature_count, v.area_m2)
        else:
            totals[v.pk] = (0, 0.0)
            partial.append(v.pk)
    if partial:
        rows = (scope.filter(Feature.objects.filter(version_id__in=partial), "region_code").order_by()
                .values("version_id").annotate(n=Count("id"), a=Sum("area_m2")))
        for r in rows:
            totals[r["version_id"]] = (r["n"], r["a"] or 0.0)
    return totals


def report(scope: RegionScope, of: LayerVersion) -> list[str]:
    """A version's import report, for users who hold the layer's region only: it states layer-wide totals and
    names features anywhere in the layer."""
    return list(of.report) if owns(scope, of.layer) else []


def diff(scope: RegionScope, draft: LayerVersion, current: LayerVersion | None) -> dict:
    """What publishing `draft` would change, over the features the scope sees: feature count and official
    area, and for 地类图斑 the area by first-level land class."""
    totals = version_totals(scope, [v for v in (draft, current) if v is not None])
    new_n, new_a = totals[draft.pk]
    old_n, old_a = totals[current.pk] if current is not None else (0, 0.0)
    classes: list[dict] = []
    if draft.layer.kind == "dltb":
        by_class: dict[str, dict] = {}
        for key, v in (("new", draft), ("old", current)):
            if v is None:
                continue
            for r in features(scope, v).order_by().values("code").annotate(a=Sum("area_m2")):
                try:
                    code = classify(r["code"]).level1_code
                    label = f"{code} {gettext(LEVEL1_NAMES[code])}"
                except UnknownLandClassError:
                    code = label = r["code"]
                entry = by_class.setdefault(code, {"code": code, "label": label, "new": 0.0, "old": 0.0})
                entry[key] += r["a"] or 0.0
        classes = [dict(e, change=e["new"] - e["old"]) for _k, e in sorted(by_class.items())]
    return {"count": new_n, "count_before": old_n, "count_change": new_n - old_n,
            "area": new_a, "area_before": old_a, "area_change": new_a - old_a, "classes": classes}


def get_layer(scope: RegionScope, slug: str) -> Layer:
    return one_or_404(layers(scope), slug=slug)


def versions(scope: RegionScope, of: Layer | None = None) -> QuerySet[LayerVersion]:
    qs = LayerVersion.objects.filter(layer__in=layers(scope)).select_related("layer", "imported_by")
    return qs.filter(layer=of) if of is not None else qs


def current_version(of: Layer) -> LayerVersion | None:
    return of.versions.filter(is_current=True).first()


def current_versions(scope: RegionScope, *, kinds: Sequence[str] | None = None) -> QuerySet[LayerVersion]:
    qs = versions(scope).filter(is_current=True)
    return qs.filter(layer__kind__in=kinds) if kinds else qs


def parcels_numbered(scope: RegionScope, number: str, limit: int) -> list[Feature]:
    """Features of the scope's current layer versions whose number (BSM, 图斑编号, 宗地号 …) is exactly `number`,
    with their layer: what the shell's search box finds (an index on (version, fid) makes it one probe per layer)."""
    versions_ = list(current_versions(scope).select_related("layer"))
    if not versions_ or not number:
        return []
    by_pk = {v.pk: v for v in versions_}
    found = list(features(scope, versions_).filter(fid=number).defer("geom", "properties")[:limit])
    for feature in found:
        feature.version = by_pk[feature.version_id]
    return found


def get_version(scope: RegionScope, pk: int) -> LayerVersion:
    return one_or_404(versions(scope), pk=pk)


def get_owned_version(scope: RegionScope, of: Layer, number: int) -> LayerVersion:
    """Version `number` of a layer the scope holds (`owns`): the versions its managers may make current or
    publish. A version of a layer only reaching into the scope answers 404, as one outside it does."""
    if not owns(scope, of):
        raise Http404
    return one_or_404(versions(scope, of), number=number)


def features(scope: RegionScope, of: LayerVersion | Sequence[LayerVersion], *,
             bbox: tuple[float, float, float, float] | None = None,
             min_size: tuple[float, float] | None = None) -> QuerySet[Feature]:
    """The version's features inside the scope (or those of several versions, in one query: one index scan
    rather than one per version); with `bbox` (lon/lat, EPSG:4490), those whose bounding box
    meets it — the spatial index's test; callers that need the geometry itself to meet it filter on.
    A bbox whose west edge lies east of its east edge crosses the 180° meridian (OGC API allows it).
    `min_size` (degrees of longitude, latitude; with a bbox): only features whose bounding box is at least
    that wide or that high — what a generalised vector tile keeps."""
    qs = scope.filter(version_features(of, scope), "region_code")
    if bbox is None:
        return qs
    parts = bbox_parts(bbox)
    if not parts:
        return qs.none()
    if connection.vendor == "sqlite":
        # GeoDjango's bbox lookups on SpatiaLite are MbrOverlaps/MbrWithin… (false when the feature's box
        # contains the query box: a tile inside a large 生态保护红线 polygon would miss it) and never use
        # the R*Tree; ask the R*Tree directly.
        sql, params = rtree_ids_sql(np.array(parts, dtype=float), min_size=min_size)
        return qs.filter(pk__in=RawSQL(sql, params))
    qs = qs.filter(reduce(or_, (Q(geom__bboverlaps=box(part)) for part in parts)))  # PostGIS &&: GiST
    if min_size is not None:
        column = f'"{Feature._meta.db_table}"."{Feature._meta.get_field("geom").column}"'
        qs = qs.filter(RawSQL(f"(ST_XMax({column}::box2d) - ST_XMin({column}::box2d) >= %s "
                              f"OR ST_YMax({column}::box2d) - ST_YMin({column}::box2d) >= %s)", list(min_size),
                              output_field=BooleanField()))
    return qs


def version_features(of: LayerVersion | Sequence[LayerVersion], scope: RegionScope | None = None) -> QuerySet[Feature]:
    """The features of a version (or of several), not yet filtered by scope. On a partitioned PostgreSQL table
    (layers.partitions) also by the counties they can lie in, so the planner reads those counties' partitions
    only: a layer owned by a county or below has every feature in that county (the import locates features
    under the layer's region); a scope of counties or below sees only features of its counties. A city's or a
    province's layer seen by a scope above county level spans any county: no such filter."""
    versions = [of] if isinstance(of, LayerVersion) else list(of)
    qs = Feature.objects.filter(version=of) if isinstance(of, LayerVersion) else Feature.objects.filter(
        version__in=[v.pk for v in versions])
    if connection.vendor != "postgresql":
        return qs
    counties = feature_counties(versions, scope)
    if not counties:
        return qs
    return qs.filter(county_code=counties[0]) if len(counties) == 1 else qs.filter(county_code__in=counties)


def feature_counties(versions: Sequence[LayerVersion], scope: RegionScope | None = None) -> list[str] | None:
    """The county codes the versions' features inside the scope can carry (`version_features`), or None when any
    county can (a city's or a province's layer, seen from above county level)."""
    owned = [county_of(v.layer.region_code) for v in versions]
    counties = None if None in owned else {c for c in owned if c is not None}
    if scope is not None and not scope.unrestricted and scope.prefixes \
            and all(len(p) >= COUNTY_CODE_LENGTH for p in scope.prefixes):
        seen = {p[:COUNTY_CODE_LENGTH] for p in scope.prefixes}
        # with none in common the scope's own filter leaves nothing; the versions' counties still prune
        counties = seen if counties is None else (counties & seen) or counties
    return sorted(counties) if counties else None


def bbox_parts(bbox: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """The ordinary boxes a bbox stands for: itself, or — crossing the 180° meridian (west > east) — its
    part up to 180° and its part from −180°; none when south > north."""
    west, south, east, north = bbox
    if south > north:
        return []
    if west <= east:
        return [bbox]
    return [(west, south, 180.0, north), (-180.0, south, east, north)]


def rtree_ids_sql(boxes: np.ndarray, *, min_size: tuple[float, float] | None = None) -> tuple[str, list[float]]:
    """SpatiaLite: SQL for the ids of features whose box meets any of `boxes` (k × 4: minx, miny, maxx, maxy),
    from the R*Tree of the feature geometries joined to the boxes as a VALUES list (columns column1…4);
    with `min_size`, only boxes at least that wide or high (read from the R*Tree, no geometry decoded)."""
    table = f"idx_{Feature._meta.db_table}_{Feature._meta.get_field('geom').column}"
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(boxes))
    sql = (f'SELECT r.pkid FROM (VALUES {rows}) AS e JOIN "{table}" AS r ON r.xmin <= e.column3 AND r.xmax >= '
           'e.column1 '
           "AND r.ymin <= e.column4 AND r.ymax >= e.column2")
    params = np.asarray(boxes, dtype=float).ravel().tolist()
    if min_size is not None:
        sql += " AND (r.xmax - r.xmin >= %s OR r.ymax - r.ymin >= %s)"
        params += list(min_size)
    return sql, params


def get_feature(scope: RegionScope, of: LayerVersion, pk: int) -> Feature:
    return one_or_404(features(scope, of), pk=pk)
