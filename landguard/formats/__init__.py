"""Reading the spatial files bureaus exchange into CGCS2000 (EPSG:4490) geometries and attributes: the only way any
upload is read (layers, boundaries, 卫片 batches, project boundaries, analysis boundaries). Nothing here touches
the database or imports a Django app of landguard: only landguard.core and libraries.

One module per format, as bureaus send them:

- `shapefile`: loose (.shp with .shx/.dbf/.prj/.cpg) or zipped; .cpg honoured, else GBK.
- `geopackage`: a layer by name, by default the only one with polygons; `kml`: KML / KMZ, always WGS84
  (`ogr` is the GDAL plumbing the two share).
- `geojson`: FeatureCollection, a bare array of features (DataV), one Feature or a bare geometry; UTF-8 with or
  without BOM, else GB18030.
- `tables`: coordinate tables (CSV, XLSX, delimited TXT), one row per vertex; `workbook` opens any .xlsx upload.
- `exchange`: the 自然资源部 坐标交换文件 (界址点 txt), read and written; `read_layer` dispatches .txt files that
  contain a "[地块坐标]" section there.

Shared: `base` (RawLayer, LayerData, FeatureLabels, LayerReadError), `geometry` (rings → polygons, the CRS decision
and conversion, the list of unusable features), `archives` (zip safety: nothing is unpacked before every member
is checked) and `uploads` (size limit and accepted file types, which the jobs app checks without reading).

Entry points: `read_layer` (a file → LayerData in EPSG:4490) and `read_raw` (a file → RawLayer, before its CRS is
decided, for importers that read attributes first: the boundary import matches codes to regions, then places the
coordinates near those regions and converts them with `geometry.to_cgcs2000`).
"""

from __future__ import annotations

import codecs
from collections.abc import Collection
from pathlib import Path

from django.utils.translation import gettext as _

from landguard.core import crs as crsmod
from landguard.formats.archives import unpacked_upload
from landguard.formats.base import LayerData, LayerReadError, PathLike, RawLayer
from landguard.formats.exchange import parse_exchange_bytes
from landguard.formats.geojson import read_geojson
from landguard.formats.geometry import finish_layer
from landguard.formats.geopackage import read_geopackage
from landguard.formats.kml import read_kml
from landguard.formats.shapefile import check_parts, read_shapefile
from landguard.formats.tables import read_delimited, read_xlsx
from landguard.formats.uploads import ARCHIVE_SUFFIXES, PRIMARY_SUFFIXES, SECONDARY_SUFFIXES, upload_limit_bytes


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
    explicit = explicit_crs(crs)
    _check_encoding(encoding)
    limit = max_bytes or upload_limit_bytes()
    if path.suffix.lower() == ".kmz":
        with unpacked_upload(path, data_suffixes={".kml"}, archive_suffixes={".kmz"}, pick=layer,
                             max_bytes=limit) as kml:
            raw = read_kml(kml, None if _is_file_pick(kml, layer) else layer)
        return finish_layer(raw, name=path.name, explicit=explicit, hint_lon=hint_lon)
    with unpacked_upload(path, data_suffixes=PRIMARY_SUFFIXES, fallback_suffixes=SECONDARY_SUFFIXES,
                         archive_suffixes=ARCHIVE_SUFFIXES - {".kmz"}, pick=layer, max_bytes=limit) as data_path:
        if data_path.suffix.lower() == ".txt":
            data = data_path.read_bytes()
            if _looks_like_exchange(data):
                return parse_exchange_bytes(data, name=data_path.name, encoding=encoding, crs=explicit,
                                            hint_lon=hint_lon).layer
        raw = _read_data_file(data_path, layer=layer, encoding=encoding, max_bytes=limit)
    return finish_layer(raw, name=path.name, explicit=explicit, hint_lon=hint_lon)


def read_raw(path: PathLike, *, suffixes: Collection[str], encoding: str | None = None, layer: str | None = None,
             max_bytes: int | None = None) -> RawLayer:
    """Read a file as it is, coordinates still in its own CRS (see `read_layer` for the arguments).

    suffixes: the data file types the importer takes, loose or as the one data file inside a .zip. Not ".txt":
    a 坐标交换文件 is read by `read_layer` only (its 地块面积 check needs the converted geometry)."""
    if ".txt" in suffixes:
        raise ValueError("read_raw does not read .txt files (坐标交换文件): use read_layer")
    _check_encoding(encoding)
    limit = max_bytes or upload_limit_bytes()
    with unpacked_upload(path, data_suffixes=suffixes, pick=layer, max_bytes=limit) as data_path:
        return _read_data_file(data_path, layer=layer, encoding=encoding, max_bytes=limit)


def explicit_crs(crs: str | None) -> str | None:
    """The CRS a user gave ("gcj02", "EPSG:4527" …) in the form resolve_crs takes; LayerReadError when unknown."""
    if not crs:
        return None
    try:
        return crsmod.normalise_source(crs)
    except crsmod.CrsError as exc:
        raise LayerReadError(str(exc)) from None


def _check_encoding(encoding: str | None) -> None:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LayerReadError(_("未知的文本编码“%(encoding)s”（例如 GBK、UTF-8）")
                                 % {"encoding": encoding}) from None


def _read_data_file(data_path: Path, *, layer: str | None, encoding: str | None, max_bytes: int) -> RawLayer:
    """The reader for the file's type. `layer` names a layer or sheet inside it, unless it named the file itself."""
    inner_layer = None if _is_file_pick(data_path, layer) else layer
    kind = data_path.suffix.lower()
    if kind == ".shp":
        check_parts(data_path, max_bytes)
        return read_shapefile(data_path, encoding)
    if kind == ".gpkg":
        return read_geopackage(data_path, inner_layer)
    if kind == ".kml":
        return read_kml(data_path, inner_layer)
    if kind in (".geojson", ".json"):
        return read_geojson(data_path, encoding)
    if kind == ".xlsx":
        return read_xlsx(data_path, inner_layer, max_bytes)
    if kind in (".csv", ".txt"):
        return read_delimited(data_path.read_bytes(), data_path.name, encoding)
    # Unreachable through the entry points: unpacked_upload only yields the suffixes they accept.
    raise LayerReadError(_("不支持的文件类型“%(suffix)s”") % {"suffix": kind})


def _is_file_pick(data_path: Path, layer: str | None) -> bool:
    """`layer` named the file inside a zip (so it is not also a layer/sheet name inside that file)."""
    return bool(layer) and layer.lower() in (data_path.name.lower(), data_path.stem.lower())  # type: ignore[union-attr]


def _looks_like_exchange(data: bytes) -> bool:
    # The section name in UTF-8 or GBK, without decoding the whole file twice.
    return "[地块坐标]".encode("utf-8") in data or "[地块坐标]".encode("gbk") in data
