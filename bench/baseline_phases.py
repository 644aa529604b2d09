"""The baselines of `make bench` (bench/baselines.py), one per process so each has its own peak memory:

    python -m bench.baseline_phases geopandas   OUT.json   # the competent GeoPandas analyst
    python -m bench.baseline_phases shapely     OUT.json   # vectorised shapely 2 from memory
    python -m bench.baseline_phases postgis_sql OUT.json   # plain PostGIS SQL (DATABASE_URL: the bench database)

Like bench/db_phases.py: pinned to CPU 0, numeric libraries at one thread, WARMUP then PASSES passes over
the 50 boundaries (p50/p95 of wall and CPU time), then the 10 000 patches (median of PASSES runs; not for
PostGIS SQL). The in-memory set-up (reading the files, building the indexes) is reported, not timed into
the figures: LandGuard's corresponding cost is the import. Every output goes into the JSON (`outputs`),
for bench/run.py to compare with LandGuard's.
"""

from __future__ import annotations

import sys

from bench.common import pin, single_threaded_env

single_threaded_env()

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from bench.common import peak_mb, percentiles_ms, phase_main, reset_peak, rss_mb  # noqa: E402
from bench.db_phases import PASSES, WARMUP, _backend_cpu_s, _boundaries, _layers, _patches  # noqa: E402
from bench.generate import DATA_DIR  # noqa: E402


def time_overlay(overlay, boundaries, *, backend_cpu=lambda: 0.0) -> dict:
    """WARMUP + PASSES passes of `overlay(boundary)` over the boundaries: figures and the last pass's outputs."""
    reset_peak()
    for _ in range(WARMUP):
        overlay(boundaries[0])
    times, cpus, pass_p50, outputs = [], [], [], []
    backend0 = backend_cpu()
    for _ in range(PASSES):
        this_pass, outputs = [], []
        for g in boundaries:
            c0, t0 = time.process_time(), time.perf_counter()
            outputs.append(overlay(g))
            this_pass.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        times += this_pass
        pass_p50.append(percentiles_ms(this_pass)["p50_ms"])
    one = percentiles_ms(times)
    one.update({"pass_p50_ms": pass_p50, "cpu_p50_ms": percentiles_ms(cpus)["p50_ms"],
                "cpu_p95_ms": percentiles_ms(cpus)["p95_ms"],
                "db_backend_cpu_mean_ms": round((backend_cpu() - backend0) * 1000 / len(times), 1),
                "peak_mb": peak_mb()})
    return {"one_core": one, "outputs": outputs}


def time_classify(classify, patches) -> dict:
    reset_peak()
    for _ in range(WARMUP):
        classify(patches)
    runs, cpus = [], []
    for _ in range(PASSES):
        c0, t0 = time.process_time(), time.perf_counter()
        result = classify(patches)
        runs.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"one_core": {"patches": len(patches), "seconds": round(float(np.median(runs)), 3),
                         "runs_s": [round(r, 3) for r in runs], "cpu_s": round(float(np.median(cpus)), 3),
                         "peak_mb": peak_mb()},
            "outputs": {k: np.round(v, 4).tolist() for k, v in result.items()}}


def _in_memory(factory) -> dict:
    from bench.baselines import Data

    warnings.filterwarnings("ignore")
    out = {"cpus": pin({0})}
    t0 = time.perf_counter()
    data = Data.from_gpkg(DATA_DIR)
    out["read_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    baseline = factory(data)
    out["index_s"] = round(time.perf_counter() - t0, 2)
    out["rss_after_load_mb"] = rss_mb()
    out["overlay"] = time_overlay(baseline.overlay, _boundaries())
    out["classify"] = time_classify(baseline.classify, _patches()[0])
    return out


def phase_geopandas() -> dict:
    import geopandas
    import pandas

    from bench.baselines import GeopandasAnalyst

    return {"geopandas": geopandas.__version__, "pandas": pandas.__version__, **_in_memory(GeopandasAnalyst)}


def phase_shapely() -> dict:
    import shapely

    from bench.baselines import VectorisedShapely

    return {"shapely": shapely.__version__, **_in_memory(VectorisedShapely)}


def phase_postgis_sql() -> dict:
    from django.db import connection

    from bench.baselines import PostgisSql

    out = {"cpus": pin({0})}
    dltb, basic, approved = _layers()
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")  # as LandGuard's reads: no parallel plans
        baseline = PostgisSql(cursor, dltb=dltb.pk, basic=basic.pk, approved=approved.pk)
        out["overlay"] = time_overlay(baseline.overlay, _boundaries(), backend_cpu=_backend_cpu_s)
    return out


def phase_paired() -> dict:
    """LandGuard (on the database of DATABASE_URL) and the two in-memory baselines in ONE process, boundary by
    boundary in rotating order (A B C, B C A, …): each boundary's ratios come from timings taken within
    milliseconds of each other, so they hold on a shared machine whose speed drifts between phases (the
    separate phases above can each catch a different load). Reported: the median of the per-boundary ratios,
    of wall time and of CPU time (LandGuard's including its PostgreSQL backend's)."""
    import shapely

    from bench.baselines import Data, GeopandasAnalyst, VectorisedShapely
    from landguard.analysis.services import overlay_boundaries
    from landguard.core.scope import EVERYTHING

    warnings.filterwarnings("ignore")
    out = {"cpus": pin({0})}
    data = Data.from_gpkg(DATA_DIR)
    dltb, basic, approved = _layers()
    shp, gpd = VectorisedShapely(data), GeopandasAnalyst(data)
    boundaries = _boundaries()

    def landguard(g: shapely.Geometry) -> None:
        overlay_boundaries(scope=EVERYTHING, boundaries=[g], dltb=dltb, controls=(basic, approved))

    runners = {"landguard": landguard, "shapely": shp.overlay, "geopandas": gpd.overlay}
    for run in runners.values():
        run(boundaries[0])  # warm-up
    names = list(runners)
    wall: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    for rep in range(PASSES):
        for i, g in enumerate(boundaries):
            shift = (i + rep) % len(names)
            for name in names[shift:] + names[:shift]:
                b0 = _backend_cpu_s() if name == "landguard" else 0.0
                c0, t0 = time.process_time(), time.perf_counter()
                runners[name](g)
                wall[name].append(time.perf_counter() - t0)
                cpu[name].append(time.process_time() - c0 + (_backend_cpu_s() - b0 if name == "landguard" else 0.0))
    lg_wall, lg_cpu = np.asarray(wall["landguard"]), np.asarray(cpu["landguard"])
    out["n"] = len(lg_wall)
    out["p50_ms"] = {k: round(float(np.median(v)) * 1000, 1) for k, v in wall.items()}
    out["cpu_p50_ms"] = {k: round(float(np.median(v)) * 1000, 1) for k, v in cpu.items()}
    out["ratio_median"] = {k: {"wall": round(float(np.median(lg_wall / np.asarray(wall[k]))), 2),
                               "cpu": round(float(np.median(lg_cpu / np.asarray(cpu[k]))), 2)}
                           for k in names if k != "landguard"}
    out["peak_mb"] = peak_mb()
    return out


PHASES = {"geopandas": phase_geopandas, "shapely": phase_shapely, "postgis_sql": phase_postgis_sql,
          "paired": phase_paired}


def _peak(result: dict) -> None:
    result["process_peak_mb"] = peak_mb()


if __name__ == "__main__":
    sys.exit(phase_main(PHASES, sys.argv[1:], finish=_peak))
