"""Writing the audit trail. Services call these inside their own transaction, so a change and its
history entry commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Model

from django.utils.functional import Promise

from landguard.audit import notes
from landguard.audit.models import AuditEntry
from landguard.audit.notes import Note
from landguard.audit.rendering import GEOMETRY_MARK
from landguard.core.geodesy import ellipsoidal_area_m2


def geometry_summary(value: GEOSGeometry) -> dict[str, Any]:
    """What the history keeps of a geometry (the full one would swamp it): its kind, parts, vertices, extent and —
    for an area in CGCS2000 degrees — its ellipsoidal area; rendered as "面状 3 个，12.30 亩" (audit.rendering)."""
    summary: dict[str, Any] = {"type": value.geom_type, "parts": max(1, value.num_geom), "vertices": value.num_coords,
                               "extent": [round(v, 5) for v in value.extent]}
    if value.geom_type == "Point":
        lon, lat = value.extent[:2]  # a point's extent is the point itself
        summary["centre"] = [round(lon, 5), round(lat, 5)]
    elif "Polygon" in value.geom_type and value.srid in (4490, 4326, None):
        summary["area_m2"] = round(float(ellipsoidal_area_m2(shapely.from_wkb(bytes(value.wkb)))[0]), 2)
    return {GEOMETRY_MARK: summary}


def _plain(value: Any) -> Any:
    if isinstance(value, GEOSGeometry):
        return geometry_summary(value)
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited fields of `obj` as JSON-ready values (foreign keys as their display text)."""
    result: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        if field.name in {"password", "last_login"}:
            continue
        value = getattr(obj, field.name)
        if getattr(field, "choices", None) and value is not None:
            value = f"{value} ({getattr(obj, f'get_{field.name}_display')()})"
        result[field.name] = _plain(value)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def record(
    *,
    actor,
    action: str,
    target: Model,
    region_code: str,
    changes: dict[str, list[Any]] | None = None,
    note: str | Promise | Note = "",
) -> AuditEntry:
    sentence, msgid, params = notes.stored(note)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(str(actor) if getattr(actor, "pk", None) else "系统")[:80],
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        region_code=region_code,
        changes=changes or {},
        note=sentence,
        note_msgid=msgid,
        note_params=params,
    )


def record_create(*, actor, target: Model, region_code: str, note: str | Promise | Note = "") -> AuditEntry:
    after = snapshot(target)
    return record(actor=actor, action=AuditEntry.Action.CREATE, target=target, region_code=region_code,
                  changes={k: [None, v] for k, v in after.items() if v not in (None, "")}, note=note)


def record_update(*, actor, target: Model, before: dict[str, Any], region_code: str,
                  note: str | Promise | Note = "") -> AuditEntry | None:
    changes = diff(before, snapshot(target, list(before)))
    if not changes:
        return None
    return record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, region_code=region_code, changes=changes,
                  note=note)
