"""The law's day counts on an enforcement case: the 陈述申辩/听证 window is 5 working days (行政处罚法 第85条), so it
runs across a public holiday; the 90-day decision deadline that ends on a holiday rolls to the next working day, a
rule per deadline kind that a setting turns off; 1 January 2027 counts as a working day until 2027 is entered; the
case page prints the table of kinds (unit, roll-over) and, from 1 December, names the missing next year."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from landguard.core import clock
from landguard.core.workdays import LimitUnit
from landguard.projects import services as project_services
from landguard.supervision import case_deadlines, cases, intake, verification
from landguard.supervision.models import Case, Clue

pytestmark = pytest.mark.django_db

CST = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST)


@pytest.fixture
def open_case(spot, county, county_admin):
    def make(filed: dt.datetime, number: str = "冠自然资立〔2026〕1号") -> Case:
        with clock.frozen(filed):
            clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：建房",
                                      county=county)
            verification.dispatch(actor=county_admin, clue=clue)
            return cases.open_case(actor=county_admin, clue=Clue.objects.get(pk=clue.pk), number=number, party="赵某")
    return make


def _to_notice(case: Case, actor, served: dt.datetime) -> Case:
    with clock.frozen(served):
        for to, values in ((Case.Status.INVESTIGATING, {}), (Case.Status.REVIEW, {}),
                           (Case.Status.NOTICE, {"review_opinion": "同意"})):
            case = cases.advance(actor=actor, case=case, to=to, **values)
    return case


def test_the_statement_window_is_five_working_days_across_national_day(open_case, county_admin):
    # Served Tue 29 Sep 2026: 30 Sep (1); 1–7 Oct rest; 8 (2), 9 (3), Sat 10 Oct worked (4), Mon 12 Oct (5).
    case = _to_notice(open_case(at(2026, 9, 1, 9)), county_admin, at(2026, 9, 29, 15))
    assert case_deadlines.window_end(case.notice_served_at) == at(2026, 10, 13, 0)
    with clock.frozen(at(2026, 10, 12, 17)), pytest.raises(ValidationError, match="5 个工作日.*2026-10-12"):
        cases.advance(actor=county_admin, case=case, to=Case.Status.DECIDED, fine_yuan="1000")
    with clock.frozen(at(2026, 10, 13, 9)):
        assert cases.advance(actor=county_admin, case=case, to=Case.Status.DECIDED, fine_yuan="1000").decided_at


def test_five_calendar_days_would_have_ended_inside_the_holiday():
    served = at(2026, 9, 29, 15)
    rule = case_deadlines.rules()[case_deadlines.STATEMENT]
    assert case_deadlines.due(replace(rule, unit=LimitUnit.CALENDAR, rolls_over=False),
                              served).date() == dt.date(2026, 10, 4)
    assert case_deadlines.due(rule, served).date() == dt.date(2026, 10, 13)  # the working-day rule: 12 Oct inclusive


def test_a_90_day_deadline_ending_on_national_day_rolls_to_the_next_working_day(open_case):
    case = open_case(at(2026, 7, 3, 10))  # + 90 days = Thu 1 Oct 2026, 国庆节
    assert case.due_at == at(2026, 10, 8, 10)  # the first working day after 1–7 October


@override_settings(SUPERVISION_CASE_DEADLINE_RULES={"decision": {"rolls_over": False}})
def test_the_roll_over_is_a_rule_of_the_deadline_kind_that_can_be_turned_off(open_case, client_for, county_admin):
    case = open_case(at(2026, 7, 3, 10))
    assert case.due_at == at(2026, 10, 1, 10)
    page = client_for(county_admin).get(f"/supervision/cases/{case.pk}/").content.decode()
    assert 'data-rule="decision" data-unit="calendar" data-rolls="0"' in page and "不顺延" in page


def test_a_pause_that_moves_the_deadline_onto_a_holiday_rolls_it_over(open_case, county_admin):
    case = open_case(at(2026, 6, 30, 10))  # + 90 days = Mon 28 Sep, a working day
    assert case.due_at == at(2026, 9, 28, 10)
    with clock.frozen(at(2026, 7, 10, 10)):
        cases.pause(actor=county_admin, case=case, kind="appraisal", reason="鉴定")
    with clock.frozen(at(2026, 7, 13, 10)):
        cases.resume(actor=county_admin, case=case)  # 3 days excluded: 1 Oct, a holiday
    case.refresh_from_db()
    assert case.due_at == at(2026, 10, 8, 10)


def test_new_year_2027_is_a_working_day_until_2027_is_entered(open_case, county_admin):
    first = open_case(at(2026, 10, 3, 1), "冠自然资立〔2026〕2号")  # + 90 days = Fri 1 Jan 2027
    assert first.due_at == at(2027, 1, 1, 1)  # 2027 unknown: a Friday like any other
    project_services.enter_year(actor=None, year=2027, source_title="测试用通知", source_date=dt.date(2026, 11, 10),
                                days=[(dt.date(2027, 1, 1), "holiday", "元旦")])
    second = open_case(at(2026, 10, 3, 10), "冠自然资立〔2026〕3号")  # past the fusion window: a clue of its own
    assert second.due_at == at(2027, 1, 4, 10)  # the holiday, then the weekend


def test_the_case_page_prints_the_rules_and_warns_that_2027_is_missing(open_case, client_for, county_admin):
    case = _to_notice(open_case(at(2026, 9, 1, 9)), county_admin, at(2026, 9, 29, 15))
    client = client_for(county_admin)
    with clock.frozen(at(2026, 12, 6, 10)):
        page = client.get(f"/supervision/cases/{case.pk}/").content.decode()
    assert 'data-rule="decision" data-unit="calendar" data-rolls="1"' in page
    assert 'data-rule="statement" data-unit="working"' in page and 'data-rule="hearing_request"' in page
    assert "行政处罚法 第85条" in page and "顺延至其后第一个工作日" in page
    assert '<span id="case-window-end">2026-10-12</span>' in page
    assert 'id="calendar-warning"' in page and "2027" in page
    project_services.enter_year(actor=None, year=2027, source_title="测试用通知", source_date=dt.date(2026, 11, 10),
                                days=[(dt.date(2027, 1, 1), "holiday", "元旦")])
    with clock.frozen(at(2026, 12, 6, 10)):
        assert 'id="calendar-warning"' not in client.get(f"/supervision/cases/{case.pk}/").content.decode()
