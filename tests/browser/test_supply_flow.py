"""Issue 14's "done when", in the browser as the county admin: a parcel supplied from an approved dossier (uploaded
as GeoJSON) shrinks that dossier's 批而未供 by the parcel's area on the 供地率 page; the clock moved past the start
date + 1 year and the sweep run → an idle item with the 20 % fee proposal on the 两清 board, and the missed
second instalment as arrears. The ledger, the board and the rates page at 390 px: screenshots, no sideways scroll."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from landguard.demo.personas import COUNTY_ADMIN

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 860}}
SETUP = Path(__file__).with_name("supply_setup.py")


def _remainder_mu(page, dossier: int) -> float:
    page.goto("/supply/rates/")
    return float(page.locator(f"tr[data-dossier='{dossier}'] [data-remainder]").inner_text().replace(",", ""))


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_supply_then_idle_and_arrears_on_the_two_clear_board(open_tab, server_script, server_shell, pin_clock,
                                                             artifacts):
    setup = json.loads(server_script(SETUP).strip().splitlines()[-1])
    tab = open_tab(COUNTY_ADMIN, **DESKTOP)
    page = tab.page
    before = _remainder_mu(page, setup["dossier"])
    assert before == pytest.approx(setup["remainder_mu"], abs=0.01)

    page.goto("/supply/new/")
    page.fill("#id_parcel_no", "371525BROWSER1")
    page.fill("#id_supervision_no", "3715252026B99999")
    page.select_option("#id_kind", "transfer")
    page.select_option("#id_method", "listing")
    page.select_option("#id_use", "industrial")
    page.fill("#id_term_years", "50")
    page.fill("#id_contract_no", "冠出让合同〔2026〕浏览器1号")
    page.fill("#id_land_user", "浏览器测试实业有限公司")
    page.fill("#id_price_wan_yuan", "1000")
    page.fill("#id_signed_on", "2026-11-01")
    page.fill("#id_agreed_delivery_on", "2026-11-15")
    page.fill("#id_agreed_start_on", "2026-12-01")
    page.fill("#id_agreed_completion_on", "2028-12-01")
    page.fill("#id_plan", "2026-11-10 500\n2027-06-01 500")
    page.set_input_files("#id_boundary_file", setup["path"])
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "/supply/" in page.url and "371525BROWSER1" in page.locator("h1").inner_text(), page.content()[:3000]
    detail_url = page.url

    # Paid the first half, land handed over on time: the idle case will be the enterprise's.
    form = page.locator("#payments form")
    form.locator("[name=paid_on]").fill("2026-11-10")
    form.locator("[name=amount_wan_yuan]").fill("500")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    form = page.locator("#dates form")
    form.locator("[name=action]").select_option("deliver")
    form.locator("[name=on]").fill("2026-11-15")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "2026-11-15" in page.locator("#dates").inner_text()

    after = _remainder_mu(page, setup["dossier"])
    assert before - after == pytest.approx(setup["parcel_mu"], abs=0.02)  # 批而未供 shrank by the parcel

    # A year and a bit later, nothing started and the second instalment unpaid: the sweep raises both items.
    pin_clock(dt.date(2027, 12, 5))
    server_shell("from django.core.management import call_command; call_command('sweep_supply', '--once')")
    page.goto("/supply/board/?q=371525BROWSER1")
    board = page.locator("#results").inner_text()
    assert "闲置满一年" in board and "200.00" in board  # 20 % of the 1,000 万元 price
    assert "欠缴出让金" in board and "500.00" in board
    assert "征缴闲置费" in board and "企业原因" in board
    page.screenshot(path=str(artifacts / "supply-board-desktop.png"), full_page=True)

    phone = open_tab(COUNTY_ADMIN, **PHONE).page
    for name, url in (("board", "/supply/board/?q=371525BROWSER1"), ("detail", detail_url), ("rates", "/supply/rates/"),
                      ("ledger", "/supply/")):
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(artifacts / f"supply-{name}-390.png"), full_page=True)
    assert not tab.js_errors and not tab.csp_violations, (tab.js_errors, tab.csp_violations)
