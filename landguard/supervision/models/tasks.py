"""The verification task (核查任务) of a clue: its deadline policy, events, recipients, 三个一 deadlines,
escalations and photos."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.audit import notes

from landguard.people.models import FieldChief, OrgUnit
from landguard.supervision.models.clues import Clue, Severity, SourceKind


class ClockStart(models.TextChoices):
    """Where the 三个一 clock starts: when the task is dispatched (the default), or when the problem was discovered
    (the alarm, the clue's first detection) — then the time a triage took counts, and a late triage gives a task
    whose first deadlines are already missed."""

    DISPATCH = "dispatch", _("派发时起算")
    DISCOVERY = "discovery", _("发现（告警）时起算")


class DeadlinePolicy(models.Model):
    """三个一 durations for a region, source kind and/or severity; blank means "any". The most specific row
    wins: the most local region first, then kind, then severity. The winning row also says where the clock
    starts (a region's rule for 全部来源 sets it for the region)."""

    region_code = models.CharField(_("适用区划代码"), max_length=12, blank=True, db_index=True,
                                   help_text=_("该区划内的线索适用此规则；留空为全平台默认"))
    kind = models.CharField(_("线索来源"), max_length=12, choices=SourceKind.choices, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, blank=True)
    report_minutes = models.PositiveIntegerField(_("上报时限（分钟）"))
    onsite_minutes = models.PositiveIntegerField(_("到场制止时限（分钟）"))
    restore_minutes = models.PositiveIntegerField(_("恢复原状时限（分钟）"))
    clock_start = models.CharField(_("计时起点"), max_length=10, choices=ClockStart.choices,
                                   default=ClockStart.DISPATCH)

    class Meta:
        ordering = ["region_code", "kind", "severity"]
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "kind", "severity"], name="deadline_policy_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or _('全部来源')} / {self.get_severity_display() or _('全部')}"


class Task(models.Model):
    """The verification task (核查任务) a valid clue becomes, pushed to four recipients at once."""

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("已派发")
        REPORTED = "reported", _("已签收上报")
        ON_SITE = "on_site", _("已到场")
        VERIFIED = "verified", _("已核查")
        RESTORED = "restored", _("已恢复原状")
        CLOSED = "closed", _("已销号")

    class Outcome(models.TextChoices):
        ILLEGAL = "illegal", _("违法")
        LEGAL = "legal", _("合法")
        FALSE_ALARM = "false_alarm", _("误报")

    clue = models.OneToOneField(Clue, models.PROTECT, related_name="task", verbose_name=_("线索"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DISPATCHED,
                              db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    region_code = models.CharField(_("坐落区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    dispatched_at = models.DateTimeField(_("派发时间"), db_index=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                      verbose_name=_("派发人"))
    clock_start = models.CharField(_("计时起点"), max_length=10, choices=ClockStart.choices,
                                   default=ClockStart.DISPATCH)
    clock_started_at = models.DateTimeField(_("计时起算时间"), null=True, blank=True,
                                            help_text=_("三个一时限的起算时间；空为派发时间"))
    reported_at = models.DateTimeField(_("签收上报时间"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    checkin_location = models.PointField(_("到场定位"), srid=4490, null=True, blank=True)
    checkin_accuracy_m = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    outcome = models.CharField(_("核查结论"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(_("结论说明"), max_length=300, blank=True)
    illegal_area_m2 = models.FloatField(_("违法占地面积（平方米）"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("制止时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核查提交时间"), null=True, blank=True)
    restored_at = models.DateTimeField(_("恢复原状时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")

    def __str__(self) -> str:
        return f"RW{self.pk:06d}" if self.pk else "RW"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def triage_delay(self):
        """From discovery (the alarm, the clue's first detection) to dispatch: how long the triage took."""
        return max(self.dispatched_at - self.clue.first_seen, dt.timedelta(0))

    @property
    def clock_origin(self):
        return self.clock_started_at or self.dispatched_at


class TaskEvent(models.Model):
    """Append-only history of a task: every transition and field action, as it happened."""

    class Action(models.TextChoices):
        DISPATCH = "dispatch", _("派发")
        REPORT = "report", _("签收上报")
        CHECK_IN = "check_in", _("到场签到")
        OUTCOME = "outcome", _("提交核查结论")
        RESTORED = "restored", _("确认恢复原状")
        CLOSE = "close", _("销号")
        PHOTO_START = "photo_start", _("开始上传照片")
        PHOTO_MISMATCH = "photo_mismatch", _("照片校验不符")
        PHOTO_ACK = "photo_ack", _("照片已确认")
        ESCALATE = "escalate", _("超时升级")

    task = models.ForeignKey(Task, models.PROTECT, related_name="events", verbose_name=_("核查任务"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=80)
    action = models.CharField(_("动作"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    note_msgid = models.CharField(_("说明原文"), max_length=300, null=True, blank=True)  # landguard.audit.notes
    note_params = models.JSONField(_("说明参数"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("任务记录")
        verbose_name_plural = _("任务记录")

    @property
    def note_text(self) -> str:
        """The note in the reader's language (landguard.audit.notes)."""
        return notes.text_of(self)

    def __str__(self) -> str:
        return f"{self.task} {self.get_action_display()}（{timezone.localtime(self.at):%Y-%m-%d %H:%M}）"


class Recipient(models.Model):
    """One of the 四个推送: who the task was pushed to, chosen from the clue's location."""

    class Kind(models.TextChoices):
        SQUAD = "squad", _("执法中队")
        OFFICE = "office", _("乡镇自然资源所")
        GOVERNMENT = "government", _("乡镇人民政府（街道办事处）")
        FIELD_CHIEF = "field_chief", _("田长")

    task = models.ForeignKey(Task, models.PROTECT, related_name="recipients", verbose_name=_("核查任务"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("单位"))
    field_chief = models.ForeignKey(FieldChief, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("田长"))
    label = models.CharField(_("接收方"), max_length=120)

    class Meta:
        ordering = ["task", "id"]
        verbose_name = _("推送对象")
        verbose_name_plural = _("推送对象")

    def __str__(self) -> str:
        return f"{self.task} → {self.label}"


class Deadline(models.Model):
    """One 三个一 step of a task with its due time. The sweep marks a missed one breached, then climbs one
    field-chief level per further breach period while it stays unmet; `escalate_at` is when the next step is
    due (None: nothing left to climb, or the step was met or waived) and `escalation_level` how many steps
    were taken — the claim's version number, so each step is taken by exactly one sweep."""

    class Step(models.TextChoices):
        REPORT = "report", _("1小时上报")
        ON_SITE = "on_site", _("1小时到场制止")
        RESTORE = "restore", _("1昼夜恢复原状")

    task = models.ForeignKey(Task, models.PROTECT, related_name="deadlines", verbose_name=_("核查任务"))
    step = models.CharField(_("环节"), max_length=10, choices=Step.choices)
    due_at = models.DateTimeField(_("时限"), db_index=True)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    waived = models.BooleanField(_("无需办理"), default=False, help_text=_("如核查为合法或误报时的恢复原状环节"))
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("已升级次数"), default=0)
    escalate_at = models.DateTimeField(_("下次升级时间"), null=True, blank=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        constraints = [models.UniqueConstraint(fields=["task", "step"], name="deadline_unique_step")]
        indexes = [models.Index(fields=["met_at", "escalate_at"], name="deadline_escalate")]

    def __str__(self) -> str:
        return f"{self.task} {self.get_step_display()}"

    @property
    def on_time(self) -> bool | None:
        """True: met before the due time; False: breached or met late; None: still running or waived."""
        if self.waived:
            return None
        if self.met_at is not None:
            return self.met_at <= self.due_at
        return False if self.breached_at else None


class Escalation(models.Model):
    """One step of a breached deadline's climb: level 1 goes one field-chief level above the task's chiefs,
    each further level one more, always with the county bureau — each level once (unique)."""

    deadline = models.ForeignKey(Deadline, models.PROTECT, related_name="escalations", verbose_name=_("时限"))
    level = models.PositiveSmallIntegerField(_("升级次序"), default=1)
    at = models.DateTimeField(_("升级时间"))
    field_chief = models.ForeignKey(FieldChief, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("上级田长"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("县局"))
    worker = models.CharField(_("处理进程"), max_length=60, blank=True)

    class Meta:
        ordering = ["deadline", "level"]
        verbose_name = _("超时升级")
        verbose_name_plural = _("超时升级")
        constraints = [models.UniqueConstraint(fields=["deadline", "level"], name="escalation_unique_level")]

    def __str__(self) -> str:
        return f"{self.deadline} {_('第 %(n)s 级升级') % {'n': self.level}}"


class Photo(models.Model):
    """Field evidence: hashed on the phone, uploaded in chunks, acknowledged once the server's hash agrees."""

    class Kind(models.TextChoices):
        SITE = "site", _("现场照片")
        BEFORE = "before", _("整改前")
        AFTER = "after", _("恢复后")

    task = models.ForeignKey(Task, models.PROTECT, related_name="photos", verbose_name=_("核查任务"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    received = models.PositiveIntegerField(_("已接收（字节）"), default=0)
    location = models.PointField(_("拍摄位置"), srid=4490, null=True, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"))
    file = models.FileField(upload_to="supervision/photos/%Y%m/", blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        constraints = [models.UniqueConstraint(fields=["task", "sha256"], name="photo_unique_hash")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class FieldSubmission(models.Model):
    """离线提交: one field action (签收上报, 到场签到, 核查结论, 恢复原状) sent from a phone, by its idempotency key —
    the phone makes the key when the action is taken and sends it with every replay, so a replay after a lost answer,
    a dropped network or a new login finds this row and writes nothing again. `device_at` is the phone's clock when
    the action was taken; `effective_at` the time the task and the 三个一 clock record: the device time bounded by the
    server's receipt time (never later) and by the task's previous step (never earlier than the dispatch)."""

    class Action(models.TextChoices):
        REPORT = "report", _("签收上报")
        CHECK_IN = "check_in", _("到场签到")
        OUTCOME = "outcome", _("核查结论")
        RESTORE = "restore", _("恢复原状")

    key = models.CharField(_("幂等键"), max_length=64, unique=True)
    task = models.ForeignKey(Task, models.PROTECT, related_name="submissions", verbose_name=_("核查任务"))
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("提交人"))
    device_at = models.DateTimeField(_("手机时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("服务器接收时间"))
    effective_at = models.DateTimeField(_("记录时间"))

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("外业提交")
        verbose_name_plural = _("外业提交")

    def __str__(self) -> str:
        return f"{self.task} {self.get_action_display()}"
