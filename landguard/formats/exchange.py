"""The 自然资源部 coordinate exchange file (坐标交换文件, 界址点坐标 txt): reading it (writing: exchange_write).

Used for land surveys (勘测定界) and for approval submissions (用地报批, 预审, 土地整治 projects). Layout:

    [属性描述]
    格式版本号=1.01
    数据产生单位=XX市自然资源局
    数据产生日期=2025-6-15
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=39
    精度=0.001
    转换参数=,,,,,,
    [地块坐标]
    12,6.5000,1,地块一,面,,建设用地,,@        ← 界址点数,地块面积(公顷),地块编号,地块名称,
                                               记录图形属性(点/线/面),图幅号,地块用途,地类编码,@
    J1,1,4041000.0000,39520000.0000          ← 点号,圈号,X(北),Y(东, with or without the zone prefix)
    …
    J1,1,4041000.0000,39520000.0000          ← each ring closes on its first point
    J5,2,…                                   ← 圈号 2, 3 …: 扣除 rings (holes) of the parcel

What real files do, and how it is handled:
- Encoding: GBK mostly ("ANSI" on Chinese Windows); UTF-8 with or without BOM also occurs. Decoded as UTF-8
  when valid, else GB18030 (a GBK superset); `encoding` overrides.
- Parcel lines carry 8 fields before "@" in the national layout; provincial variants append more (图斑类型,
  质量等别, 备注 …). They are kept, in order, in `ExchangeParcel.extra`.
- 点号 may be "1" or "J1". Closing points are sometimes missing (the ring is closed anyway) and sometimes
  carry the first 点号 with slightly different coordinates (kept as given, with a warning). Several rings
  under one 圈号 are split where a ring returns to its first point.
- 地块面积 is in 公顷, sometimes written with a unit ("0.7655公顷"); "亩" and "平方米" units are converted.
  It is compared with the CGCS2000 ellipsoidal area (landguard.core.geodesy), and a difference beyond the
  tolerance (or beyond the declared value's own rounding) is a warning, not an error: the caller decides.
- Coordinates: X is the northing and Y the easting (survey order). The zone comes from 带号 + 几度分带
  (带号 may also be written as the central meridian, e.g. 117); whether the easting carries the zone prefix is
  read from the values. landguard.core.crs.resolve_crs then checks the declaration against the values
  (a wrong 带号 or swapped columns are detected and reported).
- Only CGCS2000 is converted. 1980 西安 / 1954 北京 coordinates need the province's 转换参数 (a datum
  transformation this module does not guess), so they are refused unless the caller passes `crs`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _

from landguard.core import crs as crsmod
from landguard.core.geodesy import SQM_PER_HECTARE, SQM_PER_MU, ellipsoidal_area_m2
from landguard.formats.base import (
    FeatureLabels,
    LayerData,
    LayerReadError,
    PathLike,
    RawLayer,
    decode_text,
    object_array,
)
from landguard.formats.geometry import finish_layer, polygon_from_rings
from landguard.formats.uploads import check_upload_size, upload_limit_bytes

HEADER_KEYS = ("格式版本号", "数据产生单位", "数据产生日期", "坐标系", "几度分带", "投影类型", "计量单位", "带号",
               "精度", "转换参数")
PARCEL_FIELDS = ("界址点数", "地块面积", "地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码")
DEFAULT_AREA_TOLERANCE = 0.005  # relative; covers GK planar vs ellipsoidal areas even at the edge of a 6° zone (≈0.3 %)
MIN_AREA_TOLERANCE_HA = 0.0001  # 1 m²: the 4-decimal 公顷 rounding of report figures


class ExchangeWriteError(ValueError):
    """Parcels that cannot be written as an exchange file (message in Chinese, naming the parcel)."""


@dataclass
class ExchangeParcel:
    """One 地块. `geometry` is in CGCS2000 lon/lat (EPSG:4490): a (Multi)Polygon for 面, (Multi)LineString for 线,
    MultiPoint for 点; None when the reader could not build it (see ExchangeData.invalid)."""

    geometry: Any
    number: str = ""  # 地块编号
    name: str = ""  # 地块名称
    area_ha: float | None = None  # 地块面积 as declared, 公顷
    shape: str = "面"  # 记录图形属性: 点 / 线 / 面
    sheet: str = ""  # 图幅号
    use: str = ""  # 地块用途
    land_class: str = ""  # 地类编码
    extra: list[str] = field(default_factory=list)  # fields after 地类编码 (provincial variants), in file order
    point_count: int | None = None  # 界址点数 as declared
    point_names: list[list[str]] | None = None  # 点号 per ring, closing point excluded (written back when they fit)
    computed_area_ha: float | None = None  # ellipsoidal area (set by the reader, 面 only)
    line: int = 0  # line number of the parcel line in the file (reader)


@dataclass
class ExchangeData:
    """A parsed exchange file. `layer` is the same content as LayerData (geometries in EPSG:4490, one feature per
    parcel, attributes under the Chinese field names of PARCEL_FIELDS plus 附加属性1…), so it imports like any layer."""

    header: dict[str, str]
    parcels: list[ExchangeParcel]
    layer: LayerData
    zone: crsmod.GKZone | None
    warnings: list[str]
    encoding_used: str
    name: str

    @property
    def source_crs(self) -> str:
        return self.layer.source_crs

    @property
    def crs_warnings(self) -> list[str]:
        return self.layer.crs_warnings

    @property
    def invalid(self) -> list[tuple[int, str]]:
        return self.layer.invalid

    def to_layer(self) -> LayerData:
        return self.layer


# =====================================================================================================
# Reading
# =====================================================================================================
def read_exchange(path: PathLike, *, encoding: str | None = None, crs: str | None = None, hint_lon: float | None = None,
                  area_tolerance: float = DEFAULT_AREA_TOLERANCE, max_bytes: int | None = None) -> ExchangeData:
    """Read an exchange file from disk (size-limited like every upload). See parse_exchange_bytes."""
    path = Path(path)
    if not path.is_file():
        raise LayerReadError(_("文件不存在：%(path)s") % {"path": path})
    check_upload_size(path, max_bytes or upload_limit_bytes())
    return parse_exchange_bytes(path.read_bytes(), name=path.name, encoding=encoding, crs=crs, hint_lon=hint_lon,
                                area_tolerance=area_tolerance)


def parse_exchange_bytes(data: bytes, *, name: str = "坐标文件.txt", encoding: str | None = None,
                         crs: str | None = None,
                         hint_lon: float | None = None, area_tolerance: float = DEFAULT_AREA_TOLERANCE) -> ExchangeData:
    """Parse the bytes of an exchange file (an upload kept in memory, or a file's content)."""
    text, used, warnings = decode_text(data, name, encoding)
    return parse_exchange(text, name=name, crs=crs, hint_lon=hint_lon, area_tolerance=area_tolerance,
                          encoding_used=used, warnings=warnings)


@dataclass
class _Point:
    name: str
    ring: int
    north: float
    east: float
    line: int


@dataclass
class _ParsedParcel:
    parcel: ExchangeParcel
    points: list[_Point] = field(default_factory=list)
    area_decimals: int = 4


def _where(name: str, line: int) -> str:
    return _("%(file)s 第 %(line)s 行") % {"file": name, "line": line}


_AREA = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*(公顷|hm2|hm²|ha|亩|平方米|m2|m²|㎡)?\s*$", re.IGNORECASE)


def _parse_area(text: str, where: str) -> tuple[float | None, int]:
    """地块面积 → (公顷, decimals written). Units other than 公顷 are converted (some tools write 平方米 or 亩)."""
    if not text.strip():
        return None, 4
    match = _AREA.match(text.replace("，", "."))
    if not match:
        raise LayerReadError(_("%(where)s：地块面积“%(value)s”不是数字") % {"where": where, "value": text})
    number, unit = match.group(1), (match.group(2) or "").lower()
    decimals = len(number.split(".")[1]) if "." in number else 0
    value = float(number)
    if unit in ("亩",):
        return value * SQM_PER_MU / SQM_PER_HECTARE, decimals
    if unit in ("平方米", "m2", "m²", "㎡"):
        return value / SQM_PER_HECTARE, decimals + 4
    return value, decimals


def _parse_float(text: str, where: str, label: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise LayerReadError(_("%(where)s：%(label)s不是数字（“%(value)s”）")
                             % {"where": where, "label": label, "value": text.strip()}) from None
    if not math.isfinite(value):
        raise LayerReadError(_("%(where)s：%(label)s不是有限数值（“%(value)s”）")
                             % {"where": where, "label": label, "value": text.strip()})
    return value


def _parcel_line(body: str, line_no: int, name: str) -> _ParsedParcel:
    where = _where(name, line_no)
    if body.endswith(","):  # the separator before "@"
        body = body[:-1]
    fields = [f.strip() for f in body.split(",")]
    fields += [""] * (len(PARCEL_FIELDS) - len(fields))
    count_text = fields[0]
    point_count = None
    if count_text:
        if not count_text.isdigit():
            raise LayerReadError(_("%(where)s：界址点数“%(value)s”不是整数") % {"where": where, "value": count_text})
        point_count = int(count_text)
    area, decimals = _parse_area(fields[1], where)
    parcel = ExchangeParcel(geometry=None, number=fields[2], name=fields[3], area_ha=area, shape=fields[4] or "面",
                            sheet=fields[5], use=fields[6], land_class=fields[7], extra=fields[len(PARCEL_FIELDS):],
                            point_count=point_count, line=line_no)
    if parcel.shape not in ("点", "线", "面"):
        raise LayerReadError(_("%(where)s：记录图形属性“%(value)s”应为 点、线 或 面")
                             % {"where": where, "value": parcel.shape})
    return _ParsedParcel(parcel, area_decimals=decimals)


def _point_line(line: str, line_no: int, name: str) -> _Point:
    where = _where(name, line_no)
    parts = [p.strip() for p in line.split(",")]
    if len(parts) < 4:
        raise LayerReadError(_("%(where)s：界址点行应为“点号,圈号,X,Y”，实际为“%(line)s”")
                             % {"where": where, "line": line})
    if not parts[1].isdigit():
        hint = _("（地块行必须以 @ 结尾）") if len(parts) >= len(PARCEL_FIELDS) else ""
        raise LayerReadError(_("%(where)s：圈号“%(value)s”不是正整数%(hint)s")
                             % {"where": where, "value": parts[1], "hint": hint})
    north = _parse_float(parts[2], where, _("X 坐标"))
    east = _parse_float(parts[3], where, _("Y 坐标"))
    return _Point(parts[0], int(parts[1]), north, east, line_no)


def parse_exchange(text: str, *, name: str = "坐标文件.txt", crs: str | None = None, hint_lon: float | None = None,
                   area_tolerance: float = DEFAULT_AREA_TOLERANCE, encoding_used: str = "UTF-8",
                   warnings: list[str] | None = None) -> ExchangeData:
    """Parse exchange-file text. Malformed lines raise LayerReadError naming the line; invalid geometries are
    listed in `.invalid`; 地块面积 / 界址点数 mismatches and CRS decisions are warnings."""
    warnings = list(warnings or [])
    explicit = None
    if crs:
        try:
            explicit = crsmod.normalise_source(crs)
        except crsmod.CrsError as exc:
            raise LayerReadError(str(exc)) from None
    header: dict[str, str] = {}
    parsed: list[_ParsedParcel] = []
    section = ""
    seen_coordinates = False
    for line_no, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip().replace("\ufeff", "")
        if not line:
            continue
        heading = re.fullmatch(r"\[\s*(.+?)\s*\]", line)
        if heading:
            section = heading.group(1)
            seen_coordinates = seen_coordinates or section == "地块坐标"
            continue
        if section == "属性描述":
            key, sep, value = line.replace("＝", "=").partition("=")
            if not sep:
                raise LayerReadError(_("%(where)s：[属性描述] 中的行应为“名称=值”，实际为“%(line)s”")
                                     % {"where": _where(name, line_no), "line": line})
            header[key.strip()] = value.strip()
        elif section == "地块坐标":
            if line.endswith("@"):
                # Full-width commas only when the line has no others (typed with the Chinese IME): a writer
                # may use "，" inside a name to keep it from splitting the line.
                parsed.append(_parcel_line((line if "," in line else line.replace("，", ","))[:-1], line_no, name))
            else:
                line = line.replace("，", ",")
                if not parsed:
                    if line.count(",") >= len(PARCEL_FIELDS) - 1:
                        raise LayerReadError(_("%(where)s：地块行必须以 @ 结尾") % {"where": _where(name, line_no)})
                    raise LayerReadError(_("%(where)s：界址点行之前没有地块行（以 @ 结尾）")
                                         % {"where": _where(name, line_no)})
                parsed[-1].points.append(_point_line(line, line_no, name))
        # Other sections ([扩展信息] …) and text before the first section carry nothing this reader needs.
    if not seen_coordinates:
        raise LayerReadError(_("%(file)s 不是坐标交换文件：缺少 [地块坐标] 部分") % {"file": name})
    if not parsed:
        raise LayerReadError(_("%(file)s 的 [地块坐标] 中没有地块") % {"file": name})

    declared, zone, header_warnings = _declared_crs(header, parsed, name, explicit)
    warnings += header_warnings
    geoms: list[Any] = []
    problems: dict[int, str] = {}
    for index, item in enumerate(parsed):
        geom, parcel_problems, parcel_warnings = _build_geometry(item, name)
        geoms.append(geom)
        warnings += parcel_warnings
        if parcel_problems:
            problems[index] = "；".join(parcel_problems)
        declared_count = item.parcel.point_count
        if declared_count is not None and declared_count != len(item.points):
            warnings.append(_("%(where)s：界址点数为 %(declared)s，实际有 %(count)s 个界址点行")
                            % {"where": _where(name, item.parcel.line), "declared": declared_count,
                               "count": len(item.points)})

    parcels = [item.parcel for item in parsed]
    extra_count = max((len(p.extra) for p in parcels), default=0)
    extra_fields = [_("附加属性%(n)s") % {"n": n} for n in range(1, extra_count + 1)]
    columns: dict[str, np.ndarray] = {
        "界址点数": object_array([p.point_count for p in parcels]),
        "地块面积": object_array([p.area_ha for p in parcels]),
        "地块编号": object_array([p.number for p in parcels]),
        "地块名称": object_array([p.name for p in parcels]),
        "记录图形属性": object_array([p.shape for p in parcels]),
        "图幅号": object_array([p.sheet for p in parcels]),
        "地块用途": object_array([p.use for p in parcels]),
        "地类编码": object_array([p.land_class for p in parcels]),
    }
    for n, extra_name in enumerate(extra_fields):
        columns[extra_name] = object_array([p.extra[n] if n < len(p.extra) else None for p in parcels])
    count = len(parcels)
    labels = FeatureLabels(count, _("地块 %(number)s（第 %(line)s 行）"),
                           {"number": [p.number for p in parcels], "line": [p.line for p in parcels]},
                           fallback=_("第 %(index)s 个地块（第 %(line)s 行）"),
                           fallback_columns={"index": range(1, count + 1), "line": [p.line for p in parcels]})
    raw = RawLayer(object_array(geoms), columns, list(PARCEL_FIELDS) + extra_fields, labels, declared_crs=declared,
                   encoding=encoding_used, warnings=[], problems=problems, source_format="exchange",
                   layer_name=Path(name).stem,
                   central_meridian=zone.central_meridian if zone and not zone.prefix else None,
                   area_units={"地块面积": SQM_PER_HECTARE})
    layer = finish_layer(raw, name=name, explicit=explicit, hint_lon=hint_lon)

    # Declared 地块面积 against the ellipsoidal area of what was read.
    bad = layer.invalid_indices
    areas = ellipsoidal_area_m2(
        np.array([g if g is not None else shapely.Polygon() for g in layer.geometries], dtype=object))
    for index, item in enumerate(parsed):
        parcel = item.parcel
        parcel.geometry = layer.geometries[index]
        if parcel.shape != "面" or parcel.geometry is None or index in bad:
            continue
        computed = float(areas[index]) / SQM_PER_HECTARE
        parcel.computed_area_ha = computed
        if parcel.area_ha is None:
            continue
        rounding = 0.5 * 10 ** -item.area_decimals
        tolerance = max(area_tolerance * computed, MIN_AREA_TOLERANCE_HA, rounding)
        if abs(parcel.area_ha - computed) > tolerance:
            warnings.append(
                _("%(parcel)s：地块面积 %(declared)s 公顷与按坐标计算的椭球面积 %(computed)s 公顷相差 %(diff)s "
                  "公顷（%(pct)s%%）")
                            % {"parcel": layer.feature_labels[index], "declared": f"{parcel.area_ha:g}",
                               "computed": f"{computed:.4f}", "diff": f"{parcel.area_ha - computed:+.4f}",
                               "pct": f"{(parcel.area_ha - computed) / computed * 100:+.2f}" if computed else "∞"})
    layer.warnings = warnings
    return ExchangeData(header=header, parcels=parcels, layer=layer, zone=zone, warnings=warnings,
                        encoding_used=encoding_used, name=name)


def _zone_number(text: str) -> int | None:
    match = re.search(r"\d+", text or "")
    return int(match.group()) if match else None


def _declared_crs(header: dict[str, str], parsed: Sequence[_ParsedParcel], name: str,
                  explicit: str | None) -> tuple[str | None, crsmod.GKZone | None, list[str]]:
    """The CRS the [属性描述] declares, as a source string for resolve_crs, and its GK zone."""
    warnings: list[str] = []
    datum = header.get("坐标系", "").replace(" ", "")
    unit = header.get("计量单位", "").strip()
    if explicit is None:
        if re.search(r"西安|80|1980", datum) and "2000" not in datum:
            raise LayerReadError(
                _("%(file)s 的坐标系为“%(datum)s”：本系统只转换 2000 国家大地坐标系。请先用省级转换参数转换为 "
                  "CGCS2000，"
                                   "或明确指定坐标系") % {"file": name, "datum": header.get("坐标系", "")})
        if re.search(r"北京|54|1954", datum) and "2000" not in datum:
            raise LayerReadError(
                _("%(file)s 的坐标系为“%(datum)s”：本系统只转换 2000 国家大地坐标系。请先用省级转换参数转换为 "
                  "CGCS2000，"
                                   "或明确指定坐标系") % {"file": name, "datum": header.get("坐标系", "")})
        if not datum:
            warnings.append(_("%(file)s 未填写坐标系，按 2000 国家大地坐标系读取") % {"file": name})
        elif not re.search(r"2000|CGCS", datum, re.IGNORECASE):
            warnings.append(_("%(file)s 的坐标系“%(datum)s”无法识别，按 2000 国家大地坐标系读取")
                            % {"file": name, "datum": header.get("坐标系", "")})
    if unit in ("度", "°", "degree", "度分秒"):
        return "cgcs2000", None, warnings
    if unit and unit not in ("米", "m", "M", "meter", "metre"):
        warnings.append(_("%(file)s 的计量单位“%(unit)s”无法识别，按米读取") % {"file": name, "unit": unit})

    easting = np.array([p.east for item in parsed for p in item.points], dtype=float)
    northing = np.array([p.north for item in parsed for p in item.points], dtype=float)
    # Which column carries a zone prefix (8-digit values) decides prefix vs plain central-meridian EPSG codes.
    prefix = bool(easting.size) and max(float(np.median(np.abs(easting))),
                                        float(np.median(np.abs(northing)))) >= 10_000_000
    width_number = _zone_number(header.get("几度分带", ""))
    width = width_number if width_number in (3, 6) else None
    if width_number is not None and width is None:
        warnings.append(_("%(file)s 的几度分带“%(value)s”应为 3 或 6")
                        % {"file": name, "value": header.get("几度分带", "")})
    number = _zone_number(header.get("带号", ""))
    zone: crsmod.GKZone | None = None
    if number is not None:
        try:
            if width in (None, 3) and 25 <= number <= 45:
                zone = crsmod.gk_zone(central_meridian=3 * number, width=3, prefix=prefix)
            elif width in (None, 6) and 13 <= number <= 23:
                zone = crsmod.gk_zone(central_meridian=6 * number - 3, width=6, prefix=prefix)
            elif 75 <= number <= 135:  # some producers write the central meridian into 带号
                zone = crsmod.gk_zone(central_meridian=number, width=width or 3, prefix=prefix)
                warnings.append(_("%(file)s 的带号 %(number)s 按中央经线 %(number)s°E 理解")
                                % {"file": name, "number": number})
        except crsmod.CrsError:
            zone = None
        if zone is None:
            warnings.append(_("%(file)s 的带号“%(value)s”与几度分带“%(width)s”不匹配，按坐标值判断投影带")
                            % {"file": name, "value": header.get("带号", ""), "width": header.get("几度分带", "")})
    return (f"epsg:{zone.epsg}" if zone else None), zone, warnings


def _build_geometry(item: _ParsedParcel, name: str) -> tuple[Any, list[str], list[str]]:
    """Source-CRS geometry (x = easting, y = northing) of one parcel, with problems (→ invalid) and warnings."""
    points = item.points
    if not points:
        return None, [_("没有界址点")], []
    warnings: list[str] = []
    rings: list[list[_Point]] = []
    current: list[_Point] = []
    for point in points:
        if current and point.ring != current[0].ring:
            rings.append(current)
            current = []
        current.append(point)
        first = current[0]
        if len(current) >= 4 and ((point.north, point.east) == (first.north, first.east)
                                  or (point.name and point.name == first.name)):
            if (point.north, point.east) != (first.north, first.east):
                gap = math.hypot(point.north - first.north, point.east - first.east)
                warnings.append(_("%(where)s：闭合点 %(point)s 与起点坐标相差 %(gap)s 米，按所列坐标保留")
                                % {"where": _where(name, point.line), "point": point.name, "gap": f"{gap:.3f}"})
            rings.append(current)
            current = []
    if current:
        rings.append(current)
    coords = [np.array([(p.east, p.north) for p in ring], dtype=float) for ring in rings]
    item.parcel.point_names = [[p.name for p in ring[:-1]] if len(ring) > 1 and _closes(ring)
                               else [p.name for p in ring] for ring in rings]
    shape = item.parcel.shape
    if shape == "点":
        return shapely.MultiPoint(np.concatenate(coords)), [], warnings
    if shape == "线":
        lines = [shapely.LineString(c) for c in coords if len(c) >= 2]
        if not lines:
            return None, [_("线要素少于 2 个点")], warnings
        return (lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)), [], warnings
    geom, problems = polygon_from_rings(coords)
    return geom, problems, warnings


def _closes(ring: Sequence[_Point]) -> bool:
    first, last = ring[0], ring[-1]
    return (first.north, first.east) == (last.north, last.east) or bool(first.name and first.name == last.name)
