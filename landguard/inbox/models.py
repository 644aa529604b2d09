"""The inbox (消息): one message to one person about one thing, written only by landguard.inbox.services.push.

A message stores a code and its parameters, not text: the page renders it in the reader's language through the
registry (landguard.inbox.registry), where each domain app declares the codes it sends. It names what it is about
by (subject_type, subject_id) — the model's label and primary key, as audit entries do — so the inbox holds no
foreign key into a domain app, and carries that subject's region code: the selectors show a message to its
recipient only while the subject lies inside the recipient's scope (a scope narrowed later hides the rest).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from landguard.inbox import registry


class Message(models.Model):
    class Kind(models.TextChoices):
        """What the reader is asked to do; each message code has one kind (the inbox filters by it)."""

        TODO = "todo", _("待办")
        ALERT = "alert", _("督办")
        REPORT = "report", _("报告")
        NOTICE = "notice", _("通知")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="inbox_messages",
                                  verbose_name=_("接收人"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.NOTICE)
    code = models.CharField(_("消息代码"), max_length=60)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    # What the message is about: its model's label ("supervision.task") and primary key; blank: nothing in particular.
    subject_type = models.CharField(_("关于"), max_length=60, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    region_code = models.CharField(_("数据范围"), max_length=12, blank=True, db_index=True)
    # Set for messages a recipient must get at most once (a report announced to its group): the unique
    # constraint below then refuses a second copy even from two loops racing each other.
    once_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        indexes = [models.Index(fields=["recipient", "read_at"], name="inbox_recipient_unread"),
                   models.Index(fields=["subject_type", "subject_id"], name="inbox_subject")]
        constraints = [models.UniqueConstraint(fields=["recipient", "once_key"], condition=~Q(once_key=""),
                                               name="inbox_once_per_recipient")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.rendered.title

    @property
    def body(self) -> str:
        return self.rendered.body

    @property
    def rendered(self) -> registry.Rendered:
        """Title, body and links in the active language (not cached: a page may switch language)."""
        return registry.render(self.code, self.params, subject_id=self.subject_id)
