"""The shell pages: home, map (with its scoped GeoJSON endpoint) and dashboard (with its xlsx export)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import get_language, gettext_lazy

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.exports import COUNT, HECTARES, PERCENT, ExportColumn, xlsx_response
from landguard.core.geodesy import hectares
from landguard.core.scope import RegionScope
from landguard.layers.maps import map_data_layers
from landguard.regions import selectors as region_selectors
from landguard.web import geo, stats
from landguard.web.shell import scope_label

LAYER_LABELS = {"province": gettext_lazy("省界"), "city": gettext_lazy("市界"), "county": gettext_lazy("县界"),
                "township": gettext_lazy("乡镇（街道）"), "village": gettext_lazy("村（社区）"), "grid": gettext_lazy("网格")}
DEFAULT_VISIBLE = {"province", "city", "county", "township", "village"}


@scoped
def home(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    context = {
        "nav": "home",
        "root": region_selectors.scope_root(scope),
        "summary": stats.summary(scope),
        "recent": audit_selectors.entries(scope)[:8],
    }
    return render(request, "web/home.html", context)


def map_config(scope: RegionScope, *, levels: list[str], code: str | None = None, visible: set[str] | None = None,
               extent: tuple[float, float, float, float] | None = None) -> dict:
    """What static/web/map.js needs: layers (key, label, data URL), the extent to fit, and UI strings."""
    base = reverse("web:regions-geojson")
    visible = DEFAULT_VISIBLE if visible is None else visible
    layers = [{"key": key, "label": str(LAYER_LABELS[key]), "visible": key in visible,
               "url": f"{base}?level={key}" + (f"&within={code}" if code else "")} for key in levels]
    return {
        "layers": layers,
        "bounds": list(extent) if extent else None,
        "i18n": {"code": _("代码"), "area": _("面积"), "hectare": _("公顷"), "mu": _("亩"), "details": _("查看详情"),
                 "synthetic": _("合成演示数据"), "layers": _("图层"), "zoomIn": _("放大"), "zoomOut": _("缩小"),
                 "resetBearing": _("指北"), "close": _("关闭")},
    }


@scoped
def map_view(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    config = map_config(scope, levels=geo.map_levels(scope), extent=geo.scope_extent(scope))
    config["dataLayers"] = map_data_layers(scope)
    return render(request, "web/map.html", {"nav": "map", "map_config": config})


@scoped
def regions_geojson(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """?level=county|township|village|grid [&within=<code prefix>] or ?code=<one region>."""
    if code := request.GET.get("code"):
        region = region_selectors.get_region(scope, code)  # 404 outside the scope
        features = geo.region_features([region], geo.TOLERANCE.get(_level_key(region.level), 1e-4))
    else:
        level = request.GET.get("level", "township")
        within = request.GET.get("within") or None
        if level not in geo.LEVEL_KEYS and level != geo.GRID:
            return HttpResponseBadRequest(_("未知的图层级别。"))
        if within is not None and not within.isdigit():
            return HttpResponseBadRequest(_("区划代码只能包含数字。"))
        features = geo.level_features(scope, level, within)
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _level_key(level: int) -> str:
    return next(key for key, value in geo.LEVEL_KEYS.items() if value == level)


@scoped
def dashboard(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    data = stats.dashboard(scope)
    table = data.pop("table")
    data["i18n"] = {"locale": "ZH" if get_language() == "zh-hans" else "EN", "count": _("数量"), "coverage": _("覆盖率"),
                    "villages": _("村"), "entries": _("操作记录"), "empty": _("暂无数据")}
    return render(request, "web/dashboard.html", {"nav": "dashboard", "charts": data, "table": table,
                                                  "summary": stats.summary(scope)})


TOWNSHIP_COLUMNS = (
    (gettext_lazy("区划代码"), None), (gettext_lazy("乡镇（街道）"), None), (gettext_lazy("村（社区）数"), COUNT),
    (gettext_lazy("有村级田长的村数"), COUNT), (gettext_lazy("村级田长覆盖率（%）"), PERCENT), (gettext_lazy("网格数"), COUNT),
    (gettext_lazy("组织机构数"), COUNT), (gettext_lazy("用户数"), COUNT), (gettext_lazy("田长数"), COUNT),
    (gettext_lazy("面积（公顷）"), HECTARES), (gettext_lazy("合成演示数据"), None),
)


@scoped
def dashboard_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    rows = ([r.code, r.name, r.villages, r.covered_villages, r.coverage, r.grids, r.org_units, r.users, r.field_chiefs,
             None if r.area_m2 is None else hectares(r.area_m2), r.is_synthetic] for r in stats.township_table(scope))
    return xlsx_response(title=_("分乡镇统计"), scope_label=scope_label(scope),
                         columns=[ExportColumn(str(h), fmt) for h, fmt in TOWNSHIP_COLUMNS], rows=rows,
                         filename=_("分乡镇统计"))
