"""Where clues come from: camera alarms pushed over HTTP, field-chief patrol findings, public reports and
12345 hotline calls here, 卫片 patches in landguard.supervision.patches. Every source ends in `open_clue`, the one
way a detection becomes a clue: fused into the open clue it belongs to, or a new clue — enriched by the overlay
engine, its severity by `severity_for`, one audit entry.

Concurrency: an alarm's transaction starts by touching its source row (UPDATE last_alarm_at). On PostgreSQL
that row lock serialises a source's alarms, so the duplicate check and the fusion see every earlier alarm;
on SQLite the same first write takes the database write lock up front, so two requests never deadlock
upgrading a read lock (which SQLite reports as "database is locked" without waiting).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import string
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core.boxes import box, grown
from landguard.analysis.services import OverlayError, overlay_boundaries
from landguard.audit import services as audit
from landguard.audit.notes import Note
from landguard.core import clock
from landguard.core.scope import RegionScope, scope_for
from landguard.engine.checks import LayerDataError
from landguard.engine.kinds import Verdict
from landguard.layers import selectors as layer_selectors
from landguard.layers.models import LayerKind
from landguard.regions.locate import holding_regions
from landguard.regions.models import Level, Region
from landguard.supervision import geo, tunables
from landguard.supervision.models import AlarmSource, Camera, Clue, ClueEvent, Detection, Severity, SourceKind

log = logging.getLogger(__name__)

KEY_PREFIX = "lgk_"


# --- alarm sources and cameras ------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_source(*, actor, name: str, county: Region, is_synthetic: bool = False) -> tuple[AlarmSource, str]:
    """A new alarm source and its API key. The key is returned once and never stored (only its SHA-256)."""
    if county.level != Level.COUNTY:
        raise ValidationError({"region": _("告警接入源须属于一个县（区）")})
    if actor is not None and not scope_for(actor).contains(county.code):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    source = AlarmSource.objects.create(name=name, region=county, region_code=county.code, key_prefix=key[:12],
                                        key_hash=hash_key(key), is_synthetic=is_synthetic)
    audit.record_create(actor=actor, target=source, region_code=county.code)
    return source, key


@transaction.atomic
def rotate_key(*, actor, source: AlarmSource) -> str:
    """Issue a new key for the source; the old one stops working at once."""
    if actor is not None and not scope_for(actor).contains(source.region_code):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    AlarmSource.objects.filter(pk=source.pk).update(key_prefix=key[:12], key_hash=hash_key(key))
    audit.record(actor=actor, action="update", target=source, region_code=source.region_code,
                 changes={"key_prefix": [source.key_prefix, key[:12]]}, note=gettext_lazy("更换 API 密钥"))
    return key


# Hikvision devices accept at most 16 characters; 16 from 62 symbols is 95 bits, beyond guessing, so a plain
# SHA-256 (no slow hash) is safe and keeps a burst of alarms cheap.
_DEVICE_ALPHABET = string.ascii_letters + string.digits
DEVICE_PASSWORD_LENGTH = 16


@transaction.atomic
def issue_device_credentials(*, actor, source: AlarmSource) -> tuple[str, str]:
    """A user name and a new 16-character password for cameras that push on their own (HTTP Basic); the old
    password stops working at once. The password is returned once and never stored."""
    if actor is not None and not scope_for(actor).contains(source.region_code):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))
    source = AlarmSource.objects.select_for_update().get(pk=source.pk)
    username = source.device_username or f"lgcam{source.pk}"
    password = "".join(secrets.choice(_DEVICE_ALPHABET) for _i in range(DEVICE_PASSWORD_LENGTH))
    AlarmSource.objects.filter(pk=source.pk).update(device_username=username, device_password_hash=hash_key(password))
    audit.record(actor=actor, action="update", target=source, region_code=source.region_code,
                 changes={"device_username": [source.device_username, username]}, note=gettext_lazy("更换设备推送口令"))
    return username, password


def authenticate_device(username: str, password: str) -> AlarmSource | None:
    """The source whose device credentials these are (None: unknown user or wrong password)."""
    source = AlarmSource.objects.select_related("region").filter(device_username=username).first()
    if source is None or not source.device_password_hash:
        return None
    return source if hmac.compare_digest(source.device_password_hash, hash_key(password)) else None


def authenticate(key: str) -> AlarmSource | None:
    """The active or inactive source this key belongs to (None: unknown key). A SHA-256 of a 256-bit
    random key is looked up directly: there is nothing to learn from the timing of a miss."""
    if not key.startswith(KEY_PREFIX):
        return None
    return AlarmSource.objects.select_related("region").filter(key_hash=hash_key(key)).first()


@transaction.atomic
def register_camera(*, actor, source: AlarmSource, code: str, name: str, lon: float, lat: float, height_m: float,
                    radius_m: float, device_type: int = Camera.DeviceType.TOWER, is_active: bool = True,
                    is_synthetic: bool = False, scan_cycle_minutes: int | None = None) -> Camera:
    position = geo.point(lon, lat)
    located = geo.locate(position, source.region)
    if located is None:
        raise ValidationError({"position": _("点位不在%(county)s范围内") % {"county": source.region.name}})
    if actor is not None and not scope_for(actor).contains(located.region_code):
        raise PermissionDenied(_("该点位不在您的数据范围内。"))
    camera = Camera(source=source, code=code, name=name, device_type=device_type, position=position, height_m=height_m,
                    radius_m=radius_m, coverage=geo.circle(lon, lat, radius_m), region_code=located.township_code,
                    is_active=is_active, is_synthetic=is_synthetic, scan_cycle_minutes=scan_cycle_minutes)
    camera.full_clean()
    camera.save()
    audit.record_create(actor=actor, target=camera, region_code=camera.region_code)
    return camera


# --- camera alarms -------------------------------------------------------------------------------------


class Rejected(Exception):
    """An alarm refused as a whole: `status` is the HTTP answer, `field` the JSON field at fault."""

    def __init__(self, status: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


@dataclass(frozen=True)
class Alarm:
    """A camera alarm, parsed and type-checked by the API (landguard.supervision.api)."""

    event_id: str
    camera_code: str
    observed_at: dt.datetime
    lon: float | None = None
    lat: float | None = None
    bearing_deg: float | None = None
    distance_m: float | None = None
    confidence: float | None = None
    note: str = ""
    image: bytes | None = None
    image_name: str = ""
    payload: dict | None = None

    @property
    def at_camera(self) -> bool:
        """No target and no bearing: the event says only which camera saw something (a device's own push)."""
        return (self.lon is None or self.lat is None) and self.bearing_deg is None


# What an image must start with: JPEG, PNG, GIF, WebP (RIFF…WEBP), BMP.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


def is_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def check_time(observed_at: dt.datetime) -> None:
    """Refuse an event time no camera could have meant: a clock far ahead, or an event too old to act on (三个一
    counts from it). A device whose clock drifts a few minutes is still accepted."""
    now = clock.now()
    ahead = dt.timedelta(minutes=float(tunables.get("SUPERVISION_ALARM_MAX_AHEAD_MINUTES")))
    behind = dt.timedelta(days=float(tunables.get("SUPERVISION_ALARM_MAX_AGE_DAYS")))
    shown = timezone.localtime(observed_at).strftime("%Y-%m-%d %H:%M:%S")
    if observed_at > now + ahead:
        raise Rejected(422, _("告警时间 %(time)s 晚于当前时间超过 %(minutes)s 分钟：请校准设备时钟")
                       % {"time": shown, "minutes": int(ahead.total_seconds() // 60)}, "time")
    if observed_at < now - behind:
        raise Rejected(422, _("告警时间 %(time)s 早于 %(days)s 天前，不再受理") % {"time": shown, "days": behind.days},
                       "time")


@dataclass(frozen=True)
class Intake:
    detection: Detection
    clue: Clue
    created: bool  # False: the same event had been received before (nothing new stored)


def ingest_alarm(*, source: AlarmSource, alarm: Alarm) -> Intake:
    """Store one camera alarm: idempotent on (source, event_id); fused into a nearby open clue.

    Raises Rejected (nothing stored) for an unknown camera (422), a target outside the source's county
    (422) or an image over the limit (413).
    """
    # 1. Refuse what no camera could have meant before anything is written: a camera not registered to this
    #    source, an event time far ahead or too old, an image too large or not an image.
    camera = Camera.objects.filter(source=source, code=alarm.camera_code).first()
    if camera is None:
        raise Rejected(422, _("未登记的设备编号 %(code)s") % {"code": alarm.camera_code}, "camera_id")
    check_time(alarm.observed_at)
    if alarm.image is not None and len(alarm.image) > tunables.get("SUPERVISION_ALARM_IMAGE_MAX_BYTES"):
        raise Rejected(413,
            _("图片超过 %(mb)s MB 上限") % {"mb": tunables.get("SUPERVISION_ALARM_IMAGE_MAX_BYTES") / 1048576}, "image")
    if alarm.image is not None and not is_image(alarm.image):
        raise Rejected(415, _("图片不是 JPEG、PNG、GIF、WebP 或 BMP 格式"), "image")
    # 2. Place the target: the alarm's own point, else the camera's position moved along the bearing, else the
    #    camera itself (位置待核) — and find its village and township inside the source's county.
    if alarm.at_camera:  # 位置待核: at the camera, known only to within its radius
        lon, lat = camera.position.x, camera.position.y
    elif alarm.lon is not None and alarm.lat is not None:
        lon, lat = alarm.lon, alarm.lat
    else:
        lon, lat = geo.destination(camera.position.x, camera.position.y, alarm.bearing_deg or 0.0,
                                   alarm.distance_m or 0.0)
    target = geo.point(lon, lat)
    located = geo.locate(target, source.region)
    if located is None:
        field = "camera_id" if alarm.at_camera else "target" if alarm.lon is not None else "bearing"
        raise Rejected(422, _("告警位置（%(lon).6f, %(lat).6f）不在%(county)s范围内")
                       % {"lon": lon, "lat": lat, "county": source.region.name}, field)
    saved_image = None
    try:
        with transaction.atomic():
            # 3. Lock the source (the first statement: an UPDATE of its row). On PostgreSQL the row lock
            #    serialises this source's alarms, so the duplicate check (4) and the fusion (6) see every earlier
            #    alarm of the source — a device re-sending an event, or two cameras seeing one digger, open one
            #    clue, not two. On SQLite the first write takes the database's write lock at once (see the module
            #    doc). Alarms of different sources do not wait for each other here.
            AlarmSource.objects.filter(pk=source.pk).update(last_alarm_at=clock.now())
            # 4. The same event again (a device retrying its push): answer with what was stored, store nothing.
            existing = Detection.objects.filter(source=source, event_id=alarm.event_id).select_related("clue").first()
            if existing is not None:
                return Intake(existing, existing.clue, created=False)
            # 5. The detection, with its image written to storage now; the file's name is kept so that a rollback
            #    deletes it (storage is outside the transaction).
            detection = Detection(kind=SourceKind.CAMERA, source=source, event_id=alarm.event_id, camera=camera,
                                  observed_at=alarm.observed_at, received_at=clock.now(), location=target,
                                  bearing_deg=alarm.bearing_deg, distance_m=alarm.distance_m,
                                  confidence=alarm.confidence,
                                  note=alarm.note[:2000], payload=alarm.payload or {}, position_pending=alarm.at_camera)
            if alarm.image is not None:
                detection.image_sha256 = hashlib.sha256(alarm.image).hexdigest()
                detection.image.save(alarm.image_name or f"{detection.image_sha256[:16]}.jpg", ContentFile(alarm.image),
                                     save=False)
                saved_image = detection.image.name
            # 6. Into a clue (open_clue): joined to an open one — whose row `join` locks, since a patrol or a
            #    卫片 import may be adding to the same clue — or a new clue, enriched and audited.
            title = _("%(camera)s 告警") % {"camera": camera.name}
            clue = open_clue(detection=detection, located=located, county=source.region, title=title, actor=None)
            return Intake(detection, clue, created=True)
    except IntegrityError:
        # 7. A concurrent insert of the same event won the unique (source, event_id) constraint (rare on
        #    PostgreSQL, where the source lock of step 3 serialises them): answer with its detection.
        _discard(saved_image)
        existing = Detection.objects.filter(source=source, event_id=alarm.event_id).select_related("clue").first()
        if existing is None:
            raise
        return Intake(existing, existing.clue, created=False)
    except BaseException:
        _discard(saved_image)
        raise


def _discard(name: str | None) -> None:
    if name:
        Detection._meta.get_field("image").storage.delete(name)


# --- reports, hotline calls and patrol findings ------------------------------------------------------------


@transaction.atomic
def report_clue(*, actor, kind: str, lon: float, lat: float, title: str, description: str = "",
                observed_at: dt.datetime | None = None, reporter_name: str = "", reporter_phone: str = "",
                county: Region | None = None, is_synthetic: bool = False) -> Clue:
    """A clue entered by staff (举报, 12345), by a field chief (巡田发现) or through the public form (actor None,
    county given). The point must lie inside the actor's scope, or inside `county` for the public form."""
    if kind == SourceKind.CAMERA or kind == SourceKind.SATELLITE:
        raise ValidationError({"kind": _("视频告警和卫片图斑由接口和批次导入登记")})
    pt = geo.point(lon, lat)
    county = county or county_at(actor, pt)
    located = geo.locate(pt, county) if county is not None else None
    if located is None or (actor is not None and not scope_for(actor).contains(located.region_code)):
        raise ValidationError({"location": _("位置不在您的数据范围内")})
    at = observed_at or clock.now()
    detection = Detection(kind=kind, observed_at=at, received_at=clock.now(), location=pt, note=description[:2000],
                          reported_by=actor if getattr(actor, "pk", None) else None)
    return open_clue(detection=detection, located=located, county=county, title=title, actor=actor,
                     description=description, reporter_name=reporter_name, reporter_phone=reporter_phone,
                     is_synthetic=is_synthetic)


def county_at(actor, pt) -> Region | None:
    """The county holding the point, if the actor's scope reaches it (at or below the county, or above it)."""
    (code,) = holding_regions([shapely.Point(pt.x, pt.y)], under="", levels=(Level.COUNTY,))
    county = Region.objects.filter(code=code, retired_in__isnull=True).first() if code else None
    if county is None or actor is None:
        return county
    scope = scope_for(actor)
    return county if scope.contains(county.code) or any(p.startswith(county.code) for p in scope.prefixes) else None


# --- opening a clue: every source ------------------------------------------------------------------------


def severity_for(*, touches_basic_farmland: bool | None, touches_eco_redline: bool | None) -> str:
    """The one severity rule: a clue touching 永久基本农田 or 生态保护红线 is serious (严重), any other normal."""
    return Severity.SERIOUS if (touches_basic_farmland or touches_eco_redline) else Severity.NORMAL


# The clues a new detection may join: not yet decided false or closed.
OPEN_STATUSES = (Clue.Status.NEW, Clue.Status.PREJUDGED, Clue.Status.VALID)


def open_clue(*, detection: Detection, located: geo.Located, county: Region, title: str, actor,
              patch: GEOSGeometry | None = None, enrichment: Enrichment | None = None, description: str = "",
              reporter_name: str = "", reporter_phone: str = "", is_synthetic: bool = False) -> Clue:
    """The one way a detection becomes a clue, whatever its source — camera alarm, 卫片 patch, patrol finding,
    public report, 12345 call: it joins the open clue it belongs to, or opens a new clue (enriched, its severity
    by `severity_for`, one audit entry), and is saved attached to it. Runs inside the caller's transaction.

    Which open clue it joins depends on what is known of its place: a 卫片 `patch` joins the camera clue whose
    target lies on it (no time window: a patch shows a change between two images a month or more apart); a
    位置待核 alarm its camera's pending clue; any other detection the nearest open clue within the fusion
    distance and window, never a 卫片 clue. `enrichment`: the land-class analysis when the source made it already
    (a 卫片 batch classifies its patches together); otherwise a new clue is analysed around its point here. A
    detection with its own analysis raises the severity of the clue it joins when that analysis is serious.
    """
    at = detection.observed_at
    if detection.kind == SourceKind.SATELLITE:
        clue = camera_clue_over(patch) if patch is not None else None
    elif detection.position_pending:  # no distance to fuse by: only the same camera's open 位置待核 clue
        clue = pending_clue_of(detection.camera, at)
    else:
        clue = nearest_open_clue(detection.location.x, detection.location.y, at, exclude_kinds=(SourceKind.SATELLITE,))
    if clue is not None:
        return join(clue, detection, actor=actor,
                    serious=enrichment is not None and enrichment.severity == Severity.SERIOUS)
    clue = Clue(kind=detection.kind, title=title[:200], description=description, location=detection.location,
                region_code=located.region_code, township_code=located.township_code, place_name=located.place_name,
                first_seen=at, last_seen=at, detection_count=1, reporter_name=reporter_name,
                reporter_phone=reporter_phone, created_at=clock.now(), is_synthetic=is_synthetic)
    if detection.position_pending:
        clue.position_pending, clue.position_uncertainty_m = True, detection.camera.radius_m
        clue.enrichment = {"note": _("位置待核：告警未给出目标位置，暂按摄像机位置登记，到场签到后再做地类分析")}
    else:
        if enrichment is None:
            enrichment = enrich_point(detection.location.x, detection.location.y, county)
        apply_enrichment(clue, enrichment)
    clue.save()
    named = getattr(actor, "pk", None)
    ClueEvent.objects.create(clue=clue, at=clue.created_at, actor=actor if named else None,
                             actor_name=(str(actor) if named else "系统")[:80], to_status=clue.status)
    audit.record_create(actor=actor, target=clue, region_code=clue.region_code)
    detection.clue = clue
    detection.save()
    return clue


# --- fusion and enrichment -----------------------------------------------------------------------------------


def join(clue: Clue, detection: Detection, *, actor, serious: bool = False) -> Clue:
    """Add the detection to an open clue (locked: concurrent joins all count). `serious`: the detection shows
    永久基本农田 or 生态保护红线 touched, which raises the clue's severity — never lowers it."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    before = audit.snapshot(clue, ["detection_count", "last_seen", "first_seen", "severity"])
    at = detection.observed_at
    clue.detection_count += 1
    clue.last_seen = max(clue.last_seen, at)
    clue.first_seen = min(clue.first_seen, at)
    if serious:
        clue.severity = Severity.SERIOUS
    clue.save(update_fields=["detection_count", "last_seen", "first_seen", "severity"])
    audit.record_update(actor=actor, target=clue, before=before, region_code=clue.region_code,
                        note=Note(gettext_lazy("并入%(kind)s"), {"kind": SourceKind(detection.kind).label}))
    detection.clue = clue
    detection.save()
    return clue


def pending_clue_of(camera: Camera, at: dt.datetime) -> Clue | None:
    """The camera's open 位置待核 clue seen within the fusion window, if any (its events belong together)."""
    window = tunables.minutes("SUPERVISION_FUSION_WINDOW_MINUTES")
    return (Clue.objects.filter(position_pending=True, status__in=OPEN_STATUSES,
                                last_seen__gte=at - window, first_seen__lte=at + window, detections__camera=camera)
            .order_by("-last_seen").first())


def nearest_open_clue(lon: float, lat: float, at: dt.datetime, *, exclude_kinds=()) -> Clue | None:
    distance = float(tunables.get("SUPERVISION_FUSION_DISTANCE_M"))
    window = tunables.minutes("SUPERVISION_FUSION_WINDOW_MINUTES")
    # A 位置待核 clue stands at its camera, not at the event: distance says nothing about it.
    candidates = list(Clue.objects.filter(status__in=OPEN_STATUSES, last_seen__gte=at - window,
                                          first_seen__lte=at + window,
                                          location__intersects=geo.box_around(lon, lat, distance),
                                          position_pending=False)
                      .exclude(kind__in=exclude_kinds).only("id", "location"))
    if not candidates:
        return None
    dist = geo.distance_m(lon, lat, np.array([c.location.x for c in candidates]),
                          np.array([c.location.y for c in candidates]))
    best = int(np.argmin(dist))
    return candidates[best] if dist[best] <= distance else None


def camera_clue_over(geom: GEOSGeometry) -> Clue | None:
    """The open camera clue a 卫片 patch shows: its target on the patch or within SUPERVISION_PATCH_FUSION_M of
    it (a camera places a target to tens of metres), the closest if several. No time window: a patch shows a
    change somewhere between two images a month or more apart."""
    reach = float(tunables.get("SUPERVISION_PATCH_FUSION_M"))
    near = box(grown(geom.extent, reach))
    patch = geo.shapely_of(geom)
    best: tuple[float, Clue] | None = None
    for clue in Clue.objects.filter(kind=SourceKind.CAMERA, status__in=OPEN_STATUSES,
                                    location__intersects=near, position_pending=False).only("id", "location"):
        x, y = clue.location.x, clue.location.y
        if shapely.intersects(patch, geo.shapely_of(geo.circle(x, y, reach))):
            gap = shapely.distance(patch, shapely.Point(x, y))
            if best is None or gap < best[0]:
                best = (gap, clue)
    return best[1] if best is not None else None


@dataclass(frozen=True)
class Enrichment:
    touches_farmland: bool | None = None
    touches_basic_farmland: bool | None = None
    touches_eco_redline: bool | None = None
    explained_by_approval: bool | None = None
    farmland_m2: float | None = None
    main_land_code: str = ""
    details: dict | None = None

    @property
    def severity(self) -> str:
        return severity_for(touches_basic_farmland=self.touches_basic_farmland,
                            touches_eco_redline=self.touches_eco_redline)


def current_layers(county_code: str) -> dict[str, object]:
    """The current version of each layer kind the enrichment reads, the most local one where several reach,
    the official one (官方图层) among layers of one region."""
    scope = RegionScope(prefixes=(county_code,), root_code=county_code)
    kinds = [LayerKind.DLTB, LayerKind.BASIC_FARMLAND, LayerKind.ECO_REDLINE, LayerKind.APPROVED, LayerKind.SUPPLIED]
    chosen: dict[str, object] = {}
    for version in layer_selectors.current_versions(scope, kinds=kinds).order_by("layer__region_code",
        "layer__is_official"):
        # ordered by code length ascending, then official last: the county's own wins
        chosen[version.layer.kind] = version
    return chosen


def enrich_point(lon: float, lat: float, county: Region) -> Enrichment:
    """Overlay a small disc around the point on the county's DLTB and control layers: does it touch 耕地,
    永久基本农田, 生态保护红线, and do 已批/已供 land cover it? Unevaluated answers stay None."""
    layers = current_layers(county.code)
    dltb = layers.get(LayerKind.DLTB)
    if dltb is None:
        return Enrichment(details={"note": _("无现行地类图斑图层，未做空间分析")})
    controls = [layers[k]
                for k in (LayerKind.BASIC_FARMLAND, LayerKind.ECO_REDLINE, LayerKind.APPROVED, LayerKind.SUPPLIED)
                if k in layers]
    disc = geo.shapely_of(geo.circle(lon, lat, float(tunables.get("SUPERVISION_ENRICH_RADIUS_M")), vertices=36))
    scope = RegionScope(prefixes=(county.code,), root_code=county.code)
    try:
        (result,) = overlay_boundaries(scope=scope, boundaries=[disc], dltb=dltb, controls=controls)
    except (OverlayError, LayerDataError) as exc:
        log.warning("clue enrichment failed at %s,%s: %s", lon, lat, exc)
        return Enrichment(details={"note": str(exc)})
    given = {v.layer.kind for v in controls}
    covered = sum(c.inside_m2 for c in result.controls.values() if c.kind in ("approved", "supplied"))
    main = max(result.by_code.values(), key=lambda c: c.gross_m2).key if result.by_code else ""
    return Enrichment(
        touches_farmland=result.farmland_gross_m2 > 0,
        touches_basic_farmland=result.has(Verdict.OCCUPIES_BASIC_FARMLAND) if LayerKind.BASIC_FARMLAND in given
            else None,
        touches_eco_redline=result.has(Verdict.TOUCHES_ECO_REDLINE) if LayerKind.ECO_REDLINE in given else None,
        # Explained when approvals or supplies cover most of the disc (a camera's target point is approximate).
        explained_by_approval=(covered >= 0.5 * result.gross_m2) if given & {LayerKind.APPROVED, LayerKind.SUPPLIED}
            else None,
        farmland_m2=round(result.farmland_net_m2, 2),
        main_land_code=main,
        details={"radius_m": float(tunables.get("SUPERVISION_ENRICH_RADIUS_M")), "disc_m2": round(result.gross_m2, 2),
                 "farmland_gross_m2": round(result.farmland_gross_m2, 2),
                 "farmland_net_m2": round(result.farmland_net_m2, 2),
                 "controls": {name: round(c.inside_m2, 2) for name, c in result.controls.items()},
                 "layers": {str(v.layer.kind): f"{v.layer.name} v{v.number}" for v in [dltb, *controls]}},
    )


def place_clue(clue: Clue, lon: float, lat: float) -> None:
    """Give a 位置待核 clue the position a field check-in found (the caller holds the clue's lock and saves it):
    its village and township from there, and the land-class analysis it could not have before."""
    county = Region.objects.get(code=clue.region_code[:6], retired_in__isnull=True)
    pt = geo.point(lon, lat)
    located = geo.locate(pt, county)
    if located is not None:
        clue.region_code, clue.township_code, clue.place_name = (located.region_code, located.township_code,
                                                                 located.place_name)
    clue.location, clue.position_pending, clue.position_uncertainty_m = pt, False, None
    severity = clue.severity
    apply_enrichment(clue, enrich_point(lon, lat, county))
    if severity == Severity.SERIOUS:  # never lowered by placing it
        clue.severity = severity


def apply_enrichment(clue: Clue, e: Enrichment) -> None:
    clue.touches_farmland = e.touches_farmland
    clue.touches_basic_farmland = e.touches_basic_farmland
    clue.touches_eco_redline = e.touches_eco_redline
    clue.explained_by_approval = e.explained_by_approval
    clue.farmland_m2 = e.farmland_m2
    clue.main_land_code = e.main_land_code
    clue.enrichment = e.details or {}
    clue.severity = e.severity
