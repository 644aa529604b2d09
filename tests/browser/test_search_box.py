"""The search box of the top bar, as people use it: on a desk it sits in the bar, on a 390 px phone at the top of
the unfolded menu; the results come grouped by app, only from the user's scope, and "查看全部" opens the app's list
filtered by the same words."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from landguard.demo.personas import COUNTY_ADMIN, OTHER_COUNTY_USER, TOWNSHIP_OFFICER

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SCHOOL = "冠县第二中学新校区建设项目（演示）"


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_desk_user_finds_a_project_from_the_top_bar_and_opens_it(open_tab, artifacts):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    page.goto("/map/")
    box = page.locator(".topbar .top-search input[name='q']")
    assert box.is_visible(), "the search box is in the bar on a desk"
    box.fill("第二中学")
    with page.expect_navigation():
        box.press("Enter")
    assert urlparse(page.url).path == "/search/" and parse_qs(urlparse(page.url).query)["q"] == ["第二中学"]
    group = page.locator("[data-search-group='projects.projects']")
    assert group.locator("h2").inner_text() == "重点项目"
    page.screenshot(path=str(artifacts / "search-desk.png"), full_page=True)
    with page.expect_navigation():
        group.get_by_role("link", name=SCHOOL).click()
    assert page.locator("h1").inner_text().startswith(SCHOOL)
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


def test_on_a_phone_the_search_is_in_the_menu_and_see_all_opens_the_filtered_list(open_tab, artifacts):
    tab = open_tab(TOWNSHIP_OFFICER, **PHONE)
    page = tab.page
    page.goto("/")
    box = page.locator(".top-search input[name='q']")
    assert not box.is_visible(), "folded away with the menu on a phone"
    page.locator(".nav-toggle").tap()
    assert box.is_visible()
    found = box.bounding_box()
    assert found["x"] >= 0 and found["x"] + found["width"] <= 391 and found["height"] >= 32, found
    box.fill("371525001")
    with page.expect_navigation():
        box.press("Enter")
    regions = page.locator("[data-search-group='regions.regions']")
    hits = regions.locator(".search-hits li").all_inner_texts()
    assert hits and all("371525001" in hit for hit in hits), hits  # 清泉街道 and its villages, nothing else
    assert _sideways(page) <= 1, "the results page scrolls sideways on a 390 px phone"
    page.screenshot(path=str(artifacts / "search-phone.png"), full_page=True)
    with page.expect_navigation():
        regions.get_by_role("link", name="查看全部").tap()
    assert urlparse(page.url).path == "/regions/" and parse_qs(urlparse(page.url).query)["q"] == ["371525001"]
    assert page.locator("input[name='q']").last.input_value() == "371525001"
    codes = page.locator("table.table tbody tr td:first-child").all_inner_texts()
    assert len(codes) > len(hits) and all(code.startswith("371525001") for code in codes), codes
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()


def test_another_countys_user_finds_none_of_guanxians_projects(open_tab):
    tab = open_tab(OTHER_COUNTY_USER)
    page = tab.page
    page.goto("/search/?q=" + "冠县第二中学")
    assert page.locator("[data-search-empty]").is_visible()
    assert page.get_by_text(SCHOOL).count() == 0
    tab.assert_no_js_errors()
