"""Boundaries across county lines (issue 10): which counties a boundary really overlaps, the layers each of
them analyses with, and the boundary cut into one part per county.

Each county has one 官方图层 (official layer) per kind (Layer.is_official, layers.services.designate_official).
A boundary uses the official 地类图斑 and control layers of every county it overlaps by more than the
engine's sliver tolerance (DEFAULT_SLIVER_TOLERANCE_M2: below it, an intersection is float noise along a
shared edge), and each part of it is analysed against its own county's layers only — a parcel of one county
that strays over the line into the next is not counted there, so nothing is counted twice where two
counties' layers overlap at the border.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _

from landguard.analysis.errors import OverlayError
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.engine.clipping import DEFAULT_SLIVER_TOLERANCE_M2
from landguard.layers.models import LayerKind, LayerVersion, county_of
from landguard.regions.locate import outlines
from landguard.regions.models import Level, Region

_POLYGONAL = (int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON))


@dataclass(frozen=True)
class County:
    code: str
    name: str


def overlapped(scope: RegionScope, geoms: np.ndarray) -> list[County] | None:
    """The counties the boundaries really overlap, by code. A scope at county level or below has one county
    (the boundaries were checked to lie in it). Above that, the current county outlines under the scope whose
    intersection with some boundary is larger than the sliver tolerance; None when no county outline meets
    them at all (outlines not imported: the caller falls back to the layers' extents)."""
    root = scope.root_code or ""
    if county_of(root):
        code = county_of(root)
        name = Region.objects.filter(code=code, retired_in__isnull=True).values_list("name", flat=True).first()
        return [County(code, name or code)]  # type: ignore[arg-type]  # county_of(root) is not None here
    regions, shapes = outlines(level=Level.COUNTY, near=geoms, under=root)
    if not regions:
        return None
    found = []
    for region, shape in zip(regions, shapes, strict=True):
        shapely.prepare(shape)
        meets = shapely.intersects(shape, geoms)
        if not meets.any():
            continue
        if ellipsoidal_area_m2(shapely.intersection(geoms[meets], shape)).max() > DEFAULT_SLIVER_TOLERANCE_M2:
            found.append(County(region.code, region.name))
    return found


def official_layers(counties: Sequence[County],
                    versions: Sequence[LayerVersion]) -> tuple[list[LayerVersion], list[LayerVersion]]:
    """Per county, its layer of each kind: the official one, else the only one. (DLTB versions, one per county;
    control versions.) OverlayError naming the county when it has no 地类图斑, or several of a kind and none
    official."""
    dltbs: list[LayerVersion] = []
    controls: list[LayerVersion] = []
    for county in counties:
        mine = [v for v in versions if county_of(v.layer.region_code) == county.code]
        kinds = sorted({v.layer.kind for v in mine}, key=lambda k: (k != LayerKind.DLTB, k))
        if LayerKind.DLTB not in kinds:
            raise OverlayError(_("%(county)s（%(code)s）没有地类图斑图层：请先导入，或指定图层")
                               % {"county": county.name, "code": county.code})
        for kind in kinds:
            chosen = _one_of_kind(county, [v for v in mine if v.layer.kind == kind])
            (dltbs if kind == LayerKind.DLTB else controls).append(chosen)
    return dltbs, controls


def _one_of_kind(county: County, versions: list[LayerVersion]) -> LayerVersion:
    official = [v for v in versions if v.layer.is_official]
    if official:
        return official[0]
    if len(versions) == 1:
        return versions[0]
    raise OverlayError(
        _("%(county)s（%(code)s）有多个%(kind)s图层且未指定官方图层：%(layers)s。请在图层页面将其中一个设为官方图层，或指定图层")
        % {"county": county.name, "code": county.code, "kind": versions[0].layer.get_kind_display(),
           "layers": "、".join(f"{v.layer.name}（{v.layer.slug}）" for v in versions)})


def county_codes(dltbs: Sequence[LayerVersion]) -> list[str]:
    """The county of each DLTB version; OverlayError for one above county level or two in one county."""
    codes = []
    for v in dltbs:
        code = county_of(v.layer.region_code)
        if code is None:
            raise OverlayError(_("地类图斑图层“%(name)s”不属于某一个县，不能与其他县的图层一起分析")
                               % {"name": v.layer.name})
        if code in codes:
            raise OverlayError(_("同一个县（%(code)s）只能使用一个地类图斑图层") % {"code": code})
        codes.append(code)
    return codes


def split(geoms: np.ndarray, codes: Sequence[str]) -> tuple[list[County], np.ndarray]:
    """Cut each boundary into its parts in the given counties: a (boundaries × counties) array of polygonal
    geometries (None where the part is below the sliver tolerance) that tile each boundary exactly —
    counties are taken in order and each keeps only what earlier ones did not (outlines from different
    sources overlap along the line), and what lies in no outline (gaps between them, or beyond the last
    county) goes to the county holding the largest part, so every square metre is analysed once."""
    regions, shapes = outlines(level=Level.COUNTY, near=geoms)
    by_code = {r.code: (r, s) for r, s in zip(regions, shapes, strict=True)}
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise OverlayError(_("县 %(codes)s 没有行政区边界，无法按县分开分析") % {"codes": "、".join(missing)})
    counties = [County(c, by_code[c][0].name) for c in codes]
    parts = np.full((len(geoms), len(codes)), None, dtype=object)
    for i, geom in enumerate(geoms):
        rest = geom
        for k, code in enumerate(codes):
            parts[i, k] = _polygonal(shapely.intersection(rest, by_code[code][1]))
            rest = shapely.difference(rest, by_code[code][1])
        areas = ellipsoidal_area_m2(parts[i])
        rest = _polygonal(rest)
        if rest is not None:
            k = int(np.argmax(areas))
            parts[i, k] = _polygonal(shapely.union(parts[i, k], rest)) if parts[i, k] is not None else rest
            areas[k] = ellipsoidal_area_m2(parts[i, k])[0]
        parts[i, areas <= DEFAULT_SLIVER_TOLERANCE_M2] = None
    return counties, parts


def _polygonal(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """The polygons of an intersection or difference (which may hold lines and points where edges touch)."""
    if geom is None or shapely.is_empty(geom):
        return None
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    polygons = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGONAL and not shapely.is_empty(p)]
    if not polygons:
        return None
    merged = polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)
    return merged if shapely.get_type_id(merged) in _POLYGONAL else None
