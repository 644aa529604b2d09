"""The audit trail: every create, update and state change of a business record, appended, never edited.

The database itself refuses UPDATE and DELETE on this table (triggers in migration 0002), so the
guarantee does not depend on every code path remembering it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        STATE = "state", _("状态变更")
        IMPORT = "import", _("导入")
        DELETE = "delete", _("删除")
        VIEW = "view", _("查看")  # a view of personal data that must be accounted for (a full ID number)

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              db_constraint=False)
    actor_name = models.CharField(_("操作人"), max_length=80,
                                  help_text="snapshot: stays readable if the user is renamed")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=60, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=40, db_index=True)
    target_repr = models.CharField(_("对象"), max_length=200)
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, help_text="{field: [before, after]}")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # The note's msgid and parameters (landguard.audit.notes): rendered in each reader's language. Nullable, so
    # adding them altered the append-only table in place (SQLite would otherwise rebuild it without its triggers).
    note_msgid = models.CharField(_("说明原文"), max_length=300, null=True, blank=True)
    note_params = models.JSONField(_("说明参数"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        indexes = [models.Index(fields=["target_type", "target_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_repr}"
