"""Each persona signs in through the login form and meets exactly their own region on the map and the
dashboard, rendered by a real Chromium (MapLibre on WebGL, ECharts on canvas)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import assert_map_visible, login_through_form, wait_for_map

from landguard.demo.personas import (
    COUNTY_ADMIN,
    DEMO_COUNTY_CODE,
    DEMO_TOWNSHIP_CODE,
    OTHER_COUNTY_CODE,
    OTHER_COUNTY_USER,
    TOWNSHIP_OFFICER,
)

pytestmark = pytest.mark.browser

PERSONAS = [COUNTY_ADMIN, TOWNSHIP_OFFICER, OTHER_COUNTY_USER]


@dataclass(frozen=True)
class Expect:
    region: str  # the scope's name, shown on home, in the nav and on the dashboard
    prefix: str  # every region code the persona is sent must start with this
    first_layer: str  # the map's top level for this scope


EXPECT = {
    COUNTY_ADMIN: Expect(region="冠县", prefix=DEMO_COUNTY_CODE, first_layer="county"),
    TOWNSHIP_OFFICER: Expect(region="清泉街道", prefix=DEMO_TOWNSHIP_CODE, first_layer="township"),
    OTHER_COUNTY_USER: Expect(region="莘县", prefix=OTHER_COUNTY_CODE, first_layer="county"),
}


def _layer_of(url: str) -> str:
    return parse_qs(urlparse(url).query).get("level", ["?"])[0]


def _open_map(tab) -> dict[str, list[dict]]:
    """Open the map through the navigation, wait until map.js reports it ready; the GeoJSON it loaded, by layer."""
    page = tab.page
    responses = []
    page.on("response", lambda r: responses.append(r) if "/map/regions.geojson" in r.url else None)
    with page.expect_navigation():
        page.click(".nav-links a[href='/map/']")
    wait_for_map(page)
    assert responses, "the map requested no region GeoJSON"
    features: dict[str, list[dict]] = {}
    for response in responses:
        assert response.status == 200, f"{response.url} answered {response.status}"
        assert response.headers["content-type"].startswith("application/geo+json")
        body = response.json()
        assert body["type"] == "FeatureCollection"
        features[_layer_of(response.url)] = body["features"]
    return features


@pytest.mark.parametrize("username", PERSONAS)
def test_login_form_lands_persona_on_home_naming_their_region(open_tab, server_url, artifacts, username):
    tab = open_tab()  # no stored state: sign in through the form
    page = tab.page
    page.goto("/map/")  # a protected page sends the visitor to the login form first
    assert urlparse(page.url).path == "/login/"
    login_through_form(page, server_url, username)
    region = EXPECT[username].region
    assert region in page.locator("main h1").inner_text()
    assert region in page.locator(".user-scope").inner_text()
    assert page.locator(".nav-links a[href='/map/']").is_visible()
    page.screenshot(path=str(artifacts / f"home-{username}.png"), full_page=True)
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


@pytest.mark.parametrize("username", PERSONAS)
def test_map_loads_only_the_personas_regions(open_tab, artifacts, username):
    expect = EXPECT[username]
    tab = open_tab(username)
    tab.page.goto("/")
    features = _open_map(tab)

    assert features.get(expect.first_layer), f"no {expect.first_layer} features for {username}: {list(features)}"
    assert features.get("township"), f"no township features for {username}"
    codes = [f["properties"]["code"] for layer in features.values() for f in layer]
    outside = [code for code in codes if not code.startswith(expect.prefix)]
    assert not outside, f"{username} was sent regions outside {expect.prefix}: {outside[:10]}"
    townships = {f["properties"]["code"]: f["properties"]["name"] for f in features["township"]}
    if username == COUNTY_ADMIN:
        assert townships.get(DEMO_TOWNSHIP_CODE) == "清泉街道"
        assert len(townships) == 18, sorted(townships)  # the real 冠县 has 18 townships
        assert [f["properties"]["name"] for f in features["county"]] == ["冠县"]
    elif username == TOWNSHIP_OFFICER:
        assert townships == {DEMO_TOWNSHIP_CODE: "清泉街道"}
        assert features.get("village"), "the township officer sees his villages"
    else:
        assert not any(code.startswith(DEMO_COUNTY_CODE) for code in codes)
        assert [f["properties"]["name"] for f in features["county"]] == ["莘县"]

    # What MapLibre put into its rendered tiles is the same scope.
    drawn = tab.page.evaluate("""() => {
        const map = window.landguardMap;
        const layers = ['county-fill', 'township-fill', 'village-fill'].filter((id) => map.getLayer(id));
        return map.queryRenderedFeatures({ layers }).map((f) => f.properties.code);
    }""")
    assert drawn, "MapLibre rendered no region polygons"
    assert all(code.startswith(expect.prefix) for code in drawn)
    config = tab.page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    assert tab.page.locator("[data-layer-list] input[type=checkbox]").count() == len(config["layers"]) + len(
        config["dataLayers"])
    # The data layers offered are the persona's county's (a township officer opens the county's layers,
    # whose tiles then hold his township's parcels only).
    assert config["dataLayers"] and all(layer["source_layer"].startswith(expect.prefix[:6])
                                        for layer in config["dataLayers"])
    tab.page.screenshot(path=str(artifacts / f"map-{username}.png"))
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


@pytest.mark.parametrize("username", PERSONAS)
def test_map_draws_the_regions_visibly_on_screen(open_tab, artifacts, username):
    tab = open_tab(username)
    tab.page.goto("/")
    _open_map(tab)
    tab.page.screenshot(path=str(artifacts / f"map-visible-{username}.png"))
    assert_map_visible(tab.page, username)
    tab.assert_no_js_errors()


@pytest.mark.parametrize("username", PERSONAS)
def test_dashboard_draws_echarts_for_the_personas_region(open_tab, artifacts, username):
    expect = EXPECT[username]
    tab = open_tab(username)
    page = tab.page
    page.goto("/")
    with page.expect_navigation():
        page.click(".nav-links a[href='/dashboard/']")
    page.wait_for_selector("html[data-charts-ready]")
    charts = page.evaluate("""() => [...document.querySelectorAll('[data-chart]')].map((el) => {
        const surface = el.querySelector('canvas, svg');
        const box = surface ? surface.getBoundingClientRect() : null;
        return { id: el.id, instance: !!(window.echarts && echarts.getInstanceByDom(el)),
                 width: box ? box.width : 0, height: box ? box.height : 0 };
    })""")
    # the dashboard's five charts and those of the tiles the apps register (quota ledgers, plan indicators, supply)
    assert len(charts) >= 6 and "chart-quota-balance" in {c["id"] for c in charts}, charts
    for chart in charts:
        assert chart["instance"] and chart["width"] > 100 and chart["height"] > 100, chart
    assert page.locator("html").get_attribute("data-charts-ready") == str(len(charts))

    scope_line = page.locator(".page-head p.muted").inner_text()
    assert expect.region in scope_line and expect.prefix in scope_line, scope_line
    codes = page.locator("#township-table tbody tr td:nth-child(2)").all_inner_texts()
    assert codes and all(code.startswith(expect.prefix) for code in codes), codes
    if username == TOWNSHIP_OFFICER:
        assert codes == [DEMO_TOWNSHIP_CODE]
    page.screenshot(path=str(artifacts / f"dashboard-{username}.png"), full_page=True)
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()
