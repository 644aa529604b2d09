"""Cameras push without a relay: Hikvision ISAPI EventNotificationAlert XML (alone or multipart with its snapshot)
with HTTP Basic, in the shapes devices publish (tests/supervision/data/hikvision). An event without a target becomes
a clue at the camera, 位置待核: no land-class analysis, no fusion by distance, until a field check-in places it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from landguard.supervision import intake, verification
from landguard.supervision.models import Clue, Detection

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "hikvision"
MAC = "ac:b9:2f:37:15:25"
NVR = "DS-7608NXI-I2/8P/S0000000000CCRRJ37152500WCVU"
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")


@pytest.fixture
def device(source_key, spot, alarm):
    """The source's device credentials and its tower camera, registered under the MAC and channel it pushes."""
    source, _key = source_key
    username, password = intake.issue_device_credentials(actor=None, source=source)
    camera = intake.register_camera(actor=None, source=source, code=f"{MAC}/1", name="清泉铁塔一号", lon=spot[0] + 0.01,
                                    lat=spot[1], height_m=45, radius_m=3500)
    return username, password, camera


def push(client, device, body: bytes, content_type: str = "application/xml", auth: tuple[str, str] | None = None):
    username, password, _camera = device
    user, pwd = auth or (username, password)
    token = base64.b64encode(f"{user}:{pwd}".encode()).decode()
    return client.post("/api/supervision/alarms/isapi/", data=body, content_type=content_type,
                       HTTP_AUTHORIZATION=f"Basic {token}")


def multipart(xml: bytes, picture: bytes, picture_type: str = "image/pjpeg") -> tuple[bytes, str]:
    """The device's multipart form: the XML part, then the picture part named Picture_Name, no file name."""
    boundary = "MIME_boundary"
    xml_head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"fielddetection\"\r\n"
                f"Content-Type: application/xml; charset=\"UTF-8\"\r\nContent-Length: {len(xml)}\r\n\r\n")
    picture_head = (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"Picture_Name\"\r\n"
                    f"Content-Type: {picture_type}\r\n"
                    f"Content-Length: {len(picture)}\r\nContent-ID: image_ID\r\n\r\n")
    body = xml_head.encode() + xml + picture_head.encode() + picture + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def counts():
    return Clue.objects.count(), Detection.objects.count()


def test_device_credentials_fit_a_hikvision_password_field_and_only_their_hash_is_kept(device):
    username, password, camera = device
    assert len(password) == 16 and password.isalnum()
    assert camera.source.__class__.objects.get(pk=camera.source_id).device_password_hash not in ("", password)
    assert intake.authenticate_device(username, password) == camera.source
    assert intake.authenticate_device(username, password[:-1] + ("y" if password.endswith("x") else "x")) is None


def test_a_tower_camera_event_without_target_becomes_a_pending_clue_at_the_camera(client, device):
    _user, _pwd, camera = device
    response = push(client, device, (DATA / "fielddetection_tower.xml").read_bytes())
    assert response.status_code == 201, response.content
    assert response.json()["position_pending"] is True
    detection = Detection.objects.get(pk=response.json()["detection"])
    clue = detection.clue
    assert detection.position_pending and clue.position_pending and clue.position_uncertainty_m == 3500
    assert (clue.location.x, clue.location.y) == pytest.approx((camera.position.x, camera.position.y))
    assert clue.touches_farmland is None and "位置待核" in clue.enrichment["note"]  # no 30 m analysis at the camera
    assert detection.note == "区域入侵侦测（fielddetection），目标：车辆，通道：清泉铁塔一号"
    assert detection.payload["isapi"]["detectionTarget"] == "vehicle"
    again = push(client, device, (DATA / "fielddetection_tower.xml").read_bytes())  # a device retrying its push
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_the_same_cameras_pending_events_share_a_clue_and_a_positioned_alarm_does_not_join_it(client, device,
    post_alarm,
                                                                                             alarm, spot):
    first = push(client, device, (DATA / "fielddetection_tower.xml").read_bytes()).json()["clue"]
    second = push(client, device, (DATA / "linedetection_isapi.xml").read_bytes())
    assert second.status_code == 201 and second.json()["clue"] == first
    assert Clue.objects.get(pk=first).detection_count == 2
    camera = device[2]
    near_camera = alarm("E-NEAR", camera_id="T-TEST-1",
                        target={"lon": camera.position.x + 0.0005, "lat": camera.position.y})
    positioned = post_alarm(near_camera)
    assert positioned.status_code == 201 and positioned.json()["clue"] != first  # distance says nothing about it


def test_a_multipart_push_keeps_the_snapshot_bytes(client, device):
    body, content_type = multipart((DATA / "fielddetection_tower.xml").read_bytes(), JPEG)
    response = push(client, device, body, content_type)
    assert response.status_code == 201, response.content
    assert Detection.objects.get(pk=response.json()["detection"]).image.read() == JPEG


def test_a_picture_that_is_not_an_image_is_refused_and_nothing_is_stored(client, device):
    before = counts()
    body, content_type = multipart((DATA / "fielddetection_tower.xml").read_bytes(), b"<html>not a picture</html>",
                                   "image/jpeg")
    response = push(client, device, body, content_type)
    assert response.status_code == 415 and response.json()["field"] == "image"
    assert counts() == before


@pytest.mark.parametrize("auth", [None, ("lgcam0", "x" * 16), "wrong-password"])
def test_a_push_without_or_with_wrong_credentials_is_challenged_and_stores_nothing(client, device, auth):
    before = counts()
    xml = (DATA / "fielddetection_tower.xml").read_bytes()
    if auth is None:
        response = client.post("/api/supervision/alarms/isapi/", data=xml, content_type="application/xml")
    else:
        response = push(client, device, xml, auth=(device[0], "0" * 16) if auth == "wrong-password" else auth)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic ")
    assert counts() == before


def test_heartbeats_are_acknowledged_and_not_stored(client, device):
    before = counts()
    response = push(client, device, (DATA / "heartbeat.xml").read_bytes())
    assert response.status_code == 200 and response.json() == {"ignored": "heartBeat"}
    assert counts() == before


def test_an_nvr_channel_is_known_by_its_serial_number_and_channel(client, device, source_key, spot):
    source, _key = source_key
    intake.register_camera(actor=None, source=source, code=f"{NVR}/34", name="NVR 34 通道", lon=spot[0],
                           lat=spot[1] + 0.005,
                           height_m=12, radius_m=400)
    response = push(client, device, (DATA / "nvr_psia.xml").read_bytes())
    assert response.status_code == 201, response.content
    assert Detection.objects.get(pk=response.json()["detection"]).camera.code == f"{NVR}/34"


def test_an_unregistered_device_is_422_naming_the_codes_to_register(client, device):
    xml = (DATA / "fielddetection_tower.xml").read_bytes().replace(b"AC:B9:2F:37:15:25", b"00:11:22:33:44:55")
    response = push(client, device, xml)
    assert response.status_code == 422 and response.json()["field"] == "camera_id"
    assert "00:11:22:33:44:55/1" in response.json()["error"]


def test_an_event_carrying_coordinates_is_placed_and_analysed(client, device, source_key, spot):
    source, _key = source_key
    intake.register_camera(actor=None, source=source, code=f"{MAC}/2", name="清泉铁塔一号热成像", lon=spot[0] + 0.01,
                           lat=spot[1], height_m=45, radius_m=3500)
    xml = (DATA / "fire_gps.xml").read_bytes().replace(b"LON", str(spot[0]).encode()).replace(b"LAT",
        str(spot[1]).encode())
    response = push(client, device, xml)
    assert response.status_code == 201, response.content
    clue = Clue.objects.get(pk=response.json()["clue"])
    assert not clue.position_pending and (clue.location.x, clue.location.y) == pytest.approx(spot)
    assert clue.touches_farmland is not None


@pytest.mark.parametrize("when",
                         ["2025-06-02T14:30:00+08:00", "2025-04-01T10:00:00+08:00", "2035-01-01T00:00:00+08:00"])
def test_implausible_event_times_are_refused_on_both_intakes(client, device, post_alarm, alarm, when):
    before = counts()
    xml = (DATA / "linedetection_isapi.xml").read_bytes().replace(b"2025-06-01T10:25:40+08:00", when.encode())
    device_answer = push(client, device, xml)
    json_answer = post_alarm(alarm("E-WHEN", time=when))
    for response in (device_answer, json_answer):
        assert response.status_code == 422 and response.json()["field"] == "time", response.content
    assert counts() == before


def test_malformed_xml_is_400_naming_the_body(client, device):
    response = push(client, device, b"<EventNotificationAlert><eventType>VMD</eventType>")
    assert response.status_code == 400 and response.json()["field"] == "body"
    response = push(client, device, b"<Other/>")
    assert response.status_code == 400 and "EventNotificationAlert" in response.json()["error"]


def test_a_field_check_in_places_a_pending_clue_and_analyses_it_there(client, device, county_admin, village, spot):
    clue = Clue.objects.get(pk=push(client, device, (DATA / "fielddetection_tower.xml").read_bytes()).json()["clue"])
    assert clue.region_code != village.code  # filed where the camera stands
    task = verification.dispatch(actor=county_admin, clue=clue, reason="铁塔告警，位置待核")
    verification.report(actor=county_admin, task=task)
    # The site is ~900 m from the camera: beyond the usual check-in reach, within the camera's.
    verification.check_in(actor=county_admin, task=task, lon=spot[0], lat=spot[1], accuracy_m=8)
    clue.refresh_from_db()
    assert not clue.position_pending and clue.position_uncertainty_m is None
    assert clue.region_code == village.code  # and now where the change is
    assert (clue.location.x, clue.location.y) == pytest.approx(spot)
    assert clue.touches_farmland is not None and "layers" in clue.enrichment


def test_the_json_api_without_target_also_files_a_pending_alarm(post_alarm, alarm):
    body = alarm("E-NOTARGET")
    del body["target"]
    response = post_alarm(body)
    assert response.status_code == 201, json.dumps(response.json(), ensure_ascii=False)
    assert Clue.objects.get(pk=response.json()["clue"]).position_pending


def test_the_settings_page_issues_device_credentials_once_to_the_county_only(client_for, county_admin, township_officer,
                                                                          source_key):
    from django.urls import reverse

    source, _key = source_key
    url = reverse("supervision:source-device", args=[source.pk])
    assert client_for(township_officer).post(url).status_code in (403, 404)
    response = client_for(county_admin).post(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    source.refresh_from_db()
    assert source.device_username in page and "/api/supervision/alarms/isapi/" in page
    password = page.split('id="api-key" class="hash">')[1].split("<")[0]
    assert intake.authenticate_device(source.device_username, password) == source
