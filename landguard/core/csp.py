"""Content-Security-Policy on every response (Django 5.2 has none built in; Django 6 does).

The policy allows scripts from this server only: no inline <script>, no eval. Pages hand data to their
scripts in <script type="application/json"> blocks (json_script) and data-* attributes, which are data, not
code, so the policy does not need to allow them. What else is allowed, and why:

- worker-src blob: — MapLibre starts its tile workers from a blob: URL.
- img-src/connect-src for the configured base map (天地图, LANDGUARD_BASEMAP_TILE_URL): MapLibre fetches raster
  tiles with fetch(), then draws them; data:/blob: images are MapLibre's and ECharts' own.
- style-src-attr 'unsafe-inline' — server-computed positions in style="" attributes (Gantt bars) and
  libraries setting styles through markup. A style attribute cannot run script; <style> elements stay
  'self' only (style-src-elem). Browsers without CSP level 3 read style-src, which therefore allows inline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import urlparse

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TIANDITU_ORIGIN = "https://*.tianditu.gov.cn"


def basemap_origins() -> list[str]:
    origins = []
    if settings.TIANDITU_KEY:
        origins.append(TIANDITU_ORIGIN)
    if settings.BASEMAP_TILE_URL:
        parsed = urlparse(settings.BASEMAP_TILE_URL)
        origins.append(f"{parsed.scheme}://{parsed.netloc}")
    return origins


@cache
def policy() -> str:
    tiles = " ".join(basemap_origins())
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "worker-src": "'self' blob:",
        "child-src": "'self' blob:",  # Safari before 15.5 takes workers from child-src
        "img-src": f"'self' data: blob: {tiles}".strip(),
        "connect-src": f"'self' {tiles}".strip(),
        "style-src": "'self' 'unsafe-inline'",
        "style-src-elem": "'self'",
        "style-src-attr": "'unsafe-inline'",
        "font-src": "'self' data:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    if settings.HTTPS:
        directives["upgrade-insecure-requests"] = ""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        return response
