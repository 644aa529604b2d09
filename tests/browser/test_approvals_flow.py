"""Issue 12's "done when", in the browser as the county admin: a dossier drawn on the map over the demo county's
永久基本农田 gets a checklist naming 国务院 and asking for 补划; a clean 批次 (inside the 城镇开发边界, off 永农 and
红线, uploaded as GeoJSON) is submitted (its quota reserved, the quota pages show it), approved (quota settled, the
linked project's 组卷报批 step done, the responsibility list's progress moved); a withdrawn one releases its
reservation; at every point the ledger's balance equals the sum of its rows — through the API and in the database.
Then the approvals and quota pages at 390 px and on a desktop: screenshots, no sideways scroll, no internal codes."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from browser_helpers import MAP_READY_TIMEOUT, wait_until

from landguard.demo.personas import COUNTY_ADMIN

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 860}}

SETUP = """
import datetime as dt, json
from decimal import Decimal
import shapely
from landguard.core import clock
from landguard.demo.approvals import COUNTY, exact_square, free_land
from landguard.engine.kinds import ControlKind
from landguard.projects import services as ps
from landguard.projects.models import Project
from landguard.quotas import services as qs
from landguard.quotas.models import Kind, Source
from landguard.regions.models import Region
county = Region.objects.get(code=COUNTY, retired_in__isnull=True)
year = clock.today().year
for kind, amount in ((Kind.OFFSET_AREA, 500), (Kind.OFFSET_PADDY, 100), (Kind.OFFSET_CAPACITY, 1000000)):
    qs.allocate(actor=None, region=county, year=year, kind=kind, amount=Decimal(amount), source=Source.ISSUED,
                document_no='浏览器测试（合成）', effective_on=dt.date(year, 1, 2))
farm = exact_square(free_land(COUNTY, inside=ControlKind.BASIC_FARMLAND), 20000)
cache = {}
clean = exact_square(free_land(COUNTY, agricultural=True, cache=cache), 30000, after=3)
other = exact_square(free_land(COUNTY, agricultural=True, cache=cache, avoid=shapely.buffer(clean, 0.002)), 20000,
                     after=4)
project = ps.create_project(actor=None, name='浏览器报批服务项目', level=Project.Level.COUNTY, boundary=clean,
                            boundary_source=Project.BoundarySource.UPLOAD, is_synthetic=True)
first = project.steps.get(order=1)
ps.start_step(actor=None, step=first)
ps.complete_step(actor=None, step=first)
def feature(g):
    return {'type': 'FeatureCollection', 'features': [{'type': 'Feature', 'properties': {},
            'geometry': json.loads(shapely.to_geojson(g))}]}
c = shapely.centroid(farm)
json.dump({'farm': [c.x, c.y], 'clean': feature(clean), 'other': feature(other), 'project': project.pk,
           'project_name': project.name, 'year': year}, open(%r, 'w'), ensure_ascii=False)
"""

LEDGER_CHECK = """
from decimal import Decimal
from django.db.models import Sum
from landguard.core.scope import EVERYTHING
from landguard.quotas import selectors
from landguard.quotas.models import QuotaAccount, QuotaEntry
for account in QuotaAccount.objects.filter(region__code='371525'):
    balance = selectors.balances_of([account])[account.pk]
    rows = QuotaEntry.objects.filter(account=account).aggregate(s=Sum('amount'))['s'] or Decimal(0)
    if account.kind != 'plan' or account.year != %d:
        continue
    assert balance.available == rows, (account, balance.available, rows)
"""


@pytest.fixture
def setup(server_shell, artifacts):
    path = artifacts / "approvals-setup.json"
    path.unlink(missing_ok=True)
    server_shell(SETUP % str(path))
    return json.loads(path.read_text(encoding="utf-8"))


def _plan_account(tab, year: int) -> dict:
    accounts = tab.context.request.get(f"/api/quotas/accounts/?year={year}&kind=plan").json()["results"]
    (account,) = [a for a in accounts if a["region_code"] == "371525"]
    return account


def _assert_balance_is_sum_of_rows(tab, server_shell, year: int) -> dict:
    """Through the API (the account's balance against its rows) and the database (the same, in the server's)."""
    account = _plan_account(tab, year)
    rows = tab.context.request.get(f"/api/quotas/entries/?account={account['id']}&page_size=500").json()["results"]
    assert Decimal(account["balance"]["available"]) == sum((Decimal(r["amount"]) for r in rows), Decimal(0))
    server_shell(LEDGER_CHECK % year)
    return account


def _create(page, name: str, geojson: dict | None, tmp_path, project: str | None = None) -> str:
    page.goto("/approvals/new/")
    page.fill("#id_name", name)
    page.select_option("#id_kind", "batch")
    if project:
        page.select_option("#id_projects", label=project)
    if geojson is not None:
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps(geojson, ensure_ascii=False), encoding="utf-8")
        page.set_input_files("#id_boundary_file", str(path))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.locator("h1").inner_text().startswith(name), page.locator("main").inner_text()[:800]
    return page.url.split("#")[0].split("?")[0]


def _ready(page, url: str) -> None:
    """Quota lines covering the dossier's needs (read from its page) and every package part ticked."""
    text = page.locator("#checklist").inner_text()
    need = re.search(r"新增建设用地 ([\d,.]+) 亩", text).group(1).replace(",", "")
    farm = re.search(r"占用耕地 ([\d,.]+) 亩", text)
    page.goto(url + "quotas/")
    page.fill("#id_plan", str(Decimal(need) + Decimal("0.0001")))
    if farm:
        page.fill("#id_offset_area", str(Decimal(farm.group(1).replace(",", "")) + Decimal("0.0001")))
        page.fill("#id_offset_capacity", "50000")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.goto(url + "edit/")
    for box in page.locator("input[name=parts_done]").all():
        box.check()
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "已保存修改" in page.locator(".messages").inner_text()


def _act(page, action: str, fields: dict[str, str], button: str) -> str:
    form = page.locator(f"form[action$='/{action}/']")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    return page.locator(".messages").inner_text()


def _done_wan_mu(page) -> float:
    page.goto("/projects/targets/")
    page.locator("table a").first.click()
    page.wait_for_load_state()
    return float(page.locator("[data-done]").inner_text())


def test_dossiers_from_drawing_to_approval_with_the_ledgers_adding_up(open_tab, setup, server_shell, artifacts,
                                                                       tmp_path):
    tab = open_tab(COUNTY_ADMIN, **DESKTOP)
    page = tab.page
    year = setup["year"]

    # 1. Drawn over 永农: the checklist names 国务院 and asks for 补划.
    page.goto("/approvals/new/")
    wait_until(page, "window.landguardMapReady === true && document.querySelector('.draw-map').dataset.drawReady "
                     "=== 'true'", timeout=MAP_READY_TIMEOUT)
    page.evaluate("(c) => window.landguardMap.jumpTo({center: c, zoom: 17})", setup["farm"])
    wait_until(page, "() => window.landguardMap.loaded() && !window.landguardMap.isMoving()")
    page.locator(".draw-map").scroll_into_view_if_needed()
    page.fill("#id_name", "浏览器永农批次")
    page.select_option("#id_kind", "batch")
    page.click("[data-draw='start']")
    box = page.locator(".draw-map").bounding_box()
    cx, cy, half = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 15, 30
    corners = [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half)]
    for x, y in corners[:3]:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.dblclick(*corners[3])
    page.wait_for_timeout(300)
    assert "已绘制用地范围（4 个顶点）" in page.locator("[data-drawn-status]").inner_text()
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    check = page.locator("[data-check=basic_farmland]").inner_text()
    assert "国务院" in check and "补划" in check and "未通过" in check
    assert "国务院" in page.locator("[data-authority=conversion]").inner_text()
    assert page.locator("#actions button:has-text('上报并预占指标')").is_disabled()
    page.screenshot(path=str(artifacts / "approvals-basic-farmland-desktop.png"), full_page=True)

    # 2. A clean 批次 linked to a project: submitted (reserved), approved (settled, step done, progress moved).
    before = _assert_balance_is_sum_of_rows(tab, server_shell, year)["balance"]
    progress_before = _done_wan_mu(page)
    url = _create(page, "浏览器干净批次", setup["clean"], tmp_path, project=setup["project_name"])
    _ready(page, url)
    page.goto(url)
    assert not page.locator("#checklist .check-fail").count(), page.locator("#checklist").inner_text()
    assert "已上报，使用指标已预占" in _act(page, "submit", {}, "上报并预占指标")
    reserved = _assert_balance_is_sum_of_rows(tab, server_shell, year)["balance"]
    assert Decimal(reserved["reserved"]) > Decimal(before["reserved"])
    assert Decimal(reserved["available"]) == Decimal(before["available"]) - (
        Decimal(reserved["reserved"]) - Decimal(before["reserved"]))
    account_url = f"/quotas/accounts/{_plan_account(tab, year)['id']}/"
    page.goto(account_url)
    ledger = page.locator("main").inner_text()
    assert "浏览器干净批次" in ledger and "预占中" in ledger
    page.goto(url)
    assert "已登记批复" in _act(page, "approve", {"approval_no": f"鲁政土字〔{year}〕901号"}, "登记批复")
    settled = _assert_balance_is_sum_of_rows(tab, server_shell, year)["balance"]
    assert Decimal(settled["reserved"]) == Decimal(before["reserved"])
    assert Decimal(settled["used"]) > Decimal(before["used"])
    page.goto(account_url)
    assert "已核销" in page.locator("main").inner_text()
    page.goto(f"/projects/{setup['project']}/")
    step = page.locator("tr:has-text('组卷报批')").first.inner_text()
    assert "已办结" in step, step
    assert _done_wan_mu(page) > progress_before
    # The battle map: the project's 报批状态 in its data (the popup reads it) and in the ticker.
    data = tab.context.request.get(f"/projects/map.geojson?q={setup['project_name']}").json()
    shown = [s for f in data["features"] if f["properties"]["id"] == setup["project"]
             for s in f["properties"]["statuses"]]
    assert shown and shown[0]["key"] == "approvals.approval" and shown[0]["value"] == "已批复", shown
    page.goto(f"/projects/?q={setup['project_name']}")
    assert "已批复" in page.locator("[data-status='approvals.approval']").first.inner_text()
    page.screenshot(path=str(artifacts / "approvals-battle-map-desktop.png"), full_page=True)

    # 3. Another one submitted then withdrawn: its reservation is released.
    url = _create(page, "浏览器撤回批次", setup["other"], tmp_path)
    _ready(page, url)
    page.goto(url)
    assert "已上报" in _act(page, "submit", {}, "上报并预占指标")
    assert Decimal(_assert_balance_is_sum_of_rows(tab, server_shell, year)["balance"]["reserved"]) > Decimal(
        settled["reserved"])
    assert "已撤回" in _act(page, "withdraw", {"note": "浏览器测试撤回"}, "撤回卷宗")
    released = _assert_balance_is_sum_of_rows(tab, server_shell, year)["balance"]
    assert Decimal(released["reserved"]) == Decimal(settled["reserved"])
    assert Decimal(released["available"]) == Decimal(settled["available"])
    page.goto(account_url)
    assert "已退回" in page.locator("main").inner_text()
    tab.assert_no_js_errors()


PAGES = (("dossier-list", "/approvals/"), ("dossier-detail", None), ("approvals-summary", "/approvals/summary/"),
         ("quota-ledger", "/quotas/entries/"), ("quota-report", "/quotas/report/"), ("quota-overview", "/quotas/"))
CODES = re.compile(r"\b(draft|submitted|approved|withdrawn|refused|batch|separate_site|city_project|plan|offset_area|"
                   r"offset_paddy|offset_capacity|link_turnover|link_surplus|approvals\.dossier:\d+)\b")


@pytest.mark.parametrize(("label", "options"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_approvals_and_quota_pages_fit_a_phone_and_a_desktop(open_tab, artifacts, label, options):
    tab = open_tab(COUNTY_ADMIN, **options)
    page = tab.page
    page.goto("/approvals/")
    detail = page.locator("table a[href^='/approvals/']").first.get_attribute("href")
    for name, url in PAGES:
        page.goto(url or detail)
        page.wait_for_load_state("networkidle")
        if name == "dossier-detail":
            wait_until(page, "() => !!document.querySelector('#dossier-map canvas')", timeout=MAP_READY_TIMEOUT)
        page.screenshot(path=str(artifacts / f"approvals-{name}-{label}.png"), full_page=True)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if label == "phone":
            assert width <= 390, f"{name}: the page scrolls sideways ({width} px)"
        shown = page.locator("main").inner_text()
        assert not CODES.search(shown), f"{name}: internal code {CODES.search(shown).group(0)!r} shown"
    tab.assert_no_js_errors()
