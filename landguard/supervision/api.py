"""Supervision in the REST API: the camera-alarm intake (POST /api/supervision/alarms/, authenticated by the
source's API key) and read-only clues, tasks, cases and cameras in the caller's scope.

Alarm intake, request:

    POST /api/supervision/alarms/
    Authorization: Bearer lgk_…            (or X-API-Key: lgk_…)
    Content-Type: application/json
    {"event_id": "E-20250601-0001", "camera_id": "GX-T001", "time": "2025-06-01T10:15:00+08:00",
     "target": {"lon": 115.44, "lat": 36.48}     — or —     "bearing": 135.0, "distance": 820,
     "image": "<base64 JPEG, optional>", "confidence": 0.93, "note": "挖掘机作业"}

or multipart/form-data with the same JSON in a `data` part and the image as an `image` file part. Without
target and bearing the alarm is placed at the camera and marked 位置待核 (see intake.Alarm.at_camera).
A camera's own push (海康 ISAPI, HTTP Basic) goes to POST /api/supervision/alarms/isapi/ (device_alarm_intake).
Answers: 201 new ({"clue", "detection", "duplicate": false}); 200 the same event again ("duplicate": true,
nothing stored); 401 no or unknown key; 403 source disabled; 400 malformed JSON or a bad field, naming
it ({"error", "field"}); 413 body or image over the limit; 422 unknown camera or a target outside the
source's county. Nothing is stored unless the answer is 201.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from typing import Any

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from landguard.shell.api import ScopedViewSetMixin
from landguard.core.access import public
from landguard.core.dbwrite import is_locked, retry_when_locked
from landguard.supervision import intake, isapi, selectors, tunables
from landguard.supervision.models import AlarmSource, Camera, Case, Clue, Task


class BadField(Exception):
    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def _ingest(source: AlarmSource, alarm: intake.Alarm) -> intake.Intake | JsonResponse:
    """The alarm taken in, or the error answer: its refusal, or 503 with Retry-After when the embedded database
    stayed locked through every turn of a burst (the camera keeps the event and sends it again; never a 500)."""
    try:
        return retry_when_locked(lambda: intake.ingest_alarm(source=source, alarm=alarm))
    except intake.Rejected as exc:
        return _error(exc.status, exc.message, exc.field)
    except OperationalError as exc:
        if not is_locked(exc):
            raise
        response = _error(503, _("系统繁忙，请稍后重发该告警"))
        response["Retry-After"] = "5"
        return response


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    response = JsonResponse({"error": message, "field": field}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="landguard-alarms"'
    return response


def _key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip()


def _text(data: dict, name: str, *, required: bool = True, limit: int = 100) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadField(name, _("缺少字段 %(field)s") % {"field": name})
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise BadField(name, _("字段 %(field)s 应为字符串") % {"field": name})
    text = str(value).strip()
    if len(text) > limit:
        raise BadField(name, _("字段 %(field)s 超过 %(limit)s 个字符") % {"field": name, "limit": limit})
    return text


def _number(data: dict, name: str, low: float, high: float, *, required: bool = False,
            label: str | None = None) -> float | None:
    value = data.get(name)
    label = label or name
    if value is None:
        if required:
            raise BadField(label, _("缺少字段 %(field)s") % {"field": label})
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadField(label, _("字段 %(field)s 应为数字") % {"field": label})
    if not low <= value <= high:
        raise BadField(label,
                       _("字段 %(field)s 应在 %(low)s 到 %(high)s 之间") % {"field": label, "low": low, "high": high})
    return float(value)


def _time(data: dict) -> dt.datetime:
    raw = data.get("time")
    parsed = parse_datetime(raw) if isinstance(raw, str) else None
    if parsed is None:
        raise BadField("time", _("字段 time 应为 ISO 8601 时间，如 2025-06-01T10:15:00+08:00"))
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed  # naive: Beijing time


def _image(data: dict, upload) -> tuple[bytes | None, str]:
    limit = int(tunables.get("SUPERVISION_ALARM_IMAGE_MAX_BYTES"))
    if upload is not None:
        if upload.size > limit:
            raise BadField("image", _("图片超过 %(mb)s MB 上限") % {"mb": limit / 1048576}, status=413)
        return upload.read(), upload.name or ""
    raw = data.get("image")
    if raw in (None, ""):
        return None, ""
    if not isinstance(raw, str):
        raise BadField("image", _("字段 image 应为 base64 字符串"))
    if raw.startswith("data:"):
        raw = raw.partition(",")[2]
    if len(raw) * 3 // 4 > limit + 3:  # refuse before decoding
        raise BadField("image", _("图片超过 %(mb)s MB 上限") % {"mb": limit / 1048576}, status=413)
    try:
        return base64.b64decode(raw, validate=True), ""
    except (binascii.Error, ValueError):
        raise BadField("image", _("字段 image 不是有效的 base64")) from None


def parse_alarm(data: Any, upload=None) -> intake.Alarm:
    if not isinstance(data, dict):
        raise BadField("", _("请求体应为 JSON 对象"))
    target = data.get("target")
    lon = lat = bearing = distance = None
    if target is not None:
        if not isinstance(target, dict):
            raise BadField("target", _("字段 target 应为 {\"lon\": …, \"lat\": …}"))
        lon = _number(target, "lon", -180, 180, required=True, label="target.lon")
        lat = _number(target, "lat", -90, 90, required=True, label="target.lat")
    else:
        bearing = _number(data, "bearing", 0, 360)
        distance = _number(data, "distance", 0, 20_000)
        if (bearing is None) != (distance is None):
            raise BadField("target", _("须提供 target（经纬度），或 bearing 与 distance（相对摄像机的方位角和距离）"))
    image, image_name = _image(data, upload)
    return intake.Alarm(
        event_id=_text(data, "event_id"), camera_code=_text(data, "camera_id", limit=60), observed_at=_time(data),
        lon=lon, lat=lat, bearing_deg=bearing, distance_m=distance, confidence=_number(data, "confidence", 0, 1),
        note=_text(data, "note", required=False, limit=2000), image=image, image_name=image_name[:100],
        payload={k: v for k, v in data.items() if k != "image"})


@public  # no session: the API key in the header is the credential, checked first
@csrf_exempt
@require_POST
def alarm_intake(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > int(tunables.get("SUPERVISION_ALARM_BODY_MAX_BYTES")):
        return _error(413, _("请求体过大"))
    key = _key(request)
    source = intake.authenticate(key) if key else None
    if source is None:
        return _error(401, _("缺少或无效的 API 密钥"))
    if not source.is_active:
        return _error(403, _("该告警接入源已停用"))
    try:
        if request.content_type == "multipart/form-data":
            data = json.loads(request.POST.get("data") or "null")
            alarm = parse_alarm(data, request.FILES.get("image"))
        else:
            data = json.loads(request.body.decode("utf-8"))
            alarm = parse_alarm(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _error(400, _("JSON 格式错误：%(detail)s") % {"detail": exc}, "body")
    except BadField as exc:
        return _error(exc.status, exc.message, exc.field)
    result = _ingest(source, alarm)
    if isinstance(result, JsonResponse):
        return result
    return JsonResponse({"clue": result.clue.pk, "detection": result.detection.pk, "duplicate": not result.created},
                        status=201 if result.created else 200)


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        username, sep, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        return None
    return (username, password) if sep else None


def _device_challenge(message: str) -> JsonResponse:
    response = _error(401, message)
    response["WWW-Authenticate"] = 'Basic realm="landguard-alarms", charset="UTF-8"'  # devices answer a challenge
    return response


@public  # no session: the device's Basic credentials are the credential, checked first
@csrf_exempt
@require_POST
def device_alarm_intake(request: HttpRequest) -> HttpResponse:
    """POST /api/supervision/alarms/isapi/: a camera's own push (海康 ISAPI EventNotificationAlert, XML or
    multipart with its snapshot), authenticated with the source's device user name and password (HTTP Basic).
    Answers as alarm_intake does; 200 {"ignored": …} for heartbeats and event-ended messages."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > int(tunables.get("SUPERVISION_ALARM_BODY_MAX_BYTES")):
        return _error(413, _("请求体过大"))
    credentials = _basic(request)
    source = intake.authenticate_device(*credentials) if credentials else None
    if source is None:
        return _device_challenge(_("缺少或无效的设备推送用户名和口令"))
    if not source.is_active:
        return _error(403, _("该告警接入源已停用"))
    try:
        event = isapi.read(request.body, request.headers.get("Content-Type", ""))
    except isapi.IsapiError as exc:
        return _error(exc.status, exc.message, exc.field)
    if event.ignored:
        return JsonResponse({"ignored": event.event_type if event.state.lower() != "inactive" else "inactive"})
    codes = event.camera_codes()
    camera = Camera.objects.filter(source=source, code__in=codes).values_list("code", flat=True)
    found = next((code for code in codes if code in set(camera)), None)
    if found is None:
        return _error(422, _("未登记的设备：请以 %(codes)s 之一登记该摄像机") % {"codes": "、".join(codes) or "—"},
                      "camera_id")
    result = _ingest(source, event.alarm(found))
    if isinstance(result, JsonResponse):
        return result
    return JsonResponse({"clue": result.clue.pk, "detection": result.detection.pk, "duplicate": not result.created,
                         "position_pending": result.detection.position_pending},
                        status=201 if result.created else 200)


# --- read-only resources -----------------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
                      "description": "[lon, lat], CGCS2000"})
class PointField(serializers.Field):
    def to_representation(self, value) -> list[float] | None:
        return [round(value.x, 7), round(value.y, 7)] if value is not None else None


class ClueSerializer(serializers.ModelSerializer):
    location = PointField()
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Clue
        fields = ["id", "number", "kind", "status", "severity", "title", "location", "region_code", "township_code",
                  "place_name",
                  "first_seen", "last_seen", "detection_count", "touches_farmland", "touches_basic_farmland",
                  "touches_eco_redline", "explained_by_approval", "farmland_m2", "main_land_code", "triage_reason"]


class TaskSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "number", "clue", "status", "severity", "region_code", "township_code", "dispatched_at",
                  "reported_at",
                  "on_site_at", "outcome", "outcome_reason", "illegal_area_m2", "stopped_at", "verified_at",
                  "restored_at", "closed_at"]


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "number", "clue", "party", "status", "region_code", "township_code", "filed_at", "due_at",
                  "paused_at",
                  "decided_at", "served_at", "illegal_area_m2", "farmland_m2", "confiscated_m2", "demolished_m2",
                  "fine_yuan", "restored_m2", "referrals", "closed_at"]


class CameraSerializer(serializers.ModelSerializer):
    position = PointField()

    class Meta:
        model = Camera
        fields = ["id", "code", "name", "device_type", "position", "height_m", "radius_m", "region_code", "is_active",
                  "is_synthetic"]


class ClueViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ClueSerializer

    def get_queryset(self):
        return selectors.clues(self.scope)


class TaskViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.tasks(self.scope)


class CaseViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer

    def get_queryset(self):
        return selectors.cases(self.scope)


class CameraViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CameraSerializer

    def get_queryset(self):
        return selectors.cameras(self.scope)
