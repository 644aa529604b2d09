"""Writing the 自然资源部 坐标交换文件 (the format `landguard.formats.exchange` reads, described there): parcels in
EPSG:4490 written in the Gauss-Krüger coordinates of one CGCS2000 zone, each ring starting at its north-west corner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import pyproj
import shapely
from django.utils.translation import gettext as _

from landguard.core import crs as crsmod
from landguard.core.geodesy import SQM_PER_HECTARE, ellipsoidal_area_m2

from landguard.formats.exchange import ExchangeParcel, ExchangeWriteError


@lru_cache(maxsize=16)
def _to_gk(epsg: int) -> pyproj.Transformer:
    # The forward direction (4490 → GK); landguard.core.crs keeps only the inverse transformers.
    return pyproj.Transformer.from_crs(pyproj.CRS.from_epsg(4490), pyproj.CRS.from_epsg(epsg), always_xy=True)


def resolve_zone(zone: int | str, *, width: int = 3, prefix: bool = True) -> crsmod.GKZone:
    """A GK zone from a zone number (39 with width 3 → EPSG:4527) or an EPSG source ("epsg:4527", "4548")."""
    text = str(zone).strip()
    if not text.isdigit() or int(text) > 1000:  # an EPSG code, not a zone number
        try:
            source = crsmod.normalise_source(text)
        except crsmod.CrsError as exc:
            raise ExchangeWriteError(str(exc)) from None
        found = crsmod.gk_zone_from_epsg(int(source.split(":")[1])) if source.startswith("epsg:") else None
        if found is None:
            raise ExchangeWriteError(_("%(zone)s 不是 CGCS2000 高斯-克吕格投影带") % {"zone": zone})
        return found
    number = int(text)
    if width == 3 and 25 <= number <= 45:
        return crsmod.gk_zone(central_meridian=3 * number, width=3, prefix=prefix)
    if width == 6 and 13 <= number <= 23:
        return crsmod.gk_zone(central_meridian=6 * number - 3, width=6, prefix=prefix)
    raise ExchangeWriteError(_("带号 %(zone)s 不是中国范围内的 %(width)s° 带") % {"zone": number, "width": width})


def _text(value: Any) -> str:
    # A comma or "@" inside a name would split the line; full-width forms keep the meaning and the layout.
    return str(value if value is not None else "").replace(",", "，").replace("@", "＠").replace("\r",
        " ").replace("\n", " ").strip()


def _rotate_to_northwest(coords: np.ndarray) -> np.ndarray:
    """Start an (open) ring at the vertex nearest its north-west corner, where 界址点 numbering customarily begins."""
    corner = np.array([coords[:, 0].min(), coords[:, 1].max()])
    start = int(np.argmin(((coords - corner) ** 2).sum(axis=1)))
    return np.roll(coords, -start, axis=0)


def _rings_for_writing(geom: Any, keep_order: bool) -> list[np.ndarray]:
    """Open rings (n×2, projected) in 圈号 order: each part's exterior followed by its holes.

    Unless the parcel came with its own 点号 (keep_order), exteriors are clockwise and holes counter-clockwise
    (the usual 界址点 order) and each ring starts at its north-west vertex.
    """
    polygons = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    rings: list[np.ndarray] = []
    for polygon in polygons:
        if not keep_order:
            polygon = shapely.orient_polygons(polygon, exterior_cw=True)
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = np.asarray(ring.coords)[:-1, :2]
            rings.append(coords if keep_order else _rotate_to_northwest(coords))
    return rings


def write_exchange(parcels: Iterable[ExchangeParcel], *, zone: int | str, width: int = 3, prefix: bool = True,
                   decimals: int = 4, producer: str = "", produced: dt.date | None = None, version: str = "1.01",
                   precision: str = "", transform: str = ",,,,,,", point_prefix: str = "J") -> str:
    """Write parcels (geometries in EPSG:4490) as an exchange file in a CGCS2000 Gauss-Krüger zone.

    zone: zone number (39 → 3° zone 39, EPSG:4527; with width=6, 6° zones 13–23) or an EPSG source ("epsg:4527").
    prefix: write the easting with its zone prefix (8 digits, the usual form for submissions).
    decimals: coordinate decimals in metres; 4 (0.1 mm) by default so that reading the file back reproduces
        the geometry well within 1 mm. Some provinces ask for 3 (mm) — pass decimals=3 for them.
    地块面积 is written in 公顷 with 4 decimals: the parcel's declared `area_ha` if set, else its ellipsoidal area.
    点号 are the parcel's own `point_names` when they fit its rings (then vertex order is kept), else
    J1, J2 … across the parcel (each ring closes by repeating its first 点号).

    Returns the text with CRLF line ends; encode it as the receiving system expects (GBK for most).
    """
    gk = resolve_zone(zone, width=width, prefix=prefix)
    transformer = _to_gk(gk.epsg)
    produced = produced or dt.date.today()
    head = {
        "格式版本号": version,
        "数据产生单位": _text(producer),
        "数据产生日期": produced.isoformat(),
        "坐标系": "2000国家大地坐标系",
        "几度分带": str(gk.width),
        "投影类型": "高斯克吕格",
        "计量单位": "米",
        "带号": str(gk.zone),
        "精度": precision,
        "转换参数": transform,
    }
    lines = ["[属性描述]", *(f"{key}={value}" for key, value in head.items()), "[地块坐标]"]
    for index, parcel in enumerate(parcels, start=1):
        geom = parcel.geometry
        label = _("第 %(index)s 个地块（%(number)s）") % {"index": index, "number": parcel.number or parcel.name or "-"}
        if geom is None or geom.is_empty:
            raise ExchangeWriteError(_("%(parcel)s：没有几何") % {"parcel": label})
        kind = geom.geom_type
        if kind in ("Polygon", "MultiPolygon"):
            shape = "面"
            names = parcel.point_names
            rings_ll = _rings_for_writing(geom, keep_order=False)
            if names is not None:
                kept = _rings_for_writing(geom, keep_order=True)
                if len(kept) == len(names) and all(len(r) == len(n) for r, n in zip(kept, names, strict=True)):
                    rings_ll = kept
                else:
                    names = None
        elif kind in ("LineString", "MultiLineString"):
            shape, names = "线", None
            parts = list(geom.geoms) if kind == "MultiLineString" else [geom]
            rings_ll = [np.asarray(p.coords)[:, :2] for p in parts]
        elif kind in ("Point", "MultiPoint"):
            shape, names = "点", None
            rings_ll = [shapely.get_coordinates(geom)]
        else:
            raise ExchangeWriteError(_("%(parcel)s：不支持的几何类型 %(kind)s") % {"parcel": label, "kind": kind})
        point_lines: list[str] = []
        counter = 0
        for ring_no, ring in enumerate(rings_ll, start=1):
            east, north = transformer.transform(ring[:, 0], ring[:, 1])
            if not (np.all(np.isfinite(east)) and np.all(np.isfinite(north))):
                raise ExchangeWriteError(_("%(parcel)s：无法投影到 %(epsg)s")
                                         % {"parcel": label, "epsg": f"EPSG:{gk.epsg}"})
            ring_names = names[ring_no - 1] if names is not None else None
            first_name = ""
            for k, (e, n) in enumerate(zip(east, north, strict=True)):
                if ring_names is not None:
                    point_name = _text(ring_names[k])
                else:
                    counter += 1
                    point_name = f"{point_prefix}{counter}"
                first_name = first_name or point_name
                point_lines.append(f"{point_name},{ring_no},{n:.{decimals}f},{e:.{decimals}f}")
            if shape == "面":  # close the ring on its first point
                point_lines.append(f"{first_name},{ring_no},{north[0]:.{decimals}f},{east[0]:.{decimals}f}")
        area = parcel.area_ha
        if area is None and shape == "面":
            area = float(ellipsoidal_area_m2(geom)[0]) / SQM_PER_HECTARE
        fields = [str(len(point_lines)), f"{area:.4f}" if area is not None else "", _text(parcel.number),
                  _text(parcel.name), shape,
                  _text(parcel.sheet), _text(parcel.use), _text(parcel.land_class), *(_text(v) for v in parcel.extra)]
        lines.append(",".join(fields) + ",@")
        lines.extend(point_lines)
    return "\r\n".join(lines) + "\r\n"
