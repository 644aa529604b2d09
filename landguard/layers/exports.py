"""The features export of a layer version (要素导出) with a bounded cost: xlsx during the request for a
selection of at most EXPORT_SYNC_ROWS rows, otherwise a background job (kind `layer_export`) that writes
xlsx, CSV or GeoPackage under MEDIA_ROOT/jobs/exports/ for the submitter to download from the job's page.

Every format streams from the database in chunks (`iterator(chunk_size=…)`, PostgreSQL's server-side cursor)
into a file: xlsx through openpyxl's write-only mode (core.exports.write_workbook), CSV row by row, GeoPackage
a chunk at a time through `formats.geopackage`. So a 500 000-parcel layer costs the same memory as a small one. An xlsx
sheet holds at most 1,048,574 data rows; above that only CSV and GeoPackage are offered.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core.exports import (COUNT, HECTARES, MU, SQUARE_METRES, XLSX_MAX_DATA_ROWS, ExportColumn,
                                    counting, write_workbook)
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.engine.ownership import ownership_of
from landguard.formats.geopackage import append_geopackage
from landguard.jobs.models import Job
from landguard.jobs.services import submit_export
from landguard.layers import selectors
from landguard.layers.models import Feature, LayerVersion
from landguard.regions import selectors as region_selectors

FORMATS = ("xlsx", "csv", "gpkg")
CHUNK_ROWS = 2_000

FEATURE_COLUMNS = [ExportColumn(h, f) for h, f in (
    (_("序号"), COUNT), (_("要素编号"), None), (_("地类编码"), None), (_("坐落行政区代码"), None),
    (_("坐落行政区"), None),
    (_("椭球面积（平方米）"), SQUARE_METRES), (_("面积（公顷）"), HECTARES), (_("面积（亩）"), MU),
    (_("扣除地类系数"), "0.0000"), (_("原图斑面积（平方米）"), SQUARE_METRES), (_("权属性质"), None),
    (_("权属"), None))]
# Column widths set before the first row of a streamed sheet (display units; the header's width if larger).
FEATURE_WIDTHS = (8, 18, 8, 14, 16, 14, 12, 12, 8, 14, 8, 8)
# GeoPackage field names: the GeoJSON property names of docs/serving.md, so GIS users see one vocabulary.
GPKG_FIELDS = ("index", "feature_no", "code", "region_code", "region_name", "area_m2", "area_ha", "area_mu", "kcxs",
               "stored_area_m2", "qsxz", "ownership")
_VALUES = ("index", "fid", "code", "region_code", "region_name", "area_m2", "kcxs", "stored_area_m2", "qsxz")

Progress = Callable[[int, int], None]


def select(scope: RegionScope, version: LayerVersion, *, q: str = "", code: str = "") -> QuerySet[Feature]:
    """The version's features in the scope, by number prefix (`q`) and land-class code prefix, in source order:
    what the features page lists and its exports write."""
    qs = selectors.features(scope, version).defer("geom")
    if q:
        qs = qs.filter(fid__startswith=q)
    if code:
        qs = qs.filter(code__startswith=code)
    return qs.order_by("index")


def needs_job(count: int, fmt: str) -> bool:
    return fmt != "xlsx" or count > settings.EXPORT_SYNC_ROWS


def xlsx_refused(count: int, fmt: str) -> bool:
    return fmt == "xlsx" and count > XLSX_MAX_DATA_ROWS


def rows(features: QuerySet[Feature], *, dltb: bool = False) -> Iterator[tuple]:
    """The export's row of each feature: 序号 (its position in the source), number, code, region code and
    name, official area in m² / 公顷 / 亩, KCXS, the source's own area, 权属性质 and (地类图斑) its 国有 / 集体 /
    未标注 — read in chunks, no model objects."""
    for index, fid, code, region, name, area, kcxs, stored, qsxz in _values(features).iterator(chunk_size=CHUNK_ROWS):
        yield (index + 1, fid, code, region, name, round(area, 2), hectares(area), mu(area), kcxs, stored, qsxz,
               ownership_label(qsxz, dltb=dltb))


def ownership_label(qsxz: str, *, dltb: bool) -> str:
    """国有 / 集体 of a stored 权属性质 code in the active language, 未标注 for a 地类图斑 parcel without one (as the
    overlay counts it); blank for other kinds of layer, which carry no 权属性质."""
    return str(ownership_of(qsxz).label) if dltb or qsxz else ""


def _values(features: QuerySet[Feature]) -> QuerySet:
    return region_selectors.with_region_name(features).values_list(*_VALUES)


def write(path: Path, fmt: str, features: QuerySet[Feature], *, title: str, scope_label: str,
          progress: Progress | None = None, dltb: bool = False) -> int:
    """Write the features to `path` in `fmt` (`dltb`: they are 地类图斑 parcels); returns the number of rows."""
    total = features.count() if progress else 0
    counted = counting(rows(features, dltb=dltb), progress, total, every=CHUNK_ROWS)
    if fmt == "xlsx":
        return write_workbook(path, title=title, scope_label=scope_label, columns=FEATURE_COLUMNS, rows=counted,
                              widths=FEATURE_WIDTHS)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:  # the BOM lets Excel read the Chinese
            writer = csv.writer(out)
            writer.writerow([str(c.header) for c in FEATURE_COLUMNS])
            return sum(1 for row in counted if writer.writerow(row) is not None)
    return _write_geopackage(path, features, title=title, progress=progress, total=total, dltb=dltb)


def _write_geopackage(path: Path, features: QuerySet[Feature], *, title: str, progress: Progress | None,
                      total: int, dltb: bool) -> int:
    source = _values(features).annotate(wkb=AsWKB("geom")).values_list(*_VALUES, "wkb").iterator(chunk_size=CHUNK_ROWS)
    written = 0
    while chunk := list(islice(source, CHUNK_ROWS)):
        index, fid, code, region, name, area, kcxs, stored, qsxz, wkb = zip(*chunk, strict=True)
        area_m2 = np.round(np.array(area, dtype=float), 2)
        fields = [np.array(index, dtype=np.int64) + 1, np.array(fid, dtype=object), np.array(code, dtype=object),
                  np.array(region, dtype=object), np.array(name, dtype=object), area_m2,
                  np.array([hectares(a) for a in area]), np.array([mu(a) for a in area]),
                  np.array([np.nan if k is None else k for k in kcxs], dtype=float),
                  np.array([np.nan if s is None else s for s in stored], dtype=float), np.array(qsxz, dtype=object),
                  np.array([ownership_label(q, dltb=dltb) for q in qsxz], dtype=object)]
        append_geopackage(path, wkb, fields, fields=list(GPKG_FIELDS), layer=title[:60], first=written == 0)
        written += len(chunk)
        if progress:
            progress(written, total)
    return written


def submit(*, actor: Any, scope: RegionScope, version: LayerVersion, fmt: str, filters: dict[str, str]) -> Job:
    """Queue the export of the version's features (as `filters` select them) as a job of the submitter's scope."""
    stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
    return submit_export(actor=actor, kind=Job.Kind.LAYER_EXPORT, scope=scope,
                         name=f"{version.layer.name}-v{version.number}-{stamp}.{fmt}",
                         options={"layer_id": version.layer_id, "number": version.number, "format": fmt,
                                  "filters": filters})
