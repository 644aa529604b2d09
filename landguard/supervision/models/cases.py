"""Enforcement cases (违法用地查处): the case, its events and its paused periods."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.audit import notes

from landguard.supervision.models.clues import Clue


class Case(models.Model):
    """An enforcement case (违法用地查处) opened from a clue; its status moves only along workflow.CASE_TRANSITIONS.

    `due_at` is the 90-day deadline moved by every finished excluded period (CasePause); `paused_at` is the
    start of the running one (None: the clock runs), so the deadline in force is due_at + (now − paused_at).
    """

    class Status(models.TextChoices):
        FILED = "filed", _("立案")
        INVESTIGATING = "investigating", _("调查取证")
        REVIEW = "review", _("审理（法制审核）")
        NOTICE = "notice", _("告知/听证")
        DECIDED = "decided", _("处理决定")
        SERVED = "served", _("送达")
        EXECUTING = "executing", _("执行")
        CLOSED = "closed", _("结案")

    clue = models.OneToOneField(Clue, models.PROTECT, related_name="case", verbose_name=_("线索"))
    number = models.CharField(_("立案号"), max_length=60, unique=True)
    party = models.CharField(_("当事人"), max_length=100)
    status = models.CharField(_("状态"), max_length=14, choices=Status.choices, default=Status.FILED, db_index=True)
    region_code = models.CharField(_("坐落区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    filed_at = models.DateTimeField(_("立案时间"), db_index=True)
    due_at = models.DateTimeField(_("办案期限"))
    paused_at = models.DateTimeField(_("计时中止自"), null=True, blank=True)
    illegal_area_m2 = models.FloatField(_("违法占地面积（平方米）"), default=0)
    farmland_m2 = models.FloatField(_("其中耕地（平方米）"), null=True, blank=True,
                                    help_text=_("由现场勾绘的占地范围叠加地类图斑计算（扣除田坎）；未勾绘为未测定"))
    occupied = models.MultiPolygonField(_("占地范围（现场勾绘）"), srid=4490, null=True, blank=True)
    review_opinion = models.CharField(_("法制审核意见"), max_length=300, blank=True)
    notice_served_at = models.DateTimeField(_("告知书送达时间"), null=True, blank=True)
    hearing_requested = models.BooleanField(_("申请听证"), default=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    served_at = models.DateTimeField(_("决定书送达时间"), null=True, blank=True)
    confiscated_m2 = models.FloatField(_("没收建筑物（平方米）"), default=0)
    demolished_m2 = models.FloatField(_("拆除建筑物（平方米）"), default=0)
    fine_yuan = models.DecimalField(_("罚款（元）"), max_digits=14, decimal_places=2, default=0)
    confiscated_income_yuan = models.DecimalField(_("没收违法所得（元）"), max_digits=14, decimal_places=2, default=0)
    restored_m2 = models.FloatField(_("复耕面积（平方米）"), default=0)
    referrals = models.PositiveIntegerField(_("移送纪检监察（人）"), default=0)
    referrals_done = models.PositiveIntegerField(_("移送已落实（人）"), default=0,
                                                 help_text=_("纪检监察机关已作出处理的人数"))
    referral_note = models.CharField(_("移送情况"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("立案人"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("执法案件")
        verbose_name_plural = _("执法案件")

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """Append-only history of a case: its transitions and the pauses and resumptions of its clock."""

    class Action(models.TextChoices):
        TRANSITION = "transition", _("办理")
        PAUSE = "pause", _("中止计时")
        RESUME = "resume", _("恢复计时")

    case = models.ForeignKey(Case, models.PROTECT, related_name="events", verbose_name=_("案件"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=80)
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices, default=Action.TRANSITION)
    from_status = models.CharField(_("原状态"), max_length=14, blank=True)
    to_status = models.CharField(_("新状态"), max_length=14)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    note_msgid = models.CharField(_("说明原文"), max_length=300, null=True, blank=True)  # landguard.audit.notes
    note_params = models.JSONField(_("说明参数"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")

    @property
    def to_status_label(self) -> str:
        """The status the event led to, as its label (the timeline never shows a status code)."""
        return str(dict(Case.Status.choices).get(self.to_status, self.to_status))

    @property
    def note_text(self) -> str:
        """The note in the reader's language (landguard.audit.notes)."""
        return notes.text_of(self)

    def __str__(self) -> str:
        what = self.to_status_label if self.action == self.Action.TRANSITION else self.get_action_display()
        return f"{self.case} {what}（{timezone.localtime(self.at):%Y-%m-%d %H:%M}）"


class CasePause(models.Model):
    """An excluded period of the 90-day clock (鉴定, 听证, 公告, 邮递 are not counted — domain.md §8): from the
    pause to the resumption. At most one is open per case."""

    class Kind(models.TextChoices):
        APPRAISAL = "appraisal", _("鉴定")
        HEARING = "hearing", _("听证")
        PUBLIC_NOTICE = "public_notice", _("公告")
        POSTAL = "postal", _("邮递")

    case = models.ForeignKey(Case, models.PROTECT, related_name="pauses", verbose_name=_("案件"))
    kind = models.CharField(_("不计入期间"), max_length=14, choices=Kind.choices)
    reason = models.CharField(_("中止理由"), max_length=300)
    started_at = models.DateTimeField(_("中止时间"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("中止人"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("恢复人"))
    end_note = models.CharField(_("恢复说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["case", "started_at", "id"]
        verbose_name = _("不计入办案期限的期间")
        verbose_name_plural = _("不计入办案期限的期间")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="casepause_one_open")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}（{timezone.localtime(self.started_at):%Y-%m-%d}）"
