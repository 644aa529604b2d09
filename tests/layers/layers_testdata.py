"""Shared helpers for the layer reader tests (imported by name, like tests/regions/regions_testdata.py)."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pyproj
import shapely
from django.conf import settings

REFDATA = Path(settings.REFDATA_DIR)  # carried in the repository (data/refdata)

# A parcel in 3° zone 39 (CM 117°E), EPSG:4527, near 36.5°N: the domain.md §2 test-vector neighbourhood.
E0, N0 = 39_520_000.0, 4_040_000.0
GEOD = pyproj.Geod(ellps="GRS80")


def gk_to_lonlat(coords, epsg: int = 4527) -> list[tuple[float, float]]:
    x, y = pyproj.Transformer.from_crs(epsg, 4490, always_xy=True).transform(*np.asarray(coords, dtype=float).T)
    return list(zip(np.atleast_1d(x).tolist(), np.atleast_1d(y).tolist(), strict=True))


def lonlat_to_gk(coords, epsg: int = 4527) -> list[tuple[float, float]]:
    x, y = pyproj.Transformer.from_crs(4490, epsg, always_xy=True).transform(*np.asarray(coords, dtype=float).T)
    return list(zip(np.atleast_1d(x).tolist(), np.atleast_1d(y).tolist(), strict=True))


def gk_rect(e: float, n: float, width: float, height: float) -> list[tuple[float, float]]:
    return [(e, n), (e + width, n), (e + width, n + height), (e, n + height)]


def parcel_with_hole_gk() -> shapely.Polygon:
    """200 m × 150 m with a 30 m × 30 m hole, in EPSG:4527 metres: 30 000 − 900 = 29 100 m² (planar)."""
    return shapely.Polygon(gk_rect(E0, N0, 200, 150), [gk_rect(E0 + 50, N0 + 50, 30, 30)])


def to_lonlat(geom, epsg: int = 4527):
    transformer = pyproj.Transformer.from_crs(epsg, 4490, always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1])))


def to_gk(geom, epsg: int = 4527):
    transformer = pyproj.Transformer.from_crs(4490, epsg, always_xy=True)
    return shapely.transform(geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1])))


def write_shp(path: Path, geoms, props: dict, crs_text: str | None = None, encoding: str = "UTF-8",
              geometry_type: str = "Polygon") -> Path:
    """A real shapefile through GDAL (pyogrio.raw: geopandas is not a dependency)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": deliberate for the no-.prj cases
        pyogrio.raw.write(str(path), shapely.to_wkb(np.asarray(geoms, dtype=object)),
                          [np.asarray(v, dtype=object) for v in props.values()], list(props), driver="ESRI Shapefile",
                          geometry_type=geometry_type, crs=crs_text, encoding=encoding)
    return Path(path)


def zip_files(archive: Path, files, *, prefix: str = "", compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(archive, "w", compression) as zf:
        for f in files:
            zf.write(f, prefix + Path(f).name)
    return archive


def max_vertex_distance_m(a, b) -> float:
    """Largest distance (metres) from a vertex of `a` to the nearest vertex of `b` (both lon/lat)."""
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    worst = 0.0
    for lon, lat in ca:
        _az, _baz, dist = GEOD.inv(np.full(len(cb), lon), np.full(len(cb), lat), cb[:, 0], cb[:, 1])
        worst = max(worst, float(np.min(dist)))
    return worst
