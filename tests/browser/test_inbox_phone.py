"""The inbox on a phone (390 px): the unread badge stays in the top bar beside the menu toggle, the inbox page
fits the screen, and marking read (one message, then all) goes through HTMX POSTs that update the list and the
badge together; a filter keeps its state in the address."""

from __future__ import annotations

import pytest
from browser_helpers import wait_until

from landguard.demo.personas import TOWNSHIP_OFFICER

pytestmark = pytest.mark.browser

# Two more messages for the officer about a task in their township, beside those the demo's tasks sent.
PUSH = f"""
from landguard.inbox import services
from landguard.people.models import User
from landguard.supervision.inbox_messages import TASK_DISPATCHED
from landguard.supervision.models import Task
officer = User.objects.get(username="{TOWNSHIP_OFFICER}")
task = Task.objects.filter(region_code__startswith="371525001").order_by("pk").first()
for n in (1, 2):
    services.push(code=TASK_DISPATCHED.code, recipients=[officer], subject=task, region_code=task.region_code,
                  params={{"task": str(task), "place": task.clue.place_name, "title": f"浏览器测试消息 {{n}}",
                          "due": "12:00"}})
"""

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _badge(page) -> int:
    """The badge's number, 0 when it is hidden."""
    return page.evaluate("(() => { const b = document.getElementById('inbox-badge'); "
                         "return b.hidden ? 0 : Number(b.textContent); })()")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, f"the page scrolls sideways: {width}"


def test_inbox_page_and_badge_on_a_phone(open_tab, artifacts, server_shell):
    server_shell(PUSH)
    tab = open_tab(TOWNSHIP_OFFICER, **PHONE)
    page = tab.page
    page.goto("/")
    link, badge = page.locator(".topbar .inbox-link"), page.locator("#inbox-badge")
    assert link.is_visible() and badge.is_visible(), "the badge shows without opening the menu"
    unread = _badge(page)
    assert unread >= 3, f"the demo's task and the two pushed ({unread})"
    toggle = page.locator(".nav-toggle").bounding_box()
    box = link.bounding_box()
    # on the toggle's line, left of it
    beside = box["x"] + box["width"] <= toggle["x"] and abs(box["y"] - toggle["y"]) < 30
    assert beside, (box, toggle)
    _no_sideways_scroll(page)
    page.locator(".topbar").screenshot(path=str(artifacts / "phone-inbox-badge.png"))

    with page.expect_navigation():
        link.tap()
    assert page.url.endswith("/inbox/") and link.get_attribute("aria-current") == "page"
    items = page.locator(".inbox-item.unread")
    assert items.count() >= 2 and page.locator(f"[data-unread-total='{unread}']").count() == 1
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "phone-inbox.png"), full_page=True)

    # One message read: the list and the badge change without a page load.
    first = items.first
    message = first.get_attribute("data-message")
    page.evaluate("window.__samePage = true")
    first.locator("button[type=submit]").tap()
    wait_until(page, "(n) => !document.querySelector(`[data-message='${n}']`).classList.contains('unread')", message)
    assert _badge(page) == unread - 1 and page.evaluate("window.__samePage === true")

    # The filter: only the unread, through HTMX, the address keeping it.
    page.locator("#id_unread").check()
    wait_until(page, "(n) => document.querySelector(`[data-message='${n}']`) === null", message)
    assert "unread=1" in page.url and page.evaluate("window.__samePage === true")

    # All read: the badge goes, and the filtered list says so.
    page.locator("#inbox-results .results-bar button[type=submit]").tap()
    wait_until(page, "document.getElementById('inbox-badge').hidden === true")
    assert page.locator("#inbox-results .empty").is_visible() and page.locator(".inbox-item").count() == 0
    page.screenshot(path=str(artifacts / "phone-inbox-all-read.png"), full_page=True)
    page.reload()
    assert _badge(page) == 0 and "unread=1" in page.url
    tab.assert_no_js_errors()
    tab.assert_no_failed_requests()
