"""叠加分析 in a real Chromium: draw a boundary by clicking (tapping) vertices on the map, run the analysis,
see the tables and the intersected pieces drawn on the map, download the xlsx — on a desktop and a phone."""

from __future__ import annotations

import io

import openpyxl
import pytest
from browser_helpers import wait_for_map, wait_until

from landguard.demo.personas import COUNTY_ADMIN

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 860}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
CENTRE = (115.45, 36.52)  # farmland, villages and a town edge in the demo DLTB
ZOOM = 14  # ~7.6 m a CSS pixel here: a ±110 px square is ~280 ha


def _open(open_tab, options: dict):
    tab = open_tab(COUNTY_ADMIN, **options)
    page = tab.page
    page.goto("/analysis/")
    wait_for_map(page)
    page.wait_for_selector("#map[data-overlay-ready='true']", state="attached")
    page.evaluate("([centre, zoom]) => window.landguardMap.jumpTo({center: centre, zoom})", [list(CENTRE), ZOOM])
    wait_until(page, "() => window.landguardMap.loaded() && !window.landguardMap.isMoving()")
    return tab


def _vertices(page, half: int = 110) -> list[tuple[float, float]]:
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    return [(cx - half, cy - half * 0.8), (cx + half, cy - half), (cx + half * 0.9, cy + half * 0.9),
            (cx - half, cy + half)]


def _run_and_check(tab, artifacts, name: str) -> None:
    page = tab.page
    assert "已绘制边界（4 个顶点）" in page.locator("[data-drawn-status]").inner_text()
    page.click("form.overlay-form button[type=submit]")
    page.wait_for_selector("#overlay-results .analysis-results", timeout=30_000)
    page.wait_for_selector("#map[data-result-ready='true']", state="attached", timeout=30_000)
    results = page.locator("#overlay-results")
    text = results.inner_text()
    assert "地图绘制的边界" in text and "三大类" in text and "二级类" in text and "耕地净面积（扣除田坎）" in text
    assert page.locator("#overlay-results .class-table tbody tr").count() >= 3
    assert page.locator("#overlay-results .flags .badge").count() >= 1
    pieces = int(page.get_attribute("#map", "data-pieces"))
    assert pieces > 10
    drawn = page.evaluate("() => window.landguardMap.queryRenderedFeatures({layers: ['ov-pieces-fill']}).length")
    assert drawn > 0, "no intersected piece is drawn on the map"
    assert page.locator("[data-legend]").is_visible()
    # the result is framed below the drawing toolbar, not under it
    framed = page.evaluate("""() => {
        const map = window.landguardMap, box = map.getContainer().getBoundingClientRect();
        const tools = document.querySelector('.draw-tools').getBoundingClientRect();
        const [x0, , , y1] = JSON.parse(map.getContainer().dataset.resultBounds);
        return { top: map.project([x0, y1]).y, toolsBottom: tools.bottom - box.top };
    }""")
    assert framed["top"] >= framed["toolsBottom"], framed
    # every verdict badge stays inside the results panel
    panel = page.locator(".analysis-panel").bounding_box()
    for badge in page.locator("#overlay-results .flags .badge").all():
        edge = badge.bounding_box()
        assert edge["x"] + edge["width"] <= panel["x"] + panel["width"] + 1, badge.inner_text()
    page.locator("#map").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"overlay-{name}-map.png"))
    first = page.locator("#overlay-results .result").first
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"overlay-{name}-results.png"))
    first.screenshot(path=str(artifacts / f"overlay-{name}-tables.png"))

    with page.expect_download() as download:
        page.click("#overlay-results button[data-download='xlsx']")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames[0] == "汇总" and "地图绘制的边界" in book.sheetnames
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


def test_draw_by_clicks_on_a_desktop(open_tab, artifacts):
    tab = _open(open_tab, DESKTOP)
    page = tab.page
    page.click("[data-draw='start']")
    points = _vertices(page)
    for x, y in points[:3]:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.dblclick(*points[3])  # the last vertex closes the polygon
    page.wait_for_timeout(300)
    zoom = page.evaluate("() => window.landguardMap.getZoom()")
    assert abs(zoom - ZOOM) < 0.01, "the closing double click zoomed the map"
    page.screenshot(path=str(artifacts / "overlay-desktop-drawn.png"))
    _run_and_check(tab, artifacts, "desktop")


def test_draw_by_taps_on_a_phone(open_tab, artifacts):
    tab = _open(open_tab, PHONE)
    page = tab.page
    page.tap("[data-draw='start']")
    for x, y in _vertices(page, half=80):
        page.touchscreen.tap(x, y)
        page.wait_for_timeout(400)  # taps far apart in time and space: no double-tap zoom
    assert "已添加 4 个顶点" in page.locator("[data-drawn-status]").inner_text()
    page.tap("[data-draw='finish']")
    page.screenshot(path=str(artifacts / "overlay-phone-drawn.png"))
    _run_and_check(tab, artifacts, "phone")
