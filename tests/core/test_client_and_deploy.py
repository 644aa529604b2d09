"""The real client address behind trusted proxies only, the HTTPS switch, the CSP header, and `check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from ipaddress import ip_network
from pathlib import Path

import pytest
from django.test import RequestFactory

from landguard.core.client import client_ip

ROOT = Path(__file__).resolve().parents[2]


def _request(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_forwarded_for_is_ignored_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_forwarded_for_is_ignored_from_an_address_that_is_not_a_listed_proxy(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/24")]
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_last_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/24"), ip_network("10.9.9.9/32")]
    # The client forged "1.2.3.4" in front; nginx appended what it saw (198.51.100.1), a second proxy its peer.
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.9.9.9")) == "198.51.100.1"
    assert client_ip(_request("10.0.0.5", "garbage, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(_request("10.0.0.5", "<script>")) == "10.0.0.5"
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"


def test_trusted_proxies_are_validated_at_start_up():
    env = dict(os.environ, LANDGUARD_TRUSTED_PROXIES="10.0.0.1,not-an-address")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "LANDGUARD_TRUSTED_PROXIES" in result.stderr and "not-an-address" in result.stderr


def _deploy_check(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANDGUARD_HTTPS")}
    env.update(extra)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def test_check_deploy_with_https_and_a_real_secret_key_prints_no_warning():
    result = _deploy_check(LANDGUARD_HTTPS="true", LANDGUARD_SECRET_KEY=secrets.token_urlsafe(50),
                           LANDGUARD_DEBUG="false", LANDGUARD_ALLOWED_HOSTS="landguard.example.gov.cn")
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "WARNINGS" not in output and "System check identified no issues" in output, output
    # Without the switch the four cookie/HSTS/redirect warnings are back: the test is not vacuous.
    plain = _deploy_check(LANDGUARD_SECRET_KEY=secrets.token_urlsafe(50), LANDGUARD_DEBUG="false")
    found = {code for code in ("security.W004", "security.W008", "security.W012", "security.W016")
             if code in plain.stdout + plain.stderr}
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}, plain.stderr


def test_https_switch_sets_cookies_hsts_redirect_and_proxy_header():
    show = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    on = subprocess.run([sys.executable, "manage.py", "shell", "-c", show], cwd=ROOT, capture_output=True, text=True,
                        env=dict(os.environ, LANDGUARD_HTTPS="true"), timeout=120)
    assert (on.stdout.strip().splitlines()[-1]
            == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"), on.stderr
    off = subprocess.run([sys.executable, "manage.py", "shell", "-c", show], cwd=ROOT, capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "LANDGUARD_HTTPS"}, timeout=120)
    assert off.stdout.strip().splitlines()[-1] == "False False False 0 None", off.stderr


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_inline_scripts_and_with_map_workers(client, client_for, county_admin):
    login = client.get("/login/")
    policy = login["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives["script-src"] == "'self'"
    assert "blob:" in directives["worker-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    page = client_for(county_admin).get("/map/")
    assert page.status_code == 200 and "Content-Security-Policy" in page
    # No inline executable script is left on a map page: only src= scripts and JSON data blocks.
    html = page.content.decode()
    for tag in html.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


def test_csp_names_the_configured_base_map_host(settings):
    from landguard.core import csp

    settings.BASEMAP_TILE_URL = "https://tiles.example.gov.cn/xyz/{z}/{x}/{y}.png"
    settings.TIANDITU_KEY = "k"
    csp.policy.cache_clear()
    try:
        policy = csp.policy()
    finally:
        csp.policy.cache_clear()
    assert "https://tiles.example.gov.cn" in policy.split("img-src", 1)[1].split(";")[0]
    assert "https://*.tianditu.gov.cn" in policy.split("connect-src", 1)[1].split(";")[0]
