"""The shell's extension points: what an app registers (a search provider, a weekly-report section, a dashboard
tile, a project status provider) shows up on the pages that iterate the registries, each is given the viewer's
scope, and a key registered twice with something else is refused."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from landguard.core.scope import RegionScope, scope_for
from landguard.projects import reports
from landguard.projects import selectors as project_selectors
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Project
from landguard.shell import dashboard, regions, search, status
from landguard.shell.registry import Registry
from landguard.shell.reports import SECTIONS, Section, Table, Week

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """registered(registry, entry): the entry is registered for this test only."""
    added = []

    def add(registry: Registry, entry):
        registry.register(entry)
        added.append((registry, registry.key_of(entry)))
        return entry

    yield add
    for registry, key in added:
        registry.unregister(key)


def test_a_key_registered_twice_with_something_else_is_refused_and_the_same_entry_twice_is_harmless():
    registry: Registry[Section] = Registry("weekly-report section", key=lambda s: s.key)
    first = Section("tests.one", build=lambda scope, week: [])
    registry.register(first)
    registry.register(first)  # a module imported twice
    with pytest.raises(ImproperlyConfigured, match="tests.one"):
        registry.register(Section("tests.one", build=lambda scope, week: [Table("x", [], [])]))
    assert registry.all() == [first]


def test_the_apps_register_their_providers_at_start_up_in_order():
    keys = [p.key for p in search.PROVIDERS.all()]
    assert keys[:2] == ["projects.projects", "approvals.dossiers"]  # by their order, not by import order
    assert {"projects.requests", "supply.records", "supervision.clues", "supervision.tasks", "supervision.cases",
            "layers.layers", "layers.parcels", "regions.regions", "people.users", "people.org_units"} <= set(keys)
    assert {t.key for t in dashboard.TILES.all()} == {"people.organisation", "quotas.warnings", "planning.indicators",
                                                      "supply.figures"}
    with pytest.raises(ImproperlyConfigured):  # one region directory: a second app cannot replace it
        regions.register(object())


def test_a_registered_search_provider_shows_on_the_search_page_and_sees_only_the_viewers_scope(
        client_for, township_officer, registered):
    seen: list[RegionScope] = []

    def find(scope: RegionScope, query: str, limit: int) -> list[search.Hit]:
        seen.append(scope)
        return [search.Hit(f"审批事项 {query} {n}", "审批事项", f"/approvals/{n}/") for n in range(limit)]

    registered(search.PROVIDERS,
               search.SearchProvider("tests.approvals", "审批事项", find, more_url=lambda q: f"/approvals/?q={q}"))
    page = client_for(township_officer).get(reverse("web:search") + "?q=批复").content.decode()
    assert seen == [scope_for(township_officer)]
    assert 'data-search-group="tests.approvals"' in page and "审批事项 批复 0" in page
    # Capped at search.LIMIT, the rest behind "查看全部" (the provider answered one more than asked for).
    assert f"审批事项 批复 {search.LIMIT - 1}" in page and f"审批事项 批复 {search.LIMIT}<" not in page
    assert 'href="/approvals/?q=批复"' in page and "查看全部" in page


def test_a_registered_report_section_is_in_the_weekly_page_docx_and_xlsx(client_for, county_admin, registered):
    weeks: list[Week] = []

    def build(scope: RegionScope, week: Week) -> list[Table]:
        weeks.append(week)
        return [Table("审批进度", ["事项", "件数"], [["规划许可", 3], ["用地预审", 2]])]

    registered(SECTIONS, Section("tests.approvals", build=build))
    report = reports.weekly_report(scope_for(county_admin), day=dt.date(2025, 6, 20), scope_label="冠县",
                                   calendar=work_calendar())
    assert weeks == [Week(start=dt.date(2025, 6, 13), report_day=dt.date(2025, 6, 19))]
    assert [t.title for t in report.sections][-1] == "审批进度"  # after the apps' own sections (approvals: order 10)
    docx = "\n".join(p.text for p in Document(io.BytesIO(reports.weekly_docx(report))).paragraphs)
    assert "审批进度" in docx
    book = load_workbook(io.BytesIO(reports.weekly_xlsx(report)))
    assert book["审批进度"]["A3"].value == "规划许可" and book["审批进度"]["B3"].value == 3
    page = client_for(county_admin).get(reverse("projects:weekly") + "?date=2025-06-20").content.decode()
    assert "审批进度" in page and "用地预审" in page


def test_a_registered_dashboard_tile_is_rendered_with_its_values_and_actions(client_for, other_county_user, registered):
    scopes: list[RegionScope] = []

    def values(scope: RegionScope) -> dict:
        scopes.append(scope)
        return {"title": "供地率", "charts": {"tests_supply": [{"name": "已供", "value": 7}]}}

    # The tiles borrow the people tile's fragment: `tile` is each one's own values.
    registered(dashboard.TILES, dashboard.Tile("tests.supply", template="people/_dashboard_tile.html", context=values,
                                               actions=(("导出测试", "web:map"),)))
    registered(dashboard.TILES, dashboard.Tile("tests.plain", template="people/_dashboard_tile.html",
                                               context=lambda scope: {"summary": {"townships": 424242}}, order=999))
    page = client_for(other_county_user).get(reverse("web:dashboard")).content.decode()
    assert scopes == [scope_for(other_county_user)]
    charts = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    assert charts["tests_supply"] == [{"name": "已供", "value": 7}] and "coverage" in charts  # every tile's chart rows
    assert "424242" in page and 'href="/map/"' in page and "导出测试" in page
    assert page.index('data-chart="coverage"') < page.index("424242")  # tiles in their order


def test_the_battle_map_shows_registered_project_statuses_for_the_projects_in_scope(client_for, township_officer,
                                                                                     registered):
    asked: list[tuple[RegionScope, set[int]]] = []

    def approval(scope: RegionScope, ids) -> dict[int, status.ProjectStatus]:
        asked.append((scope, set(ids)))
        return {pk: status.ProjectStatus("已批复", tone="ok") for pk in ids} | {10**9: status.ProjectStatus("不该出现")}

    registered(status.PROVIDERS, status.StatusProvider("tests.approval", "审批状态", approval))
    client = client_for(township_officer)
    data = client.get(reverse("projects:map-geojson")).json()
    scope = scope_for(township_officer)
    visible = set(project_selectors.projects(scope).filter(boundary__isnull=False).values_list("pk", flat=True))
    assert visible and visible != set(Project.objects.filter(boundary__isnull=False).values_list("pk", flat=True))
    assert asked[-1] == (scope, visible)
    assert {f["properties"]["id"] for f in data["features"]} == visible
    shown = [{"key": "tests.approval", "label": "审批状态", "value": "已批复", "tone": "ok"}]
    assert all(f["properties"]["statuses"] == shown for f in data["features"])
    page = client.get(reverse("projects:map")).content.decode()
    assert 'data-status="tests.approval"' in page and "审批状态：已批复" in page and "不该出现" not in page


def test_without_status_providers_the_battle_map_has_no_statuses(client_for, county_admin):
    data = client_for(county_admin).get(reverse("projects:map-geojson")).json()
    assert data["features"] and all(f["properties"]["statuses"] == [] for f in data["features"])
