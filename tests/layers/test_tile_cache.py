"""Vector tiles built once per (layer version, scope, z/x/y, encoding) and served with a strong ETag
(layers/tile_cache.py), on the demo's 冠县 地类图斑 and on both databases. That a tile came from the cache is
proved by counting the builds (tiles.tile) and by the queries: a cached tile reads no feature row."""

from __future__ import annotations

import json

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from landguard.core.scope import scope_for
from landguard.layers import mvt, tile_cache, tiles
from landguard.layers.models import Feature, LayerVersion

pytestmark = pytest.mark.django_db

SLUG = "371525-dltb"
TOWNSHIP = "371525001"  # 清泉街道, the township officer's scope
FEATURE_TABLE = Feature._meta.db_table


def _url(z: int, x: int, y: int, slug: str = SLUG, **query) -> str:
    url = reverse("layerdata:tile", args=[slug, z, x, y])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _features(body: bytes, slug: str = SLUG) -> set[int]:
    decoded = mapbox_vector_tile.decode(body)
    return {f["id"] for f in decoded.get(slug, {"features": []})["features"]}


def _border_tile(z: int = 12) -> tuple[int, int, int]:
    """A tile around 清泉街道's first parcel that also holds parcels of neighbouring townships."""
    feature = Feature.objects.filter(version__layer__slug=SLUG, version__is_current=True,
                                     region_code__startswith=TOWNSHIP).order_by("index").first()
    lon, lat = feature.geom.point_on_surface.coords
    return (z, *mvt.tile_containing(lon, lat, z))


@pytest.fixture
def builds(monkeypatch) -> list[tuple]:
    """Every tile actually built (tiles.tile called) during the test, with its scope key and z/x/y."""
    calls: list[tuple] = []
    build = tiles.tile

    def counting(scope, version, z, x, y):
        calls.append((scope.key(), version.pk, z, x, y))
        return build(scope, version, z, x, y)

    monkeypatch.setattr(tiles, "tile", counting)
    return calls


def test_a_second_request_for_a_tile_is_served_from_the_cache_without_reading_a_feature(
        county_admin, client_for, builds):
    client = client_for(county_admin)
    z, x, y = _border_tile()
    first = client.get(_url(z, x, y))
    assert first.status_code == 200 and len(_features(first.content)) > 10
    assert len(builds) == 1
    with CaptureQueriesContext(connection) as queries:
        second = client.get(_url(z, x, y))
    assert second.status_code == 200 and second.content == first.content
    assert len(builds) == 1  # not built again
    assert not [q["sql"] for q in queries.captured_queries if FEATURE_TABLE in q["sql"]]


def test_an_empty_tile_is_cached_too(county_admin, client_for, builds):
    client = client_for(county_admin)
    assert client.get(_url(10, 0, 0)).content == b""
    assert client.get(_url(10, 0, 0)).content == b""
    assert len(builds) == 1


def test_a_client_holding_the_tile_gets_a_304_with_the_same_validators(county_admin, client_for, builds):
    client = client_for(county_admin)
    z, x, y = _border_tile()
    first = client.get(_url(z, x, y))
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 20  # strong: not W/"…"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(_url(z, x, y), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert "private" in again["Cache-Control"] and "max-age=300" in again["Cache-Control"]
    assert {"Cookie", "Authorization"} <= {v.strip() for v in again["Vary"].split(",")}
    assert not [q["sql"] for q in queries.captured_queries if FEATURE_TABLE in q["sql"]]
    assert len(builds) == 1
    # A list holding it matches too; another tag does not, and gets the tile
    assert client.get(_url(z, x, y), headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    other = client.get(_url(z, x, y), headers={"If-None-Match": '"not-this-tile"'})
    assert other.status_code == 200 and other.content == first.content and other["ETag"] == etag


def test_neighbouring_tiles_and_zooms_have_their_own_etags(county_admin, client_for):
    client = client_for(county_admin)
    z, x, y = _border_tile()
    tags = {client.get(_url(*t))["ETag"] for t in ((z, x, y), (z, x + 1, y), (z, x, y + 1), (z + 1, 2 * x, 2 * y))}
    assert len(tags) == 4


def test_users_of_different_scopes_get_separate_entries_and_never_each_others_tile(
        county_admin, township_officer, client_for, builds):
    z, x, y = _border_tile()
    county, township = client_for(county_admin), client_for(township_officer)
    everyone = county.get(_url(z, x, y))
    officers = township.get(_url(z, x, y))  # after the county's tile was cached
    assert len(builds) == 2 and builds[0][0] != builds[1][0]  # built once for each scope
    assert everyone["ETag"] != officers["ETag"]
    assert tile_cache.cache_key(scope_for(county_admin), _version(), z, x, y) != \
        tile_cache.cache_key(scope_for(township_officer), _version(), z, x, y)
    theirs = set(Feature.objects.filter(pk__in=_features(everyone.content), region_code__startswith=TOWNSHIP)
                 .values_list("pk", flat=True))
    assert theirs and _features(officers.content) == theirs
    assert len(_features(everyone.content)) > len(theirs)  # the county's tile holds the neighbours' parcels
    # Each again, now both are cached: each still gets their own
    assert _features(township.get(_url(z, x, y)).content) == theirs
    assert county.get(_url(z, x, y)).content == everyone.content
    assert len(builds) == 2
    # The county's validator never confirms the officer's copy, nor the other way round
    assert township.get(_url(z, x, y), headers={"If-None-Match": everyone["ETag"]}).status_code == 200
    assert county.get(_url(z, x, y), headers={"If-None-Match": officers["ETag"]}).status_code == 200


def test_the_township_officer_first_does_not_leave_the_county_a_partial_tile(
        county_admin, township_officer, client_for):
    z, x, y = _border_tile()
    officers = _features(client_for(township_officer).get(_url(z, x, y)).content)
    everyone = _features(client_for(county_admin).get(_url(z, x, y)).content)
    assert officers < everyone


def _version() -> LayerVersion:
    return LayerVersion.objects.select_related("layer").get(layer__slug=SLUG, is_current=True)


def _geojson(path, features) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(f.geom.json), "properties": {"BSM": f"T{i}"}}
        for i, f in enumerate(features)]}), encoding="utf-8")


def test_a_new_layer_version_changes_the_etag_and_the_tile(county_admin, client_for, tmp_path):
    from landguard.layers.services import import_layer
    from landguard.regions.models import Region

    county = Region.objects.get(code="371525", retired_in__isnull=True)
    a, *others = _version().features.filter(region_code__startswith=TOWNSHIP).order_by("index")[:50]
    z = 10
    x, y = mvt.tile_containing(*a.geom.point_on_surface.coords, z)
    b = next(f for f in others if mvt.tile_containing(*f.geom.point_on_surface.coords, z) == (x, y))
    first = tmp_path / "v1.geojson"
    _geojson(first, [a])
    layer = import_layer(first, kind="project", name="瓦片缓存", region=county).layer
    client = client_for(county_admin)
    v1 = client.get(_url(z, x, y, slug=layer.slug))
    assert v1.status_code == 200 and len(_features(v1.content, layer.slug)) == 1

    second = tmp_path / "v2.geojson"
    _geojson(second, [a, b])
    import_layer(second, kind="project", name="瓦片缓存", region=county, layer=layer, publish=True)
    v2 = client.get(_url(z, x, y, slug=layer.slug), headers={"If-None-Match": v1["ETag"]})
    assert v2.status_code == 200 and v2["ETag"] != v1["ETag"]  # the held copy is v1's: not confirmed
    assert len(_features(v2.content, layer.slug)) == 2 and _features(v2.content, layer.slug) != \
        _features(v1.content, layer.slug)
    # The old version by number keeps its validator and its content
    old = client.get(_url(z, x, y, slug=layer.slug, v=1), headers={"If-None-Match": v1["ETag"]})
    assert old.status_code == 304 and old["ETag"] == v1["ETag"]


def test_a_change_of_the_tile_rule_changes_the_etag(county_admin, client_for, monkeypatch):
    client = client_for(county_admin)
    z, x, y = _border_tile()
    before = client.get(_url(z, x, y))["ETag"]
    monkeypatch.setattr(tile_cache, "RULE_REVISION", tile_cache.RULE_REVISION + 1)
    assert client.get(_url(z, x, y), headers={"If-None-Match": before})["ETag"] != before
