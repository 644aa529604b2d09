"""A project's land boundary: read from an uploaded file (坐标交换文件 or any layer format), checked, and split
by township with each part's official CGCS2000 ellipsoidal area (domain.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.formats import read_layer
from landguard.formats.base import LayerReadError
from landguard.regions.locate import outlines
from landguard.regions.models import LEVEL_CODE_LENGTH, Level, Region

# Parts smaller than this are the float noise of clipping along a township line, not land.
MIN_PART_M2 = 1.0


@dataclass(frozen=True)
class Part:
    region: Region
    geometry: shapely.Geometry  # MultiPolygon, EPSG:4490
    area_m2: float


def read_boundary(path: str | Path, *, hint_lon: float | None = None) -> tuple[shapely.Geometry, str, list[str]]:
    """The union of the polygons in a layer file (a 坐标交换文件 is recognised by its content), its source kind
    ("exchange" or "upload") and the reader's warnings. Raises ValidationError naming the bad features."""
    try:
        data = read_layer(path, hint_lon=hint_lon)
    except LayerReadError as exc:
        raise ValidationError(str(exc)) from None
    if data.invalid:
        raise ValidationError(_("文件中有无效的图形：%(details)s")
                              % {"details": "；".join(data.invalid_messages()[:10])})
    polygons = [g for g in data.geometries if g is not None and shapely.get_type_id(g) in (3, 6)]
    if not polygons:
        raise ValidationError(_("文件中没有面（多边形）图形，无法作为用地范围"))
    boundary = checked_boundary(shapely.union_all(polygons))
    return boundary, ("exchange" if data.source_format == "exchange" else "upload"), list(data.crs_warnings) + list(
        data.warnings)


def checked_boundary(geometry: shapely.Geometry) -> shapely.Geometry:
    """A valid, non-empty MultiPolygon, or ValidationError (invalid geometry is reported, never repaired)."""
    if geometry is None or shapely.is_empty(geometry) or shapely.get_type_id(geometry) not in (3, 6):
        raise ValidationError(_("用地范围必须是面（多边形）"))
    if not shapely.is_valid(geometry):
        raise ValidationError(_("用地范围不是有效的面：%(reason)s") % {"reason": shapely.is_valid_reason(geometry)})
    return geometry if shapely.get_type_id(geometry) == 6 else shapely.multipolygons([geometry])


def to_geos(geometry: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=4490)  # bytes would be read as WKT text


def split_by_region(boundary: shapely.Geometry) -> list[Part]:
    """The boundary cut along current township boundaries (county boundaries where a county has no townships
    mapped), largest part first. ValidationError when it lies in no region.

    An area split, not the representative-point rule of landguard.regions.locate (which gives a parcel or a
    clue one region): a project crossing a township line is reported to both, each with its own part."""
    parts = _split(boundary, Level.TOWNSHIP)
    covered = sum(p.area_m2 for p in parts)
    total = float(ellipsoidal_area_m2(boundary)[0])
    if covered < total - MIN_PART_M2:  # townships without outlines: fall back to counties
        county_parts = _split(boundary, Level.COUNTY)
        if sum(p.area_m2 for p in county_parts) > covered + MIN_PART_M2:
            parts = county_parts
    if not parts:
        raise ValidationError(_("用地范围不在任何已有边界的行政区内"))
    return sorted(parts, key=lambda p: (-p.area_m2, p.region.code))


def _split(boundary: shapely.Geometry, level: int) -> list[Part]:
    regions, shapes = outlines(level=level, near=boundary)
    shapely.prepare(boundary)
    parts = []
    for region, outline in zip(regions, shapes, strict=True):
        if not shapely.intersects(boundary, outline):
            continue
        piece = shapely.intersection(boundary, outline)
        polygons = [g for g in shapely.get_parts(piece) if shapely.get_type_id(g) == 3]
        if not polygons:
            continue
        geometry = shapely.multipolygons(polygons)
        area = float(ellipsoidal_area_m2(geometry)[0])
        if area >= MIN_PART_M2:
            parts.append(Part(region, geometry, area))
    return parts


def common_region(codes: list[str]) -> Region:
    """The lowest current region holding every code: one township's code, or the county (city …) they share."""
    prefix = codes[0]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    lengths = sorted(LEVEL_CODE_LENGTH.values(), reverse=True)
    length = next((n for n in lengths if n <= len(prefix)), 0)
    if not length:
        raise ValidationError(_("用地范围跨省，请按省分别登记项目"))
    return Region.objects.get(code=prefix[:length], retired_in__isnull=True)
