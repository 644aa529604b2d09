"""巡田: a patrol signed in on the phone, its GPS track sent in batches while walking, finished with what
was found — a finding becomes a clue (kind 田长巡田发现) fused like any other detection."""

from __future__ import annotations

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import services as audit
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import FieldChief
from landguard.supervision import geo, intake
from landguard.supervision.models import Patrol, SourceKind

MAX_POINTS = 20_000  # ~5 h at one fix every second


def _place(actor, lon: float, lat: float) -> geo.Located:
    pt = geo.point(lon, lat)
    county = intake.county_at(actor, pt)
    located = geo.locate(pt, county) if county is not None else None
    if located is None or not scope_for(actor).contains(located.region_code):
        raise ValidationError({"location": _("位置不在您的数据范围内")})
    return located


@transaction.atomic
def start(*, actor, lon: float, lat: float) -> Patrol:
    """签到: where and when the patrol began."""
    located = _place(actor, lon, lat)
    now = clock.now()
    patrol = Patrol.objects.create(user=actor, field_chief=FieldChief.objects.filter(user=actor).first(),
                                   org_unit=actor.org_unit,
                                   region_code=located.region_code, township_code=located.township_code, started_at=now,
                                   track=[[lon, lat, now.isoformat()]])
    audit.record_create(actor=actor, target=patrol, region_code=patrol.region_code)
    return patrol


def _clean_points(points) -> list[list]:
    cleaned = []
    for i, p in enumerate(points):
        try:
            lon, lat, at = float(p[0]), float(p[1]), str(p[2])
        except (TypeError, ValueError, IndexError):
            raise ValidationError(
                {"track": _("第 %(n)s 个轨迹点格式错误，应为 [经度, 纬度, 时间]") % {"n": i + 1}}) from None
        if not (73 <= lon <= 136 and 3 <= lat <= 54) or parse_datetime(at) is None:
            raise ValidationError({"track": _("第 %(n)s 个轨迹点超出范围或时间无效") % {"n": i + 1}})
        cleaned.append([lon, lat, at])
    return cleaned


def _length_m(track: list[list]) -> float:
    if len(track) < 2:
        return 0.0
    xy = np.array([[p[0], p[1]] for p in track])
    _f, _b, dist = geo.GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    return float(np.sum(dist))


def _own(actor, patrol: Patrol) -> Patrol:
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if patrol.user_id != actor.pk:
        raise PermissionDenied(_("只能记录本人的巡田轨迹"))
    if patrol.ended_at is not None:
        raise ValidationError(_("本次巡田已结束"))
    return patrol


@transaction.atomic
def add_points(*, actor, patrol: Patrol, points) -> Patrol:
    """Track points as the phone buffered them (sent whenever the network allows)."""
    patrol = _own(actor, patrol)
    track = patrol.track + _clean_points(points)
    if len(track) > MAX_POINTS:
        raise ValidationError({"track": _("轨迹点过多")})
    patrol.track = track
    patrol.distance_m = round(_length_m(track), 1)
    patrol.save(update_fields=["track", "distance_m"])
    return patrol


@transaction.atomic
def finish(*, actor, patrol: Patrol, findings: str = "", finding_at: tuple[float, float] | None = None) -> Patrol:
    """End the patrol; a finding with a position is reported as a clue."""
    patrol = _own(actor, patrol)
    before = audit.snapshot(patrol, ["ended_at", "findings", "distance_m"])
    patrol.ended_at, patrol.findings = clock.now(), findings.strip()
    if finding_at is not None:
        if not patrol.findings:
            raise ValidationError({"findings": _("请描述发现的问题")})
        patrol.clue = intake.report_clue(actor=actor, kind=SourceKind.PATROL, lon=finding_at[0], lat=finding_at[1],
                                         title=_("巡田发现：%(text)s") % {"text": patrol.findings[:60]},
                                         description=patrol.findings)
    patrol.save()
    audit.record_update(actor=actor, target=patrol, before=before, region_code=patrol.region_code,
                        note=gettext_lazy("巡田结束"))
    return patrol
