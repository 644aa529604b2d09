"""The national holiday calendar as years entered from the State Council notice: the seeded 2026 rows verified
against the notice of 2025-11-04; from 1 December the missing next year (2027) is named on the pages that compute
deadlines until a national or provincial admin enters it (audited), after which 1 January 2027 is a holiday; only
those who may edit see the edit links, so no row leads to a 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.people.models import Role, User
from landguard.projects import services
from landguard.projects.calendar import OFFICIAL_SCHEDULE, UNVERIFIED_NOTE, official_days, work_calendar
from landguard.projects.models import CalendarDay, CalendarYear
from landguard.regions.models import Level, Region

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
# A test fixture standing in for the 2027 notice (not the product's data: the real dates come from the notice).
FIXTURE_2027 = "2027-01-01 至 2027-01-03 放假 元旦\n2027-10-01 至 2027-10-07 放假 国庆节\n"


@pytest.fixture
def provincial_admin(db) -> User:
    province = Region.objects.filter(level=Level.PROVINCE).first() or Region.objects.create(
        code="370000", name="山东省", level=Level.PROVINCE)
    return User.objects.create_user(username="province-admin", password="x", role=Role.ADMIN, scope_region=province,
                                    full_name="省厅管理员")


def _enter_2027(client) -> object:
    return client.post("/projects/calendar/years/new/", {
        "year": 2027, "source_title": "国务院办公厅关于2027年部分节假日安排的通知（测试）", "source_date": "2026-11-10",
        "days": FIXTURE_2027, "verified": "on"})


def test_the_2026_rows_match_the_notice_of_2025_11_04_and_are_verified():
    entry = CalendarYear.objects.get(year=2026)
    assert entry.verified and entry.source_date == D(2025, 11, 4)
    assert entry.source_title == "国务院办公厅关于2026年部分节假日安排的通知"
    stored = {(d.date, d.kind, d.name) for d in CalendarDay.objects.filter(date__year=2026)}
    assert stored == set(official_days(2026))  # day by day
    assert not CalendarDay.objects.filter(note=UNVERIFIED_NOTE).exists()
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(OFFICIAL_SCHEDULE)


def test_without_2027_its_new_year_and_national_day_count_as_working_days():
    calendar = work_calendar()
    assert not calendar.knows(2027)
    assert calendar.is_working_day(D(2027, 1, 1)) and calendar.is_working_day(D(2027, 10, 1))


def test_from_1_december_the_calendar_page_names_the_missing_next_year(client_for, county_admin):
    client = client_for(county_admin)
    with clock.frozen(TODAY):
        page = client.get("/projects/calendar/").content.decode()
    assert 'id="calendar-warning"' in page and "2027" in page
    with clock.frozen(dt.datetime(2026, 11, 30, 10, 0)):
        assert 'id="calendar-warning"' not in client.get("/projects/calendar/").content.decode()


def test_a_provincial_admin_enters_2027_from_the_notice_and_the_warning_goes(client_for, provincial_admin,
                                                                            county_admin):
    with clock.frozen(TODAY):
        response = _enter_2027(client_for(provincial_admin))
        assert response.status_code == 302 and response["Location"] == "/projects/calendar/"
        page = client_for(county_admin).get("/projects/calendar/").content.decode()
    assert 'id="calendar-warning"' not in page and 'data-year="2027" data-verified="1"' in page
    calendar = work_calendar()
    assert calendar.knows(2027) and not calendar.is_working_day(D(2027, 1, 1))
    assert not calendar.is_working_day(D(2027, 10, 1)) and calendar.is_working_day(D(2027, 1, 4))
    entry = CalendarYear.objects.get(year=2027)
    assert entry.verified_by == provincial_admin and entry.source_date == D(2026, 11, 10)
    audit = AuditEntry.objects.get(target_type="projects.calendaryear", target_id=str(entry.pk))
    assert audit.action == "create" and audit.actor == provincial_admin and "录入 10 天" in audit.note


def test_a_county_admin_sees_no_edit_links_and_may_not_enter_a_year(client_for, county_admin):
    client = client_for(county_admin)
    page = client.get("/projects/calendar/?year=2026").content.decode()
    assert "/edit/" not in page and "/projects/calendar/years/new/" not in page
    assert client.get("/projects/calendar/years/new/").status_code == 403
    assert _enter_2027(client).status_code == 403
    with pytest.raises(PermissionDenied):
        services.enter_year(actor=county_admin, year=2027, source_title="通知", source_date=D(2026, 11, 10),
                            days=[(D(2027, 1, 1), "holiday", "元旦")])
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_rows_link_to_an_edit_page_that_opens_for_those_who_see_the_link(client_for, provincial_admin):
    client = client_for(provincial_admin)
    page = client.get("/projects/calendar/?year=2026").content.decode()
    day = CalendarDay.objects.get(date=D(2026, 1, 1))
    assert f"/projects/calendar/{day.pk}/edit/" in page
    assert client.get(f"/projects/calendar/{day.pk}/edit/").status_code == 200
    response = client.post(f"/projects/calendar/{day.pk}/edit/",
                           {"date": "2026-01-01", "kind": "holiday", "name": "元旦", "note": "已核对"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(target_type="projects.calendarday", target_id=str(day.pk), actor=provincial_admin,
                                     action="update").exists()


def test_an_admin_marks_a_year_verified_with_its_notice_audited(client_for, provincial_admin):
    entry = CalendarYear.objects.get(year=2025)
    assert not entry.verified
    response = client_for(provincial_admin).post(f"/projects/calendar/years/{entry.pk}/verify/", {
        "source_title": entry.source_title, "source_date": "2024-11-12"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.verified and entry.verified_by == provincial_admin and entry.verified_at is not None
    assert AuditEntry.objects.filter(target_type="projects.calendaryear", target_id=str(entry.pk),
                                     note="已与通知原文逐日核对").exists()


def test_a_line_the_form_cannot_read_is_named_and_nothing_is_stored(client_for, provincial_admin):
    response = client_for(provincial_admin).post("/projects/calendar/years/new/", {
        "year": 2027, "source_title": "通知", "source_date": "2026-11-10",
        "days": "2027-01-01 放假 元旦\n元月一日放假"})
    assert response.status_code == 400 and "第 2 行无法识别" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists() and not CalendarDay.objects.filter(date__year=2027)
