"""Coordinate systems met in Chinese land data, and conversion of everything to CGCS2000 (EPSG:4490).

What arrives, and how it is handled:

- **CGCS2000 / WGS84 longitude-latitude.** Both are earth-centred datums realised a few centimetres apart
  today; their ellipsoids differ only in the 6th digit of the flattening (≈0.1 mm in latitude). For
  boundaries, parcels and alerts that is far below any mapping precision (well under 1 m), so WGS84
  coordinates are stored as 4490 unchanged — no datum shift, and no ballpark PROJ pipeline that might
  silently differ between PROJ versions.
- **GCJ-02** (高德/腾讯/DataV "火星坐标"): WGS84 plus a deliberately obfuscating, non-linear offset of
  100–700 m. The forward formula is public; its inverse is not closed-form, so it is solved by fixed-point
  iteration (the offset's Jacobian is within 0.3 % of identity, so each step gains ~3 digits; a few steps
  reach 1e-10° ≈ 0.01 mm). Outside China the offset is not applied, as in the original formula.
- **CGCS2000 Gauss-Krüger** (EPSG 4491–4554): 3° or 6° zones, with the zone number prefixed to the
  easting (8-digit X, e.g. 39 523 456.7) or without (6-digit X, central meridian must come from elsewhere).
  The .prj is often missing, wrong (ArcGIS default "WGS 84") or lists the axes in survey order (X=north),
  so the coordinates themselves are checked as well (`resolve_crs`).

pyproj is always used with always_xy=True (EPSG:4527's native axis order is northing first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from django.utils.translation import gettext as _

CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)

GEOGRAPHIC_SOURCES = {"cgcs2000", "wgs84", "gcj02"}
_ALIASES = {"cgcs2000": "cgcs2000", "epsg:4490": "cgcs2000", "4490": "cgcs2000",
            "wgs84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84",
            "gcj02": "gcj02", "gcj-02": "gcj02", "gcj": "gcj02"}


class CrsError(ValueError):
    """The coordinate system is unknown, or cannot be told from the file and its coordinates."""


def normalise_source(source: str) -> str:
    """"EPSG:4527" / "4527" / "epsg:4490" / "GCJ-02" → "epsg:4527" / "cgcs2000" / "gcj02"."""
    key = source.strip().lower().replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    code = key.removeprefix("epsg:")
    if code.isdigit():
        try:
            pyproj.CRS.from_epsg(int(code))
        except pyproj.exceptions.CRSError:
            raise CrsError(_("未知的坐标系 EPSG:%(code)s") % {"code": code}) from None
        return f"epsg:{int(code)}"
    raise CrsError(_("未知的坐标系“%(source)s”：应为 cgcs2000、wgs84、gcj02 或 epsg:编号") % {"source": source})


def is_geographic(source: str) -> bool:
    source = normalise_source(source)
    return source in GEOGRAPHIC_SOURCES or pyproj.CRS.from_user_input(source).is_geographic


# --- GCJ-02 -----------------------------------------------------------------------------------------
# Krasovsky semi-major axis and eccentricity², as in the published GCJ-02 formula (not an error).
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _outside_gcj(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
            + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0)
    rad = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    dlon = dlon * 180.0 / (_GCJ_A / sqrt_magic * np.cos(rad) * pi)
    outside = _outside_gcj(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, *, tolerance_deg: float = 1e-10, max_iter: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Invert GCJ-02 by fixed-point iteration: find w with forward(w) = g (error < 1e-10° ≈ 0.01 mm)."""
    g_lon, g_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _step in range(max_iter):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if e_lon.size == 0 or max(np.abs(e_lon).max(), np.abs(e_lat).max()) < tolerance_deg:
            break
    return w_lon, w_lat


# --- Gauss-Krüger zones ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GKZone:
    epsg: int
    width: int  # 3 or 6 degrees
    central_meridian: int
    prefix: bool  # zone number in front of the easting (8-digit X)

    @property
    def zone(self) -> int:
        return self.central_meridian // 3 if self.width == 3 else (self.central_meridian + 3) // 6


def gk_zone(*, central_meridian: float, width: int = 3, prefix: bool = False) -> GKZone:
    """The CGCS2000 GK EPSG code for a central meridian (75°E–135°E)."""
    cm = int(round(central_meridian))
    if width == 3 and 75 <= cm <= 135 and cm % 3 == 0:
        return GKZone(4513 + cm // 3 - 25 if prefix else 4534 + (cm - 75) // 3, 3, cm, prefix)
    if width == 6 and 75 <= cm <= 135 and (cm - 75) % 6 == 0:
        return GKZone(4491 + (cm - 75) // 6 if prefix else 4502 + (cm - 75) // 6, 6, cm, prefix)
    raise CrsError(_("%(cm)s°E 不是 CGCS2000 %(width)s° 带的中央经线") % {"cm": central_meridian, "width": width})


def gk_zone_from_epsg(epsg: int) -> GKZone | None:
    if 4513 <= epsg <= 4533:
        return GKZone(epsg, 3, 3 * (epsg - 4513 + 25), True)
    if 4534 <= epsg <= 4554:
        return GKZone(epsg, 3, 75 + 3 * (epsg - 4534), False)
    if 4491 <= epsg <= 4501:
        return GKZone(epsg, 6, 75 + 6 * (epsg - 4491), True)
    if 4502 <= epsg <= 4512:
        return GKZone(epsg, 6, 75 + 6 * (epsg - 4502), False)
    return None


def describe_source(source: str) -> str:
    """A stored source CRS key as people read it: "epsg:4527" → "CGCS2000 3度带 第39带（中央经线 117°E，带号前缀）
    EPSG:4527", "gcj02" → "GCJ-02（国测局加密坐标）". Unknown keys are shown as written."""
    if not source:
        return ""
    try:
        key = normalise_source(source)
    except CrsError:
        return source
    names = {"cgcs2000": _("CGCS2000 经纬度"), "wgs84": _("WGS84 经纬度"), "gcj02": _("GCJ-02（国测局加密坐标）")}
    if key in names:
        return str(names[key])
    epsg = int(key.split(":")[1])
    zone = gk_zone_from_epsg(epsg)
    if zone is None:
        return f"EPSG:{epsg}"
    words = _("CGCS2000 %(width)s度带 第%(zone)s带（中央经线 %(cm)s°E%(prefix)s）") % {
        "width": zone.width, "zone": zone.zone, "cm": zone.central_meridian,
        "prefix": _("，带号前缀") if zone.prefix else ""}
    return f"{words} EPSG:{epsg}"


def gk_zone_from_prefix(zone: int) -> GKZone | None:
    """8-digit eastings start with the zone number: 25–45 are 3° zones, 13–23 are 6° zones (no overlap)."""
    if 25 <= zone <= 45:
        return gk_zone(central_meridian=3 * zone, width=3, prefix=True)
    if 13 <= zone <= 23:
        return gk_zone(central_meridian=6 * zone - 3, width=6, prefix=True)
    return None


def crs_from_wkt(wkt: str) -> str | None:
    """A .prj / WKT as a source string ("cgcs2000", "wgs84", "epsg:4527"), or None if it is not understood.

    ArcGIS writes ESRI-flavoured WKT without EPSG codes; PROJ recognises the common ones. CGCS2000 GK
    definitions it cannot match are rebuilt from their central meridian and false easting.
    """
    try:
        crs = pyproj.CRS.from_user_input(wkt.strip())
    except pyproj.exceptions.CRSError:
        return None
    epsg = crs.to_epsg(min_confidence=70)
    if epsg == 4490:
        return "cgcs2000"
    if epsg == 4326:
        return "wgs84"
    if epsg:
        return f"epsg:{epsg}"
    datum = (crs.datum.name if crs.datum else "").lower()
    cgcs = "2000" in datum or "china" in datum
    if crs.is_geographic:
        return "cgcs2000" if cgcs else "wgs84" if "wgs" in datum and "84" in datum else None
    if crs.is_projected and cgcs and crs.coordinate_operation is not None:
        params = {p.name.lower(): p.value for p in crs.coordinate_operation.params}
        cm = params.get("longitude of natural origin")
        fe = params.get("false easting")
        if cm is not None and fe is not None:
            for width in (3, 6):
                try:
                    zone = gk_zone(central_meridian=cm, width=width, prefix=fe > 1_000_000)
                except CrsError:
                    continue
                if not zone.prefix or int(fe // 1_000_000) == zone.zone:
                    return f"epsg:{zone.epsg}"
    return None


# --- detection from coordinate magnitudes -----------------------------------------------------------
@dataclass(frozen=True)
class CrsGuess:
    source: str  # "cgcs2000" (any lon/lat; GCJ-02 cannot be told apart) or "epsg:NNNN"
    swap_xy: bool = False  # the file stores (northing, easting) / (lat, lon)
    reason: str = ""


def _within(v: np.ndarray, low: float, high: float) -> bool:
    return bool(v.size) and bool(np.all((v >= low) & (v <= high)))


def _prefix_zone(v: np.ndarray) -> int | None:
    """The common zone prefix of 8-digit eastings, if every value has the same one."""
    if not _within(v, 10_000_000, 99_999_999):
        return None
    zones = np.unique(np.floor(v / 1_000_000))
    return int(zones[0]) if len(zones) == 1 else None


def _is_northing(v: np.ndarray) -> bool:
    return _within(v, 300_000, 6_200_000)  # ≈ 3°N … 56°N on the GK projection


def _is_plain_easting(v: np.ndarray) -> bool:
    return _within(v, 100_000, 999_999.999)


def detect_from_coordinates(x, y, *, central_meridian: float | None = None, hint_lon: float | None = None,
                            zone_width: int | None = None) -> CrsGuess:
    """Tell the coordinate system from the values alone.

    lon/lat ranges → geographic (reported as "cgcs2000"); an 8-digit X → GK zone from its prefix; a 6-digit X
    → GK without prefix, central meridian from `central_meridian` or guessed from `hint_lon` (e.g. the
    centroid of the region the data belongs to). X and Y exchanged (survey order) is detected in each case.
    """
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if not x.size:
        raise CrsError(_("没有坐标，无法判断坐标系"))
    if _within(x, *CHINA_LON) and _within(y, *CHINA_LAT):
        return CrsGuess("cgcs2000", False, _("经纬度坐标"))
    if _within(x, *CHINA_LAT) and _within(y, *CHINA_LON):
        return CrsGuess("cgcs2000", True, _("经纬度坐标（纬度在前）"))
    if _within(x, -180, 180) and _within(y, -90, 90):
        return CrsGuess("cgcs2000", False, _("经纬度坐标（不在中国范围内）"))

    swap = False
    east, north = x, y
    if _prefix_zone(y) is not None and _is_northing(x):
        swap, east, north = True, y, x
    elif _is_northing(x) and x.min() >= 1_000_000 and _is_plain_easting(y):
        # 7-digit X with 6-digit Y: northing and easting exchanged. (Northings below 1 000 000 m, south of
        # ~9°N, are ambiguous and read as unswapped.)
        swap, east, north = True, y, x
    if not _is_northing(north):
        raise CrsError(_("坐标值既不像经纬度也不像高斯-克吕格投影坐标（X %(x)s，Y %(y)s）")
                       % {"x": f"{x.min():.0f}–{x.max():.0f}", "y": f"{y.min():.0f}–{y.max():.0f}"})
    swap_note = _("，X/Y 互换") if swap else ""

    zone_number = _prefix_zone(east)
    if zone_number is not None:
        zone = gk_zone_from_prefix(zone_number)
        if zone is None:
            raise CrsError(_("横坐标带号 %(zone)s 不在中国范围内的 CGCS2000 投影带中") % {"zone": zone_number})
        return CrsGuess(f"epsg:{zone.epsg}", swap,
                        _("8 位横坐标，带号 %(zone)s%(swap)s") % {"zone": zone_number, "swap": swap_note})
    if not _is_plain_easting(east):
        raise CrsError(_("横坐标既不是 6 位也不是带带号的 8 位数（%(x)s）")
                       % {"x": f"{east.min():.0f}–{east.max():.0f}"})

    widths = (zone_width,) if zone_width else (3, 6)
    if central_meridian is not None:
        zone = gk_zone(central_meridian=central_meridian, width=widths[0], prefix=False)
        return CrsGuess(f"epsg:{zone.epsg}", swap,
            _("6 位横坐标，中央经线 %(cm)s°E（指定）%(swap)s") % {"cm": zone.central_meridian, "swap": swap_note})
    if hint_lon is None:
        raise CrsError(
            _("6 位横坐标（不带带号）无法确定中央经线：请指定坐标系，例如 epsg:4549（CGCS2000 3° 带 120°E）"))
    # Try the 3° and the 6° zone that would contain the hint; keep the one that puts the data nearest to it.
    candidates = []
    for width in widths:
        cm = 3 * round(hint_lon / 3) if width == 3 else 6 * math.floor(hint_lon / 6) + 3
        try:
            candidates.append(gk_zone(central_meridian=cm, width=width, prefix=False))
        except CrsError:
            continue
    if not candidates:
        raise CrsError(_("参考经度 %(lon)s 不在中国范围内") % {"lon": hint_lon})
    e0, n0 = float(np.median(east)), float(np.median(north))
    best = min(candidates, key=lambda z: abs(_transformer(z.epsg).transform(e0, n0)[0] - hint_lon))
    return CrsGuess(f"epsg:{best.epsg}", swap, _("6 位横坐标，按参考经度 %(lon).2f°E 推定中央经线 %(cm)s°E%(swap)s")
                    % {"lon": hint_lon, "cm": best.central_meridian, "swap": swap_note})


def _lonlat_of(x: np.ndarray, y: np.ndarray, source: str) -> tuple[np.ndarray, np.ndarray]:
    if source in GEOGRAPHIC_SOURCES:
        return (gcj02_to_wgs84(x, y) if source == "gcj02" else (x, y))
    return _transformer(int(source.split(":")[1])).transform(x, y)


def _plausible(x: np.ndarray, y: np.ndarray, source: str, hint_lon: float | None) -> bool:
    """Does `source` put these coordinates inside China (and near the hint longitude, if any)?"""
    try:
        lon, lat = _lonlat_of(x, y, source)
    except pyproj.exceptions.ProjError:
        return False
    lon, lat = np.asarray(lon), np.asarray(lat)
    if not (np.all(np.isfinite(lon)) and _within(lon, *CHINA_LON) and _within(lat, *CHINA_LAT)):
        return False
    # The hint is one region's centroid; the data may cover many regions, so compare with its whole extent.
    return hint_lon is None or float(lon.min()) - 3.0 < hint_lon < float(lon.max()) + 3.0


def resolve_crs(x, y, *, declared: str | None = None, explicit: str | None = None,
                central_meridian: float | None = None,
                hint_lon: float | None = None) -> tuple[CrsGuess, list[str]]:
    """Decide the source CRS of coordinates: explicit argument > declared (.prj) if the values agree > detection.

    Returns the decision and warnings to show the user. Raises CrsError when nothing fits.
    """
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    warnings: list[str] = []
    try:
        detected: CrsGuess | None = detect_from_coordinates(x, y, central_meridian=central_meridian, hint_lon=hint_lon)
        detect_error = ""
    except CrsError as exc:
        detected, detect_error = None, str(exc)
    swap = bool(detected and detected.swap_xy)
    sx, sy = (y, x) if swap else (x, y)

    if explicit:
        explicit = normalise_source(explicit)
        if declared and normalise_source(declared) != explicit and not (
            {normalise_source(declared), explicit} <= {"cgcs2000", "wgs84"}
        ):
            warnings.append(_("文件声明的坐标系为 %(declared)s，与指定的 %(explicit)s 不一致，按指定的坐标系处理")
                            % {"declared": declared, "explicit": explicit})
        if swap:
            warnings.append(_("坐标 X/Y 顺序互换（北坐标在前），已按东、北顺序读取"))
        return CrsGuess(explicit, swap, _("指定")), warnings

    if declared:
        declared = normalise_source(declared)
        zone = gk_zone_from_epsg(int(declared.split(":")[1])) if declared.startswith("epsg:") else None
        agrees = _plausible(sx, sy, declared, hint_lon)
        if agrees and zone and zone.prefix and detected and detected.source.startswith("epsg:"):
            # A wrong zone number still lands somewhere in China; the prefix on the values is authoritative.
            agrees = detected.source == declared
        if agrees and declared in GEOGRAPHIC_SOURCES and detected and detected.source not in GEOGRAPHIC_SOURCES:
            agrees = False
        if detected and detected.source == declared:
            # The values say what the file says. If they lie far from the region, that is a question of where the
            # features are (the import checks it), not of the CRS: never "declared X does not match, judged X".
            agrees = True
        if agrees:
            if swap:
                warnings.append(_("坐标 X/Y 顺序互换（北坐标在前），已按东、北顺序读取"))
            return CrsGuess(declared, swap, _(".prj 声明")), warnings
        if detected is None:
            raise CrsError(_("文件声明的坐标系 %(declared)s 与坐标值不符，且无法从坐标值判断：%(error)s")
                           % {"declared": declared, "error": detect_error})
        warnings.append(_("文件声明的坐标系 %(declared)s 与坐标值不符，按坐标值判断为 %(source)s（%(reason)s）")
                        % {"declared": declared, "source": detected.source, "reason": detected.reason})
        return detected, warnings

    if detected is None:
        raise CrsError(detect_error)
    if detected.source.startswith("epsg:") or swap:
        warnings.append(_("文件未声明坐标系，按坐标值判断为 %(source)s（%(reason)s）")
                        % {"source": detected.source, "reason": detected.reason})
    return detected, warnings


# --- conversion --------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _transformer(epsg: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(pyproj.CRS.from_epsg(epsg), pyproj.CRS.from_epsg(4490), always_xy=True)


def to_cgcs2000(geoms, source: str, *, swap_xy: bool = False) -> np.ndarray:
    """Geometries (a shapely array, or one geometry) from `source` to CGCS2000 lon/lat, vectorised.

    source: "cgcs2000"/"epsg:4490", "wgs84"/"epsg:4326" (stored unchanged, see module doc), "gcj02", or
    "epsg:NNNN" (any PROJ-known CRS, e.g. the GK zones 4491–4554). swap_xy first exchanges X and Y for
    files written in survey order (northing first).
    """
    source = normalise_source(source)
    arr = np.asarray(geoms, dtype=object)
    if source in ("cgcs2000", "wgs84") and not swap_xy:
        # Nothing to convert: only drop Z/M. Rebuilding every geometry (shapely.transform) costs seconds on a
        # county DLTB; geometries that are 2D already are returned as they are (they are immutable).
        missing = shapely.is_missing(arr)
        has_z = np.zeros(arr.shape, dtype=bool)
        has_z[~missing] = shapely.has_z(arr[~missing])
        if has_z.any():
            return shapely.force_2d(arr)
        return arr if arr.ndim else arr[()]  # one geometry in, one geometry out (as shapely's functions do)

    def convert(coords: np.ndarray) -> np.ndarray:
        x, y = (coords[:, 1], coords[:, 0]) if swap_xy else (coords[:, 0], coords[:, 1])
        if source in ("cgcs2000", "wgs84"):
            return np.column_stack([x, y])
        if source == "gcj02":
            return np.column_stack(gcj02_to_wgs84(x, y))
        lon, lat = _transformer(int(source.split(":")[1])).transform(x, y)
        return np.column_stack([lon, lat])

    return shapely.transform(shapely.force_2d(arr), convert)


def in_china(geoms) -> np.ndarray:
    """True where a geometry's bounding box lies inside lon 73–136, lat 3–54."""
    b = shapely.bounds(np.asarray(geoms, dtype=object)).reshape(-1, 4)
    return ((b[:, 0] >= CHINA_LON[0]) & (b[:, 2] <= CHINA_LON[1]) & (b[:, 1] >= CHINA_LAT[0])
            & (b[:, 3] <= CHINA_LAT[1]))
