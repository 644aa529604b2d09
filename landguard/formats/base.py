"""What every format reader returns, and the small helpers they share: no file is opened here.

`RawLayer` is a layer as read, coordinates still in the file's CRS; `geometry.finish_layer` decides the CRS,
converts to CGCS2000 (EPSG:4490) and lists every unusable feature, giving `LayerData`. Errors that make a file
unreadable raise `LayerReadError` with a Chinese message naming the file, the row or feature and the field.
"""

from __future__ import annotations

import codecs
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
from django.utils.translation import gettext as _

PathLike = str | os.PathLike[str]

# Fields that identify a feature to a person, most telling first (三调 BSM/TBBH, 卫片 JCBH, 地块编号 …).
ID_FIELDS = ("BSM", "TBBH", "JCBH", "DKBH", "地块编号", "ZDDM", "XZQDM", "adcode", "code", "name", "Name", "NAME", "MC")


class LayerReadError(Exception):
    """A layer file that cannot be read; the message (Chinese) names the file, the row or feature and the field."""


class FeatureLabels(Sequence[str]):
    """How messages name each feature (“第 12 个要素（BSM 3715250001）”, “地块 A-3（第 12 行起）”).

    Built on access: formatting half a million labels up front costs seconds that are wasted when the file is fine.
    `columns` hold the per-feature values; where any of them is empty the `fallback` template is used.
    """

    def __init__(self, count: int, template: str, columns: Mapping[str, Sequence[Any]], *, fallback: str | None = None,
                 fallback_columns: Mapping[str, Sequence[Any]] | None = None,
                 constants: Mapping[str, Any] | None = None):
        self._count = count
        self._template, self._columns = template, dict(columns)
        self._fallback = fallback
        self._fallback_columns = dict(fallback_columns or {})
        self._constants = dict(constants or {})

    def __len__(self) -> int:
        return self._count

    def _label(self, i: int) -> str:
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(i)
        values = {k: col[i] for k, col in self._columns.items()}
        if self._fallback is not None and any(v is None or v == "" for v in values.values()):
            return self._fallback % {**self._constants, **{k: col[i] for k, col in self._fallback_columns.items()}}
        return self._template % {**self._constants, **values}

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self._label(j) for j in range(*i.indices(self._count))]
        return self._label(int(i))


def object_array(values: Sequence[Any]) -> np.ndarray:
    """A 1-D object array of `values`, even when they are lists or dicts (np.array would nest them)."""
    return np.fromiter(values, dtype=object, count=len(values))


def python_value(value: Any) -> Any:
    """A column value as plain Python: numpy scalars unwrapped, NaN and NaT as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class LayerData:
    """A layer read from a file, converted to CGCS2000 longitude/latitude (EPSG:4490).

    geometries: numpy object array of shapely geometries in EPSG:4490, 2D; None where a feature has no
        (usable) geometry. Index i everywhere below refers to position i of this array (0-based).
    attributes: column dict, field name → numpy array aligned with `geometries` (chosen over a list of dicts:
        a county DLTB has ~500 000 features and columns are what a bulk insert wants). Shapefile/GeoPackage
        columns keep pyogrio's dtypes (float64 with NaN for null, int, datetime64, object for text); GeoJSON,
        table and exchange-file columns are object arrays of Python values (None for missing). `row(i)` gives
        one feature as a dict of plain Python values.
    fields: the attribute names in file order.
    source_crs: the CRS the coordinates were in: "cgcs2000", "wgs84", "gcj02" or "epsg:NNNN".
    crs_warnings: what the CRS decision should tell the user (declared vs detected, swapped axes …).
    encoding_used: the text encoding attributes were decoded with (None where the format fixes it: GPKG, KML).
    feature_labels: how to name feature i in a message (“第 12 个要素（BSM 3715…）”, “地块 A（第 5 行起）”).
    invalid: (i, reason in Chinese) for every feature with no geometry, non-finite coordinates, an invalid
        geometry (GEOS reason and location) or a position outside China after conversion. Not repaired.
    warnings: other things the user should know (encoding assumed, declared 地块面积 differing, …).
    """

    geometries: np.ndarray
    attributes: dict[str, np.ndarray]
    fields: list[str]
    source_crs: str
    crs_warnings: list[str]
    encoding_used: str | None
    feature_labels: Sequence[str]
    invalid: list[tuple[int, str]]
    warnings: list[str] = field(default_factory=list)
    source_format: str = ""  # "shapefile", "gpkg", "geojson", "kml", "csv", "xlsx", "exchange"
    layer_name: str | None = None
    swap_xy: bool = False  # the file stored northing/latitude first
    # Area fields not in square metres: field → m² per unit (the exchange file's 地块面积 is in 公顷). The reader has
    # already compared them with the ellipsoidal area, with the tolerance their written decimals allow.
    area_units: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.geometries)

    def row(self, index: int) -> dict[str, Any]:
        return {name: python_value(self.attributes[name][index]) for name in self.fields}

    def rows(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self.row(i)

    @property
    def invalid_indices(self) -> set[int]:
        return {i for i, _reason in self.invalid}

    def invalid_messages(self) -> list[str]:
        """“第 3 个要素：自相交（115.51 36.51）” lines, ready to show."""
        return [_("%(feature)s：%(reason)s") % {"feature": self.feature_labels[i], "reason": reason}
                for i, reason in self.invalid]


@dataclass
class RawLayer:
    """A layer as read, before CRS resolution (coordinates still in the file's CRS). Every format reader returns
    one; `geometry.finish_layer` turns it into LayerData."""

    geometries: np.ndarray
    columns: dict[str, np.ndarray]
    fields: list[str]
    labels: Sequence[str]
    declared_crs: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)  # feature index → why it has no/partial geometry
    source_format: str = ""
    layer_name: str | None = None
    central_meridian: float | None = None  # for 6-digit GK eastings, when the file says which zone
    area_units: dict[str, float] = field(default_factory=dict)  # see LayerData.area_units


# Fields that hold a feature's own name (项目名称, 地块名称 …), first found wins: a boundary is called by it.
NAME_FIELDS = ("XMMC", "项目名称", "DKMC", "地块名称", "名称", "MC", "name", "Name", "NAME", "title")


def feature_names(count: int, columns: Mapping[str, Any], fields: Sequence[str]) -> list[str] | None:
    """Each feature's own name from the first NAME_FIELDS column the file has ("" where that feature has none);
    None when the file has no such column."""
    name_field = next((f for f in NAME_FIELDS if f in fields), None)
    if name_field is None:
        return None
    values = _TextColumn(columns[name_field])
    return [values[i] for i in range(count)]


def feature_labels(count: int, columns: Mapping[str, Sequence[Any]], fields: Sequence[str]) -> FeatureLabels:
    """Labels naming each feature by its position and, where the file has one, its identifying field (ID_FIELDS)."""
    index = range(1, count + 1)
    id_field = next((f for f in ID_FIELDS if f in fields), None)
    plain = _("第 %(index)s 个要素")
    if id_field is None:
        return FeatureLabels(count, plain, {"index": index})
    values = _TextColumn(columns[id_field])
    return FeatureLabels(count, _("第 %(index)s 个要素（%(field)s %(value)s）"), {"index": index, "value": values},
                         fallback=plain, fallback_columns={"index": index}, constants={"field": id_field})


class _TextColumn(Sequence[str]):
    """A column shown as text in labels (3715.0 → "3715", None/NaN → "")."""

    def __init__(self, values: Sequence[Any]):
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        return cell_text(self._values[i])


def cell_text(value: Any) -> str:
    value = python_value(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_text(data: bytes, name: str, encoding: str | None) -> tuple[str, str, list[str]]:
    """Text of an upload: the given encoding, else UTF-8 (with or without BOM), else GB18030 (a GBK superset:
    Excel and Windows tools in China save "ANSI" text as GBK). Returns (text, encoding used, warnings)."""
    if encoding:
        try:
            return data.decode(encoding), encoding.upper(), []
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise LayerReadError(_("%(name)s 第 %(line)s 行无法按 %(encoding)s 解码，请指定正确的编码")
                                 % {"name": name, "line": line, "encoding": encoding}) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8", []
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise LayerReadError(_("%(name)s 有 UTF-8 标记，但第 %(line)s 行不是有效的 UTF-8")
                                 % {"name": name, "line": line}) from None
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030", []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LayerReadError(_("%(name)s 第 %(line)s 行既不是 UTF-8 也不是 GBK 编码，请指定编码")
                             % {"name": name, "line": line}) from None
