"""OGC API – Features over the layer registry, so QGIS (Layer → Add Layer → Add WFS / OGC API – Features
Layer, URL http://<host>/ogc/) and other GIS clients read the layers a user may see.

Conformance: Part 1 Core, GeoJSON and OpenAPI 3.0 (OGC 17-069r4), and Part 2 CRS by reference (OGC 18-058r1)
for EPSG:4490. A collection is a layer visible to the caller (selectors.layers: their own and those of the
regions above them); its items are the features of the layer's current version inside the caller's
scope, so a township officer browsing the county's 地类图斑 gets their township's parcels only, and
`numberMatched` counts those. Layers, features and the API description all require login (session, DRF
token or HTTP Basic; see serving_views.data_view): anonymous → 401.

Coordinates: stored CGCS2000 lon/lat are served as CRS84 (the default Part 1 requires). For CGCS2000 →
WGS84 PROJ itself has only the ballpark (identity) transformation, and the datums differ by centimetres
to decimetres, below any map's accuracy. `crs` / `bbox-crs` = EPSG:4490 give and take the same
coordinates in that CRS's own axis order, latitude first (Part 2, /req/crs/crs-action).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core.scope import RegionScope
from landguard.layers import selectors, serving
from landguard.layers.models import Layer, LayerVersion
from landguard.layers.serving_views import data_view

JSON = "application/json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"
SUPPORTED_CRS = (CRS84, CGCS2000)
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
OGC_SCHEMAS = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/ogcapi-features-1.yaml"

# The query parameters each resource defines in the API description (/ogc/api); any other one is refused
# with 400 (/req/core/query-param-unknown).
_ITEMS_PARAMS = {"f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime"}
_ITEM_PARAMS = {"f", "crs"}
_FORMATS = {"json", "geojson"}


# --- views -----------------------------------------------------------------------------------------------


@data_view
def landing(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _check_params(request, {"f"})
    return _json({
        "title": _("LandGuard 图层服务（OGC API – Features）"),
        "description": _("本单位数据范围内的图层及其要素（现行版本），坐标为 CGCS2000 经纬度。"),
        "links": [
            _link(request, "ogc:landing", "self", JSON, _("本文档")),
            _link(request, "ogc:api", "service-desc", OPENAPI_JSON, _("接口定义（OpenAPI 3.0）")),
            _link(request, "ogc:conformance", "conformance", JSON, _("符合的标准类别")),
            _link(request, "ogc:collections", "data", JSON, _("图层（要素集合）")),
        ],
    })


@data_view
def conformance(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _check_params(request, {"f"})
    return _json({"conformsTo": CONFORMANCE})


@data_view
def api(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _check_params(request, {"f"})
    return _json(openapi(request.build_absolute_uri(reverse("ogc:landing")).rstrip("/")), content_type=OPENAPI_JSON)


@data_view
def collections(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    _check_params(request, {"f"})
    current = selectors.current_versions(scope).order_by("layer__region_code", "layer__kind", "layer__name")
    return _json({
        "links": [_link(request, "ogc:collections", "self", JSON, _("本文档"))],
        "collections": [_collection(request, version.layer, version) for version in current],
        "crs": list(SUPPORTED_CRS),
    })


@data_view
def collection(request: HttpRequest, scope: RegionScope, collection_id: str) -> HttpResponse:
    _check_params(request, {"f"})
    layer, version = _current(scope, collection_id)
    return _json(_collection(request, layer, version))


@data_view
def items(request: HttpRequest, scope: RegionScope, collection_id: str) -> HttpResponse:
    """?limit= &offset= &bbox= &bbox-crs= &crs= &datetime= (see openapi() for each)."""
    _check_params(request, _ITEMS_PARAMS)
    layer, version = _current(scope, collection_id)
    crs, bbox_crs = _crs(request, "crs"), _crs(request, "bbox-crs")
    _check_datetime(request.GET.get("datetime"))
    page = serving.feature_page(scope, version,
                                bbox=serving.parse_bbox(request.GET.get("bbox"), lat_lon=bbox_crs == CGCS2000),
                                limit=serving.parse_limit(request.GET.get("limit")),
                                offset=serving.parse_offset(request.GET.get("offset")), lat_lon=crs == CGCS2000)
    links = serving.page_links(request.build_absolute_uri(request.path), request.GET, page, serving.GEOJSON)
    links.append(_link(request, "ogc:collection", "collection", JSON, layer.name, collection_id=layer.slug))
    timestamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _geojson(serving.collection_text(page, links=links, members={"timeStamp": timestamp}), crs)


@data_view
def item(request: HttpRequest, scope: RegionScope, collection_id: str, feature_id: str) -> HttpResponse:
    _check_params(request, _ITEM_PARAMS)
    layer, version = _current(scope, collection_id)
    crs = _crs(request, "crs")
    if not feature_id.isdigit():
        raise Http404
    links = [{"href": request.build_absolute_uri(), "rel": "self", "type": serving.GEOJSON, "title": _("本文档")},
             _link(request, "ogc:collection", "collection", JSON, layer.name, collection_id=layer.slug)]
    return _geojson(serving.feature_text(scope, version, int(feature_id), lat_lon=crs == CGCS2000, links=links), crs)


# --- documents -------------------------------------------------------------------------------------------


def _collection(request: HttpRequest, layer: Layer, version: LayerVersion) -> dict[str, Any]:
    """/req/core/fc-md-items-links (an `items` link per encoding), /req/core/fc-md-extent (CRS84 bbox),
    /req/crs/fc-md-crs-list and storageCrs (Part 2)."""
    description = layer.description or _("%(kind)s，现行第 %(number)s 版%(source)s") % {
        "kind": layer.get_kind_display(), "number": version.number,
        "source": f"（{version.source}）" if version.source else ""}
    doc: dict[str, Any] = {
        "id": layer.slug,
        "title": layer.name,
        "description": description,
        "itemType": "feature",
        "crs": list(SUPPORTED_CRS),
        "storageCrs": CGCS2000,
        "links": [
            _link(request, "ogc:collection", "self", JSON, layer.name, collection_id=layer.slug),
            _link(request, "ogc:items", "items", serving.GEOJSON, layer.name, collection_id=layer.slug),
        ],
    }
    if version.extent is not None:
        doc["extent"] = {"spatial": {"bbox": [list(version.extent.extent)], "crs": CRS84}}
    return doc


def openapi(server: str) -> dict[str, Any]:
    """The API definition (OpenAPI 3.0, /req/oas30/oas-definition-1): every path, parameter, response and
    the security schemes (/req/oas30/security). Response bodies refer to the standard's own schemas."""

    def schema(name: str) -> dict[str, str]:
        return {"$ref": f"{OGC_SCHEMAS}#/components/schemas/{name}"}

    def ok(description: str, media_type: str, body: dict) -> dict[str, Any]:
        errors = {"400": _("参数无效"), "401": _("未登录或凭据无效"), "404": _("不存在或不在数据范围内")}
        return {"200": {"description": description, "content": {media_type: {"schema": body}}},
                **{code: {"description": text, "content": {JSON: {"schema": schema("exception")}}} for code,
                   text in errors.items()}}

    # explode: false throughout, as the OGC API – Features building blocks declare limit, bbox, bbox-crs, crs and
    # datetime (one value each; bbox a comma-separated list): validators and client generators read it literally.
    def query(name: str, description: str, body: dict) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description, "schema": body,
                "style": "form", "explode": False}

    def path(name: str, description: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}

    f = query("f", _("返回格式（仅 JSON）"), {"type": "string", "enum": sorted(_FORMATS)})
    crs = query("crs", _("返回坐标的参照系：CRS84（经度在前，默认）或 EPSG:4490（纬度在前）"),
                {"type": "string", "format": "uri", "enum": list(SUPPORTED_CRS), "default": CRS84})
    collection_id = path("collectionId", _("图层标识"))
    item_params = [
        collection_id,
        query("limit", _("每页要素数"), {"type": "integer", "minimum": 1, "maximum": serving.MAX_LIMIT,
                                         "default": serving.DEFAULT_LIMIT}),
        query("offset", _("跳过的要素数（分页，配合 next/prev 链接）"),
              {"type": "integer", "minimum": 0, "default": 0}),
        query("bbox", _("范围：最小经度,最小纬度,最大经度,最大纬度（bbox-crs 为 EPSG:4490 时纬度在前）"),
              {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
               "items": {"type": "number"}}),
        query("bbox-crs", _("bbox 的坐标参照系"), {"type": "string", "format": "uri", "enum": list(SUPPORTED_CRS),
                                                   "default": CRS84}),
        crs,
        query("datetime", _("时间或时段（RFC 3339）；图层要素没有时间属性，按标准全部匹配"), {"type": "string"}),
        f,
    ]
    return {
        "openapi": "3.0.3",
        "info": {"title": _("LandGuard 图层服务（OGC API – Features）"), "version": "1.0.0",
                 "description": _(
                     "本单位数据范围内的图层及其要素。需要登录：HTTP Basic（用户名和密码，请务必使用 HTTPS）、"
                                  "令牌（请求头 Authorization: Token <令牌>）或浏览器会话。")},
        "servers": [{"url": server}],
        "security": [{"basicAuth": []}, {"tokenAuth": []}, {"sessionAuth": []}],
        "components": {"securitySchemes": {
            "basicAuth": {"type": "http", "scheme": "basic"},
            "tokenAuth": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": _("Token <令牌>，令牌由 POST /api/auth/token/ 获取")},
            "sessionAuth": {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME},
        }},
        "paths": {
            "/": {"get": {"operationId": "getLandingPage", "summary": _("首页"), "parameters": [f],
                          "responses": ok(_("首页"), JSON, schema("landingPage"))}},
            "/conformance": {"get": {"operationId": "getConformanceDeclaration", "summary": _("符合的标准类别"),
                                     "parameters": [f],
                                     "responses": ok(_("符合的标准类别"), JSON, schema("confClasses"))}},
            "/api": {"get": {"operationId": "getAPIDefinition", "summary": _("接口定义"), "parameters": [f],
                             "responses": ok(_("接口定义"), OPENAPI_JSON, {"type": "object"})}},
            "/collections": {"get": {"operationId": "getCollections", "summary": _("图层列表"), "parameters": [f],
                                     "responses": ok(_("可见的图层"), JSON, schema("collections"))}},
            "/collections/{collectionId}": {"get": {
                "operationId": "describeCollection", "summary": _("图层说明"), "parameters": [collection_id, f],
                "responses": ok(_("图层说明"), JSON, schema("collection"))}},
            "/collections/{collectionId}/items": {"get": {
                "operationId": "getFeatures", "summary": _("图层要素（分页）"), "parameters": item_params,
                "responses": ok(_("要素集合"), serving.GEOJSON, schema("featureCollectionGeoJSON"))}},
            "/collections/{collectionId}/items/{featureId}": {"get": {
                "operationId": "getFeature", "summary": _("单个要素"),
                "parameters": [collection_id, path("featureId", _("要素标识")), crs, f],
                "responses": ok(_("要素"), serving.GEOJSON, schema("featureGeoJSON"))}},
        },
    }


# --- helpers ---------------------------------------------------------------------------------------------


def _current(scope: RegionScope, slug: str) -> tuple[Layer, LayerVersion]:
    layer = selectors.get_layer(scope, slug)
    version = selectors.current_version(layer)
    if version is None:
        raise Http404
    return layer, version


def _check_params(request: HttpRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise serving.BadParameter(_("不支持的查询参数：%(names)s（本资源支持：%(allowed)s）")
                                   % {"names": "、".join(unknown), "allowed": "、".join(sorted(allowed))})
    if request.GET.get("f", "json") not in _FORMATS:
        raise serving.BadParameter(_("参数 f 只支持 json"))


def _crs(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, CRS84)
    if value not in SUPPORTED_CRS:
        raise serving.BadParameter(_("参数 %(name)s 只支持 %(supported)s")
                                   % {"name": name, "supported": "、".join(SUPPORTED_CRS)})
    return value


def _check_datetime(value: str | None) -> None:
    """A valid RFC 3339 instant or interval (`a/b`, open ends `..` or empty). Layer features carry no time,
    and features without one match any `datetime` (the standard's Features response), so it selects all."""
    if value is None:
        return
    parts = value.split("/")
    ends_ok = len(parts) == 2 and parts != ["..", ".."] and all(p in ("", "..") or _is_rfc3339(p) for p in parts)
    if not (ends_ok or (len(parts) == 1 and _is_rfc3339(value))):
        raise serving.BadParameter(
            _("参数 datetime 应为 RFC 3339 时间（如 2024-01-01T00:00:00Z）或时段（开始/结束，开放一端写 ..）"))


def _is_rfc3339(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _link(request: HttpRequest, name: str, rel: str, media_type: str, title: str, **kwargs: str) -> dict[str, str]:
    return {"href": request.build_absolute_uri(reverse(name, kwargs=kwargs or None)), "rel": rel, "type": media_type,
            "title": title}


def _json(data: dict[str, Any], content_type: str = JSON) -> JsonResponse:
    return JsonResponse(data, content_type=content_type, json_dumps_params={"ensure_ascii": False})


def _geojson(body: str, crs: str) -> HttpResponse:
    response = HttpResponse(body, content_type=serving.GEOJSON)
    response["Content-Crs"] = f"<{crs}>"  # Part 2, /req/crs/ogc-crs-header
    return response
