"""The battle-map pages as the demo personas: every page renders, lists paginate and export, step actions post
through the services, objects outside the scope answer 404, and writes need a working role."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from walk_places import project_objects
from landguard.projects.models import DeferredItem, Problem, Project, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(qingquan):
    return project_objects(qingquan)


LIST_PAGES = ["projects:map", "projects:list", "projects:problem-list", "projects:target-list", "projects:request-list",
              "projects:group-list", "projects:weekly", "projects:daily", "projects:ranking", "projects:calendar"]
EXPORTS = ["projects:list-export", "projects:ledger-export", "projects:problem-export", "projects:target-list-export",
           "projects:request-export", "projects:group-export", "projects:daily-export", "projects:ranking-export",
           "projects:calendar-export", "projects:weekly-xlsx"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_page_renders_for_the_county_admin(client_for, county_admin, name):
    response = client_for(county_admin).get(reverse(name))
    assert response.status_code == 200
    assert "挂图作战" in response.content.decode()


@pytest.mark.parametrize("name", EXPORTS)
def test_every_table_exports_xlsx(client_for, county_admin, name):
    response = client_for(county_admin).get(reverse(name))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).worksheets


def test_the_project_list_shows_the_demo_projects_and_their_status(client_for, county_admin):
    text = client_for(county_admin).get(reverse("projects:list")).content.decode()
    assert "冠县高端装备制造产业园一期项目（演示）" in text and "已办结" in text and "超期" in text


def test_the_project_page_shows_gantt_parts_occupation_and_actions(client_for, county_admin, sample):
    response = client_for(county_admin).get(reverse("projects:detail", args=[sample["project"].pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'class="gantt"' in text and "占地分析" in text and "占用耕地（扣除田坎）" in text
    assert "开始办理" in text and "办结" in text and "登记容缺材料" in text
    geojson = client_for(county_admin).get(reverse("projects:geojson", args=[sample["project"].pk])).json()
    assert geojson["features"][0]["properties"]["name"] == "清泉街道"


def test_a_project_outside_the_scope_is_absent(client_for, other_county_user, township_officer, county_admin, sample):
    url = reverse("projects:detail", args=[sample["project"].pk])
    assert client_for(other_county_user).get(url).status_code == 404
    assert client_for(township_officer).get(url).status_code == 200
    other = Project.objects.filter(region_code__startswith="371525").exclude(region_code__startswith="371525001") \
        .exclude(parts__region_code__startswith="371525001").first()
    assert client_for(township_officer).get(reverse("projects:detail", args=[other.pk])).status_code == 404


def test_step_actions_post_through_the_services(client_for, county_admin, sample):
    client = client_for(county_admin)
    step = sample["step"]  # started, with an open 容缺 item
    response = client.post(reverse("projects:step-complete", args=[step.pk]), follow=True)
    assert "尚有 1 项容缺材料未补齐" in response.content.decode()
    client.post(reverse("projects:item-clear", args=[sample["deferred_item"].pk]))
    assert DeferredItem.objects.get(pk=sample["deferred_item"].pk).status == "cleared"
    client.post(reverse("projects:step-complete", args=[step.pk]))
    assert Step.objects.get(pk=step.pk).status == "done"
    second = sample["project"].steps.get(order=2)
    client.post(reverse("projects:step-start", args=[second.pk]))
    promised = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    client.post(reverse("projects:item-add", args=[second.pk]),
                {"material": "规划设计方案", "promised_on": promised, "owner": "甲"})
    assert second.deferred_items.get().material == "规划设计方案"
    assert client.get(reverse("projects:step-start", args=[second.pk])).status_code == 405


def test_viewers_and_other_counties_cannot_act(client_for, other_county_user, sample):
    response = client_for(other_county_user).post(
        reverse("projects:step-start", args=[sample["project"].steps.get(order=2).pk]))
    assert response.status_code == 404
    assert Step.objects.get(pk=sample["project"].steps.get(order=2).pk).status == "pending"


def test_registering_a_project_with_the_form(client_for, county_admin, qingquan):
    response = client_for(county_admin).post(reverse("projects:create"), {
        "name": "表单项目", "level": "county", "region": qingquan.pk, "land_demand_mu": "30"})
    project = Project.objects.get(name="表单项目")
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[project.pk])
    assert str(project.land_demand_ha) == "2.0000"


def test_the_problem_ledger_flow(client_for, county_admin, township_officer, sample):
    problem = sample["problem"]
    url = lambda action: reverse("projects:problem-action", args=[problem.pk, action])  # noqa: E731
    officer = client_for(township_officer)
    officer.post(url("escalate"), {"text": "需要县里协调"})
    officer.post(url("resolve"), {"text": "已协调解决"})
    officer.post(url("close"))
    assert Problem.objects.get(pk=problem.pk).status == "resolved", "staff cannot 销号"
    client_for(county_admin).post(url("close"))
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.resolution == "已协调解决"
    assert list(problem.history.values_list("to_status", flat=True)) == ["open", "escalated", "resolved", "closed"]


def test_the_calendar_is_read_by_all_and_edited_only_by_system_admins(client_for, county_admin):
    client = client_for(county_admin)
    assert "春节" in client.get(reverse("projects:calendar") + "?year=2026").content.decode()
    assert client.get(reverse("projects:calendar-create")).status_code == 403


def test_the_battle_map_geojson_colours_projects(client_for, county_admin):
    data = client_for(county_admin).get(reverse("projects:map-geojson")).json()
    health = {f["properties"]["name"]: f["properties"]["health"] for f in data["features"]}
    assert health["冠县高端装备制造产业园一期项目（演示）"] == "done"
    assert health["冠县第二中学新校区建设项目（演示）"] == "overdue"
    assert health["冠县新材料产业园配套道路项目（演示）"] == "on_track"
    filtered = client_for(county_admin).get(reverse("projects:map-geojson") + "?level=provincial").json()
    assert {f["properties"]["name"] for f in filtered["features"]} == {"冠县高端装备制造产业园一期项目（演示）"}


def test_a_service_request_is_resolved_with_its_outcome_linked_steps_and_days_saved(client_for, county_admin, sample):
    item = sample["service_request"]
    step = sample["project"].steps.get(order=1)
    response = client_for(county_admin).post(reverse("projects:request-detail", args=[item.pk]),
                                             {"outcome": "容缺受理，当日出具意见", "days_saved": "12",
                                              "steps": [step.pk]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.days_saved, list(item.steps.all())) == ("resolved", 12, [step])


def test_the_api_lists_projects_with_their_status_inside_the_scope(client_for, township_officer, other_county_user,
                                                                   sample):
    body = client_for(township_officer).get("/api/projects/").json()
    names = {p["name"] for p in body["results"]}
    assert "清泉街道示例项目（演示）" in names
    project = next(p for p in body["results"] if p["name"] == "清泉街道示例项目（演示）")
    assert project["health"] in {"on_track", "due_soon", "overdue"} and len(project["steps"]) == 8
    assert client_for(other_county_user).get(f"/api/projects/{sample['project'].pk}/").status_code == 404
    assert client_for(township_officer).get(f"/api/problems/{sample['problem'].pk}/").json()["category"] == "other"
