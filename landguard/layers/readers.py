"""Reading spatial layer files into CGCS2000 (EPSG:4490) geometries and attributes, without touching the database.

Formats, as bureaus send them:

- **Shapefile**, loose (.shp with its .shx/.dbf/.prj/.cpg siblings) or zipped. The .cpg is honoured; without
  one the DBF is read as GBK (Chinese GIS software almost always wrote it so; GDAL would guess Latin-1), unless
  the DBF's own language-driver byte names a Chinese or UTF-8 code page, or `encoding` says otherwise. A .cpg
  that says UTF-8 over GBK bytes (a common ArcGIS mix-up) is read as GBK with a warning.
- **GeoPackage**: a layer by name; by default the only layer with polygons (several → error listing them).
- **GeoJSON**, read with `json` rather than GDAL: DataV/AMap files are often a bare array of features and may
  start with a UTF-8 BOM, and GDAL accepts neither.
- **KML / KMZ** (always WGS84 by the KML specification; coordinates from 奥维/91 tools may really be GCJ-02,
  which only the caller can know: pass crs="gcj02").
- **Coordinate tables** (CSV, XLSX, delimited TXT): one row per vertex with parcel id, ring number, point
  order and X/Y or longitude/latitude, headers in Chinese or English (地块编号/圈号/点号/X/Y/经度/纬度 …).
- **坐标交换文件** (the 自然资源部 界址点 txt): see landguard.layers.exchange; `read_layer` dispatches .txt files
  that contain a "[地块坐标]" section there.

Coordinate systems are decided by landguard.core.crs.resolve_crs (explicit `crs` > declared CRS when the values
agree > detection from coordinate magnitudes, including Gauss-Krüger zone prefixes and swapped X/Y).

Invalid geometries are reported in `LayerData.invalid`, never repaired here: whether to reject the file or
repair it (and report each repair) is the caller's decision. Errors that make the file unreadable raise
`LayerReadError` with a Chinese message naming the file, the row/feature and the field.

Uploads are size-limited (settings.UPLOAD_MAX_MB) and archives are checked member by member (path traversal,
symbolic links, member count, total unpacked size, compression ratio) before anything is unpacked:
`unpacked_upload` is the reusable form of those checks.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, overload

import numpy as np
import pyogrio
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pyogrio.raw import read as ogr_read

from landguard.core import crs as crsmod

PathLike = str | os.PathLike[str]

MAX_ZIP_RATIO = 100  # uncompressed/compressed per member; DBF/SHP rarely exceed 20, a zip bomb exceeds 1000
MAX_ZIP_MEMBERS = 200  # a 三调 export zip holds a dozen layers of ~7 files each
XLSX_MAX_RATIO = 1000  # spreadsheet XML compresses far better than geometry; the total-size limit still applies

# Zip members read in preference to the others: a .json or .txt beside a .shp is usually metadata or a readme.
PRIMARY_SUFFIXES = frozenset({".shp", ".gpkg", ".geojson", ".kml"})
SECONDARY_SUFFIXES = frozenset({".json", ".csv", ".xlsx", ".txt"})
ARCHIVE_SUFFIXES = frozenset({".zip", ".kmz"})

# GDAL's LIBKML driver adds these styling columns to every KML layer; they carry no land information.
_KML_NOISE = frozenset({"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility",
                        "drawOrder", "icon", "snippet"})
# Code pages a DBF language-driver byte may name that are right for Chinese attribute data.
_CHINESE_CODEPAGES = frozenset({"CP936", "GBK", "GB2312", "GB18030", "UTF-8", "CP950", "BIG5"})
# Fields that identify a feature to a person, most telling first (三调 BSM/TBBH, 卫片 JCBH, 地块编号 …).
ID_FIELDS = ("BSM", "TBBH", "JCBH", "DKBH", "地块编号", "ZDDM", "XZQDM", "adcode", "code", "name", "Name", "NAME", "MC")


class LayerReadError(Exception):
    """A layer file that cannot be read; the message (Chinese) names the file, the row or feature and the field."""


# =====================================================================================================
# Upload limits and archive safety
# =====================================================================================================
def upload_limit_bytes() -> int:
    """The upload limit (settings.UPLOAD_MAX_MB), read at call time so tests and deployments can change it."""
    return int(settings.UPLOAD_MAX_MB) * 1024 * 1024


def _limit_mb(max_bytes: int) -> str:
    mb = max_bytes / (1024 * 1024)
    return f"{mb:g}"


def check_upload_size(path: PathLike, max_bytes: int | None = None, *, size: int | None = None) -> None:
    """Reject a file (or a set of files whose total is `size`) over the upload limit."""
    limit = max_bytes or upload_limit_bytes()
    total = Path(path).stat().st_size if size is None else size
    if total > limit:
        raise LayerReadError(_("文件 %(name)s 超过 %(mb)s MB 上限") % {"name": Path(path).name, "mb": _limit_mb(limit)})


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it, with forward slashes.

    Zips made on Chinese Windows store GBK names without the UTF-8 flag; Python decodes those as CP437
    (“╡╪┐Θ.shp”). Re-decoding them as GBK gives the real name, so `layer="地类图斑"` can pick the file.
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


def check_zip(archive: zipfile.ZipFile, *, label: str, max_bytes: int | None = None, max_members: int = MAX_ZIP_MEMBERS,
              max_ratio: int = MAX_ZIP_RATIO) -> list[zipfile.ZipInfo]:
    """Check every member of an archive before anything is unpacked; return the file members.

    Rejected: more than `max_members` files, absolute paths, drive letters or ".." (path traversal), symbolic
    links (they could point anywhere once unpacked), a total unpacked size over the upload limit, and any
    member whose declared size exceeds `max_ratio` times its compressed size (zip bomb). The declared sizes
    are enforced again while unpacking (`extract_members`), so a lying header gains nothing.
    """
    limit = max_bytes or upload_limit_bytes()
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > max_members:
        raise LayerReadError(_("压缩包 %(name)s 内文件过多（%(count)s 个，上限 %(max)s 个）")
                             % {"name": label, "count": len(members), "max": max_members})
    total = 0
    for member in members:
        name = zip_member_name(member)
        if name.startswith("/") or PureWindowsPath(name).drive or ".." in PurePosixPath(name).parts:
            raise LayerReadError(_("压缩包内路径不安全：%(name)s") % {"name": name})
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            raise LayerReadError(_("压缩包内含符号链接：%(name)s") % {"name": name})
        total += member.file_size
        if total > limit:
            raise LayerReadError(_("压缩包解压后超过 %(mb)s MB 上限") % {"mb": _limit_mb(limit)})
        if member.file_size > max_ratio * max(member.compress_size, 1):
            raise LayerReadError(_("压缩包内 %(name)s 的压缩比异常（超过 %(ratio)s 倍），疑似压缩炸弹，已拒绝")
                                 % {"name": name, "ratio": max_ratio})
    return members


def extract_members(archive: zipfile.ZipFile, members: Sequence[zipfile.ZipInfo], dest: Path) -> dict[str, Path]:
    """Unpack members already passed by `check_zip` into `dest`; return member name → unpacked path.

    Each member is streamed and cut off at its declared size: the header, not the stream, bounds what is written.
    """
    out: dict[str, Path] = {}
    for member in members:
        name = zip_member_name(member)
        target = dest.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        remaining = member.file_size
        try:
            with archive.open(member) as src, open(target, "wb") as dst:
                while remaining > 0:
                    chunk = src.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    dst.write(chunk)
                    remaining -= len(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise LayerReadError(_("压缩包内 %(name)s 无法解压：%(error)s") % {"name": name, "error": exc}) from None
        except NotImplementedError:  # encrypted members, or a compression method zipfile lacks
            raise LayerReadError(_("压缩包内 %(name)s 已加密或使用了不支持的压缩方式") % {"name": name}) from None
        except RuntimeError:  # "File is encrypted, password required"
            raise LayerReadError(_("压缩包内 %(name)s 已加密或使用了不支持的压缩方式") % {"name": name}) from None
        out[name] = target
    return out


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise LayerReadError(_("%(name)s 不是有效的 zip 压缩包") % {"name": path.name}) from None


def _suffix_list(suffixes: Collection[str]) -> str:
    return "、".join(sorted(suffixes))


@contextmanager
def unpacked_upload(path: PathLike, *, data_suffixes: Collection[str], fallback_suffixes: Collection[str] = (),
                    archive_suffixes: Collection[str] = (".zip",), pick: str | None = None, max_bytes: int | None = None,
                    max_members: int = MAX_ZIP_MEMBERS, max_ratio: int = MAX_ZIP_RATIO) -> Iterator[Path]:
    """The data file to read from an upload: the file itself, or the one data file inside a checked, unpacked archive.

    data_suffixes: what counts as a data file (".shp", ".geojson" …); fallback_suffixes are considered only
    when an archive holds none of those. Several data files in an archive are an error listing them, unless
    `pick` names one (file name or stem, case-insensitive). The archive is unpacked into a temporary directory
    that is removed when the `with` block ends; nothing is unpacked before `check_zip` has passed.
    """
    path = Path(path)
    if not path.is_file():
        raise LayerReadError(_("文件不存在：%(path)s") % {"path": path})
    limit = max_bytes or upload_limit_bytes()
    check_upload_size(path, limit)
    suffix = path.suffix.lower()
    if suffix in data_suffixes or suffix in fallback_suffixes:
        yield path
        return
    if suffix not in archive_suffixes:
        hint = _("（.xls 请另存为 .xlsx）") if suffix == ".xls" else ""
        raise LayerReadError(_("不支持的文件类型“%(suffix)s”：支持 %(suffixes)s，或含这些文件的 %(archives)s 压缩包%(hint)s")
                             % {"suffix": path.suffix or path.name, "suffixes": _suffix_list(set(data_suffixes) | set(fallback_suffixes)),
                                "archives": _suffix_list(archive_suffixes), "hint": hint})
    with _open_zip(path) as archive, tempfile.TemporaryDirectory(prefix="landguard-upload-") as tmp:
        members = check_zip(archive, label=path.name, max_bytes=limit, max_members=max_members, max_ratio=max_ratio)
        chosen = _choose_member(members, data_suffixes, fallback_suffixes, pick, path.name)
        unpacked = extract_members(archive, members, Path(tmp))
        yield unpacked[chosen]


def _choose_member(members: Sequence[zipfile.ZipInfo], data_suffixes: Collection[str], fallback_suffixes: Collection[str],
                   pick: str | None, label: str) -> str:
    names = [zip_member_name(m) for m in members]
    visible = [n for n in names if not any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(n).parts)]
    candidates = [n for n in visible if PurePosixPath(n).suffix.lower() in data_suffixes]
    if not candidates:
        candidates = [n for n in visible if PurePosixPath(n).suffix.lower() in fallback_suffixes]
    if not candidates:
        raise LayerReadError(_("压缩包 %(name)s 中没有可读取的数据文件（%(suffixes)s）")
                             % {"name": label, "suffixes": _suffix_list(set(data_suffixes) | set(fallback_suffixes))})
    if len(candidates) > 1 and pick:
        wanted = pick.lower()
        picked = [n for n in candidates if PurePosixPath(n).name.lower() == wanted or PurePosixPath(n).stem.lower() == wanted]
        if len(picked) == 1:
            return picked[0]
    if len(candidates) != 1:
        raise LayerReadError(_("压缩包内应恰好有一个数据文件，实际有 %(count)s 个：%(files)s。请指定要读取的图层（文件名）")
                             % {"count": len(candidates), "files": "、".join(candidates)})
    return candidates[0]


# =====================================================================================================
# Result
# =====================================================================================================
class FeatureLabels(Sequence[str]):
    """How messages name each feature (“第 12 个要素（BSM 3715250001）”, “地块 A-3（第 12 行起）”).

    Built on access: formatting half a million labels up front costs seconds that are wasted when the file is fine.
    `columns` hold the per-feature values; where any of them is empty the `fallback` template is used.
    """

    def __init__(self, count: int, template: str, columns: Mapping[str, Sequence[Any]], *, fallback: str | None = None,
                 fallback_columns: Mapping[str, Sequence[Any]] | None = None, constants: Mapping[str, Any] | None = None):
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
        return [_("%(feature)s：%(reason)s") % {"feature": self.feature_labels[i], "reason": reason} for i, reason in self.invalid]


@dataclass
class RawLayer:
    """A layer as read, before CRS resolution (coordinates still in the file's CRS). Used by the format readers
    here and in landguard.layers.exchange; `finish_layer` turns it into LayerData."""

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


# =====================================================================================================
# Entry point
# =====================================================================================================
def read_layer(path: PathLike, *, encoding: str | None = None, layer: str | None = None, crs: str | None = None,
               hint_lon: float | None = None, max_bytes: int | None = None) -> LayerData:
    """Read a layer file (see the module doc for formats) and convert it to EPSG:4490.

    encoding: text encoding of DBF attributes / CSV / GeoJSON / exchange files, overriding .cpg and detection.
    layer: GeoPackage layer, KML folder, XLSX sheet, or the file to use inside a zip holding several.
    crs: the source CRS when the file's declaration is missing or wrong ("epsg:4527", "gcj02", "cgcs2000" …).
    hint_lon: a longitude near the data, needed only to place 6-digit (prefix-less) Gauss-Krüger eastings.
    max_bytes: upload limit; default settings.UPLOAD_MAX_MB.
    """
    path = Path(path)
    explicit: str | None = None
    if crs:
        try:
            explicit = crsmod.normalise_source(crs)
        except crsmod.CrsError as exc:
            raise LayerReadError(str(exc)) from None
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LayerReadError(_("未知的文本编码“%(encoding)s”（例如 GBK、UTF-8）") % {"encoding": encoding}) from None
    limit = max_bytes or upload_limit_bytes()
    suffix = path.suffix.lower()
    if suffix == ".kmz":
        with unpacked_upload(path, data_suffixes={".kml"}, archive_suffixes={".kmz"}, pick=layer, max_bytes=limit) as kml:
            raw = _read_ogr(kml, None if _is_file_pick(kml, layer) else layer, "kml")
        return finish_layer(raw, name=path.name, explicit=explicit, hint_lon=hint_lon)
    with unpacked_upload(path, data_suffixes=PRIMARY_SUFFIXES, fallback_suffixes=SECONDARY_SUFFIXES,
                         archive_suffixes=ARCHIVE_SUFFIXES - {".kmz"}, pick=layer, max_bytes=limit) as data_path:
        inner_layer = None if _is_file_pick(data_path, layer) else layer
        kind = data_path.suffix.lower()
        if kind == ".shp":
            _check_shapefile_parts(data_path, limit)
            raw = _read_shapefile(data_path, encoding)
        elif kind == ".gpkg":
            raw = _read_ogr(data_path, inner_layer, "gpkg")
        elif kind == ".kml":
            raw = _read_ogr(data_path, inner_layer, "kml")
        elif kind in (".geojson", ".json"):
            raw = _read_geojson(data_path, encoding)
        elif kind == ".xlsx":
            raw = _read_xlsx(data_path, inner_layer, limit)
        elif kind in (".csv", ".txt"):
            data = data_path.read_bytes()
            if kind == ".txt" and _looks_like_exchange(data):
                from landguard.layers.exchange import parse_exchange_bytes  # exchange imports this module

                return parse_exchange_bytes(data, name=data_path.name, encoding=encoding, crs=explicit, hint_lon=hint_lon).layer
            raw = _read_delimited(data, data_path.name, encoding)
        else:  # unreachable: unpacked_upload only yields the suffixes above
            raise LayerReadError(_("不支持的文件类型“%(suffix)s”") % {"suffix": kind})
    return finish_layer(raw, name=path.name, explicit=explicit, hint_lon=hint_lon)


def _is_file_pick(data_path: Path, layer: str | None) -> bool:
    """`layer` named the file inside a zip (so it is not also a layer/sheet name inside that file)."""
    return bool(layer) and layer.lower() in (data_path.name.lower(), data_path.stem.lower())  # type: ignore[union-attr]


def _looks_like_exchange(data: bytes) -> bool:
    # The section name in UTF-8 or GBK, without decoding the whole file twice.
    return "[地块坐标]".encode("utf-8") in data or "[地块坐标]".encode("gbk") in data


# =====================================================================================================
# Shapefile, GeoPackage, KML (GDAL through pyogrio)
# =====================================================================================================
def _sibling(path: Path, suffix: str) -> Path | None:
    """A shapefile part whatever the case of its extension (DLTB.SHP + DLTB.dbf happens)."""
    for candidate in path.parent.glob(f"{_glob_escape(path.stem)}.*"):
        if candidate.suffix.lower() == suffix and candidate.stem == path.stem:
            return candidate
    return None


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _check_shapefile_parts(path: Path, max_bytes: int) -> None:
    missing = [s for s in (".shx", ".dbf") if _sibling(path, s) is None]
    if missing:
        raise LayerReadError(_("Shapefile %(name)s 缺少 %(parts)s 文件（.shp、.shx、.dbf 必须一起上传）")
                             % {"name": path.name, "parts": "、".join(missing)})
    total = sum(p.stat().st_size for p in path.parent.glob(f"{_glob_escape(path.stem)}.*") if p.stem == path.stem and p.is_file())
    check_upload_size(path, max_bytes, size=total)


def _normalise_encoding_name(text: str) -> str:
    value = text.strip().upper()
    return {"65001": "UTF-8", "UTF8": "UTF-8", "936": "CP936", "ANSI 936": "CP936"}.get(value, value)


def _read_shapefile(path: Path, encoding: str | None) -> RawLayer:
    warnings: list[str] = []
    cpg = _sibling(path, ".cpg")
    cpg_text = _normalise_encoding_name(cpg.read_text(encoding="ascii", errors="replace")) if cpg else ""
    unknown_cpg = ""
    if cpg_text:
        try:
            codecs.lookup(cpg_text)
        except LookupError:  # "ANSI", garbage: GDAL would fall back to Latin-1 and garble Chinese text
            unknown_cpg, cpg_text = cpg_text, ""
    if encoding:
        use: str | None = encoding
        used = encoding.upper()
    elif cpg_text:
        use, used = None, cpg_text  # GDAL applies the .cpg itself
    else:
        ldid = ""
        try:
            ldid = _normalise_encoding_name(str(pyogrio.read_info(path).get("encoding") or ""))
        except Exception:  # an unreadable file is reported by the read below, with its reason
            pass
        if ldid in _CHINESE_CODEPAGES:
            use, used = ldid, ldid
        else:
            use, used = "GBK", "GBK"
            if unknown_cpg:
                warnings.append(_("%(name)s 的 .cpg（%(cpg)s）不是可识别的编码，属性按 GBK 编码读取（如有乱码，请指定编码）")
                                % {"name": path.name, "cpg": unknown_cpg})
            else:
                warnings.append(_("%(name)s 没有 .cpg 文件，属性按 GBK 编码读取（如有乱码，请指定编码）") % {"name": path.name})
    try:
        meta, _fids, wkb, columns = ogr_read(path, encoding=use)
    except UnicodeDecodeError:
        if encoding or cpg_text not in ("UTF-8",):
            raise LayerReadError(_("%(name)s 的属性无法按 %(encoding)s 解码，请指定正确的编码（例如 GBK 或 UTF-8）")
                                 % {"name": path.name, "encoding": used}) from None
        # .cpg says UTF-8 over GBK bytes: ArcGIS writes "UTF-8" by default whatever the DBF holds.
        try:
            meta, _fids, wkb, columns = ogr_read(path, encoding="GBK")
        except UnicodeDecodeError:
            raise LayerReadError(_("%(name)s 的属性既不是 UTF-8 也不是 GBK 编码，请指定正确的编码") % {"name": path.name}) from None
        used = "GBK"
        warnings.append(_("%(name)s 的 .cpg 声明 UTF-8，但属性不是有效的 UTF-8，已按 GBK 读取") % {"name": path.name})
    except Exception as exc:  # pyogrio raises several DataSource/Field error types for unreadable files
        raise LayerReadError(_("无法读取 Shapefile %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None
    geoms, problems = _geoms_from_wkb(wkb)
    declared = None
    prj = _sibling(path, ".prj")
    if prj is not None:
        declared = crsmod.crs_from_wkt(prj.read_text(encoding="utf-8", errors="replace"))
        if declared is None:
            warnings.append(_("%(name)s 的 .prj 无法识别，按坐标值判断坐标系") % {"name": path.name})
    fields = [str(f) for f in meta["fields"]]
    cols = dict(zip(fields, columns))
    return RawLayer(geoms, cols, fields, _feature_labels(len(geoms), cols, fields), declared, used, warnings, problems,
                    "shapefile", path.stem)


def _geoms_from_wkb(wkb: np.ndarray) -> tuple[np.ndarray, dict[int, str]]:
    if not len(wkb):
        return np.array([], dtype=object), {}
    wkb = np.asarray(wkb, dtype=object)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    unreadable = np.flatnonzero(shapely.is_missing(geoms) & np.array([w is not None for w in wkb]))
    return np.asarray(geoms, dtype=object), {int(i): _("几何无法解析") for i in unreadable}


def _layer_list(path: Path) -> list[tuple[str, str]]:
    try:
        return [(str(name), str(kind)) for name, kind in pyogrio.list_layers(path)]
    except Exception as exc:
        raise LayerReadError(_("无法读取 %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None


def _describe_layers(layers: Sequence[tuple[str, str]]) -> str:
    return "、".join(f"{name}（{kind}）" for name, kind in layers)


def _read_ogr(path: Path, layer: str | None, fmt: str) -> RawLayer:
    """GeoPackage or KML through GDAL. KML folders are GDAL layers: all of them are read unless one is named."""
    layers = _layer_list(path)
    if not layers:
        raise LayerReadError(_("%(name)s 中没有图层") % {"name": path.name})
    if layer is not None:
        chosen = [name for name, _kind in layers if name == layer] or [name for name, _kind in layers if name.lower() == layer.lower()]
        if not chosen:
            raise LayerReadError(_("%(name)s 中没有图层“%(layer)s”（现有图层：%(layers)s）")
                                 % {"name": path.name, "layer": layer, "layers": _describe_layers(layers)})
        names = chosen[:1]
    elif fmt == "kml":
        names = [name for name, _kind in layers]
    else:
        spatial = [(n, k) for n, k in layers if k not in ("", "None")]
        polygons = [n for n, k in spatial if "POLYGON" in k.upper()]
        if len(spatial) == 1:
            names = [spatial[0][0]]
        elif len(polygons) == 1:
            names = polygons
        else:
            raise LayerReadError(_("%(name)s 有多个图层，请指定要读取的图层：%(layers)s")
                                 % {"name": path.name, "layers": _describe_layers(layers)})
    parts = []
    declared: str | None = None
    warnings: list[str] = []
    for name in names:
        try:
            meta, _fids, wkb, columns = ogr_read(path, layer=name)
        except Exception as exc:
            raise LayerReadError(_("无法读取 %(name)s 的图层“%(layer)s”：%(error)s") % {"name": path.name, "layer": name, "error": exc}) from None
        fields = [str(f) for f in meta["fields"]]
        parts.append((wkb, dict(zip(fields, columns)), fields))
        if fmt == "kml":
            declared = "wgs84"  # KML 2.2 §6.2: coordinates are always WGS84 longitude, latitude
        elif meta.get("crs"):
            layer_crs = crsmod.crs_from_wkt(str(meta["crs"]))
            if layer_crs is None:
                warnings.append(_("图层“%(layer)s”的坐标系无法识别，按坐标值判断") % {"layer": name})
            declared = declared or layer_crs
    wkb_all = np.concatenate([np.asarray(p[0], dtype=object) for p in parts]) if parts else np.array([], dtype=object)
    fields_all: list[str] = []
    for _w, _c, fields in parts:
        fields_all += [f for f in fields if f not in fields_all and not (fmt == "kml" and f in _KML_NOISE)]
    if len(parts) == 1:
        cols = {f: parts[0][1][f] for f in fields_all}
    else:
        cols = {}
        for f in fields_all:
            pieces = [np.asarray(c[f], dtype=object) if f in c else np.full(len(w), None, dtype=object) for w, c, _f in parts]
            cols[f] = np.concatenate(pieces) if pieces else np.array([], dtype=object)
    geoms, problems = _geoms_from_wkb(wkb_all)
    return RawLayer(geoms, cols, fields_all, _feature_labels(len(geoms), cols, fields_all), declared,
                    None, warnings, problems, fmt, names[0] if len(names) == 1 else None)


def _feature_labels(count: int, columns: Mapping[str, Sequence[Any]], fields: Sequence[str]) -> FeatureLabels:
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


# =====================================================================================================
# GeoJSON
# =====================================================================================================
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
            raise LayerReadError(_("%(name)s 有 UTF-8 标记，但第 %(line)s 行不是有效的 UTF-8") % {"name": name, "line": line}) from None
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030", []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LayerReadError(_("%(name)s 第 %(line)s 行既不是 UTF-8 也不是 GBK 编码，请指定编码") % {"name": name, "line": line}) from None


def _read_geojson(path: Path, encoding: str | None) -> RawLayer:
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
            raise LayerReadError(_("%(name)s：第 %(index)s 个要素不是 GeoJSON Feature") % {"name": path.name, "index": index})
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            raise LayerReadError(_("%(name)s：第 %(index)s 个要素的 properties 不是对象") % {"name": path.name, "index": index})
        for key in props:
            if key not in seen:
                seen.add(key)
                fields.append(key)
        props_list.append(props)
        geometry = item.get("geometry")
        geometry_json.append(json.dumps(geometry) if geometry else None)
    raw_geoms = np.array(geometry_json, dtype=object)
    geoms = np.asarray(shapely.from_geojson(raw_geoms, on_invalid="ignore") if len(raw_geoms) else np.array([], dtype=object), dtype=object)
    # from_geojson gives None for both null geometries and unparseable ones; only the latter are “无法解析”.
    problems = {int(i): _("几何无法解析") for i in np.flatnonzero(shapely.is_missing(geoms)) if geometry_json[i] is not None}
    columns = {f: object_array([p.get(f) for p in props_list]) for f in fields}
    declared = _geojson_crs(data, warnings, path.name)
    return RawLayer(geoms, columns, fields, _feature_labels(len(geoms), columns, fields), declared, used, warnings, problems,
                    "geojson", path.stem)


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


# =====================================================================================================
# Coordinate tables (CSV / TXT / XLSX): one row per vertex
# =====================================================================================================
# Header names per role, normalised by _norm_header (lower case; spaces, "_", "-" and bracketed units removed).
_ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    "parcel": ("地块编号", "地块号", "地块代码", "宗地编号", "宗地号", "宗地代码", "图斑编号", "地块序号", "地块标识", "编号", "地块",
               "dkbh", "parcel", "parcelid", "parcelno", "polygonid", "featureid", "fid", "id"),
    "ring": ("圈号", "地块圈号", "环号", "圈", "环", "ring", "ringid", "ringno", "ringnumber"),
    "point": ("点号", "界址点号", "界址点", "界址点编号", "点名", "点序号", "序号", "顺序号", "点序", "拐点号", "拐点编号",
              "point", "pointno", "pointid", "pointnumber", "vertex", "seq", "sequence", "order", "no"),
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
    return {"X": _("X 坐标"), "Y": _("Y 坐标"), "north": _("北坐标"), "east": _("东坐标"), "lon": _("经度"), "lat": _("纬度"),
            "ring": _("圈号"), "point": _("点号"), "parcel": _("地块编号")}[role]


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


_DMS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[°度:]\s*(?:(\d+(?:\.\d+)?)\s*[′'分:]\s*)?(?:(\d+(?:\.\d+)?)\s*[″\"秒]?)?\s*[NSEW东西南北]?\s*$")


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
            raise LayerReadError(_("%(file)s：找不到坐标列（表头应含 X/Y、东坐标/北坐标 或 经度/纬度），表头：%(header)s")
                                 % {"file": where_file, "header": "、".join(cell_text(v) for v in first if cell_text(v)) or _("空")})
        # A bare 点号,X,Y list as surveyors hand it over: read from its first row, the columns in that order.
        header, roles = [_("点号"), "X", "Y"], {"point": 0, "X": 1, "Y": 2}
        rows = itertools.chain(scanned, rows)
    if {"X", "Y"} <= roles.keys():
        pair = ("X", "Y")
    elif {"east", "north"} <= roles.keys():
        pair = ("east", "north")
    else:
        pair = ("lon", "lat")
    used_cols = {roles[r] for r in ("parcel", "ring", "point") if r in roles} | {roles[r] for r in _COORD_ROLES if r in roles}
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
            raise LayerReadError(_("%(where)s：地块编号为空（列“%(column)s”）") % {"where": where, "column": names[parcel_col]})
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
        coord_rings = [np.array([(v.b, v.a) if survey_order else (v.a, v.b) for v in ring], dtype=float) for ring in rings]
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
        labels = FeatureLabels(count, _("第 %(index)s 个地块（第 %(row)s 行起）"), {"index": range(1, count + 1), "row": first_rows})
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
        rings = [sorted(r, key=lambda v: v.order) if all(v.order is not None for v in r) else r for r in rings]  # type: ignore[arg-type, return-value]
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


def _read_delimited(data: bytes, name: str, encoding: str | None) -> RawLayer:
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


def _read_xlsx(path: Path, sheet: str | None, max_bytes: int) -> RawLayer:
    import openpyxl  # imported here: only spreadsheet uploads need it

    # An .xlsx is a zip of XML: the same bomb checks apply before openpyxl inflates it.
    with _open_zip(path) as archive:
        check_zip(archive, label=path.name, max_bytes=max_bytes, max_ratio=XLSX_MAX_RATIO)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError/InvalidFileException/zip errors for broken files
        raise LayerReadError(_("无法读取 Excel 文件 %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None
    try:
        titles = list(book.sheetnames)
        if sheet is not None:
            if sheet not in titles:
                raise LayerReadError(_("%(name)s 中没有工作表“%(sheet)s”（现有：%(sheets)s）")
                                     % {"name": path.name, "sheet": sheet, "sheets": "、".join(titles)})
            chosen = sheet
        else:
            usable = [t for t in titles if _sheet_has_header(book[t])]
            if len(usable) > 1:
                raise LayerReadError(_("%(name)s 有多个坐标工作表，请指定要读取的工作表：%(sheets)s") % {"name": path.name, "sheets": "、".join(usable)})
            chosen = usable[0] if usable else titles[0]
        ws = book[chosen]
        # Excel row numbers (1-based, header included), so messages match what the user sees.
        rows = ((row_no, list(cells)) for row_no, cells in enumerate(ws.iter_rows(values_only=True), start=1))
        return _parse_table(rows, path.name, "xlsx", None, sheet=chosen if len(titles) > 1 else None)
    finally:
        book.close()


def _sheet_has_header(ws: Any) -> bool:
    for count, cells in enumerate(ws.iter_rows(values_only=True, max_row=20)):
        if _has_coordinates(_header_roles(list(cells))):
            return True
    return False


# =====================================================================================================
# Rings → polygons
# =====================================================================================================
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
    multi-part parcels (several outer rings) without guessing. Rings that cross are kept as they are: the validity check reports them.
    Returns (geometry or None, problems in Chinese).
    """
    problems: list[str] = []
    cleaned: list[np.ndarray] = []
    numbers: list[int] = []
    for number, ring in enumerate(rings, start=1):
        coords = _clean_ring(np.asarray(ring, dtype=float).reshape(-1, 2))
        if len(coords) < 3:
            problems.append(_("第 %(ring)s 圈只有 %(count)s 个不同的点，无法构成面") % {"ring": number, "count": len(coords)})
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


# =====================================================================================================
# CRS resolution, conversion, validity
# =====================================================================================================
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
    sample = coords[finite]
    if not len(sample):
        raise LayerReadError(_("%(name)s 中没有可用的坐标") % {"name": name})
    try:
        guess, crs_warnings = crsmod.resolve_crs(sample[:, 0], sample[:, 1], declared=raw.declared_crs, explicit=explicit,
                                                 central_meridian=raw.central_meridian, hint_lon=hint_lon)
    except crsmod.CrsError as exc:
        raise LayerReadError(_("%(name)s 的坐标系：%(error)s") % {"name": name, "error": exc}) from None
    converted = np.asarray(crsmod.to_cgcs2000(geoms, guess.source, swap_xy=guess.swap_xy), dtype=object)
    converted[~present] = None

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
            problems.setdefault(int(i), []).append(_("转换后的坐标不在中国范围内（经度 %(lon)s，纬度 %(lat)s），请检查坐标系")
                                                   % {"lon": f"{b[0]:.3f}–{b[2]:.3f}", "lat": f"{b[1]:.3f}–{b[3]:.3f}"})
    invalid = [(i, "；".join(problems[i])) for i in sorted(problems)]
    return LayerData(geometries=converted, attributes=raw.columns, fields=raw.fields, source_crs=guess.source,
                     crs_warnings=crs_warnings, encoding_used=raw.encoding, feature_labels=raw.labels, invalid=invalid,
                     warnings=list(raw.warnings), source_format=raw.source_format, layer_name=raw.layer_name, swap_xy=guess.swap_xy,
                     area_units=dict(raw.area_units))
