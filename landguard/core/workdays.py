"""Working days (工作日) under China's public-holiday schedule, as pure functions over a WorkCalendar.

Each year the State Council (国务院办公厅) publishes the holidays and the adjusted working days (调休上班日,
usually a Saturday or Sunday). A day is a working day when it is an adjusted working day, or when it is a
Monday–Friday that is not a holiday. The schedule itself is data (landguard.projects.models.CalendarDay,
editable); this module only computes.

Counting rules (the ones the approval time limits use):
- The day a period starts is not counted; counting begins the next day (民法典 第201条; 行政许可法 第82条
  counts 行政许可 time limits in working days).
- A limit in working days ends on the N-th working day after the start.
- A limit in calendar days ends N days after the start; when that day is not a working day (a weekend or a
  holiday), the limit ends on the next working day (民法典 第203条: a period whose last day is a statutory
  rest day ends on the day after the rest).
- A limit in hours (a service promise such as 德州's "一小时内响应") is elapsed clock time from the moment the
  step starts, rest days included: `due_at`. Only a plan made from a date (no time yet) uses `due_date`, which
  then gives the day the hours end when counted from that day's start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

ONE_DAY = dt.timedelta(days=1)
# A limit can never need more calendar days than this per working day (the longest run of rest days is
# the 9-day Spring Festival break); it bounds the loops below against a corrupt calendar.
_MAX_STRETCH = 12


class LimitUnit(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"
    HOURS = "hours"  # step limits only (a minimum period is never in hours)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # adjusted working days on a weekend
    years: frozenset[int] = field(default_factory=frozenset)  # years whose schedule is known

    @classmethod
    def of(cls, *, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> WorkCalendar:
        holidays, workdays = frozenset(holidays), frozenset(workdays)
        return cls(holidays, workdays, frozenset(d.year for d in holidays | workdays))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def knows(self, year: int) -> bool:
        """Whether this year's holiday schedule is loaded (otherwise only weekends are rest days)."""
        return year in self.years


WEEKENDS_ONLY = WorkCalendar()


def next_working_day(day: dt.date, calendar: WorkCalendar) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    for _ in range(_MAX_STRETCH * 2):
        if calendar.is_working_day(day):
            return day
        day += ONE_DAY
    raise ValueError(f"no working day within {_MAX_STRETCH * 2} days after {day}: check the holiday calendar")


def add_working_days(start: dt.date, days: int, calendar: WorkCalendar) -> dt.date:
    """The date `days` working days after `start` (start not counted); `start` itself for 0. Negative counts
    go backwards (the N-th working day before `start`)."""
    step = ONE_DAY if days >= 0 else -ONE_DAY
    remaining, day = abs(days), start
    limit = remaining * _MAX_STRETCH + _MAX_STRETCH
    while remaining:
        day += step
        limit -= 1
        if limit < 0:
            raise ValueError(f"cannot count {days} working days from {start}: check the holiday calendar")
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, calendar: WorkCalendar) -> int:
    """Working days in (start, end]: how many working days a step took from start to end (0 for the same day).
    Negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += calendar.is_working_day(day)
    return count


def due_date(start: dt.date, limit: int, unit: LimitUnit | str, calendar: WorkCalendar) -> dt.date:
    """The last day of a time limit of `limit` working or calendar days that starts on `start`."""
    if limit < 0:
        raise ValueError("a time limit cannot be negative")
    if LimitUnit(unit) == LimitUnit.WORKING:
        return add_working_days(start, limit, calendar)
    if LimitUnit(unit) == LimitUnit.HOURS:
        return start + dt.timedelta(days=limit // 24)
    return next_working_day(start + dt.timedelta(days=limit), calendar)


def due_at(start: dt.datetime, hours: int) -> dt.datetime:
    """The moment a limit of `hours` elapsed hours that starts at `start` runs out."""
    if hours < 0:
        raise ValueError("a time limit cannot be negative")
    return start + dt.timedelta(hours=hours)


def period_end(start: dt.date, period: int, unit: LimitUnit | str, calendar: WorkCalendar) -> dt.date:
    """The day a minimum period of `period` working or calendar days that starts on `start` is complete (a
    notice posted for at least N days): start not counted, the N-th working day or the N-th day after it.
    Unlike `due_date`, a calendar-day period is not moved to the next working day: a minimum is satisfied
    once its days have run, rest days included, and moving it would lengthen the minimum. Closing on this
    day is allowed (the period completes that day)."""
    if period < 0:
        raise ValueError("a minimum period cannot be negative")
    if LimitUnit(unit) == LimitUnit.HOURS:
        raise ValueError("a minimum period is counted in days, not hours")
    if LimitUnit(unit) == LimitUnit.WORKING:
        return add_working_days(start, period, calendar)
    return start + dt.timedelta(days=period)


# --- the calendar in force -------------------------------------------------------------------------------
# The schedule is stored by the projects app (CalendarDay, CalendarYear); apps that sit beside it (supervision)
# read it through this hook, which projects registers when it loads. Without one, only weekends are rest days.
_calendar_source: Callable[[], WorkCalendar] | None = None
# From this day of December on, next year's schedule is expected (the State Council notice usually comes in
# November): pages that compute deadlines warn while it is missing.
NEXT_YEAR_WARNING_FROM = (12, 1)


def register_calendar_source(source: Callable[[], WorkCalendar]) -> None:
    global _calendar_source
    _calendar_source = source


def current_calendar() -> WorkCalendar:
    return _calendar_source() if _calendar_source is not None else WEEKENDS_ONLY


def missing_years(calendar: WorkCalendar, today: dt.date) -> list[int]:
    """The years a deadline computed today may fall in whose schedule is not entered: this year always, and next
    year from 1 December (a 90-day limit started then ends in it)."""
    years = [today.year]
    if (today.month, today.day) >= NEXT_YEAR_WARNING_FROM:
        years.append(today.year + 1)
    return [year for year in years if not calendar.knows(year)]
