"""Helpers shared by the browser tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from landguard.demo.personas import DEMO_PASSWORD

MAP_READY_TIMEOUT = 30_000  # ms; MapLibre on SwiftShader WebGL


def login_through_form(page, server_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in the way a person does: the login page's form. Leaves the page on home."""
    page.goto(f"{server_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    if urlparse(page.url).path != "/":
        raise AssertionError(f"{username} did not land on home after login, but on {page.url}")


def wait_for_map(page) -> None:
    """Until map.js says every initially visible region overlay has loaded and the map is idle."""
    page.wait_for_selector("#map canvas.maplibregl-canvas", state="attached")
    page.wait_for_function("window.landguardMapReady === true && document.getElementById('map').dataset.ready === 'true'",
                           timeout=MAP_READY_TIMEOUT)


@dataclass
class Tab:
    """A page plus everything worth asserting about it afterwards."""

    page: object
    context: object
    js_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def assert_no_js_errors(self) -> None:
        assert not self.js_errors, "JavaScript errors on the page:\n" + "\n".join(self.js_errors)

    def assert_no_failed_requests(self) -> None:
        assert not self.failed, "requests that failed or answered 4xx/5xx:\n" + "\n".join(self.failed)


