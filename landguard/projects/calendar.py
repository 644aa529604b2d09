"""The working-day calendar in the database (CalendarDay) and the official schedules it is seeded with.

Pure counting lives in landguard.core.workdays; this module turns the CalendarDay rows into a WorkCalendar
and holds the State Council schedules (国务院办公厅关于…年部分节假日安排的通知, 国办发明电): migration 0002
loads 2025 and 2026, migration 0008 the past years 2020–2024 (so histories recorded afterwards — a 征收 started
in 2021 — count working days right). Later years are added on the 节假日安排 page when the notice is
published (usually November).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

from landguard.core import clock
from landguard.core.workdays import WorkCalendar, missing_years
from landguard.projects.models import CalendarDay, CalendarYear

HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY.value, CalendarDay.Kind.WORKDAY.value

# (first day, last day, kind, name). A holiday block lists every day off, weekends included: that is how
# the notice states it ("1月28日至2月4日放假调休，共8天").
OFFICIAL_SCHEDULE: dict[int, list[tuple[str, str, str, str]]] = {
    # 国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号,
    # www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm), with the Spring Festival extended to 2 February
    # by 国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号, content_5472352.htm). The extension is
    # included: it was a State Council notice of the same kind, offices were closed on 31 January – 2 February
    # (and 1 February, an adjusted working day in the first notice, no longer was), so a 10-working-day period
    # running then ended later. Local closures during the epidemic (some provinces to 9 February) are not: they
    # are provincial, and a bureau adds its own on the 节假日安排 page.
    2020: [
        ("2020-01-01", "2020-01-01", HOLIDAY, "元旦"),
        ("2020-01-19", "2020-01-19", WORKDAY, "春节调休上班"),
        ("2020-01-24", "2020-02-02", HOLIDAY, "春节（含延长假期）"),
        ("2020-04-04", "2020-04-06", HOLIDAY, "清明节"),
        ("2020-04-26", "2020-04-26", WORKDAY, "劳动节调休上班"),
        ("2020-05-01", "2020-05-05", HOLIDAY, "劳动节"),
        ("2020-05-09", "2020-05-09", WORKDAY, "劳动节调休上班"),
        ("2020-06-25", "2020-06-27", HOLIDAY, "端午节"),
        ("2020-06-28", "2020-06-28", WORKDAY, "端午节调休上班"),
        ("2020-09-27", "2020-09-27", WORKDAY, "国庆节调休上班"),
        ("2020-10-01", "2020-10-08", HOLIDAY, "国庆节、中秋节"),
        ("2020-10-10", "2020-10-10", WORKDAY, "国庆节调休上班"),
    ],
    # 国务院办公厅关于2021年部分节假日安排的通知（国办发明电〔2020〕27号,
    # www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm)
    2021: [
        ("2021-01-01", "2021-01-03", HOLIDAY, "元旦"),
        ("2021-02-07", "2021-02-07", WORKDAY, "春节调休上班"),
        ("2021-02-11", "2021-02-17", HOLIDAY, "春节"),
        ("2021-02-20", "2021-02-20", WORKDAY, "春节调休上班"),
        ("2021-04-03", "2021-04-05", HOLIDAY, "清明节"),
        ("2021-04-25", "2021-04-25", WORKDAY, "劳动节调休上班"),
        ("2021-05-01", "2021-05-05", HOLIDAY, "劳动节"),
        ("2021-05-08", "2021-05-08", WORKDAY, "劳动节调休上班"),
        ("2021-06-12", "2021-06-14", HOLIDAY, "端午节"),
        ("2021-09-18", "2021-09-18", WORKDAY, "中秋节调休上班"),
        ("2021-09-19", "2021-09-21", HOLIDAY, "中秋节"),
        ("2021-09-26", "2021-09-26", WORKDAY, "国庆节调休上班"),
        ("2021-10-01", "2021-10-07", HOLIDAY, "国庆节"),
        ("2021-10-09", "2021-10-09", WORKDAY, "国庆节调休上班"),
    ],
    # 国务院办公厅关于2022年部分节假日安排的通知（国办发明电〔2021〕11号,
    # www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm)
    2022: [
        ("2022-01-01", "2022-01-03", HOLIDAY, "元旦"),
        ("2022-01-29", "2022-01-30", WORKDAY, "春节调休上班"),
        ("2022-01-31", "2022-02-06", HOLIDAY, "春节"),
        ("2022-04-02", "2022-04-02", WORKDAY, "清明节调休上班"),
        ("2022-04-03", "2022-04-05", HOLIDAY, "清明节"),
        ("2022-04-24", "2022-04-24", WORKDAY, "劳动节调休上班"),
        ("2022-04-30", "2022-05-04", HOLIDAY, "劳动节"),
        ("2022-05-07", "2022-05-07", WORKDAY, "劳动节调休上班"),
        ("2022-06-03", "2022-06-05", HOLIDAY, "端午节"),
        ("2022-09-10", "2022-09-12", HOLIDAY, "中秋节"),
        ("2022-10-01", "2022-10-07", HOLIDAY, "国庆节"),
        ("2022-10-08", "2022-10-09", WORKDAY, "国庆节调休上班"),
    ],
    # 国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号,
    # www.gov.cn/zhengce/zhengceku/2022-12/08/content_5730844.htm). Its 元旦 starts on Saturday 2022-12-31.
    2023: [
        ("2022-12-31", "2023-01-02", HOLIDAY, "元旦"),
        ("2023-01-21", "2023-01-27", HOLIDAY, "春节"),
        ("2023-01-28", "2023-01-29", WORKDAY, "春节调休上班"),
        ("2023-04-05", "2023-04-05", HOLIDAY, "清明节"),
        ("2023-04-23", "2023-04-23", WORKDAY, "劳动节调休上班"),
        ("2023-04-29", "2023-05-03", HOLIDAY, "劳动节"),
        ("2023-05-06", "2023-05-06", WORKDAY, "劳动节调休上班"),
        ("2023-06-22", "2023-06-24", HOLIDAY, "端午节"),
        ("2023-06-25", "2023-06-25", WORKDAY, "端午节调休上班"),
        ("2023-09-29", "2023-10-06", HOLIDAY, "中秋节、国庆节"),
        ("2023-10-07", "2023-10-08", WORKDAY, "国庆节调休上班"),
    ],
    # 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号,
    # www.gov.cn/zhengce/content/202310/content_6911527.htm). "与周末连休" days list only the weekday off.
    2024: [
        ("2024-01-01", "2024-01-01", HOLIDAY, "元旦"),
        ("2024-02-04", "2024-02-04", WORKDAY, "春节调休上班"),
        ("2024-02-10", "2024-02-17", HOLIDAY, "春节"),
        ("2024-02-18", "2024-02-18", WORKDAY, "春节调休上班"),
        ("2024-04-04", "2024-04-06", HOLIDAY, "清明节"),
        ("2024-04-07", "2024-04-07", WORKDAY, "清明节调休上班"),
        ("2024-04-28", "2024-04-28", WORKDAY, "劳动节调休上班"),
        ("2024-05-01", "2024-05-05", HOLIDAY, "劳动节"),
        ("2024-05-11", "2024-05-11", WORKDAY, "劳动节调休上班"),
        ("2024-06-10", "2024-06-10", HOLIDAY, "端午节"),
        ("2024-09-14", "2024-09-14", WORKDAY, "中秋节调休上班"),
        ("2024-09-15", "2024-09-17", HOLIDAY, "中秋节"),
        ("2024-09-29", "2024-09-29", WORKDAY, "国庆节调休上班"),
        ("2024-10-01", "2024-10-07", HOLIDAY, "国庆节"),
        ("2024-10-12", "2024-10-12", WORKDAY, "国庆节调休上班"),
    ],
    # 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
    2025: [
        ("2025-01-01", "2025-01-01", HOLIDAY, "元旦"),
        ("2025-01-26", "2025-01-26", WORKDAY, "春节调休上班"),
        ("2025-01-28", "2025-02-04", HOLIDAY, "春节"),
        ("2025-02-08", "2025-02-08", WORKDAY, "春节调休上班"),
        ("2025-04-04", "2025-04-06", HOLIDAY, "清明节"),
        ("2025-04-27", "2025-04-27", WORKDAY, "劳动节调休上班"),
        ("2025-05-01", "2025-05-05", HOLIDAY, "劳动节"),
        ("2025-05-31", "2025-06-02", HOLIDAY, "端午节"),
        ("2025-09-28", "2025-09-28", WORKDAY, "国庆节调休上班"),
        ("2025-10-01", "2025-10-08", HOLIDAY, "国庆节、中秋节"),
        ("2025-10-11", "2025-10-11", WORKDAY, "国庆节调休上班"),
    ],
    # 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04). First entered from memory of the notice; checked
    # against the notice as published (元旦 1–3 January with 4 January worked; 春节 15–23 February with 14 and 28
    # February worked; 劳动节 1–5 May with 9 May worked; 国庆节 1–7 October with 20 September and 10 October
    # worked) and marked verified with that source by migration 0009.
    2026: [
        ("2026-01-01", "2026-01-03", HOLIDAY, "元旦"),
        ("2026-01-04", "2026-01-04", WORKDAY, "元旦调休上班"),
        ("2026-02-14", "2026-02-14", WORKDAY, "春节调休上班"),
        ("2026-02-15", "2026-02-23", HOLIDAY, "春节"),
        ("2026-02-28", "2026-02-28", WORKDAY, "春节调休上班"),
        ("2026-04-04", "2026-04-06", HOLIDAY, "清明节"),
        ("2026-05-01", "2026-05-05", HOLIDAY, "劳动节"),
        ("2026-05-09", "2026-05-09", WORKDAY, "劳动节调休上班"),
        ("2026-06-19", "2026-06-21", HOLIDAY, "端午节"),
        ("2026-09-20", "2026-09-20", WORKDAY, "国庆节调休上班"),
        ("2026-09-25", "2026-09-27", HOLIDAY, "中秋节"),
        ("2026-10-01", "2026-10-07", HOLIDAY, "国庆节"),
        ("2026-10-10", "2026-10-10", WORKDAY, "国庆节调休上班"),
    ],
}
UNVERIFIED_NOTE = "待与国务院办公厅通知原文核对"
UNVERIFIED_YEARS: frozenset[int] = frozenset()  # 2026 was, until migration 0009 checked and marked it
# The notice each seeded year comes from: (title, date published). Migration 0009 records them as CalendarYear
# rows; 2026 is marked verified (VERIFIED_YEARS), the past years keep the mark for an admin to set after checking.
OFFICIAL_SOURCES: dict[int, tuple[str, str]] = {
    2020: ("国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号）；"
           "国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号）", "2019-11-21"),
    2021: ("国务院办公厅关于2021年部分节假日安排的通知（国办发明电〔2020〕27号）", "2020-11-25"),
    2022: ("国务院办公厅关于2022年部分节假日安排的通知（国办发明电〔2021〕11号）", "2021-10-25"),
    2023: ("国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号）", "2022-12-08"),
    2024: ("国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）", "2023-10-25"),
    2025: ("国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）", "2024-11-12"),
    2026: ("国务院办公厅关于2026年部分节假日安排的通知", "2025-11-04"),
}
VERIFIED_YEARS = frozenset({2026})
# The years each seeding migration loads (0002 the current ones, 0008 the past ones added later).
SEEDED_IN_0002 = (2025, 2026)
PAST_YEARS = (2020, 2021, 2022, 2023, 2024)


def official_days(year: int) -> Iterator[tuple[dt.date, str, str]]:
    """(date, kind, name) for every day of a year's official schedule."""
    for first, last, kind, name in OFFICIAL_SCHEDULE[year]:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while day <= end:
            yield day, kind, name
            day += dt.timedelta(days=1)


def work_calendar() -> WorkCalendar:
    """The calendar as stored now. A year is known once it has been entered (a CalendarYear row): a single day
    added to an unentered year does not make its schedule known. Within a web request it is read once (a list
    of projects computes every step's health with it; read per call, it was 90 of the 100 queries of
    /api/projects/ — docs/performance.md, "Budget per request"); a change saved during the request is seen at
    once (`forget_calendar`). Outside a request (workers, commands) every call reads it."""
    if not getattr(_request_memo, "active", False):
        return _read_calendar()
    if _request_memo.calendar is None:
        _request_memo.calendar = _read_calendar()
    return _request_memo.calendar


def _read_calendar() -> WorkCalendar:
    holidays, workdays = [], []
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == HOLIDAY else workdays).append(day)
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return WorkCalendar(frozenset(holidays), frozenset(workdays), years)


# Per thread: a WSGI worker thread serves one request at a time, from request_started to request_finished.
_request_memo = threading.local()


def begin_request(**_kwargs: Any) -> None:
    _request_memo.active, _request_memo.calendar = True, None


def end_request(**_kwargs: Any) -> None:
    _request_memo.active, _request_memo.calendar = False, None


def forget_calendar(**_kwargs: Any) -> None:
    """A calendar day or year was saved or deleted: the next read in this request reads the rows again."""
    _request_memo.calendar = None


def calendar_warning_years(today: dt.date | None = None) -> list[int]:
    """The years whose missing schedule the pages that compute deadlines warn about (landguard.core.workdays)."""
    return missing_years(work_calendar(), today or clock.today())


def load_official_years(years: tuple[int, ...], calendar_day: type[CalendarDay] = CalendarDay) -> int:
    """Add the official schedule of `years`, leaving every date already in the calendar as it is (a bureau may
    have edited it). Returns the rows added. `calendar_day` is the historical model in a migration."""
    existing = set(calendar_day.objects.filter(date__year__in=[*years, *(y - 1 for y in years)])
                   .values_list("date", flat=True))
    rows = [calendar_day(date=day, kind=kind, name=name, note=UNVERIFIED_NOTE if year in UNVERIFIED_YEARS else "")
            for year in years for day, kind, name in official_days(year) if day not in existing]
    calendar_day.objects.bulk_create(rows)
    return len(rows)
