"""With no base map configured (the default) the map works offline: region overlays on a plain background,
and the browser never contacts any host but the LandGuard server."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from browser_helpers import wait_for_map

from landguard.demo.personas import COUNTY_ADMIN

pytestmark = pytest.mark.browser


def test_map_without_base_map_requests_nothing_but_the_landguard_server(open_tab, server_url, artifacts):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    own = urlparse(server_url).netloc
    page.goto("/map/")
    wait_for_map(page)
    assert page.locator(".layer-note").inner_text() == "未配置底图（离线模式）"
    sources = page.evaluate("""() => Object.entries(window.landguardMap.getStyle().sources)
        .map(([id, s]) => ({ id, type: s.type, tiles: s.tiles || null }))""")
    # Region overlays are GeoJSON; the data layers (地类图斑, control layers) are vector tiles — from this server only.
    assert sources and all((s["type"] == "geojson" and s["tiles"] is None)
                           or (s["type"] == "vector" and all(urlparse(t).netloc == own for t in s["tiles"]))
                           for s in sources), sources
    assert any(s["type"] == "vector" for s in sources), "the data layers are on the map"

    # Use it: switch the grid layer on (fetched on demand), zoom in to where village and grid labels show.
    with page.expect_response(lambda r: "level=grid" in r.url) as grid:
        page.check("[data-layer-list] input[data-layer=grid]")
    assert grid.value.status == 200 and grid.value.json()["features"]
    page.evaluate("""() => new Promise((done) => {
        const map = window.landguardMap;
        map.once('idle', done);
        map.jumpTo({ center: map.getCenter(), zoom: 14.5 });
    })""")
    labels = page.evaluate(
        "window.landguardMap.queryRenderedFeatures({ layers: ['grid-label', 'village-label'] }).length")
    assert labels > 0, "no village or grid labels at zoom 14.5"
    page.screenshot(path=str(artifacts / "map-offline-zoomed.png"))

    assert tab.requests, "no requests were recorded"
    foreign = sorted({url for url in tab.requests if urlparse(url).scheme not in ("data", "blob")
                      and urlparse(url).netloc != own})
    assert not foreign, f"the offline map contacted other hosts: {foreign}"
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()
