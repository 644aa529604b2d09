"""Serving a layer's features to maps and GIS clients: GeoJSON pages, vector tiles, and the query parameters
both they and the OGC API (landguard.layers.ogc) share.

Every read goes through landguard.layers.selectors with the caller's RegionScope, so a township officer
gets the parcels of their township only, whichever way they ask. Geometry leaves the database as WKB
(one query, no GEOS object per row) and is turned into GeoJSON text by shapely, vectorised;
the feature JSON is assembled as text, so a 10 000-feature page never becomes a tree of Python dicts.

Areas: only the stored official CGCS2000 ellipsoidal area (Feature.area_m2) is served — in m² (2 dp),
公顷 (4 dp) and 亩 (2 dp). Nothing here computes an area.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import reduce
from operator import or_

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from landguard.core.boxes import box
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.engine.landclass import lookup as land_class_of
from landguard.engine.ownership import ownership_of
from landguard.layers import selectors
from landguard.layers.models import Feature, Layer, LayerKind, LayerVersion

GEOJSON = "application/geo+json"
MVT = "application/vnd.mapbox-vector-tile"
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
# A bbox query counts its matches up to this many for numberMatched; beyond, the member is omitted.
MATCH_COUNT_LIMIT = 10_000
MATCHED_CACHE_SECONDS = 24 * 3600
COORDINATE_DECIMALS = 9  # 1e-9° ≈ 0.1 mm: finer than any survey, and a third shorter than full doubles

BBox = tuple[float, float, float, float]


class BadParameter(ValueError):
    """A query parameter has an invalid value; the message names it (answered with 400)."""


# --- query parameters ------------------------------------------------------------------------------------


def parse_bbox(value: str | None, *, lat_lon: bool = False) -> BBox | None:
    """`minLon,minLat,maxLon,maxLat` (EPSG:4490 / CRS84 degrees) → (west, south, east, north).

    Six numbers (with heights, as OGC API allows) are accepted and the heights ignored: the data is 2D.
    lat_lon: the numbers are in latitude-first order (EPSG:4490's own axis order, for OGC `bbox-crs`)."""
    if value is None:
        return None
    message = (_("参数 bbox 应为 4 个数：最小纬度,最小经度,最大纬度,最大经度") if lat_lon
               else _("参数 bbox 应为 4 个数：最小经度,最小纬度,最大经度,最大纬度"))
    try:
        numbers = [float(part) for part in value.split(",")]
    except ValueError:
        raise BadParameter(message) from None
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise BadParameter(message)
    low, high = (numbers[0:2], numbers[2:4]) if len(numbers) == 4 else (numbers[0:2], numbers[3:5])
    if lat_lon:
        low, high = low[::-1], high[::-1]
    west, south, east, north = *low, *high
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise BadParameter(_("参数 bbox 超出经纬度范围（经度 -180～180，纬度 -90～90）"))
    # West east of east is a box across the 180° meridian, which OGC API allows; south above north is not a box.
    if south > north:
        raise BadParameter(_("参数 bbox 的最小纬度大于最大纬度"))
    return west, south, east, north


def parse_limit(value: str | None) -> int:
    """Page size: default DEFAULT_LIMIT; above MAX_LIMIT gives MAX_LIMIT (OGC API: "you might get up to
    10000 (server-limited) and a next link"), not an error."""
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or int(value) < 1:
        raise BadParameter(_("参数 limit 应为正整数（最大 %(max)s）") % {"max": MAX_LIMIT})
    return min(int(value), MAX_LIMIT)


def parse_offset(value: str | None) -> int:
    if value is None:
        return 0
    if not value.isdigit():
        raise BadParameter(_("参数 offset 应为非负整数"))
    return int(value)


def version_of(scope: RegionScope, layer: Layer, number: str | None) -> LayerVersion:
    """The layer's version number `number` (`?v=`), else its current version; 404 when there is none."""
    if number is not None and not number.isdigit():
        raise BadParameter(_("参数 v 应为版本号（正整数）"))
    qs = selectors.versions(scope, layer)
    found = qs.filter(number=int(number)).first() if number is not None else qs.filter(is_current=True).first()
    if found is None:
        raise Http404
    return found


# --- GeoJSON ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeaturePage:
    matched: int | None  # features in scope (and bbox) in the whole version; None: not counted (see _matched)
    offset: int
    limit: int
    features: list[str]  # GeoJSON Feature objects as JSON text, in source order
    more: bool  # a next page exists

    @property
    def returned(self) -> int:
        return len(self.features)


def feature_page(scope: RegionScope, version: LayerVersion, *, bbox: BBox | None, limit: int, offset: int,
                 lat_lon: bool = False) -> FeaturePage:
    """One page of the version's features inside the scope whose geometry meets `bbox`, in source order.
    One row more than the page is read, so "next" needs no count."""
    qs = _features(scope, version, bbox)
    rows = list(_rows(qs.order_by("index"))[offset:offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    matched = offset + len(rows) if not more and (rows or offset == 0) else _matched(scope, version, qs, bbox)
    return FeaturePage(matched=matched, offset=offset, limit=limit, more=more,
                       features=_feature_texts(rows, version.layer.kind, lat_lon=lat_lon))


def _matched(scope: RegionScope, version: LayerVersion, qs: QuerySet[Feature], bbox: BBox | None) -> int | None:
    """numberMatched without counting a whole layer per request. Without bbox: the version's stored count
    where the scope holds the layer, else the scope's count, remembered per version and scope (a version's
    features never change). With bbox: counted up to MATCH_COUNT_LIMIT, else omitted — OGC API – Features
    makes numberMatched optional, and GDAL and QGIS page by the "next" link."""
    if bbox is not None:
        counted = qs[:MATCH_COUNT_LIMIT + 1].count()
        return counted if counted <= MATCH_COUNT_LIMIT else None
    # imported_at tells a version from one that reused its id (a rolled-back test, another database)
    key = f"layers:matched:{version.pk}:{version.imported_at.timestamp()}:{scope.key()}"
    matched = cache.get(key)
    if matched is None:
        matched = selectors.version_totals(scope, [version])[version.pk][0]
        cache.set(key, matched, MATCHED_CACHE_SECONDS)
    return matched


def feature_text(scope: RegionScope, version: LayerVersion, pk: int, *, lat_lon: bool = False,
                 links: list[dict] | None = None) -> str:
    """One feature as GeoJSON text (404 outside the scope or the version), with `links` when given."""
    rows = list(_rows(selectors.features(scope, version).filter(pk=pk)))
    if not rows:
        raise Http404
    (text,) = _feature_texts(rows, version.layer.kind, lat_lon=lat_lon)
    if links is None:
        return text
    return text[:-1] + ',"links":' + _dumps(links) + "}"


def collection_text(page: FeaturePage, *, links: list[dict], members: dict | None = None) -> str:
    """A GeoJSON FeatureCollection of the page, with its links, counts and any extra top-level members."""
    counts = {"numberMatched": page.matched} if page.matched is not None else {}
    head = {"type": "FeatureCollection", **(members or {}), **counts, "numberReturned": page.returned, "links": links}
    return _dumps(head)[:-1] + ',"features":[' + ",".join(page.features) + "]}"


def page_links(url: str, query: QueryDict, page: FeaturePage, media_type: str) -> list[dict]:
    """self, and next/prev when there are such pages: the same URL and parameters with another offset."""

    def at(offset: int) -> str:
        params = query.copy()
        params["offset"] = str(offset)
        params["limit"] = str(page.limit)  # the page size served, which a too-large request was capped to
        return f"{url}?{params.urlencode()}"

    links = [{"href": f"{url}?{query.urlencode()}" if query else url, "rel": "self", "type": media_type,
              "title": _("本页")}]
    if page.more:
        links.append({"href": at(page.offset + page.limit), "rel": "next", "type": media_type, "title": _("下一页")})
    if page.offset > 0:
        links.append({"href": at(max(page.offset - page.limit, 0)), "rel": "prev", "type": media_type,
                      "title": _("上一页")})
    return links


def _features(scope: RegionScope, version: LayerVersion, bbox: BBox | None) -> QuerySet[Feature]:
    qs = selectors.features(scope, version, bbox=bbox)  # bounding boxes overlap: the spatial index's cheap test
    if bbox is None:
        return qs
    boxes = [box(part) for part in selectors.bbox_parts(bbox)]
    # then the geometry itself, as OGC API's bbox requires (two boxes when it crosses the 180° meridian)
    return qs.filter(reduce(or_, (Q(geom__intersects=box) for box in boxes)))


def _rows(qs: QuerySet[Feature]) -> QuerySet:
    return qs.annotate(wkb=AsWKB("geom")).values_list("pk", "fid", "code", "area_m2", "region_code", "qsxz",
                                                      "properties", "wkb")


def _feature_texts(rows: list[tuple], kind: str, *, lat_lon: bool) -> list[str]:
    if not rows:
        return []
    geoms = shapely.from_wkb([bytes(row[-1]) for row in rows])
    order = slice(None, None, -1) if lat_lon else slice(None)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORDINATE_DECIMALS)[:, order])
    texts = shapely.to_geojson(geoms).tolist()
    dltb = kind == LayerKind.DLTB
    return [f'{{"type":"Feature","id":{pk},"geometry":{geometry},"properties":'
            f'{_dumps(_properties(fid, code, area, region, qsxz, source, dltb))}}}'
            for (pk, fid, code, area, region, qsxz, source, _wkb), geometry in zip(rows, texts, strict=True)]


def _properties(fid: str, code: str, area_m2: float, region_code: str, qsxz: str, source: dict, dltb: bool) -> dict:
    """The typed fields first, then every source attribute (a source field named like a typed one, in any case,
    yields)."""
    # Not "fid": ogr2ogr would take it for GeoPackage's own FID column and refuse or renumber the copy.
    typed: dict = {"feature_no": fid, "code": code}
    if dltb:
        land_class = land_class_of(code)
        typed["land_class"] = str(land_class.label) if land_class else None
        # 权属性质 as stored ("" where none) and its class: 国有 / 集体, 未标注 where none (engine.ownership).
        typed["qsxz"] = qsxz
        typed["ownership"] = str(ownership_of(qsxz).label)
    typed.update(area_m2=round(area_m2, 2), area_ha=hectares(area_m2), area_mu=mu(area_m2), region_code=region_code)
    # Compared without case: the source's "QSXZ" beside the typed "qsxz" would be two fields GeoPackage (and
    # Shapefile) take for one, and ogr2ogr would refuse the copy.
    taken = {k.lower() for k in typed}
    return {**typed, **{k: v for k, v in source.items() if k.lower() not in taken}}


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
