"""The 耕地保护 pages as the personas see them: the overview and every list with its xlsx export, a clue
triaged through its page, the phone's chunked photo upload over HTTP, scope (404 outside) and the public
report form (no data shown, rate-limited)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.cache import cache
from django.test import override_settings
from openpyxl import load_workbook

from landguard.supervision import intake, verification
from landguard.supervision.models import Clue, Task

pytestmark = pytest.mark.django_db

LISTS = ["clue", "task", "camera", "patch", "case", "delivery"]


@pytest.mark.parametrize("name",
                         ["overview", "clue-list", "task-list", "camera-list", "patch-list", "case-list", "case-stats",
                                  "compliance", "ratio", "delivery-list", "field", "clue-new"])
def test_every_page_renders_for_the_county_admin(client_for, county_admin, name):
    response = client_for(county_admin).get(f"/supervision/{_path(name)}")
    assert response.status_code == 200, name


def _path(name: str) -> str:
    return {"overview": "", "clue-list": "clues/", "task-list": "tasks/", "camera-list": "cameras/",
            "patch-list": "patches/",
            "case-list": "cases/", "case-stats": "cases/stats/", "compliance": "compliance/", "ratio": "ratio/",
            "delivery-list": "deliveries/", "field": "field/", "clue-new": "clues/new/"}[name]


@pytest.mark.parametrize("path",
                         ["townships.xlsx", "clues.xlsx", "tasks.xlsx", "cameras.xlsx", "patches.xlsx", "cases.xlsx",
                                  "deliveries.xlsx", "compliance.xlsx", "compliance-units.xlsx", "patrols.xlsx",
                                  "ratio.xlsx"])
def test_every_table_exports_xlsx(client_for, county_admin, path):
    response = client_for(county_admin).get(f"/supervision/{path}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "冠县" in sheet.cell(1, 1).value and sheet.max_row >= 2
    assert sheet.cell(2, 1).value == "序号" and [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)] == list(
        range(1, sheet.max_row - 1))  # rows counted as in a ledger


def test_the_camera_export_names_the_township_beside_its_code(client_for, county_admin):
    sheet = load_workbook(io.BytesIO(client_for(county_admin).get("/supervision/cameras.xlsx").content)).active
    headers = [c.value for c in sheet[2]]
    name, code = headers.index("所在乡镇"), headers.index("所在乡镇代码")
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows and all(row[name] and row[code].startswith("371525") for row in rows)
    assert any(row[name] == "清泉街道" for row in rows)


def test_the_demo_has_94_cameras_and_the_camera_page_lists_covered_villages(client_for, county_admin):
    from landguard.supervision.models import Camera

    assert Camera.objects.filter(code__startswith="GX-T").count() == 94
    camera = Camera.objects.filter(code="GX-T001").get()
    page = client_for(county_admin).get(f"/supervision/cameras/{camera.pk}/").content.decode()
    assert "覆盖" in page and "个村（社区）" in page


def test_a_clue_is_triaged_through_its_page(client_for, county_admin, spot, county):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：推土", county=county)
    client = client_for(county_admin)
    response = client.post(f"/supervision/clues/{clue.pk}/triage/", {"decision": "valid", "reason": "疑似违法"})
    task = Task.objects.get(clue=clue)
    assert response.status_code == 302 and response["Location"] == f"/supervision/tasks/{task.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "执法中队" in page and "乡镇自然资源所" in page and "田长" in page


def test_a_clue_page_maps_the_clue_its_disc_and_the_land_classes_and_names_its_main_class(client_for, county_admin,
                                                                                           spot, county):
    import json
    import re

    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：挖土", county=county)
    page = client_for(county_admin).get(f"/supervision/clues/{clue.pk}/").content.decode()
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page, re.S)[1])
    x0, y0, x1, y1 = config["bounds"]
    assert x0 < spot[0] < x1 and y0 < spot[1] < y1
    assert [layer["visible"] for layer in config["dataLayers"] if layer["layer_kind"] == "dltb"][:1] == [True]
    features = json.loads(re.search(r'<script id="clue-features" type="application/json">(.*?)</script>', page,
                                    re.S)[1])["features"]
    assert features[0]["geometry"]["coordinates"] == [spot[0], spot[1]]
    assert {f["properties"]["role"] for f in features} == ({"clue", "disc"} if clue.enrichment.get("radius_m")
                                                         else {"clue"})
    main = re.search(r"<dd data-land-class>(.*?)</dd>", page)[1]
    assert main == "—" or re.fullmatch(r"\d{4}[A-Z]? \S+", main), main  # "0102 水浇地", never a bare code


def test_the_phone_uploads_a_photo_in_chunks_and_resumes(client_for, township_officer, county_admin, spot, county):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报", county=county)
    task = verification.dispatch(actor=county_admin, clue=clue)
    verification.report(actor=township_officer, task=task)
    client = client_for(township_officer)
    assert client.post(f"/supervision/field/tasks/{task.pk}/checkin/",
                       {"lon": spot[0], "lat": spot[1], "accuracy": 5}).status_code == 302
    data = b"\xff\xd8" + bytes(1000)
    start = client.post(f"/supervision/field/tasks/{task.pk}/photos/",
                        {"kind": "site", "name": "a.jpg", "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(), "taken_at": "2025-06-01T10:00:00+08:00",
                        "lon": spot[0], "lat": spot[1]})
    assert start.status_code == 201
    url = start.json()["url"]
    assert client.put(url, data[:400], content_type="application/octet-stream",
                      HTTP_UPLOAD_OFFSET="0").json()["received"] == 400
    stale = client.put(url, data[:400], content_type="application/octet-stream", HTTP_UPLOAD_OFFSET="0")
    assert stale.status_code == 409 and stale.json()["received"] == 400  # resume where the server stands
    assert client.get(url).json()["received"] == 400
    done = client.put(url, data[400:], content_type="application/octet-stream", HTTP_UPLOAD_OFFSET="400")
    assert done.status_code == 200 and done.json()["acknowledged"]
    response = client.post(f"/supervision/field/tasks/{task.pk}/outcome/",
                           {"outcome": "false_alarm", "reason": "大棚维修"})
    task.refresh_from_db()
    assert response.status_code == 302 and task.status == Task.Status.VERIFIED


def test_out_of_scope_objects_are_404(client_for, other_county_user, spot, county):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报", county=county)
    assert client_for(other_county_user).get(f"/supervision/clues/{clue.pk}/").status_code == 404


def test_the_public_form_files_a_report_and_is_rate_limited(client, spot):
    cache.clear()
    form = {"title": "有人在麦田里盖房", "description": "村东头", "lon": spot[0], "lat": spot[1]}
    before = Clue.objects.count()
    page = client.get("/supervision/report/").content.decode()
    assert "冠县" not in page and "莘县" not in page  # no data, not even which counties there are
    with override_settings(SUPERVISION_PUBLIC_REPORTS_PER_HOUR=2):
        assert client.post("/supervision/report/", form).status_code == 200
        assert client.post("/supervision/report/", form).status_code == 200
        assert client.post("/supervision/report/", form).status_code == 429
    assert Clue.objects.count() == before + 1  # the two reports of one place fused into one clue
    clue = Clue.objects.order_by("-id").first()
    assert clue.kind == "report" and clue.detection_count == 2
    cache.clear()
