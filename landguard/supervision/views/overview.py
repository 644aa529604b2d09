"""The 耕地保护 overview: cards, map, ECharts and the per-township table with its export; the map's GeoJSON."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core import clock, figures_cache
from landguard.core.access import scoped
from landguard.core.exports import COUNT, MU, PERCENT, ExportColumn, xlsx_response
from landguard.core.geodesy import mu
from landguard.core.scope import RegionScope
from landguard.supervision import figures, selectors, stats, verification
from landguard.regions import maps as region_maps
from landguard.shell.pages import scope_label
from landguard.shell.maps import map_config


@scoped
def overview(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    start, end = figures.period_param(request.GET)
    context = figures_cache.cached("supervision.overview", scope, lambda: _figures(scope, start, end), start, end)
    config_map = map_config(scope, levels=["county", "township"], extent=region_maps.scope_extent(scope),
                            visible={"county", "township"})
    context["charts"]["i18n"] = {"alerts": _("告警"), "empty": _("暂无数据"), "count": _("数量")}
    context |= {"nav": "supervision", "definitions": stats.DEFINITIONS,
                "map_config": config_map, "map_data_url": reverse("supervision:map-data"),
                "can_triage": verification.can_triage(request.user),
                # An admin is told when pushes reach nobody outside LandGuard (the inbox only).
                "no_push_channel": getattr(request.user, "can_manage", False) and not selectors.has_push_channel(scope)}
    labels = {"alarms": _("告警"), "prejudged": _("报所长"), "dispatched": _("派发核查"), "false_alarms": _("误报"),
              "closed": _("销号")}
    period = context["period"]
    context["yoy_definitions"] = figures.YEAR_ON_YEAR_DEFINITIONS
    context["coverage_definition"] = figures.COVERAGE_DEFINITION
    context["period_rows"] = [(k, (labels[k], figures.PERIOD_DEFINITIONS[k]), getattr(period, k)) for k in labels]
    return render(request, "supervision/overview.html", context)


def _figures(scope: RegionScope, start: dt.date, end: dt.date) -> dict:
    """The overview's figures of the scope and period: the same for every officer of the scope, so they are kept
    for a moment in the figures cache (core/figures_cache.py)."""
    data = stats.dashboard(scope)
    year = data["year"]
    return {"cards": data["cards"], "charts": data["charts"], "year": year,
            "table": stats.township_table(scope, year=year),
            "unit_kinds": stats.kind_compliance(stats.unit_compliance(scope)),
            "period": figures.period(scope, start, end), "yoy": figures.year_on_year(scope, year),
            "coverage": figures.coverage(scope)}


TOWNSHIP_COLUMNS = [ExportColumn(h, f) for h, f in (
    (gettext_lazy("区划代码"), None), (gettext_lazy("乡镇（街道）"), None), (gettext_lazy("告警接收"), COUNT),
    (gettext_lazy("线索"), COUNT), (gettext_lazy("推送核查"), COUNT), (gettext_lazy("核实违法"), COUNT),
    (gettext_lazy("立案"), COUNT), (gettext_lazy("结案"), COUNT), (gettext_lazy("时限达标率（%）"), PERCENT),
    (gettext_lazy("新增违法占用耕地（亩）"), MU))]


@scoped
def overview_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = clock.today().year
    rows = ([r.code, r.name, r.alerts, r.clues, r.pushed, r.illegal, r.filed, r.closed, r.compliance,
             mu(r.new_illegal_m2)]
            for r in stats.township_table(scope, year=year))
    return xlsx_response(title=_("耕地保护分乡镇统计"), scope_label=scope_label(scope), columns=TOWNSHIP_COLUMNS,
                         rows=rows,
                         filename=_("耕地保护分乡镇统计"))


@scoped
def map_data(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Cameras (coverage discs and points) and the clues of the last 90 days, as one GeoJSON collection."""
    features = []
    for camera in selectors.cameras(scope):
        props = {"layer": "coverage", "name": camera.name, "code": camera.code, "radius": camera.radius_m,
                 "url": reverse("supervision:camera-detail", args=[camera.pk])}
        features.append({"type": "Feature", "geometry": json.loads(camera.coverage.geojson), "properties": props})
        features.append(
            {"type": "Feature", "geometry": json.loads(camera.position.geojson),
             "properties": {**props, "layer": "camera"}})
    since = clock.now() - dt.timedelta(days=90)
    for clue in selectors.clues(scope).filter(last_seen__gte=since).select_related(None).only("id", "title", "status",
        "kind", "location", "severity")[:5000]:
        features.append({"type": "Feature", "geometry": json.loads(clue.location.geojson), "properties": {
            "layer": "clue", "name": f"{clue.number} {clue.title}", "status": clue.status,
            "status_label": clue.get_status_display(),
            "kind": clue.get_kind_display(), "serious": clue.severity == "serious",
            "url": reverse("supervision:clue-detail", args=[clue.pk])}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")
