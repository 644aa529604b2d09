"""The audited write path of supervision settings that admins keep on the pages (no Django admin needed):
cameras (position, height, radius, type — the coverage disc and the township recomputed on every change),
notification channels with a test message, and the 三个一 deadline rules per region, source and severity.
Alarm sources and their keys: intake.create_source / intake.rotate_key.

Every function checks that the record's region lies inside the actor's scope and that the actor manages
(admins only), and appends an audit entry in the same transaction. Secrets (a robot's 加签 key, the SMS
gateway's token) are never written to the audit trail: only that they changed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.functional import Promise

from landguard.audit import services as audit
from landguard.core.scope import scope_for
from landguard.supervision import channels, geo
from landguard.supervision.models import AlarmSource, Camera, Channel, ClockStart, DeadlinePolicy

CAMERA_FIELDS = ["code", "name", "device_type", "height_m", "radius_m", "scan_cycle_minutes", "region_code",
                 "is_active"]
CHANNEL_FIELDS = ["kind", "name", "url", "phones", "region_code", "is_active"]
POLICY_FIELDS = ["region_code", "kind", "severity", "report_minutes", "onsite_minutes", "restore_minutes",
                 "clock_start"]


def require_manager(actor, code: str) -> None:
    """Settings are admin work, and only inside the admin's scope ("" — platform-wide — for superusers only)."""
    if not getattr(actor, "can_manage", False):
        raise PermissionDenied(_("只有管理员可以修改配置。"))
    if not scope_for(actor).contains(code) and not (code == "" and actor.is_superuser):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))


# --- cameras ---------------------------------------------------------------------------------------------


@transaction.atomic
def update_camera(*, actor, camera: Camera, code: str, name: str, device_type: int, lon: float, lat: float,
                  height_m: float,
                  radius_m: float, is_active: bool, scan_cycle_minutes: int | None = None) -> Camera:
    """Edit a camera; a new position or radius redraws its coverage disc and relocates it to its township."""
    camera = Camera.objects.select_for_update().select_related("source__region").get(pk=camera.pk)
    require_manager(actor, camera.region_code)
    located = geo.locate(geo.point(lon, lat), camera.source.region)
    if located is None:
        raise ValidationError({"lon": _("点位不在%(county)s范围内") % {"county": camera.source.region.name}})
    require_manager(actor, located.township_code)
    before = audit.snapshot(camera, [*CAMERA_FIELDS, "position"])
    camera.code, camera.name, camera.device_type, camera.is_active = code.strip(), name.strip(), device_type, is_active
    camera.height_m, camera.radius_m, camera.scan_cycle_minutes = height_m, radius_m, scan_cycle_minutes
    camera.position, camera.coverage = geo.point(lon, lat), geo.circle(lon, lat, radius_m)
    camera.region_code = located.township_code
    camera.full_clean()
    camera.save()
    audit.record_update(actor=actor, target=camera, before=before, region_code=camera.region_code,
                        note=gettext_lazy("修改监控点位"))
    return camera


def create_camera(*, actor, source: AlarmSource, **values) -> Camera:
    require_manager(actor, source.region_code)
    from landguard.supervision import intake

    try:
        return intake.register_camera(actor=actor, source=source, **values)
    except ValidationError as exc:
        if "position" in getattr(exc, "error_dict", {}):
            raise ValidationError({"lon": exc.error_dict["position"]}) from None
        if "__all__" in getattr(exc, "error_dict", {}):  # the (source, code) constraint
            raise ValidationError({"code": _("该接入源已有此设备编号")}) from None
        raise


# --- notification channels ------------------------------------------------------------------------------


def _channel_audit(channel: Channel, before: dict, *, actor, secret_changed: bool, note: Promise) -> None:
    changes = audit.diff(before, audit.snapshot(channel, CHANNEL_FIELDS))
    if secret_changed:
        changes["secret"] = ["******" if before else None, "******"]  # that it changed, never the value
    if changes:
        audit.record(actor=actor, action="update" if before else "create", target=channel,
                     region_code=channel.region_code,
                     changes=changes, note=note)


@transaction.atomic
def save_channel(*, actor, channel: Channel | None, kind: str, name: str, url: str, secret: str | None, phones: str,
                 region_code: str, is_active: bool) -> Channel:
    """Create or edit a channel. `secret` None keeps the stored one (the form never shows it back)."""
    require_manager(actor, region_code)
    if channel is not None:
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        require_manager(actor, channel.region_code)
        before = audit.snapshot(channel, CHANNEL_FIELDS)
    else:
        channel, before = Channel(), {}
    if kind == Channel.Kind.SMS and not phones.strip():
        raise ValidationError({"phones": _("短信网关须填写接收手机号")})
    channel.kind, channel.name, channel.url, channel.phones = kind, name.strip(), url.strip(), phones.strip()
    channel.region_code, channel.is_active = region_code, is_active
    secret_changed = secret is not None and secret != channel.secret
    if secret is not None:
        channel.secret = secret
    channel.full_clean()
    channel.save()
    _channel_audit(channel, before, actor=actor, secret_changed=secret_changed and bool(channel.secret),
                   note=gettext_lazy("修改推送渠道") if before else gettext_lazy("新增推送渠道"))
    return channel


def send_test(*, actor, channel: Channel) -> channels.Outcome:
    """Send a test message through the channel's adapter now (not through the queue: the admin waits for the
    answer) and audit the attempt with its outcome."""
    require_manager(actor, channel.region_code)
    outcome = channels.send(channel, _("LandGuard 测试消息"),
                            _("这是一条测试消息，由 %(user)s 发送，用于检验推送渠道配置。") % {"user": actor})
    audit.record(actor=actor, action="update", target=channel, region_code=channel.region_code,
                 changes={"test": [None, _("成功") if outcome.ok else outcome.error or f"HTTP {outcome.status}"]},
                 note=gettext_lazy("发送测试消息"))
    return outcome


# --- deadline rules -----------------------------------------------------------------------------------------


@transaction.atomic
def save_policy(*, actor, policy: DeadlinePolicy | None, region_code: str, kind: str, severity: str,
                report_minutes: int,
                onsite_minutes: int, restore_minutes: int, clock_start: str = "dispatch") -> DeadlinePolicy:
    """Create or edit a 三个一 rule. It applies to tasks dispatched from then on; running deadlines keep theirs."""
    require_manager(actor, region_code)
    if policy is not None:
        policy = DeadlinePolicy.objects.select_for_update().get(pk=policy.pk)
        require_manager(actor, policy.region_code)
        before = audit.snapshot(policy, POLICY_FIELDS)
    else:
        policy, before = DeadlinePolicy(), None
    policy.region_code, policy.kind, policy.severity = region_code, kind, severity
    policy.report_minutes, policy.onsite_minutes, policy.restore_minutes = (report_minutes, onsite_minutes,
        restore_minutes)
    if clock_start not in ClockStart.values:
        raise ValidationError({"clock_start": _("请选择计时起点")})
    policy.clock_start = clock_start
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        raise ValidationError(_("该区划已有相同来源和严重程度的规则")) from None
    if before is None:
        audit.record_create(actor=actor, target=policy, region_code=region_code)
    else:
        audit.record_update(actor=actor, target=policy, before=before, region_code=region_code,
                            note=gettext_lazy("修改时限规则"))
    return policy


@transaction.atomic
def delete_policy(*, actor, policy: DeadlinePolicy) -> None:
    policy = DeadlinePolicy.objects.select_for_update().get(pk=policy.pk)
    require_manager(actor, policy.region_code)
    audit.record(actor=actor, action="delete", target=policy, region_code=policy.region_code,
                 changes={k: [v, None] for k, v in audit.snapshot(policy, POLICY_FIELDS).items()},
                 note=gettext_lazy("删除时限规则"))
    policy.delete()
