from __future__ import annotations

from django.db.models import Model, QuerySet

from landguard.audit.models import AuditEntry
from landguard.core.scope import RegionScope


def entries(scope: RegionScope) -> QuerySet[AuditEntry]:
    return scope.filter(AuditEntry.objects.all(), "region_code")


def history_of(scope: RegionScope, obj: Model) -> QuerySet[AuditEntry]:
    """The history shown on a record's page: oldest first, as it happened."""
    return entries(scope).filter(target_type=obj._meta.label_lower, target_id=str(obj.pk)).order_by("at", "id")
