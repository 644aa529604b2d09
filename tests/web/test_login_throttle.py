"""Password guessing on the login page and the token endpoint is refused per account and per client address."""

from __future__ import annotations

import time
from ipaddress import ip_network

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from landguard.demo.personas import COUNTY_ADMIN, DEMO_PASSWORD, TOWNSHIP_OFFICER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Failure counts in a private cache, not the file cache under var/ that other runs and servers share."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-tests"}}
    yield
    cache.clear()


def _login(client: Client, username: str, password: str, address: str):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_forty_wrong_logins_in_a_burst_are_refused_and_another_user_elsewhere_still_gets_in(settings):
    client = Client()
    started = time.monotonic()
    statuses = [_login(client, COUNTY_ADMIN, f"guess-{i}", "198.51.100.10").status_code for i in range(40)]
    assert time.monotonic() - started < 60
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT
    assert statuses[:limit] == [200] * limit  # the form again, "wrong password"
    assert set(statuses[limit:]) == {429}
    # Even the right password is refused now: the guesser cannot find out they hit it.
    refused = _login(client, COUNTY_ADMIN, DEMO_PASSWORD, "198.51.100.10")
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "登录失败次数过多" in page and "分钟后再试" in page
    # Another person, from another address, is not affected.
    other = Client()
    response = _login(other, TOWNSHIP_OFFICER, DEMO_PASSWORD, "203.0.113.20")
    assert response.status_code == 302 and other.session.get("_auth_user_id")


def test_one_address_trying_many_accounts_is_stopped(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    client = Client()
    statuses = [_login(client, f"nobody-{i}", "guess", "198.51.100.11").status_code for i in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    # The same accounts from another address are still checked normally.
    assert _login(Client(), TOWNSHIP_OFFICER, DEMO_PASSWORD, "203.0.113.21").status_code == 302


def test_a_successful_login_resets_the_account_count(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(2):
        assert _login(Client(), TOWNSHIP_OFFICER, "wrong", "198.51.100.12").status_code == 200
    assert _login(Client(), TOWNSHIP_OFFICER, DEMO_PASSWORD, "198.51.100.12").status_code == 302
    # Two more wrong ones would have crossed 3 without the reset.
    for _ in range(2):
        assert _login(Client(), TOWNSHIP_OFFICER, "wrong", "198.51.100.12").status_code == 200
    assert _login(Client(), TOWNSHIP_OFFICER, DEMO_PASSWORD, "198.51.100.12").status_code == 302


def test_the_token_endpoint_shares_the_brake_and_rotating_forwarded_for_does_not_escape_it(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 1000
    settings.TRUSTED_PROXIES = []  # nobody's X-Forwarded-For is believed
    client = APIClient()
    statuses = [client.post("/api/auth/token/", {"username": COUNTY_ADMIN, "password": f"guess-{i}"}, format="json",
                            REMOTE_ADDR="198.51.100.13", HTTP_X_FORWARDED_FOR=f"10.1.{i}.1").status_code
                for i in range(25)]
    # DRF's rate throttle (20/min per client) and the account brake (10) both bite despite the rotating header.
    assert statuses[:settings.LOGIN_FAILURES_PER_ACCOUNT] == [400] * settings.LOGIN_FAILURES_PER_ACCOUNT
    assert set(statuses[settings.LOGIN_FAILURES_PER_ACCOUNT:]) == {429}
    answer = client.post("/api/auth/token/", {"username": COUNTY_ADMIN, "password": DEMO_PASSWORD}, format="json",
                         REMOTE_ADDR="203.0.113.22")
    assert answer.status_code == 429 and "登录失败次数过多" in answer.json()["detail"]


def test_behind_a_trusted_proxy_each_real_client_has_its_own_token_rate(settings):
    from landguard.api.views import TokenThrottle

    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    settings.LOGIN_FAILURES_PER_ACCOUNT = 1000
    settings.LOGIN_FAILURES_PER_ADDRESS = 1000
    rate = TokenThrottle.rate
    TokenThrottle.rate = "3/min"
    try:
        client = APIClient()
        post = lambda forwarded: client.post("/api/auth/token/", {"username": "nobody", "password": "x"}, format="json",  # noqa: E731
                                             REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code
        assert [post("198.51.100.30") for _ in range(4)] == [400, 400, 400, 429]
        # Another client behind the same proxy is counted apart from the first.
        assert post("198.51.100.31") == 400
    finally:
        TokenThrottle.rate = rate


def test_public_report_limit_is_keyed_on_the_real_client_behind_the_proxy(settings):
    from landguard.supervision import tunables

    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    limit = int(tunables.get("SUPERVISION_PUBLIC_REPORTS_PER_HOUR"))
    client = Client()
    form = {"title": "挖土", "lon": "115.4", "lat": "36.5", "description": "有人在耕地上挖土", "contact": "",
            "website": "spam"}
    statuses = [client.post("/supervision/report/", form, REMOTE_ADDR="10.0.0.2",
                            HTTP_X_FORWARDED_FOR="198.51.100.40").status_code for _ in range(limit + 1)]
    assert statuses[-1] == 429
    # A different person behind the same proxy is not limited by the first one's reports.
    assert client.post("/supervision/report/", form, REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="198.51.100.41").status_code != 429


def test_a_token_request_whose_body_is_not_an_object_is_a_400_not_a_500():
    answer = APIClient().post("/api/auth/token/", ["admin", "guess"], format="json", REMOTE_ADDR="198.51.100.50")
    assert answer.status_code == 400
