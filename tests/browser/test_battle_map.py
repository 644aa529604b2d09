"""The battle map (挂图作战) end to end, as the county admin with the server's clock pinned: register a project
from a 坐标交换文件, see its occupation summary, run two steps in parallel with a 容缺 item that blocks closing,
import a responsibility list, raise a problem, watch the project turn overdue on the map when the clock
passes its deadline, and download the weekly report whose three lists hold the expected rows. Then draw a
project's boundary on the map instead: by clicks on a desktop, by taps on a phone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import shapely
from browser_helpers import MAP_READY_TIMEOUT, wait_until
from docx import Document
from openpyxl import Workbook, load_workbook

from landguard.demo.loader import GUANXIAN_SEAT
from landguard.demo.personas import COUNTY_ADMIN
from landguard.formats.exchange import ExchangeParcel
from landguard.formats.exchange_write import write_exchange

pytestmark = pytest.mark.browser
NAME = "浏览器测试产业园项目"
# Inside 清泉街道: the demo seeds the first 街道 around this offset from the county seat.
CENTRE = (GUANXIAN_SEAT[0] - 0.02, GUANXIAN_SEAT[1] + 0.005)


def _exchange_file(tmp_path):
    x, y = CENTRE
    square = shapely.box(x - 0.001, y - 0.001, x + 0.001, y + 0.001)
    path = tmp_path / "项目用地范围.txt"
    path.write_bytes(write_exchange([ExchangeParcel(square, number="1", name="项目用地")], zone=38).encode("gbk"))
    return path


def _target_file(tmp_path):
    wb = Workbook()
    wb.active.append(
        ["地区", "责任领导", "责任处室", "用地任务件数", "用地任务面积（万亩）", "合计件数", "合计面积（万亩）"])
    wb.active.append(["清泉街道", "王副县长", "耕地保护科", 2, 0.03, 2, 0.03])
    path = tmp_path / "责任清单.xlsx"
    wb.save(path)
    return path


def _row(page, step: str):
    return page.locator(f"tr[data-step='{step}']")


def _map_health(page) -> str:
    page.goto("/projects/")
    wait_until(page, "document.getElementById('battle-map').dataset.ready === 'true'", timeout=MAP_READY_TIMEOUT)
    return page.evaluate("""(name) => {
        const features = window.landguardMap.querySourceFeatures('projects').filter((f) => f.properties.name === name);
        return features.length ? features[0].properties.health : null;
    }""", NAME)


def test_a_project_from_an_exchange_file_runs_parallel_steps_turns_overdue_and_reaches_the_weekly_report(
        open_tab, pin_clock, tmp_path, artifacts):
    pin_clock(dt.date(2025, 6, 3))  # a Tuesday after the 端午 holiday
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page

    # Register the project from a coordinate exchange file.
    page.goto("/projects/new/")
    page.fill("#id_name", NAME)
    page.select_option("#id_level", "county")
    page.set_input_files("#id_boundary_file", str(_exchange_file(tmp_path)))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.locator("h1").inner_text().startswith(NAME)
    occupation = page.locator("#occupation")
    assert "占地分析" in occupation.inner_text() and "占用耕地（扣除田坎）" in occupation.inner_text()
    assert page.locator(".parts-table").inner_text().count("清泉街道") == 1

    # Two steps without predecessors run in parallel; a 容缺 item is accepted on the first.
    for step in ("用地预审与选址意见书", "规划条件"):
        with page.expect_navigation():
            _row(page, step).locator("button", has_text="开始办理").click()
    assert page.locator("tr[data-status='in_progress']").count() == 2
    first = _row(page, "用地预审与选址意见书")
    first.locator("summary", has_text="登记容缺材料").click()
    first.locator("input[name=material]").fill("土地权属来源证明")
    first.locator("input[name=promised_on]").fill("2025-06-10")
    first.locator("input[name=owner]").fill("建设单位经办人")
    with page.expect_navigation():
        first.locator("button", has_text="登记").last.click()
    with page.expect_navigation():
        _row(page, "用地预审与选址意见书").locator("button", has_text="办结").click()
    assert "尚有 1 项容缺材料未补齐（土地权属来源证明）" in page.locator(".messages").inner_text()
    project_url = page.url.split("#")[0]
    page.screenshot(path=str(artifacts / "battle-map-project.png"), full_page=True)

    # A problem on the project and a responsibility list for the year.
    page.goto(f"/projects/problems/new/?project={project_url.rstrip('/').rsplit('/', 1)[1]}")
    page.select_option("#id_category", "quota")
    page.fill("#id_description", "新增建设用地计划指标待市级统筹")
    page.fill("#id_division", "耕地保护科")
    page.fill("#id_deadline", "2025-06-30")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.goto("/projects/targets/import/")
    page.set_input_files("#id_file", str(_target_file(tmp_path)))
    page.fill("#id_name", "2025年度用地保障责任清单（测试）")
    page.select_option("#id_region", label="冠县（371525）")
    page.fill("#id_period_start", "2025-01-01")
    page.fill("#id_period_end", "2025-12-31")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "已导入责任清单" in page.locator(".messages").inner_text()

    # On the map it is on track; when the clock passes 规划条件's 10 working days (17 June) it turns overdue.
    assert _map_health(page) == "on_track"
    pin_clock(dt.date(2025, 6, 20))
    assert _map_health(page) == "overdue"
    assert page.locator(".project-ticker li", has_text=NAME).locator(".health-overdue").count() == 1
    page.screenshot(path=str(artifacts / "battle-map-overdue.png"))
    page.goto(project_url)
    assert _row(page, "规划条件").get_attribute("data-health") == "overdue"

    # The weekly report (Thursday 19 June) as xlsx and docx: its three lists hold the rows.
    page.goto("/projects/reports/weekly/")
    assert "2025-06-19" in page.locator("h1").inner_text()
    with page.expect_download() as download:
        page.click("a[data-download=xlsx]")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))  # the saved download has no suffix
    assert workbook.sheetnames[:3] == ["问题清单", "责任清单", "任务清单"]
    sheet_text = {name: "\n".join(" ".join(str(c) for c in row if c is not None)
                                  for row in workbook[name].iter_rows(values_only=True))
                                      for name in workbook.sheetnames}
    assert "新增建设用地计划指标待市级统筹" in sheet_text["问题清单"]
    assert "清泉街道 王副县长 耕地保护科" in sheet_text["责任清单"]
    tasks = [row for row in workbook["任务清单"].iter_rows(min_row=3, values_only=True) if row[1] == NAME]
    assert {(row[2], row[6]) for row in tasks} >= {("规划条件", "超期"), ("用地预审与选址意见书", "正常推进"),
                                                   ("补齐容缺材料：土地权属来源证明（用地预审与选址意见书）", "超期")}
    with page.expect_download() as download:
        page.click("a[data-download=docx]")
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["一、问题清单", "二、责任清单", "三、任务清单"]
    cells = [" ".join(c.text for c in row.cells) for table in document.tables[:3] for row in table.rows]
    assert any("新增建设用地计划指标待市级统筹" in c for c in cells)
    assert any("清泉街道" in c and "王副县长" in c for c in cells)
    assert any(NAME in c and "规划条件" in c and "超期" in c for c in cells)
    tab.assert_no_js_errors()


DESKTOP = {"viewport": {"width": 1366, "height": 860}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _drawing_page(open_tab, options: dict, url: str):
    tab = open_tab(COUNTY_ADMIN, **options)
    page = tab.page
    page.goto(url)
    wait_until(page,
               "window.landguardMapReady === true && document.querySelector('.draw-map').dataset.drawReady === 'true'",
                           timeout=MAP_READY_TIMEOUT)
    page.evaluate("(centre) => window.landguardMap.jumpTo({center: centre, zoom: 16})", list(CENTRE))
    wait_until(page, "() => window.landguardMap.loaded() && !window.landguardMap.isMoving()")
    page.locator(".draw-map").scroll_into_view_if_needed()
    return tab


def _corners(page, half: float) -> list[tuple[float, float]]:
    box = page.locator(".draw-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 15  # below the toolbar
    return [(cx - half, cy - half * 0.7), (cx + half, cy - half * 0.7), (cx + half * 0.8, cy + half * 0.7),
            (cx - half, cy + half * 0.7)]


def test_a_project_boundary_is_drawn_by_clicks_on_a_desktop(open_tab, artifacts):
    tab = _drawing_page(open_tab, DESKTOP, "/projects/new/")
    page = tab.page
    page.fill("#id_name", "地图绘制范围项目")
    page.select_option("#id_level", "county")
    page.click("[data-draw='start']")
    points = _corners(page, 120)
    for x, y in points[:3]:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.dblclick(*points[3])  # the last vertex closes the ring
    page.wait_for_timeout(300)
    assert "已绘制用地范围（4 个顶点）" in page.locator("[data-drawn-status]").inner_text()
    page.screenshot(path=str(artifacts / "project-draw-desktop.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.locator("h1").inner_text().startswith("地图绘制范围项目")
    facts = page.locator(".facts").first.inner_text()
    assert "地图绘制" in facts and "公顷" in facts
    assert page.locator(".parts-table").inner_text().count("清泉街道") == 1
    tab.assert_no_js_errors()


def test_a_project_boundary_is_redrawn_by_taps_on_a_phone(open_tab, artifacts, tmp_path):
    setup = open_tab(COUNTY_ADMIN, **PHONE)
    setup.page.goto("/projects/new/")
    setup.page.fill("#id_name", "手机绘制范围项目")
    setup.page.select_option("#id_level", "county")
    setup.page.set_input_files("#id_boundary_file", str(_exchange_file(tmp_path)))
    with setup.page.expect_navigation():
        setup.page.click("form.form button[type=submit]")
    boundary_url = setup.page.url.split("#")[0] + "boundary/"
    tab = _drawing_page(open_tab, PHONE, boundary_url)
    page = tab.page
    page.tap("[data-draw='start']")
    for x, y in _corners(page, 70):
        page.touchscreen.tap(x, y)
        page.wait_for_timeout(400)  # taps apart in time and space: no double-tap zoom
    assert "已添加 4 个顶点" in page.locator("[data-drawn-status]").inner_text()
    page.tap("[data-draw='finish']")
    page.screenshot(path=str(artifacts / "project-draw-phone.png"), full_page=True)
    with page.expect_navigation():
        page.tap("form.form button[type=submit]")
    assert "已更新用地范围" in page.locator(".messages").inner_text()
    assert "地图绘制" in page.locator(".facts").first.inner_text()
    tab.assert_no_js_errors()
