"""Overlay analysis against the layers in the database (issue 3 item 5): the pure engine of
landguard.engine.overlay fed with only the features near the boundaries.

A county DLTB has 10⁵–10⁶ parcels; a web worker must not hold one in memory, and one boundary needs a
few hundred of them. So boundaries are grouped into spatial chunks, and for each chunk only the
features whose bounding box meets a boundary's are read (spatial index, WKB, see selectors.candidates)
into small DltbLayer/ControlLayer subsets carrying the official areas stored at import — a parcel wholly
inside a boundary costs its stored area, nothing more — and overlay() runs on them. The figures are the
engine's on the whole layer: features that miss every boundary contribute nothing there either.

Nothing here writes. read_boundaries / boundaries_from_geojson turn a user's file or GeoJSON into
boundaries and choose_layers picks the layer versions (each county's 官方图层, see analysis.counties), for
the page, the API and the command alike; a boundary crossing county lines is analysed per county and added up.
The versions passed in must come from the layers selectors with the same scope; features are read
through the scope too (a township officer's analysis sees the parcels of their township only), and
every boundary must lie inside the scope's region.

In the results, `pieces.dltb_index` and each control's `feature_index` are Feature primary keys (the
engine's positions in its in-memory subset mean nothing to a caller).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from landguard.analysis import counties, selectors
from landguard.analysis.errors import MAX_NAMED, OverlayError, boundary_names
from landguard.core.scope import RegionScope
from landguard.formats import read_layer
from landguard.formats.base import LayerReadError, feature_names
from landguard.formats.geometry import describe_invalid
from landguard.formats.uploads import check_upload_size
from landguard.engine.checks import LayerDataError, boundary_array
from landguard.engine.kinds import ControlKind
from landguard.engine.layers import ControlLayer, DltbLayer
from landguard.engine.overlay import overlay, overlay_areas
from landguard.engine.combine import combine
from landguard.engine.results import OverlayResult, Subtotal
from landguard.layers.models import LayerKind, LayerVersion, county_of
from landguard.regions import selectors as region_selectors

# A boundary may stray this far outside the scope's region: boundaries digitised on another base map, or
# a parcel drawn along the township line, cross it by metres.
SCOPE_TOLERANCE_M = 50.0
_METRES_PER_DEGREE_LAT = 110_574.0  # the shortest (equatorial) meridian degree: the tolerance errs on the generous side
# Spatial chunks: boundaries whose centres fall in one grid cell (~10 km) are analysed together, at most
# CHUNK_MAX at a time, so memory is bounded by the parcels near one cell's boundaries (~10 MB for 1 000
# change patches). Smaller chunks cost more in per-query and per-layer overhead than they save: for
# 10 000 patches over a county, 0.1° cells take 2/3 of the time of 0.05° cells and half that of 0.025°.
CHUNK_DEGREES = 0.1
CHUNK_MAX = 1000
_POLYGON, _MULTIPOLYGON = int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)


# The DLTB to analyse against: one version, or one per county for boundaries crossing county lines.
DltbChoice = LayerVersion | Sequence[LayerVersion]


def overlay_boundaries(*, scope: RegionScope, boundaries: Any, dltb: DltbChoice,
                       controls: Sequence[LayerVersion] = ()) -> list[OverlayResult]:
    """Overlay boundaries (shapely (Multi)Polygons, EPSG:4490) on a DLTB version and control versions.

    One OverlayResult per boundary, in order, with official CGCS2000 ellipsoidal areas; controls are keyed
    by control_names(). With one DLTB version per county (choose_layers for boundaries crossing county
    lines), each boundary is cut by the county outlines and each part analysed against its county's DLTB
    and controls (a control above county level applies to every part); the result is their total with a
    subtotal per county (OverlayResult.subtotals). Raises OverlayError for a boundary that is not a valid
    polygon or lies outside the scope's region, or a layer of the wrong kind.
    """
    dltbs = dltb_versions(dltb)
    geoms = _checked(scope, boundaries, dltbs, controls)
    names = control_names(controls)
    if len(dltbs) > 1:
        return _overlay_counties(scope, geoms, dltbs, controls, names)
    return _overlay_all(scope, geoms, dltbs[0], controls, names)


def dltb_versions(dltb: DltbChoice) -> list[LayerVersion]:
    """The DLTB versions of a choice, as a list."""
    return [dltb] if isinstance(dltb, LayerVersion) else list(dltb)


def _overlay_all(scope: RegionScope, geoms: np.ndarray, dltb: LayerVersion, controls: Sequence[LayerVersion],
                 names: dict[int, str]) -> list[OverlayResult]:
    results: list[OverlayResult | None] = [None] * len(geoms)
    for rows in _chunks(geoms):
        for result in _overlay_chunk(scope, geoms[rows], dltb, controls, names):
            i = int(rows[result.boundary_index])
            results[i] = replace(result, boundary_index=i)
    return results  # type: ignore[return-value]  # every slot filled: the chunks partition the boundaries


def _overlay_counties(scope: RegionScope, geoms: np.ndarray, dltbs: list[LayerVersion],
                      controls: Sequence[LayerVersion],
                      names: dict[int, str]) -> list[OverlayResult]:
    codes = counties.county_codes(dltbs)
    stray = [v.layer.name for v in controls if county_of(v.layer.region_code) not in (*codes, None)]
    if stray:  # it would be used nowhere: no part of the boundary is analysed in its county
        raise OverlayError(_("管控图层“%(names)s”所在的县没有选用地类图斑图层") % {"names": "、".join(stray)})
    found, parts = counties.split(geoms, codes)
    per_county: list[dict[int, OverlayResult]] = []
    for k, (county, dltb) in enumerate(zip(found, dltbs, strict=True)):
        rows = np.flatnonzero(parts[:, k] != None)  # noqa: E711  # an object array: None marks no part
        mine = [v for v in controls if county_of(v.layer.region_code) in (county.code, None)]
        results = _overlay_all(scope, parts[rows, k], dltb, mine, names) if len(rows) else []
        per_county.append({int(rows[r.boundary_index]): r for r in results})
    combined = []
    for i in range(len(geoms)):
        subtotals = [Subtotal(county.code, county.name, replace(per_county[k][i], boundary_index=i))
                     for k, county in enumerate(found) if i in per_county[k]]
        if not subtotals:  # only slivers anywhere: the boundary is noise, analysed whole in the first county
            combined.append(_overlay_all(scope, geoms[i:i + 1], dltbs[0], controls, names)[0])
            combined[-1] = replace(combined[-1], boundary_index=i)
        else:
            combined.append(combine(i, subtotals))
    return combined


@dataclass(frozen=True)
class PatchClassification:
    """Per change patch (卫片图斑), arrays aligned with the patches given; areas in m², official.

    The basic-farmland and approval arrays are None when that layer was not given.
    """

    area_m2: np.ndarray  # the patch's own ellipsoidal area
    dltb_m2: np.ndarray  # covered by DLTB parcels (less than area_m2 where the survey has gaps)
    farmland_gross_m2: np.ndarray  # 耕地 touched, gross of 田坎
    farmland_net_m2: np.ndarray  # net of 田坎 (图斑地类面积)
    main_code: np.ndarray  # the DLBM covering most of the patch (原地类), "" where no parcel
    basic_farmland_m2: np.ndarray | None  # inside 永久基本农田
    approved_m2: np.ndarray | None  # covered by 已批用地
    unapproved_m2: np.ndarray | None  # not covered by any approval

    def __len__(self) -> int:
        return len(self.area_m2)

    @property
    def occupies_farmland(self) -> np.ndarray:
        """The 占用耕地 verdict of each patch."""
        return self.farmland_gross_m2 > 0

    @property
    def occupies_basic_farmland(self) -> np.ndarray | None:
        """The 占用永久基本农田 verdict of each patch."""
        return None if self.basic_farmland_m2 is None else self.basic_farmland_m2 > 0

    @property
    def not_covered_by_approval(self) -> np.ndarray | None:
        """The 未被已批用地覆盖 verdict of each patch."""
        return None if self.unapproved_m2 is None else self.unapproved_m2 > 0


def classify_patches(*, scope: RegionScope, patches: Any, dltb: LayerVersion,
                     basic_farmland: LayerVersion | None = None,
                     approved: LayerVersion | None = None) -> PatchClassification:
    """Classify change patches (卫片图斑, typically 10⁴ across a county) against the DLTB, 永久基本农田 and
    已批用地: what land each one touches and whether an approval covers it. The engine's figures
    (overlay_areas: the same clipping and thresholds as overlay_boundaries, without per-patch tables),
    chunk by chunk, so memory stays bounded by the parcels near one chunk of patches."""
    given = {kind: v for kind,
             v in ((LayerKind.BASIC_FARMLAND, basic_farmland), (LayerKind.APPROVED, approved)) if v is not None}
    for kind, version in given.items():
        if version.layer.kind != kind:
            raise OverlayError(_("图层“%(name)s”不是%(kind)s图层")
                               % {"name": version.layer.name, "kind": LayerKind(kind).label})
    controls = list(given.values())
    geoms = _checked(scope, patches, [dltb], controls)
    names = control_names(controls)
    n = len(geoms)
    columns = {key: np.zeros(n) for key in ("area", "dltb", "gross", "net", "basic", "approved", "unapproved")}
    main_code = np.full(n, "", dtype=object)
    for rows in _chunks(geoms):
        chunk = _chunk_layers(scope, geoms[rows], dltb, controls, names)
        summary = overlay_areas(geoms[rows], chunk.dltb, chunk.controls)
        columns["area"][rows], columns["dltb"][rows] = summary.gross_m2, summary.dltb_m2
        columns["gross"][rows], columns["net"][rows] = summary.farmland_gross_m2, summary.farmland_net_m2
        main_code[rows] = summary.main_code
        if basic_farmland is not None:
            columns["basic"][rows] = summary.control_inside_m2[names[basic_farmland.pk]]
        if approved is not None:
            columns["approved"][rows] = summary.control_inside_m2[names[approved.pk]]
            columns["unapproved"][rows] = summary.control_outside_m2[names[approved.pk]]
    return PatchClassification(
        area_m2=columns["area"], dltb_m2=columns["dltb"], farmland_gross_m2=columns["gross"],
        farmland_net_m2=columns["net"],
        main_code=main_code,
        basic_farmland_m2=columns["basic"] if basic_farmland is not None else None,
        approved_m2=columns["approved"] if approved is not None else None,
        unapproved_m2=columns["unapproved"] if approved is not None else None,
    )


def control_names(controls: Sequence[LayerVersion]) -> dict[int, str]:
    """The key of each control version in OverlayResult.controls: its layer's name, with the layer's slug
    added where two layers (of different regions) share a name."""
    counts: dict[str, int] = {}
    for v in controls:
        counts[v.layer.name] = counts.get(v.layer.name, 0) + 1
    return {v.pk: v.layer.name if counts[v.layer.name] == 1 else f"{v.layer.name}（{v.layer.slug}）" for v in controls}


# --- input: boundaries and layers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundaries:
    """Boundaries read from a file or GeoJSON: polygons in EPSG:4490, how to name each one, and what the
    reader wants the user to know (CRS decided, encoding assumed …)."""

    geometries: np.ndarray
    labels: list[str]
    warnings: list[str]


def read_boundaries(path: str | Path, *, crs: str | None = None) -> Boundaries:
    """Boundaries from a file in any format landguard.formats reads (GeoJSON, zipped shapefile,
    KML/KMZ, GeoPackage, 坐标交换文件, CSV/XLSX coordinate tables), converted to CGCS2000. Every feature
    must be a valid polygon: OverlayError otherwise, naming the features."""
    try:
        data = read_layer(path, crs=crs)
    except LayerReadError as exc:
        raise OverlayError(str(exc)) from None
    labels = [str(data.feature_labels[i]) for i in range(len(data))]
    # A boundary is called by its own name where the file gives one (XMMC, 名称, name …), else by its position.
    names = feature_names(len(data), data.attributes, data.fields)
    if names:
        labels = [name or label for name, label in zip(names, labels, strict=True)]
    if not len(data):
        raise OverlayError(_("文件中没有要素"))
    if data.invalid:
        lines = data.invalid_messages()
        more = _("（另有 %(count)s 个）") % {"count": len(lines) - MAX_NAMED} if len(lines) > MAX_NAMED else ""
        raise OverlayError(_("边界几何有误：%(lines)s%(more)s") % {"lines": "；".join(lines[:MAX_NAMED]), "more": more})
    geoms = np.asarray(data.geometries, dtype=object)
    not_polygon = np.flatnonzero(~np.isin(shapely.get_type_id(geoms), (_POLYGON, _MULTIPOLYGON)))
    if len(not_polygon):
        raise OverlayError(_("%(features)s 不是面（多边形），分析边界须为面要素")
                           % {"features": boundary_names(list(not_polygon), labels)})
    return Boundaries(geoms, labels, [*data.crs_warnings, *data.warnings])


def read_upload(upload: UploadedFile, *, crs: str | None = None) -> Boundaries:
    """read_boundaries for an uploaded file, after the shared upload-size check."""
    name = Path(upload.name or "boundary").name
    try:
        check_upload_size(name, size=upload.size)
    except LayerReadError as exc:
        raise OverlayError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="landguard-overlay-") as tmp:
        path = Path(tmp) / name  # the name matters: the readers go by its suffix
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return read_boundaries(path, crs=crs)


def boundaries_from_geojson(data: Any) -> Boundaries:
    """Boundaries from parsed GeoJSON — a geometry, a Feature or a FeatureCollection, as the API and the
    map send it — read like a GeoJSON file (the same CRS rules and messages)."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise OverlayError(_("不是 GeoJSON：需要 Polygon/MultiPolygon 几何、Feature 或 FeatureCollection"))
    if data["type"] not in ("Feature", "FeatureCollection"):
        data = {"type": "Feature", "properties": {}, "geometry": data}
    with tempfile.TemporaryDirectory(prefix="landguard-overlay-") as tmp:
        path = Path(tmp) / "boundary.geojson"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return read_boundaries(path)


def choose_layers(scope: RegionScope, *, slugs: Sequence[str] | None = None,
                  boundaries: np.ndarray | None = None,
                  kinds: Sequence[str] | None = None) -> tuple[DltbChoice, list[LayerVersion]]:
    """The DLTB and control versions to analyse against (current versions visible to the scope).

    Named by slug: those layers (they may span counties, one DLTB per county). By default, for boundaries:
    the official layers (官方图层) of every county they really overlap (counties.overlapped) — one DLTB
    version when that is one county, else one per county — or, where no county outline is known, the
    layers whose extent meets them. Without boundaries: the one DLTB visible. `kinds` limits the control layers
    to those kinds (a caller whose rules read only some kinds is not stopped by a county's other layers).
    OverlayError otherwise, naming the county and its layers."""
    versions = list(selectors.overlay_versions(scope, slugs=list(slugs) if slugs is not None else None))
    if kinds is not None:
        versions = [v for v in versions if v.layer.kind == LayerKind.DLTB or v.layer.kind in kinds]
    if slugs is not None:
        missing = sorted(set(slugs) - {v.layer.slug for v in versions})
        if missing:
            raise OverlayError(_("没有这些图层（或不在您的数据范围内）：%(slugs)s") % {"slugs": "、".join(missing)})
    elif boundaries is not None and len(boundaries):
        found = counties.overlapped(scope, boundaries)
        if found:
            dltbs, controls = counties.official_layers(found, versions)
            return (dltbs[0] if len(dltbs) == 1 else tuple(dltbs)), controls
        box = shapely.box(*shapely.total_bounds(boundaries))
        reached = [v for v in versions if v.extent is None or shapely.intersects(box, shapely.box(*v.extent.extent))]
        if any(v.layer.kind == LayerKind.DLTB for v in versions) and not any(v.layer.kind == LayerKind.DLTB
            for v in reached):
            raise OverlayError(_("边界不在任何地类图斑图层的范围内"))
        versions = reached
    dltbs = [v for v in versions if v.layer.kind == LayerKind.DLTB]
    controls = [v for v in versions if v.layer.kind != LayerKind.DLTB]
    if slugs is not None and len(dltbs) > 1:
        counties.county_codes(dltbs)  # one per county, each of a county
        return tuple(dltbs), controls
    if len(dltbs) != 1:
        if not dltbs:
            raise OverlayError(_("没有可用的地类图斑图层：请先导入地类图斑，或指定图层"))
        raise OverlayError(_("有多个地类图斑图层，请指定其中一个：%(slugs)s")
                           % {"slugs": "、".join(v.layer.slug for v in dltbs)})
    return dltbs[0], controls


# --- checks ---------------------------------------------------------------------------------------------


def check_boundaries(scope: RegionScope, boundaries: Any) -> np.ndarray:
    """The boundaries as a geometry array, each a valid (Multi)Polygon inside the scope's region (within
    SCOPE_TOLERANCE_M); OverlayError naming them otherwise. The analysis checks this itself; callers that
    choose layers by the boundaries check first, so the user hears about the scope, not about layers."""
    try:
        geoms = boundary_array(boundaries)
    except LayerDataError as exc:
        given = np.asarray([boundaries] if isinstance(boundaries, shapely.Geometry) else list(boundaries), dtype=object)
        raise OverlayError(_boundary_problem(given[exc.feature_indices[0]]),
                           boundary_indices=exc.feature_indices) from None
    _check_scope(scope, geoms)
    return geoms


def _boundary_problem(geom: Any) -> str:
    """What is wrong with a boundary the engine refused, for a person (the engine counts from 0)."""
    if geom is None or shapely.is_empty(geom):
        return _("边界为空")
    if shapely.get_type_id(geom) not in (_POLYGON, _MULTIPOLYGON):
        return _("不是面（多边形）")
    if not shapely.is_valid(geom):
        return _("几何无效：%(reason)s") % {"reason": describe_invalid(shapely.is_valid_reason(geom))}
    return _("坐标不是经纬度（应为 CGCS2000 EPSG:4490）")


def _checked(scope: RegionScope, boundaries: Any, dltbs: Sequence[LayerVersion],
             controls: Sequence[LayerVersion]) -> np.ndarray:
    not_dltb = [v.layer.name for v in dltbs if v.layer.kind != LayerKind.DLTB]
    if not_dltb or not dltbs:
        raise OverlayError(_("图层“%(name)s”不是地类图斑图层") % {"name": "、".join(not_dltb)})
    not_control = [v.layer.name for v in controls if v.layer.control_kind is None]
    if not_control:
        raise OverlayError(_("图层“%(names)s”不是管控图层") % {"names": "、".join(not_control)})
    return check_boundaries(scope, boundaries)


def _check_scope(scope: RegionScope, geoms: np.ndarray) -> None:
    if scope.unrestricted or not len(geoms):
        return
    area, name = _scope_area(scope)
    if area is None:
        raise OverlayError(_("您的数据范围没有行政区边界，无法核对分析范围，请联系管理员"))
    outside = np.flatnonzero(~shapely.covers(area, geoms))
    if len(outside):
        raise OverlayError(_("超出您的数据范围（%(region)s）") % {"region": name}, boundary_indices=outside)


_SCOPE_AREAS: dict[tuple[int, float | None], shapely.Geometry] = {}


def _scope_area(scope: RegionScope) -> tuple[shapely.Geometry | None, str]:
    """The scope's region grown by SCOPE_TOLERANCE_M, prepared, and its name.

    Growing a county outline takes a millisecond and reading it another: both are kept per process,
    keyed by the region row and its area, which every boundary import recomputes (a re-imported outline
    is a new entry). Grown in a local frame where a degree of longitude is scaled to a degree of latitude,
    so the tolerance is the same in every direction.
    """
    row = (region_selectors.regions(scope).filter(code=scope.root_code, geom__isnull=False)
           .values_list("pk", "area_m2", "name").first())
    if row is None:
        return None, ""
    pk, area_m2, name = row
    key = (pk, area_m2)
    if key not in _SCOPE_AREAS:
        root = region_selectors.scope_root(scope, outline=True)
        region = shapely.from_wkb(bytes(root.geom.wkb))  # type: ignore[union-attr]  # the row above has one
        scale = np.array([np.cos(np.radians(shapely.centroid(region).y)), 1.0])
        local = shapely.transform(region, lambda xy: xy * scale)
        grown = shapely.transform(shapely.buffer(local, SCOPE_TOLERANCE_M / _METRES_PER_DEGREE_LAT),
                                  lambda xy: xy / scale)
        shapely.prepare(grown)
        if len(_SCOPE_AREAS) > 64:
            _SCOPE_AREAS.clear()
        _SCOPE_AREAS[key] = grown
    return _SCOPE_AREAS[key], name


# --- chunks ---------------------------------------------------------------------------------------------


def _chunks(geoms: np.ndarray) -> list[np.ndarray]:
    """Boundary indices grouped by the grid cell of their bounding-box centre, at most CHUNK_MAX a group."""
    if len(geoms) <= 1:
        return [np.arange(len(geoms))]
    b = shapely.bounds(geoms)
    cx = np.floor((b[:, 0] + b[:, 2]) / 2 / CHUNK_DEGREES)
    cy = np.floor((b[:, 1] + b[:, 3]) / 2 / CHUNK_DEGREES)
    order = np.lexsort((b[:, 0], cy, cx))
    cells = np.flatnonzero(np.diff(cx[order]) != 0) + 1
    cells = np.union1d(cells, np.flatnonzero(np.diff(cy[order]) != 0) + 1)
    groups = np.split(order, cells)
    return [part for group in groups for part in np.array_split(group, -(-len(group) // CHUNK_MAX))]


class _ChunkLayers(NamedTuple):
    dltb: DltbLayer
    controls: dict[str, ControlLayer]
    dltb_pk: np.ndarray  # Feature primary key of each parcel of `dltb`
    control_pk: dict[str, np.ndarray]


def _chunk_layers(scope: RegionScope, geoms: np.ndarray, dltb: LayerVersion, controls: Sequence[LayerVersion],
                  names: dict[int, str]) -> _ChunkLayers:
    """The DLTB and control features near one chunk's boundaries as engine layers, with the official areas
    and overlap flags stored at import (validated then)."""
    found = selectors.candidates(scope, [dltb, *controls], shapely.bounds(geoms))
    parcels = found[dltb.pk]
    # 权属性质 as stored ("" = none); a version imported without a QSXZ field has none at all (all 未标注 either way).
    qsxz = parcels.qsxz if "QSXZ" in (dltb.field_mapping or {}) else None
    layer = DltbLayer(parcels.geometry, parcels.code, kcxs=parcels.kcxs, kcxs_unit="fraction", area_m2=parcels.area_m2,
                      name=dltb.layer.name, validate=False, qsxz=qsxz)
    chunk = _ChunkLayers(layer, {}, parcels.pk, {})
    for version in controls:
        name, features = names[version.pk], found[version.pk]
        chunk.controls[name] = ControlLayer(ControlKind(version.layer.control_kind), features.geometry, name=name,
                                            area_m2=features.area_m2, overlapping=features.overlaps_other,
                                            validate=False)
        chunk.control_pk[name] = features.pk
    return chunk


def _overlay_chunk(scope: RegionScope, geoms: np.ndarray, dltb: LayerVersion, controls: Sequence[LayerVersion],
                   names: dict[int, str]) -> list[OverlayResult]:
    chunk = _chunk_layers(scope, geoms, dltb, controls, names)
    return [replace(
        r,
        pieces=replace(r.pieces, dltb_index=chunk.dltb_pk[r.pieces.dltb_index]),
        controls={name: replace(c, feature_index=chunk.control_pk[name][c.feature_index]) for name,
                  c in r.controls.items()},
    ) for r in overlay(geoms, chunk.dltb, chunk.controls)]
