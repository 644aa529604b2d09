"""The battle map (挂图作战): the map page with its health counts and urgent list, and the projects
as GeoJSON coloured by health. Statuses other apps keep about a project (审批状态, …) come from the providers
registered with `shell.status`, never from importing those apps."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Project, Step
from landguard.projects.selectors import Health
from landguard.projects.views.common import project_rows
from landguard.regions import maps as region_maps
from landguard.shell import status
from landguard.shell.maps import map_config
from landguard.shell.pages import paginate


def _with_health(projects: list[Project]) -> list[Project]:
    today, calendar = clock.today(), work_calendar()
    for p in projects:
        p.health = selectors.project_health(p, today, calendar)
        p.health_label = Health.LABELS[p.health]
        p.now_steps = "、".join(s.name for s in selectors.current_steps(p))
        steps = list(p.steps.all())
        p.steps_done = f"{sum(s.status in Step.CLOSED for s in steps)}/{len(steps)}"
    return projects


def _with_statuses(scope: RegionScope, projects: list[Project]) -> list[Project]:
    """Each project's `statuses`: what the registered status providers say of it (one query per provider)."""
    found = status.statuses(scope, [p.pk for p in projects])
    for p in projects:
        p.statuses = found[p.pk]
    return projects


@scoped
def battle_map(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = pforms.ProjectFilterForm(request.GET or None, scope=scope)
    projects = _with_health(list(selectors.with_steps(project_rows(scope, form.values()))))
    counts = {h: sum(p.health == h for p in projects) for h in Health.ORDER}
    query = request.GET.urlencode()
    config = map_config(scope, levels=[k for k in region_maps.map_levels(scope) if k in ("county", "township")],
                        extent=region_maps.scope_extent(scope))
    config.update({
        "projects_url": reverse("projects:map-geojson") + (f"?{query}" if query else ""),
        "health_labels": {h: str(Health.LABELS[h]) for h in Health.ORDER},
        "strings": {"level": _("级别"), "status": _("状态"), "steps": _("当前环节"), "details": _("查看项目")},
    })
    urgent = sorted(projects, key=lambda p: (Health.ORDER.index(p.health), p.name))
    page = paginate(request, urgent, per_page=12)
    _with_statuses(scope, list(page.object_list))  # only the ticker's projects: the map asks for its own
    context = {"nav": "projects", "subnav": "map", "form": form,
               "counts": [(h, Health.LABELS[h], counts[h]) for h in Health.ORDER],
               "total": len(projects), "without_boundary": sum(1 for p in projects if not p.area_m2),
               "page": page, "map_config": config, "query": query}
    return render(request, "projects/battle_map.html", context)


@scoped
def map_geojson(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The filtered projects with a boundary, coloured on the map by `health`."""
    form = pforms.ProjectFilterForm(request.GET or None, scope=scope)
    rows = project_rows(scope, form.values()).filter(boundary__isnull=False).defer(None)
    features = []
    for p in _with_statuses(scope, _with_health(list(selectors.with_steps(rows)))):
        properties = {"id": p.pk, "name": p.name, "level": p.get_level_display(), "health": p.health,
                      "colour": selectors.Health.COLOURS[p.health],
                      "health_label": str(p.health_label), "steps": p.now_steps,
                      "url": reverse("projects:detail", args=[p.pk]), "statuses": [s.as_json() for s in p.statuses]}
        # The area, and a dot on it so that a 10-亩 parcel still shows at county zoom.
        features.append(
            {"type": "Feature", "geometry": json.loads(p.boundary.json), "properties": {**properties, "kind": "area"}})
        features.append({"type": "Feature", "geometry": json.loads(p.boundary.point_on_surface.json),
                         "properties": {**properties, "kind": "dot"}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "private, no-store"  # the colours change with the clock
    return response
