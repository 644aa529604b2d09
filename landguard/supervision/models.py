"""Farmland protection supervision (田长制 + 铁塔视频 + 卫片执法): from a detection to a closed case.

    Detection ─┐ (fused by place and time)
    Detection ─┴→ Clue ──triage──→ Task ──(三个一 deadlines, field check-in, photos, outcome)──→ closed
                   │                 └→ four recipients, inbox + channel deliveries, escalations
                   └──→ Case (立案 … 结案, 90-day clock)
    PatchBatch → Patch (卫片图斑, judged 合法/违法/其他) → Clue

Every record carries `region_code` (the village, else the township, else the county it lies in) — the
scope key selectors filter on — and `township_code` for per-township statistics. Status histories
(TaskEvent, CaseEvent) are appended by the services and never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.people.models import FieldChief, OrgUnit
from landguard.regions.models import Region


class SourceKind(models.TextChoices):
    CAMERA = "camera", _("视频监控告警")
    SATELLITE = "satellite", _("卫片图斑")
    PATROL = "patrol", _("田长巡田发现")
    REPORT = "report", _("群众举报")
    HOTLINE = "hotline", _("12345热线")


class Severity(models.TextChoices):
    NORMAL = "normal", _("一般")
    SERIOUS = "serious", _("严重（涉及永久基本农田或生态保护红线）")


class AlarmSource(models.Model):
    """A system that pushes alarms over HTTP (a county's 铁塔视频 platform). Only the key's SHA-256 is kept."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("所属县（区）"))
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, help_text=_("用于辨认密钥，不能用于认证"))
    key_hash = models.CharField(max_length=64, unique=True)
    # A camera's own HTTP push (海康 ISAPI) offers only HTTP Basic with a password of at most 16 characters: a
    # second credential, a user name and a random 16-character password of which only the SHA-256 is kept.
    device_username = models.CharField(_("设备推送用户名"), max_length=32, unique=True, null=True, blank=True)
    device_password_hash = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_alarm_at = models.DateTimeField(_("最近告警"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("告警接入源")
        verbose_name_plural = _("告警接入源")

    def __str__(self) -> str:
        return self.name


class Camera(models.Model):
    class DeviceType(models.IntegerChoices):  # the video platforms' 设备类型 dictionary (domain.md §4)
        BULLET = 0, _("枪机")
        TOWER = 1, _("高空瞭望")
        EAGLE_EYE = 2, _("鹰眼")
        DOME = 3, _("球机")

    source = models.ForeignKey(AlarmSource, models.PROTECT, related_name="cameras", verbose_name=_("接入源"))
    code = models.CharField(_("设备编号"), max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    device_type = models.PositiveSmallIntegerField(_("设备类型"), choices=DeviceType.choices, default=DeviceType.TOWER)
    position = models.PointField(_("位置"), srid=4490)
    height_m = models.FloatField(_("架设高度（米）"))
    radius_m = models.FloatField(_("监控半径（米）"))
    coverage = models.PolygonField(_("覆盖范围"), srid=4490, help_text="geodesic circle of radius_m around position")
    region_code = models.CharField(_("所在区划代码"), max_length=12, db_index=True)
    is_active = models.BooleanField(_("在线"), default=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["region_code", "code"]
        verbose_name = _("监控点位")
        verbose_name_plural = _("监控点位")
        constraints = [models.UniqueConstraint(fields=["source", "code"], name="camera_unique_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Clue(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("待研判")
        VALID = "valid", _("有效，已派发核查")
        FALSE_ALARM = "false_alarm", _("误报")
        CLOSED = "closed", _("已销号")

    kind = models.CharField(_("线索来源"), max_length=12, choices=SourceKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    location = models.PointField(_("位置"), srid=4490)
    region_code = models.CharField(_("坐落区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    place_name = models.CharField(_("坐落"), max_length=200, blank=True)
    first_seen = models.DateTimeField(_("首次发现"), db_index=True)
    last_seen = models.DateTimeField(_("最近发现"), db_index=True)
    detection_count = models.PositiveIntegerField(_("告警次数"), default=0)
    # Enrichment by the overlay engine (None: not evaluated — no layer, or the engine refused the point).
    touches_farmland = models.BooleanField(_("涉及耕地"), null=True)
    touches_basic_farmland = models.BooleanField(_("涉及永久基本农田"), null=True)
    touches_eco_redline = models.BooleanField(_("涉及生态保护红线"), null=True)
    explained_by_approval = models.BooleanField(_("已批/已供可解释"), null=True)
    farmland_m2 = models.FloatField(_("涉及耕地面积（平方米）"), null=True, blank=True)
    main_land_code = models.CharField(_("主要地类"), max_length=10, blank=True)
    enrichment = models.JSONField(_("空间分析"), default=dict, blank=True)
    # 位置待核: the position is the camera's and only known to within `position_uncertainty_m` (its radius); such a
    # clue gets no land-class analysis and joins no other clue by distance until a field check-in places it.
    position_pending = models.BooleanField(_("位置待核"), default=False)
    position_uncertainty_m = models.FloatField(_("位置误差（米）"), null=True, blank=True)
    reporter_name = models.CharField(_("举报人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("举报人电话"), max_length=20, blank=True)
    triage_reason = models.CharField(_("研判意见"), max_length=300, blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("研判人"))
    triaged_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        indexes = [models.Index(fields=["status", "last_seen"], name="clue_open_recent")]

    def __str__(self) -> str:
        return f"XS{self.pk:06d} {self.title}" if self.pk else self.title

    @property
    def number(self) -> str:
        return f"XS{self.pk:06d}"


class Detection(models.Model):
    """One alarm, report or finding, kept as received; several may make one clue."""

    clue = models.ForeignKey(Clue, models.PROTECT, related_name="detections", verbose_name=_("线索"))
    kind = models.CharField(_("来源"), max_length=12, choices=SourceKind.choices)
    source = models.ForeignKey(AlarmSource, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("接入源"))
    event_id = models.CharField(_("事件编号"), max_length=100, blank=True)
    camera = models.ForeignKey(Camera, models.PROTECT, null=True, blank=True, related_name="detections", verbose_name=_("监控点位"))
    observed_at = models.DateTimeField(_("发生时间"))
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    location = models.PointField(_("位置"), srid=4490)
    bearing_deg = models.FloatField(_("方位角（度）"), null=True, blank=True)
    distance_m = models.FloatField(_("距离（米）"), null=True, blank=True)
    confidence = models.FloatField(_("置信度"), null=True, blank=True)
    image = models.FileField(_("图片"), upload_to="supervision/alarms/%Y%m/", blank=True)
    image_sha256 = models.CharField(_("图片 SHA-256"), max_length=64, blank=True)
    note = models.TextField(_("说明"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("登记人"))
    payload = models.JSONField(_("原始报文"), default=dict, blank=True)
    # The alarm named no target (a camera event without position): placed at the camera, to be placed on site.
    position_pending = models.BooleanField(_("位置待核"), default=False)

    class Meta:
        ordering = ["observed_at", "id"]
        verbose_name = _("告警")
        verbose_name_plural = _("告警")
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], condition=~Q(event_id=""),
                                               name="detection_unique_event")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_id or self.pk}"


class DeadlinePolicy(models.Model):
    """三个一 durations for a region, source kind and/or severity; blank means "any". The most specific row
    wins: the most local region first, then kind, then severity."""

    region_code = models.CharField(_("适用区划代码"), max_length=12, blank=True, db_index=True,
                                   help_text=_("该区划内的线索适用此规则；留空为全平台默认"))
    kind = models.CharField(_("线索来源"), max_length=12, choices=SourceKind.choices, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, blank=True)
    report_minutes = models.PositiveIntegerField(_("上报时限（分钟）"))
    onsite_minutes = models.PositiveIntegerField(_("到场制止时限（分钟）"))
    restore_minutes = models.PositiveIntegerField(_("恢复原状时限（分钟）"))

    class Meta:
        ordering = ["region_code", "kind", "severity"]
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        constraints = [models.UniqueConstraint(fields=["region_code", "kind", "severity"], name="deadline_policy_unique")]

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
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DISPATCHED, db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    region_code = models.CharField(_("坐落区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    dispatched_at = models.DateTimeField(_("派发时间"), db_index=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("派发人"))
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


class TaskEvent(models.Model):
    """Append-only history of a task: every transition and field action, as it happened."""

    task = models.ForeignKey(Task, models.PROTECT, related_name="events", verbose_name=_("核查任务"))
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=80)
    action = models.CharField(_("动作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("任务记录")
        verbose_name_plural = _("任务记录")


class Recipient(models.Model):
    """One of the 四个推送: who the task was pushed to, chosen from the clue's location."""

    class Kind(models.TextChoices):
        SQUAD = "squad", _("执法中队")
        OFFICE = "office", _("乡镇自然资源所")
        GOVERNMENT = "government", _("乡镇人民政府（街道办事处）")
        FIELD_CHIEF = "field_chief", _("田长")

    task = models.ForeignKey(Task, models.PROTECT, related_name="recipients", verbose_name=_("核查任务"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    field_chief = models.ForeignKey(FieldChief, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("田长"))
    label = models.CharField(_("接收方"), max_length=120)

    class Meta:
        ordering = ["task", "id"]
        verbose_name = _("推送对象")
        verbose_name_plural = _("推送对象")


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
    field_chief = models.ForeignKey(FieldChief, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("上级田长"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("县局"))
    worker = models.CharField(_("处理进程"), max_length=60, blank=True)

    class Meta:
        ordering = ["deadline", "level"]
        verbose_name = _("超时升级")
        verbose_name_plural = _("超时升级")
        constraints = [models.UniqueConstraint(fields=["deadline", "level"], name="escalation_unique_level")]


class Channel(models.Model):
    """An outside channel pushes go to besides the inbox: a 企业微信 or 钉钉 group robot, or an SMS gateway."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        SMS = "sms", _("短信网关")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接口地址"), max_length=500)
    secret = models.CharField(_("签名密钥或令牌"), max_length=200, blank=True,
                              help_text=_("钉钉“加签”密钥；短信网关的 Bearer 令牌"))
    phones = models.CharField(_("手机号"), max_length=500, blank=True, help_text=_("短信接收人或群内 @ 的手机号，逗号分隔"))
    region_code = models.CharField(_("适用区划代码"), max_length=12, db_index=True,
                                   help_text=_("该区划内的任务推送到此渠道"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["region_code", "kind", "name"]
        verbose_name = _("推送渠道")
        verbose_name_plural = _("推送渠道")

    def __str__(self) -> str:
        return self.name

    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.replace("，", ",").split(",") if p.strip()]


class Delivery(models.Model):
    """One message to one channel, with its attempts: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("失败")

    channel = models.ForeignKey(Channel, models.PROTECT, related_name="deliveries", verbose_name=_("渠道"))
    task = models.ForeignKey(Task, models.PROTECT, null=True, blank=True, related_name="deliveries", verbose_name=_("核查任务"))
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    response_status = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")


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

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class Patrol(models.Model):
    """A 巡田 round: sign-in, the GPS track, what was found."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("巡查人"))
    field_chief = models.ForeignKey(FieldChief, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("田长"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    region_code = models.CharField(_("巡查区域代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    started_at = models.DateTimeField(_("签到时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    track = models.JSONField(_("轨迹"), default=list, blank=True, help_text="[[lon, lat, iso time], …] as sent by the phone")
    distance_m = models.FloatField(_("里程（米）"), default=0)
    findings = models.TextField(_("发现问题"), blank=True)
    clue = models.ForeignKey(Clue, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("上报线索"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("巡田记录")
        verbose_name_plural = _("巡田记录")


class PatchBatch(models.Model):
    """One monthly delivery of 卫片 change patches (月度卫片执法), imported in one transaction."""

    name = models.CharField(_("批次名称"), max_length=100)
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("所属县（区）"))
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    patch_count = models.PositiveIntegerField(_("图斑数"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("卫片批次")
        verbose_name_plural = _("卫片批次")
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="patchbatch_unique_name")]

    def __str__(self) -> str:
        return self.name


class Judgement(models.TextChoices):
    LEGAL = "legal", _("合法")
    ILLEGAL = "illegal", _("违法")
    OTHER = "other", _("其他")


# Sub-reasons per judgement (domain.md §3; I: the common provincial structure — confirm with the 填报 template).
JUDGEMENT_REASONS: dict[str, list[tuple[str, str]]] = {
    Judgement.LEGAL: [("approved", _("已批/已供")), ("facility", _("设施农用地备案")), ("temporary", _("临时用地")),
                      ("rural_road", _("农村道路、农田水利")), ("pv", _("光伏按规定建设"))],
    Judgement.ILLEGAL: [("unapproved", _("未批先建")), ("over_occupied", _("少批多占")), ("illegal_approval", _("非法批地")),
                        ("destroyed", _("破坏耕地"))],
    Judgement.OTHER: [("pseudo", _("伪变化（实地未变化）")), ("internal", _("耕地内部调整、种植结构调整")),
                      ("disaster", _("自然灾毁")), ("restored_before", _("后时相前已拆除复耕"))],
}


class Patch(models.Model):
    class Rectification(models.TextChoices):
        NONE = "none", _("未整改")
        IN_PROGRESS = "in_progress", _("整改中")
        DONE = "done", _("已整改")

    class RectificationKind(models.TextChoices):
        RESTORED = "restored", _("拆除复耕")
        PERMIT = "permit", _("补办手续")
        CONFISCATED = "confiscated", _("没收")

    batch = models.ForeignKey(PatchBatch, models.PROTECT, related_name="patches", verbose_name=_("批次"))
    jcbh = models.CharField(_("图斑编号（JCBH）"), max_length=60)
    tblx = models.CharField(_("图斑类型（TBLX）"), max_length=10, blank=True)
    qsx = models.CharField(_("前时相（QSX）"), max_length=20, blank=True)
    hsx = models.CharField(_("后时相（HSX）"), max_length=20, blank=True)
    dlbm = models.CharField(_("原地类（DLBM）"), max_length=10, blank=True)
    sfyn = models.BooleanField(_("是否涉及永久基本农田（SFYN）"), null=True)
    sfhx = models.BooleanField(_("是否涉及生态保护红线（SFHX）"), null=True)
    declared_m2 = models.FloatField(_("面积 MJ（平方米）"), null=True, blank=True)
    area_m2 = models.FloatField(_("椭球面积（平方米）"))
    farmland_m2 = models.FloatField(_("占用耕地（平方米）"), null=True, blank=True, help_text=_("净面积（扣除田坎）"))
    basic_farmland_m2 = models.FloatField(_("占用永久基本农田（平方米）"), null=True, blank=True)
    approved_m2 = models.FloatField(_("已批用地覆盖（平方米）"), null=True, blank=True)
    main_code = models.CharField(_("主要地类（三调）"), max_length=10, blank=True)
    geom = models.MultiPolygonField(_("范围"), srid=4490)
    region_code = models.CharField(_("坐落区划代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    properties = models.JSONField(_("其他属性"), default=dict, blank=True)
    judgement = models.CharField(_("判定"), max_length=8, choices=Judgement.choices, blank=True)
    judgement_reason = models.CharField(_("判定依据"), max_length=20, blank=True)
    rectification = models.CharField(_("整改状态"), max_length=12, choices=Rectification.choices, blank=True)
    rectification_kind = models.CharField(_("整改方式"), max_length=12, choices=RectificationKind.choices, blank=True)
    evidence = models.TextField(_("举证材料说明"), blank=True)
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    judged_at = models.DateTimeField(_("判定时间"), null=True, blank=True)
    # Several patches may share a clue: a patch over an open camera clue joins it as one more detection.
    clue = models.ForeignKey(Clue, models.PROTECT, null=True, blank=True, related_name="patches", verbose_name=_("线索"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["batch", "jcbh"]
        verbose_name = _("卫片图斑")
        verbose_name_plural = _("卫片图斑")
        constraints = [models.UniqueConstraint(fields=["batch", "jcbh"], name="patch_unique_jcbh")]

    def __str__(self) -> str:
        return self.jcbh

    def get_judgement_reason_display(self) -> str:
        return str(dict(JUDGEMENT_REASONS.get(self.judgement, [])).get(self.judgement_reason, self.judgement_reason))


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
    farmland_m2 = models.FloatField(_("其中耕地（平方米）"), default=0)
    review_opinion = models.CharField(_("法制审核意见"), max_length=300, blank=True)
    notice_served_at = models.DateTimeField(_("告知书送达时间"), null=True, blank=True)
    hearing_requested = models.BooleanField(_("申请听证"), default=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    served_at = models.DateTimeField(_("决定书送达时间"), null=True, blank=True)
    confiscated_m2 = models.FloatField(_("没收建筑物（平方米）"), default=0)
    demolished_m2 = models.FloatField(_("拆除建筑物（平方米）"), default=0)
    fine_yuan = models.DecimalField(_("罚款（元）"), max_digits=14, decimal_places=2, default=0)
    restored_m2 = models.FloatField(_("复耕面积（平方米）"), default=0)
    referrals = models.PositiveIntegerField(_("移送纪检监察（人）"), default=0)
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

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")


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
        constraints = [models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="casepause_one_open")]
