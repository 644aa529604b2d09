"""Coordinate tables (CSV, XLSX, delimited TXT): one row per vertex with parcel id, ring number, point order and
X/Y or longitude/latitude, headers in Chinese or English (地块编号/圈号/点号/X/Y/经度/纬度 …). A bare 点号,X,Y list
without a header is read from its first row. One polygon per parcel id: rings by 圈号 (else by closure), ordered by
点号. X/Y headers follow the survey habit (X is the northing) unless the values are longitude/latitude.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from landguard.formats.base import FeatureLabels, LayerReadError, RawLayer, cell_text, decode_text, object_array
from landguard.formats.geometry import polygon_from_rings
from landguard.formats.workbook import open_workbook

# Header names per role, normalised by _norm_header (lower case; spaces, "_", "-" and bracketed units removed).
_ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    "parcel": ("地块编号", "地块号", "地块代码", "宗地编号", "宗地号", "宗地代码", "图斑编号", "地块序号", "地块标识",
               "编号", "地块", "dkbh", "parcel", "parcelid", "parcelno", "polygonid", "featureid", "fid", "id"),
    "ring": ("圈号", "地块圈号", "环号", "圈", "环", "ring", "ringid", "ringno", "ringnumber"),
    "point": ("点号", "界址点号", "界址点", "界址点编号", "点名", "点序号", "序号", "顺序号", "点序", "拐点号",
              "拐点编号", "point", "pointno", "pointid", "pointnumber", "vertex", "seq", "sequence", "order", "no"),
    "X": ("x", "x坐标", "坐标x", "xzb"),
    "Y": ("y", "y坐标", "坐标y", "yzb"),
    "north": ("北坐标", "纵坐标", "北", "n", "north", "northing"),
    "east": ("东坐标", "横坐标", "东", "e", "east", "easting"),
    "lon": ("经度", "东经", "lon", "lng", "long", "longitude"),
    "lat": ("纬度", "北纬", "lat", "latitude"),
}
_HEADER_ROLE = {name: role for role, names in _ROLE_HEADERS.items() for name in names}
_COORD_ROLES = ("X", "Y", "north", "east", "lon", "lat")


def _role_label(role: str) -> str:
    return {"X": _("X 坐标"), "Y": _("Y 坐标"), "north": _("北坐标"), "east": _("东坐标"), "lon": _("经度"),
            "lat": _("纬度"), "ring": _("圈号"), "point": _("点号"), "parcel": _("地块编号")}[role]


def _norm_header(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower()
    text = re.sub(r"[（(\[【{].*?[）)\]】}]", "", text)  # units: "X坐标(m)", "经度（°）"
    text = text.split("/")[0]
    return re.sub(r"[\s_\-:：]", "", text)


def _header_roles(row: Sequence[Any]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for col, value in enumerate(row):
        role = _HEADER_ROLE.get(_norm_header(value))
        if role and role not in roles:
            roles[role] = col
    return roles


def _has_coordinates(roles: Mapping[str, int]) -> bool:
    return {"X", "Y"} <= roles.keys() or {"north", "east"} <= roles.keys() or {"lon", "lat"} <= roles.keys()


_DMS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[°度:]\s*"  # degrees
                  r"(?:(\d+(?:\.\d+)?)\s*[′'分:]\s*)?"  # minutes
                  r"(?:(\d+(?:\.\d+)?)\s*[″\"秒]?)?\s*[NSEW东西南北]?\s*$")  # seconds, hemisphere


def _number(value: Any, *, angle: bool = False) -> float | None:
    """A cell as a float; None when blank. Raises ValueError when it is not a number (nor a D°M′S″ angle)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace("，", ".").replace("－", "-")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        match = _DMS.match(text) if angle else None
        if not match:
            raise
        deg, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
        number = abs(deg) + minutes / 60.0 + seconds / 3600.0
        number = -number if deg < 0 or text.rstrip()[-1:] in ("S", "W", "南", "西") else number
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _integer_text(value: Any) -> str:
    """Ids and ring numbers as text: Excel gives 3 as 3.0."""
    return cell_text(value)


@dataclass
class _Vertex:
    row: int
    ring: int | None
    order: float | None
    a: float  # first coordinate column of the pair (X / east / lon)
    b: float  # second (Y / north / lat)


@dataclass
class _TableParcel:
    key: str
    first_row: int
    vertices: list[_Vertex] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


def _point_order(value: Any) -> float | None:
    """"12", 12.0, "J12" → 12; anything else → None (then the file order is used)."""
    text = cell_text(value)
    match = re.fullmatch(r"[A-Za-z\u4e00-\u9fff]*\s*(\d+(?:\.\d+)?)", text)
    return float(match.group(1)) if match else None


def _is_headerless_point_list(cells: Sequence[Any]) -> bool:
    """A first row like `J1, 4035123.456, 39512345.678`: a point label, then two numbers, nothing else."""
    values = list(cells)
    while values and not cell_text(values[-1]):
        values.pop()
    if len(values) != 3 or _point_order(values[0]) is None:
        return False
    try:
        return _number(values[1]) is not None and _number(values[2]) is not None
    except ValueError:
        return False


def _parse_table(rows: Iterator[tuple[int, Sequence[Any]]], name: str, fmt: str, encoding: str | None,
                 sheet: str | None = None) -> RawLayer:
    """Vertex rows → one polygon per parcel id (rings by 圈号, ordered by 点号). `rows` yields (row number, cells)."""
    where_file = f"{name}（{sheet}）" if sheet else name
    header: list[Any] | None = None
    roles: dict[str, int] = {}
    header_row = 0
    scanned: list[tuple[int, Sequence[Any]]] = []
    for row_no, cells in rows:
        scanned.append((row_no, cells))
        roles = _header_roles(cells)
        if _has_coordinates(roles):
            header, header_row = list(cells), row_no
            break
        if len(scanned) >= 20:
            break
    if header is None:
        first = next((c for _n, c in scanned if any(cell_text(v) for v in c)), [])
        if not _is_headerless_point_list(first):
            shown = "、".join(cell_text(v) for v in first if cell_text(v)) or _("空")
            raise LayerReadError(_("%(file)s：找不到坐标列（表头应含 X/Y、东坐标/北坐标 或 经度/纬度），"
                                   "表头：%(header)s")
                                 % {"file": where_file, "header": shown})
        # A bare 点号,X,Y list as surveyors hand it over: read from its first row, the columns in that order.
        header, roles = [_("点号"), "X", "Y"], {"point": 0, "X": 1, "Y": 2}
        rows = itertools.chain(scanned, rows)
    if {"X", "Y"} <= roles.keys():
        pair = ("X", "Y")
    elif {"east", "north"} <= roles.keys():
        pair = ("east", "north")
    else:
        pair = ("lon", "lat")
    used_cols = {roles[r] for r in ("parcel", "ring", "point", *_COORD_ROLES) if r in roles}
    names = [cell_text(h) or f"列{i + 1}" for i, h in enumerate(header)]
    other_cols = [(i, names[i]) for i in range(len(header)) if i not in used_cols and cell_text(header[i])]
    parcel_col = roles.get("parcel")
    parcels: dict[str, _TableParcel] = {}

    def cell(cells: Sequence[Any], col: int | None) -> Any:
        return cells[col] if col is not None and col < len(cells) else None

    for row_no, cells in rows:
        if not any(cell_text(v) for v in cells):
            continue
        where = _("%(file)s 第 %(row)s 行") % {"file": where_file, "row": row_no}
        values = []
        for role in pair:
            raw_value = cell(cells, roles[role])
            try:
                number = _number(raw_value, angle=role in ("lon", "lat"))
            except ValueError:
                raise LayerReadError(_("%(where)s：%(label)s不是数字（列“%(column)s”，值“%(value)s”）")
                                     % {"where": where, "label": _role_label(role), "column": names[roles[role]],
                                        "value": cell_text(raw_value)}) from None
            if number is None:
                raise LayerReadError(_("%(where)s：缺少%(label)s（列“%(column)s”）")
                                     % {"where": where, "label": _role_label(role), "column": names[roles[role]]})
            values.append(number)
        ring: int | None = None
        if "ring" in roles:
            ring_text = _integer_text(cell(cells, roles["ring"]))
            if ring_text:
                if not ring_text.isdigit():
                    raise LayerReadError(_("%(where)s：圈号不是正整数（列“%(column)s”，值“%(value)s”）")
                                         % {"where": where, "column": names[roles["ring"]], "value": ring_text})
                ring = int(ring_text)
        key = _integer_text(cell(cells, parcel_col)) if parcel_col is not None else ""
        if parcel_col is not None and not key:
            raise LayerReadError(_("%(where)s：地块编号为空（列“%(column)s”）")
                                 % {"where": where, "column": names[parcel_col]})
        parcel = parcels.get(key)
        if parcel is None:
            parcel = parcels[key] = _TableParcel(key, row_no)
        for col, col_name in other_cols:
            value = cell(cells, col)
            if col_name not in parcel.attrs or (parcel.attrs[col_name] in (None, "") and value not in (None, "")):
                parcel.attrs[col_name] = value.strip() if isinstance(value, str) else value
        order = _point_order(cell(cells, roles.get("point"))) if "point" in roles else None
        parcel.vertices.append(_Vertex(row_no, ring, order, values[0], values[1]))
    if not parcels:
        raise LayerReadError(_("%(file)s：第 %(row)s 行表头之后没有坐标行") % {"file": where_file, "row": header_row})

    # X/Y headers: Chinese survey tables put the northing in X. Longitude/latitude under X/Y is GIS order (X = lon).
    all_a = np.array([v.a for p in parcels.values() for v in p.vertices])
    all_b = np.array([v.b for p in parcels.values() for v in p.vertices])
    survey_order = pair == ("X", "Y") and not (np.all(np.abs(all_a) <= 180) and np.all(np.abs(all_b) <= 90))

    geoms: list[Any] = []
    problems: dict[int, str] = {}
    for index, parcel in enumerate(parcels.values()):
        rings = _table_rings(parcel.vertices, has_ring="ring" in roles, has_order="point" in roles)
        coord_rings = [np.array([(v.b, v.a) if survey_order else (v.a, v.b) for v in ring], dtype=float)
                       for ring in rings]
        geom, ring_problems = polygon_from_rings(coord_rings)
        geoms.append(geom)
        if ring_problems:
            problems[index] = "；".join(ring_problems)

    keys = list(parcels)
    fields = ([names[parcel_col]] if parcel_col is not None else []) + [n for _c, n in other_cols]
    columns: dict[str, np.ndarray] = {}
    if parcel_col is not None:
        columns[names[parcel_col]] = np.array(keys, dtype=object)
    for _col, col_name in other_cols:
        columns[col_name] = object_array([p.attrs.get(col_name) for p in parcels.values()])
    first_rows = [p.first_row for p in parcels.values()]
    count = len(keys)
    if parcel_col is not None:
        labels = FeatureLabels(count, _("地块 %(id)s（第 %(row)s 行起）"), {"id": keys, "row": first_rows})
    else:
        labels = FeatureLabels(count, _("第 %(index)s 个地块（第 %(row)s 行起）"),
                               {"index": range(1, count + 1), "row": first_rows})
    warnings = []
    if pair == ("X", "Y") and survey_order:
        warnings.append(_("%(file)s：按测量习惯读取坐标，X 为北坐标、Y 为东坐标") % {"file": where_file})
    return RawLayer(object_array(geoms), columns, fields, labels, None, encoding, warnings, problems, fmt,
                    sheet or Path(name).stem)


def _table_rings(vertices: list[_Vertex], *, has_ring: bool, has_order: bool) -> list[list[_Vertex]]:
    """Group a parcel's vertices into rings: by 圈号 when there is one (in order of first appearance), else by
    closure (a vertex back on the ring's first point ends it). Within a 圈号, sort by 点号 when every point
    has a number (a repeated closing 点号 sorts next to its twin and is dropped as a duplicate)."""
    if has_ring and all(v.ring is not None for v in vertices):
        groups: dict[int, list[_Vertex]] = {}
        for v in vertices:
            groups.setdefault(v.ring, []).append(v)  # type: ignore[arg-type]
        rings = list(groups.values())
    else:
        rings = split_closed_runs(vertices, key=lambda v: (v.a, v.b))
    if has_order:
        rings = [sorted(r, key=lambda v: v.order)  # type: ignore[arg-type, return-value]
                 if all(v.order is not None for v in r) else r for r in rings]
    return rings


def split_closed_runs(points: Sequence[Any], key: Callable[[Any], Any]) -> list[list[Any]]:
    """Split a point sequence into rings where a point returns to its ring's first position (the closing point
    stays with its ring). Exchange files and tables list several rings this way when 圈号 does not separate them."""
    runs: list[list[Any]] = []
    current: list[Any] = []
    for p in points:
        current.append(p)
        if len(current) >= 4 and key(p) == key(current[0]):
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def read_delimited(data: bytes, name: str, encoding: str | None) -> RawLayer:
    text, used, _warnings = decode_text(data, name, encoding)
    sample = "\n".join(text.splitlines()[:20])
    delimiter = max((",", "\t", ";", "，"), key=lambda d: sample.count(d)) if sample else ","
    if delimiter == "，":  # a table typed with the Chinese IME's full-width comma
        text = text.replace("，", ",")
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]

    return _parse_table(rows(), name, "csv", used)


def read_xlsx(path: Path, sheet: str | None, max_bytes: int) -> RawLayer:
    with open_workbook(path, max_bytes=max_bytes) as book:
        titles = list(book.sheetnames)
        if sheet is not None:
            if sheet not in titles:
                raise LayerReadError(_("%(name)s 中没有工作表“%(sheet)s”（现有：%(sheets)s）")
                                     % {"name": path.name, "sheet": sheet, "sheets": "、".join(titles)})
            chosen = sheet
        else:
            usable = [t for t in titles if _sheet_has_header(book[t])]
            if len(usable) > 1:
                raise LayerReadError(_("%(name)s 有多个坐标工作表，请指定要读取的工作表：%(sheets)s")
                                     % {"name": path.name, "sheets": "、".join(usable)})
            chosen = usable[0] if usable else titles[0]
        ws = book[chosen]
        # Excel row numbers (1-based, header included), so messages match what the user sees.
        rows = ((row_no, list(cells)) for row_no, cells in enumerate(ws.iter_rows(values_only=True), start=1))
        return _parse_table(rows, path.name, "xlsx", None, sheet=chosen if len(titles) > 1 else None)


def _sheet_has_header(ws: Any) -> bool:
    for cells in ws.iter_rows(values_only=True, max_row=20):
        if _has_coordinates(_header_roles(list(cells))):
            return True
    return False
