"""Throwaway URLconfs for testing the access walk itself (tests/test_access_walk.py): each holds a login
route (login_required redirects to it by name) plus one deliberately broken route."""

from __future__ import annotations

from types import ModuleType

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from landguard.core.access import public, scoped
from landguard.core.scope import RegionScope
from landguard.regions import selectors
from landguard.regions.models import Region


@public
def login(request: HttpRequest) -> HttpResponse:
    return HttpResponse("登录")


@scoped
def leaky_regions(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    # The bug the walk exists for: marked scoped, but the query ignores `scope` and skips the selector.
    return HttpResponse("\n".join(Region.objects.values_list("name", flat=True)),
                        content_type="text/plain; charset=utf-8")


def unmarked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("无标记")


@scoped
def region_name(request: HttpRequest, code: str, scope: RegionScope) -> HttpResponse:
    return HttpResponse(selectors.get_region(scope, code).name)


LEAKY = path("leaky/", leaky_regions, name="leaky")
UNMARKED = path("unmarked/", unmarked, name="unmarked")
UNSAMPLED = path("region-name/<str:code>/", region_name, name="region-name")


def urlconf(*routes: URLPattern) -> ModuleType:
    module = ModuleType("access_walk_fixture_conf")
    module.urlpatterns = [path("login/", login, name="login"), *routes]  # type: ignore[attr-defined]
    return module
