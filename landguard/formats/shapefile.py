"""Shapefiles, loose (.shp with its .shx/.dbf/.prj/.cpg siblings) or unpacked from a zip, through GDAL (pyogrio).

The .cpg is honoured; without one the DBF is read as GBK (Chinese GIS software almost always wrote it so; GDAL
would guess Latin-1), unless the DBF's own language-driver byte names a Chinese or UTF-8 code page, or
`encoding` says otherwise. A .cpg that says UTF-8 over GBK bytes (a common ArcGIS mix-up) is read as GBK with a
warning. The .prj is the declared CRS; one that cannot be recognised is a warning, and the values decide.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pyogrio
from django.utils.translation import gettext as _
from pyogrio.raw import read as ogr_read

from landguard.core import crs as crsmod
from landguard.formats.base import LayerReadError, RawLayer, feature_labels
from landguard.formats.geometry import geoms_from_wkb
from landguard.formats.uploads import check_upload_size

# Code pages a DBF language-driver byte may name that are right for Chinese attribute data.
_CHINESE_CODEPAGES = frozenset({"CP936", "GBK", "GB2312", "GB18030", "UTF-8", "CP950", "BIG5"})


def _sibling(path: Path, suffix: str) -> Path | None:
    """A shapefile part whatever the case of its extension (DLTB.SHP + DLTB.dbf happens)."""
    for candidate in path.parent.glob(f"{_glob_escape(path.stem)}.*"):
        if candidate.suffix.lower() == suffix and candidate.stem == path.stem:
            return candidate
    return None


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def check_parts(path: Path, max_bytes: int) -> None:
    """The .shx and .dbf are present, and all the parts together are within the upload limit."""
    missing = [s for s in (".shx", ".dbf") if _sibling(path, s) is None]
    if missing:
        raise LayerReadError(_("Shapefile %(name)s 缺少 %(parts)s 文件（.shp、.shx、.dbf 必须一起上传）")
                             % {"name": path.name, "parts": "、".join(missing)})
    parts = [p for p in path.parent.glob(f"{_glob_escape(path.stem)}.*") if p.stem == path.stem and p.is_file()]
    total = sum(p.stat().st_size for p in parts)
    check_upload_size(path, max_bytes, size=total)


def _normalise_encoding_name(text: str) -> str:
    value = text.strip().upper()
    return {"65001": "UTF-8", "UTF8": "UTF-8", "936": "CP936", "ANSI 936": "CP936"}.get(value, value)


def read_shapefile(path: Path, encoding: str | None) -> RawLayer:
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
                warnings.append(_("%(name)s 的 .cpg（%(cpg)s）不是可识别的编码，"
                                  "属性按 GBK 编码读取（如有乱码，请指定编码）")
                                % {"name": path.name, "cpg": unknown_cpg})
            else:
                warnings.append(_("%(name)s 没有 .cpg 文件，属性按 GBK 编码读取（如有乱码，请指定编码）")
                                % {"name": path.name})
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
            raise LayerReadError(_("%(name)s 的属性既不是 UTF-8 也不是 GBK 编码，请指定正确的编码")
                                 % {"name": path.name}) from None
        used = "GBK"
        warnings.append(_("%(name)s 的 .cpg 声明 UTF-8，但属性不是有效的 UTF-8，已按 GBK 读取") % {"name": path.name})
    except Exception as exc:  # pyogrio raises several DataSource/Field error types for unreadable files
        raise LayerReadError(_("无法读取 Shapefile %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None
    geoms, problems = geoms_from_wkb(wkb)
    declared = None
    prj = _sibling(path, ".prj")
    if prj is not None:
        declared = crsmod.crs_from_wkt(prj.read_text(encoding="utf-8", errors="replace"))
        if declared is None:
            warnings.append(_("%(name)s 的 .prj 无法识别，按坐标值判断坐标系") % {"name": path.name})
    fields = [str(f) for f in meta["fields"]]
    cols = dict(zip(fields, columns, strict=True))
    return RawLayer(geoms, cols, fields, feature_labels(len(geoms), cols, fields), declared, used, warnings, problems,
                    "shapefile", path.stem)
