"""Security in the browser: every page with a map (and the API docs, the admin) runs under the strict
Content-Security-Policy with no violation (the open_tab fixture fails any test that triggers one), and a field
officer whose session expires loses none of the work queued on the page: the app asks for the password on the
page and resumes the photo upload and the pending form."""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import login_through_form, wait_until
from test_alarm_flow import JPEG, PHONE, api_key, cameras, post_alarm  # noqa: F401  (api_key is a fixture)

from landguard.demo.personas import COUNTY_ADMIN, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _first_link(page, list_path: str, pattern: str) -> str:
    page.goto(list_path)
    href = next(h for h in (a.get_attribute("href") for a in page.locator("a[href]").all()) if h
                and re.fullmatch(pattern, h))
    return href


def test_map_pages_docs_and_admin_run_under_the_csp(open_tab):
    tab = open_tab(COUNTY_ADMIN)
    page = tab.page
    layer = _first_link(page, "/layers/", r"/layers/(?!import/)[\w-]+/")
    project = _first_link(page, "/projects/list/", r"/projects/\d+/")
    maps = ["/map/", "/analysis/", "/projects/", "/supervision/", "/regions/371525/", layer, project, "/projects/new/",
            "/supervision/cameras/new/"]
    for path in maps:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_selector("canvas.maplibregl-canvas", state="attached")
        page.wait_for_load_state("networkidle")
    assert page.goto("/people/account/").status == 200
    tab.assert_no_js_errors()
    # The API viewers in a tab of their own: Redoc's console reports its blocked CDN logo (conftest KNOWN_VIOLATIONS).
    docs = open_tab(COUNTY_ADMIN).page
    assert docs.goto("/api/docs/").status == 200
    docs.wait_for_selector("#swagger-ui .info")  # Swagger UI started: its script came from ?script, not inline
    assert docs.goto("/api/redoc/").status == 200
    docs.wait_for_selector("redoc .api-content, [class*=api-content]", state="attached")
    anonymous = open_tab(None)
    assert anonymous.page.goto("/admin/login/").status == 200
    anonymous.page.wait_for_load_state("networkidle")


def test_an_expired_session_keeps_the_queued_photo_and_form_and_resumes_after_login(open_tab, server_url, api_key,  # noqa: F811
                                                                                     artifacts):
    admin = open_tab(COUNTY_ADMIN)
    camera = next(c for c in cameras(admin) if c["code"] == "GX-T047")
    lon, lat = camera["position"][0] + 0.0005, camera["position"][1] + 0.0002
    alarm = {"event_id": f"BROWSER-RELOGIN-{time.time_ns()}", "camera_id": camera["code"],
             "time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"), "target": {"lon": lon, "lat": lat}, "note": "推土"}
    status, body = post_alarm(server_url, api_key, alarm)
    assert status == 201, body
    page = admin.page
    page.goto(f"/supervision/clues/{body['clue']}/")
    page.check("input[name=decision][value=valid]")
    page.fill("textarea[name=reason], input[name=reason]", "疑似占用耕地")
    with page.expect_navigation():
        page.click("#triage button[type=submit]")
    task = page.url.rstrip("/").rsplit("/", 1)[1]
    clue = page.request.get(f"/api/supervision/clues/{body['clue']}/").json()

    phone = open_tab(None, viewport=PHONE, is_mobile=True, has_touch=True,
                     geolocation={"longitude": lon, "latitude": lat},
                     permissions=["geolocation"])
    p = phone.page
    login_through_form(p, server_url, f"chief_{clue['region_code']}")
    p.goto(f"/supervision/field/tasks/{task}/")
    p.click("#report-button")
    p.wait_for_selector("[data-status=reported]")
    with p.expect_navigation():
        p.click("#checkin-button")
    p.wait_for_selector("[data-status=on_site]")
    acknowledged = p.locator(".photo-list li[data-acknowledged=true]").count()

    # The session ends (as after LANDGUARD_SESSION_HOURS) while the officer takes a photo.
    phone.context.clear_cookies(name="sessionid")
    p.set_input_files("#photo-input", files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": JPEG * 40}])
    p.wait_for_selector("[data-session-expired]:not([hidden])")
    assert p.locator(".photo-list li").count() == acknowledged + 1  # the photo is queued on the page, not lost
    assert p.locator(".photo-list li[data-acknowledged=true]").count() == acknowledged
    p.fill("[data-relogin] input[name=password]", "wrong-password")
    p.click("[data-relogin] button[type=submit]")
    wait_until(p, "document.querySelector('[data-relogin-status]').textContent.length > 0")
    assert p.is_visible("[data-session-expired]")
    p.screenshot(path=str(artifacts / "field-session-expired.png"), full_page=True)
    p.fill("[data-relogin] input[name=password]", DEMO_PASSWORD)
    p.click("[data-relogin] button[type=submit]")
    p.wait_for_selector("[data-session-expired]", state="hidden")
    wait_until(p, f"document.querySelectorAll('.photo-list li[data-acknowledged=true]').length > {acknowledged}",
                        timeout=30_000)

    # It ends again while the outcome form is filled in: the form stays, and goes once the officer is back.
    phone.context.clear_cookies(name="sessionid")
    p.check("input[name=outcome][value=illegal]")
    p.fill("input[name=illegal_area_m2]", "300")
    p.check("input[name=stopped]")
    p.click("#outcome-form button[type=submit]")
    p.wait_for_selector("[data-session-expired]:not([hidden])")
    assert p.input_value("input[name=illegal_area_m2]") == "300" and f"/field/tasks/{task}/" in p.url
    p.fill("[data-relogin] input[name=password]", DEMO_PASSWORD)
    with p.expect_navigation():
        p.click("[data-relogin] button[type=submit]")
    p.wait_for_selector("[data-status=verified]")
    phone.assert_no_js_errors()
