"""Procedure steps: parallel branches, dependencies, 容缺 items that block closing, cycle time and ahead / on
time / late, the history kept, and the status a project shows as the clock passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.projects import selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import CalendarDay, DeferredItem, Project, Step

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def project(at, qingquan, county_admin):
    at(D(2025, 3, 3))  # a Monday, no holiday near
    return services.create_project(actor=county_admin, name="测试项目", level=Project.Level.COUNTY, region=qingquan,
                                   start_on=D(2025, 3, 3))


def step(project: Project, order: int) -> Step:
    return project.steps.get(order=order)


def test_the_default_chain_is_planned_with_its_parallel_branches(project):
    steps = {s.order: s for s in project.steps.all()}
    assert [s.name for s in project.steps.order_by("order")][:3] == ["用地预审与选址意见书", "规划条件",
                                                                     "农转用/征收组卷报批"]
    # 预审 and 规划条件 have no predecessor: both planned from the first day.
    assert steps[1].planned_start == steps[2].planned_start == D(2025, 3, 3)
    assert steps[1].planned_finish == D(2025, 3, 31)  # 20 working days
    assert steps[2].planned_finish == D(2025, 3, 17)  # 10 working days
    # 组卷报批 follows 预审; 供地方案 waits for both branches.
    assert steps[3].planned_start == steps[1].planned_finish
    assert steps[4].planned_start == max(steps[2].planned_finish, steps[3].planned_finish)
    # Pending steps are due at their planned finish.
    assert all(s.due_on == s.planned_finish for s in steps.values())


def test_two_steps_run_in_parallel(project, county_admin):
    services.start_step(actor=county_admin, step=step(project, 1))
    services.start_step(actor=county_admin, step=step(project, 2))
    assert set(project.steps.filter(status=Step.Status.IN_PROGRESS).values_list("order", flat=True)) == {1, 2}


def test_a_step_waits_for_its_predecessors(project, county_admin):
    with pytest.raises(ValidationError, match="前置环节尚未办结：用地预审与选址意见书"):
        services.start_step(actor=county_admin, step=step(project, 3))


def test_an_open_deferred_item_blocks_closing_until_cleared(project, county_admin, at):
    first = services.start_step(actor=county_admin, step=step(project, 1))
    item = services.add_deferred_item(actor=county_admin, step=first, material="土地权属证明",
                                      promised_on=D(2025, 3, 10),
                                      owner="建设单位")
    with pytest.raises(ValidationError, match="尚有 1 项容缺材料未补齐（土地权属证明）"):
        services.complete_step(actor=county_admin, step=first)
    at(D(2025, 3, 7))
    services.clear_deferred_item(actor=county_admin, item=item)
    assert DeferredItem.objects.get(pk=item.pk).cleared_on == D(2025, 3, 7)
    done = services.complete_step(actor=county_admin, step=first)
    assert done.status == Step.Status.DONE


def test_a_deferred_item_cannot_be_promised_in_the_past_nor_added_to_a_closed_step(project, county_admin):
    first = services.start_step(actor=county_admin, step=step(project, 1))
    with pytest.raises(ValidationError):
        services.add_deferred_item(actor=county_admin, step=first, material="x", promised_on=D(2025, 3, 2), owner="y")
    services.complete_step(actor=county_admin, step=first)
    with pytest.raises(ValidationError, match="已办结"):
        services.add_deferred_item(actor=county_admin, step=first, material="x", promised_on=D(2025, 3, 5), owner="y")


def test_started_steps_are_due_at_their_limit_from_the_actual_start(project, county_admin, at):
    at(D(2025, 9, 26))
    started = services.start_step(actor=county_admin, step=step(project, 2))  # 10 working days over the national day
    # 28 Sep (Sunday, adjusted), 29, 30 Sep; 9, 10, 11 (Saturday, adjusted), 13, 14, 15, 16 Oct.
    assert started.due_on == D(2025, 10, 16)


@pytest.mark.parametrize(("finish", "timeliness"), [(D(2025, 3, 14), "ahead"), (D(2025, 3, 17), "on_time"),
                                                      (D(2025, 3, 18), "late")])
def test_closing_records_cycle_time_and_timeliness(project, county_admin, at, finish, timeliness):
    services.start_step(actor=county_admin, step=step(project, 2))  # due 2025-03-17
    at(finish)
    done = services.complete_step(actor=county_admin, step=step(project, 2))
    assert done.timeliness == timeliness
    assert done.cycle_calendar_days == (finish - D(2025, 3, 3)).days
    assert done.cycle_working_days == {"ahead": 9, "on_time": 10, "late": 11}[timeliness]


def test_business_dates_cannot_be_in_the_future_nor_before_the_start(project, county_admin):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.start_step(actor=county_admin, step=step(project, 1), on=D(2025, 3, 4))
    services.start_step(actor=county_admin, step=step(project, 1), on=D(2025, 3, 3))
    with pytest.raises(ValidationError, match="不能早于"):
        services.complete_step(actor=county_admin, step=step(project, 1), on=D(2025, 3, 2))


def test_every_status_change_is_kept_in_history_and_audit(project, county_admin):
    first = services.start_step(actor=county_admin, step=step(project, 1))
    services.complete_step(actor=county_admin, step=first)
    services.reopen_step(actor=county_admin, step=first, note="批复文号有误")
    changes = list(first.history.values_list("from_status", "to_status", "note"))
    assert changes == [("pending", "in_progress", ""), ("in_progress", "done", ""),
                       ("done", "in_progress", "批复文号有误")]
    assert AuditEntry.objects.filter(target_type="projects.step", target_id=str(first.pk), action="state").count() == 3
    with pytest.raises(ValidationError):
        services.reopen_step(actor=county_admin, step=first, note=" ")


def test_the_last_step_closes_the_project_and_reopening_it_reopens_the_project(project, county_admin):
    for s in project.steps.order_by("order"):
        services.start_step(actor=county_admin, step=s)
        services.complete_step(actor=county_admin, step=s)
    project.refresh_from_db()
    assert project.status == Project.Status.DONE
    services.reopen_step(actor=county_admin, step=step(project, 8), note="补正")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


def test_the_project_turns_due_soon_then_overdue_as_the_clock_passes(project, county_admin, at):
    services.start_step(actor=county_admin, step=step(project, 1))
    services.start_step(actor=county_admin, step=step(project, 2))  # due 2025-03-17

    def health() -> str:
        loaded = selectors.with_steps(Project.objects.filter(pk=project.pk)).get()
        return selectors.project_health(loaded, clock.today(), work_calendar())

    assert health() == "on_track"
    at(D(2025, 3, 12))  # 3 working days before the 17th
    assert health() == "due_soon"
    at(D(2025, 3, 18))
    assert health() == "overdue"


def test_changing_the_calendar_moves_open_deadlines(project, county_admin, at):
    superuser = type(county_admin).objects.create_superuser("root", password="x")
    started = services.start_step(actor=county_admin, step=step(project, 2))
    assert started.due_on == D(2025, 3, 17)
    with pytest.raises(PermissionDenied):
        services.save_calendar_day(actor=county_admin, date=D(2025, 3, 10), kind="holiday", name="x")
    services.save_calendar_day(actor=superuser, date=D(2025, 3, 10), kind=CalendarDay.Kind.HOLIDAY, name="本地假日")
    assert Step.objects.get(pk=started.pk).due_on == D(2025, 3, 18)
    day = CalendarDay.objects.get(date=D(2025, 3, 10))
    services.delete_calendar_day(actor=superuser, day=day)
    assert Step.objects.get(pk=started.pk).due_on == D(2025, 3, 17)


def test_editing_a_step_replans_it(project, county_admin):
    edited = services.update_step(actor=county_admin, step=step(project, 2), limit_days=5, responsible_unit="规划股")
    assert edited.planned_finish == D(2025, 3, 10) and edited.due_on == D(2025, 3, 10)
    with pytest.raises(ValidationError):
        services.update_step(actor=county_admin, step=step(project, 2), planned_finish=D(2025, 3, 1))


def test_only_writers_inside_the_project_scope_act_on_steps(project, other_county_user, township_officer, county_admin):
    with pytest.raises(PermissionDenied):
        services.start_step(actor=other_county_user, step=step(project, 1))
    services.start_step(actor=township_officer, step=step(project, 1))  # 清泉街道 staff, project in 清泉街道
    viewer = type(county_admin).objects.filter(role="viewer").first()
    if viewer is not None:
        with pytest.raises(PermissionDenied):
            services.start_step(actor=viewer, step=step(project, 2))


def test_the_step_transition_table_allows_each_action_from_its_states_only():
    # Walk every (action, current status) pair: exactly these are legal; reopen only from a closed step (已办结 back
    # to 办理中, 不适用 back to 未开始), 提前办结 is its own action, 不适用 only before the start.
    from landguard.projects import workflow

    legal = {(action, current): workflow.step_target(action, current)
             for action in workflow.STEP_TRANSITIONS for current in Step.Status.values
             if workflow.step_target(action, current) is not None}
    assert legal == {
        ("start", Step.Status.PENDING): Step.Status.IN_PROGRESS,
        ("complete", Step.Status.IN_PROGRESS): Step.Status.DONE,
        ("complete_early", Step.Status.IN_PROGRESS): Step.Status.DONE,
        ("skip", Step.Status.PENDING): Step.Status.SKIPPED,
        ("reopen", Step.Status.DONE): Step.Status.IN_PROGRESS,
        ("reopen", Step.Status.SKIPPED): Step.Status.PENDING,
    }


def test_a_step_never_started_or_still_in_progress_cannot_be_reopened(project, county_admin):
    # Reopening a 未开始 step used to move it to 办理中 without the predecessor check nor an actual start, and
    # completing it then crashed counting working days from None.
    later = step(project, 3)  # waits for 用地预审与选址意见书
    with pytest.raises(ValidationError, match="当前为未开始，不能重新办理"):
        services.reopen_step(actor=county_admin, step=later, note="误点")
    later.refresh_from_db()
    assert later.status == Step.Status.PENDING and not later.history.exists()
    first = services.start_step(actor=county_admin, step=step(project, 1))
    with pytest.raises(ValidationError, match="当前为办理中，不能重新办理"):
        services.reopen_step(actor=county_admin, step=first, note="误点")
    with pytest.raises(ValidationError, match="当前为办理中，不能开始办理"):
        services.start_step(actor=county_admin, step=first)
