"""County partitions of the feature table, partitioned vs one plain table (issue 16 item 4a), in its own process:

    python -m bench.partitions_phase OUT.json

PostGIS only, on a fresh database of its own (DATABASE_URL; bench/run.py creates it for this phase): migrate (the
feature table partitioned by county, layers.partitions), then COUNTIES synthetic counties of PARCELS parcels each
(landguard.engine.synthetic, as bench/generate.py makes the bench county, side by side under region codes of their
own, 379801 …), each one's 地类图斑 imported through the real service (its partition made on the way). Then, per
county, the reads a county's users make: the overlay of BOUNDARIES ~300 ha boundaries (bench.generate's
make_boundaries in the county's frame) through analysis.services.overlay_boundaries, and the z14 tile holding each
boundary's centre and the z12 tile of the county's centre through layers.tiles.tile (uncached). Then the same
database is turned into one plain table (layers.partitions.unpartition_table: same rows, ids, indexes and
statistics) and the same reads are timed again. Reported: p50/p95 per county and over all counties, both ways,
and which partitions the overlay's plan reads.

Sizes are fixed so the phase takes a few minutes: 4 counties × 100 000 parcels (400 000 rows). What partitioning
saves grows with the number of counties in the table (a province: ~100 counties, ~15 million rows); at four it
shows the floor — the cost per county read does not grow with the others' rows — more than a speed-up.
"""

from __future__ import annotations

import sys

from bench.common import single_threaded_env

single_threaded_env()

import math  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from bench.common import percentiles_ms, phase_main, pin  # noqa: E402

COUNTIES = 4
PARCELS = 100_000  # per county
CITY = "3798"  # no such city (37 98 is unassigned), and not the Dask phase's 3797
# A county ~30 km × 33 km (~1 000 km², ~1 ha per parcel as on the North China Plain), side by side eastward.
ORIGIN = (115.105, 36.235)
SIDE = (0.34, 0.30)
BOUNDARIES = 20  # per county, ~300 ha each
ROUNDS = 3  # timed passes over each county's boundaries and tiles (one untimed pass first)
SEED = 20261207


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def _load(tmp: Path) -> dict:
    import shapely
    from django.contrib.gis.geos import GEOSGeometry
    from django.core.management import call_command

    from bench.generate import Frame, make_boundaries, write_gpkg
    from landguard.core.geodesy import ellipsoidal_area_m2
    from landguard.engine.synthetic import synthetic_dltb
    from landguard.layers.models import LayerKind
    from landguard.layers.services import import_layer
    from landguard.regions.models import Level, Region

    call_command("migrate", verbosity=0)
    city = Region.objects.create(code=CITY, name="合成分区市", level=Level.CITY, kind="地级市",
                                 boundary_source="bench (synthetic)", is_synthetic=True)
    counties, timings = [], {"generate_s": 0.0, "import_s": []}
    rng = np.random.default_rng(SEED)
    for k in range(COUNTIES):
        code = f"{CITY}{k + 1:02d}"
        bbox = (ORIGIN[0] + k * SIDE[0], ORIGIN[1], ORIGIN[0] + (k + 1) * SIDE[0], ORIGIN[1] + SIDE[1])
        outline = shapely.box(*bbox)
        county = Region.objects.create(code=code, name=f"合成分区{k + 1}县", level=Level.COUNTY, kind="县", parent=city,
                                       geom=GEOSGeometry(shapely.multipolygons([outline]).wkt, srid=4490),
                                       area_m2=float(ellipsoidal_area_m2([outline])[0]),
                                       boundary_source="bench (synthetic)", is_synthetic=True)
        t0 = time.perf_counter()
        dltb = synthetic_dltb(PARCELS, seed=SEED + k, bbox=bbox)
        attrs = {"DLBM": dltb.dlbm.astype(str), **{key: np.asarray(v) for key, v in dltb.attributes.items()}}
        attrs["BSM"] = np.array([f"{code}{i:010d}" for i in range(1, len(dltb.geometry) + 1)])
        path = tmp / f"{code}-dltb.gpkg"
        write_gpkg(path, dltb.geometry, attrs)
        timings["generate_s"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        report = import_layer(path, kind=LayerKind.DLTB, name=f"{county.name}地类图斑（合成）", region=county,
                              year=2024, source="bench (synthetic)")
        timings["import_s"].append(round(time.perf_counter() - t0, 1))
        boundaries = make_boundaries(Frame(bbox), rng)[:BOUNDARIES]
        counties.append({"code": code, "version": report.version.pk, "bbox": bbox, "boundaries": boundaries})
    timings["generate_s"] = round(timings["generate_s"], 1)
    return {"counties": counties, "timings": timings}


def _reads(counties: list[dict]) -> dict:
    """Per county and over all: the overlay of each boundary and the tiles, p50/p95 over ROUNDS passes."""
    import shapely

    from landguard.analysis import selectors as analysis_selectors
    from landguard.analysis.services import overlay_boundaries
    from landguard.core.scope import EVERYTHING
    from landguard.layers import tiles
    from landguard.layers.models import LayerVersion

    out: dict = {"per_county": {}}
    all_overlay, all_tiles = [], []
    for c in counties:
        version = LayerVersion.objects.select_related("layer").get(pk=c["version"])
        centres = shapely.centroid(c["boundaries"])
        wanted = [(14, *_tile_of(p.x, p.y, 14)) for p in centres]
        cx, cy = (c["bbox"][0] + c["bbox"][2]) / 2, (c["bbox"][1] + c["bbox"][3]) / 2
        wanted.append((12, *_tile_of(cx, cy, 12)))
        analysis_selectors._ONE_BOX_SQL.clear()  # compiled per database state: no statement from before the change

        overlay_s, tile_s = [], []
        for r in range(ROUNDS + 1):
            for b in c["boundaries"]:
                t0 = time.perf_counter()
                overlay_boundaries(scope=EVERYTHING, boundaries=[b], dltb=version)
                if r:
                    overlay_s.append(time.perf_counter() - t0)
            for z, x, y in wanted:
                t0 = time.perf_counter()
                tiles.tile(EVERYTHING, version, z, x, y)
                if r:
                    tile_s.append(time.perf_counter() - t0)
        all_overlay += overlay_s
        all_tiles += tile_s
        out["per_county"][c["code"]] = {"overlay": percentiles_ms(overlay_s), "tile": percentiles_ms(tile_s)}
    out["overlay"] = percentiles_ms(all_overlay)
    out["tile"] = percentiles_ms(all_tiles)
    return out


def _overlay_plan(county: dict) -> list[str]:
    """The partitions (or the table) the overlay's statement reads for one boundary of the county."""
    import re

    import shapely
    from django.db import connection

    from landguard.analysis import selectors as analysis_selectors
    from landguard.core.scope import EVERYTHING
    from landguard.layers.models import LayerVersion

    version = LayerVersion.objects.select_related("layer").get(pk=county["version"])
    sql, params = analysis_selectors._one_box_sql(connection.alias, EVERYTHING, [version])
    box = shapely.bounds(county["boundaries"][0]).tolist()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, [*params, *box])
        plan = "\n".join(r[0] for r in cursor.fetchall())
    return sorted(set(re.findall(r" on (layers_feature(?:_c\d{6}|_default)?)\b", plan)))


def phase() -> dict:
    from django.db import connection

    from landguard.layers import partitions

    if connection.vendor != "postgresql":
        return {"skipped": "PostGIS only"}
    out: dict = {"cpus": pin({0}), "counties": COUNTIES, "parcels_per_county": PARCELS,
                 "boundaries_per_county": BOUNDARIES, "rounds": ROUNDS,
                 "tiles_per_county": BOUNDARIES + 1, "reads": "overlay of one ~300 ha boundary against the county's "
                 "DLTB (analysis.services.overlay_boundaries); tiles z14 at each boundary's centre and z12 at the "
                 "county's centre (layers.tiles.tile, uncached)"}
    with tempfile.TemporaryDirectory(prefix="landguard-partitions-") as tmp:
        loaded = _load(Path(tmp))
    counties = loaded["counties"]
    out["load"] = loaded["timings"]
    out["partitions"] = sorted(partitions.county_partitions())
    out["partitioned_plan_reads"] = _overlay_plan(counties[0])
    out["partitioned"] = _reads(counties)
    t0 = time.perf_counter()
    partitions.unpartition_table(connection)
    out["unpartition_s"] = round(time.perf_counter() - t0, 1)
    out["unpartitioned_plan_reads"] = _overlay_plan(counties[0])
    out["unpartitioned"] = _reads(counties)
    out["ratio_p50"] = {
        kind: round(out["partitioned"][kind]["p50_ms"] / out["unpartitioned"][kind]["p50_ms"], 2)
        for kind in ("overlay", "tile") if out["unpartitioned"][kind]["p50_ms"]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM layers_feature")
        out["rows"] = cursor.fetchone()[0]
    return out


if __name__ == "__main__":
    sys.exit(phase_main({"phase": phase}, ["phase", *sys.argv[1:]]))
