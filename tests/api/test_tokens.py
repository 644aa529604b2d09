"""API tokens expire and can be revoked (by their owner, or by an admin inside the admin's scope), audited; the
OGC API's token authentication follows the same rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from landguard.audit.models import AuditEntry
from landguard.demo.personas import DEMO_PASSWORD
from landguard.people import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "token-tests"}}
    yield
    cache.clear()


def _token(user) -> str:
    answer = APIClient().post("/api/auth/token/", {"username": user.username, "password": DEMO_PASSWORD}, format="json")
    assert answer.status_code == 200, answer.content
    assert "expires_at" in answer.json()
    return answer.json()["token"]


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_expired_token_gets_401_with_a_message_and_a_new_login_issues_a_fresh_one(township_officer, settings):
    key = _token(township_officer)
    assert _api(key).get("/api/regions/").status_code == 200
    Token.objects.filter(key=key).update(created=Token.objects.get(key=key).created
                                         - timedelta(days=settings.TOKEN_LIFETIME_DAYS, minutes=1))
    answer = _api(key).get("/api/regions/")
    assert answer.status_code == 401 and "令牌已过期" in answer.json()["detail"]
    # The OGC API (QGIS) refuses it too.
    assert _api(key).get("/ogc/collections").status_code == 401
    fresh = _token(township_officer)
    assert fresh != key and _api(fresh).get("/api/regions/").status_code == 200
    assert _api(fresh).get("/ogc/collections").status_code == 200


def test_a_valid_token_is_returned_again_until_it_expires(township_officer):
    assert _token(township_officer) == _token(township_officer)


def test_the_owner_revokes_their_token_through_the_api_and_it_stops_working_at_once(township_officer):
    key = _token(township_officer)
    assert _api(key).delete("/api/auth/token/").status_code == 204
    assert _api(key).get("/api/regions/").status_code == 401
    entry = AuditEntry.objects.filter(target_type="people.user", target_id=str(township_officer.pk)).latest("at")
    assert entry.note == services.TOKEN_REVOKED and entry.actor_id == township_officer.pk
    assert APIClient().delete("/api/auth/token/").status_code == 401


def test_an_admin_revokes_a_user_token_inside_the_scope_but_not_outside(county_admin, township_officer,
    other_county_user):
    officer_key, outsider_key = _token(township_officer), _token(other_county_user)
    admin = APIClient()
    admin.force_authenticate(county_admin)
    answer = admin.post(f"/api/users/{township_officer.pk}/revoke-token/")
    assert answer.status_code == 200 and answer.json() == {"revoked": True}
    assert _api(officer_key).get("/api/regions/").status_code == 401
    assert AuditEntry.objects.filter(target_id=str(township_officer.pk), note=services.TOKEN_REVOKED,
                                     actor=county_admin).exists()
    # Another county's user is outside the admin's scope: as if absent, and the token lives on.
    assert admin.post(f"/api/users/{other_county_user.pk}/revoke-token/").status_code == 404
    assert _api(outsider_key).get("/api/regions/").status_code == 200
    # A non-admin cannot revoke somebody else's token.
    officer = APIClient()
    officer.force_authenticate(township_officer)
    admin_key = _token(county_admin)
    assert officer.post(f"/api/users/{county_admin.pk}/revoke-token/").status_code in (403, 404)
    assert _api(admin_key).get("/api/regions/").status_code == 200


def test_the_account_page_shows_the_token_and_revokes_it(client_for, township_officer):
    key = _token(township_officer)
    client = client_for(township_officer)
    page = client.get("/people/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert key[:6] in html and key not in html  # recognisable, not usable
    response = client.post("/people/account/", follow=True)
    assert "API 令牌已吊销" in response.content.decode()
    assert not Token.objects.filter(user=township_officer).exists()
    assert _api(key).get("/api/regions/").status_code == 401


def test_an_admin_revokes_from_the_user_page(client_for, county_admin, township_officer, other_county_user):
    _token(township_officer)
    _token(other_county_user)
    client = client_for(county_admin)
    assert client.get(f"/people/users/{township_officer.pk}/").content.decode().count('id="revoke-token"') == 1
    assert client.post(f"/people/users/{township_officer.pk}/revoke-token/").status_code == 302
    assert not Token.objects.filter(user=township_officer).exists()
    assert client.post(f"/people/users/{other_county_user.pk}/revoke-token/").status_code == 404
    assert Token.objects.filter(user=other_county_user).exists()
    # The township officer is no admin: no button on others' pages, and the route refuses.
    officer = client_for(township_officer)
    assert officer.post(f"/people/users/{township_officer.pk}/revoke-token/").status_code == 403
