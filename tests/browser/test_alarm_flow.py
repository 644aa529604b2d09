"""One camera alarm from the HTTP API to closure, in a real Chromium against a real server: pushed over HTTP,
triaged by the county bureau, pushed to the four recipients, checked in with GPS and photographed on a
phone-sized screen by the village's field chief, restored, closed — and the overview's counts move. Then a
burst of 1,000 alarms over HTTP, none lost."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser_helpers import login_through_form, wait_until

from landguard.demo.personas import COUNTY_ADMIN

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DB_PATH = REPO / "var" / "browser-test.sqlite3"  # the browser session's server database (tests/browser/conftest.py)
SOURCE = "冠县铁塔视频监控平台（演示）"
PHONE = {"width": 390, "height": 844}
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")


@pytest.fixture(scope="module")
def api_key(server_url: str) -> str:
    """A fresh key for the demo's camera platform (the demo never prints one)."""
    env = dict(os.environ, DATABASE_URL=f"spatialite://{DB_PATH}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "manage.py", "alarm_source_key", "--county", "371525", "--name", SOURCE],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def post_alarm(server_url: str, key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(f"{server_url}/api/supervision/alarms/", data=json.dumps(body).encode(),
                                     method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body or b"{}")
        except ValueError:  # not the API's JSON (a proxy's or the server's own error page): keep it for the report
            return error.code, {"non_json_body": body[:500].decode("utf-8", "replace")}


def cameras(tab) -> list[dict]:
    answer = tab.page.request.get("/api/supervision/cameras/?page_size=500")
    assert answer.ok
    return answer.json()["results"]


def counts(page) -> dict[str, str]:
    page.goto("/supervision/")
    return {el.get_attribute("data-count"): el.inner_text().strip() for el in page.locator("[data-count]").all()}


def test_one_alarm_from_the_api_to_closure(open_tab, server_url, api_key):
    admin = open_tab(COUNTY_ADMIN)
    page = admin.page
    before = counts(page)
    camera = next(c for c in cameras(admin) if c["code"] == "GX-T047")
    lon, lat = camera["position"][0] + 0.0004, camera["position"][1] + 0.0003
    alarm = {"event_id": "BROWSER-1", "camera_id": camera["code"], "time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
             "target": {"lon": lon, "lat": lat}, "image": base64.b64encode(JPEG).decode(), "note": "挖掘机作业"}
    status, body = post_alarm(server_url, api_key, alarm)
    assert status == 201, body
    assert post_alarm(server_url, api_key, alarm) == (200, {**body, "duplicate": True})

    # The bureau pre-judges the clue valid: one task, pushed to the four recipients.
    page.goto(f"/supervision/clues/{body['clue']}/")
    page.check("input[name=decision][value=valid]")
    page.fill("textarea[name=reason], input[name=reason]", "疑似占用耕地")
    with page.expect_navigation():
        page.click("#triage button[type=submit]")
    assert re.search(r"/supervision/tasks/\d+/$", page.url)
    task_url = page.url
    kinds = {li.get_attribute("data-kind") for li in page.locator("#recipients li").all()}
    assert kinds == {"squad", "office", "government", "field_chief"}, kinds
    clue = page.request.get(f"/api/supervision/clues/{body['clue']}/").json()

    # The village's field chief on a phone: report, GPS check-in, photos hashed and uploaded, outcome, restored.
    phone = open_tab(None, viewport=PHONE, is_mobile=True, has_touch=True,
                     geolocation={"longitude": lon, "latitude": lat},
                     permissions=["geolocation"])
    p = phone.page
    login_through_form(p, server_url, f"chief_{clue['region_code']}")
    p.goto("/supervision/field/")
    with p.expect_navigation():
        p.locator("[data-task]").first.click()
    p.click("#report-button")
    p.wait_for_selector("[data-status=reported]")
    with p.expect_navigation():
        p.click("#checkin-button")
    p.wait_for_selector("[data-status=on_site]")
    p.set_input_files("#photo-input", files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": JPEG * 40}])
    p.wait_for_selector(".photo-list li[data-acknowledged=true]", timeout=30_000)
    p.check("input[name=outcome][value=illegal]")
    p.fill("input[name=illegal_area_m2]", "420")
    p.check("input[name=stopped]")
    with p.expect_navigation():
        p.click("#outcome-form button[type=submit]")
    p.wait_for_selector("[data-status=verified]")
    p.select_option("select[name=kind]", "after")
    p.set_input_files("#photo-input", files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": JPEG * 41}])
    acknowledged = ".photo-list li[data-acknowledged=true], [data-photo][data-acknowledged=true]"
    wait_until(p, f"document.querySelectorAll('{acknowledged}').length >= 2", timeout=30_000)
    with p.expect_navigation():
        p.click("#restore-button")
    p.wait_for_selector("[data-status=restored]")
    assert p.evaluate(
        "document.documentElement.scrollWidth") <= PHONE["width"] + 1, "the field page overflows a phone screen"
    phone.assert_no_js_errors()

    # The bureau closes it; the overview's counts have moved.
    page.goto(task_url)
    with page.expect_navigation():
        page.click("form[action$='/close/'] button[type=submit]")
    page.wait_for_selector("[data-status=closed]")
    after = counts(page)
    for key in ("alerts", "pushed"):
        assert int(after[key]) == int(before[key]) + 1, (key, before, after)
    assert int(after["illegal"]) == int(before["illegal"]) + 1
    admin.assert_no_js_errors()


@contextlib.contextmanager
def cpu_hogs():
    """Busy-looping child processes, one per core, for as long as the block runs: the burst must hold up on a
    machine whose CPUs other work saturates (the embedded database's writers queue, none fails)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def _last_tracebacks(log, count: int = 2) -> str:
    """The server's last tracebacks (runserver logs them; the 500 page itself says nothing)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.split("Traceback (most recent call last):")[-count:])[-6000:]


def test_a_burst_of_1000_alarms_loses_none_on_saturated_cpus(server_url, api_key, open_tab, artifacts):
    admin = open_tab(COUNTY_ADMIN)
    spots = [c["position"] for c in cameras(admin)[:40]]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+08:00")

    def send(i: int) -> int:
        lon, lat = spots[i % len(spots)]
        body = {"event_id": f"BURST-{i:04d}", "camera_id": "GX-T001", "time": stamp,
                "target": {"lon": lon + 0.00005 * (i // len(spots)), "lat": lat}}
        return post_alarm(server_url, api_key, body)[0]

    started = time.monotonic()
    with cpu_hogs(), ThreadPoolExecutor(max_workers=int(os.environ.get("LANDGUARD_BURST_WORKERS", "8"))) as pool:
        statuses = list(pool.map(send, range(1000)))
    seconds = time.monotonic() - started
    assert statuses.count(201) == 1000, ({s: statuses.count(s) for s in set(statuses)},
                                         _last_tracebacks(artifacts / "server.log"))
    with sqlite3.connect(DB_PATH) as db:
        stored = db.execute("select count(*), count(distinct event_id) from supervision_detection"
                            " where event_id like 'BURST-%'").fetchone()
    assert stored == (1000, 1000)
    print(f"\n1000 alarms in {seconds:.1f} s ({1000 / seconds:.0f}/s) against runserver + SpatiaLite, CPUs saturated")
