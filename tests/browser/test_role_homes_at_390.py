"""Each demo role's home on a phone (390 px), in Chinese and in English: the login lands on the role's queue, the
page does not scroll sideways and shows no internal code; the field chief gets the phone navigation of their work.
Screenshots: test-artifacts/browser/home-<role>-<language>.png."""

from __future__ import annotations

import pytest
from browser_helpers import login_through_form

from landguard.demo import personas

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

# username → (the section its home leads with, a word of it in Chinese, in English)
ROLES = {
    personas.FIELD_CHIEF: ("supervision.my_tasks", "我的核查任务", "My verification tasks"),
    personas.TOWNSHIP_OFFICER: ("supervision.queue", "核查待办", "Verification queue"),
    personas.ENFORCER: ("supervision.cases", "我的执法案件", "My enforcement cases"),
    personas.LEADER: ("supervision.figures", "耕地保护概况", "Farmland protection at a glance"),
}
CODES = ("object (", "dispatched<", ">check_in<", ">photo_ack<", "+00:00", "{'")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_lands_on_its_queue_on_a_phone(open_tab, server_url, artifacts, username, language):
    key, chinese, english = ROLES[username]
    tab = open_tab(None, **PHONE)
    page = tab.page
    tab.context.add_cookies([{"name": "django_language", "value": language, "url": server_url}])
    login_through_form(page, server_url, username)
    section = page.locator(f"[data-home-section='{key}']")
    assert section.count() == 1, f"{username}: no {key} section"
    assert section.locator("h2").inner_text().strip() == (chinese if language == "zh-hans" else english)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, f"{username} ({language}) scrolls sideways: {widths}"
    html = page.content()
    for code in CODES:
        assert code not in html, f"{username} ({language}) shows {code!r}"
    page.screenshot(path=str(artifacts / f"home-{username}-{language}.png"), full_page=True)
    assert not tab.js_errors, tab.js_errors
    if username == personas.FIELD_CHIEF:
        assert page.locator(".queue-item.is-overdue").count() >= 1, "the overdue task shows first, marked"
        first = page.locator(".queue-item").first
        assert "is-overdue" in (first.get_attribute("class") or "")
        assert page.locator(".due").count() >= 3
        links = page.locator("#site-nav .nav-field a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
        assert "/supervision/field/" in links and "/inbox/" in links and "/layers/" not in links
        response = page.goto("/layers/")
        assert response is not None and response.status == 403
