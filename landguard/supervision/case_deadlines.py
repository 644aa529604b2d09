"""The time limits of an enforcement case, one table: each kind's length, its unit (working or calendar days), and
whether a calendar-day limit whose last day is a rest day (a weekend or public holiday) rolls to the next working day.

- 行政处罚法 第85条: "二日""三日""五日""七日" are working days (工作日), not counting statutory holidays — so the
  陈述申辩 window (部令第12号 第33条) and the 听证 request window (行政处罚法 第64条, 部令第12号 第34条) are 5
  working days after the notice is served.
- 行政处罚法 第60条: decide within 90 days of 立案 — a calendar-day limit. Whether it rolls over when it ends on a
  rest day is a rule per kind; it is on for the procedural limits by default (民法典 第203条: a period whose last
  day is a statutory rest day ends on the day after the rest).

The table is configurable: the Django setting SUPERVISION_CASE_DEADLINE_RULES maps a kind's key to the fields it
changes ({"decision": {"rolls_over": False}}), read at call time; the lengths of the two existing tunables
(SUPERVISION_CASE_DAYS, SUPERVISION_NOTICE_DAYS) still apply. The case page prints the table as in force.

Counting: the day the limit starts is not counted. A working-day limit ends on the N-th working day after it; a
calendar-day limit N days after it, at the same time of day (the 90-day clock has always run from the minute of
立案), moved to the next working day when it rolls over. The 陈述申辩/听证 window runs to the end of its last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from landguard.core.workdays import LimitUnit, WorkCalendar, add_working_days, current_calendar, next_working_day
from landguard.supervision import tunables

DECISION, STATEMENT, HEARING = "decision", "statement", "hearing_request"


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    label: str | Promise
    days: int
    unit: LimitUnit
    rolls_over: bool  # a calendar-day limit ending on a rest day moves to the next working day
    basis: str | Promise

    @property
    def unit_label(self) -> str | Promise:
        return _("工作日") if self.unit == LimitUnit.WORKING else _("自然日")

    @property
    def rollover_label(self) -> str | Promise:
        if self.unit == LimitUnit.WORKING:
            return _("按工作日计，届满日总是工作日")
        return _("届满日为休息日的，顺延至其后第一个工作日") if self.rolls_over else _("不顺延")


def _defaults() -> list[DeadlineRule]:
    return [
        DeadlineRule(DECISION, _("作出处理决定（立案后，不计鉴定、听证、公告、邮递期间）"),
                     int(tunables.get("SUPERVISION_CASE_DAYS")), LimitUnit.CALENDAR, True,
                     _("行政处罚法 第60条；民法典 第203条")),
        DeadlineRule(STATEMENT, _("陈述申辩（告知书送达后）"), int(tunables.get("SUPERVISION_NOTICE_DAYS")),
                     LimitUnit.WORKING, True, _("行政处罚法 第85条；自然资源行政处罚办法 第33条")),
        DeadlineRule(HEARING, _("申请听证（听证告知书送达后）"), int(tunables.get("SUPERVISION_NOTICE_DAYS")),
                     LimitUnit.WORKING, True, _("行政处罚法 第64条、第85条；自然资源行政处罚办法 第34条")),
    ]


def rules() -> dict[str, DeadlineRule]:
    """The table in force: the defaults changed by SUPERVISION_CASE_DEADLINE_RULES."""
    overrides: dict[str, dict[str, Any]] = getattr(settings, "SUPERVISION_CASE_DEADLINE_RULES", {}) or {}
    table = {}
    for rule in _defaults():
        changes = dict(overrides.get(rule.key, {}))
        if "unit" in changes:
            changes["unit"] = LimitUnit(changes["unit"])
        table[rule.key] = replace(rule, **{k: v for k, v in changes.items() if k in ("days", "unit", "rolls_over")})
    return table


def due(rule: DeadlineRule, start: dt.datetime, calendar: WorkCalendar | None = None, *,
        extra: dt.timedelta = dt.timedelta(0)) -> dt.datetime:
    """When a limit of `rule` that starts at `start` runs out; `extra` (excluded periods) lengthens it first."""
    calendar = calendar or current_calendar()
    local = timezone.localtime(start + extra)
    if rule.unit == LimitUnit.WORKING:
        last = add_working_days(local.date(), rule.days, calendar)
        return _end_of(last)
    end = local + dt.timedelta(days=rule.days)
    if rule.rolls_over:
        end += next_working_day(end.date(), calendar) - end.date()
    return end


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (its 24:00) in local time: a window counted in days runs to the end of its last."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def decision_due(filed_at: dt.datetime, excluded: dt.timedelta = dt.timedelta(0),
                 calendar: WorkCalendar | None = None) -> dt.datetime:
    return due(rules()[DECISION], filed_at, calendar, extra=excluded)


def window_end(notice_served_at: dt.datetime, calendar: WorkCalendar | None = None) -> dt.datetime:
    """The end of the 陈述申辩 and 听证 windows (the later one): the decision may be made from then on."""
    table = rules()
    return max(due(table[STATEMENT], notice_served_at, calendar), due(table[HEARING], notice_served_at, calendar))
