"""Every date rule of the working-day calendar: weekends, public holidays, adjusted working days (调休),
working-day and calendar-day limits, and the seeded official schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from landguard.core.workdays import (
    WEEKENDS_ONLY,
    LimitUnit,
    WorkCalendar,
    add_working_days,
    due_date,
    next_working_day,
    working_days_between,
)
from landguard.projects.calendar import OFFICIAL_SCHEDULE, official_days, work_calendar

D = dt.date
# The 2025 schedule (国办发明电〔2024〕12号), as the seeded rows hold it.
CAL_2025 = WorkCalendar.of(
    holidays=[d for d, kind, _n in official_days(2025) if kind == "holiday"],
    workdays=[d for d, kind, _n in official_days(2025) if kind == "workday"],
)


def test_weekdays_work_and_weekends_rest_without_a_schedule():
    assert WEEKENDS_ONLY.is_working_day(D(2027, 3, 5))  # Friday
    assert not WEEKENDS_ONLY.is_working_day(D(2027, 3, 6))  # Saturday
    assert not WEEKENDS_ONLY.is_working_day(D(2027, 3, 7))  # Sunday


def test_a_public_holiday_on_a_weekday_is_not_a_working_day():
    assert not CAL_2025.is_working_day(D(2025, 1, 1))  # 元旦, Wednesday
    assert not CAL_2025.is_working_day(D(2025, 10, 8))  # 国庆中秋, Wednesday


def test_an_adjusted_working_day_on_a_weekend_is_a_working_day():
    assert D(2025, 1, 26).weekday() == 6 and CAL_2025.is_working_day(D(2025, 1, 26))  # 春节调休, Sunday
    assert D(2025, 2, 8).weekday() == 5 and CAL_2025.is_working_day(D(2025, 2, 8))  # Saturday
    assert CAL_2025.is_working_day(D(2025, 4, 27)) and CAL_2025.is_working_day(D(2025, 9, 28))
    assert CAL_2025.is_working_day(D(2025, 10, 11))


def test_working_days_skip_weekends_and_the_start_day_is_not_counted():
    monday = D(2025, 3, 3)
    assert add_working_days(monday, 0, CAL_2025) == monday
    assert add_working_days(monday, 1, CAL_2025) == D(2025, 3, 4)
    assert add_working_days(D(2025, 3, 7), 1, CAL_2025) == D(2025, 3, 10)  # Friday + 1 → Monday
    assert add_working_days(monday, 10, CAL_2025) == D(2025, 3, 17)


def test_working_days_skip_the_spring_festival_and_count_its_adjusted_saturday():
    # Fri 2025-01-24 + 1: Sat 25 rests, Sun 26 is an adjusted working day.
    assert add_working_days(D(2025, 1, 24), 1, CAL_2025) == D(2025, 1, 26)
    # Mon 27 works, 28 Jan – 4 Feb rest, Wed 5 Feb works: 2 working days after Sunday 26.
    assert add_working_days(D(2025, 1, 26), 2, CAL_2025) == D(2025, 2, 5)
    # Sat 8 Feb is an adjusted working day: Fri 7 + 1 → Sat 8.
    assert add_working_days(D(2025, 2, 7), 1, CAL_2025) == D(2025, 2, 8)


def test_working_days_across_the_national_day_week():
    # Fri 2025-09-26 → Sun 28 (adjusted working day) → Mon 29, Tue 30 → 1–8 Oct rest → Thu 9, Fri 10, Sat 11 (adjusted).
    assert add_working_days(D(2025, 9, 26), 1, CAL_2025) == D(2025, 9, 28)
    assert add_working_days(D(2025, 9, 26), 4, CAL_2025) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 26), 6, CAL_2025) == D(2025, 10, 11)


def test_negative_working_days_count_backwards():
    assert add_working_days(D(2025, 2, 5), -2, CAL_2025) == D(2025, 1, 26)


def test_working_days_between_counts_the_end_day_not_the_start_day():
    assert working_days_between(D(2025, 3, 3), D(2025, 3, 3), CAL_2025) == 0
    assert working_days_between(D(2025, 3, 3), D(2025, 3, 10), CAL_2025) == 5
    assert working_days_between(D(2025, 1, 24), D(2025, 2, 8), CAL_2025) == 6  # 26, 27 Jan; 5, 6, 7, 8 Feb
    assert working_days_between(D(2025, 3, 10), D(2025, 3, 3), CAL_2025) == -5


def test_working_days_between_is_the_inverse_of_add_working_days():
    start = D(2025, 1, 20)
    for n in range(0, 60, 7):
        assert working_days_between(start, add_working_days(start, n, CAL_2025), CAL_2025) == n


def test_a_working_day_limit_ends_on_the_nth_working_day():
    assert due_date(D(2025, 9, 26), 6, LimitUnit.WORKING, CAL_2025) == D(2025, 10, 11)
    assert due_date(D(2025, 9, 26), 6, "working", CAL_2025) == D(2025, 10, 11)


def test_a_calendar_day_limit_counts_every_day():
    assert due_date(D(2025, 3, 3), 10, LimitUnit.CALENDAR, CAL_2025) == D(2025, 3, 13)


def test_a_calendar_day_limit_ending_on_a_weekend_moves_to_the_next_working_day():
    assert due_date(D(2025, 3, 3), 5, LimitUnit.CALENDAR, CAL_2025) == D(2025, 3, 10)  # Sat 8 → Mon 10


def test_a_calendar_day_limit_ending_in_a_holiday_moves_to_the_day_after_it():
    assert due_date(D(2025, 9, 25), 7, LimitUnit.CALENDAR, CAL_2025) == D(2025, 10, 9)  # Thu 2 Oct → Thu 9 Oct
    # Sunday but adjusted working day
    assert due_date(D(2025, 1, 25), 1, LimitUnit.CALENDAR, CAL_2025) == D(2025, 1, 26)


def test_next_working_day_keeps_a_working_day():
    assert next_working_day(D(2025, 3, 3), CAL_2025) == D(2025, 3, 3)
    assert next_working_day(D(2025, 5, 1), CAL_2025) == D(2025, 5, 6)


def test_a_negative_limit_is_refused():
    with pytest.raises(ValueError):
        due_date(D(2025, 3, 3), -1, LimitUnit.WORKING, CAL_2025)


def test_the_same_limit_ends_later_with_holidays_than_with_weekends_only():
    assert due_date(D(2025, 1, 27), 3, "working", WEEKENDS_ONLY) == D(2025, 1, 30)
    assert due_date(D(2025, 1, 27), 3, "working", CAL_2025) == D(2025, 2, 7)


def test_the_calendar_knows_which_years_it_holds():
    assert CAL_2025.knows(2025) and not CAL_2025.knows(2027)


def test_official_schedules_match_the_notices_day_counts():
    def off(year: int, name: str) -> int:
        return sum(1 for _d, kind, n in official_days(year) if kind == "holiday" and n == name)

    assert off(2025, "春节") == 8 and off(2025, "劳动节") == 5 and off(2025, "国庆节、中秋节") == 8
    assert off(2026, "春节") == 9 and off(2026, "国庆节") == 7
    for year in OFFICIAL_SCHEDULE:
        for day, kind, _name in official_days(year):
            # Adjusted working days fall on weekends; holidays are whole days off, never on an adjusted day.
            assert kind == "holiday" or day.weekday() >= 5, day


@pytest.mark.django_db
def test_the_seeded_calendar_holds_both_official_years():
    calendar = work_calendar()
    assert calendar.knows(2025) and calendar.knows(2026)
    assert not calendar.is_working_day(D(2026, 2, 17))  # 春节
    assert calendar.is_working_day(D(2026, 1, 4))  # 元旦调休, Sunday
    assert add_working_days(D(2026, 2, 13), 1, calendar) == D(2026, 2, 14)  # Saturday adjusted working day
    assert add_working_days(D(2026, 2, 14), 1, calendar) == D(2026, 2, 24)


@pytest.mark.django_db
def test_the_past_years_2020_to_2024_are_seeded_so_histories_count_right():
    calendar = work_calendar()
    assert all(calendar.knows(year) for year in (2020, 2021, 2022, 2023, 2024))
    # 10 working days from Friday 2021-09-24 across 国庆 2021: Sun 26 Sep (adjusted) 1, 27–30 Sep 2–5, 1–7 Oct rest,
    # Fri 8 Oct 6, Sat 9 Oct (adjusted) 7, 11, 12, 13 Oct 8–10.
    assert add_working_days(D(2021, 9, 24), 10, calendar) == D(2021, 10, 13)
    assert working_days_between(D(2021, 9, 24), D(2021, 10, 13), calendar) == 10
    # 2024 春节: Fri 9 Feb + 1 → Sun 18 Feb, an adjusted working day.
    assert add_working_days(D(2024, 2, 9), 1, calendar) == D(2024, 2, 18)
    # 2023 元旦 began on Saturday 2022-12-31 and ran to Monday 2 January.
    assert not calendar.is_working_day(D(2023, 1, 2)) and calendar.is_working_day(D(2023, 1, 3))


@pytest.mark.django_db
def test_2020_includes_the_spring_festival_extension_to_2_february():
    calendar = work_calendar()
    # 国办发明电〔2020〕1号: 31 Jan – 2 Feb off, and Saturday 1 Feb no longer an adjusted working day.
    assert not calendar.is_working_day(D(2020, 1, 31)) and not calendar.is_working_day(D(2020, 2, 1))
    assert add_working_days(D(2020, 1, 23), 1, calendar) == D(2020, 2, 3)
    assert calendar.is_working_day(D(2020, 1, 19))  # 春节调休, Sunday
