"""The settings pages admins use instead of the Django admin: alarm sources (the key shown once, rotated),
cameras placed by coordinates with the coverage recomputed, channels with a test message through the adapter
(to a local HTTP server on 127.0.0.1), deadline rules per region — scoped, audited, managers only."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from landguard.audit.models import AuditEntry
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.demo.personas import DEMO_TOWNSHIP_CODE
from landguard.supervision import intake, verification
from landguard.supervision.models import AlarmSource, Camera, Channel, Deadline, DeadlinePolicy

from test_channels import Robot  # the local robot / gateway stand-in

pytestmark = pytest.mark.django_db


def test_a_source_key_is_shown_once_and_rotating_it_retires_the_old_one(client_for, county_admin, county):
    client = client_for(county_admin)
    response = client.post("/supervision/settings/sources/new/", {"name": "新视频平台", "county": county.code})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.content.decode().split('id="api-key" class="hash">')[1].split("<")[0]
    source = AlarmSource.objects.get(name="新视频平台")
    assert intake.authenticate(key) == source and key not in source.key_hash
    assert key not in client.get("/supervision/settings/").content.decode()  # only the prefix is ever shown again
    rotated = client.post(f"/supervision/settings/sources/{source.pk}/rotate/")
    new_key = rotated.content.decode().split('id="api-key" class="hash">')[1].split("<")[0]
    assert new_key != key and intake.authenticate(key) is None and intake.authenticate(new_key) == source
    assert not any(key in str(e.changes) or new_key in str(e.changes)
                   for e in AuditEntry.objects.filter(target_id=str(source.pk)))


def test_settings_are_for_managers_inside_their_scope(client_for, township_officer, other_county_user, county_admin,
                                                      source_key):
    source, _key = source_key
    assert client_for(township_officer).get("/supervision/settings/").status_code == 403
    assert client_for(township_officer).post(f"/supervision/settings/sources/{source.pk}/rotate/").status_code == 403
    assert other_county_user.can_manage  # 莘县's admin: another county's source is absent to them
    assert client_for(other_county_user).post(f"/supervision/settings/sources/{source.pk}/rotate/").status_code == 404
    assert intake.authenticate(_key) == source


def test_a_camera_is_placed_by_coordinates_and_its_coverage_follows_every_edit(client_for, county_admin, source_key,
    spot):
    source, _key = source_key
    client = client_for(county_admin)
    form = {"source": source.pk, "code": "T-NEW-1", "name": "新铁塔", "device_type": 1, "lon": spot[0], "lat": spot[1],
            "height_m": 50, "radius_m": 1000, "is_active": "on"}
    response = client.post("/supervision/cameras/new/", form)
    camera = Camera.objects.get(source=source, code="T-NEW-1")
    assert response.status_code == 302 and response["Location"] == f"/supervision/cameras/{camera.pk}/"
    assert camera.region_code == DEMO_TOWNSHIP_CODE
    area = ellipsoidal_area_m2(shapely.from_wkb(bytes(camera.coverage.wkb)))
    assert abs(area - 3.14159 * 1000**2) / area < 0.01

    moved = {**form, "lon": spot[0] + 0.002, "radius_m": 3000, "height_m": 60}
    assert client.post(f"/supervision/cameras/{camera.pk}/edit/", moved).status_code == 302
    camera.refresh_from_db()
    area = ellipsoidal_area_m2(shapely.from_wkb(bytes(camera.coverage.wkb)))
    assert abs(area - 3.14159 * 3000**2) / area < 0.01 and camera.height_m == 60
    assert camera.coverage.centroid.distance(camera.position) < 1e-4 and abs(camera.position.x - spot[0] - 0.002) < 1e-9
    entry = AuditEntry.objects.filter(target_type="supervision.camera", target_id=str(camera.pk), action="update").get()
    assert set(entry.changes) >= {"radius_m", "height_m", "position"} and entry.actor == county_admin

    outside = client.post(f"/supervision/cameras/{camera.pk}/edit/", {**moved, "lon": 120.0, "lat": 30.0})
    assert outside.status_code == 200 and "不在" in outside.content.decode()  # a form error, nothing saved
    camera.refresh_from_db()
    assert camera.radius_m == 3000


def test_a_channel_secret_never_shows_again_and_the_test_message_goes_through_the_adapter(client_for, county_admin,
    county):
    robot = Robot()
    try:
        client = client_for(county_admin)
        response = client.post("/supervision/settings/channels/new/", {
            "kind": "dingtalk", "name": "县田长办钉钉群", "url": f"{robot.url}/robot/send?access_token=abc",
            "secret": "SECdingtalk-secret", "phones": "13800000000", "region": county.code, "is_active": "on"})
        assert response.status_code == 302
        channel = Channel.objects.get(name="县田长办钉钉群")
        assert channel.secret == "SECdingtalk-secret"
        edit = client.get(f"/supervision/settings/channels/{channel.pk}/").content.decode()
        assert "SECdingtalk-secret" not in edit
        client.post(f"/supervision/settings/channels/{channel.pk}/", {  # secret left empty: kept
            "kind": "dingtalk", "name": "县田长办钉钉群", "url": channel.url, "secret": "", "phones": "13800000000",
            "region": county.code, "is_active": "on"})
        channel.refresh_from_db()
        assert channel.secret == "SECdingtalk-secret"

        page = client.post(f"/supervision/settings/channels/{channel.pk}/test/", follow=True).content.decode()
        (sent,) = robot.requests
        assert sent["path"].startswith("/robot/send?access_token=abc&timestamp=") and "&sign=" in sent["path"]
        assert sent["body"]["msgtype"] == "text" and "测试消息" in sent["body"]["text"]["content"]
        assert "测试消息已送达" in page
        robot.answers.append((200, {"errcode": 310000, "errmsg": "sign not match"}))
        page = client.post(f"/supervision/settings/channels/{channel.pk}/test/", follow=True).content.decode()
        assert "310000" in page
        audit = AuditEntry.objects.filter(target_type="supervision.channel", target_id=str(channel.pk))
        assert audit.filter(note="发送测试消息").count() == 2
        assert not any("SECdingtalk-secret" in str(e.changes) for e in audit)
    finally:
        robot.close()


def test_a_township_deadline_rule_times_tasks_dispatched_there(client_for, county_admin, county, spot,
                                                               other_county_user):
    client = client_for(county_admin)
    response = client.post("/supervision/settings/rules/new/",
                           {"region": DEMO_TOWNSHIP_CODE, "kind": "report", "severity": "",
                                                                "report_minutes": 20, "onsite_minutes": 40,
                                                                "restore_minutes": 600})
    assert response.status_code == 302
    rule = DeadlinePolicy.objects.get(region_code=DEMO_TOWNSHIP_CODE, kind="report")
    duplicate = client.post("/supervision/settings/rules/new/",
                            {"region": DEMO_TOWNSHIP_CODE, "kind": "report", "severity": "",
                                                                 "report_minutes": 5, "onsite_minutes": 5,
                                                                 "restore_minutes": 5})
    assert duplicate.status_code == 200 and DeadlinePolicy.objects.filter(region_code=DEMO_TOWNSHIP_CODE,
        kind="report").count() == 1
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：挖塘", county=county)
    task = verification.dispatch(actor=county_admin, clue=clue)
    report = Deadline.objects.get(task=task, step="report")
    assert report.due_at - task.dispatched_at == dt.timedelta(minutes=20)
    assert Deadline.objects.get(task=task, step="restore").due_at - task.dispatched_at == dt.timedelta(minutes=600)
    # 莘县's admin
    assert client_for(other_county_user).get(f"/supervision/settings/rules/{rule.pk}/").status_code == 404
    assert client.post(f"/supervision/settings/rules/{rule.pk}/delete/").status_code == 302
    assert not DeadlinePolicy.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(target_type="supervision.deadlinepolicy", target_id=str(rule.pk),
                                     action="delete").exists()


def test_every_settings_page_renders_for_the_county_admin(client_for, county_admin, camera):
    client = client_for(county_admin)
    for path in ("settings/", "settings/sources/new/", "settings/channels/new/", "settings/rules/new/", "cameras/new/",
                 f"cameras/{camera.pk}/edit/"):
        assert client.get(f"/supervision/{path}").status_code == 200, path
