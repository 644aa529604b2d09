"""Camera alarms over HTTP: stored once per event, fused by place and time, enriched; every bad request a
clear 4xx with nothing stored."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.test import override_settings

from landguard.supervision.models import Clue, Detection

pytestmark = pytest.mark.django_db


def counts():
    return Clue.objects.count(), Detection.objects.count()


def test_an_alarm_makes_an_enriched_clue_located_in_its_village(post_alarm, alarm, village):
    response = post_alarm(alarm(image=base64.b64encode(b"\xff\xd8\xffjpeg").decode()))
    assert response.status_code == 201, response.content
    body = response.json()
    clue = Clue.objects.get(pk=body["clue"])
    assert not body["duplicate"] and clue.kind == "camera" and clue.status == "new"
    assert clue.region_code == village.code and clue.township_code == village.code[:9]
    assert clue.touches_farmland is not None  # the demo county has a DLTB: the overlay ran
    assert "layers" in clue.enrichment
    detection = Detection.objects.get(pk=body["detection"])
    assert detection.image_sha256 and detection.image.read() == b"\xff\xd8\xffjpeg"


def test_the_same_alarm_posted_100_times_makes_one_clue(post_alarm, alarm):
    before = counts()
    answers = [post_alarm(alarm("E-SAME")).status_code for _ in range(100)]
    assert answers[0] == 201 and set(answers[1:]) == {200}
    assert counts() == (before[0] + 1, before[1] + 1)


def test_close_alarms_fuse_far_or_late_ones_do_not(post_alarm, alarm, spot):
    first = post_alarm(alarm("E-A")).json()["clue"]
    near = post_alarm(
        alarm("E-B", target={"lon": spot[0] + 0.001, "lat": spot[1]}, time="2025-06-01T11:00:00+08:00")).json()["clue"]
    late = post_alarm(alarm("E-C", time="2025-06-02T10:15:00+08:00")).json()["clue"]
    far = post_alarm(alarm("E-D", target={"lon": spot[0] + 0.01, "lat": spot[1]})).json()["clue"]
    assert near == first and late != first and far != first
    clue = Clue.objects.get(pk=first)
    assert clue.detection_count == 2 and clue.detections.count() == 2


@override_settings(SUPERVISION_FUSION_DISTANCE_M=50)
def test_fusion_distance_is_configurable(post_alarm, alarm, spot):
    first = post_alarm(alarm("E-A")).json()["clue"]
    near = post_alarm(alarm("E-B", target={"lon": spot[0] + 0.001, "lat": spot[1]})).json()["clue"]  # ~90 m east
    assert near != first


def test_bearing_and_distance_from_the_camera_place_the_target(post_alarm, alarm, camera):
    body = alarm("E-BEAR")
    del body["target"]
    body.update(bearing=270.0, distance=900.0)
    response = post_alarm(body)
    assert response.status_code == 201, response.content
    clue = Clue.objects.get(pk=response.json()["clue"])
    assert clue.location.x < camera.position.x and abs(clue.location.y - camera.position.y) < 1e-4


def test_multipart_alarm_with_an_image_file(client, source_key, camera, alarm):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _source, key = source_key
    response = client.post("/api/supervision/alarms/",
        {"data": json.dumps(alarm("E-MP")), "image": SimpleUploadedFile("a.jpg", b"\xff\xd8\xffjpegbytes")},
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    assert Detection.objects.get(pk=response.json()["detection"]).image.read() == b"\xff\xd8\xffjpegbytes"


@pytest.mark.parametrize("key, status", [(None, 401), ("lgk_wrong", 401), ("nonsense", 401)])
def test_a_missing_or_wrong_key_is_401_and_stores_nothing(post_alarm, alarm, key, status):
    before = counts()
    response = post_alarm(alarm("E-KEY"), key=key)
    assert response.status_code == status and response["WWW-Authenticate"]
    assert counts() == before


def test_a_disabled_source_is_403(post_alarm, alarm, source_key):
    source, _key = source_key
    source.__class__.objects.filter(pk=source.pk).update(is_active=False)
    before = counts()
    assert post_alarm(alarm("E-OFF")).status_code == 403
    assert counts() == before


@pytest.mark.parametrize("raw, field", [
    (b'{"event_id": "E-1", ', "body"),
    (b"\xff\xfe", "body"),
    (b"[1, 2]", ""),
])
def test_malformed_json_is_400(post_alarm, raw, field):
    before = counts()
    response = post_alarm(None, raw=raw)
    assert response.status_code == 400 and response.json()["field"] == field
    assert counts() == before


@pytest.mark.parametrize("change, field", [
    ({"event_id": ""}, "event_id"),
    ({"camera_id": None}, "camera_id"),
    ({"time": "yesterday"}, "time"),
    ({"target": {"lon": "115", "lat": 36.4}}, "target.lon"),
    ({"target": {"lon": 115.4, "lat": 95}}, "target.lat"),
    ({"target": None, "bearing": 90.0}, "target"),  # a bearing without distance (no target at all: 位置待核, 201)
    ({"confidence": 3}, "confidence"),
    ({"image": "***not base64***"}, "image"),
])
def test_a_bad_field_is_400_naming_it(post_alarm, alarm, change, field):
    before = counts()
    body = alarm("E-BAD")
    body.update(change)
    response = post_alarm(body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert counts() == before


@override_settings(SUPERVISION_ALARM_IMAGE_MAX_BYTES=1000)
def test_an_oversize_image_is_413_and_no_file_is_written(post_alarm, alarm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = counts()
    response = post_alarm(alarm("E-BIG", image=base64.b64encode(b"x" * 5000).decode()))
    assert response.status_code == 413 and response.json()["field"] == "image"
    assert counts() == before and not any(tmp_path.rglob("*.*"))


@override_settings(SUPERVISION_ALARM_BODY_MAX_BYTES=2000)
def test_an_oversize_body_is_413_before_it_is_read(post_alarm, alarm):
    response = post_alarm(alarm("E-BODY", note="x" * 1900))
    assert response.status_code == 413


def test_a_target_outside_the_county_is_422(post_alarm, alarm):
    from landguard.regions.models import Region
    import shapely

    shenxian = Region.objects.get(code="371522", retired_in__isnull=True)
    p = shapely.point_on_surface(shapely.from_wkb(bytes(shenxian.geom.wkb)))
    before = counts()
    response = post_alarm(alarm("E-OUT", target={"lon": p.x, "lat": p.y}))
    assert response.status_code == 422 and response.json()["field"] == "target"
    assert counts() == before


def test_an_unknown_camera_is_422(post_alarm, alarm):
    before = counts()
    response = post_alarm(alarm("E-CAM", camera_id="NOPE"))
    assert response.status_code == 422 and response.json()["field"] == "camera_id"
    assert counts() == before


def test_only_post_is_allowed(client):
    assert client.get("/api/supervision/alarms/").status_code == 405


def test_a_naive_time_is_beijing_time(post_alarm, alarm):
    response = post_alarm(alarm("E-NAIVE", time="2025-06-01T10:15:00"))
    detection = Detection.objects.get(pk=response.json()["detection"])
    assert detection.observed_at == dt.datetime(2025, 6, 1, 2, 15, tzinfo=dt.timezone.utc)
