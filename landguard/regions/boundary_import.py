"""Importing region boundaries from GeoJSON, a Shapefile or a zipped Shapefile into Region, in CGCS2000.

The file is read by landguard.formats like every upload (zip checks, .cpg/GBK, GB18030 GeoJSON, bare arrays and
bare geometries, the same CRS detection and warnings); what is particular to boundaries lives here: matching
features to regions by their code, the submitter's scope, the repair policy, and the write. Everything is
checked before anything is written, and the write is one transaction, so a bad feature raises RegionImportError
(in Chinese, naming the feature) and leaves the database untouched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.core import crs as crsmod
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.formats import explicit_crs, read_raw
from landguard.formats.base import LayerReadError, RawLayer, python_value
from landguard.formats.geometry import outside_china, to_cgcs2000
from landguard.regions.importers import ImportReport, Progress, RegionImportError
from landguard.regions.models import CODE_LENGTH_LEVEL, Region
from landguard.regions.services import set_boundary

CODE_FIELDS = ("adcode", "code", "XZQDM", "xzqdm", "XZQHDM", "xzqhdm")
NAME_FIELDS = ("name", "NAME", "XZQMC", "xzqmc", "XZQHMC", "MC")
VECTOR_SUFFIXES = frozenset({".json", ".geojson"})
DATA_SUFFIXES = VECTOR_SUFFIXES | {".shp"}  # loose, or the one data file inside a .zip


@dataclass
class _Feature:
    index: int  # 1-based, as the user counts
    props: dict[str, Any]
    geom: Any  # shapely geometry (in the file's CRS) or None
    unreadable: bool = False  # the file has a geometry the reader could not parse
    raw_code: str = ""
    code: str = ""
    region: Region | None = None

    def label(self) -> str:
        if self.raw_code:
            return _("第 %(index)s 个要素（代码 %(code)s）") % {"index": self.index, "code": self.raw_code}
        return _("第 %(index)s 个要素") % {"index": self.index}


def _features(raw: RawLayer) -> list[_Feature]:
    columns = [(name, raw.columns[name]) for name in raw.fields]
    return [_Feature(i + 1, {name: python_value(column[i]) for name, column in columns}, raw.geometries[i],
                     unreadable=i in raw.problems)
            for i in range(len(raw.geometries))]


def _pick_field(features: list[_Feature], wanted: str | None, defaults: tuple[str, ...], label: str,
                required: bool) -> str | None:
    available: list[str] = []
    for f in features:
        available += [k for k in f.props if k not in available]
    if wanted:
        if wanted not in available:
            raise RegionImportError(_("没有%(label)s字段“%(field)s”（可用字段：%(available)s）")
                                    % {"label": label, "field": wanted, "available": "、".join(available) or "无"})
        return wanted
    found = next((name for name in defaults if name in available), None)
    if found is None:
        lowered = {k.lower(): k for k in available}
        found = next((lowered[name.lower()] for name in defaults if name.lower() in lowered), None)
    if found is None and required:
        raise RegionImportError(_("找不到%(label)s字段（尝试了 %(tried)s；可用字段：%(available)s），请指定字段名")
                                % {"label": label, "tried": "、".join(defaults),
                                   "available": "、".join(available) or "无"})
    return found


def _code_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _candidate_codes(raw: str, level: str) -> list[str]:
    """Region codes a file's code may stand for, most likely first.

    Boundary files use 6-digit adcodes for provinces (370000) and cities (371500) and 12-digit codes for
    townships (371525113000); regions are stored with 2/4/6/9/12 digits. DataV's `level` property settles it.
    """
    if not raw.isdigit():
        return []
    if len(raw) == 12:
        if raw.endswith("000000"):
            return [raw[:6]]
        return [raw[:9], raw] if raw.endswith("000") else [raw]
    if len(raw) == 6:
        by_level = {"province": [raw[:2]], "city": [raw[:4]], "district": [raw], "county": [raw]}
        if level in by_level and raw.startswith(by_level[level][0]) and raw[len(by_level[level][0]):].strip("0") == "":
            return by_level[level]
        options = [raw]
        if raw.endswith("00"):
            options.append(raw[:4])
        if raw.endswith("0000"):
            options.append(raw[:2])
        return options
    return [raw] if len(raw) in CODE_LENGTH_LEVEL else []


def _match_regions(features: list[_Feature], code_field: str, only: set[str] | None,
                   warnings: list[str]) -> list[_Feature]:
    for f in features:
        f.raw_code = _code_text(f.props.get(code_field))
    options = {f.index: _candidate_codes(f.raw_code, str(f.props.get("level") or "")) for f in features}
    if only is not None:
        wanted = {c for code in only for c in [code, *_candidate_codes(code, "")]}
        features = [f for f in features if f.raw_code in wanted or any(c in wanted for c in options[f.index])]
        seen = {f.raw_code for f in features} | {c for f in features for c in options[f.index]}
        for code in sorted(only):
            if code not in seen:
                warnings.append(_("文件中没有代码为 %(code)s 的要素") % {"code": code})
    all_codes = {c for f in features for c in options[f.index]}
    regions: dict[str, Region] = {}
    for region in Region.objects.filter(code__in=all_codes).select_related("successor").order_by("retired_in"):
        regions.setdefault(region.code, region)  # a current row wins over retired rows with the same code
    for f in features:
        if not f.raw_code:
            raise RegionImportError(_("%(feature)s：区划代码字段 %(field)s 为空")
                                    % {"feature": f.label(), "field": code_field})
        region = next((regions[c] for c in options[f.index] if c in regions), None)
        if region is None:
            raise RegionImportError(_("%(feature)s：区划代码不存在，请先导入代码表") % {"feature": f.label()})
        if not region.is_current:
            current = region.current()
            warnings.append(_("%(feature)s：代码 %(old)s 已停用，边界记入承继区划 %(name)s（%(new)s）")
                            % {"feature": f.label(), "old": region.code, "name": current.name, "new": current.code})
            region = current
        f.region, f.code = region, region.code
    return features


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flatten to single parts: (polygons, owner index of each polygon, owners that also had non-polygon parts)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while True:
        kinds = shapely.get_type_id(parts)
        multi = np.isin(kinds, [4, 5, 6, 7])  # Multi* and GeometryCollection
        if not multi.any():
            break
        sub, sub_owner = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        owner = np.concatenate([owner[~multi], owner[multi][sub_owner]])
    kinds = shapely.get_type_id(parts)
    polygon = (kinds == shapely.GeometryType.POLYGON) & ~shapely.is_empty(parts)
    polygon &= shapely.area(parts) > 0
    dropped = np.unique(owner[~polygon])
    return parts[polygon], owner[polygon], dropped


def _multipolygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each geometry as a MultiPolygon of its polygon parts (None where it has none) and the owners of dropped parts."""
    parts, owner, dropped = _polygon_parts(geoms)
    result = np.full(len(geoms), None, dtype=object)
    if len(parts):
        order = np.argsort(owner, kind="stable")
        owners = np.unique(owner)
        result[owners] = shapely.multipolygons(parts[order], indices=np.searchsorted(owners, owner[order]))
    return result, dropped


def import_boundaries(path, *, crs: str | None = None, code_field: str | None = None, name_field: str | None = None,
                      only_codes: set[str] | None = None, source: str = "", synthetic: bool = False, actor=None,
                      repair: bool = False, scope: RegionScope | None = None, encoding: str | None = None,
                      progress: Progress = None) -> ImportReport:
    """Set region boundaries from a GeoJSON / Shapefile / zipped Shapefile, converted to CGCS2000 (4490).

    An invalid geometry rejects the file, naming the feature and the reason, unless `repair` is asked for:
    then it is made valid and every repair is listed in the report (an official boundary should not be
    altered without the operator knowing). With a `scope`, a feature of a region outside it rejects the file.
    `encoding` overrides the text encoding of the attributes (.cpg, else GBK; GeoJSON: UTF-8, else GB18030)."""
    path = Path(path)
    report = ImportReport(edition=source or path.name)

    # 1. Read the file as every upload is read (landguard.formats: zip checks, encodings, bare arrays and bare
    #    geometries), keeping the coordinates in the file's own CRS: placing them needs the regions of step 2.
    try:
        explicit = explicit_crs(crs)
        raw = read_raw(path, suffixes=DATA_SUFFIXES, encoding=encoding)
    except LayerReadError as exc:
        raise RegionImportError(str(exc)) from None
    report.warnings += raw.warnings
    features = _features(raw)
    if not features:
        raise RegionImportError(_("%(name)s 中没有要素") % {"name": path.name})

    # 2. Match each feature to a region by its code (6- and 12-digit adcodes normalised, retired codes followed to
    #    their successor), keep only the codes asked for, and refuse the file if any region is outside the scope.
    code_key = _pick_field(features, code_field, CODE_FIELDS, _("区划代码"), required=True)
    name_key = _pick_field(features, name_field, NAME_FIELDS, _("名称"), required=False)
    assert code_key is not None
    only = {str(c) for c in only_codes} if only_codes is not None else None
    features = _match_regions(features, code_key, only, report.warnings)
    if scope is not None and (outside := next((f for f in features if not scope.contains(f.code)), None)):
        raise RegionImportError(_("%(feature)s：不在您的数据范围内") % {"feature": outside.label()})
    if not features:
        raise RegionImportError(_("没有要导入的要素"))

    # 3. Check each geometry as read: present, parseable, polygonal, finite; a name differing from the code
    #    table's is only a warning (the code decides).
    for f in features:
        if f.unreadable:
            raise RegionImportError(_("%(feature)s：几何无法解析") % {"feature": f.label()})
        if f.geom is None or f.geom.is_empty:
            raise RegionImportError(_("%(feature)s：几何为空") % {"feature": f.label()})
        if shapely.get_type_id(f.geom) not in (3, 6, 7):
            raise RegionImportError(_("%(feature)s：不是面要素（%(kind)s）")
                                    % {"feature": f.label(), "kind": f.geom.geom_type})
        region_name = f.region.name  # type: ignore[union-attr]  # every feature was matched in step 2
        if name_key and f.props.get(name_key) and str(f.props[name_key]).strip() != region_name:
            report.warnings.append(_("%(feature)s：名称“%(file)s”与区划名称“%(db)s”不同")
                                   % {"feature": f.label(), "file": f.props[name_key], "db": region_name})
    geoms = np.array([f.geom for f in features], dtype=object)
    if not np.all(np.isfinite(shapely.get_coordinates(geoms))):
        bad = next(f for f in features if not np.all(np.isfinite(shapely.get_coordinates(f.geom))))
        raise RegionImportError(_("%(feature)s：坐标含无效数值") % {"feature": bad.label()})

    # 4. Decide the CRS and convert to CGCS2000 exactly as layers are (declaration checked against the values,
    #    GK zone prefixes, swapped axes), looking near the matched regions for prefix-less GK eastings. DataV and
    #    AMap files are GCJ-02 whatever they declare: their attributes give them away.
    try:
        converted = to_cgcs2000(geoms, name=path.name, declared=raw.declared_crs, explicit=explicit,
                                central_meridian=raw.central_meridian, hint_lon=_hint_longitude(features))
    except LayerReadError as exc:
        raise RegionImportError(str(exc)) from None
    report.warnings += converted.crs_warnings
    looks_datav = bool({"adcode", "acroutes"} & set(features[0].props))
    if explicit is None and converted.source_crs in ("cgcs2000", "wgs84") and looks_datav:
        report.warnings.append(_("属性像高德/DataV 数据，其坐标通常为 GCJ-02；如是，请指定坐标系 gcj02 重新导入"))
    inside = crsmod.in_china(converted.geometries)
    if not inside.all():
        first = int(np.flatnonzero(~inside)[0])
        raise RegionImportError(_("%(feature)s：%(reason)s") % {
            "feature": features[first].label(), "reason": outside_china(shapely.bounds(converted.geometries[first]))})

    # 5. Validity: an invalid geometry rejects the file, or, when repair is asked for, is made valid keeping only
    #    its polygon parts, and every repair is listed. Several features of one region (a multi-part shapefile)
    #    are merged into one boundary.
    polygons = _repaired(converted.geometries, features, repair=repair, report=report)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(features):
        groups[f.region.pk].append(i)  # type: ignore[union-attr]
    order = list(groups.values())
    merged = np.array([polygons[ix[0]] if len(ix) == 1 else shapely.union_all(polygons[ix]) for ix in order],
                      dtype=object)
    for ix in order:
        if len(ix) > 1:
            owner = features[ix[0]].region
            assert owner is not None  # every feature was matched in step 2
            report.warnings.append(_("%(count)s 个要素属于 %(name)s（%(code)s），已合并")
                                   % {"count": len(ix), "name": owner.name, "code": owner.code})
    merged, _dropped = _multipolygons(merged)
    areas = ellipsoidal_area_m2(merged)

    # 6. Write, in one transaction: a database error half-way leaves every boundary as it was.
    #    Lock: every region row to be written, up front and in primary-key order. set_boundary compares the
    #    stored boundary with the new one and audits the change from the row it read; the same file submitted
    #    twice and run by two workers would otherwise both see the old boundary, both write, and the second audit
    #    entry would record a "before" that was already gone (with the lock, the second waits, reads the first's
    #    result and reports "没有变化"). One ordered lock query lets two imports that share regions queue instead
    #    of deadlocking. On SQLite, BEGIN IMMEDIATE already serialises writers and the lock is a no-op.
    with transaction.atomic():
        pks = [features[ix[0]].region.pk for ix in order]  # type: ignore[union-attr]
        locked = {r.pk: r for r in Region.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
        for done, (pk, geom, area) in enumerate(zip(pks, merged, areas, strict=True), start=1):
            region = locked[pk]
            if set_boundary(region, geom, source=source, synthetic=synthetic, area_m2=float(area), actor=actor,
                            note=_("导入边界：%(file)s") % {"file": path.name}):
                report.boundaries += 1
            else:
                report.warnings.append(_("%(name)s（%(code)s）的边界没有变化")
                                       % {"name": region.name, "code": region.code})
            if progress:
                progress(done, len(order))
    return report


def _repaired(converted: np.ndarray, features: list[_Feature], *, repair: bool, report: ImportReport) -> np.ndarray:
    """Each geometry as a MultiPolygon, repaired when asked (make_valid, then only the polygon parts), every repair
    listed in the report; RegionImportError for an invalid geometry without repair, or one that cannot be repaired."""
    valid = shapely.is_valid(converted)
    reasons = {i: shapely.is_valid_reason(converted[i]) for i in np.flatnonzero(~valid)}
    if reasons and not repair:
        i = min(reasons)
        raise RegionImportError(_("%(feature)s：几何无效（%(reason)s）。"
                                  "可检查数据后使用“自动修复”（--repair）重新导入")
                                % {"feature": features[i].label(), "reason": reasons[i]})
    fixed = converted.copy()
    fixed[~valid] = shapely.make_valid(converted[~valid])
    polygons, dropped = _multipolygons(fixed)
    dropped_set = set(dropped.tolist())
    for i, f in enumerate(features):
        if polygons[i] is None:
            raise RegionImportError(_("%(feature)s：几何无效且无法修复（%(reason)s）")
                                    % {"feature": f.label(), "reason": reasons.get(i, _("无面积"))})
        if i in reasons:
            report.repaired.append(_("%(feature)s：%(reason)s，已自动修复")
                                   % {"feature": f.label(), "reason": reasons[i]})
        if i in dropped_set:
            report.repaired.append(_("%(feature)s：去除了非面部分（点、线）") % {"feature": f.label()})
    return polygons


def _hint_longitude(features: list[_Feature]) -> float | None:
    """Where the data should be: the nearest stored boundary of a matched region or its ancestors.
    Only needed to pick the central meridian of 6-digit (prefix-less) Gauss-Krüger coordinates."""
    for f in features:
        region = f.region
        while region is not None:
            if region.geom is not None and not region.geom.empty:
                return float(region.geom.centroid.x)
            region = region.parent
    return None
