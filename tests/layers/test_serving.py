"""Layer data for maps: GeoJSON pages (/layers/data/<slug>/features.geojson) and Mapbox vector tiles
(/layers/data/<slug>/tiles/z/x/y.pbf), on the demo's 冠县 地类图斑.

The tiles are read back with a protobuf / MVT decoder written here from the specs, independent of the
encoder, and pixel positions are recomputed with pyproj's EPSG:3857, not with the encoder's formula."""

from __future__ import annotations

import math
import struct

import pyproj
import pytest
import shapely
from django.urls import reverse

from landguard.core.geodesy import hectares, mu
from landguard.engine.landclass import classify
from landguard.engine.ownership import ownership_of
from landguard.layers import mvt
from landguard.layers.models import Feature, LayerVersion

pytestmark = pytest.mark.django_db

SLUG = "371525-dltb"
TOWNSHIP = "371525001"  # 清泉街道, the township officer's scope
MVT_TYPE = "application/vnd.mapbox-vector-tile"


def current_features(slug: str = SLUG):
    return Feature.objects.filter(version__layer__slug=slug, version__is_current=True)


def geojson(client, slug: str = SLUG, headers: dict | None = None, **params):
    return client.get(reverse("layerdata:features", args=[slug]), params, headers=headers)


def tile(client, z: int, x: int, y: int, slug: str = SLUG, headers: dict | None = None, **params):
    return client.get(reverse("layerdata:tile", args=[slug, z, x, y]), params, headers=headers)


# --- an independent reader for the tiles ------------------------------------------------------------------


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(buf: bytes):
    """(field number, wire type, value) of a protobuf message; packed fields come as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i:i + size], i + size
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        yield number, wire, value


def _packed(buf: bytes) -> list[int]:
    out, i = [], 0
    while i < len(buf):
        value, i = _varint(buf, i)
        out.append(value)
    return out


def _unzigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def _value(buf: bytes):
    ((number, _wire, raw),) = list(_fields(buf))
    return {1: lambda: raw.decode(), 2: lambda: struct.unpack("<f", raw)[0], 3: lambda: struct.unpack("<d", raw)[0],
            4: lambda: raw - (1 << 64) * (raw >> 63), 5: lambda: raw, 6: lambda: _unzigzag(raw),
            7: lambda: bool(raw)}[number]()


# Feature fields of the vector tile spec: 1 id, 2 tags (packed), 3 geometry type, 4 geometry (packed).
_FEATURE_FIELDS = {1: lambda value: {"id": value}, 2: lambda value: {"tags": _packed(value)},
                   3: lambda value: {"type": value}, 4: lambda value: {"geometry": _packed(value)}}


def _paths(commands: list[int]) -> list[tuple[list[tuple[int, int]], bool]]:
    """Geometry commands → [(points, closed)], checking the spec's rules on the way."""
    paths: list[tuple[list[tuple[int, int]], bool]] = []
    x = y = i = 0
    while i < len(commands):
        command, count = commands[i] & 7, commands[i] >> 3
        i += 1
        assert count >= 1
        if command == 7:  # ClosePath
            paths[-1] = (paths[-1][0], True)
            continue
        assert command in (1, 2), command
        if command == 1:
            paths.append(([], False))
        for _ in range(count):
            dx, dy = _unzigzag(commands[i]), _unzigzag(commands[i + 1])
            i += 2
            assert command == 1 or (dx, dy) != (0, 0), "a LineTo that does not move"
            x, y = x + dx, y + dy
            paths[-1][0].append((x, y))
    return paths


def decode(body: bytes) -> dict[str, dict]:
    """{layer name: {"version", "extent", "features": {id: {"type", "properties", "paths"}}}}."""
    layers = {}
    for number, _wire, layer_buf in _fields(body):
        assert number == 3
        layer = {"version": 1, "extent": 4096, "keys": [], "values": [], "raw": []}
        for field, _w, value in _fields(layer_buf):
            if field == 1:
                layer["name"] = value.decode()
            elif field == 2:
                layer["raw"].append(value)
            elif field == 3:
                layer["keys"].append(value.decode())
            elif field == 4:
                layer["values"].append(_value(value))
            elif field == 5:
                layer["extent"] = value
            elif field == 15:
                layer["version"] = value
        features = {}
        for raw in layer["raw"]:
            f = {"tags": [], "geometry": []}
            for field, _w, value in _fields(raw):
                f.update(_FEATURE_FIELDS[field](value))
            tags = f["tags"]
            features[f["id"]] = {"type": f["type"], "paths": _paths(f["geometry"]),
                                 "properties": {layer["keys"][k]: layer["values"][v] for k,
                                                v in zip(tags[::2], tags[1::2], strict=True)}}
        layers[layer["name"]] = {"version": layer["version"], "extent": layer["extent"], "features": features}
    return layers


def _ring_area(points: list[tuple[int, int]]) -> float:
    """The spec's surveyor's formula in tile coordinates (positive: exterior ring)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True)) / 2


# Web Mercator from pyproj (EPSG:3857), not from the code under test.
TO_MERCATOR = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
HALF_WORLD = 20037508.342789244


def pixel(lon: float, lat: float, z: int, x: int, y: int) -> tuple[float, float]:
    mx, my = TO_MERCATOR.transform(lon, lat)
    size = 2 * HALF_WORLD / 2**z
    return ((mx + HALF_WORLD) / size - x) * 4096, ((HALF_WORLD - my) / size - y) * 4096


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    px, py = pixel(lon, lat, z, 0, 0)
    return int(px // 4096), int(py // 4096)


def parcel_inside_its_tile(z: int, region_prefix: str = TOWNSHIP, exclude_prefix: str | None = None
                           ) -> tuple[Feature, int, int]:
    """A parcel (default: of 清泉街道) lying wholly inside one zoom-z tile (so nothing of it is clipped)."""
    candidates = current_features().filter(region_code__startswith=region_prefix)
    if exclude_prefix:
        candidates = candidates.exclude(region_code__startswith=exclude_prefix)
    for feature in candidates.order_by("index")[:200]:
        lon0, lat0, lon1, lat1 = feature.geom.extent
        x, y = tile_of(lon0, lat1, z)
        if tile_of(lon1, lat0, z) == (x, y):
            return feature, x, y
    raise AssertionError("no parcel fits in one tile")


# --- GeoJSON ---------------------------------------------------------------------------------------------


def test_geojson_pages_cover_every_feature_in_the_officers_scope_once(township_officer, client_for):
    client = client_for(township_officer)
    expected = set(current_features().filter(region_code__startswith=TOWNSHIP).values_list("pk", flat=True))
    seen: list[int] = []
    url, params = reverse("layerdata:features", args=[SLUG]), {"limit": 250}
    while url:
        response = client.get(url, params)
        assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
        body = response.json()
        assert body["numberMatched"] == len(expected)
        assert body["numberReturned"] == len(body["features"]) <= 250
        assert all(f["properties"]["region_code"].startswith(TOWNSHIP) for f in body["features"])
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        params = {}
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_geojson_properties_carry_the_official_area_in_three_units_and_the_land_class(county_admin, client_for):
    feature = current_features().order_by("index").first()
    body = geojson(client_for(county_admin), limit=1).json()
    (served,) = body["features"]
    props = served["properties"]
    assert served["id"] == feature.pk and body["layer"] == SLUG and body["version"] == 1
    assert (props["feature_no"] == feature.fid and "fid" not in props and props["code"] == feature.code
            and props["region_code"] == feature.region_code)
    assert props["area_m2"] == round(feature.area_m2, 2)
    assert props["area_ha"] == hectares(feature.area_m2) and props["area_mu"] == mu(feature.area_m2)
    assert props["land_class"] == classify(feature.code).name
    # 权属性质 as stored and its class (the demo DLTB carries QSXZ): docs/serving.md
    assert props["qsxz"] == feature.qsxz and feature.qsxz in {"10", "20", "30", "31", "32", "40"}
    assert props["ownership"] == str(ownership_of(feature.qsxz).label)
    assert props["BSM"] == feature.properties["BSM"] and props["DLBM"] == feature.code  # source attributes too
    served_geom = shapely.geometry.shape(served["geometry"])
    assert shapely.equals_exact(served_geom, shapely.from_wkb(bytes(feature.geom.wkb)), tolerance=1e-9)


def test_geojson_bbox_selects_exactly_the_features_whose_geometry_meets_it(county_admin, client_for):
    anchor = current_features().order_by("index")[500]
    x, y = anchor.geom.point_on_surface.coords
    box = (x - 0.004, y - 0.003, x + 0.004, y + 0.003)
    body = geojson(client_for(county_admin), bbox=",".join(map(str, box)), limit=10000).json()
    rows = list(current_features().values_list("pk", "geom"))
    geoms = shapely.from_wkb([bytes(g.wkb) for _pk, g in rows])
    expected = {pk for (pk, _g), hit in zip(rows, shapely.intersects(geoms, shapely.box(*box)), strict=True) if hit}
    assert anchor.pk in expected
    assert {f["id"] for f in body["features"]} == expected and body["numberMatched"] == len(expected)


def test_geojson_limit_above_the_maximum_is_capped_with_a_next_link(county_admin, client_for):
    body = geojson(client_for(county_admin), limit=50_000).json()
    assert body["numberReturned"] == 10_000 < body["numberMatched"]
    next_link = next(link["href"] for link in body["links"] if link["rel"] == "next")
    assert "offset=10000" in next_link and "limit=10000" in next_link


@pytest.mark.parametrize(("params", "named"), [
    ({"bbox": "115.4,36.4,115.5"}, "bbox"), ({"bbox": "a,b,c,d"}, "bbox"), ({"bbox": "115.4,36.5,115.5,36.4"}, "bbox"),
    ({"bbox": "115,36,200,37"}, "bbox"), ({"limit": "0"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"offset": "-5"}, "offset"), ({"v": "latest"}, "v"),
])
def test_geojson_bad_parameter_answers_400_naming_it(county_admin, client_for, params, named):
    response = geojson(client_for(county_admin), **params)
    assert response.status_code == 400
    assert f"参数 {named} " in response.json()["description"]


def test_geojson_serves_an_older_version_by_number_and_404s_a_missing_one(county_admin, client_for):
    client = client_for(county_admin)
    assert geojson(client, v="1").json()["version"] == 1
    assert geojson(client, v="99").status_code == 404


def test_other_countys_layer_is_absent_for_geojson_and_tiles(county_admin, other_county_user, client_for):
    assert geojson(client_for(county_admin), slug="371522-dltb").status_code == 404
    assert tile(client_for(county_admin), 10, 840, 400, slug="371522-dltb").status_code == 404
    assert geojson(client_for(other_county_user)).status_code == 404
    assert geojson(client_for(other_county_user), slug="371522-dltb").status_code == 200


def _basic(username: str, password: str = "landguard-demo") -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_anonymous_gets_401_json_and_a_token_is_accepted(county_admin, client):
    from rest_framework.authtoken.models import Token

    response = geojson(client)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic realm=")
    assert response.json()["code"] == "Unauthorized"
    token = Token.objects.create(user=county_admin)
    assert geojson(client, limit=1, headers={"Authorization": f"Token {token.key}"}).status_code == 200
    assert geojson(client, headers={"Authorization": "Token not-a-token"}).status_code == 401


def test_a_map_pages_own_requests_are_challenged_without_basic_so_no_password_dialog_pops_up(client):
    # MapLibre's fetch() after the session expired: the browser sends Sec-Fetch-Mode: cors.
    response = tile(client, 12, 3372, 1570, headers={"Sec-Fetch-Mode": "cors"})
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_tiles_and_geojson_take_http_basic_as_qgis_3_22_sends_it(township_officer, client, settings):
    # Deliberately reversed (issue 10): tiles once refused Basic, so QGIS 3.22 — which sends no token header —
    # got 401 on every tile. Now every data endpoint takes Basic, scoped to the user as anywhere else.
    settings.CACHES = {**settings.CACHES,
                       "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "basic"}}
    z = 16
    feature, x, y = parcel_inside_its_tile(z, region_prefix=TOWNSHIP)
    response = tile(client, z, x, y, headers=_basic(township_officer.username))
    assert response.status_code == 200 and feature.pk in decode(response.content)[SLUG]["features"]
    outside, ox, oy = parcel_inside_its_tile(z, region_prefix="371525", exclude_prefix=TOWNSHIP)
    served = decode(tile(client, z, ox, oy, headers=_basic(township_officer.username)).content)
    assert outside.pk not in served.get(SLUG, {"features": {}})["features"]
    body = geojson(client, limit=5, headers=_basic(township_officer.username)).json()
    assert body["numberMatched"] == current_features().filter(region_code__startswith=TOWNSHIP).count()
    assert tile(client, z, x, y, headers=_basic(township_officer.username, "wrong")).status_code == 401


def test_a_tile_key_opens_only_that_layers_tiles_for_its_user_until_it_expires(township_officer, client, monkeypatch):
    from django.core import signing

    from landguard.layers import tile_keys

    z = 16
    feature, x, y = parcel_inside_its_tile(z, region_prefix=TOWNSHIP)
    key = tile_keys.issue(township_officer, SLUG)
    response = tile(client, z, x, y, key=key)
    assert response.status_code == 200 and feature.pk in decode(response.content)[SLUG]["features"]
    outside, ox, oy = parcel_inside_its_tile(z, region_prefix="371525", exclude_prefix=TOWNSHIP)
    assert outside.pk not in decode(tile(client, z, ox, oy, key=key).content).get(SLUG, {"features": {}})["features"]
    assert geojson(client, key=key).status_code == 401  # tiles only
    assert client.get(f"/ogc/collections/{SLUG}/items", {"key": key}).status_code == 401
    other = Feature.objects.exclude(version__layer__slug=SLUG).values_list("version__layer__slug", flat=True).first()
    assert tile(client, z, x, y, slug=other, key=key).status_code == 401  # one layer only
    assert tile(client, z, x, y, key=key[:-2] + "xx").status_code == 401  # tampered
    # Issued 31 days ago: past LANDGUARD_TILE_KEY_DAYS (30).
    import time

    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 31 * 86400)
    old = tile_keys.issue(township_officer, SLUG)
    monkeypatch.setattr(signing.time, "time", real)
    assert tile(client, z, x, y, key=old).status_code == 401
    township_officer.set_password("another-password")
    township_officer.save()
    assert tile(client, z, x, y, key=key).status_code == 401  # a password change revokes every key


def test_tile_keys_never_reach_a_log_line():
    import logging

    from django.conf import settings

    from landguard.core.logredact import RedactSecrets

    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /layers/data/x/tiles/1/2/3.pbf?v=2&key=abc.def:ghi HTTP/1.1", "200", "12"), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '"GET /layers/data/x/tiles/1/2/3.pbf?v=2&key=[redacted] HTTP/1.1" 200 12'
    handlers = settings.LOGGING["handlers"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["server"]
    assert all(handler["filters"] == ["redact"] for handler in handlers.values())


# --- vector tiles ----------------------------------------------------------------------------------------


def test_tile_puts_a_known_parcel_on_its_pixels_with_its_attributes(county_admin, client_for):
    z = 16
    feature, x, y = parcel_inside_its_tile(z)
    response = tile(client_for(county_admin), z, x, y)
    assert response.status_code == 200 and response["Content-Type"] == MVT_TYPE
    layer = decode(response.content)[SLUG]
    assert layer["version"] == 2 and layer["extent"] == 4096
    served = layer["features"][feature.pk]
    assert served["type"] == 3  # POLYGON
    assert served["properties"] == {"feature_no": feature.fid, "code": feature.code,
                                    "area_m2": round(feature.area_m2, 2)}
    polygon = shapely.from_wkb(bytes(feature.geom.wkb))
    (exterior, closed), *holes = served["paths"]
    assert closed and not holes
    assert _ring_area(exterior) > 0  # exterior rings wind positively in tile coordinates (spec 4.3.4.4)
    expected = [pixel(lon, lat, z, x, y) for lon, lat in shapely.get_coordinates(shapely.get_exterior_ring(
        shapely.get_geometry(polygon, 0)))[:-1]]
    # Every vertex lands within rounding of where it belongs (two within one unit may merge into one).
    for px, py in expected:
        assert min(math.hypot(px - qx, py - qy) for qx, qy in exterior) <= 1.0
    for qx, qy in exterior:
        assert min(math.hypot(px - qx, py - qy) for px, py in expected) <= 1.0


def test_township_officer_tile_holds_only_their_townships_features(county_admin, township_officer, client_for):
    # A zoom-12 tile around 清泉街道's first parcel also covers parcels of the neighbouring townships.
    feature = current_features().filter(region_code__startswith=TOWNSHIP).order_by("index").first()
    lon, lat = feature.geom.point_on_surface.coords
    x, y = tile_of(lon, lat, 12)
    everyone = set(decode(tile(client_for(county_admin), 12, x, y).content)[SLUG]["features"])
    officers = set(decode(tile(client_for(township_officer), 12, x, y).content)[SLUG]["features"])
    regions = dict(current_features().filter(pk__in=everyone).values_list("pk", "region_code"))
    theirs = {pk for pk, code in regions.items() if code.startswith(TOWNSHIP)}
    assert feature.pk in officers and len(theirs) < len(everyone)  # the tile does reach other townships
    assert officers == theirs


def test_county_wide_low_zoom_tile_follows_the_spec_after_simplifying(county_admin, client_for):
    version = LayerVersion.objects.get(layer__slug=SLUG, is_current=True)
    lon, lat = version.extent.centroid.coords
    x, y = tile_of(lon, lat, 9)
    layer = decode(tile(client_for(county_admin), 9, x, y).content)[SLUG]
    assert len(layer["features"]) > 1000
    for feature in layer["features"].values():  # _paths has checked every LineTo moves
        exterior, *rings = feature["paths"]
        assert exterior[1] and len(exterior[0]) >= 3 and _ring_area(exterior[0]) > 0
        assert all(closed and len(points) >= 3 for points, closed in rings)


def test_empty_tile_is_an_empty_200_and_cached_privately(county_admin, client_for):
    response = tile(client_for(county_admin), 10, 0, 0)
    assert response.status_code == 200 and response.content == b""
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(("z", "x", "y"), [(23, 0, 0), (3, 8, 0), (3, 0, 8)])
def test_tile_outside_the_grid_answers_400(county_admin, client_for, z, x, y):
    response = tile(client_for(county_admin), z, x, y)
    assert response.status_code == 400 and "瓦片" in response.json()["description"]


# --- the encoder on shapes the demo lacks ------------------------------------------------------------------


def _encode(geoms, z: int, x: int, y: int) -> dict:
    body = mvt.encode_tile("t", z, x, y, ids=list(range(1, len(geoms) + 1)), geoms=geoms,
                           attributes={"n": list(range(len(geoms)))})
    return decode(body)["t"]["features"] if body else {}


def test_encoder_winds_holes_negatively_and_drops_a_shape_the_tile_only_meets_by_bounding_box():
    z, (x, y) = 15, tile_of(115.45, 36.48, 15)
    west, north = 115.45 - 0.02, 36.48 + 0.02
    frame = shapely.Polygon(shapely.box(west, north - 0.04, west + 0.04, north).exterior.coords,
                            [shapely.box(west + 0.005, north - 0.035, west + 0.035, north - 0.005).exterior.coords])
    assert _encode([frame], z, x, y) == {}  # the tile lies in the hole: nothing to draw
    small = shapely.Polygon(shapely.box(115.449, 36.479, 115.451, 36.481).exterior.coords,
                            [shapely.box(115.4495, 36.4795, 115.4505, 36.4805).exterior.coords])
    (exterior, closed), (hole, hole_closed) = _encode([small], z, x, y)[1]["paths"]
    assert closed and hole_closed and _ring_area(exterior) > 0 > _ring_area(hole)


def test_encoder_writes_lines_and_point_sets_as_the_spec_says():
    z, (x, y) = 15, tile_of(115.45, 36.48, 15)
    line = shapely.LineString([(115.449, 36.479), (115.450, 36.480), (115.451, 36.479)])
    points = shapely.MultiPoint([(115.4495, 36.4795), (115.4505, 36.4805)])
    features = _encode([line, points], z, x, y)
    assert features[1]["type"] == 2 and [closed for _p, closed in features[1]["paths"]] == [False]
    assert len(features[1]["paths"][0][0]) == 3
    assert features[2]["type"] == 1 and len(features[2]["paths"]) == 1  # one MoveTo for both points
    expected = [pixel(lon, lat, z, x, y) for lon, lat in shapely.get_coordinates(points)]
    for (qx, qy), (px, py) in zip(features[2]["paths"][0][0], expected, strict=True):
        assert abs(qx - px) <= 0.5 and abs(qy - py) <= 0.5
    assert features[2]["properties"] == {"n": 1}


def test_served_features_copy_into_a_geopackage_through_gdal(county_admin, client_for, tmp_path):
    """What `ogr2ogr -f GPKG` does with the service's GeoJSON: a string property called "fid" collides with the
    GeoPackage's own integer FID and GDAL refuses the copy; the served properties must not use that name."""
    import pyogrio.raw

    source = tmp_path / "served.geojson"
    source.write_bytes(geojson(client_for(county_admin), limit=5).content)
    meta, _fids, geometry, fields = pyogrio.raw.read(source)
    target = tmp_path / "copy.gpkg"
    pyogrio.raw.write(target, geometry, fields, fields=meta["fields"], geometry_type="MultiPolygon", crs="EPSG:4490",
                      driver="GPKG")
    copied, *_rest = pyogrio.raw.read(target)
    assert "feature_no" in list(copied["fields"]) and len(_rest[1]) == 5
