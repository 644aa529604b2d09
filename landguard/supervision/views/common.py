"""What the 耕地保护 views share: local times, the township filter, yes/no cells, error messages, a task's
page context (desk and field) and the ?year= of the statistics pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.shell.listing import text_filter
from landguard.supervision.models import Photo, Task


def local_time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def in_township(values: dict[str, Any], qs: QuerySet, field: str = "township_code") -> QuerySet:
    if township := values.get("township"):
        qs = qs.filter(**{f"{field}__startswith": township.code})
    return qs


def yes_no(value: bool | None) -> str | None:
    return None if value is None else (_("是") if value else _("否"))


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc) or _("该操作超出您的权限。")


def duration_text(delta: dt.timedelta) -> str:
    """A duration as people say it: 45 分钟, 3 小时 5 分钟, 2 天 4 小时."""
    minutes = int(delta.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s 小时 %(m)s 分钟") % {"h": hours, "m": mins}
    return _("%(m)s 分钟") % {"m": mins}


def photo_groups(task: Task | None) -> list[tuple[str, list[Photo]]]:
    """A task's photos by kind, in the order they are taken: 现场, 整改前, 恢复后 (before beside after)."""
    if task is None:
        return []
    photos = list(task.photos.order_by("created_at", "id"))
    return [(str(label), group) for kind, label in Photo.Kind.choices
            if (group := [p for p in photos if p.kind == kind])]


def task_context(scope: RegionScope, task: Task) -> dict[str, Any]:
    deadlines = task.deadlines.prefetch_related("escalations__field_chief__user").order_by("due_at")
    return {"task": task, "clue": task.clue, "triage_delay": duration_text(task.triage_delay),
            # under a discovery clock a late triage gives a task whose first deadline had passed when it was sent
            "born_breached": any(d.due_at <= task.dispatched_at for d in deadlines if not d.waived),
            "recipients": task.recipients.select_related("org_unit", "field_chief__user"),
            "deadlines": deadlines,
            "events": task.events.all(),
            "photos": task.photos.order_by("created_at"), "photo_groups": photo_groups(task),
            "deliveries": task.deliveries.select_related("channel")[:50],
            "history": audit_selectors.history_of(scope, task)}


def year_param(request: HttpRequest) -> int:
    try:
        return max(2000, min(2100, int(request.GET.get("year") or clock.today().year)))
    except ValueError:
        return clock.today().year


def number_or_text(queryset: QuerySet, text: str | None, prefix: str, *fields: str) -> QuerySet:
    """A list's search box: a record number ("XS000123", "rw123": the prefix and the id) finds that record, any other
    text the rows whose `fields` contain it."""
    if text and (match := re.fullmatch(rf"{prefix}0*(\d+)", text.strip(), re.IGNORECASE)):
        return queryset.filter(pk=int(match[1]))
    return text_filter(queryset, text, *fields)
