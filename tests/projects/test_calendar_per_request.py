"""The holiday calendar is read once per web request (a list computing every step's health read it per project:
90 of /api/projects/'s 100 queries), never kept from one request to the next, and read again within a request
as soon as a calendar row changes; outside a request every call reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from landguard.projects import calendar
from landguard.projects.models import CalendarDay

pytestmark = pytest.mark.django_db


def calendar_reads(queries: CaptureQueriesContext) -> int:
    return sum("projects_calendarday" in q["sql"] for q in queries.captured_queries)


def test_a_list_of_projects_reads_the_calendar_once(county_admin):
    client = APIClient()
    client.force_authenticate(county_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/projects/?page_size=50")
    assert response.status_code == 200 and response.json()["count"] > 1
    assert calendar_reads(queries) == 1


def test_each_request_reads_the_calendar_again(county_admin):
    client = APIClient()
    client.force_authenticate(county_admin)
    client.get("/api/projects/")
    assert not calendar._request_memo.active and calendar._request_memo.calendar is None  # forgotten at the end
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/projects/")
    assert calendar_reads(queries) == 1


def test_a_change_within_the_request_is_seen_at_once():
    day = dt.date(2030, 3, 5)
    calendar.begin_request()
    try:
        assert day not in calendar.work_calendar().holidays
        CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
        assert day in calendar.work_calendar().holidays
        CalendarDay.objects.filter(date=day).delete()
        assert day not in calendar.work_calendar().holidays
    finally:
        calendar.end_request()


def test_outside_a_request_every_call_reads_the_rows():
    with CaptureQueriesContext(connection) as queries:
        calendar.work_calendar()
        calendar.work_calendar()
    assert calendar_reads(queries) == 2
