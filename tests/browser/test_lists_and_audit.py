"""List pages filter live through HTMX and export what is shown; edits made through the web forms appear in
the record's audit history with before → after."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook
from browser_helpers import wait_until

from landguard.demo.personas import COUNTY_ADMIN, DEMO_TOWNSHIP_CODE

pytestmark = pytest.mark.browser

COUNT = re.compile(r"共\s*([\d,]+)\s*条")
CODE_IN_LABEL = re.compile(r"（(\d+)）")


def _count(page) -> int:
    return int(COUNT.search(page.locator("#results .results-bar").inner_text()).group(1).replace(",", ""))


def _bar(page) -> str:
    return page.locator("#results .results-bar").inner_text()


def _wait_for_new_results(page, old_bar: str) -> None:
    wait_until(page, "(old) => document.querySelector('#results .results-bar').innerText !== old", arg=old_bar)


def _is_htmx_list_request(response) -> bool:
    return urlparse(response.url).path == "/people/users/" and response.request.headers.get("hx-request") == "true"


def test_user_list_filters_through_htmx_and_exports_the_filtered_rows(open_tab, artifacts):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    page.goto("/people/users/")
    everyone = _count(page)
    assert everyone > 1000  # the demo county's ~3,000 users
    assert page.locator(".pagination .page-info").is_visible()
    page.evaluate("window.__sameDocument = 'still here'")  # lost on a full page load
    bar = _bar(page)

    # Township filter: a <select> change swaps only #results.
    with page.expect_response(_is_htmx_list_request) as swap:
        page.select_option("select[name=township]", DEMO_TOWNSHIP_CODE)
    assert swap.value.status == 200
    _wait_for_new_results(page, bar)
    in_township = _count(page)
    assert 0 < in_township < everyone
    assert page.evaluate("window.__sameDocument") == "still here", "the filter reloaded the whole page"
    assert parse_qs(urlparse(page.url).query).get("township") == [
        DEMO_TOWNSHIP_CODE], "hx-push-url keeps the filter in the URL"
    scopes = page.locator("#results tbody td:nth-child(5)").all_inner_texts()
    assert scopes and all(CODE_IN_LABEL.search(s).group(1).startswith(DEMO_TOWNSHIP_CODE) for s in scopes), scopes

    # Free-text search (debounced input): narrows further, still without a reload.
    bar = _bar(page)
    with page.expect_response(_is_htmx_list_request):
        page.fill("form.filters input[name=q]", "chief_")  # the list's own box, not the top bar's search
    _wait_for_new_results(page, bar)
    chiefs = _count(page)
    assert 0 < chiefs < in_township
    usernames = page.locator("#results tbody td:nth-child(1)").all_inner_texts()
    assert usernames and all(name.startswith("chief_") for name in usernames), usernames
    assert page.evaluate("window.__sameDocument") == "still here"
    page.screenshot(path=str(artifacts / "users-filtered.png"), full_page=True)

    # Typing in the top bar's search box is not a list filter: it sends no list request. (Leaving the list's box
    # first: its own change event on blur may ask once more, with the same filters.)
    page.locator("form.filters input[name=q]").blur()
    page.wait_for_timeout(800)
    list_requests: list[str] = []
    page.on("request", lambda r: list_requests.append(r.url) if r.headers.get("hx-request") == "true" else None)
    page.fill("#top-search-q", "冠县")
    page.wait_for_timeout(800)  # past the filter's 300 ms debounce
    assert list_requests == [], list_requests

    # The export link in the swapped fragment carries the filters: the workbook holds exactly these rows.
    link = page.locator("#results a[download]")
    assert DEMO_TOWNSHIP_CODE in link.get_attribute("href")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = artifacts / "users-filtered.xlsx"
    download.save_as(path)
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "数据范围" in rows[0][0] and "冠县" in rows[0][0], rows[0][0]  # title row names the scope
    header = list(rows[1])
    assert header[:4] == ["序号", "用户名", "姓名",
                          "角色"] and "数据范围" in header and header[-1] == "合成演示数据", header
    data = [row for row in rows[2:] if any(value is not None for value in row)]
    assert len(data) == chiefs, f"the export has {len(data)} rows, the page said {chiefs}"
    scope_column = header.index("数据范围")
    assert all(CODE_IN_LABEL.search(row[scope_column]).group(1).startswith(DEMO_TOWNSHIP_CODE) for row in data)
    assert [row[0] for row in data] == list(range(1, len(data) + 1))
    assert all(row[1].startswith("chief_") for row in data)
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


def test_org_unit_edit_through_the_form_shows_before_and_after_in_its_history(open_tab, artifacts):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    page.goto(f"/people/org-units/?township={DEMO_TOWNSHIP_CODE}")
    with page.expect_navigation():
        page.locator("#results tbody tr").first.locator("a").first.click()
    assert re.search(r"/people/org-units/\d+/$", page.url)
    name = page.locator("main h1").inner_text().split(" ")[0].strip()
    history_before = page.locator("#history .timeline > li").count()

    with page.expect_navigation():
        page.locator(".page-head .actions a.button.primary").click()  # 编辑
    assert page.url.endswith("/edit/")
    phone = page.locator("#id_phone")
    old_phone = phone.input_value()
    new_phone = f"0635-{int(time.time() * 1000) % 10_000_000:07d}"
    phone.fill(new_phone)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()

    assert re.search(r"/people/org-units/\d+/$", page.url), f"not back on the record page: {page.url}"
    assert "已保存修改" in page.locator(".messages").inner_text()
    assert new_phone in page.locator("dl.facts").inner_text()
    entries = page.locator("#history .timeline > li")
    assert entries.count() == history_before + 1
    latest = entries.last  # the history reads oldest first, as it happened
    head = latest.locator(".timeline-head").inner_text()
    assert "修改" in head and "冠县局管理员" in head, head
    changes = [row for row in latest.locator("tbody tr").all() if row.locator("td").first.inner_text() == "电话"]
    assert len(changes) == 1, latest.inner_text()
    field, before, after = changes[0].locator("td").all_inner_texts()
    assert (before, after) == (old_phone or "—", new_phone), (field, before, after)
    latest.screenshot(path=str(artifacts / "audit-history.png"))
    assert name in page.locator("main h1").inner_text()
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()
