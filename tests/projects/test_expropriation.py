"""The built-in 土地征收 procedure: seeded as a national template whose steps carry stable keys, run in the
legal order with the survey and the risk assessment in parallel, with the law's minimum periods (预公告 ≥ 10
working days, 补偿安置方案公告 ≥ 30 days), a conditional 听证 marked 不适用 with an audited reason, and the
征收土地公告 due 15 working days after the approval closes, across the national holiday. Other apps close its
steps by key (`complete_step_by_key`); a province's copy (浙江: 公告 ≥ 10 working days) has its own values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from landguard.audit.models import AuditEntry
from landguard.projects import expropriation as ex
from landguard.projects import services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Project, Step
from landguard.regions.models import Level, Region

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def project(at, qingquan, county_admin):
    at(D(2025, 10, 31))
    return services.create_project(actor=county_admin, name="征收项目", level=Project.Level.COUNTY, region=qingquan,
                                   template=services.expropriation_template(qingquan), start_on=D(2025, 6, 2))


def key(project: Project, name: str) -> Step:
    return project.steps.get(key=name)


def run(actor, step: Step, start: dt.date, finish: dt.date | None = None) -> Step:
    step = services.start_step(actor=actor, step=step, on=start)
    return services.complete_step(actor=actor, step=step, on=finish) if finish else step


def through_plan_notice(project: Project, actor) -> dt.date:
    """Run 预公告, the survey, the assessment and the plan notice, each closed on its earliest day; returns that
    last day."""
    calendar = work_calendar()
    pre = run(actor, key(project, ex.PRE_NOTICE), D(2025, 6, 3))
    pre = services.complete_step(actor=actor, step=pre, on=services.earliest_finish(pre, calendar))
    run(actor, key(project, ex.SURVEY), pre.actual_finish, D(2025, 6, 20))
    run(actor, key(project, ex.RISK_ASSESSMENT), pre.actual_finish, D(2025, 6, 20))
    notice = run(actor, key(project, ex.PLAN_NOTICE), D(2025, 6, 20))
    last = services.earliest_finish(notice, calendar)
    services.complete_step(actor=actor, step=notice, on=last)
    return last


def test_the_template_instantiates_in_order_with_parallel_branches_and_periods(project):
    steps = list(project.steps.order_by("order").prefetch_related("depends_on"))
    assert [s.key for s in steps] == [ex.PRE_NOTICE, ex.SURVEY, ex.RISK_ASSESSMENT, ex.PLAN_NOTICE, ex.HEARING,
                                      ex.REGISTRATION, ex.AGREEMENT, ex.APPLICATION, ex.APPROVAL,
                                      ex.EXPROPRIATION_NOTICE]
    by = {s.key: s for s in steps}
    deps = {s.key: sorted(d.key for d in s.depends_on.all()) for s in steps}
    assert deps[ex.SURVEY] == deps[ex.RISK_ASSESSMENT] == [ex.PRE_NOTICE]
    assert deps[ex.PLAN_NOTICE] == [ex.RISK_ASSESSMENT, ex.SURVEY]
    assert deps[ex.HEARING] == [ex.PLAN_NOTICE] and deps[ex.EXPROPRIATION_NOTICE] == [ex.APPROVAL]
    assert by[ex.SURVEY].planned_start == by[ex.RISK_ASSESSMENT].planned_start == by[ex.PRE_NOTICE].planned_finish
    assert (by[ex.PRE_NOTICE].min_period, by[ex.PRE_NOTICE].min_period_unit) == (10, "working")
    assert (by[ex.PLAN_NOTICE].min_period, by[ex.PLAN_NOTICE].min_period_unit) == (30, "calendar")
    assert by[ex.HEARING].applies_when.startswith("过半数被征地的农村集体经济组织成员")
    assert (by[ex.EXPROPRIATION_NOTICE].limit_days, by[ex.EXPROPRIATION_NOTICE].limit_unit,
            by[ex.EXPROPRIATION_NOTICE].limit_from, by[ex.EXPROPRIATION_NOTICE].min_period) == (15, "working",
                                                                                              "predecessors", 0)
    assert [s.key for s in steps if s.counts_for_targets] == [ex.APPROVAL]


def test_the_hearing_is_skipped_with_an_audited_reason_and_can_be_reopened(project, county_admin):
    hearing = key(project, ex.HEARING)
    with pytest.raises(ValidationError, match="前置环节尚未办结：征地补偿安置方案公告"):
        services.skip_step(actor=county_admin, step=hearing, note="无异议")
    last = through_plan_notice(project, county_admin)
    assert last == D(2025, 7, 20)  # 30 days after 20 June, a Sunday: a minimum is not moved to a working day
    with pytest.raises(ValidationError, match="请说明不适用的理由"):
        services.skip_step(actor=county_admin, step=hearing, note="")
    with pytest.raises(ValidationError, match="不是视情况办理的环节"):
        services.skip_step(actor=county_admin, step=key(project, ex.REGISTRATION), note="x")
    reason = "公告期满，异议成员 12 人，未过半数（共 80 人），不举行听证"
    skipped = services.skip_step(actor=county_admin, step=hearing, note=reason, on=D(2025, 7, 21))
    assert skipped.status == Step.Status.SKIPPED and skipped.actual_finish == D(2025, 7, 21)
    assert list(skipped.history.values_list("from_status", "to_status", "note")) == [("pending", "skipped", reason)]
    entry = AuditEntry.objects.filter(target_type="projects.step", target_id=str(hearing.pk), action="state").get()
    assert entry.actor == county_admin and entry.note == reason and "skipped" in entry.changes["status"][1]
    # Its successor may start; undoing the mark puts the hearing back to waiting.
    services.start_step(actor=county_admin, step=key(project, ex.REGISTRATION), on=D(2025, 7, 21))
    reopened = services.reopen_step(actor=county_admin, step=hearing, note="补充收到异议，过半数")
    assert reopened.status == Step.Status.PENDING and reopened.actual_finish is None


def test_the_notice_is_due_15_working_days_after_the_approval_across_the_national_day(project, county_admin):
    through_plan_notice(project, county_admin)
    services.skip_step(actor=county_admin, step=key(project, ex.HEARING), note="无过半数异议", on=D(2025, 7, 21))
    run(county_admin, key(project, ex.REGISTRATION), D(2025, 7, 21), D(2025, 7, 25))
    run(county_admin, key(project, ex.AGREEMENT), D(2025, 7, 25), D(2025, 8, 1))
    # The approvals app closes 组卷报批 and 批准 by key; a waiting step is started the same day.
    application = services.complete_step_by_key(actor=county_admin, project=project, key=ex.APPLICATION,
                                                when=D(2025, 8, 15), note="报省政府")
    assert (application.status, application.actual_start, application.actual_finish) == ("done", D(2025, 8, 15),
                                                                                        D(2025, 8, 15))
    services.start_step(actor=county_admin, step=key(project, ex.APPROVAL), on=D(2025, 8, 15))
    # 17:00 UTC on 25 September is 01:00 on the 26th in Shanghai.
    when = dt.datetime(2025, 9, 25, 17, tzinfo=dt.UTC)
    approval = services.complete_step_by_key(actor=county_admin, project=project, key=ex.APPROVAL, when=when,
                                             note="浙政土〔2025〕1号（示例）")
    assert approval.actual_finish == D(2025, 9, 26)
    again = services.complete_step_by_key(actor=county_admin, project=project, key=ex.APPROVAL, when=D(2025, 9, 30))
    assert again.actual_finish == D(2025, 9, 26) and again.history.count() == 2  # a repeat changes nothing
    # Fri 26 Sep + 15 working days: 28 (adjusted Sunday), 29, 30 Sep; 1–8 Oct rest; 9, 10, 11 (adjusted
    # Saturday), 13–17, 20–23 Oct.
    notice = key(project, ex.EXPROPRIATION_NOTICE)
    assert notice.status == Step.Status.PENDING and notice.due_on == D(2025, 10, 23)
    started = services.start_step(actor=county_admin, step=notice, on=D(2025, 10, 20))
    assert started.due_on == D(2025, 10, 23)  # counted from the approval, not from the late start
    with pytest.raises(ValidationError, match="没有标识为“nothing”的环节"):
        services.complete_step_by_key(actor=county_admin, project=project, key="nothing")


def test_a_province_copy_has_its_own_values_and_is_found_for_its_regions(county_admin, guanxian):
    zhejiang = Region.objects.create(code="330000", name="浙江省", level=Level.PROVINCE)
    hangzhou = Region.objects.create(code="330100", name="杭州市", level=Level.CITY, parent=zhejiang)
    national = services.expropriation_template()
    copy = services.install_expropriation_template(actor=None, region=zhejiang)
    assert copy.name == "土地征收流程（浙江省）" and copy.key == ex.TEMPLATE_KEY and copy.region_code == "330000"
    notice = copy.steps.get(key=ex.EXPROPRIATION_NOTICE)
    assert (notice.min_period, notice.min_period_unit, notice.limit_days) == (10, "working", 25)
    assert national.steps.get(key=ex.EXPROPRIATION_NOTICE).min_period == 0
    assert services.expropriation_template(hangzhou) == copy
    assert services.expropriation_template(guanxian) == national
    assert AuditEntry.objects.filter(target_type="projects.proceduretemplate", target_id=str(copy.pk)).exists()
