"""The shape every append-only status history shares (报批卷宗, 成片开发方案, 供地记录, 两清事项, 环节, 问题): the
business date of the change, when it was recorded, who made it and why. Each history names the record it belongs to
and its own from_status / to_status with that record's choices; the rows are only ever added (services write them
beside the change, in the same transaction)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatusChange(models.Model):
    on = models.DateField(_("业务日期"))
    at = models.DateTimeField(_("记录时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("操作人"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def transition(self) -> str:
        """"原状态 → 新状态" in the reader's language ("—" for the first row)."""
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"  # type: ignore[attr-defined]
