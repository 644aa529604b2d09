"""A village field chief's day on a 390 px phone, with the network gone at the site: the task list, the task, signed
for online; then offline — the page reloads from the service worker, the check-in, a photo and the outcome are queued
on the phone and shown as waiting — then back online: each is sent once (one check-in, one photo, one outcome on the
server, a replay of the same key writes nothing), the task is verified and its on-site deadline counts the time the
check-in was made on the phone, not the time it reached the server."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
from browser_helpers import wait_until

from landguard.demo.personas import DEMO_PASSWORD

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DB_PATH = REPO / "var" / "browser-test.sqlite3"  # the browser session's server database (tests/browser/conftest.py)
PHONE = {"width": 390, "height": 844}


def site_photo() -> bytes:
    """A real JPEG (a field with a strip of bare earth), so the thumbnail shows something."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), (92, 150, 70))
    draw = ImageDraw.Draw(image)
    draw.rectangle((380, 250, 900, 640), fill=(150, 118, 82))
    draw.rectangle((0, 0, 1200, 260), fill=(170, 205, 235))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def server_rows(task: int) -> dict:
    events = "SELECT count(*) FROM supervision_taskevent WHERE task_id = ? AND action = ?"
    photos = "SELECT count(*) FROM supervision_photo WHERE task_id = ?"
    with sqlite3.connect(DB_PATH) as db:
        one = lambda sql, *args: db.execute(sql, args).fetchone()[0]  # noqa: E731
        return {
            "status": one("SELECT status FROM supervision_task WHERE id = ?", task),
            "check_ins": one(events, task, "check_in"),
            "outcomes": one(events, task, "outcome"),
            "photos": one(photos, task),
            "acknowledged": one(photos + " AND acknowledged_at IS NOT NULL", task),
            "submissions": dict(db.execute("SELECT action, count(*) FROM supervision_fieldsubmission WHERE task_id = ? "
                                           "GROUP BY action", (task,)).fetchall()),
        }


def _at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=dt.timezone.utc) \
        if "+" not in value else dt.datetime.fromisoformat(value)


def test_a_field_chief_checks_in_photographs_and_concludes_offline_and_everything_is_sent_once(
        open_tab, server_url, server_script, artifacts, tmp_path):
    setup = tmp_path / "setup.py"
    setup.write_text(Path(__file__).with_name("field_day_setup.py").read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads(server_script(setup))
    task = data["task"]
    shots = artifacts / "field-chief-day"
    shots.mkdir(exist_ok=True)

    tab = open_tab(None, viewport=PHONE, is_mobile=True, has_touch=True,
                   geolocation={"longitude": data["lon"], "latitude": data["lat"]}, permissions=["geolocation"])
    p = tab.page
    p.goto("/login/")
    p.fill("#id_username", data["chief"])
    p.fill("#id_password", DEMO_PASSWORD)
    with p.expect_navigation():
        p.click("form.login-form button[type=submit]")

    # The task list, the task; signed for while there is a network.
    p.goto("/supervision/field/")
    p.screenshot(path=str(shots / "01-task-list.png"), full_page=True)
    with p.expect_navigation():
        p.click(f"[data-task='{task}']")
    with p.expect_navigation():
        p.click("#report-button")
    p.wait_for_selector(".chip[data-status=reported]")
    p.wait_for_selector("html[data-offline-ready=true]")
    assert "手机上的操作时间" in p.inner_text("#device-time-note")
    p.screenshot(path=str(shots / "02-task-signed-for.png"), full_page=True)

    # At the site: no network. The page still opens (service worker), and every action waits on the phone.
    tab.context.set_offline(True)
    p.reload()
    p.wait_for_selector(".chip[data-status=reported]")
    p.wait_for_selector("[data-offline-note]:not([hidden])")
    p.click("#checkin-button")
    p.wait_for_selector("[data-queue-list] li[data-action=check_in][data-state=waiting]")
    p.wait_for_selector("[data-photo-panel]:not([hidden])")
    p.set_input_files("#photo-input", files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": site_photo()}])
    p.wait_for_selector("[data-queue-list] li[data-action=photo][data-state=waiting]")
    p.wait_for_selector("#outcome-form:not([hidden]) button[data-needs-photo]:not([disabled])")
    # The tap targets: each radio sits on the row of its words, the row at least 44 px tall.
    for label in p.locator("#outcome-form .radio-row label").all():
        box, radio = label.bounding_box(), label.locator("input").bounding_box()
        assert box["height"] >= 44
        assert box["y"] <= radio["y"] and radio["y"] + radio["height"] <= box["y"] + box["height"]
    p.check("input[name=outcome][value=illegal]")
    p.fill("input[name=illegal_area_m2]", "260")
    p.check("input[name=stopped]")
    p.screenshot(path=str(shots / "03-offline-outcome-form.png"), full_page=True)
    p.click("#outcome-form button[type=submit]")
    p.wait_for_selector("[data-queue-list] li[data-action=outcome][data-state=waiting]")
    assert p.locator("#outcome-form").is_hidden() and p.locator("form[data-queue=restore]").is_visible()
    assert p.inner_text("[data-queue-count]").strip() == "3 条待发送"
    p.screenshot(path=str(shots / "04-offline-queued.png"), full_page=True)
    before = server_rows(task)
    assert before["status"] == "reported" and before["check_ins"] == before["photos"] == before["outcomes"] == 0
    device_check_in = p.evaluate("""async () => {
        const db = await new Promise((ok) => {
            const r = indexedDB.open('landguard-field', 1); r.onsuccess = () => ok(r.result); });
        const all = await new Promise((ok) => {
            const r = db.transaction('queue').objectStore('queue').getAll(); r.onsuccess = () => ok(r.result); });
        return all.find((i) => i.action === 'check_in');
    }""")

    # Back online: the queue drains in order, once each, and the page shows the task as the server has it.
    with p.expect_navigation(timeout=60_000):
        tab.context.set_offline(False)
    p.wait_for_selector(".chip[data-status=verified]")
    p.wait_for_selector("[data-photo] img")
    wait_until(p, "[...document.querySelectorAll('[data-photo] img')].every((i) => i.complete && i.naturalWidth > 0)")
    assert p.locator("[data-field-queue]").is_hidden()
    p.screenshot(path=str(shots / "05-back-online-sent.png"), full_page=True)
    after = server_rows(task)
    assert after == {"status": "verified", "check_ins": 1, "outcomes": 1, "photos": 1, "acknowledged": 1,
                     "submissions": {"report": 1, "check_in": 1, "outcome": 1}}, after

    # A replay of the same check-in (its answer lost on the way) writes nothing.
    token = next(c["value"] for c in tab.context.cookies() if c["name"] == "csrftoken")
    replay = p.request.post(f"/supervision/field/tasks/{task}/checkin/",
                            form={**device_check_in["fields"], "key": device_check_in["key"],
                                  "device_at": device_check_in["device_at"]},
                            headers={"X-Field-Queue": "1", "X-CSRFToken": token, "Referer": server_url + "/"})
    assert replay.ok, replay.text()
    assert server_rows(task) == after

    # The clock counts the phone's time of the check-in (taken offline, received later).
    with sqlite3.connect(DB_PATH) as db:
        on_site_at, met_at, due_at = db.execute(
            "SELECT t.on_site_at, d.met_at, d.due_at FROM supervision_task t JOIN supervision_deadline d "
            "ON d.task_id = t.id AND d.step = 'on_site' WHERE t.id = ?", (task,)).fetchone()
        received = db.execute("SELECT received_at FROM supervision_fieldsubmission WHERE task_id = ? "
                              "AND action = 'check_in'", (task,)).fetchone()[0]
    device = dt.datetime.fromisoformat(device_check_in["device_at"].replace("Z", "+00:00"))
    assert on_site_at == met_at
    assert abs((_at(on_site_at) - device).total_seconds()) < 1, (on_site_at, device)
    assert _at(received) > _at(on_site_at)
    assert _at(met_at) <= _at(due_at)
    assert "按时完成" in p.inner_text("[data-step=on_site]")

    # The photo opens in the lightbox.
    p.click("[data-photo] a[data-lightbox]")
    p.wait_for_selector("dialog.lightbox[open] img")
    wait_until(p, "document.querySelector('dialog.lightbox img').naturalWidth > 0")
    p.screenshot(path=str(shots / "06-lightbox.png"))
    p.click("dialog.lightbox button")
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    tab.assert_no_js_errors()
