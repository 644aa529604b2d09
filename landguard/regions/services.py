"""Writes to regions outside the importers, and the code-change history of a region.

Every boundary write goes through set_boundary, so the stored geometry is always a CGCS2000 MultiPolygon,
its area is the ellipsoidal area computed from that same geometry, and the change is in the audit trail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import F, Q

from landguard.audit.models import AuditEntry
from landguard.audit.services import diff, record, snapshot
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.regions.models import CodeChange, Region

BOUNDARY_FIELDS = ["geom", "area_m2", "boundary_source", "is_synthetic"]


def _as_multipolygon(geom: Any) -> shapely.MultiPolygon:
    if isinstance(geom, GEOSGeometry):
        geom = shapely.from_wkb(bytes(geom.wkb))
    if isinstance(geom, shapely.Polygon):
        geom = shapely.MultiPolygon([geom])
    if not isinstance(geom, shapely.MultiPolygon) or geom.is_empty:
        raise ValueError(f"a region boundary must be a non-empty (Multi)Polygon, got {geom.geom_type}")
    return geom


def set_boundary(region: Region, geom: Any, *, source: str, synthetic: bool = False, area_m2: float | None = None,
                 actor=None, note: str = "") -> bool:
    """Store `geom` (shapely or GEOS, lon/lat CGCS2000) as the region's boundary. Returns False if nothing changed.

    area_m2 may be passed when the caller already computed it for many geometries at once (vectorised).
    """
    shape = _as_multipolygon(geom)
    if region.geom is not None and region.boundary_source == source and region.is_synthetic == synthetic:
        stored = shapely.from_wkb(bytes(region.geom.wkb))
        if shapely.equals_exact(stored, shape, tolerance=1e-9):
            return False
    before = snapshot(region, BOUNDARY_FIELDS)
    region.geom = GEOSGeometry(memoryview(shape.wkb), srid=4490)
    region.area_m2 = float(area_m2 if area_m2 is not None else ellipsoidal_area_m2(np.array([shape], dtype=object))[0])
    region.boundary_source = source[:200]
    region.is_synthetic = synthetic
    region.save(update_fields=BOUNDARY_FIELDS)
    changes = diff(before, snapshot(region, BOUNDARY_FIELDS))
    record(actor=actor, action=AuditEntry.Action.IMPORT, target=region, region_code=region.code, changes=changes,
           note=note)
    return True


def inherit_boundary(successor: Region, predecessor: Region) -> bool:
    """A recoded region keeps its predecessor's boundary until a new one is imported (same territory)."""
    if successor.geom is not None or predecessor.geom is None:
        return False
    successor.geom = predecessor.geom
    successor.area_m2 = predecessor.area_m2
    successor.boundary_source = predecessor.boundary_source
    successor.is_synthetic = predecessor.is_synthetic
    successor.save(update_fields=BOUNDARY_FIELDS)
    return True


def lineage(region: Region) -> set[int]:
    """Primary keys of the region, every predecessor (recursively) and every successor up to the current one."""
    seen: set[int] = set()
    frontier = [region]
    while frontier:
        node = frontier.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        frontier.extend(node.predecessors.all())
    node = region
    while node.successor_id and node.successor_id not in seen:
        seen.add(node.successor_id)
        node = node.successor
    return seen


def region_history(region: Region) -> list[CodeChange]:
    """The code changes touching this region and its predecessors (and, for a retired region, what it became),
    oldest first — the chain shown on a region's page."""
    pks = lineage(region)
    return list(
        CodeChange.objects.filter(Q(old_region_id__in=pks) | Q(new_region_id__in=pks))
        .select_related("edition", "old_region", "new_region")
        .order_by(F("edition__published").asc(nulls_first=True), "edition__imported_at", "id")
    )
