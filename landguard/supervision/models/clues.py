"""Where a clue comes from and the clue itself: alarm sources, cameras, clues, their detections, patrols."""

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
    scan_cycle_minutes = models.PositiveIntegerField(
        _("巡航周期（分钟）"), null=True, blank=True,
        help_text=_("云台按预置位巡航一周、回到同一地块所需的时间；固定朝向的枪机不填"))
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
        PREJUDGED = "prejudged", _("已初判，待所长决定")
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


class ClueEvent(models.Model):
    """Append-only status history of a clue (登记 → 初判 → 所长决定 → 销号), written by the services; the
    period figures of the dashboard count these rows, so "pushed to the office head" is a fact, not a flag."""

    clue = models.ForeignKey(Clue, models.PROTECT, related_name="events", verbose_name=_("线索"))
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=80)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Clue.Status.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")
        indexes = [models.Index(fields=["to_status", "at"], name="clueevent_status_at")]

    def __str__(self) -> str:
        return f"{self.clue.number} {Clue.Status(self.to_status).label}"


class Detection(models.Model):
    """One alarm, report or finding, kept as received; several may make one clue."""

    clue = models.ForeignKey(Clue, models.PROTECT, related_name="detections", verbose_name=_("线索"))
    kind = models.CharField(_("来源"), max_length=12, choices=SourceKind.choices)
    source = models.ForeignKey(AlarmSource, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("接入源"))
    event_id = models.CharField(_("事件编号"), max_length=100, blank=True)
    camera = models.ForeignKey(Camera, models.PROTECT, null=True, blank=True, related_name="detections",
                               verbose_name=_("监控点位"))
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


class Patrol(models.Model):
    """A 巡田 round: sign-in, the GPS track, what was found."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("巡查人"))
    field_chief = models.ForeignKey(FieldChief, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("田长"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("单位"))
    region_code = models.CharField(_("巡查区域代码"), max_length=12, db_index=True)
    township_code = models.CharField(_("乡镇代码"), max_length=12, db_index=True)
    started_at = models.DateTimeField(_("签到时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    track = models.JSONField(_("轨迹"), default=list, blank=True,
                             help_text="[[lon, lat, iso time], …] as sent by the phone")
    distance_m = models.FloatField(_("里程（米）"), default=0)
    findings = models.TextField(_("发现问题"), blank=True)
    clue = models.ForeignKey(Clue, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("上报线索"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("巡田记录")
        verbose_name_plural = _("巡田记录")

    def __str__(self) -> str:
        return f"{self.user} {_('巡田')} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"
