"""Synthetic counties for the province batch's tests and `make bench` (issue 16 item 5): square counties side by
side under a synthetic city, far from the demo's real outlines, each with a synthetic 地类图斑, 永久基本农田 and
已批用地 imported through the real import service, and a year's 卫片 patches (small squares) stored directly —
what is measured and tested is their classification, not the batch import (which opens a clue per patch).
All of it is synthetic and named so.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import cast

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.utils import timezone

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.demo.layers import _write_gpkg
from landguard.engine.synthetic import clip_dltb, synthetic_controls, synthetic_dltb
from landguard.layers.models import LayerKind
from landguard.layers.services import import_layer
from landguard.regions.models import Level, Region
from landguard.supervision.models import Patch, PatchBatch

CITY_CODE = "3797"  # no such city: nothing real lies under it (and not the bench county 379901 nor 3798)
SIDE_DEGREES = 0.12  # a county ~13 km across
ORIGIN = (120.0, 30.0)  # away from the demo's outlines (聊城), so no real township claims a synthetic feature
SOURCE = "合成分县数据（非官方调查成果）"


def _multi(geom: shapely.Geometry) -> MultiPolygon:
    if shapely.get_type_id(geom) == 3:
        geom = shapely.multipolygons([geom])
    return cast(MultiPolygon, GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490))  # a MultiPolygon by its WKB


def _city() -> Region:
    city = Region.objects.filter(code=CITY_CODE, retired_in__isnull=True).first()
    if city is None:
        province = Region.objects.filter(code=CITY_CODE[:2], retired_in__isnull=True).first()
        city = Region.objects.create(code=CITY_CODE, name="合成市", level=Level.CITY, kind="地级市", parent=province,
                                     boundary_source=SOURCE, is_synthetic=True)
    return city


def load_synthetic_counties(*, count: int, parcels: int, patches: int, year: int, seed: int = 16,
                            actor=None) -> list[Region]:
    """`count` counties 379701, 379702 … with `parcels` DLTB parcels and `patches` 卫片 patches of `year` each.
    Counties already loaded are returned as they are."""
    city = _city()
    made = []
    with tempfile.TemporaryDirectory(prefix="landguard-counties-") as tmp:
        for k in range(count):
            code = f"{CITY_CODE}{k + 1:02d}"
            county = Region.objects.filter(code=code, retired_in__isnull=True).first()
            if county is not None:
                made.append(county)
                continue
            x0, y0 = ORIGIN[0] + k * SIDE_DEGREES, ORIGIN[1]
            outline = shapely.box(x0, y0, x0 + SIDE_DEGREES, y0 + SIDE_DEGREES)
            county = Region.objects.create(code=code, name=f"合成{k + 1}县", level=Level.COUNTY, kind="县", parent=city,
                                           geom=_multi(outline), area_m2=float(ellipsoidal_area_m2([outline])[0]),
                                           boundary_source=SOURCE, is_synthetic=True)
            _layers(county, outline, parcels, seed + k, Path(tmp), year, actor)
            _patches(county, outline, patches, seed + k, year)
            made.append(county)
    return made


def _layers(county: Region, outline: shapely.Geometry, n: int, seed: int, tmp: Path, year: int, actor) -> None:
    dltb = clip_dltb(synthetic_dltb(n, seed=seed, bbox=tuple(shapely.bounds(outline))), outline)
    attrs = {"DLBM": dltb.dlbm.astype(str), **{k: np.asarray(v) for k, v in dltb.attributes.items()}}
    attrs["BSM"] = np.array([f"{county.code}{i:010d}" for i in range(1, len(dltb.geometry) + 1)])
    path = tmp / f"{county.code}-dltb.gpkg"
    _write_gpkg(path, dltb.geometry, attrs)
    import_layer(path, kind=LayerKind.DLTB, name=f"{county.name}地类图斑（合成）", region=county, year=year - 1,
                 source=SOURCE, actor=actor)
    controls = synthetic_controls(dltb, seed=seed)
    for kind in (LayerKind.BASIC_FARMLAND, LayerKind.APPROVED):
        geoms = shapely.intersection(controls[kind.value].geometry, outline)
        geoms = geoms[~shapely.is_empty(geoms) & (shapely.get_type_id(geoms) != 7) & (shapely.area(geoms) > 0)]
        path = tmp / f"{county.code}-{kind}.gpkg"
        _write_gpkg(path, geoms, {"BSM": np.array([f"{kind[:2].upper()}{i:05d}" for i in range(1, len(geoms) + 1)])})
        import_layer(path, kind=kind, name=f"{county.name}{kind.label}（合成）", region=county, year=year - 1,
                     source=SOURCE, actor=actor)


def _patches(county: Region, outline: shapely.Geometry, n: int, seed: int, year: int) -> None:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = shapely.bounds(outline)
    half = rng.uniform(0.0002, 0.0008, n)
    x = rng.uniform(minx + 0.001, maxx - 0.001, n)
    y = rng.uniform(miny + 0.001, maxy - 0.001, n)
    squares = shapely.box(x - half, y - half, x + half, y + half)
    areas = ellipsoidal_area_m2(squares)
    with transaction.atomic():
        batch = PatchBatch.objects.create(name=f"{year}年卫片图斑（合成）", month=dt.date(year, 4, 1), region=county,
                                          region_code=county.code, patch_count=n, imported_at=timezone.now(),
                                          is_synthetic=True)
        Patch.objects.bulk_create([
            Patch(batch=batch, jcbh=f"{county.code}{year}{i:05d}", area_m2=float(areas[i]), geom=_multi(squares[i]),
                  region_code=county.code, township_code=county.code, year=year, is_synthetic=True)
            for i in range(n)], batch_size=2000)
