"""Layer data for maps and GIS clients — GeoJSON pages and vector tiles — and the authentication these share
with the OGC API (landguard.layers.ogc).

Map pages fetch them with the browser session; GIS clients and scripts send a DRF token
(`Authorization: Token <key>`, from POST /api/auth/token/) or HTTP Basic, which is what QGIS's
authentication configurations offer most readily (QGIS 3.22 sends no token header, so its vector-tile layers
need Basic). Vector tiles also take a tile key in the URL (`?key=`, layers/tile_keys.py) for clients that can
only be given a URL template. A request without valid credentials gets 401 with a JSON body and a
WWW-Authenticate challenge, not a redirect: a data client cannot log in on a web page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from landguard.shell.tokens import ExpiringTokenAuthentication
from landguard.core import login_throttle
from landguard.core.access import SCOPED
from landguard.core.client import client_ip
from landguard.core.scope import RegionScope, scope_for
from landguard.layers import mvt, selectors, serving, tile_cache, tile_keys

# A verified Basic credential is remembered (under an HMAC of it, keyed with SECRET_KEY) for a few minutes:
# QGIS sends it with every page and tile, and each password check costs a deliberately slow hash.
BASIC_CACHE_SECONDS = 300
# Failed Basic checks per client address and window, after which Basic is refused: a password-guessing
# brake like the token endpoint's throttle.
BASIC_MAX_FAILURES = 20
DATA_CACHE_SECONDS = 300


def error_response(status: int, code: str, description: str) -> JsonResponse:
    """The OGC API exception body ({code, description}), used by every data endpoint."""
    return JsonResponse({"code": code, "description": description}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def data_view(view: Callable | None = None, *, tile_key: bool = False) -> Callable:
    """Like @scoped for data endpoints: GET/HEAD only; session, token or HTTP Basic authentication (with
    tile_key=True also a tile key for the layer in the URL), else 401; passes `scope`; an invalid parameter
    answers 400 and anything outside the scope 404, both as JSON."""

    def decorate(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            user = authenticated_user(request)
            if user is None and tile_key and (key := request.GET.get(tile_keys.PARAM)):
                user = tile_keys.user_for(key, kwargs.get("slug", ""))
            if user is None:
                response = error_response(401, "Unauthorized",
                                          _("需要登录：请使用已登录的浏览器会话、HTTP Basic 用户名和密码，"
                                                                  "或在请求头中携带 Authorization: Token "
                                                                  "<令牌>（令牌由 "
                                                                  "/api/auth/token/ 获取）"))
                response["WWW-Authenticate"] = _challenge(request)
                return response
            request.user = user
            try:
                response = func(request, *args, scope=scope_for(user), **kwargs)
            except Http404:
                response = error_response(404, "NotFound", _("所请求的资源不存在"))
            except serving.BadParameter as bad:
                response = error_response(400, "InvalidParameterValue", str(bad))
            # Scoped data: a shared cache must never hand one user's answer to another.
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie", "Authorization"])
            return response

        wrapper.landguard_access = SCOPED  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


def _challenge(request: HttpRequest) -> str:
    """Basic for GIS clients and scripts; Token for a map page's own script requests (Sec-Fetch-Mode cors /
    same-origin / no-cors, sent by every current browser): a Basic challenge there would pop up the browser's
    password dialog over the map for every tile once the session has expired."""
    if request.META.get("HTTP_SEC_FETCH_MODE", "navigate") != "navigate":
        return "Token"
    return 'Basic realm="LandGuard", charset="UTF-8"'


def authenticated_user(request: HttpRequest) -> Any:
    """The user of the session, else of the Authorization header (Token or Basic), else None."""
    if request.user.is_authenticated:
        return request.user
    scheme, _sep, credentials = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    if scheme.lower() == "token" and credentials:
        try:
            return ExpiringTokenAuthentication().authenticate_credentials(credentials.strip())[0]
        except AuthenticationFailed:
            return None
    if scheme.lower() == "basic" and credentials:
        return _basic_user(request, credentials.strip())
    return None


def _basic_user(request: HttpRequest, credentials: str) -> Any:
    try:
        username, _sep, password = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    remembered_key = "layers:basic:" + salted_hmac("landguard.layers.basic", f"{username}\0{password}").hexdigest()
    if (remembered := cache.get(remembered_key)) is not None:
        pk, password_hash = remembered
        user = get_user_model().objects.filter(pk=pk, is_active=True).first()
        # A changed password (or deactivation) ends the remembered credential at once.
        if user is not None and constant_time_compare(user.password, password_hash):
            return user
    failures_key = f"layers:basic-failures:{client_ip(request)}"
    if cache.get(failures_key, 0) >= BASIC_MAX_FAILURES:
        return None
    # The same per-account brake as the login page and the token endpoint: Basic must not be the way round it.
    if login_throttle.refusal(request, username):
        return None
    user = authenticate(request, username=username, password=password)
    if user is None:
        cache.add(failures_key, 0, BASIC_CACHE_SECONDS)
        cache.incr(failures_key)
        login_throttle.failed(request, username)
        return None
    cache.set(remembered_key, (user.pk, user.password), BASIC_CACHE_SECONDS)
    return user


# --- views -----------------------------------------------------------------------------------------------


@data_view
def features_geojson(request: HttpRequest, scope: RegionScope, slug: str) -> HttpResponse:
    """?bbox=minLon,minLat,maxLon,maxLat &limit= &offset= &v=<version number> (default: the current one)."""
    layer = selectors.get_layer(scope, slug)
    version = serving.version_of(scope, layer, request.GET.get("v"))
    page = serving.feature_page(scope, version, bbox=serving.parse_bbox(request.GET.get("bbox")),
                                limit=serving.parse_limit(request.GET.get("limit")),
                                offset=serving.parse_offset(request.GET.get("offset")))
    links = serving.page_links(request.build_absolute_uri(request.path), request.GET, page, serving.GEOJSON)
    body = serving.collection_text(page, links=links, members={"name": layer.name, "layer": layer.slug,
                                                               "version": version.number})
    response = HttpResponse(body, content_type=serving.GEOJSON)
    patch_cache_control(response, max_age=DATA_CACHE_SECONDS)
    return response


@data_view(tile_key=True)
def tile(request: HttpRequest, scope: RegionScope, slug: str, z: int, x: int, y: int) -> HttpResponse:
    """Mapbox Vector Tile of the layer (?v=<version number>, default: the current one); empty body: no data."""
    layer = selectors.get_layer(scope, slug)
    if not mvt.is_valid_tile(z, x, y):
        raise serving.BadParameter(_("瓦片 %(z)s/%(x)s/%(y)s 不存在：z 应为 0～%(max)s，x 和 y 应小于 2 的 z 次方")
                                   % {"z": z, "x": x, "y": y, "max": mvt.MAX_ZOOM})
    version = serving.version_of(scope, layer, request.GET.get("v"))
    # A browser holding this tile gets a 304 before anything is read; otherwise the tile comes from the tile cache,
    # built once per (version, scope, z/x/y, encoding) — layers/tile_cache.py.
    tag = tile_cache.etag(scope, version, z, x, y)
    response = get_conditional_response(request, etag=tag)
    if response is None:
        response = HttpResponse(tile_cache.tile(scope, version, z, x, y), content_type=serving.MVT)
    response["ETag"] = tag
    patch_cache_control(response, max_age=DATA_CACHE_SECONDS)
    return response
