"""Reference data of the battle map: service groups and the holiday calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.people.models import User
from landguard.projects.models import (
    CalendarDay,
    ServiceGroup,
)
from landguard.regions.models import Region
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


# --- the holiday calendar -------------------------------------------------------------------------------


def _require_calendar_editor(actor: User | None) -> None:
    # The schedule is national: one county's admin must not move everyone's deadlines.
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("节假日安排全国统一，只有系统管理员可以修改。"))


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
