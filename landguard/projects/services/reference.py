"""Reference data of the battle map: service groups, their monthly red flags (流动红旗) and the holiday calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.people.models import Role, User
from landguard.core import clock
from landguard.core.scope import RegionScope, scope_codes
from landguard.projects.models import (
    CalendarDay,
    CalendarYear,
    RedFlag,
    ServiceGroup,
)
from landguard.regions.models import Level, Region
from landguard.projects.services.common import _require_writer
from landguard.projects.services.steps import refresh_due_dates



# --- service groups -------------------------------------------------------------------------------------


@transaction.atomic
def create_service_group(*, actor: User | None, region: Region, **values: Any) -> ServiceGroup:
    if actor is not None and not actor.can_manage:
        raise PermissionDenied(_("只有管理员可以设置服务组。"))
    _require_writer(actor, region.code)
    group = ServiceGroup(region=region, region_code=region.code, **values)
    group.full_clean()
    group.save()
    audit.record_create(actor=actor, target=group, region_code=group.region_code)
    return group


def can_award_red_flag(user: Any) -> bool:
    """The month's red flag is the leadership's decision: leaders and admins award it."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.role in (Role.ADMIN,
                                                                                                  Role.LEADER)))


@transaction.atomic
def award_red_flag(*, actor: User | None, region: Region, month: dt.date, group: ServiceGroup | None = None,
                   note: str = "", is_synthetic: bool = False) -> RedFlag:
    """Award `month`'s 流动红旗 for `region` (the awarding scope's root) to `group`, by default the ranking's first
    with a closed step; the month must be over, a group must have closed steps that month, and a month is awarded
    once (the unique constraint refuses a second, whoever clicks first wins)."""
    from landguard.projects import reports  # reports reads the selectors; imported here to keep services light

    if actor is not None and not can_award_red_flag(actor):
        raise PermissionDenied(_("只有领导或管理员可以授予流动红旗。"))
    _require_writer(actor, region.code)
    first, _last = reports.month_range(month)
    if first >= clock.today().replace(day=1):
        raise ValidationError({"month": _("%(month)s 尚未结束，月末后再授予流动红旗。") % {
            "month": f"{first:%Y-%m}"}})
    if RedFlag.objects.filter(region_code=region.code, month=first).exists():
        raise ValidationError({"month": _("%(month)s 的流动红旗已经授予。") % {"month": f"{first:%Y-%m}"}})
    ranked = reports.ranked(RegionScope(prefixes=scope_codes(region), root_code=region.code), first)
    chosen = next((g for g in ranked if group is None or g.pk == group.pk), None)
    if chosen is None:
        raise ValidationError({"group": _("%(month)s 没有办结环节的服务组，无法授予流动红旗。") % {
            "month": f"{first:%Y-%m}"} if group is None else _("该服务组当月没有办结环节，或不在评比范围内。")})
    flag = RedFlag(month=first, region=region, region_code=region.code, group=chosen, closed=chosen.closed,
                   ahead=chosen.ahead, on_time=chosen.on_time,
                   rate=Decimal(str(round(chosen.rate, 1))) if chosen.rate >= 0 else None, note=note.strip()[:200],
                   awarded_by=actor if getattr(actor, "pk", None) else None, is_synthetic=is_synthetic)
    flag.full_clean(exclude=["region", "group", "awarded_by"])
    flag.save()
    audit.record_create(actor=actor, target=flag, region_code=flag.region_code)
    return flag


# --- the holiday calendar -------------------------------------------------------------------------------


def can_edit_calendar(user: Any) -> bool:
    """The schedule is national: one county's admin must not move everyone's deadlines. A national admin (no scope
    region) or a provincial one (a province's scope: a province may add its own days, as in 2020) may edit it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.can_manage:
        return False
    return user.scope_region_id is None or user.scope_region.level == Level.PROVINCE


def _require_calendar_editor(actor: User | None) -> None:
    if actor is not None and not can_edit_calendar(actor):
        raise PermissionDenied(_("节假日安排全国统一，只有全国或省级管理员可以修改。"))


@transaction.atomic
def save_calendar_day(*, actor: User | None, date: dt.date, kind: str, name: str, note: str = "",
                      day: CalendarDay | None = None) -> CalendarDay:
    """Add a day (or change `day`) and move every open deadline to the new calendar."""
    _require_calendar_editor(actor)
    if day is not None:
        day = CalendarDay.objects.select_for_update().get(pk=day.pk)
        before = audit.snapshot(day)
    else:
        day, before = CalendarDay(), None
    day.date, day.kind, day.name, day.note = date, kind, name, note
    day.full_clean()
    day.save()
    moved = refresh_due_dates()
    note_text = _("重新计算了 %(count)s 个环节的期限") % {"count": moved}
    if before is None:
        audit.record_create(actor=actor, target=day, region_code="", note=note_text)
    else:
        audit.record_update(actor=actor, target=day, before=before, region_code="", note=note_text)
    return day


@transaction.atomic
def delete_calendar_day(*, actor: User | None, day: CalendarDay) -> int:
    _require_calendar_editor(actor)
    day = CalendarDay.objects.select_for_update().get(pk=day.pk)
    audit.record(actor=actor, action=AuditEntry.Action.DELETE, target=day, region_code="", changes={
        k: [v, None] for k, v in audit.snapshot(day).items()})
    day.delete()
    return refresh_due_dates()


# --- a year of the calendar from the State Council notice ------------------------------------------------

YEAR_FIELDS = ["year", "source_title", "source_date", "verified"]


@transaction.atomic
def enter_year(*, actor: User | None, year: int, source_title: str, source_date: dt.date,
               days: list[tuple[dt.date, str, str]], verified: bool = False) -> CalendarYear:
    """Enter (or re-enter) a year's schedule from its notice: every listed day is added or replaced, the year is
    recorded with its source, and every open deadline moves to the new calendar. `days` are (date, kind, name);
    a holiday block may start in the year before (2023's 元旦 began on 2022-12-31)."""
    _require_calendar_editor(actor)
    if not source_title.strip():
        raise ValidationError({"source_title": _("请填写通知的标题")})
    if not days:
        raise ValidationError({"days": _("请填写通知中的放假和调休上班日期")})
    if any(d.year not in (year - 1, year) for d, _kind, _name in days):
        raise ValidationError({"days": _("日期须在 %(year)s 年内（元旦假期可始于上一年末）") % {"year": year}})
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = audit.snapshot(entry, YEAR_FIELDS) if entry is not None else None
    entry = entry or CalendarYear(year=year)
    entry.source_title, entry.source_date = source_title.strip()[:200], source_date
    _mark(entry, actor, verified)
    entry.full_clean()
    entry.save()
    existing = {d.date: d for d in CalendarDay.objects.select_for_update().filter(date__in=[d for d, _k, _n in days])}
    for date, kind, name in days:
        day = existing.get(date) or CalendarDay(date=date)
        day.kind, day.name = kind, name[:40]
        day.full_clean()
        day.save()
    moved = refresh_due_dates()
    note = _("录入 %(days)s 天，重新计算了 %(count)s 个环节的期限") % {"days": len(days), "count": moved}
    if before is None:
        audit.record_create(actor=actor, target=entry, region_code="", note=note)
    else:
        audit.record_update(actor=actor, target=entry, before=before, region_code="", note=note)
    return entry


def _mark(entry: CalendarYear, actor: User | None, verified: bool) -> None:
    if verified and not entry.verified:
        entry.verified_at, entry.verified_by = clock.now(), actor if getattr(actor, "pk", None) else None
    elif not verified:
        entry.verified_at, entry.verified_by = None, None
    entry.verified = verified


@transaction.atomic
def verify_year(*, actor: User | None, entry: CalendarYear, source_title: str, source_date: dt.date) -> CalendarYear:
    """Mark a year checked against its notice day by day, with the notice named as its source."""
    _require_calendar_editor(actor)
    entry = CalendarYear.objects.select_for_update().get(pk=entry.pk)
    if not source_title.strip():
        raise ValidationError({"source_title": _("请填写通知的标题")})
    before = audit.snapshot(entry, YEAR_FIELDS)
    entry.source_title, entry.source_date = source_title.strip()[:200], source_date
    _mark(entry, actor, True)
    entry.save()
    audit.record_update(actor=actor, target=entry, before=before, region_code="",
                        note=gettext_lazy("已与通知原文逐日核对"))
    return entry
