"""The working-day calendar in the database (CalendarDay) and the official schedules it is seeded with.

Pure counting lives in landguard.core.workdays; this module turns the CalendarDay rows into a WorkCalendar
and holds the State Council schedules (国务院办公厅关于…年部分节假日安排的通知, 国办发明电) that migration
0002 loads. Later years are added on the 节假日安排 page when the notice is published (usually November).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from landguard.core.workdays import WorkCalendar
from landguard.projects.models import CalendarDay

HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY.value, CalendarDay.Kind.WORKDAY.value

# (first day, last day, kind, name). A holiday block lists every day off, weekends included: that is how
# the notice states it ("1月28日至2月4日放假调休，共8天").
OFFICIAL_SCHEDULE: dict[int, list[tuple[str, str, str, str]]] = {
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
    # 国务院办公厅关于2026年部分节假日安排的通知 (November 2025). Entered from memory of the notice, not from
    # its text: the holiday blocks follow from the statutory days and the calendar, but the adjusted
    # working days 2026-02-14, 2026-02-28 and 2026-05-09 are the least certain. Check them against the
    # published notice on the 节假日安排 page (each row is editable there).
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
UNVERIFIED_YEARS = frozenset({2026})


def official_days(year: int) -> Iterator[tuple[dt.date, str, str]]:
    """(date, kind, name) for every day of a year's official schedule."""
    for first, last, kind, name in OFFICIAL_SCHEDULE[year]:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        while day <= end:
            yield day, kind, name
            day += dt.timedelta(days=1)


def work_calendar() -> WorkCalendar:
    """The calendar as stored now (a few dozen rows a year: read whole, per request)."""
    holidays, workdays = [], []
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == HOLIDAY else workdays).append(day)
    return WorkCalendar.of(holidays=holidays, workdays=workdays)
