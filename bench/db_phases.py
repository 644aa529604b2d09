"""The database phases of ``make bench``, one per process (so each has its own peak memory):

    python -m bench.db_phases import   OUT.json   # fresh DB: migrate, bench regions, import the three layers (c)
    python -m bench.db_phases overlay  OUT.json   # (a) 50 boundaries through analysis.services.overlay_boundaries
    python -m bench.db_phases classify OUT.json   # (b) 10 000 patches through analysis.services.classify_patches

The database is whatever DATABASE_URL / LANDGUARD_VAR_DIR say (bench/run.py gives each backend a fresh one).
Measurements on one core pin the process to CPU 0 with every numeric library at one thread; "both cores"
uses a pool of two processes pinned to CPU 0 and 1, each with its own database connection.
"""

from __future__ import annotations

import os
import sys

from bench.common import pin, single_threaded_env

single_threaded_env()

import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from bench.baselines import landguard_outcome, landguard_patches  # noqa: E402
from bench.common import Timer, peak_mb, percentiles_ms, phase_main, reset_peak, rss_mb, setup_django  # noqa: E402
from bench.generate import COUNTY_CODE, DATA_DIR, read_geometries  # noqa: E402

WARMUP = 1
PASSES = 3  # (a): passes over the 50 boundaries; (b): timed runs of the 10 000 patches (median reported)


# --- (c) import ------------------------------------------------------------------------------------------------


def _create_regions() -> dict:
    import shapely
    from django.contrib.gis.geos import GEOSGeometry

    from landguard.core.geodesy import ellipsoidal_area_m2
    from landguard.regions.models import Level, Region

    spec = json.loads((DATA_DIR / "regions.json").read_text())

    def geom(wkt):
        g = shapely.from_wkt(wkt)
        if g.geom_type == "Polygon":
            g = shapely.multipolygons([g])
        return GEOSGeometry(g.wkt, srid=4490), float(ellipsoidal_area_m2(g)[0])

    g, a = geom(spec["county"]["wkt"])
    county = Region.objects.create(code=spec["county"]["code"], name=spec["county"]["name"], level=Level.COUNTY,
                                   kind="县",
                                   geom=g, area_m2=a, boundary_source="bench (synthetic)", is_synthetic=True)
    towns = {}
    for t in spec["townships"]:
        g, a = geom(t["wkt"])
        towns[t["code"]] = Region(code=t["code"], name=t["name"], level=Level.TOWNSHIP, kind="镇", parent=county,
                                  geom=g,
                                  area_m2=a, boundary_source="bench (synthetic)", is_synthetic=True)
    Region.objects.bulk_create(towns.values())
    towns = {r.code: r for r in Region.objects.filter(level=Level.TOWNSHIP, code__startswith=COUNTY_CODE)}
    villages = []
    for v in spec["villages"]:
        g, a = geom(v["wkt"])
        villages.append(
            Region(code=v["code"], name=v["name"], level=Level.VILLAGE, kind="村", parent=towns[v["code"][:9]],
                               geom=g, area_m2=a, boundary_source="bench (synthetic)", is_synthetic=True))
    Region.objects.bulk_create(villages)
    return {"townships": len(towns), "villages": len(villages)}


# The import service's steps the bench times, by the label its report uses (the service's own module names:
# tests/bench/test_bench_wiring.py keeps this list true when the service is refactored).
TIMED_STEPS = {"_geometry_checks": "checks_geometry", "DltbLayer": "checks_dltb", "ControlLayer": "checks_overlaps",
               "ellipsoidal_area_m2": "area", "holding_regions": "region_codes", "place": "placement",
               "_properties": "properties_json", "insert_features": "write_features", "record": "audit"}


def _instrumented_import(path, *, kind, name, region) -> dict:
    """import_layer with timers around its steps (wrapping module functions from outside the service)."""
    from landguard import formats
    from landguard.layers import services

    timer = Timer()
    saved = {}
    saved["read_layer"] = formats.read_layer
    formats.read_layer = timer.wrap("read", formats.read_layer)
    for attr, label in TIMED_STEPS.items():
        saved[attr] = getattr(services, attr)
        setattr(services, attr, timer.wrap(label, saved[attr]))

    # the overlap flags are a cached property the service reads next: count them here
    def control_layer(*args, **kwargs):
        with timer("checks_overlaps"):
            made = saved["ControlLayer"](*args, **kwargs)
            made.overlapping  # noqa: B018
        return made
    services.ControlLayer = control_layer
    reset_peak()
    rss0 = rss_mb()
    backend0 = _backend_cpu_s()
    c0, t0 = time.process_time(), time.perf_counter()
    try:
        report = services.import_layer(path, kind=kind, name=name, region=region, year=2024,
                                       source="make bench (synthetic)")
    finally:
        total = time.perf_counter() - t0
        cpu = time.process_time() - c0
        formats.read_layer = saved.pop("read_layer")
        for attr, fn in saved.items():
            setattr(services, attr, fn)
    steps = {k: round(v, 2) for k, v in timer.totals.items()}
    steps["other_incl_commit"] = round(total - sum(timer.totals.values()), 2)
    checks = sum(timer.totals.get(k, 0.0) for k in ("checks_geometry", "checks_dltb", "checks_overlaps", "area"))
    return {"features": report.features, "total_s": round(total, 2), "cpu_s": round(cpu, 2),
            "db_backend_cpu_s": round(_backend_cpu_s() - backend0, 2),
            "read_s": round(timer.totals.get("read", 0.0), 2),
            "checks_s": round(checks, 2),
            "write_s": round(timer.totals.get("write_features", 0.0) + timer.totals.get("region_codes", 0.0)
                             + timer.totals.get("properties_json", 0.0), 2),
            "steps_s": steps, "rss_before_mb": rss0, "peak_mb": peak_mb(), "warnings": report.warnings[:3]}


def phase_import() -> dict:
    from django.core.management import call_command
    from django.db import connection

    from landguard.layers.models import LayerKind
    from landguard.regions.models import Region

    out = {"backend": connection.vendor, "cpus": pin({0})}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    out["migrate_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    out["regions"] = _create_regions()
    out["regions_s"] = round(time.perf_counter() - t0, 2)
    county = Region.objects.get(code=COUNTY_CODE, retired_in__isnull=True)
    layers = {}
    for kind, file, name in ((LayerKind.DLTB, "dltb.gpkg", "基准测试地类图斑"),
                             (LayerKind.BASIC_FARMLAND, "basic_farmland.gpkg", "基准测试永久基本农田"),
                             (LayerKind.APPROVED, "approved.gpkg", "基准测试已批用地")):
        layers[str(kind)] = _instrumented_import(DATA_DIR / file, kind=kind, name=name, region=county)
    out["layers"] = layers
    # Statistics for the planner, as autovacuum would gather after a bulk load (not part of the import time).
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out["analyze_s"] = round(time.perf_counter() - t0, 2)
    out["db_backend_cpu_s"] = _backend_cpu_s()
    out["database_mb"] = _database_mb()
    out["peak_mb"] = peak_mb()
    return out


def _database_mb() -> dict:
    """On-disk size of the features (with their indexes) and of the whole database after the imports."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('layers_feature'), pg_relation_size('layers_feature'), "
                           "pg_database_size(current_database())")
            total, heap, db = cursor.fetchone()
            return {"features_with_indexes": round(total / 2**20, 1), "features_heap": round(heap / 2**20, 1),
                    "database": round(db / 2**20, 1)}
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return {"database": round(pages * cursor.fetchone()[0] / 2**20, 1)}


# --- the services under test -------------------------------------------------------------------------------------


def _layers():
    """The current versions of the bench layers, as the analysis selectors give them to a page."""
    from landguard.analysis.selectors import overlay_versions
    from landguard.layers.models import LayerKind

    versions = {v.layer.kind: v for v in overlay_versions(_scope()).filter(layer__region_code=COUNTY_CODE)}
    return versions[LayerKind.DLTB], versions[LayerKind.BASIC_FARMLAND], versions[LayerKind.APPROVED]


def _scope():
    from landguard.core.scope import EVERYTHING
    return EVERYTHING


def _boundaries():
    geoms, attrs = read_geometries(DATA_DIR / "boundaries.gpkg")
    import shapely
    return shapely.get_geometry(geoms, 0)  # written as one-part MultiPolygons: the Polygon itself


def _patches():
    import shapely
    geoms, attrs = read_geometries(DATA_DIR / "patches.gpkg")
    return shapely.get_geometry(geoms, 0), attrs["JCBH"]


def _time_fetches() -> Timer:
    """Time the service's database reads (analysis.selectors.candidates) from outside: the rest is the engine."""
    from landguard.analysis import selectors

    timer = Timer()
    selectors.candidates = timer.wrap("fetch", selectors.candidates)
    return timer


# Pool workers (spawned: fresh interpreter, own DB connection, pinned to one CPU each).
_W: dict = {}


def _backend_cpu_s() -> float:
    """CPU time of this connection's PostgreSQL backend (0 on SQLite): ours, though another process spends it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        stat = open(f"/proc/{pid}/stat").read()
        rest = stat[stat.rindex(")") + 2:].split()
        return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _worker_init(core_queue) -> None:
    single_threaded_env()
    core = core_queue.get()
    pin({core})
    setup_django()
    _W["core"] = core
    _W["layers"] = _layers()
    _W["scope"] = _scope()


def _worker_overlay(boundary_wkb: bytes) -> tuple[float, float, int, float]:
    import shapely

    from landguard.analysis.services import overlay_boundaries

    dltb, basic, approved = _W["layers"]
    t0 = time.perf_counter()
    overlay_boundaries(scope=_W["scope"], boundaries=[shapely.from_wkb(boundary_wkb)], dltb=dltb,
                       controls=(basic, approved))
    t1 = time.perf_counter()
    return t0, t1, _W["core"], _backend_cpu_s()


def _worker_classify(patches_wkb: list[bytes]) -> tuple[float, float, int, float, float, float]:
    import shapely

    from landguard.analysis.services import classify_patches

    dltb, basic, approved = _W["layers"]
    geoms = shapely.from_wkb(np.array(patches_wkb, dtype=object))
    c0, t0 = time.process_time(), time.perf_counter()
    classify_patches(scope=_W["scope"], patches=geoms, dltb=dltb, basic_farmland=basic, approved=approved)
    t1 = time.perf_counter()
    return t0, t1, _W["core"], peak_mb(), time.process_time() - c0, _backend_cpu_s()


def _pool(n: int):
    ctx = mp.get_context("spawn")
    cores = ctx.Queue()
    for core in range(n):
        cores.put(core % os.cpu_count())
    return ctx.Pool(n, initializer=_worker_init, initargs=(cores,))


def _workers_backend_cpu(spans) -> float:
    """The backends' CPU of the pool workers: the last (cumulative) figure each worker reported."""
    last: dict[int, float] = {}
    for span in spans:
        last[span[2]] = max(last.get(span[2], 0.0), span[-1])
    return sum(last.values())


# --- (a) overlay ---------------------------------------------------------------------------------------------------


def _geod_check(boundaries, results, count: int = 5) -> list[dict]:
    """Official areas against pyproj's geodesic area on the CGCS2000 ellipsoid (GRS80 parameters)."""
    import shapely
    from pyproj import Geod

    from landguard.core.geodesy import A_AXIS, INV_F

    geod = Geod(a=A_AXIS, rf=INV_F)
    out = []
    for i in range(count):
        r = results[i]
        lon, lat = shapely.get_coordinates(shapely.get_exterior_ring(boundaries[i])).T
        ref, _perimeter = geod.polygon_area_perimeter(lon, lat)
        ref = abs(ref)
        parts = sum(c.gross_m2 for c in r.by_code.values()) + r.sliver_m2 + r.uncovered_m2
        # Geodesic area of the DLTB pieces themselves (unscaled, as clipped), against the engine's piece areas.
        piece_geod = 0.0
        for g in r.pieces.geometry:
            for p in shapely.get_parts(g):
                for ring_index in range(-1, shapely.get_num_interior_rings(p)):
                    ring = shapely.get_exterior_ring(p) if ring_index < 0 else shapely.get_interior_ring(p, ring_index)
                    x, y = shapely.get_coordinates(ring).T
                    a = abs(geod.polygon_area_perimeter(x, y)[0])
                    piece_geod += a if ring_index < 0 else -a
        out.append({"boundary": i, "official_m2": round(r.gross_m2, 4), "geod_m2": round(ref, 4),
                    "diff_m2": round(r.gross_m2 - ref, 4),
                    "classes_plus_sliver_minus_geod_m2": round(parts - ref, 4),
                    "pieces_engine_minus_geod_m2": round(float(np.sum(r.pieces.raw_m2)) - piece_geod, 4),
                    "ok": bool(abs(r.gross_m2 - ref) <= 0.01 and abs(parts - ref) <= 0.01)})
    return out


def phase_overlay() -> dict:
    import shapely

    from landguard.analysis.services import overlay_boundaries

    out = {"cpus": pin({0}), "rss_start_mb": rss_mb(), "passes": PASSES}
    dltb, basic, approved = _layers()
    scope = _scope()
    boundaries = _boundaries()
    fetch = _time_fetches()
    reset_peak()

    def run(i):
        return overlay_boundaries(scope=scope, boundaries=[boundaries[i]], dltb=dltb, controls=(basic, approved))[0]

    for _ in range(WARMUP):
        run(0)
    # PASSES passes over the 50 boundaries: percentiles over all of them, and each pass's p50 to show the spread
    # (the dev machine is shared, so a single pass can catch someone else's test run).
    times, cpu_times, fetch_times, pass_p50 = [], [], [], []
    backend0 = _backend_cpu_s()
    for _ in range(PASSES):
        this_pass, results = [], []
        for i in range(len(boundaries)):
            before = fetch.totals.get("fetch", 0.0)
            c0, t0 = time.process_time(), time.perf_counter()
            results.append(run(i))
            this_pass.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
            fetch_times.append(fetch.totals.get("fetch", 0.0) - before)
        times += this_pass
        pass_p50.append(percentiles_ms(this_pass)["p50_ms"])
    one = percentiles_ms(times)
    one["pass_p50_ms"] = pass_p50
    # CPU time of this process per boundary (and of its PostgreSQL backend, on average): what the wall time
    # would be on an idle machine. Other people's processes inflate wall time, hardly CPU time.
    one["cpu_p50_ms"] = percentiles_ms(cpu_times)["p50_ms"]
    one["cpu_p95_ms"] = percentiles_ms(cpu_times)["p95_ms"]
    one["db_backend_cpu_mean_ms"] = round((_backend_cpu_s() - backend0) * 1000 / len(times), 1)
    one["db_fetch_p50_ms"] = percentiles_ms(fetch_times)["p50_ms"]
    one["peak_mb"] = peak_mb()
    first = results[0]
    one["sample"] = {"gross_ha": round(first.gross_m2 / 1e4, 4), "pieces": len(first.pieces),
                     "farmland_net_ha": round(first.farmland_net_m2 / 1e4, 4),
                     "controls_ha": {k: round(c.inside_m2 / 1e4, 4) for k, c in first.controls.items()},
                     "verdicts": [str(v.verdict) for v in first.verdicts]}
    one["mean_pieces"] = round(float(np.mean([len(r.pieces) for r in results])), 1)
    # What every boundary gave, in the baselines' common form: bench/run.py compares them (and drops them).
    out["outputs"] = [landguard_outcome(r) for r in results]
    out["one_core"] = one
    out["geod_check"] = _geod_check(boundaries, results)

    # All 50 in one call (a batch, e.g. a 批次 of boundaries): cost per boundary.
    t0 = time.perf_counter()
    overlay_boundaries(scope=scope, boundaries=list(boundaries), dltb=dltb, controls=(basic, approved))
    out["batch_50_one_call_ms_per_boundary"] = round((time.perf_counter() - t0) * 1000 / len(boundaries), 1)
    out["db_backend_cpu_s"] = _backend_cpu_s()

    # Both cores: two boundaries in flight at a time (two web workers), each on its own core.
    wkb = [shapely.to_wkb(b) for b in boundaries]
    with _pool(2) as pool:
        pool.map(_worker_overlay, wkb[:4], chunksize=1)  # warm-up: each worker connects and runs a boundary
        spans, walls = [], []
        for _ in range(PASSES):
            t0 = time.perf_counter()
            spans += pool.map(_worker_overlay, wkb, chunksize=1)
            walls.append(time.perf_counter() - t0)
    lat = [s[1] - s[0] for s in spans]
    two = percentiles_ms(lat)
    wall = float(np.median(walls))
    two.update({"wall_s_per_pass": [round(w, 3) for w in walls], "throughput_per_s": round(len(wkb) / wall, 1),
                "wall_ms_per_boundary": round(wall * 1000 / len(wkb), 1),
                "per_core": {int(c): int(sum(1 for s in spans if s[2] == c)) for c in {s[2] for s in spans}}})
    out["two_cores_concurrent"] = two
    out["db_backend_cpu_s"] += _workers_backend_cpu(spans)
    out["peak_mb"] = peak_mb()
    return out


# --- (b) classify --------------------------------------------------------------------------------------------------


def _summary(result) -> dict:
    """Totals of a PatchClassification (ha) and the verdict counts, to compare backends and the baseline."""
    out = {"patches": len(result)}
    for key in ("area_m2", "dltb_m2", "farmland_gross_m2", "farmland_net_m2", "basic_farmland_m2", "approved_m2",
                "unapproved_m2"):
        value = getattr(result, key)
        if value is not None:
            out[key.replace("_m2", "_ha")] = round(float(np.sum(value)) / 1e4, 4)
    for key in ("occupies_farmland", "occupies_basic_farmland", "not_covered_by_approval"):
        value = getattr(result, key)
        if value is not None:
            out[key] = int(np.sum(value))
    return out


def phase_classify() -> dict:
    import shapely

    from landguard.analysis.services import classify_patches

    out = {"cpus": pin({0}), "rss_start_mb": rss_mb(), "repeats": PASSES}
    dltb, basic, approved = _layers()
    scope = _scope()
    patches, _ids = _patches()
    fetch = _time_fetches()
    reset_peak()
    base = rss_mb()

    def run(geoms):
        return classify_patches(scope=scope, patches=geoms, dltb=dltb, basic_farmland=basic, approved=approved)

    for _ in range(WARMUP):
        run(patches)
    runs, cpus, fetches = [], [], []
    backend0 = _backend_cpu_s()
    for _ in range(PASSES):
        before = fetch.totals.get("fetch", 0.0)
        c0, t0 = time.process_time(), time.perf_counter()
        result = run(patches)
        runs.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        fetches.append(fetch.totals.get("fetch", 0.0) - before)
    out["one_core"] = {"patches": len(patches), "seconds": round(float(np.median(runs)), 3),
                       "runs_s": [round(r, 3) for r in runs], "cpu_s": round(float(np.median(cpus)), 3),
                       "db_backend_cpu_s": round((_backend_cpu_s() - backend0) / len(runs), 2),
                       "db_fetch_s": round(float(np.median(fetches)), 3),
                       "peak_mb": peak_mb(), "rss_before_mb": base, "summary": _summary(result)}
    out["outputs"] = {k: np.round(v, 4).tolist() for k, v in landguard_patches(result).items()}
    out["db_backend_cpu_s"] = _backend_cpu_s()

    # Both cores: two processes, each classifying the patches of one half of the county (split at the median
    # longitude, so each process fetches only its half of the parcels).
    x = shapely.get_coordinates(shapely.centroid(patches))[:, 0]
    west = x <= np.median(x)
    halves = [[shapely.to_wkb(g) for g in patches[west]], [shapely.to_wkb(g) for g in patches[~west]]]
    walls, spans = [], []
    with _pool(2) as pool:
        pool.map(_worker_classify, halves, chunksize=1)  # warm-up
        for _ in range(PASSES):
            t0 = time.perf_counter()
            spans.append(pool.map(_worker_classify, halves, chunksize=1))
            walls.append(time.perf_counter() - t0)
    last = spans[int(np.argsort(walls)[len(walls) // 2])]
    out["two_cores"] = {"seconds": round(float(np.median(walls)), 3), "runs_s": [round(w, 3) for w in walls],
                        "per_process_s": [round(s[1] - s[0], 3) for s in last],
                        "per_process_cpu_s": [round(s[4], 3) for s in last], "cores": [s[2] for s in last],
                        "worker_peak_mb": [s[3] for s in last],
                        "peak_mb_total": round(sum(s[3] for s in last) + peak_mb(), 1)}
    out["db_backend_cpu_s"] += _workers_backend_cpu([s for run_spans in spans for s in run_spans])
    out["peak_mb"] = peak_mb()
    return out


PHASES = {"import": phase_import, "overlay": phase_overlay, "classify": phase_classify}


def main(argv: list[str]) -> int:
    return phase_main(PHASES, argv, finish=_peak)


def _peak(result: dict) -> None:
    result["process_peak_mb"] = peak_mb()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
