"""Geometry shared by the format readers: rings into polygons, the CRS decision and conversion to CGCS2000
(EPSG:4490), and the list of features that are not usable geometries.

Coordinate systems are decided by landguard.core.crs.resolve_crs (explicit `crs` > declared CRS when the values
agree > detection from coordinate magnitudes, including Gauss-Krüger zone prefixes and swapped X/Y).
Invalid geometries are reported in `LayerData.invalid`, never repaired here: whether to reject the file or
repair it (and report each repair) is the caller's decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from landguard.core import crs as crsmod
from landguard.formats.base import LayerData, LayerReadError, RawLayer


def geoms_from_wkb(wkb: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    """Shapely geometries from GDAL's WKB, and the features whose WKB could not be parsed (index → reason)."""
    if not len(wkb):
        return np.array([], dtype=object), {}
    wkb = np.asarray(wkb, dtype=object)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    unreadable = np.flatnonzero(shapely.is_missing(geoms) & np.array([w is not None for w in wkb]))
    return np.asarray(geoms, dtype=object), {int(i): _("几何无法解析") for i in unreadable}


# --- rings → polygons ----------------------------------------------------------------------------------
def _clean_ring(coords: np.ndarray) -> np.ndarray:
    """Consecutive duplicates removed, closing point removed (it is added back when the ring is built)."""
    if len(coords) == 0:
        return coords
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
    coords = coords[keep]
    if len(coords) > 1 and np.array_equal(coords[0], coords[-1]):
        coords = coords[:-1]
    return coords


def _covers_all(polygon: Any, points: np.ndarray) -> bool:
    try:
        return bool(np.all(shapely.covers(polygon, points)))
    except shapely.errors.GEOSException:  # a self-intersecting ring: treat as not containing (validity reports it)
        return False


def polygon_from_rings(rings: Sequence[np.ndarray]) -> tuple[Any, list[str]]:
    """Build a Polygon / MultiPolygon from rings (n×2 arrays, closed or not), as listed in an exchange file or table.

    Every ring not inside another ring is an exterior; a ring inside an exterior is one of its holes; a ring
    inside a hole is again an exterior (an island). For the usual file — ring 1 the outer boundary, later
    rings 扣除 holes inside it — this is exactly "ring 1 exterior, the others holes", and it also reads
    multi-part parcels (several outer rings) without guessing. Rings that cross are kept as they are: the validity
    check reports them.
    Returns (geometry or None, problems in Chinese).
    """
    problems: list[str] = []
    cleaned: list[np.ndarray] = []
    numbers: list[int] = []
    for number, ring in enumerate(rings, start=1):
        coords = _clean_ring(np.asarray(ring, dtype=float).reshape(-1, 2))
        if len(coords) < 3:
            problems.append(_("第 %(ring)s 圈只有 %(count)s 个不同的点，无法构成面")
                            % {"ring": number, "count": len(coords)})
            continue
        cleaned.append(coords)
        numbers.append(number)
    if not cleaned:
        return None, problems
    if len(cleaned) == 1:
        return shapely.Polygon(cleaned[0]), problems
    simple = [shapely.Polygon(c) for c in cleaned]
    areas = np.array([abs(p.area) for p in simple])  # only compared with each other: any planar unit will do
    parent: list[int | None] = []
    depth: list[int] = []
    containers: list[list[int]] = []
    for i, coords in enumerate(cleaned):
        points = shapely.points(coords)
        inside = [j for j in range(len(cleaned)) if j != i and areas[j] > areas[i] and _covers_all(simple[j], points)]
        containers.append(inside)
        depth.append(len(inside))
        parent.append(min(inside, key=lambda j: areas[j]) if inside else None)
    polygons = []
    for i in range(len(cleaned)):
        if depth[i] % 2:
            continue
        holes = [cleaned[k] for k in range(len(cleaned)) if depth[k] % 2 and parent[k] == i]
        polygons.append(shapely.Polygon(cleaned[i], holes))
    geom = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
    return geom, problems


# --- CRS resolution, conversion, validity ----------------------------------------------------------------
_GEOS_REASONS = {  # gettext_noop: extracted by makemessages, translated when a message is built
    "Self-intersection": gettext_noop("自相交"),
    "Ring Self-intersection": gettext_noop("环自相交"),
    "Too few points": gettext_noop("点数过少"),
    "Hole lies outside shell": gettext_noop("内环位于外环之外"),
    "Nested holes": gettext_noop("内环相互嵌套"),
    "Interior is disconnected": gettext_noop("内部不连通（内环把面分割开）"),
    "Nested shells": gettext_noop("外环相互嵌套"),
    "Duplicate Rings": gettext_noop("重复的环"),
    "Invalid Coordinate": gettext_noop("坐标无效"),
    "Ring is not closed": gettext_noop("环未闭合"),
}


def describe_invalid(reason: str) -> str:
    """GEOS's is_valid_reason ("Self-intersection[115.51 36.51]") in Chinese, keeping the location."""
    match = re.match(r"^(.*?)\s*\[(.*)\]\s*$", reason)
    kind, location = (match.group(1), match.group(2)) if match else (reason, "")
    text = _(_GEOS_REASONS[kind]) if kind in _GEOS_REASONS else kind
    return _("%(reason)s（位置 %(location)s）") % {"reason": text, "location": location} if location else text


@dataclass(frozen=True)
class Converted:
    """Geometries converted to EPSG:4490 (None where the source had none), the CRS they were in and what the
    decision should tell the user (declared vs detected, swapped axes …)."""

    geometries: np.ndarray
    source_crs: str
    swap_xy: bool
    crs_warnings: list[str]


def to_cgcs2000(geoms: np.ndarray, *, name: str, declared: str | None = None, explicit: str | None = None,
                central_meridian: float | None = None, hint_lon: float | None = None) -> Converted:
    """Decide the CRS from the finite coordinates of the present geometries, and convert them all to EPSG:4490.

    The one CRS step of every reader (and of importers that read attributes before placing the geometry, like the
    boundary import): LayerReadError when no coordinate is usable or the CRS cannot be decided."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    coords = shapely.get_coordinates(geoms[present])
    sample = coords[np.isfinite(coords).all(axis=1)]
    if not len(sample):
        raise LayerReadError(_("%(name)s 中没有可用的坐标") % {"name": name})
    try:
        guess, crs_warnings = crsmod.resolve_crs(sample[:, 0], sample[:, 1], declared=declared, explicit=explicit,
                                                 central_meridian=central_meridian, hint_lon=hint_lon)
    except crsmod.CrsError as exc:
        raise LayerReadError(_("%(name)s 的坐标系：%(error)s") % {"name": name, "error": exc}) from None
    converted = np.asarray(crsmod.to_cgcs2000(geoms, guess.source, swap_xy=guess.swap_xy), dtype=object)
    converted[~present] = None
    return Converted(converted, guess.source, guess.swap_xy, crs_warnings)


def outside_china(bounds: Sequence[float]) -> str:
    """Why a converted geometry with these bounds (min lon, min lat, max lon, max lat) cannot be right."""
    return (_("转换后的坐标不在中国范围内（经度 %(lon)s，纬度 %(lat)s），请检查坐标系")
            % {"lon": f"{bounds[0]:.3f}–{bounds[2]:.3f}", "lat": f"{bounds[1]:.3f}–{bounds[3]:.3f}"})


def finish_layer(raw: RawLayer, *, name: str, explicit: str | None = None, hint_lon: float | None = None) -> LayerData:
    """Decide the CRS of a RawLayer, convert it to EPSG:4490 and report every feature that is not a usable geometry."""
    geoms = np.asarray(raw.geometries, dtype=object)
    count = len(geoms)
    if count == 0:
        raise LayerReadError(_("%(name)s 中没有要素") % {"name": name})
    problems: dict[int, list[str]] = {i: [reason] for i, reason in raw.problems.items()}
    present = ~shapely.is_missing(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    present_idx = np.flatnonzero(present)
    coords, owner = shapely.get_coordinates(geoms[present_idx], return_index=True)
    finite = np.isfinite(coords).all(axis=1)
    nonfinite = set(present_idx[np.unique(owner[~finite])].tolist()) if (~finite).any() else set()
    del coords, owner, finite  # a county's vertices: freed before the conversion reads them again
    done = to_cgcs2000(geoms, name=name, declared=raw.declared_crs, explicit=explicit,
                       central_meridian=raw.central_meridian, hint_lon=hint_lon)
    converted = done.geometries

    for i in np.flatnonzero(~present):
        if int(i) not in problems:
            problems[int(i)] = [_("几何为空")]
    for i in nonfinite:
        problems.setdefault(i, []).append(_("坐标含无效数值"))
    check = np.array([i for i in present_idx if i not in nonfinite], dtype=int)
    if len(check):
        valid = shapely.is_valid(converted[check])
        for i in check[~valid]:
            problems.setdefault(int(i), []).append(describe_invalid(shapely.is_valid_reason(converted[i])))
        inside = crsmod.in_china(converted[check])
        for i in check[~inside]:
            b = shapely.bounds(converted[i])
            problems.setdefault(int(i), []).append(outside_china(b))
    invalid = [(i, "；".join(problems[i])) for i in sorted(problems)]
    return LayerData(geometries=converted, attributes=raw.columns, fields=raw.fields, source_crs=done.source_crs,
                     crs_warnings=done.crs_warnings, encoding_used=raw.encoding, feature_labels=raw.labels,
                     invalid=invalid,
                     warnings=list(raw.warnings), source_format=raw.source_format, layer_name=raw.layer_name,
                     swap_xy=done.swap_xy, area_units=dict(raw.area_units))
