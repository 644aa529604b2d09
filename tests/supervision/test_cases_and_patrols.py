"""Enforcement cases along the explicit transition table (notice window, 90-day clock, decision figures,
append-only history, statistics) and 巡田 with its monthly counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import User
from landguard.supervision import cases, intake, patrols, stats, verification
from landguard.supervision.models import Case, CaseEvent, Clue

pytestmark = pytest.mark.django_db


@pytest.fixture
def valid_clue(spot, county, county_admin):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：建房", county=county)
    verification.dispatch(actor=county_admin, clue=clue)
    return Clue.objects.get(pk=clue.pk)


def test_a_case_walks_the_table_with_its_rules(valid_clue, county_admin):
    start = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.timezone.utc)
    with clock.frozen(start):
        case = cases.open_case(actor=county_admin, clue=valid_clue, number="冠自然资立〔2025〕1号", party="张某",
                               illegal_area_m2=800)
    assert case.due_at == start + dt.timedelta(days=90)
    with pytest.raises(ValidationError):
        cases.advance(actor=county_admin, case=case, to=Case.Status.DECIDED)  # skipping steps
    with clock.frozen(start + dt.timedelta(days=5)):
        cases.advance(actor=county_admin, case=case, to=Case.Status.INVESTIGATING)
        cases.advance(actor=county_admin, case=case, to=Case.Status.REVIEW)
        with pytest.raises(ValidationError):
            cases.advance(actor=county_admin, case=case, to=Case.Status.NOTICE)  # no 法制审核 opinion
        cases.advance(actor=county_admin, case=case, to=Case.Status.NOTICE, review_opinion="事实清楚，同意")
    # Served Thu 6 March: 5 working days (行政处罚法 第85条) are 7, 10, 11, 12 and 13 March.
    with clock.frozen(start + dt.timedelta(days=11)), pytest.raises(ValidationError, match="2025-03-13"):
        cases.advance(actor=county_admin, case=case, to=Case.Status.DECIDED)  # inside the 5-working-day window
    with clock.frozen(start + dt.timedelta(days=13)):
        cases.advance(actor=county_admin, case=case, to=Case.Status.DECIDED, confiscated_m2=120, demolished_m2=300,
                      fine_yuan="16000")
        with pytest.raises(ValidationError):
            cases.advance(actor=county_admin, case=case, to=Case.Status.EXECUTING)  # the decision is not served yet
        cases.advance(actor=county_admin, case=case, to=Case.Status.SERVED)
        cases.advance(actor=county_admin, case=case, to=Case.Status.EXECUTING)
        cases.advance(actor=county_admin, case=case, to=Case.Status.CLOSED, restored_m2=800, referrals=1,
                      referral_note="村干部")
    case.refresh_from_db()
    assert (case.status, case.confiscated_m2, case.demolished_m2, str(case.fine_yuan), case.restored_m2) == ("closed",
        120, 300, "16000.00", 800)
    assert case.served_at == start + dt.timedelta(days=13)
    assert list(CaseEvent.objects.filter(case=case).values_list("to_status", flat=True)) == [
        "filed", "investigating", "review", "notice", "decided", "served", "executing", "closed"]
    s = stats.case_stats(scope_for(county_admin), year=2025)
    assert s.filed >= 1 and s.closed >= 1 and s.fine_yuan >= 16000 and s.restored_m2 >= 800


def test_a_clue_not_judged_valid_cannot_be_filed(spot, county, county_admin):
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报", county=county)
    with pytest.raises(ValidationError):
        cases.open_case(actor=county_admin, clue=clue, number="X1", party="李某")


def test_a_groundless_case_closes_from_review_with_a_reason(valid_clue, county_admin):
    case = cases.open_case(actor=county_admin, clue=valid_clue, number="X2", party="王某")
    cases.advance(actor=county_admin, case=case, to=Case.Status.INVESTIGATING)
    cases.advance(actor=county_admin, case=case, to=Case.Status.REVIEW)
    with pytest.raises(ValidationError):
        cases.advance(actor=county_admin, case=case, to=Case.Status.CLOSED)
    cases.advance(actor=county_admin, case=case, to=Case.Status.CLOSED, note="事实不成立，不予处罚")


def test_a_patrol_records_its_track_and_a_finding_becomes_a_clue(spot, village):
    chief = User.objects.get(username=f"chief_{village.code}")
    patrol = patrols.start(actor=chief, lon=spot[0], lat=spot[1])
    assert patrol.field_chief.level == 3 and patrol.region_code == village.code
    now = clock.now().isoformat()
    patrol = patrols.add_points(actor=chief, patrol=patrol,
                                points=[[spot[0] + 0.001, spot[1], now], [spot[0] + 0.002, spot[1], now]])
    assert 150 < patrol.distance_m < 250
    with pytest.raises(ValidationError):
        patrols.add_points(actor=chief, patrol=patrol, points=[["x", 1, now]])
    patrol = patrols.finish(actor=chief, patrol=patrol, findings="田里有人堆土", finding_at=spot)
    assert patrol.clue.kind == "patrol" and patrol.clue.region_code == village.code
    with pytest.raises(ValidationError):
        patrols.add_points(actor=chief, patrol=patrol, points=[])


def test_monthly_patrol_counts_against_the_required_frequency(spot, village, township_officer):
    chief = User.objects.get(username=f"chief_{village.code}")
    june = [dt.datetime(2025, 6, d, 2, 0, tzinfo=dt.timezone.utc) for d in (2, 3, 10, 17)]
    for at in june:
        with clock.frozen(at):
            patrols.start(actor=chief, lon=spot[0], lat=spot[1])
            patrols.start(actor=township_officer, lon=spot[0], lat=spot[1])
    with clock.frozen(dt.datetime(2025, 6, 30, 4, 0, tzinfo=dt.timezone.utc)):
        offices, chiefs = stats.patrol_compliance(scope_for(township_officer), year=2025, month=6)
    (office,) = offices
    assert office.count == 4 and office.required == 8 and not office.ok
    mine = next(r for r in chiefs if r.label == str(chief))
    # 1 June 2025 is a Sunday: 6 ISO weeks
    assert mine.count == 4 and mine.weeks == 3 and mine.required == 6 and not mine.ok
    assert timezone.is_aware(june[0])
