"""Figures as the reports state them: 冠县's "332 alarms, 40 pushed to the office head, 16 closed since 2021-08-30"
as one period query over the clues' status history, the two-stage triage that makes the "40", 临海's published
enforcement rates under the definitions a bureau selects, and the 违法占耕比 with the official denominator."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from landguard.core.scope import scope_for
from landguard.regions.models import Region
from landguard.supervision import cases, figures, intake, patches, stats, verification
from landguard.supervision.models import (
    Case, Clue, ClueEvent, Detection, Judgement, Patch, PatchBatch, SourceKind, Task,
)

pytestmark = pytest.mark.django_db


def _local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def _clues(village: Region, n: int, at: dt.datetime) -> list[Clue]:
    p = Point(115.4, 36.5, srid=4490)
    return Clue.objects.bulk_create([
        Clue(kind=SourceKind.CAMERA, title=f"告警 {i}", location=p, region_code=village.code,
             township_code=village.code[:9], first_seen=at, last_seen=at, detection_count=1, created_at=at)
        for i in range(n)])


def _alarms(clues: list[Clue], times: list[dt.datetime]) -> None:
    Detection.objects.bulk_create([
        Detection(clue=clues[i % len(clues)], kind=SourceKind.CAMERA, observed_at=at, received_at=at,
                  location=clues[0].location) for i, at in enumerate(times)])


def _events(clues: list[Clue], status: str, times: list[dt.datetime]) -> None:
    ClueEvent.objects.bulk_create([ClueEvent(clue=c, at=at, actor_name="种子", to_status=status)
                                   for c, at in zip(clues, times, strict=True)])


@pytest.fixture
def guanxian_history(village) -> None:
    """冠县's history from before end-August 2021 into 2022: 332 alarms, 40 clues pushed to the 所长 and 16 closed
    inside 2021-08-30 … 2022-06-30 (across the new year), with alarms, pre-judgements and closings on both sides."""
    clues = _clues(village, 60, _local(2021, 8, 1))
    inside = [_local(2021, 8, 30, 0, 0) + dt.timedelta(hours=16 * i) for i in range(332)]  # to 2022-04-06
    assert inside[0].year == 2021 and inside[-1].year == 2022
    outside = [_local(2021, 8, 29, 23, 59), _local(2021, 8, 1, 9), _local(2022, 7, 1, 0, 0), _local(2023, 1, 2)]
    _alarms(clues, inside + outside)
    _events(clues[:40], Clue.Status.PREJUDGED,
            [_local(2021, 12, 20) + dt.timedelta(days=i) for i in range(40)])  # 12 in 2021, 28 in 2022
    _events(clues[40:43], Clue.Status.PREJUDGED, [_local(2021, 8, 29, 23), _local(2021, 8, 2), _local(2022, 7, 1)])
    _events(clues[:16], Clue.Status.CLOSED, [_local(2022, 2, 1) + dt.timedelta(days=i) for i in range(16)])
    _events(clues[16:18], Clue.Status.CLOSED, [_local(2022, 7, 1, 8), _local(2021, 8, 10)])


def test_since_2021_08_30_is_332_alarms_40_pushed_to_the_office_head_16_closed_in_one_period_query(
        guanxian_history, county_admin):
    p = figures.period(scope_for(county_admin), dt.date(2021, 8, 30), dt.date(2022, 6, 30))
    assert (p.alarms, p.prejudged, p.closed) == (332, 40, 16)
    # the calendar year alone cuts the same history elsewhere
    p2021 = figures.period(scope_for(county_admin), dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert (p2021.prejudged, p2021.closed) == (12 + 2, 1)


def test_overview_prints_the_period_figures_with_their_definitions(guanxian_history, county_admin, client_for):
    body = client_for(county_admin).get("/supervision/", {"from": "2021-08-30", "to": "2022-06-30"}).content.decode()
    got = dict(re.findall(r'data-period="(\w+)"><dt[^>]*>[^<]*</dt><dd>(\d+)</dd>', body))
    assert (got["alarms"], got["prejudged"], got["closed"]) == ("332", "40", "16")
    assert str(figures.PERIOD_DEFINITIONS["prejudged"]) in body


def test_a_reversed_or_unreadable_period_falls_back_sensibly():
    start, end = figures.period_param({"from": "2022-06-30", "to": "2021-08-30"})
    assert (start, end) == (dt.date(2021, 8, 30), dt.date(2022, 6, 30))
    start, end = figures.period_param({"from": "nonsense"})
    assert start.month == 1 and start.day == 1


# --- two-stage triage -----------------------------------------------------------------------------------------


@pytest.fixture
def new_clue(spot, county) -> Clue:
    return intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：挖土", county=county)


@override_settings(SUPERVISION_TWO_STAGE_TRIAGE=True)
def test_staff_prejudge_and_only_the_office_head_decides_with_the_status_history_kept(new_clue, township_officer,
                                                                                     county_admin):
    with pytest.raises(PermissionDenied):
        verification.dispatch(actor=township_officer, clue=new_clue)
    with pytest.raises(ValidationError):
        verification.prejudge(actor=township_officer, clue=new_clue, reason="")
    verification.prejudge(actor=township_officer, clue=new_clue, reason="疑似挖土，建议核查")
    with pytest.raises(PermissionDenied):
        verification.mark_false_alarm(actor=township_officer, clue=new_clue, reason="农机作业")
    with pytest.raises(ValidationError):  # not twice: the transition table has no prejudged → prejudged
        verification.prejudge(actor=county_admin, clue=new_clue, reason="再次初判")
    task = verification.dispatch(actor=county_admin, clue=new_clue)
    history = list(ClueEvent.objects.filter(clue=new_clue).values_list("from_status", "to_status"))
    assert history == [("", "new"), ("new", "prejudged"), ("prejudged", "valid")]
    assert Clue.objects.get(pk=new_clue.pk).triage_reason == "疑似挖土，建议核查"
    assert task.clue_id == new_clue.pk


def test_the_clue_page_prejudges_and_shows_the_history(new_clue, township_officer, client_for):
    c = client_for(township_officer)
    r = c.post(f"/supervision/clues/{new_clue.pk}/triage/", {"decision": "prejudge", "reason": "疑似建房"})
    assert r.status_code == 302
    assert Clue.objects.get(pk=new_clue.pk).status == Clue.Status.PREJUDGED
    body = c.get(f"/supervision/clues/{new_clue.pk}/").content.decode()
    assert 'id="clue-status-history"' in body and 'id="prejudged-note"' in body
    overview = c.get("/supervision/").content.decode()
    assert re.search(r'data-count="prejudged">[1-9]\d*<', overview)  # the office head's queue
    listing = c.get("/supervision/clues/", {"status": "prejudged"}).content.decode()
    assert new_clue.number in listing


# --- 临海's enforcement rates -------------------------------------------------------------------------------------


@pytest.fixture
def linhai_2024(village, county_admin) -> None:
    """30 violations verified in 2024: 29 filed as cases, one restored on order without a case; one violation of
    2023 outside the year."""
    verified = _local(2024, 5, 1, 10)
    clues = _clues(village, 31, verified)
    for i, clue in enumerate(clues):
        at = verified if i < 30 else _local(2023, 11, 1)
        Task.objects.create(clue=clue, region_code=clue.region_code, township_code=clue.township_code,
                            dispatched_at=at, dispatched_by=county_admin, status=Task.Status.VERIFIED,
                            outcome=Task.Outcome.ILLEGAL, verified_at=at, illegal_area_m2=100,
                            restored_at=at if i == 29 else None)
    for i, clue in enumerate(clues[:29]):
        Case.objects.create(clue=clue, number=f"临自然资立〔2024〕{i + 1}号", party="某", region_code=clue.region_code,
                            township_code=clue.township_code, filed_at=verified, due_at=verified + dt.timedelta(90),
                            created_by=county_admin, fine_yuan=Decimal("1000"),
                            confiscated_income_yuan=Decimal("500") if i < 2 else Decimal(0),
                            referrals=1 if i < 3 else 0, referrals_done=1 if i < 2 else 0)


def test_linhai_published_rates_29_filed_100_percent_filing_96_67_percent_handling_under_selected_definitions(
        linhai_2024, county_admin):
    s = stats.case_stats(scope_for(county_admin), year=2024)
    assert (s.illegal, s.filed, s.restored_without_case) == (30, 29, 1)
    linhai = figures.rates(s, filing=figures.FILING_RATES["filed_over_should_file"],
                           handling=figures.HANDLING_RATES["filed_over_illegal"])
    assert linhai["filing_rate"].percent == 100.0
    assert (linhai["handling_rate"].numerator, linhai["handling_rate"].denominator) == (29, 30)
    assert linhai["handling_rate"].percent == 96.67
    product = figures.rates(s, filing=figures.FILING_RATES["filed_over_illegal"],
                            handling=figures.HANDLING_RATES["handled_over_illegal"])
    assert (product["filing_rate"].percent, product["handling_rate"].percent) == (96.67, 100.0)
    assert (s.fine_yuan, s.confiscated_income_yuan, s.forfeit_yuan) == (29000.0, 1000.0, 30000.0)
    assert (s.referrals, s.referrals_done) == (3, 2)


def test_the_statistics_page_prints_the_selected_definitions_and_linhai_figures(linhai_2024, county_admin, client_for):
    body = client_for(county_admin).get("/supervision/cases/stats/", {
        "year": 2024, "filing": "filed_over_should_file", "handling": "filed_over_illegal"}).content.decode()
    assert str(figures.FILING_RATES["filed_over_should_file"].formula) in body
    assert str(figures.HANDLING_RATES["filed_over_illegal"].formula) in body
    assert "100.00%" in body and "96.67%" in body and "待确认" in body
    assert "30000.00" in body  # 罚没款 = 罚款 + 没收违法所得


def test_referrals_carried_out_cannot_exceed_referrals(linhai_2024, county_admin):
    case = Case.objects.order_by("pk").first()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.EXECUTING)
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        cases.advance(actor=county_admin, case=case, to=Case.Status.CLOSED, referrals=1, referrals_done=2)
    cases.advance(actor=county_admin, case=case, to=Case.Status.CLOSED, referrals=2, referrals_done=1)
    assert Case.objects.get(pk=case.pk).referrals_done == 1


# --- 违法占耕比 -------------------------------------------------------------------------------------------------------


@pytest.fixture
def one_illegal_patch(county, village, county_admin) -> str:
    batch = PatchBatch.objects.create(name="2024-05", month=dt.date(2024, 5, 1), region=county,
                                      region_code=county.code, imported_at=_local(2024, 6, 1))
    square = MultiPolygon(Polygon.from_bbox((115.40, 36.50, 115.401, 36.501)), srid=4490)
    Patch.objects.create(batch=batch, jcbh="P1", area_m2=1200, farmland_m2=1000, geom=square,
                         region_code=village.code, township_code=village.code[:9], year=2024,
                         judgement=Judgement.ILLEGAL)
    return village.code[:9]


def _township_row(user, code):
    from landguard.supervision import selectors

    scope = scope_for(user)
    rows, county = patches.ratios(selectors.patches(scope), year=2024, townships=selectors.townships(scope),
                                  county=None, official=selectors.official_farmland(scope, 2024))
    return next(r for r in rows if r.code == code)


def test_one_illegal_patch_no_longer_sends_a_township_to_100_percent_once_the_official_figure_is_entered(
        one_illegal_patch, county_admin):
    before = _township_row(county_admin, one_illegal_patch)
    assert (before.percent, before.denominator, before.level) == (100.0, "patches", "over")
    township = Region.objects.get(code=one_illegal_patch, retired_in__isnull=True)
    patches.set_official_farmland(actor=county_admin, region=township, year=2024, farmland_m2=20000,
                                  source="2024 年度国土变更调查成果")
    after = _township_row(county_admin, one_illegal_patch)
    assert (after.percent, after.denominator, after.source) == (5.0, "official", "2024 年度国土变更调查成果")
    assert after.level == "ok"


def test_the_ratio_page_enters_the_official_figure_and_names_the_denominator(one_illegal_patch, county_admin,
                                                                             township_officer, client_for,
                                                                             other_county_user):
    c = client_for(county_admin)
    r = c.post("/supervision/ratio/official/", {"region": one_illegal_patch, "year": 2024, "farmland_mu": 30,
                                                "source": "2024 年度变更调查"})
    assert r.status_code == 302
    body = c.get("/supervision/ratio/", {"year": 2024}).content.decode()
    assert 'data-denominator="official"' in body and "2024 年度变更调查" in body
    # another county's user cannot name this township
    client_for(other_county_user).post("/supervision/ratio/official/", {
        "region": one_illegal_patch, "year": 2024, "farmland_mu": 1, "source": "x"})
    assert _township_row(county_admin, one_illegal_patch).total_m2 == pytest.approx(20000)


def test_a_threshold_is_reached_at_the_line_or_only_above_it_as_configured():
    at_line = patches.Ratio("x", "x", 15, 100, 0.15, strict=False)
    assert at_line.level == "over" and at_line.comparison == "≥"  # 15号令: 达到 15 %
    linhai = patches.Ratio("x", "x", 8, 100, 0.08, strict=True)
    assert linhai.level == "warn" and linhai.comparison == ">"  # 临海: 超过 8 %
    assert patches.Ratio("x", "x", 8.01, 100, 0.08, strict=True).level == "over"
    with override_settings(SUPERVISION_RATIO_NATIONAL_STRICT=True):
        assert patches.thresholds()["national"] == (0.15, True)


# --- 时限与巡田 totals ----------------------------------------------------------------------------------------------


def test_deadline_parts_add_up_to_the_total_on_every_row_and_the_unit_tables(village, county_admin, client_for):
    """Each 三个一 step is exactly one of 按时完成 / 超时 / 进行中, whatever the sweep has marked yet: a step met late
    without a breach mark, one breached then met, one past due not yet swept all count as 超时."""
    from landguard.core import clock
    from landguard.supervision.models import Deadline, Recipient

    now = _local(2025, 6, 2, 12)
    h = dt.timedelta(hours=1)
    a, b, c = _clues(village, 3, now - 10 * h)
    scope = scope_for(county_admin)
    with clock.frozen(now):
        _rows, before = stats.compliance(scope)
    states = {  # task → step → (due, met, breached, waived, escalation level)
        a: {"report": (now - 9 * h, now - 9.5 * h, None, False, 0),
            "on_site": (now - 8 * h, now - 7 * h, None, False, 0),
            "restore": (now - 5 * h, now - 2 * h, now - 4 * h, False, 0)},
        b: {"report": (now - 9 * h, None, now - 8 * h, False, 1), "on_site": (now - h, None, None, False, 0),
            "restore": (now + 9 * h, None, None, True, 0)},
        c: {"report": (now + h, None, None, False, 0), "on_site": (now + 2 * h, None, None, False, 0),
            "restore": (now + 20 * h, now - h, None, False, 0)},
    }
    for clue, steps in states.items():
        task = Task.objects.create(clue=clue, region_code=clue.region_code, township_code=clue.township_code,
                                   dispatched_at=now - 10 * h, dispatched_by=county_admin)
        Recipient.objects.create(task=task, kind=Recipient.Kind.OFFICE, label="清泉街道自然资源所")
        Recipient.objects.create(task=task, kind=Recipient.Kind.SQUAD, label="执法中队")
        for step, (due, met, breached, waived, level) in steps.items():
            Deadline.objects.create(task=task, step=step, due_at=due, met_at=met, breached_at=breached, waived=waived,
                                    escalation_level=level, township_code=clue.township_code)
    with clock.frozen(now):
        rows, total = stats.compliance(scope)
        units = stats.unit_compliance(scope)
        body = client_for(county_admin).get("/supervision/compliance/").content.decode()
    added = [getattr(total, k) - getattr(before, k) for k in ("on_time", "breached", "running", "total", "decided",
                                                              "escalated")]
    assert added == [2, 4, 2, 8, 6, 1]
    for row in [*rows, total, *units, *stats.kind_compliance(units)]:
        assert row.total == row.on_time + row.breached + row.running
        assert row.decided == row.on_time + row.breached
    ours = [u for u in units if u.name in ("清泉街道自然资源所", "执法中队") and u.code == "None"]
    assert [(u.total, u.on_time, u.breached, u.running) for u in ours] == [(8, 2, 4, 2)] * 2
    assert f'<th class="num" data-part="total">{total.total}</th>' in body
