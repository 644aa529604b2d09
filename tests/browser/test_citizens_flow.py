"""Issue 15's browser check, on a phone (390 px) as the township's window officer: a second-hand-home transfer
registered with nothing but the buyer's and the seller's ID numbers (一证办证); the demo providers answer, the
household register asynchronously — after the page was closed, by the poll loop, and seen when it is opened again —;
the application is accepted and closed within its same-day target, and the look-ups are in its history. The full ID
numbers never appear on a page, in the export, in any table of the database or in the server's log, and the pages
do not scroll sideways."""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile

import pytest

from landguard.citizens.idnumbers import check_char
from landguard.demo.personas import TOWNSHIP_OFFICER

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _id(body17: str) -> str:
    return body17 + check_char(body17)


BUYER, SELLER = _id("37152519910704123"), _id("37152519680215456")
UNIT = "371525001001GB00077F00010077"
POLL = "from landguard.citizens.polling import poll_due; print(poll_due())"
# Every text, JSON and character column of every table (audit snapshots, jobs, task payloads, inbox included).
SCAN = """
from django.apps import apps
from django.db import models
hits = []
for model in apps.get_models():
    names = [f.name for f in model._meta.concrete_fields
             if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
    for row in (model._default_manager.values_list(*names).iterator() if names else ()):
        text = str(row)
        hits += [model._meta.label for number in %r if number in text]
assert not hits, hits
"""


def _fits(page, name: str, artifacts) -> None:
    page.screenshot(path=str(artifacts / f"citizens-{name}-phone.png"), full_page=True)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"{name}: the page scrolls sideways ({width} px)"
    text = page.content()
    assert BUYER not in text and SELLER not in text, f"{name}: a full ID number is on the page"


def test_one_id_resale_transfer_is_fetched_accepted_and_closed_the_same_day(open_tab, pin_clock, server_shell,
                                                                            artifacts):
    pin_clock(dt.datetime(2026, 9, 30, 9, 0))
    tab = open_tab(TOWNSHIP_OFFICER, **PHONE)
    page = tab.page
    page.goto("/citizens/new/")
    page.select_option("#id_region", index=1)
    page.select_option("#id_reg_kind", "transfer")
    page.select_option("#id_transfer_kind", "resale")
    page.fill("#id_unit_no", UNIT)
    page.fill("#id_contract_no", "GX-ES-2026-0777")
    page.fill("#id_holder_id", BUYER)
    page.fill("#id_holder_name", "浏览器买受人")
    page.fill("#id_obligor_id", SELLER)
    page.fill("#id_obligor_name", "浏览器出卖人")
    _fits(page, "form", artifacts)
    page.get_by_role("button", name="接件").click()
    page.wait_for_url("**/citizens/*/")
    detail = page.url
    page.get_by_label("申请人已书面授权查询其共享数据").check()
    page.get_by_role("button", name="查询共享材料").click()
    page.wait_for_load_state("networkidle")
    materials = page.locator("#materials").inner_text()
    assert "已申请，等待反馈" in materials and "缺少" not in materials
    _fits(page, "waiting", artifacts)
    page.close()  # the officer leaves; the household register answers a minute later, to the poll loop

    pin_clock(dt.datetime(2026, 9, 30, 9, 3))
    server_shell(POLL)
    page = tab.context.new_page()
    page.goto(detail)
    materials = page.locator("#materials").inner_text()
    assert "等待反馈" not in materials and "缺少" not in materials
    assert materials.count("已共享获取（比对一致）") == 8
    page.get_by_role("button", name="受理审查").click()
    page.wait_for_load_state("networkidle")
    assert "已受理" in page.locator("h1").inner_text()
    pin_clock(dt.datetime(2026, 9, 30, 15, 30))
    page.get_by_role("button", name="登簿办结").click()
    page.wait_for_load_state("networkidle")
    assert "已办结" in page.locator("h1").inner_text()
    facts = page.locator("main").inner_text()
    assert "按承诺办结" in facts and "2026-09-30" in facts
    lookups = page.locator("#lookups").inner_text()
    assert lookups.count("已反馈 · 一致") == 8 and "3715**********" in lookups and "demo" not in lookups
    history = page.locator("main").inner_text()
    assert "共享数据查询" in history and "共享数据反馈" in history
    _fits(page, "closed", artifacts)
    page.goto("/citizens/")
    _fits(page, "list", artifacts)
    page.goto("/")
    _fits(page, "home", artifacts)
    export = page.request.get("/citizens/export.xlsx")
    assert export.ok
    with zipfile.ZipFile(io.BytesIO(export.body())) as book:
        sheets = html.unescape("".join(book.read(name).decode("utf-8") for name in book.namelist()
                                       if name.endswith(".xml")))  # openpyxl writes &#NNNNN; references
    assert "浏览器买受人" in sheets and BUYER not in sheets and SELLER not in sheets

    # Never stored or logged in clear: the whole database, and the server's log.
    server_shell(SCAN % [BUYER, SELLER])
    log = (artifacts / "server.log").read_text(encoding="utf-8", errors="replace")
    assert BUYER not in log and SELLER not in log
