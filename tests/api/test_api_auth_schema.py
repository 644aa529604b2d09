"""Token login, and the OpenAPI schema with its offline viewers."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from landguard.demo.personas import COUNTY_ADMIN, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_username_and_password_opens_the_api():
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": COUNTY_ADMIN, "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/regions/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/regions/", {"level": 4})
    assert response.status_code == 200
    assert {row["code"][:6] for row in response.json()["results"]} == {"371525"}


def test_token_refused_for_a_wrong_password():
    response = APIClient().post("/api/auth/token/", {"username": COUNTY_ADMIN, "password": "not-the-password"},
                                format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_schema_is_valid_openapi_3_with_every_resource(client_for, county_admin):
    response = client_for(county_admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    paths = set(schema["paths"])
    for resource in ("regions", "code-changes", "org-units", "users", "grids", "field-chiefs", "audit-entries"):
        assert f"/api/{resource}/" in paths
        assert any(p.startswith(f"/api/{resource}/{{") for p in paths), resource
    assert {"/api/regions/geojson/", "/api/grids/geojson/", "/api/auth/token/"} <= paths
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    region_params = {p["name"] for p in schema["paths"]["/api/regions/geojson/"]["get"]["parameters"]}
    assert {"bbox", "level", "parent", "name", "include_retired", "page"} <= region_params
    # A password is accepted on creation and never returned.
    assert schema["components"]["schemas"]["User"]["properties"]["password"]["writeOnly"] is True


def test_docs_are_served_offline_and_need_a_login(client, client_for, county_admin):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code == 302
    logged_in = client_for(county_admin)
    docs = logged_in.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page and "cdn" not in page.lower()
    redoc = logged_in.get("/api/redoc/")
    assert redoc.status_code == 200 and "/static/drf_spectacular_sidecar/redoc/" in redoc.content.decode()


def test_token_endpoint_is_throttled(monkeypatch):
    from django.core.cache import cache

    from landguard.api.views import TokenThrottle

    monkeypatch.setattr(TokenThrottle, "rate", "2/min")
    cache.clear()
    client = APIClient()
    statuses = [
        client.post("/api/auth/token/", {"username": COUNTY_ADMIN, "password": "guess"}, format="json").status_code
                for _ in range(3)]
    cache.clear()
    assert statuses == [400, 400, 429]
