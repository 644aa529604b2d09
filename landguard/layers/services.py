"""Writes to the layer registry: importing a file as a new version of a layer, in one transaction.

import_layer reads any format of landguard.formats (converted to EPSG:4490), checks it — geometry
(empty, outside China, invalid unless repair is asked for, mixed types), fields (the kind's required
fields, a user mapping), the 三调 rules for 地类图斑 (known DLBM, KCXS 0 ≤ x < 1, QSXZ in its code list,
TBMJ against the official area) — and only then writes: the layer (created on first import), a new current
version, every feature with its official CGCS2000 ellipsoidal area and the region it lies in, and an audit
entry. Anything wrong raises LayerImportError with a message naming the feature, row or field, and nothing is written.

Features are written in bulk by `bulk.insert_features` (PostgreSQL COPY; SQLite executemany) because a county
DLTB has ~10⁵–10⁶ parcels and the ORM's bulk_create would take minutes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard import formats
from landguard.audit.models import AuditEntry
from landguard.audit.services import record
from landguard.audit.notes import Note
from landguard.core import crs as crsmod
from landguard.core.dbstats import analyze_on_commit
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.formats.base import LayerData, LayerReadError, python_value
from landguard.jobs.services import Stages
from landguard.engine.checks import KcxsUnit, LayerDataError
from landguard.engine.layers import ControlLayer, DltbLayer
from landguard.layers import partitions
from landguard.layers.bulk import insert_features
from landguard.layers.models import CONTROL_KIND, GeometryKind, Layer, LayerKind, LayerVersion, county_of
from landguard.layers.placement import OUTSIDE_TOLERANCE_M, describe, place
from landguard.layers.schema import CODE_FIELD, ID_FIELD, FieldMappingError, area_field, resolve_mapping
from landguard.regions.locate import holding_regions
from landguard.regions.models import Level, Region

Progress = Callable[[int, int], None] | None

MAX_NAMED = 10  # features named in one message
TBMJ_TOLERANCE_M2 = 0.01  # TBMJ is stored to 2 decimals (domain.md §2.3)
_FAMILY = {0: GeometryKind.POINT, 4: GeometryKind.POINT, 1: GeometryKind.LINE, 2: GeometryKind.LINE,
           5: GeometryKind.LINE,
           3: GeometryKind.POLYGON, 6: GeometryKind.POLYGON}


class LayerImportError(Exception):
    """The file cannot be imported; the message names the feature, row or field. Nothing was written.

    `repairable`: the file would import with repair=True (invalid geometries only); `outside`: refused for
    features far outside the layer's region, which allow_outside=True would import. The caller adds the hint
    in its own terms (the upload page's checkbox, the command's --repair / --allow-outside)."""

    def __init__(self, message: str, *, repairable: bool = False, outside: bool = False) -> None:
        super().__init__(message)
        self.repairable = repairable
        self.outside = outside


@dataclass
class LayerImportReport:
    layer: Layer
    version: LayerVersion
    features: int = 0
    area_m2: float = 0.0
    warnings: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        v = self.version
        head = (_("图层：%(name)s，第 %(number)s 版（现行）") if v.is_current
                else _("图层：%(name)s，第 %(number)s 版（草稿，发布后成为现行版本）"))
        out = [head % {"name": self.layer.name, "number": v.number},
               _("要素：%(count)s 个，椭球面积合计 %(ha).4f 公顷（%(mu).2f 亩）")
               % {"count": self.features, "ha": self.area_m2 / 10_000, "mu": self.area_m2 * 3 / 2000},
               _("原坐标系：%(crs)s；文件格式：%(format)s")
                   % {"crs": crsmod.describe_source(v.source_crs), "format": v.source_format}]
        if v.encoding:
            out.append(_("文本编码：%(encoding)s") % {"encoding": v.encoding})
        if v.field_mapping:
            out.append(_("字段对应：%(mapping)s")
                       % {"mapping": "，".join(f"{k}={c}" for k, c in v.field_mapping.items())})
        out += [_("注意：%(warning)s") % {"warning": w} for w in self.warnings]
        out += [_("几何修复：%(item)s") % {"item": item} for item in self.repaired]
        return out


def _named(labels: Any, indices: Any) -> str:
    indices = list(indices)
    text = "、".join(labels[int(i)] for i in indices[:MAX_NAMED])
    if len(indices) > MAX_NAMED:
        text += _(" 等 %(count)s 个") % {"count": len(indices)}
    return text


def slug_for(region_code: str, kind: str, name: str) -> str:
    base = slugify(f"{region_code}-{kind}", allow_unicode=False)
    suffix = slugify(name, allow_unicode=False)
    slug = f"{base}-{suffix}" if suffix and suffix != kind else base
    slug, n = slug[:56], 2
    candidate = slug
    while Layer.objects.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


# --- checks --------------------------------------------------------------------------------------------


def _geometry_checks(data: LayerData, *, repair: bool, polygons_only: bool) -> tuple[np.ndarray, str, list[str]]:
    """Usable geometries (Multi* of one family), the family, and the repair lines. Raises on any bad feature."""
    geoms = np.asarray(data.geometries, dtype=object).copy()
    labels = data.feature_labels
    present = np.array([g is not None for g in geoms], dtype=bool)
    present[present] = ~shapely.is_empty(geoms[present])
    invalid_geos = np.zeros(len(geoms), dtype=bool)
    if present.any():
        invalid_geos[present] = ~shapely.is_valid(geoms[present])
    repaired: list[str] = []
    reasons = dict(data.invalid)
    if repair and invalid_geos.any():
        rows = np.flatnonzero(invalid_geos)
        fixed = shapely.make_valid(geoms[rows])
        ok = shapely.is_valid(fixed) & ~shapely.is_empty(fixed) & crsmod.in_china(fixed)
        ok &= np.array([np.isfinite(shapely.get_coordinates(g)).all() for g in fixed], dtype=bool)
        for i, g, good in zip(rows, fixed, ok, strict=True):
            if good:
                geoms[i] = g
                repaired.append(_("%(feature)s：%(reason)s，已自动修复")
                                % {"feature": labels[int(i)], "reason": reasons.pop(int(i), "")})
        invalid_geos[rows[ok]] = False
    if reasons:
        bad = sorted(reasons)
        detail = "；".join(_("%(feature)s：%(reason)s") % {"feature": labels[i], "reason": reasons[i]}
                           for i in bad[:MAX_NAMED])
        more = _("（另有 %(count)s 个要素有问题）") % {"count": len(bad) - MAX_NAMED} if len(bad) > MAX_NAMED else ""
        raise LayerImportError(_("%(count)s 个要素不能导入：%(detail)s%(more)s")
                               % {"count": len(bad), "detail": detail, "more": more},
                               repairable=bool(invalid_geos.any() and not repair) and len(bad)
                                   == int(invalid_geos.sum()))

    # One geometry family per layer; polygons for every kind the overlay uses.
    types = shapely.get_type_id(geoms)
    family = np.array([_FAMILY.get(int(t), "other") for t in types], dtype=object)
    collections = np.flatnonzero(family == "other")
    if len(collections) and repair:
        # make_valid can turn a bow-tie into a collection of a polygon and a line: keep the polygon parts.
        for i in collections:
            polys = [p for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in (3, 6)]
            if polys:
                geoms[i] = shapely.union_all(polys)
                family[i] = GeometryKind.POLYGON
                repaired.append(_("%(feature)s：去除了非面部分（点、线）") % {"feature": labels[int(i)]})
        collections = np.flatnonzero(family == "other")
    if len(collections):
        raise LayerImportError(_("不支持几何集合要素：%(features)s") % {"features": _named(labels, collections)})
    kinds, counts = np.unique(family.astype(str), return_counts=True)
    if len(kinds) > 1:
        major = kinds[np.argmax(counts)]
        minority = np.flatnonzero(family.astype(str) != major)
        names = {GeometryKind.POINT: _("点"), GeometryKind.LINE: _("线"), GeometryKind.POLYGON: _("面")}
        raise LayerImportError(
            _("几何类型混杂：多数为%(major)s，而 %(features)s 为%(other)s。一个图层只能有一种几何类型")
                               % {"major": names[major], "features": _named(labels, minority),
                                  "other": "、".join(sorted({names[family[i]] for i in minority}))})
    kind = str(kinds[0])
    if polygons_only and kind != GeometryKind.POLYGON:
        raise LayerImportError(_("此类图层需要面要素，文件中是%(kind)s要素")
                               % {"kind": {"point": _("点"), "line": _("线")}[kind]})
    multi = {GeometryKind.POLYGON: (3, shapely.multipolygons), GeometryKind.LINE: (1, shapely.multilinestrings),
             GeometryKind.POINT: (0, shapely.multipoints)}[kind]
    single = np.flatnonzero(types == multi[0]) if kind != GeometryKind.LINE else np.flatnonzero(np.isin(types, (1, 2)))
    if len(single):
        geoms[single] = [multi[1]([g]) for g in geoms[single]]
    return geoms, kind, repaired


def _column(data: LayerData, name: str | None) -> np.ndarray | None:
    return None if name is None else np.asarray(data.attributes[name])


def _numbers(values: np.ndarray, labels: Any, field_label: str) -> np.ndarray:
    out = np.full(len(values), np.nan)
    bad = []
    for i, v in enumerate(values):
        v = python_value(v)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            bad.append(i)
    if bad:
        raise LayerImportError(_("字段 %(field)s 不是数值：%(features)s")
                               % {"field": field_label, "features": _named(labels, bad)})
    return out


def _texts(values: np.ndarray | None, n: int) -> list[str]:
    if values is None:
        return [""] * n
    return ["" if (v := python_value(x)) is None else str(v).strip() for x in values]


# --- the import ------------------------------------------------------------------------------------------


def import_layer(path: str | Path, *, kind: str, name: str, region: Region, year: int | None = None, source: str = "",
                 layer: Layer | None = None, encoding: str | None = None, sublayer: str | None = None,
                 crs: str | None = None,
                 field_map: Mapping[str, str] | None = None, kcxs_unit: KcxsUnit = "auto", repair: bool = False,
                 allow_outside: bool = False, original_name: str | None = None, actor=None,
                 scope: RegionScope | None = None,
                 progress: Progress = None, publish: bool = False) -> LayerImportReport:
    """Import a file as a new version of a layer (created when `layer` is None). One transaction.

    The first version of a layer is current at once; a later one is a draft until published (`publish`,
    the page's button, `import_layer --publish`) unless `publish` is given. Messages name the file as the
    user knows it (`original_name`), not the stored copy."""
    path = Path(path)
    try:
        return _import_layer(path, kind=kind, name=name, region=region, year=year, source=source, layer=layer,
                             encoding=encoding, sublayer=sublayer, crs=crs, field_map=field_map, kcxs_unit=kcxs_unit,
                             repair=repair, allow_outside=allow_outside, original_name=original_name or path.name,
                             actor=actor, scope=scope, progress=progress, publish=publish)
    except LayerImportError as exc:
        if original_name and original_name != path.name and path.name in str(exc):
            raise LayerImportError(str(exc).replace(path.name, original_name), repairable=exc.repairable,
                                   outside=exc.outside) from None
        raise


def _import_layer(path: Path, *, kind: str, name: str, region: Region, year: int | None, source: str,
                  layer: Layer | None,
                  encoding: str | None, sublayer: str | None, crs: str | None, field_map: Mapping[str, str] | None,
                  kcxs_unit: KcxsUnit, repair: bool, allow_outside: bool, original_name: str, actor,
                  scope: RegionScope | None, progress: Progress, publish: bool) -> LayerImportReport:
    # Steps 1–6 read and check, opening no transaction and taking no lock: reading a county's DLTB takes
    # minutes, and nothing is written until every check has passed, so a refused file leaves nothing behind
    # and blocks no one. Step 7 writes everything in one transaction.

    # 1. What needs no file: the kind exists and the layer's region lies inside the actor's scope.
    if kind not in LayerKind.values:
        raise LayerImportError(_("未知的图层类型“%(kind)s”（可用：%(kinds)s）")
                               % {"kind": kind, "kinds": "、".join(LayerKind.values)})
    if scope is not None and not scope.contains(region.code):
        raise LayerImportError(_("%(region)s 不在您的数据范围内") % {"region": region})

    # The job page's bar, by each step's usual share of an import's time (measured on a 500k-parcel DLTB).
    stages = Stages(progress, [("read", 3, _("读取文件")), ("geometry", 2, _("检查几何")),
                               ("fields", 2, _("检查字段、地类与面积")), ("regions", 1, _("确定所在行政区")),
                               ("write", 4, _("写入要素"))])

    # 2. Read the file into CGCS2000: the format, the CRS (declared, or decided from the coordinates near the
    #    region, hence the hint), every empty, non-finite, invalid or out-of-China feature listed.
    stages.begin("read")
    hint_lon = float(region.geom.centroid.x) if region.geom is not None else None
    try:
        data = formats.read_layer(path, encoding=encoding, layer=sublayer, crs=crs, hint_lon=hint_lon)
    except LayerReadError as exc:
        raise LayerImportError(str(exc)) from None
    n = len(data)
    labels = data.feature_labels

    # 3. Geometry: invalid features refused by name (or repaired and listed when asked), one geometry family per
    #    layer, polygons for every kind the overlay reads.
    stages.begin("geometry")
    geoms, geometry_kind, repaired = _geometry_checks(data, repair=repair, polygons_only=kind != LayerKind.CUSTOM)

    # 4. Fields: the kind's standard fields found in the file's columns (or the user's mapping); codes, ids and
    #    the stored area read from them.
    stages.begin("fields")
    try:
        mapping = resolve_mapping(kind, data.fields, field_map)
    except FieldMappingError as exc:
        raise LayerImportError(str(exc)) from None
    warnings = [w.replace(path.name, original_name) for w in (*data.crs_warnings, *data.warnings)]

    code_col = _column(data, mapping.get(CODE_FIELD))
    ids = _texts(_column(data, mapping.get(ID_FIELD)), n)
    stored_field = mapping.get(area_field(kind))
    stored_col = _column(data, stored_field)
    stored = _numbers(stored_col, labels, stored_field) if stored_col is not None else np.full(n, np.nan)
    # Kept in m² like every stored area; a field in other units was already checked by its reader (公顷 to 4 places
    # cannot meet a 0.01 m² tolerance), so it is converted and not compared again.
    stored_checked = stored_field in data.area_units
    if stored_checked:
        stored = stored * data.area_units[stored_field]

    # 5. The kind's own rules and the official areas. A 地类图斑 must pass the overlay engine's own load
    #    (DltbLayer: known DLBM, KCXS normalised to 0 ≤ x < 1, required on 耕地), so what is stored is what the
    #    overlay can read; a control layer's overlapping features are flagged once here, so the overlay unions
    #    only those. Then the stored area (TBMJ …) against the official one: reported, never used.
    kcxs = np.zeros(n)
    overlaps = np.zeros(n, dtype=bool)
    qsxz: list[str] | None = None
    if kind == LayerKind.DLTB:
        kcxs_col = _column(data, mapping.get("KCXS"))
        qsxz_col = _column(data, mapping.get("QSXZ"))
        try:
            dltb = DltbLayer(geoms, code_col,
                             kcxs=_numbers(kcxs_col, labels, mapping["KCXS"]) if kcxs_col is not None else None,
                             attributes={"BSM": np.array([ids[i] or labels[i] for i in range(n)], dtype=object)},
                             kcxs_unit=kcxs_unit, name=name, validate=False, qsxz=qsxz_col)
        except LayerDataError as exc:
            raise LayerImportError(str(exc)) from None
        codes = [str(c) for c in dltb.dlbm]
        kcxs, area = dltb.kcxs, dltb.area_m2
        if kcxs_col is None:
            warnings.append(_("没有扣除地类系数字段（KCXS/TKXS）：耕地净面积按毛面积计，不扣田坎"))
        warnings += _qsxz_notes(dltb, labels)
        qsxz = None if dltb.qsxz is None else dltb.qsxz.tolist()
    else:
        codes = _texts(code_col, n)
        area = ellipsoidal_area_m2(geoms) if geometry_kind == GeometryKind.POLYGON else np.zeros(n)
        if CONTROL_KIND[kind] is not None and geometry_kind == GeometryKind.POLYGON:
            overlaps = ControlLayer(CONTROL_KIND[kind], geoms, name=name, validate=False).overlapping
            if overlaps.any():
                warnings.append(
                    _("%(count)s 个要素与同图层其他要素重叠（如 %(features)s）；分析时按并集计算面积，不重复计")
                                % {"count": int(overlaps.sum()),
                                   "features": _named(labels, np.flatnonzero(overlaps)[:3])})
    has_stored = ~np.isnan(stored)
    if has_stored.any() and not stored_checked:
        diff = np.abs(stored - area)
        off = np.flatnonzero(has_stored & (diff > TBMJ_TOLERANCE_M2))
        if len(off):
            warnings.append(
                _("%(count)s 个要素的%(field)s与 CGCS2000 椭球面积相差超过 %(tol)s 平方米（最大 %(max).2f 平方米，如 "
                  "%(features)s）；"
                              "本平台统计一律使用椭球面积")
                            % {"count": len(off), "field": stored_field, "tol": TBMJ_TOLERANCE_M2,
                               "max": float(diff[off].max()), "features": _named(labels, off[:3])})

    # 6. The region of each feature, its scope key (landguard.regions.locate: the village, else the township,
    #    whose outline covers its representative point; the layer's own region where none does). A feature
    #    outside the actor's scope refuses the file; so does one far outside the layer's region unless allowed.
    stages.begin("regions")
    points = shapely.point_on_surface(geoms)
    feature_regions = holding_regions(points, under=region.code)  # village, else township, by representative point
    feature_regions[feature_regions == ""] = region.code  # in no lower region: the layer's own
    if scope is not None:
        outside = np.flatnonzero([not scope.contains(c) for c in feature_regions])
        if len(outside):
            raise LayerImportError(_("%(features)s 不在您的数据范围内") % {"features": _named(labels, outside)})
    far = _far_outside(points, region, labels, allow=allow_outside, warnings=warnings)
    outside_region = np.flatnonzero(feature_regions == region.code) if region.level < Level.TOWNSHIP else np.zeros(0,
        dtype=int)
    outside_region = np.setdiff1d(outside_region, far)  # the far ones have a line of their own
    if len(outside_region) and Region.objects.filter(parent=region, geom__isnull=False).exists():
        warnings.append(_("%(count)s 个要素不在任何下级行政区边界内（如 %(features)s），归属 %(region)s")
                        % {"count": len(outside_region), "features": _named(labels, outside_region[:3]),
                           "region": region.name})

    properties = _properties(data, skip=())

    stages.begin("write")

    # 6b. PostgreSQL: each county the features lie in has its partition of the feature table before the write
    #     (layers.partitions), created here, in a short transaction of its own, rather than inside step 7's: the
    #     DDL locks the whole feature table until its transaction ends, and step 7 lasts as long as the write.
    counties = {county_of(str(c)) or "" for c in np.unique(feature_regions)} if n else set()
    for county_code in sorted(counties - {""}):
        partitions.ensure_county_partition(county_code)

    # 7. One transaction for every write, so a failure leaves nothing. On SQLite it begins IMMEDIATE (settings),
    #    taking the database's write lock at once: other writers queue until the commit, readers (WAL) see the
    #    data before the import until then.
    with transaction.atomic():
        # 7a. The layer. A new one has no row to lock: on PostgreSQL two first imports of one name at once both
        #     find none, and the unique (region_code, kind, name) constraint fails the second (on SQLite the write
        #     lock makes the second find the first's layer and become its next version). An existing one is locked
        #     (select_for_update) because the next version number (max + 1) and the one current version are
        #     read and then written: two imports into one layer, or an import and a publish/set_current (which
        #     lock the same row), must not both take number n or both leave a version current.
        if layer is None:
            layer = Layer.objects.filter(region_code=region.code, kind=kind, name=name).first()
        if layer is None:
            # A county's first layer of a kind becomes its official one (官方图层): the overlay needs one.
            county = county_of(region.code)
            official = county is not None and not Layer.objects.filter(
                region_code__startswith=county, kind=kind, is_official=True).exists()
            layer = Layer.objects.create(kind=kind, name=name, slug=slug_for(region.code, kind, name), region=region,
                                         region_code=region.code, created_by=actor, is_official=official)
        else:
            layer = Layer.objects.select_for_update().get(pk=layer.pk)
            if layer.kind != kind:
                raise LayerImportError(_("图层“%(name)s”的类型是%(kind)s")
                                       % {"name": layer.name, "kind": layer.get_kind_display()})
        # 7b. The version, under that lock: current at once for a layer's first version (or when asked to
        #     publish), else a draft beside the current version until a manager publishes it.
        number = (layer.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        draft = not publish and layer.versions.filter(is_current=True).exists()
        if not draft:
            layer.versions.filter(is_current=True).update(is_current=False)
        bounds = shapely.total_bounds(geoms)
        version = LayerVersion.objects.create(
            layer=layer, number=number, is_current=not draft, is_draft=draft, year=year, source=source[:200],
            original_name=original_name[:255], source_format=data.source_format, source_crs=data.source_crs,
            encoding=data.encoding_used or "", field_mapping=mapping, geometry_kind=geometry_kind, feature_count=n,
            area_m2=float(area.sum()), extent=GEOSGeometry(shapely.box(*bounds).wkt, srid=4490) if n else None,
            imported_by=actor,
        )
        # 7c. The features in bulk (COPY / executemany; see insert_features for its SpatiaLite trigger swap,
        #     invisible to other connections because it happens inside this transaction).
        insert_features(version.pk, geoms, region_codes=feature_regions, fids=ids, codes=codes, kcxs=kcxs, area=area,
                        stored=stored, overlaps=overlaps, properties=properties, qsxz=qsxz,
                        progress=stages.counter("write"))
        # 7d. The report on the version and the audit entry, in the same transaction as what they describe.
        report = LayerImportReport(layer, version, n, float(area.sum()), warnings, repaired)
        version.report = report.lines()
        version.save(update_fields=["report"])
        record(actor=actor, action=AuditEntry.Action.IMPORT, target=layer, region_code=layer.region_code,
               changes={"version": [number - 1 or None, number], "features": [None, n], "draft": [None, draft]},
               note=(_("导入图层草稿：%(file)s") if draft else _("导入图层：%(file)s"))
                   % {"file": version.original_name})
        # fresh planner statistics for the next tile, page or overlay: of the partitions written into, on PostgreSQL
        partitions.analyze_on_commit(counties)
        analyze_on_commit(LayerVersion)
    return report


def _qsxz_notes(dltb: DltbLayer, labels: Any) -> list[str]:
    """What the report says of 权属性质: no such field, or parcels without a value (both counted as 未标注)."""
    if dltb.qsxz is None:
        return [_("没有权属性质字段（QSXZ）：叠加分析中各图斑的权属均按“未标注”统计")]
    blank = np.flatnonzero(dltb.qsxz == "")
    if not len(blank):
        return []
    return [_("%(count)s 个图斑没有权属性质（QSXZ），叠加分析中按“未标注”统计（如 %(features)s）")
            % {"count": len(blank), "features": _named(labels, blank[:3])}]


def _far_outside(points: np.ndarray, region: Region, labels: Any, *, allow: bool, warnings: list[str]) -> np.ndarray:
    """The features far outside the layer's region (landguard.layers.placement): refused naming each and where
    it lies, or with `allow` listed in the report. Returns their indices; adds the report's notes."""
    placement = place(points, region)
    if placement.region is None:
        warnings.append(_("%(region)s及其上级行政区均没有边界，未能核对要素是否位于区域内") % {"region": region.name})
        return placement.far
    if placement.region.pk != region.pk:
        warnings.append(_("%(region)s没有边界，按%(outline)s的边界核对要素是否位于区域内")
                        % {"region": region.name, "outline": placement.region.name})
    far = placement.far
    if not len(far):
        return far
    shown = far[:MAX_NAMED]
    places = describe(points[shown], placement.distances_m[:MAX_NAMED], placement.region)
    values = {"count": len(far), "region": placement.region.name, "km": f"{OUTSIDE_TOLERANCE_M / 1000:g}",
              "detail": "；".join(f"{labels[int(i)]}{where}" for i, where in zip(shown, places, strict=True)),
              "more": _("（另有 %(count)s 个）") % {"count": len(far) - MAX_NAMED} if len(far) > MAX_NAMED else ""}
    if not allow:
        raise LayerImportError(_("%(count)s 个要素位于%(region)s边界外 %(km)s 公里以上，不能导入："
                                 "%(detail)s%(more)s") % values, outside=True)
    warnings.append(_("%(count)s 个要素位于%(region)s边界外 %(km)s 公里以上，"
                      "已按“允许导入区域外的要素”导入：%(detail)s%(more)s") % values)
    return far


def _properties(data: LayerData, skip: tuple[str, ...]) -> list[str]:
    """Every source attribute of each feature as a JSON object (plain values; NaN → null)."""
    columns = []
    for name in data.fields:
        if name in skip:
            continue
        values = data.attributes[name]
        if values.dtype.kind == "f":
            py = [None if math.isnan(v) else v for v in values.tolist()]
        elif values.dtype.kind == "M":
            py = [None if v is None else str(v) for v in values.astype("datetime64[s]").astype(object).tolist()]
        else:
            py = [python_value(v) for v in values.tolist()]
            py = [v if v is None or isinstance(v, (str, int, float, bool)) else str(v) for v in py]
        columns.append((name, py))
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return [dumps({name: col[i] for name, col in columns}) for i in range(len(data))]


def set_current(*, version: LayerVersion, actor=None, scope: RegionScope | None = None,
                drafts_only: bool = False) -> LayerVersion:
    """Make a version current: an older one again (a wrong import rolled back without deleting it), or a
    draft (publishing it)."""
    with transaction.atomic():
        layer = Layer.objects.select_for_update().get(pk=version.layer_id)
        if scope is not None and not scope.contains(layer.region_code):
            raise LayerImportError(_("%(name)s 不在您的数据范围内") % {"name": layer.name})
        was_draft = LayerVersion.objects.filter(pk=version.pk, is_draft=True).exists()  # read under the layer's lock
        if drafts_only and not was_draft:
            raise LayerImportError(_("第 %(number)s 版不是草稿，无需发布") % {"number": version.number})
        before = layer.versions.filter(is_current=True).values_list("number", flat=True).first()
        layer.versions.filter(is_current=True).update(is_current=False)
        LayerVersion.objects.filter(pk=version.pk).update(is_current=True, is_draft=False)
        record(actor=actor, action=AuditEntry.Action.UPDATE, target=layer, region_code=layer.region_code,
               changes={"current_version": [before, version.number]},
               note=Note(gettext_lazy("发布草稿版本 v%(number)s"), {"number": version.number}) if was_draft
               else gettext_lazy("切换现行版本"))
    version.refresh_from_db()
    return version


def publish(*, version: LayerVersion, actor=None, scope: RegionScope | None = None) -> LayerVersion:
    """Publish a draft version: it becomes current, the previous current version history."""
    return set_current(version=version, actor=actor, scope=scope, drafts_only=True)


def designate_official(*, actor, layer: Layer, scope: RegionScope | None = None) -> Layer:
    """Make a layer the official one (官方图层) of its kind for its county, the previous one no longer: the
    layer the overlay uses there unless told otherwise. Layers of a city or a province cannot be official."""
    county = county_of(layer.region_code)
    if county is None:
        raise LayerImportError(_("“%(name)s”属于县级以上行政区，不能设为官方图层") % {"name": layer.name})
    with transaction.atomic():
        # Every layer of the kind in the county is locked, so two designations at once cannot both succeed
        # (the conditional unique constraint would refuse the second anyway).
        rows = list(Layer.objects.select_for_update().filter(region_code__startswith=county, kind=layer.kind)
                    .order_by("pk"))
        target = next((row for row in rows if row.pk == layer.pk), None)
        if target is None or (scope is not None and not scope.contains(target.region_code)):
            raise LayerImportError(_("%(name)s 不在您的数据范围内") % {"name": layer.name})
        previous = next((row for row in rows if row.is_official), None)
        if previous is not None and previous.pk == target.pk:
            return target
        if previous is not None:
            Layer.objects.filter(pk=previous.pk).update(is_official=False)
            record(actor=actor, action=AuditEntry.Action.UPDATE, target=previous, region_code=previous.region_code,
                   changes={"is_official": [True, False]},
                   note=Note(gettext_lazy("不再是官方图层：由“%(name)s”取代"), {"name": target.name}))
        Layer.objects.filter(pk=target.pk).update(is_official=True)
        record(actor=actor, action=AuditEntry.Action.UPDATE, target=target, region_code=target.region_code,
               changes={"is_official": [False, True]},
               note=Note(gettext_lazy("设为官方图层（取代“%(name)s”）"), {"name": previous.name}) if previous
               else gettext_lazy("设为官方图层"))
    target.refresh_from_db()
    return target
