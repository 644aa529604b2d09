"""The shell pages: home (each role's, from `shell.homes`),
map (with its scoped GeoJSON endpoint), the dashboard and the search. The dashboard
and the search show what the apps registered with `shell.dashboard` and `shell.search`; neither imports them."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from landguard.audit import selectors as audit_selectors
from landguard.core import figures_cache
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.layers.maps import map_data_layers
from landguard.people import stats
from landguard.people.maps import grid_features
from landguard.regions import maps as region_maps
from landguard.regions import selectors as region_selectors
from landguard.shell import dashboard as shell_dashboard
from landguard.shell import homes as shell_homes
from landguard.shell import search as shell_search
from landguard.shell.maps import map_config


def viewer_of(request: HttpRequest, scope: RegionScope) -> shell_homes.Viewer:
    user = request.user
    role = shell_homes.ADMIN if user.is_superuser else getattr(user, "role", shell_homes.VIEWER)
    return shell_homes.Viewer(scope=scope, role=role, user_id=user.pk)


@scoped
def home(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Each role's home: the sections the apps registered for it (shell.homes) — a field chief's tasks, a township's
    queue, an enforcer's cases, a leader's figures — then, for the bureau roles, the scope's overview."""
    viewer = viewer_of(request, scope)
    root = region_selectors.scope_root(scope)
    context: dict[str, Any] = {"nav": "home", "root": root, "sections": shell_homes.sections(viewer),
                               "field_chief": viewer.role == shell_homes.FIELD_CHIEF}
    if not context["field_chief"]:
        # The same for every bureau user of the scope: kept with the figures (core/figures_cache.py).
        context["overview"] = mark_safe(figures_cache.cached("home.overview", scope, lambda: render_to_string(
            "web/_home_overview.html", {"root": root, "summary": stats.summary(scope),
                                        "recent": list(audit_selectors.entries(scope)[:8])})))
    return render(request, "web/home.html", context)


@scoped
def map_view(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    config = map_config(scope, levels=region_maps.map_levels(scope), extent=region_maps.scope_extent(scope))
    config["dataLayers"] = map_data_layers(scope)
    return render(request, "web/map.html", {"nav": "map", "map_config": config})


@scoped
def regions_geojson(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """?level=county|township|village|grid [&within=<code prefix>] or ?code=<one region>."""
    if code := request.GET.get("code"):
        region = region_selectors.get_region(scope, code)  # 404 outside the scope
        features = region_maps.region_features([region], region_maps.TOLERANCE.get(_level_key(region.level), 1e-4))
    else:
        level = request.GET.get("level", "township")
        within = request.GET.get("within") or None
        if level not in region_maps.LEVEL_KEYS and level != region_maps.GRID:
            return HttpResponseBadRequest(_("未知的图层级别。"))
        if within is not None and not within.isdigit():
            return HttpResponseBadRequest(_("区划代码只能包含数字。"))
        if level == region_maps.GRID:
            features = grid_features(scope, within)
        else:
            features = region_maps.level_features(scope, level, within)
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _level_key(level: int) -> str:
    return next(key for key, value in region_maps.LEVEL_KEYS.items() if value == level)


@scoped
def dashboard(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    tiles, charts = shell_dashboard.tiles(scope)
    charts["i18n"] = {"locale": "ZH" if get_language() == "zh-hans" else "EN", "count": _("数量"),
                      "coverage": _("覆盖率"), "villages": _("村"), "entries": _("操作记录"), "empty": _("暂无数据")}
    actions = [(label, reverse(name)) for shown in tiles for label, name in shown.tile.actions]
    context = {"nav": "dashboard", "tiles": tiles, "charts": charts, "actions": actions}
    return render(request, "web/dashboard.html", context)


@scoped
def search(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """`?q=`: every search provider's hits inside the scope, grouped, each group capped with a link to its list."""
    query = request.GET.get("q", "").strip()[:shell_search.MAX_QUERY]
    groups = shell_search.search(scope, query)
    context = {"nav": "search", "query": query, "groups": groups, "total": sum(len(g.hits) for g in groups)}
    return render(request, "web/search.html", context)
