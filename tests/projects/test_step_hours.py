"""Step limits in hours (德州: 开工服务“一小时内”): the limit is elapsed clock time from the moment the step
starts, so a step started at 09:00 with one hour is due at 10:00 that day; closing at 09:40 is on time and takes
40 minutes, closing at 10:30 is late; while it is open past 10:00 it is overdue the same day (a date-only clock
would call it on track until tomorrow). A backdated start without its time is refused naming the step; a minimum
period in days cannot be combined with hours. The project page and the API show the times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from landguard.core import clock
from landguard.projects import selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Project, Step
from landguard.projects.selectors import Health
from landguard.projects.services import StepSpec

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 3, 3)
SHANGHAI = timezone.get_default_timezone()


def beijing(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def now() -> Iterator:
    """now(moment) pins the clock to a Beijing time until the test ends."""
    with ExitStack() as stack:
        yield lambda moment: stack.enter_context(clock.frozen(moment))


@pytest.fixture
def service_chain(now, guanxian, qingquan, county_admin) -> Project:
    """开工服务: 企业报告开工 → 1 小时内上门服务 → 现场协调 (2 工作日)."""
    now(beijing(8))
    template = services.save_template(actor=county_admin, name="开工服务", region=guanxian, steps=[
        StepSpec(1, "上门服务", 1, "hours", key="visit"),
        StepSpec(2, "现场协调", 2, "working", depends_on=(1,))])
    return services.create_project(actor=county_admin, name="开工项目", level=Project.Level.COUNTY, region=qingquan,
                                   template=template, start_on=MONDAY)


def visit(project: Project) -> Step:
    return project.steps.get(order=1)


def test_an_hours_limit_is_due_that_many_hours_after_the_moment_it_starts(service_chain, county_admin, now):
    now(beijing(9))
    step = services.start_step(actor=county_admin, step=visit(service_chain))
    assert step.started_at == beijing(9) and step.due_at == beijing(10)
    assert step.due_on == MONDAY
    now(beijing(9, 40))
    done = services.complete_step(actor=county_admin, step=step)
    assert done.timeliness == Step.Timeliness.ON_TIME
    assert done.cycle_minutes == 40 and done.finished_at == beijing(9, 40)


def test_closing_after_the_hour_is_late_although_it_is_the_same_day(service_chain, county_admin, now):
    now(beijing(9))
    step = services.start_step(actor=county_admin, step=visit(service_chain))
    now(beijing(10, 30))
    done = services.complete_step(actor=county_admin, step=step)
    assert done.timeliness == Step.Timeliness.LATE and done.cycle_minutes == 90


def test_an_open_step_is_overdue_once_its_hour_has_passed_not_tomorrow(service_chain, county_admin, now):
    now(beijing(9))
    step = services.start_step(actor=county_admin, step=visit(service_chain))
    calendar = work_calendar()
    now(beijing(9, 59))
    assert selectors.step_health(Step.objects.get(pk=step.pk), clock.today(), calendar) != Health.OVERDUE
    now(beijing(10, 1))
    assert selectors.step_health(Step.objects.get(pk=step.pk), clock.today(), calendar) == Health.OVERDUE


def test_a_report_for_a_past_day_judges_the_hour_by_that_days_end(service_chain, county_admin, now):
    now(beijing(23, 30))
    step = services.start_step(actor=county_admin, step=visit(service_chain))  # due 00:30 on Tuesday
    now(beijing(12, day=MONDAY + dt.timedelta(days=3)))
    calendar = work_calendar()
    step = Step.objects.get(pk=step.pk)
    assert selectors.step_health(step, MONDAY, calendar) != Health.OVERDUE
    assert selectors.step_health(step, MONDAY + dt.timedelta(days=1), calendar) == Health.OVERDUE


def test_a_backdated_start_needs_its_time_and_names_the_step(service_chain, county_admin, now):
    now(beijing(15, day=MONDAY + dt.timedelta(days=1)))
    with pytest.raises(ValidationError, match="环节“上门服务”的办理时限按小时计，请填写开始的具体时间"):
        services.start_step(actor=county_admin, step=visit(service_chain), on=MONDAY)
    assert visit(service_chain).status == Step.Status.PENDING
    step = services.start_step(actor=county_admin, step=visit(service_chain), at=beijing(16))
    assert step.actual_start == MONDAY and step.due_at == beijing(17)


def test_a_close_before_the_start_moment_is_refused(service_chain, county_admin, now):
    now(beijing(9))
    step = services.start_step(actor=county_admin, step=visit(service_chain))
    now(beijing(11))
    with pytest.raises(ValidationError, match="办结时间不能早于开始时间（2025-03-03 09:00）"):
        services.complete_step(actor=county_admin, step=step, at=beijing(8, 30))


def test_an_hours_step_cannot_carry_a_minimum_period_in_days(guanxian, county_admin, now):
    now(beijing(8))
    with pytest.raises(ValidationError, match="时限按小时计的环节不设最短期限：1. 上门服务"):
        services.save_template(actor=county_admin, name="开工服务", region=guanxian, steps=[
            StepSpec(1, "上门服务", 2, "hours", min_period=1)])


def test_the_project_page_and_the_api_show_the_moments(service_chain, county_admin, now, client):
    now(beijing(9))
    step = services.start_step(actor=county_admin, step=visit(service_chain))
    now(beijing(9, 45))
    services.complete_step(actor=county_admin, step=step)
    client.force_login(county_admin)
    page = client.get(f"/projects/{service_chain.pk}/").content.decode()
    assert "1 小时" in page
    assert "03-03 09:00 – 03-03 09:45" in page and "用时 45 分钟" in page
    assert "2025-03-03 10:00" in page  # the deadline as a moment
    api = APIClient()
    api.force_authenticate(county_admin)
    row = next(s for s in api.get(f"/api/projects/{service_chain.pk}/").json()["steps"] if s["key"] == "visit")
    assert row["limit_unit"] == "hours" and row["cycle_minutes"] == 45
    assert dt.datetime.fromisoformat(row["due_at"]) == beijing(10)


def test_the_api_takes_the_moment_of_a_start_recorded_afterwards(service_chain, county_admin, now):
    now(beijing(14))
    api = APIClient()
    api.force_authenticate(county_admin)
    response = api.post(f"/api/projects/steps/{visit(service_chain).pk}/start/", {"at": "2025-03-03T13:20:00+08:00"},
                        format="json")
    assert response.status_code == 200, response.content
    step = visit(service_chain)
    assert step.started_at == beijing(13, 20) and step.due_at == beijing(14, 20)


def test_the_page_records_a_start_given_with_its_time(service_chain, county_admin, now, client):
    now(beijing(14))
    client.force_login(county_admin)
    page = client.get(f"/projects/{service_chain.pk}/").content.decode()
    assert 'type="datetime-local" name="at"' in page  # offered for the hours step only
    response = client.post(f"/projects/steps/{visit(service_chain).pk}/start/", {"at": "2025-03-03T13:20"})
    assert response.status_code == 302
    step = visit(service_chain)
    assert step.started_at == beijing(13, 20) and step.due_at == beijing(14, 20)
