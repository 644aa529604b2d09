from __future__ import annotations

import datetime as dt

from django.db.models import Count, Model, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from landguard.audit.models import AuditEntry
from landguard.core.scope import RegionScope


def entries(scope: RegionScope) -> QuerySet[AuditEntry]:
    return scope.filter(AuditEntry.objects.all(), "region_code")


def history_of(scope: RegionScope, obj: Model) -> QuerySet[AuditEntry]:
    """The history shown on a record's page: oldest first, as it happened."""
    return entries(scope).filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)).order_by("at", "id")


def entries_per_day(scope: RegionScope, days: int) -> list[tuple[dt.date, int]]:
    """Entries per Shanghai calendar day for the last `days` days, zero-filled, oldest first."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    day = TruncDate("at", tzinfo=timezone.get_current_timezone())
    counts = {row["day"]: row["n"]
              for row in entries(scope).filter(at__gte=start).order_by().annotate(day=day).values("day").annotate(
                  n=Count("pk"))}
    return [(first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0)) for i in range(days)]
