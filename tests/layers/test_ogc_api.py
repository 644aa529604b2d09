"""OGC API – Features (/ogc/) against the standard: every response is validated with JSON Schemas transcribed
from the standard's OpenAPI components, and the behaviour each requirement asks for is checked.

Requirements are cited as OGC 17-069r4 (Part 1: Core 1.0.1) numbers and identifiers, e.g. "Req 2
/req/core/root-success"; Part 2 (OGC 18-058r1, CRS by reference) by identifier only.
Schemas: https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/ogcapi-features-1.yaml
(components/schemas: landingPage, confClasses, collections, collection, extent, link, featureCollectionGeoJSON,
featureGeoJSON, geometryGeoJSON and its members, numberMatched, numberReturned, timeStamp, exception), with
OpenAPI's `nullable: true` written as a JSON Schema type union.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any

import jsonschema
import pytest
import shapely
from django.core.cache import cache
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from landguard.layers import serving
from landguard.layers.models import Feature

pytestmark = pytest.mark.django_db

SLUG = "371525-dltb"
OTHER_SLUG = "371522-dltb"
TOWNSHIP = "371525001"  # 清泉街道
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"

# --- the standard's schemas ------------------------------------------------------------------------------

_NUMBERS = {"type": "array", "items": {"type": "number"}}
_POSITION = {"type": "array", "minItems": 2, "items": {"type": "number"}}
_RING = {"type": "array", "minItems": 4, "items": _POSITION}
DEFS: dict[str, Any] = {
    "link": {"type": "object", "required": ["href"], "properties": {
        "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
        "hreflang": {"type": "string"}, "title": {"type": "string"}, "length": {"type": "integer"}}},
    "links": {"type": "array", "items": {"$ref": "#/$defs/link"}},
    "landingPage": {"type": "object", "required": ["links"], "properties": {
        "title": {"type": "string"}, "description": {"type": "string"}, "links": {"$ref": "#/$defs/links"}}},
    "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {
        "conformsTo": {"type": "array", "items": {"type": "string"}}}},
    "extent": {"type": "object", "properties": {
        "spatial": {"type": "object", "properties": {
            "bbox": {"type": "array", "minItems": 1, "items": {
                **_NUMBERS, "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}]}},
            "crs": {"type": "string", "enum": [CRS84]}}},
        "temporal": {"type": "object", "properties": {
            "interval": {"type": "array", "minItems": 1, "items": {
                "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": ["string", "null"]}}},
            "trs": {"type": "string"}}}}},
    "collection": {"type": "object", "required": ["id", "links"], "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "links": {"$ref": "#/$defs/links"}, "extent": {"$ref": "#/$defs/extent"}, "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}}}},
    "collections": {"type": "object", "required": ["links", "collections"], "properties": {
        "links": {"$ref": "#/$defs/links"}, "collections": {"type": "array", "items": {"$ref": "#/$defs/collection"}}}},
    "pointGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"enum": ["Point"]}, "coordinates": _POSITION}},
    "multipointGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"enum": ["MultiPoint"]}, "coordinates": {"type": "array", "items": _POSITION}}},
    "linestringGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"enum": ["LineString"]}, "coordinates": {"type": "array", "minItems": 2, "items": _POSITION}}},
    "multilinestringGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"enum": ["MultiLineString"]},
        "coordinates": {"type": "array", "items": {"type": "array", "minItems": 2, "items": _POSITION}}}},
    "polygonGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"enum": ["Polygon"]}, "coordinates": {"type": "array", "items": _RING}}},
    "multipolygonGeoJSON": {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"enum": ["MultiPolygon"]},
        "coordinates": {"type": "array", "items": {"type": "array", "items": _RING}}}},
    "geometrycollectionGeoJSON": {"type": "object", "required": ["type", "geometries"], "properties": {
        "type": {"enum": ["GeometryCollection"]},
        "geometries": {"type": "array", "items": {"$ref": "#/$defs/geometryGeoJSON"}}}},
    "geometryGeoJSON": {"oneOf": [{"$ref": f"#/$defs/{name}GeoJSON"} for name in (
        "point", "multipoint", "linestring", "multilinestring", "polygon", "multipolygon", "geometrycollection")]},
    "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"enum": ["Feature"]}, "geometry": {"$ref": "#/$defs/geometryGeoJSON"},
        "properties": {"type": ["object", "null"]}, "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "links": {"$ref": "#/$defs/links"}}},
    "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {
        "type": {"enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"$ref": "#/$defs/featureGeoJSON"}},
        "links": {"$ref": "#/$defs/links"}, "timeStamp": {"type": "string", "format": "date-time"},
        "numberMatched": {"type": "integer", "minimum": 0}, "numberReturned": {"type": "integer", "minimum": 0}}},
    "exception": {"type": "object", "required": ["code"], "properties": {
        "code": {"type": "string"}, "description": {"type": "string"}}},
}


def assert_valid(document: Any, schema: str) -> None:
    # No format checker: jsonschema checks "date-time" only with an extra package; timeStamp is parsed instead.
    jsonschema.Draft202012Validator({"$ref": f"#/$defs/{schema}", "$defs": DEFS}).validate(document)


def rels(links: list[dict]) -> dict[str, dict]:
    return {link["rel"]: link for link in links}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Basic-auth memory and failure counts in a private cache, not the shared file cache under var/."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ogc-tests"}}
    yield
    cache.clear()


def current_features(slug: str = SLUG):
    return Feature.objects.filter(version__layer__slug=slug, version__is_current=True)


# --- landing page, conformance, API definition -------------------------------------------------------------


def test_the_service_url_without_its_slash_answers_the_same_landing_page(county_admin, client_for):
    client = client_for(county_admin)
    bare, slashed = client.get("/ogc"), client.get("/ogc/")
    assert bare.status_code == 200 and bare.json() == slashed.json()


def test_landing_page_links_the_api_definition_conformance_and_collections(county_admin, client_for):
    client = client_for(county_admin)
    response = client.get("/ogc/")
    # Req 1 /req/core/root-op, Req 2 /req/core/root-success: 200, landingPage.yaml, links to the API
    # definition (service-desc or service-doc), /conformance (conformance) and /collections (data).
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert_valid(body, "landingPage")
    links = rels(body["links"])
    assert {"self", "service-desc", "conformance", "data"} <= set(links)
    assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for rel in ("service-desc", "conformance", "data"):
        assert client.get(links[rel]["href"]).status_code == 200


def test_conformance_declares_core_geojson_oas30_and_part2_crs(county_admin, client_for):
    # Req 5 /req/core/conformance-op, Req 6 /req/core/conformance-success (confClasses.yaml).
    body = client_for(county_admin).get("/ogc/conformance").json()
    assert_valid(body, "confClasses")
    assert set(body["conformsTo"]) == {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    }


def test_api_definition_is_valid_openapi_30_and_every_path_answers(county_admin, client_for):
    client = client_for(county_admin)
    feature = current_features().order_by("index").first()
    # Req 3 /req/core/api-definition-op, Req 4 /req/core/api-definition-success; /req/oas30/oas-definition-1
    # (an OpenAPI 3.0 document, checked with the OAS 3.0 schema), /req/oas30/oas-impl (it is implemented).
    response = client.get("/ogc/api")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    api = response.json()
    validate_schema(api)
    assert api["servers"] == [{"url": "http://testserver/ogc"}]
    assert {"basicAuth", "tokenAuth"} <= set(api["components"]["securitySchemes"])  # /req/oas30/security
    for template in api["paths"]:
        path = template.replace("{collectionId}", SLUG).replace("{featureId}", str(feature.pk))
        assert client.get(api["servers"][0]["url"] + path).status_code == 200, template
    limit = next(p for p in api["paths"]["/collections/{collectionId}/items"]["get"]["parameters"] if p["name"]
                 == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1000}  # QGIS reads it


# --- collections -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "prefix"), [("county_admin", "371525-"), ("township_officer", "371525-"),
                                                 ("other_county_user", "371522-")])
def test_collections_lists_only_the_layers_the_user_may_see(personas, client_for, persona, prefix):
    client = client_for(personas[persona])
    body = client.get("/ogc/collections").json()
    # Req 11 /req/core/fc-md-op, Req 12 /req/core/fc-md-success (collections.yaml), Req 13 /req/core/fc-md-links.
    assert_valid(body, "collections")
    assert "self" in rels(body["links"])
    ids = [c["id"] for c in body["collections"]]
    assert ids and all(i.startswith(prefix) for i in ids)
    for collection in body["collections"]:
        # Req 14 /req/core/fc-md-items, Req 15 /req/core/fc-md-items-links: an `items` link per encoding.
        items = rels(collection["links"])["items"]
        assert items["type"] == "application/geo+json" and client.get(items["href"], {"limit": 1}).status_code == 200
        # Part 2 /req/crs/fc-md-crs-list: CRS84 first (the default), then EPSG:4490; storageCrs.
        assert collection["crs"] == [CRS84, CGCS2000] and collection["storageCrs"] == CGCS2000


def test_collection_extent_holds_every_feature_and_matches_the_list(county_admin, client_for):
    client = client_for(county_admin)
    body = client.get(f"/ogc/collections/{SLUG}").json()
    # Req 17 /req/core/sfc-md-op, Req 18 /req/core/sfc-md-success: the same content as in /collections.
    assert_valid(body, "collection")
    listed = next(c for c in client.get("/ogc/collections").json()["collections"] if c["id"] == SLUG)
    assert body == listed
    # Req 16 /req/core/fc-md-extent: the bbox (CRS84) includes all spatial geometries.
    (box,) = body["extent"]["spatial"]["bbox"]
    union = shapely.box(*box).buffer(1e-9)
    geoms = shapely.from_wkb([bytes(g.wkb) for g in current_features().values_list("geom", flat=True)])
    assert shapely.contains(union, geoms).all()


def test_other_countys_collection_and_features_are_404(county_admin, other_county_user, client_for):
    theirs = current_features(OTHER_SLUG).order_by("index").first()
    ours = current_features().order_by("index").first()
    for client, slug, feature in ((client_for(county_admin), OTHER_SLUG, theirs),
                                  (client_for(other_county_user), SLUG, ours)):
        for url in (f"/ogc/collections/{slug}", f"/ogc/collections/{slug}/items",
                    f"/ogc/collections/{slug}/items/{feature.pk}"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert_valid(response.json(), "exception")
    # Nor through a collection the user does see: the feature belongs to another layer.
    assert client_for(county_admin).get(f"/ogc/collections/{SLUG}/items/{theirs.pk}").status_code == 404


# --- items -------------------------------------------------------------------------------------------------


def test_items_response_has_the_required_structure(county_admin, client_for):
    response = client_for(county_admin).get(f"/ogc/collections/{SLUG}/items", {"limit": 5})
    # Req 19 /req/core/fc-op, Req 26 /req/core/fc-response, /req/geojson/content (featureCollectionGeoJSON.yaml).
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert_valid(body, "featureCollectionGeoJSON")
    # Req 27 /req/core/fc-links, Req 28 /req/core/fc-rel-type: self (and next while there are more).
    links = rels(body["links"])
    assert links["self"]["type"] == "application/geo+json" and "next" in links
    # Req 29 /req/core/fc-timeStamp (RFC 3339), Req 30 /req/core/fc-numberMatched, Req 31 /req/core/fc-numberReturned.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", body["timeStamp"])
    assert datetime.fromisoformat(body["timeStamp"])
    assert body["numberMatched"] == current_features().count()
    assert body["numberReturned"] == len(body["features"]) == 5
    # Part 2 /req/crs/ogc-crs-header: the CRS of the coordinates.
    assert response["Content-Crs"] == f"<{CRS84}>"


def test_items_paging_returns_every_feature_of_the_officers_township_once(township_officer, client_for):
    client = client_for(township_officer)
    expected = set(current_features().filter(region_code__startswith=TOWNSHIP).values_list("pk", flat=True))
    seen: list[int] = []
    url, params, pages = f"/ogc/collections/{SLUG}/items", {"limit": 300}, []
    while url:
        body = client.get(url, params).json()
        # Req 21 /req/core/fc-limit-response-1: no more features than `limit`.
        assert body["numberReturned"] <= 300 and body["numberMatched"] == len(expected)
        assert all(f["properties"]["region_code"].startswith(TOWNSHIP) for f in body["features"])
        seen += [f["id"] for f in body["features"]]
        pages.append(body)
        url, params = rels(body["links"]).get("next", {}).get("href"), {}
    assert len(pages) > 1 and len(seen) == len(set(seen)) and set(seen) == expected
    # The last page links back (prev) to the page before it.
    prev = client.get(rels(pages[-1]["links"])["prev"]["href"]).json()
    assert [f["id"] for f in prev["features"]] == [f["id"] for f in pages[-2]["features"]]


def test_township_officer_cannot_read_another_townships_parcel(township_officer, client_for):
    client = client_for(township_officer)
    own = current_features().filter(region_code__startswith=TOWNSHIP).order_by("index").first()
    other = current_features().exclude(region_code__startswith=TOWNSHIP).order_by("index").first()
    assert client.get(f"/ogc/collections/{SLUG}/items/{own.pk}").status_code == 200
    assert client.get(f"/ogc/collections/{SLUG}/items/{other.pk}").status_code == 404


def test_items_bbox_selects_exactly_the_features_whose_geometry_meets_it(county_admin, client_for):
    anchor = current_features().order_by("index")[1234]
    x, y = anchor.geom.point_on_surface.coords
    box = (x - 0.003, y - 0.002, x + 0.003, y + 0.002)
    body = client_for(county_admin).get(f"/ogc/collections/{SLUG}/items",
                                        {"bbox": ",".join(map(str, box)), "limit": 10000}).json()
    # Req 22 /req/core/fc-bbox-definition, Req 23 /req/core/fc-bbox-response: only features whose geometry
    # intersects the box — recomputed here with shapely over the whole layer.
    rows = list(current_features().values_list("pk", "geom"))
    hits = shapely.intersects(shapely.from_wkb([bytes(g.wkb) for _pk, g in rows]), shapely.box(*box))
    expected = {pk for (pk, _g), hit in zip(rows, hits, strict=True) if hit}
    assert anchor.pk in expected
    assert {f["id"] for f in body["features"]} == expected and body["numberMatched"] == len(expected)


def test_a_bbox_crossing_the_180th_meridian_is_valid_and_wraps_round(county_admin, client_for):
    # OGC API – Features 7.15.3: a bbox whose west edge is east of its east edge spans the antimeridian.
    client = client_for(county_admin)
    items = f"/ogc/collections/{SLUG}/items"
    none = client.get(items, {"bbox": "179,35,-179,37"})  # two degrees either side of 180°: not 冠县
    assert none.status_code == 200 and none.json()["numberMatched"] == 0
    wrapped = client.get(items, {"bbox": "100,35,-170,37", "limit": 1}).json()  # from 100°E round to 170°W
    plain = client.get(items, {"bbox": "100,35,180,37", "limit": 1}).json()
    # Changed with issue 10 (bounded cost): a bbox matching more than MATCH_COUNT_LIMIT features is not counted
    # (numberMatched is optional); both boxes hold the whole county, which the stored count states.
    assert current_features().count() > serving.MATCH_COUNT_LIMIT
    assert "numberMatched" not in wrapped and "numberMatched" not in plain
    assert wrapped["features"] == plain["features"] and {"next"} <= {link["rel"] for link in wrapped["links"]}
    whole = client.get(items, {"limit": 1}).json()
    assert whole["numberMatched"] == current_features().count()


def test_query_parameters_are_declared_with_explode_false(county_admin, client_for):
    api = client_for(county_admin).get("/ogc/api").json()
    params = {p["name"]: p for p in api["paths"]["/collections/{collectionId}/items"]["get"]["parameters"]}
    for name in ("limit", "bbox", "bbox-crs", "crs", "datetime"):
        assert params[name]["style"] == "form" and params[name]["explode"] is False, name


def test_crs_and_bbox_crs_4490_use_latitude_first(county_admin, client_for):
    client = client_for(county_admin)
    anchor = current_features().order_by("index")[1234]
    x, y = anchor.geom.point_on_surface.coords
    lonlat = client.get(f"/ogc/collections/{SLUG}/items", {"bbox": f"{x - 0.002},{y - 0.002},{x + 0.002},{y + 0.002}"})
    # Part 2 /req/crs/fc-bbox-crs-action, /req/crs/crs-action: EPSG:4490 is latitude, longitude.
    latlon = client.get(f"/ogc/collections/{SLUG}/items", {"bbox": f"{y - 0.002},{x - 0.002},{y + 0.002},{x + 0.002}",
                                                          "bbox-crs": CGCS2000, "crs": CGCS2000})
    assert latlon["Content-Crs"] == f"<{CGCS2000}>"
    a, b = lonlat.json(), latlon.json()
    assert [f["id"] for f in a["features"]] == [f["id"] for f in b["features"]] and a["features"]
    swapped = shapely.transform(shapely.geometry.shape(b["features"][0]["geometry"]), lambda xy: xy[:, ::-1])
    assert shapely.equals_exact(swapped, shapely.geometry.shape(a["features"][0]["geometry"]), tolerance=0)
    one = client.get(f"/ogc/collections/{SLUG}/items/{anchor.pk}", {"crs": CGCS2000})
    assert one["Content-Crs"] == f"<{CGCS2000}>"


@pytest.mark.parametrize("params", [
    {"bbox": "1,2,3"}, {"bbox": "115.4,36.5,115.5,36.4"}, {"limit": "0"}, {"limit": "-1"}, {"offset": "x"},
    {"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, {"bbox-crs": "EPSG:4326"}, {"datetime": "yesterday"},
    {"datetime": "../.."}, {"f": "html"},
])
def test_invalid_parameter_value_answers_400(county_admin, client_for, params):
    # Req 9 /req/core/query-param-invalid.
    response = client_for(county_admin).get(f"/ogc/collections/{SLUG}/items", params)
    assert response.status_code == 400
    assert_valid(response.json(), "exception")


def test_unknown_parameter_answers_400(county_admin, client_for):
    # Req 8 /req/core/query-param-unknown.
    client = client_for(county_admin)
    for url in ("/ogc/", "/ogc/collections", f"/ogc/collections/{SLUG}/items"):
        response = client.get(url, {"format": "json"})
        assert response.status_code == 400 and "format" in response.json()["description"]


@pytest.mark.parametrize("value",
                         ["2024-05-01T00:00:00Z", "2024-05-01", "2020-01-01T00:00:00Z/..", "../2024-12-31T23:59:59Z"])
def test_datetime_is_accepted_and_selects_every_feature_without_time(county_admin, client_for, value):
    # Req 24 /req/core/fc-time-definition, Req 25 /req/core/fc-time-response: features without a time match.
    body = client_for(county_admin).get(f"/ogc/collections/{SLUG}/items", {"datetime": value, "limit": 1}).json()
    assert body["numberMatched"] == current_features().count()


def test_feature_document_has_the_required_structure_and_links(county_admin, client_for):
    feature = current_features().order_by("index")[7]
    response = client_for(county_admin).get(f"/ogc/collections/{SLUG}/items/{feature.pk}")
    # Req 32 /req/core/f-op, Req 33 /req/core/f-success (featureGeoJSON.yaml), Req 34 /req/core/f-links.
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert_valid(body, "featureGeoJSON")
    links = rels(body["links"])
    assert links["self"]["href"].endswith(f"/items/{feature.pk}")
    assert links["collection"]["href"].endswith(f"/ogc/collections/{SLUG}")
    assert body["id"] == feature.pk and body["properties"]["area_m2"] == round(feature.area_m2, 2)
    assert client_for(county_admin).get(f"/ogc/collections/{SLUG}/items/abc").status_code == 404


# --- authentication ----------------------------------------------------------------------------------------


def test_anonymous_gets_401_json_with_a_basic_challenge_not_a_redirect(client):
    for url in ("/ogc/", "/ogc/api", "/ogc/collections", f"/ogc/collections/{SLUG}/items"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Basic realm=")
        assert_valid(response.json(), "exception")


def test_token_in_the_authorization_header_is_accepted(county_admin, client):
    token = Token.objects.create(user=county_admin)
    response = client.get(f"/ogc/collections/{SLUG}/items", {"limit": 1},
                          headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200


def _basic(username: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_basic_auth_lets_qgis_in_with_username_and_password(township_officer, client):
    good = _basic(township_officer.username, "landguard-demo")
    body = client.get(f"/ogc/collections/{SLUG}/items", {"limit": 50}, headers=good).json()
    assert body["numberMatched"] == current_features().filter(region_code__startswith=TOWNSHIP).count()
    assert client.get("/ogc/collections", headers=good).status_code == 200  # remembered: no second slow hash
    assert client.get("/ogc/", headers=_basic(township_officer.username, "wrong")).status_code == 401


def test_basic_auth_forgets_a_changed_password_and_brakes_guessing(township_officer, client):
    from landguard.layers.serving_views import BASIC_MAX_FAILURES

    good = _basic(township_officer.username, "landguard-demo")
    assert client.get("/ogc/", headers=good).status_code == 200
    township_officer.set_password("another-password")
    township_officer.save()
    assert client.get("/ogc/", headers=good).status_code == 401
    new = _basic(township_officer.username, "another-password")
    cache.set("layers:basic-failures:127.0.0.1", BASIC_MAX_FAILURES, 60)
    assert client.get("/ogc/", headers=new).status_code == 401  # right password, but this address is braked
    cache.delete("layers:basic-failures:127.0.0.1")
    assert client.get("/ogc/", headers=new).status_code == 200
