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


def wait_until(page, expression: str, arg=None, timeout: float = 20_000) -> None:
    """Poll a JS expression (or function of arg) until it is truthy. Playwright's wait_for_function evaluates its
    predicate with eval() inside the page, which the Content-Security-Policy forbids; page.evaluate goes through
    the DevTools protocol, which the policy does not govern."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while True:
        if page.evaluate(expression, arg):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f} s: {expression}")
        time.sleep(0.1)


def wait_for_map(page) -> None:
    """Until map.js says every initially visible region overlay has loaded and the map is idle."""
    page.wait_for_selector("#map canvas.maplibregl-canvas", state="attached")
    wait_until(page, "window.landguardMapReady === true && document.getElementById('map').dataset.ready === 'true'",
               timeout=MAP_READY_TIMEOUT)


@dataclass
class Tab:
    """A page plus everything worth asserting about it afterwards."""

    page: object
    context: object
    js_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def assert_no_js_errors(self) -> None:
        assert not self.js_errors, "JavaScript errors on the page:\n" + "\n".join(self.js_errors)

    def assert_no_failed_requests(self) -> None:
        assert not self.failed, "requests that failed or answered 4xx/5xx:\n" + "\n".join(self.failed)



def ink_fraction(page, png: bytes, backgrounds: list[tuple[int, int, int]], tolerance: int = 12) -> float:
    """Share of pixels in a PNG screenshot that differ from every given background colour (decoded in the page)."""
    import base64

    return page.evaluate("""async ([b64, backgrounds, tolerance]) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 4) {
            const near = backgrounds.some(
                ([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) <= tolerance);
            if (!near) ink++;
        }
        return ink / (d.length / 4);
    }""", [base64.b64encode(png).decode(), [list(c) for c in backgrounds], tolerance])


MAP_BACKGROUND = (0xEE, 0xF1, 0xEC)  # map.js background layer
PAGE_BACKGROUND = (0xF3, 0xF5, 0xF4)  # app.css --bg


def map_geometry(page) -> dict:
    """Boxes of the map frame, the MapLibre container and its canvas, in CSS pixels."""
    return page.evaluate("""() => {
        const box = (el) => {
            const b = el.getBoundingClientRect();
            return { x: b.x, y: b.y, width: b.width, height: b.height };
        };
        const wrap = document.querySelector('.map-wrap'), map = document.getElementById('map');
        const canvas = map.querySelector('canvas.maplibregl-canvas');
        return { wrap: box(wrap), map: box(map), canvas: box(canvas), position: getComputedStyle(map).position };
    }""")


def assert_map_visible(page, label: str) -> None:
    """The map fills its frame and the region outlines really show on screen (not just in MapLibre's memory)."""
    geometry = map_geometry(page)
    wrap, box = geometry["wrap"], geometry["map"]
    assert box["height"] >= 0.9 * wrap["height"] and box["width"] >= 0.9 * wrap["width"], (
        f"{label}: the map container is {box['width']:.0f}×{box['height']:.0f} px inside a "
        f"{wrap['width']:.0f}×{wrap['height']:.0f} px frame (computed position: {geometry['position']}); "
        "nothing of the map is visible")
    # Pixels right of the layer panel and left of the zoom buttons: region lines, fills and labels.
    panel = page.locator(".layer-panel").bounding_box()
    left = panel["x"] + panel["width"] + 8
    clip = {"x": left, "y": wrap["y"] + 4, "width": wrap["x"] + wrap["width"] - 56 - left,
            "height": wrap["height"] - 40}
    ink = ink_fraction(page, page.screenshot(clip=clip), [MAP_BACKGROUND, PAGE_BACKGROUND])
    assert ink > 0.01, f"{label}: only {ink:.2%} of the map area differs from the background: no regions drawn"
