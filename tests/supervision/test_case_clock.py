"""The 90-day case clock with its excluded periods (鉴定, 听证, 公告, 邮递): paused and resumed with a reason,
the deadline moved by the paused time, no overdue while paused, history and audit rows; 送达 between 决定
and 执行, and the migration's way back; the buttons and the clock on the case page."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.supervision import cases, intake, stats, verification
from landguard.supervision.models import Case, CaseEvent, CasePause, Clue

pytestmark = pytest.mark.django_db

START = dt.datetime(2021, 3, 4, 1, 0, tzinfo=dt.timezone.utc)  # a Thursday of a year with no demo case: the
# late count is ours, and the deadlines below (+90, +97.5, +130 days) fall on working days, so none rolls over
DAY = dt.timedelta(days=1)


@pytest.fixture
def case(spot, county, county_admin) -> Case:
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：建房", county=county)
    verification.dispatch(actor=county_admin, clue=clue)
    with clock.frozen(START):
        return cases.open_case(actor=county_admin, clue=Clue.objects.get(pk=clue.pk), number="冠自然资立〔2025〕9号",
                               party="赵某")


def _clock(case: Case) -> cases.CaseClock:
    case.refresh_from_db()  # the services lock and save their own copy
    return cases.clock_of(case)


def _late(actor) -> int:
    return stats.case_stats(scope_for(actor), year=START.year).late


def test_a_pause_moves_the_deadline_by_the_paused_time(case, county_admin):
    with clock.frozen(START + 10 * DAY):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.APPRAISAL, reason="委托测绘机构鉴定占地面积")
    with clock.frozen(START + 17 * DAY + dt.timedelta(hours=12)):
        period = cases.resume(actor=county_admin, case=case, note="鉴定报告已出具")
    case.refresh_from_db()
    assert case.due_at == START + 90 * DAY + 7.5 * DAY and case.paused_at is None
    assert (period.kind, period.reason, period.end_note, period.ended_by) == ("appraisal", "委托测绘机构鉴定占地面积",
        "鉴定报告已出具", county_admin)
    with clock.frozen(START + 30 * DAY):
        c = _clock(case)
    assert (c.used_days, c.left_days, c.paused_days, c.overdue) == (22, 67, 7.5, False)


def test_every_pause_and_resumption_is_history_and_audited(case, county_admin):
    with clock.frozen(START + DAY):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.POSTAL, reason="告知书邮寄送达")
    with clock.frozen(START + 4 * DAY):
        cases.resume(actor=county_admin, case=case)
    events = list(CaseEvent.objects.filter(case=case).values_list("action", "from_status", "to_status"))
    assert events == [("transition", "", "filed"), ("pause", "filed", "filed"), ("resume", "filed", "filed")]
    assert "邮递：告知书邮寄送达" in CaseEvent.objects.get(case=case, action="pause").note
    assert "顺延 3.0 日" in CaseEvent.objects.get(case=case, action="resume").note
    changed = AuditEntry.objects.filter(target_type="supervision.case", target_id=str(case.pk),
                                        action="update").values_list("changes", flat=True)
    assert any("due_at" in c for c in changed) and sum("paused_at" in c for c in changed) == 2


def test_a_paused_case_is_not_overdue_while_paused(case, county_admin):
    with clock.frozen(START + 80 * DAY):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.HEARING, reason="当事人申请听证")
    with clock.frozen(START + 120 * DAY):  # a month past the original deadline, still paused
        c = _clock(case)
        assert not c.overdue and c.left_days == 10 and c.used_days == 80 and c.paused_since == START + 80 * DAY
        assert _late(county_admin) == 0
        cases.resume(actor=county_admin, case=case)
    with clock.frozen(START + 129 * DAY):
        assert not _clock(case).overdue
    with clock.frozen(START + 131 * DAY):
        assert _clock(case).overdue and _late(county_admin) == 1


def test_a_case_paused_after_its_deadline_stays_overdue(case, county_admin):
    with clock.frozen(START + 95 * DAY):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.PUBLIC_NOTICE, reason="当事人下落不明，公告送达")
    with clock.frozen(START + 100 * DAY):
        assert _clock(case).overdue and _late(county_admin) == 1


def test_a_pause_needs_a_kind_and_a_reason_and_only_one_runs(case, county_admin):
    with pytest.raises(ValidationError):
        cases.pause(actor=county_admin, case=case, kind="holiday", reason="春节")
    with pytest.raises(ValidationError):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.APPRAISAL, reason="  ")
    with pytest.raises(ValidationError):
        cases.resume(actor=county_admin, case=case)  # not paused
    cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.APPRAISAL, reason="鉴定")
    with pytest.raises(ValidationError):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.POSTAL, reason="邮递")
    assert CasePause.objects.filter(case=case).count() == 1


def test_no_step_is_taken_while_paused(case, county_admin):
    cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.APPRAISAL, reason="鉴定")
    with pytest.raises(ValidationError, match="恢复计时"):
        cases.advance(actor=county_admin, case=case, to=Case.Status.INVESTIGATING)
    cases.resume(actor=county_admin, case=case)
    assert cases.advance(actor=county_admin, case=case, to=Case.Status.INVESTIGATING).status == "investigating"


def test_the_clock_stops_at_the_decision(case, county_admin):
    _walk_to(case, county_admin, Case.Status.DECIDED)
    with pytest.raises(ValidationError):
        cases.pause(actor=county_admin, case=case, kind=CasePause.Kind.POSTAL, reason="决定书邮寄")
    with clock.frozen(START + 200 * DAY):
        c = _clock(case)
    assert c.stopped and not c.overdue and c.used_days == 11


def test_only_staff_who_handle_cases_pause_them(case, other_county_user):
    with pytest.raises(PermissionDenied):
        cases.pause(actor=other_county_user, case=case, kind=CasePause.Kind.APPRAISAL, reason="鉴定")


def _walk_to(case: Case, actor, target: str) -> None:
    steps = [(Case.Status.INVESTIGATING, {}), (Case.Status.REVIEW, {}),
             (Case.Status.NOTICE, {"review_opinion": "同意"}),
             (Case.Status.DECIDED, {"fine_yuan": "1000"}), (Case.Status.SERVED, {})]
    for to, values in steps:
        with clock.frozen(START + (11 if to in (Case.Status.DECIDED, Case.Status.SERVED) else 1) * DAY):
            cases.advance(actor=actor, case=case, to=to, **values)
        if to == target:
            return


def test_served_sits_between_decided_and_executing(case, county_admin):
    _walk_to(case, county_admin, Case.Status.DECIDED)
    with pytest.raises(ValidationError):
        cases.advance(actor=county_admin, case=case, to=Case.Status.EXECUTING)
    with clock.frozen(START + 12 * DAY):
        case = cases.advance(actor=county_admin, case=case, to=Case.Status.SERVED, note="直接送达，当事人签收")
    assert case.served_at == START + 12 * DAY
    assert cases.advance(actor=county_admin, case=case, to=Case.Status.EXECUTING).status == "executing"


def test_the_migration_back_returns_served_cases_to_decided(case, county_admin):
    _walk_to(case, county_admin, Case.Status.SERVED)
    migration = importlib.import_module("landguard.supervision.migrations.0003_case_clock_and_patch_fusion")
    migration.served_back_to_decided(apps, None)
    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED  # the old table's step before 执行: the case is still valid there


def test_the_case_page_shows_the_clock_and_pauses_and_resumes_it(case, client_for, county_admin):
    client = client_for(county_admin)
    url = f"/supervision/cases/{case.pk}/"
    page = client.get(url).content.decode()
    assert 'id="case-clock" data-paused="0"' in page and "已用" in page and 'id="case-pause"' in page
    response = client.post(f"{url}pause/", {"kind": "appraisal", "reason": "委托鉴定"})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert ('data-paused="1"' in page and "计时已中止（鉴定" in page and 'id="case-resume"' in page
            and 'id="case-step"' not in page)
    client.post(f"{url}resume/", {"note": "鉴定完成"})
    case.refresh_from_db()
    assert case.paused_at is None and case.pauses.get().end_note == "鉴定完成"
    client.post(f"{url}pause/", {"kind": "appraisal", "reason": ""})  # refused: no reason, nothing stored
    assert case.pauses.count() == 1
