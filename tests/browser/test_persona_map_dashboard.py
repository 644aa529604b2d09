"""Each persona signs in through the login form and meets exactly their own region on the map and the
dashboard, rendered by a real Chromium (MapLibre on WebGL, ECharts on canvas)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from browser_helpers import login_through_form, wait_for_map

from landguard.demo.personas import (
    COUNTY_ADMIN,
    DEMO_COUNTY_CODE,
    DEMO_TOWNSHIP_CODE,
    OTHER_COUNTY_CODE,
    OTHER_COUNTY_USER,
    TOWNSHIP_OFFICER,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Expect:
    region: str  # the scope's name, shown on home, in the nav and on the dashboard
    prefix: str  # every feature code must start with this
    first_layer: str  # the map's top level for this scope


EXPECT = {
    COUNTY_ADMIN: Expect(region="冠县", prefix=DEMO_COUNTY_CODE, first_layer="county"),
    TOWNSHIP_OFFICER: Expect(region="清泉街道", prefix=DEMO_TOWNSHIP_CODE, first_layer="township"),
    OTHER_COUNTY_USER: Expect(region="莘县", prefix=OTHER_COUNTY_CODE, first_layer="county"),
}


def _layer_of(url: str) -> str:
    return parse_qs(urlparse(url).query).get("level", ["?"])[0]


@pytest.mark.parametrize("username", [COUNTY_ADMIN, TOWNSHIP_OFFICER, OTHER_COUNTY_USER])
def test_persona_signs_in_and_map_and_dashboard_show_only_their_region(open_tab, server_url, artifacts, username):
    expect = EXPECT[username]
    tab = open_tab()  # no stored state: this test signs in through the form itself
    page = tab.page
    geojson = []
    page.on("response", lambda r: geojson.append(r) if "/map/regions.geojson" in r.url else None)

    # --- login → home
    login_through_form(page, server_url, username)
    assert expect.region in page.locator("main h1").inner_text()
    assert expect.region in page.locator(".user-scope").inner_text()

    # --- map, reached through the navigation
    with page.expect_navigation():
        page.click(".nav-links a[href='/map/']")
    wait_for_map(page)
    assert geojson, "the map requested no region GeoJSON"
    features: dict[str, list[dict]] = {}
    for response in geojson:
        assert response.status == 200, f"{response.url} answered {response.status}"
        body = response.json()
        assert body["type"] == "FeatureCollection"
        features[_layer_of(response.url)] = body["features"]
    assert features.get(expect.first_layer), f"no {expect.first_layer} features for {username}: {list(features)}"
    assert features.get("township"), f"no township features for {username}"
    codes = [f["properties"]["code"] for layer in features.values() for f in layer]
    outside = [code for code in codes if not code.startswith(expect.prefix)]
    assert not outside, f"{username} was sent features outside {expect.prefix}: {outside[:10]}"

    townships = {f["properties"]["code"]: f["properties"]["name"] for f in features["township"]}
    if username == COUNTY_ADMIN:
        assert townships.get(DEMO_TOWNSHIP_CODE) == "清泉街道"
        assert len(townships) == 18, sorted(townships)  # the real 冠县 has 18 townships
        assert features["county"][0]["properties"]["name"] == "冠县"
    elif username == TOWNSHIP_OFFICER:
        assert townships == {DEMO_TOWNSHIP_CODE: "清泉街道"}
        assert features.get("village"), "the township officer sees his villages"
    else:
        assert not any(code.startswith(DEMO_COUNTY_CODE) for code in codes)
        assert features["county"][0]["properties"]["name"] == "莘县"

    # What MapLibre actually drew on screen (not only what it downloaded) is the same scope.
    drawn = page.evaluate("""() => {
        const map = window.landguardMap;
        const layers = ['county-fill', 'township-fill', 'village-fill'].filter((id) => map.getLayer(id));
        return map.queryRenderedFeatures({ layers }).map((f) => f.properties.code);
    }""")
    assert drawn, "MapLibre rendered no region polygons"
    assert all(code.startswith(expect.prefix) for code in drawn)
    assert page.locator("[data-layer-list] input[type=checkbox]").count() >= 3
    page.screenshot(path=str(artifacts / f"map-{username}.png"))

    # --- dashboard, through the navigation
    with page.expect_navigation():
        page.click(".nav-links a[href='/dashboard/']")
    page.wait_for_selector("html[data-charts-ready]")
    charts = page.evaluate("""() => [...document.querySelectorAll('[data-chart]')].map((el) => {
        const canvas = el.querySelector('canvas, svg');
        const box = canvas ? canvas.getBoundingClientRect() : null;
        return { id: el.id, instance: !!(window.echarts && echarts.getInstanceByDom(el)),
                 width: box ? box.width : 0, height: box ? box.height : 0 };
    })""")
    assert len(charts) == 5, charts
    for chart in charts:
        assert chart["instance"] and chart["width"] > 100 and chart["height"] > 100, chart
    assert page.locator("html").get_attribute("data-charts-ready") == "5"
    scope_line = page.locator(".page-head p.muted").inner_text()
    assert expect.region in scope_line and expect.prefix in scope_line, scope_line
    rows = page.locator("table.table tbody tr td:nth-child(2)").all_inner_texts()
    assert rows and all(code.startswith(expect.prefix) for code in rows), rows
    page.screenshot(path=str(artifacts / f"dashboard-{username}.png"), full_page=True)

    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()
