"""Minimum periods (最短期限): a step may not close before its minimum has run since it started — in working
days on the holiday calendar or in calendar days, each with its own unit beside the limit's. Convention: the
start day is not counted and the day the period completes is allowed (a notice posted on 3 March for 10
working days may close on 17 March). The refusal names the step, the rule, the earliest date and what remains;
提前办结 is a separate, audited action for managers only; the page and the API show 最早可办结日期."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from landguard.audit.models import AuditEntry
from landguard.projects import services
from landguard.projects.models import ProcedureTemplate, Project, Step
from landguard.projects.services import StepSpec

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2025, 3, 3)  # no holiday near


@pytest.fixture
def notices(at, guanxian, qingquan, county_admin):
    """A project whose two parallel steps are notices: ≥ 10 working days (limit 15 working days) and ≥ 30 calendar
    days (limit 10 working days: the two units are independent)."""
    at(MONDAY)
    template = services.save_template(actor=county_admin, name="公告流程", region=guanxian, steps=[
        StepSpec(1, "预公告", 15, min_period=10, min_period_unit="working", key="pre_notice"),
        StepSpec(2, "方案公告", 40, "working", min_period=30, min_period_unit="calendar", key="plan_notice"),
        StepSpec(3, "登记", 5, depends_on=(1, 2))])
    project = services.create_project(actor=county_admin, name="公告项目", level=Project.Level.COUNTY, region=qingquan,
                                      template=template, start_on=MONDAY)
    for step in project.steps.filter(order__in=(1, 2)):
        services.start_step(actor=county_admin, step=step, on=MONDAY)
    return project


def step(project: Project, order: int) -> Step:
    return project.steps.get(order=order)


def test_a_working_day_minimum_refuses_the_day_before_and_allows_the_day_it_completes(notices, county_admin, at):
    at(D(2025, 3, 14))
    with pytest.raises(ValidationError) as error:
        services.complete_step(actor=county_admin, step=step(notices, 1))
    message = error.value.messages[0]
    assert "环节“预公告”的最短期限为 10 个工作日（自 2025-03-03 开始办理起算）" in message
    assert "最早可办结日期为 2025-03-17，还差 1 个工作日" in message
    assert step(notices, 1).status == Step.Status.IN_PROGRESS
    at(D(2025, 3, 17))
    assert services.complete_step(actor=county_admin, step=step(notices, 1)).status == Step.Status.DONE


def test_a_calendar_day_minimum_counts_weekends_and_is_not_moved_to_a_working_day(notices, county_admin, at):
    # 30 days after Monday 3 March is Wednesday 2 April; the day before is refused with one day to go.
    at(D(2025, 4, 1))
    with pytest.raises(ValidationError, match="最早可办结日期为 2025-04-02，还差 1 日"):
        services.complete_step(actor=county_admin, step=step(notices, 2))
    at(D(2025, 4, 2))
    done = services.complete_step(actor=county_admin, step=step(notices, 2))
    assert done.status == Step.Status.DONE and done.cycle_calendar_days == 30


def test_a_backdated_close_before_the_minimum_is_refused_too(notices, county_admin, at):
    at(D(2025, 4, 30))
    with pytest.raises(ValidationError, match="不能在 2025-03-10 办结"):
        services.complete_step(actor=county_admin, step=step(notices, 1), on=D(2025, 3, 10))


def test_the_earliest_finish_counts_working_days_across_a_holiday():
    from landguard.projects.calendar import work_calendar

    calendar = work_calendar()
    started = Step(min_period=10, min_period_unit="working", actual_start=D(2025, 9, 26))
    # 28 Sep (adjusted Sunday), 29, 30 Sep; 1–8 Oct rest; 9, 10, 11 (adjusted Saturday), 13, 14, 15, 16 Oct.
    assert services.earliest_finish(started, calendar) == D(2025, 10, 16)
    assert services.earliest_finish(Step(min_period=0, actual_start=D(2025, 9, 26)), calendar) is None


def test_early_completion_needs_a_manager_and_a_reason_and_is_audited(notices, county_admin, township_officer, at):
    at(D(2025, 3, 10))
    with pytest.raises(PermissionDenied):
        services.complete_step_early(actor=township_officer, step=step(notices, 1), note="实际已张贴")
    with pytest.raises(ValidationError, match="请说明提前办结的原因"):
        services.complete_step_early(actor=county_admin, step=step(notices, 1), note=" ")
    done = services.complete_step_early(actor=county_admin, step=step(notices, 1),
                                        note="预公告实际于2月24日张贴，登记晚了")
    assert done.status == Step.Status.DONE
    assert done.history.last().note == "提前办结：预公告实际于2月24日张贴，登记晚了"
    entry = (AuditEntry.objects.filter(target_type="projects.step", target_id=str(done.pk), action="state")
             .order_by("pk").last())
    assert entry.actor == county_admin
    assert "提前办结：预公告实际于2月24日张贴" in entry.note
    assert "最早可办结日期为 2025-03-17" in entry.note


def test_early_completion_is_refused_once_the_minimum_has_run(notices, county_admin, at):
    at(D(2025, 3, 17))
    with pytest.raises(ValidationError, match="已满足最短期限，请直接办结"):
        services.complete_step_early(actor=county_admin, step=step(notices, 1), note="x")


def test_the_step_page_shows_the_earliest_finish_beside_the_deadline(notices, county_admin, client_for):
    page = client_for(county_admin).get(f"/projects/{notices.pk}/").content.decode()
    assert "最早可办结日期 2025-03-17" in page and "最早可办结日期 2025-04-02" in page
    assert "最短期限 10 工作日" in page and "提前办结" in page


def test_the_api_reports_the_minimum_and_refuses_an_early_close_with_the_message(notices, county_admin, at):
    api = APIClient()
    api.force_authenticate(county_admin)
    steps = {s["key"]: s for s in api.get(f"/api/projects/{notices.pk}/").json()["steps"]}
    assert steps["pre_notice"]["min_period"] == 10 and steps["pre_notice"]["min_period_unit"] == "working"
    assert steps["pre_notice"]["earliest_finish"] == "2025-03-17"
    assert steps["plan_notice"]["earliest_finish"] == "2025-04-02" and steps["plan_notice"]["limit_unit"] == "working"
    response = api.post(f"/api/projects/steps/{steps['pre_notice']['id']}/complete/", {}, format="json")
    assert response.status_code == 400 and "最早可办结日期为 2025-03-17" in json.dumps(response.json(),
                                                                                   ensure_ascii=False)
    early = api.post(f"/api/projects/steps/{steps['pre_notice']['id']}/complete-early/", {"note": "登记晚于张贴"},
                     format="json")
    assert early.status_code == 200 and early.json()["status"] == "done"


def test_a_minimum_longer_than_the_limit_in_the_same_unit_is_refused(county_admin, guanxian):
    with pytest.raises(ValidationError, match="最短期限不能长于办理时限：1. 公告"):
        services.save_template(actor=county_admin, name="错误流程", region=guanxian,
                               steps=[StepSpec(1, "公告", 5, min_period=10, min_period_unit="working")])


def test_the_template_page_and_api_configure_minimum_periods(county_admin, guanxian, client_for):
    from projects.test_edit_templates import _formset

    data = {"name": "页面设置最短期限", "region": guanxian.pk, "description": "", **_formset([
        {"order": 1, "name": "公告", "limit_days": 40, "limit_unit": "calendar", "min_period": 30,
         "min_period_unit": "calendar", "limit_from": "start", "key": "notice", "depends_on": ""},
        {"order": 2, "name": "听证", "limit_days": 10, "limit_unit": "working", "min_period": "",
         "min_period_unit": "working", "limit_from": "predecessors", "applies_when": "过半数异议时",
         "depends_on": "1"}])}
    response = client_for(county_admin).post("/projects/templates/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ProcedureTemplate.objects.get(name="页面设置最短期限")
    first, second = template.steps.order_by("order")
    assert (first.key, first.min_period, first.min_period_unit) == ("notice", 30, "calendar")
    assert (second.min_period, second.limit_from, second.applies_when) == (0, "predecessors", "过半数异议时")
    api = APIClient()
    api.force_authenticate(county_admin)
    body = {"name": "接口设置最短期限", "region": guanxian.code, "steps": [
        {"order": 1, "name": "预公告", "limit_days": 15, "min_period": 10, "min_period_unit": "working",
         "key": "pre_notice"},
        {"order": 2, "name": "公告", "limit_days": 15, "limit_from": "predecessors", "depends_on": [1]}]}
    created = api.post("/api/procedure-templates/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["steps"][0]["min_period"] == 10 and created.json()["steps"][1]["depends_on"] == [1]
    body["steps"][0]["min_period"] = 12
    updated = api.put(f"/api/procedure-templates/{created.json()['id']}/", body, format="json")
    assert updated.status_code == 200 and updated.json()["steps"][0]["min_period"] == 12
    listed = api.get("/api/procedure-templates/").json()["results"]
    assert "土地征收流程" in {t["name"] for t in listed}
