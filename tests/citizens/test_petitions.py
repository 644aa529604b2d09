"""信访 cases under 信访工作条例 2022: each stage with its own clock (受理告知 15 日, 办理 60 日 + one approved
extension of ≤ 30 日, 复查/复核 requested within 30 日 and decided within 30 日, 复核's 听证 days not counted); a case
past its 办理 day without an extension flagged; 复核 closing the case and a repeat on the same facts recorded 不予受理;
the leaders' 积案 board reproducing 临海's figures (40 screened, 13 积案 each with a 包案 leader, 3 息访 signed, 1
事实息访) as a query over seeded cases that also holds cases outside the period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from citizens.helpers import make_id
from landguard.citizens import petitions, selectors
from landguard.citizens.models import Matter, Petition
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def township():
    return Region.objects.get(code="371525001", retired_in__isnull=True)


def _new(actor, township, no, **more):
    values = {"actor": actor, "region": township, "petition_no": no, "pclass": Petition.PClass.CLAIM,
              "summary": f"征地补偿标准异议 {no}", "received_on": DAY} | more
    return petitions.register_petition(**values)


def _at(day: dt.date):
    return clock.frozen(dt.datetime.combine(day, dt.time(10)))


def test_each_stage_runs_on_its_own_clock_through_review_and_recheck_to_the_end(county_admin, township):
    with _at(DAY):
        matter = _new(county_admin, township, "XF-2026-001")
    assert matter.petition.due_on == DAY + dt.timedelta(days=15)  # 受理告知
    with _at(DAY + dt.timedelta(days=3)):
        petitions.accept(actor=county_admin, matter=matter)
    matter.refresh_from_db()
    assert matter.petition.stage == Petition.Stage.HANDLING
    assert matter.petition.due_on == DAY + dt.timedelta(days=63)  # 60 日 from acceptance
    with _at(DAY + dt.timedelta(days=40)):
        petitions.extend(actor=county_admin, matter=matter, reason="需补充测绘", approved_by="王局长")
        with pytest.raises(ValidationError, match="一次"):
            petitions.extend(actor=county_admin, matter=matter, reason="再延", approved_by="王局长")
    matter.refresh_from_db()
    assert matter.petition.due_on == DAY + dt.timedelta(days=93)
    answered = DAY + dt.timedelta(days=80)
    with _at(answered):
        petitions.reply(actor=county_admin, matter=matter, opinion="explain", text="补偿标准符合区片综合地价")
    matter.refresh_from_db()
    assert matter.petition.stage == Petition.Stage.ANSWERED and matter.status == Matter.Status.ANSWERED
    assert matter.petition.due_on == answered + dt.timedelta(days=30)
    with _at(answered + dt.timedelta(days=20)):
        petitions.request_review(actor=county_admin, matter=matter)
        petitions.reply(actor=county_admin, matter=matter, opinion="reject", text="维持原意见")
    with _at(answered + dt.timedelta(days=31)):
        petitions.request_review(actor=county_admin, matter=matter, hearing_days=7)
    matter.refresh_from_db()
    assert matter.petition.stage == Petition.Stage.RECHECK
    assert matter.petition.due_on == answered + dt.timedelta(days=31 + 30 + 7)  # 听证 days not counted
    with _at(answered + dt.timedelta(days=50)):
        petitions.reply(actor=county_admin, matter=matter, opinion="reject", text="复核维持")
    matter.refresh_from_db()
    assert matter.petition.stage == Petition.Stage.CLOSED and matter.status == Matter.Status.DONE

    # the same facts again after 复核: recorded, not accepted, naming the closed case
    with _at(answered + dt.timedelta(days=60)):
        repeat = _new(county_admin, township, "XF-2026-002", repeats=matter.petition)
    assert repeat.status == Matter.Status.REFUSED and repeat.petition.stage == Petition.Stage.NOT_ACCEPTED
    assert "XF-2026-001" in repeat.status_changes.last().note


def test_a_request_after_its_window_is_refused_and_the_case_can_then_be_closed(county_admin, township):
    with _at(DAY):
        matter = _new(county_admin, township, "XF-2026-010")
        petitions.accept(actor=county_admin, matter=matter)
        petitions.reply(actor=county_admin, matter=matter, opinion="support", text="予以支持")
    late = DAY + dt.timedelta(days=31)
    with _at(late):
        with pytest.raises(ValidationError, match="届满"):
            petitions.request_review(actor=county_admin, matter=matter)
        petitions.finalize(actor=county_admin, matter=matter)
    matter.refresh_from_db()
    assert matter.petition.stage == Petition.Stage.CLOSED


def test_handling_past_sixty_days_without_an_extension_is_flagged(county_admin, township, client_for):
    with _at(DAY):
        late = _new(county_admin, township, "XF-2026-020")
        petitions.accept(actor=county_admin, matter=late)
        extended = _new(county_admin, township, "XF-2026-021")
        petitions.accept(actor=county_admin, matter=extended)
        petitions.extend(actor=county_admin, matter=extended, reason="情况复杂", approved_by="王局长")
    day_61 = DAY + dt.timedelta(days=61)
    with _at(day_61):
        flagged = set(selectors.overdue_petitions(scope_for(county_admin), clock.today()).values_list(
            "petition__petition_no", flat=True))
        assert "XF-2026-020" in flagged and "XF-2026-021" not in flagged
        page = client_for(county_admin).get(reverse("citizens:petition-detail", args=[late.pk])).content.decode()
        assert "data-overdue" in page
        listing = client_for(county_admin).get(reverse("citizens:petition-list"), {"overdue": "on"}).content.decode()
        assert "XF-2026-020" in listing and "XF-2026-021" not in listing


def test_the_backlog_board_reproduces_linhais_figures_as_a_query(county_admin, township, client_for):
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    with _at(dt.date(2024, 12, 20)):  # outside the period: not counted
        _new(county_admin, township, "XF-2024-OLD", received_on=dt.date(2024, 12, 20))
    cases = []
    for n in range(40):
        with _at(dt.date(2025, 2, 1)):
            cases.append(_new(county_admin, township, f"XF-2025-{n:03d}", received_on=dt.date(2025, 1, 10 + n % 20),
                              petitioner=(make_id(seq=200 + n), f"信访人{n}")))
    for n, matter in enumerate(cases[:13]):
        petitions.mark_backlog(actor=county_admin, matter=matter, backlog=Petition.Backlog.LONG_RUNNING,
                               lead_leader=f"包案领导{n % 4}")
    for matter in cases[:3]:
        petitions.set_settlement(actor=county_admin, matter=matter, settlement=Petition.Settlement.SIGNED)
    petitions.set_settlement(actor=county_admin, matter=cases[3], settlement=Petition.Settlement.DE_FACTO)
    with pytest.raises(ValidationError, match="包案领导"):
        petitions.mark_backlog(actor=county_admin, matter=cases[20], backlog=Petition.Backlog.REPEATED,
                               lead_leader="")

    board = selectors.petition_board(scope_for(county_admin), start, end, dt.date(2026, 1, 5))
    mine = [m for m in board.backlog_rows if m.petition.petition_no.startswith("XF-2025-")]
    assert (board.screened, board.backlog, board.led, board.signed, board.de_facto) >= (40, 13, 13, 3, 1)
    assert len(mine) == 13 and all(m.petition.lead_leader for m in mine)
    only_mine = selectors.petitions(scope_for(county_admin)).filter(
        petition__petition_no__startswith="XF-2025-", received_at__date__range=(start, end))
    assert only_mine.count() == 40 and only_mine.exclude(petition__backlog="").count() == 13

    page = client_for(county_admin).get(reverse("citizens:petition-board"),
                                        {"start": "2025-01-01", "end": "2025-12-31"}).content.decode()
    assert 'data-figure="backlog">' in page and "包案领导0" in page


def test_a_petition_registered_from_the_form_keeps_no_clear_id_number(county_admin, client_for):
    number = make_id(seq=321)
    response = client_for(county_admin).post(reverse("citizens:petition-create"), {
        "petition_no": "XF-2026-FORM", "pclass": "claim", "channel": "visit", "summary": "宅基地权属争议",
        "region": "371525001", "received_on": clock.today().isoformat(), "petitioner_id": number,
        "petitioner_name": "赵某", "parcel_ref": "371525001001JC00012"})
    assert response.status_code == 302
    matter = Matter.objects.get(petition__petition_no="XF-2026-FORM")
    assert matter.applicant is not None and number not in matter.applicant.id_masked
    assert number not in str(matter.applicant.id_lookup) and number not in matter.applicant.id_cipher
