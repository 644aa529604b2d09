"""GeoJSON, read with `json` rather than GDAL: DataV/AMap files are often a bare array of features and may start
with a UTF-8 BOM, and GDAL accepts neither. Also read: one Feature, or a bare geometry (one feature without
attributes). Text that is not UTF-8 is read as GB18030 (a GBK superset) with a warning. The pre-RFC 7946 "crs"
member is the declared CRS; without it the coordinates decide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _

from landguard.core import crs as crsmod
from landguard.formats.base import LayerReadError, RawLayer, decode_text, feature_labels, object_array


def read_geojson(path: Path, encoding: str | None) -> RawLayer:
    text, used, warnings = decode_text(path.read_bytes(), path.name, encoding)
    if used == "GB18030" and not encoding:
        warnings.append(_("%(name)s 不是 UTF-8 编码，已按 GBK 读取") % {"name": path.name})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayerReadError(_("%(name)s 无法解析为 JSON（第 %(line)s 行第 %(col)s 列）")
                             % {"name": path.name, "line": exc.lineno, "col": exc.colno}) from None
    if isinstance(data, list):  # DataV/AMap: a bare array of features
        items = data
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        items = data.get("features") or []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        items = [data]
    elif isinstance(data, dict) and isinstance(data.get("type"), str) and "coordinates" in data or (
            isinstance(data, dict) and data.get("type") == "GeometryCollection"):
        items = [{"type": "Feature", "properties": {}, "geometry": data}]
    else:
        raise LayerReadError(_("%(name)s 不是 GeoJSON 要素集合") % {"name": path.name})
    fields: list[str] = []
    seen: set[str] = set()
    props_list: list[dict[str, Any]] = []
    geometry_json: list[str | None] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            raise LayerReadError(_("%(name)s：第 %(index)s 个要素不是 GeoJSON Feature")
                                 % {"name": path.name, "index": index})
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            raise LayerReadError(_("%(name)s：第 %(index)s 个要素的 properties 不是对象")
                                 % {"name": path.name, "index": index})
        for key in props:
            if key not in seen:
                seen.add(key)
                fields.append(key)
        props_list.append(props)
        geometry = item.get("geometry")
        geometry_json.append(json.dumps(geometry) if geometry else None)
    raw_geoms = np.array(geometry_json, dtype=object)
    parsed = shapely.from_geojson(raw_geoms, on_invalid="ignore") if len(raw_geoms) else np.array([], dtype=object)
    geoms = np.asarray(parsed, dtype=object)
    # from_geojson gives None for both null geometries and unparseable ones; only the latter are “无法解析”.
    problems = {int(i): _("几何无法解析")
                for i in np.flatnonzero(shapely.is_missing(geoms)) if geometry_json[i] is not None}
    columns = {f: object_array([p.get(f) for p in props_list]) for f in fields}
    declared = _geojson_crs(data, warnings, path.name)
    return RawLayer(geoms, columns, fields, feature_labels(len(geoms), columns, fields), declared, used, warnings,
                    problems, "geojson", path.stem)


def _geojson_crs(data: Any, warnings: list[str], name: str) -> str | None:
    """The pre-RFC 7946 "crs" member (GDAL still writes it for non-WGS84 data); absent → None (detect)."""
    crs_name = ((data.get("crs") or {}).get("properties") or {}).get("name") if isinstance(data, dict) else None
    if not crs_name:
        return None
    if "CRS84" in str(crs_name).upper():
        return "wgs84"
    declared = crsmod.crs_from_wkt(str(crs_name))
    if declared is None:
        warnings.append(_("%(name)s 声明的坐标系“%(crs)s”无法识别，按坐标值判断") % {"name": name, "crs": crs_name})
    return declared
