"""Read endpoints: every row inside the caller's scope, out-of-scope objects 404, filters, areas, GeoJSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from landguard.audit.models import AuditEntry
from landguard.core.geodesy import SQM_PER_MU
from landguard.demo.personas import DEMO_TOWNSHIP_CODE
from landguard.people.models import FieldChief, Grid, OrgUnit, User
from landguard.regions.models import CodeChange, Region

pytestmark = pytest.mark.django_db

# list URL → where each row says its region code
LIST_ENDPOINTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "/api/regions/": lambda row: row["code"],
    "/api/code-changes/": lambda row: row["region_code"],
    "/api/org-units/": lambda row: row["region"],
    "/api/users/": lambda row: row["scope_region"],
    "/api/grids/": lambda row: row["village"],
    "/api/field-chiefs/": lambda row: row["region"],
    "/api/audit-entries/": lambda row: row["region_code"],
    "/api/regions/geojson/": lambda feature: feature["id"],
    "/api/grids/geojson/": lambda feature: feature["properties"]["village"],
}


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def all_rows(client: APIClient, url: str, **params: Any) -> Iterator[dict[str, Any]]:
    page: str | None = url
    query: dict[str, Any] | None = {"page_size": 200, **params}
    while page:
        response = client.get(page, query)
        assert response.status_code == 200, (page, response.content[:300])
        body = response.json()
        yield from body.get("results", body.get("features", []))
        page, query = body["next"], None


@pytest.mark.parametrize("url", list(LIST_ENDPOINTS))
def test_township_officer_lists_only_rows_under_the_township(url, township_officer):
    codes = [LIST_ENDPOINTS[url](row) for row in all_rows(api(township_officer), url)]
    assert all(code.startswith(DEMO_TOWNSHIP_CODE) for code in codes), sorted(set(codes))[:10]
    if url != "/api/code-changes/":  # 清泉街道 was not recoded
        assert codes, f"{url} is empty for the township officer"


def test_audit_entries_list_rows_of_every_scoped_kind(county_admin):
    kinds = {row["target_type"] for row in all_rows(api(county_admin), "/api/audit-entries/", region_code="371525001")}
    assert {"regions.region", "people.user", "people.orgunit"} <= kinds


def _guanxian_objects() -> dict[str, str]:
    """Detail URL of one 冠县 object per resource."""
    inside = "371525102"  # 桑阿镇
    return {
        "region": f"/api/regions/{inside}/",
        "retired region": "/api/regions/371525209/",
        "code change": f"/api/code-changes/{CodeChange.objects.get(old_code='371525209').pk}/",
        "org unit": f"/api/org-units/{OrgUnit.objects.filter(region__code=inside).first().pk}/",
        "user": f"/api/users/{User.objects.get(username=f'officer_{inside}').pk}/",
        "grid": f"/api/grids/{Grid.objects.filter(village__code__startswith=inside).first().code}/",
        "field chief": f"/api/field-chiefs/{FieldChief.objects.filter(region__code=inside).first().pk}/",
        "audit entry": f"/api/audit-entries/{AuditEntry.objects.filter(region_code__startswith=inside).first().pk}/",
    }


def test_other_county_user_gets_404_for_guanxian_objects(other_county_user, county_admin):
    for kind, url in _guanxian_objects().items():
        assert api(county_admin).get(url).status_code == 200, kind
        assert api(other_county_user).get(url).status_code == 404, kind


def test_region_detail_and_filters(county_admin):
    client = api(county_admin)
    retired = client.get("/api/regions/371525209/").json()
    assert (retired["name"], retired["is_current"], retired["successor_code"]) == ("万善乡", False, "371525113")
    townships = {row["code"] for row in all_rows(client, "/api/regions/", parent="371525")}
    assert len(townships) == 18 and "371525209" not in townships
    with_retired = {row["code"] for row in all_rows(client, "/api/regions/", parent="371525", include_retired="true")}
    assert "371525209" in with_retired
    named = list(all_rows(client, "/api/regions/", name="清泉", level=4))
    assert [row["code"] for row in named] == [DEMO_TOWNSHIP_CODE]
    assert client.get("/api/regions/", {"level": 9}).status_code == 400


def test_areas_are_the_stored_ellipsoidal_area_in_three_units(county_admin):
    row = api(county_admin).get(f"/api/regions/{DEMO_TOWNSHIP_CODE}/").json()
    stored = Region.objects.get(code=DEMO_TOWNSHIP_CODE, retired_in__isnull=True).area_m2
    assert row["area_m2"] == stored
    assert row["area_ha"] == round(stored / 10_000, 4)
    assert row["area_mu"] == round(stored / SQM_PER_MU, 2)


def test_geojson_feature_collection_with_bbox_and_paging(county_admin):
    client = api(county_admin)
    body = client.get("/api/regions/geojson/", {"parent": DEMO_TOWNSHIP_CODE, "page_size": 5}).json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 5 and body["next"]
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "MultiPolygon" and feature["properties"]["area_mu"] > 0
    township = Region.objects.get(code=DEMO_TOWNSHIP_CODE, retired_in__isnull=True)
    village = Region.objects.filter(parent=township).order_by("code").first()
    x, y = village.geom.point_on_surface.coords
    box = f"{x - 1e-4},{y - 1e-4},{x + 1e-4},{y + 1e-4}"
    hits = [f["id"] for f in all_rows(client, "/api/regions/geojson/", bbox=box, level=5)]
    assert village.code in hits and len(hits) < 10
    grids = [f["properties"]["village"] for f in all_rows(client, "/api/grids/geojson/", bbox=box)]
    assert village.code in grids
    assert client.get("/api/regions/geojson/", {"bbox": "1,2,3"}).status_code == 400


def test_users_never_show_a_password(county_admin):
    row = api(county_admin).get("/api/users/", {"q": "qingquan"}).json()["results"][0]
    assert "password" not in row and not any("pbkdf2" in str(value) for value in row.values())


def test_township_officer_does_not_learn_names_of_out_of_scope_parents(township_officer):
    office = next(row for row in all_rows(api(township_officer), "/api/org-units/") if row["kind"] == "township_office")
    assert office["parent"] is not None and office["parent_name"] is None  # the county bureau: outside the scope
