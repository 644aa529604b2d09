"""The causes of the HTTP 500s schemathesis found, one test each: malformed ids in custom routes, filters with
values no database holds, and the schema's own shape (paginated or not, GeoJSON, nullable fields, enum names)."""

from __future__ import annotations

import json
import warnings

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from landguard.people.models import User
from landguard.projects.models import Problem, Project, ServiceRequest

pytestmark = pytest.mark.django_db


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(client: APIClient, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


MALFORMED_IDS = ["false", "null,null", "1.5", "-1", "%20"]


@pytest.mark.parametrize("bad", MALFORMED_IDS)
def test_custom_routes_answer_404_for_an_id_that_is_not_a_number(county_admin, bad):
    client = api(county_admin)
    for url in (f"/api/problems/{bad}/close/", f"/api/problems/{bad}/escalate/", f"/api/problems/{bad}/resolve/",
                f"/api/problems/{bad}/reopen/", f"/api/service-requests/{bad}/resolve/",
                f"/api/projects/{bad}/boundary/"):
        assert _post(client, url,
                     {"note": "x", "resolution": "x", "outcome": "x", "boundary": {}}).status_code == 404, url
    assert client.patch(f"/api/projects/{bad}/", {"name": "x"}, format="json").status_code == 404
    for url in (f"/api/users/{bad}/", f"/api/supervision/clues/{bad}/", f"/api/jobs/{bad}/"):
        assert client.get(url).status_code == 404, url


def test_ids_beyond_any_database_integer_are_absent_not_an_error(county_admin):
    client = api(county_admin)
    huge = "9" * 30
    assert _post(client, f"/api/problems/{huge}/close/").status_code == 404
    assert client.patch(f"/api/projects/{huge}/", {"name": "x"}, format="json").status_code == 404
    assert _post(client, f"/api/projects/steps/{huge}/start/").status_code == 404
    assert client.get(f"/api/users/{huge}/").status_code == 404


def test_numeric_ids_still_reach_the_custom_routes(county_admin):
    client = api(county_admin)
    problem = Problem.objects.filter(region_code__startswith="371525", status=Problem.Status.OPEN).first()
    project = Project.objects.filter(region_code__startswith="371525").first()
    assert client.get(f"/api/problems/{problem.pk}/").status_code == 200
    assert _post(client, f"/api/problems/{problem.pk}/escalate/", {"note": "提请协调"}).json()["status"] == "escalated"
    assert client.patch(f"/api/projects/{project.pk}/", {"leader": "张三"}, format="json").json()["leader"] == "张三"
    request_pk = ServiceRequest.objects.filter(region_code__startswith="371525").first().pk
    assert client.get(f"/api/service-requests/{request_pk}/").status_code == 200


@pytest.mark.parametrize("param, value", [("superior", "3.402823466e+38"), ("user", "1.5"), ("superior", "0"),
                                          ("user", str(2**63))])
def test_id_filters_refuse_values_no_row_can_have_naming_the_parameter(county_admin, param, value):
    response = api(county_admin).get("/api/field-chiefs/", {param: value})
    assert response.status_code == 400 and param in response.json()


@pytest.mark.parametrize("param", ["since", "until"])
@pytest.mark.parametrize("value",
                         ["2025-01-01T00:00:00+19:47", "2025-01-01T00:00:00-15:00", "0001-01-01T00:00:00+08:00",
                                   "9999-12-31T23:59:59-08:00", "not-a-date"])
def test_datetime_filters_refuse_offsets_and_instants_a_database_cannot_store(county_admin, param, value):
    # PostgreSQL answered "time zone displacement out of range" (a 500) for …+19:47; both databases now say 400.
    response = api(county_admin).get("/api/audit-entries/", {param: value})
    assert response.status_code == 400, response.content
    assert param in response.json()


def test_datetime_filters_accept_real_time_zones(county_admin):
    client = api(county_admin)
    everything = client.get("/api/audit-entries/").json()["count"]
    for value in ("2000-01-01T00:00:00+08:00", "2000-01-01T00:00:00+14:00", "2000-01-01T00:00:00-12:00",
                  "2000-01-01T00:00:00Z", "2000-01-01T08:00:00"):
        response = client.get("/api/audit-entries/", {"since": value})
        assert response.status_code == 200 and response.json()["count"] == everything, value
    assert client.get("/api/audit-entries/", {"until": "2000-01-01T00:00:00+05:45"}).json()["count"] == 0


# --- the schema says what the responses are ---------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    with warnings.catch_warnings(record=True):
        return SchemaGenerator().get_schema(request=None, public=True)


def test_layer_versions_are_documented_as_the_bare_array_they_are(county_admin, schema):
    body = api(county_admin).get("/api/layers/").json()
    versions = api(county_admin).get(f"/api/layers/{body['results'][0]['slug']}/versions/").json()
    assert isinstance(versions, list) and versions
    operation = schema["paths"]["/api/layers/{slug}/versions/"]["get"]
    documented = operation["responses"]["200"]["content"]["application/json"]
    assert documented["schema"]["type"] == "array"


@pytest.mark.parametrize("url", ["/api/regions/geojson/", "/api/grids/geojson/"])
def test_geojson_pages_are_documented_as_feature_collections_without_results(url, schema):
    ref = schema["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    paged = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    collection, paging = paged["allOf"]
    assert set(paging["required"]) == {"type", "count", "features"} and "results" not in json.dumps(paged)
    features = schema["components"]["schemas"][collection["$ref"].rsplit("/", 1)[1]]["properties"]["features"]
    assert features["type"] == "array"


def test_fields_that_can_be_null_are_documented_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Region"]["properties"]["retired_in"]["nullable"] is True
    assert components["Region"]["properties"]["area_ha"]["nullable"] is True
    assert components["LayerVersion"]["properties"]["imported_by"]["nullable"] is True
    assert components["Project"]["properties"]["service_group"]["nullable"] is True


def test_enum_names_do_not_collide(schema):
    components = schema["components"]["schemas"]
    assert "ServiceRequestKindEnum" in components and "ProjectLevelEnum" in components
    assert not [name for name in components if name.startswith(("Kind", "Level")) and name.endswith("Enum")]


REGION_WRITES = [("/api/quotas/entries/allocate/", "region"), ("/api/quotas/entries/transfer/", "source_region"),
                 ("/api/projects/", "region"), ("/api/org-units/", "region")]


@pytest.mark.parametrize("url, field", REGION_WRITES)
@pytest.mark.parametrize("bad", ["37\x001525", "371525\x00", "©4\x12", "３７１５２５", "1" * 40, True, 3.5])
def test_a_region_code_that_is_not_one_is_refused_naming_the_field(county_admin, url, field, bad):
    # a NUL byte once reached PostgreSQL from the quota ledger's region field and answered 500 there
    response = _post(api(county_admin), url, {field: bad})
    assert response.status_code == 400 and field in response.json(), response.content[:300]


def test_a_region_code_sent_as_a_number_is_read_as_the_code(county_admin):
    response = _post(api(county_admin), "/api/org-units/", {"name": "数字代码测试专班", "kind": "service_team",
                                                             "region": 371525})
    assert response.status_code == 201 and response.json()["region"] == "371525", response.content[:300]
