"""Writes through the API (/api/projects/, /api/problems/, /api/service-requests/) go through the same
services as the pages: a project from a GeoJSON boundary, parallel steps with a 容缺 item that blocks
closing, the problem ledger's escalate → resolve → close, a service request resolved with its steps. The
roles and the scope of the pages apply, and every write is in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from landguard.audit.models import AuditEntry
from landguard.demo.loader import GUANXIAN_SEAT
from landguard.people.models import User
from landguard.projects.models import Problem, Project, ServiceRequest, Step

pytestmark = pytest.mark.django_db
X, Y = GUANXIAN_SEAT[0] - 0.02, GUANXIAN_SEAT[1] + 0.005
SQUARE = {"type": "Polygon", "coordinates": [[[X - 0.001, Y - 0.001], [X + 0.001, Y - 0.001], [X + 0.001, Y + 0.001],
                                              [X - 0.001, Y + 0.001], [X - 0.001, Y - 0.001]]]}


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(client: APIClient, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def _project(client: APIClient) -> dict:
    response = _post(client, "/api/projects/",
                     {"name": "接口测试项目", "level": "county", "boundary": SQUARE, "owner": "某公司"})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_project_from_geojson_runs_parallel_steps_and_a_deferred_item_blocks_closing(county_admin, at):
    at(dt.date(2025, 6, 3))
    api = _api(county_admin)
    project = _project(api)
    assert project["region_code"] == "371525001" and project["area_m2"] > 0 and project["health"] == "on_track"
    first, second = (s["id"] for s in project["steps"][:2])  # 用地预审与选址意见书 and 规划条件 run in parallel
    assert _post(api, f"/api/projects/steps/{first}/start/").status_code == 200
    assert _post(api, f"/api/projects/steps/{second}/start/").json()["status"] == "in_progress"
    later = next(s["id"] for s in project["steps"] if s["depends_on"])
    refused = _post(api, f"/api/projects/steps/{later}/start/")
    assert refused.status_code == 400 and "前置环节尚未办结" in refused.json()[0]
    step = _post(api, f"/api/projects/steps/{first}/items/",
                 {"material": "土地权属来源证明", "promised_on": "2025-06-10",
                                                              "owner": "建设单位"})
    assert step.status_code == 201
    (item,) = step.json()["deferred_items"]
    blocked = _post(api, f"/api/projects/steps/{first}/complete/")
    assert blocked.status_code == 400 and "尚有 1 项容缺材料未补齐（土地权属来源证明）" in blocked.json()[0]
    assert _post(api, f"/api/projects/items/{item['id']}/clear/").json()["deferred_items"][0]["status"] == "cleared"
    done = _post(api, f"/api/projects/steps/{first}/complete/").json()
    assert done["status"] == "done" and done["timeliness"] == "ahead"
    assert AuditEntry.objects.filter(target_type="projects.step", target_id=str(first), action="state").count() == 2
    changed = api.patch(f"/api/projects/{project['id']}/", {"leader": "县委常委"}, format="json")
    assert changed.status_code == 200 and Project.objects.get(pk=project["id"]).leader == "县委常委"


def test_reopening_a_step_never_started_answers_400_and_completing_it_stays_refused(county_admin, at):
    # Schemathesis found POST …/reopen/ on a 未开始 step accepted, then …/complete/ answered 500.
    at(dt.date(2025, 6, 3))
    api = _api(county_admin)
    later = next(s["id"] for s in _project(api)["steps"] if s["depends_on"])
    refused = _post(api, f"/api/projects/steps/{later}/reopen/", {"note": "误点"})
    assert refused.status_code == 400 and "不能重新办理" in refused.json()[0]
    completed = _post(api, f"/api/projects/steps/{later}/complete/")
    assert completed.status_code == 400 and "不能办结" in completed.json()[0]
    assert Step.objects.get(pk=later).status == Step.Status.PENDING


def test_the_problem_ledger_escalates_resolves_and_closes_through_the_api(county_admin, guanxian):
    api = _api(county_admin)
    created = _post(api, "/api/problems/",
                    {"region": guanxian.code, "category": "quota", "description": "接口测试：指标不足",
                                            "division": "耕地保护科", "deadline": "2030-01-01"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert _post(api, f"/api/problems/{pk}/escalate/", {"note": "提请协调"}).json()["status"] == "escalated"
    assert _post(api, f"/api/problems/{pk}/resolve/", {}).status_code == 400  # the resolution is required
    assert _post(api, f"/api/problems/{pk}/resolve/", {"resolution": "市级统筹解决"}).json()["status"] == "resolved"
    assert _post(api, f"/api/problems/{pk}/close/").json()["status"] == "closed"
    assert [c.to_status for c in Problem.objects.get(pk=pk).history.all()] == ["open", "escalated", "resolved",
        "closed"]


def test_staff_may_not_close_a_problem_and_viewers_write_nothing(county_admin, guanxian):
    staff = User.objects.get(username="guanxian_staff")
    viewer = User.objects.get(username="province_viewer")
    pk = _post(_api(staff), "/api/problems/", {"region": guanxian.code, "category": "other", "description": "接口测试",
                                               "division": "科室", "deadline": "2030-01-01"}).json()["id"]
    _post(_api(staff), f"/api/problems/{pk}/resolve/", {"resolution": "已解决"})
    refused = _post(_api(staff), f"/api/problems/{pk}/close/")
    assert refused.status_code == 403 and "只有管理员或领导可以销号" in refused.json()["detail"]
    assert _post(_api(viewer), "/api/projects/",
                 {"name": "x", "level": "county", "region": guanxian.code}).status_code == 403
    assert _api(viewer).get("/api/problems/").status_code == 200


def test_objects_outside_the_scope_are_absent_for_writes(county_admin, other_county_user, township_officer, guanxian):
    project = _project(_api(county_admin))
    step = project["steps"][0]["id"]
    assert _post(_api(other_county_user), f"/api/projects/steps/{step}/start/").status_code == 404
    # A region outside the caller's scope is "does not exist" to the input, not a write elsewhere.
    response = _post(_api(township_officer), "/api/problems/", {"region": guanxian.code, "category": "other",
                                                               "description": "越界", "division": "科室",
                                                               "deadline": "2030-01-01"})
    assert response.status_code == 400 and "region" in response.json()
    assert not Step.objects.get(pk=step).history.exists()


def test_a_service_request_is_resolved_with_its_steps_and_days_saved(county_admin):
    api = _api(county_admin)
    project = _project(api)
    created = _post(api, "/api/service-requests/", {"enterprise": "某企业", "kind": "quota", "request": "指标需求",
                                                    "project": project["id"], "commissioner": county_admin.pk,
                                                    "received_on": dt.date.today().isoformat()})
    assert created.status_code == 201, created.content
    steps = [s["id"] for s in project["steps"][:2]]
    resolved = _post(api, f"/api/service-requests/{created.json()['id']}/resolve/",
                     {"outcome": "已协调", "days_saved": 12,
                                                                                    "steps": steps})
    assert resolved.status_code == 200 and resolved.json()["steps"] == steps
    item = ServiceRequest.objects.get(pk=created.json()["id"])
    assert (item.status, item.days_saved) == ("resolved", 12)


def test_every_write_is_in_the_openapi_schema(county_admin):
    schema = _api(county_admin).get("/api/schema/", {"format": "json"}).json()["paths"]
    for path, method in [("/api/projects/", "post"), ("/api/projects/{id}/", "patch"),
                         ("/api/projects/{id}/boundary/", "post"),
                         ("/api/projects/steps/{step_pk}/start/", "post"),
                         ("/api/projects/steps/{step_pk}/complete/", "post"),
                         ("/api/projects/steps/{step_pk}/items/", "post"),
                         ("/api/projects/items/{item_pk}/clear/", "post"),
                         ("/api/problems/", "post"), ("/api/problems/{id}/escalate/", "post"),
                         ("/api/problems/{id}/close/", "post"),
                         ("/api/service-requests/", "post"), ("/api/service-requests/{id}/resolve/", "post")]:
        assert method in schema[path], (path, method)
