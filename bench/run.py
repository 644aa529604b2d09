"""`make bench` (issues 3 item 7, 16 item 1): generate the synthetic county, run the baselines of
bench/baselines.py (a competent GeoPandas analyst and vectorised shapely, from memory), then (c) import,
(a) overlay and (b) change-patch classification on SpatiaLite and on PostGIS, plus plain PostGIS SQL on the
PostGIS database; each phase in its own process, each backend on a fresh database. Every baseline's outputs
are compared with LandGuard's (bench.baselines.compare_*) and LandGuard's ratio to each is reported. Prints
the JSON and writes it to var/bench/latest.json.

    .venv/bin/python -m bench.run [--postgis-url postgis://user@host:port/db] [--skip-postgis] [--keep-db]
                                  [--core-only]

--postgis-url names a server (scripts/postgis.sh gives one). Each run creates databases of its own there,
named landguard_bench_<UTC time>_<pid> (and …_alarms), never touching another run's, and drops them at the
end; the SpatiaLite files live under var/bench/runs/<the same id>/. Everything else (sizes, seed, targets)
is fixed in bench/generate.py and below.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.common import ROOT

OUT_DIR = ROOT / "var" / "bench"
PY = sys.executable
RUN_ID = f"{dt.datetime.now(dt.timezone.utc):%Y%m%d%H%M%S}_{os.getpid()}"
BENCH_DB = f"landguard_bench_{RUN_ID}"  # this run's own database: unique, created fresh, dropped at the end
UPLOAD_MAX_MB = "1000"  # the 500 000-parcel GeoPackage is 166 MB; the default upload limit is 200 MB

TARGETS = {
    "a_p50_ms": 20.0, "a_p95_ms": 40.0, "a_stretch_two_cores_ms": 10.0,
    "b_one_core_s": 3.0, "b_two_cores_s": 1.5, "b_peak_mb": 1536.0,
    # Issue 16: same-run ratios to the baselines, and the import.
    "a_ratio_to_geopandas_clip": 0.6, "a_ratio_to_shapely_vectorised": 1.2, "b_ratio_to_geopandas_clip": 1.0,
    "c_import_s": 15.0,
}
BASELINES = ("geopandas", "shapely")  # in memory, once per run; postgis_sql runs on the PostGIS database


# --- machine --------------------------------------------------------------------------------------------------


def _cmd(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    lscpu = {}
    for line in _cmd(["lscpu"]).splitlines():
        key, _sep, value = line.partition(":")
        lscpu[key.strip()] = value.strip()
    mem_kb = next(
        (int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal")), 0)
    os_name = next((line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines()
                    if line.startswith("PRETTY_NAME=")), platform.platform())
    return {"nproc": int(_cmd(["nproc"]) or os.cpu_count() or 0), "cpu_model": lscpu.get("Model name", ""),
            "hypervisor": lscpu.get("Hypervisor vendor", ""), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "os": os_name,
            "kernel": platform.release(), "python": platform.python_version(),
            "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}}


def library_versions() -> dict:
    code = ("import json, pyproj, pyogrio, shapely, numpy, sqlite3, django;"
            "print(json.dumps({'django': django.get_version(), 'shapely': shapely.__version__, 'geos': "
            "shapely.geos_version_string,"
            "'numpy': numpy.__version__, 'pyproj': pyproj.__version__, 'pyogrio': pyogrio.__version__, 'sqlite': "
            "sqlite3.sqlite_version}))")
    try:
        return json.loads(_cmd([PY, "-c", code]))
    except ValueError:
        return {}


# --- CPU contention gauge ---------------------------------------------------------------------------------------


def _cpu_jiffies() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]), idle


def _postgres_cpu_s() -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        if name.startswith("postgres"):
            rest = stat[stat.rindex(")") + 2:].split()
            total += int(rest[11]) + int(rest[12])
    return total / tick


class Gauge:
    """Busy CPU time on the machine during a phase, split into ours (the phase's processes and, added by
    run_phase, their PostgreSQL backends), the long-lived PostgreSQL server processes, and the rest: other
    people's work on a shared machine, which slows the phase (an estimate: it also holds PostgreSQL's
    short-lived parallel-query workers). Reported so that a noisy run can be told from a slow one."""

    def __enter__(self):
        self.wall = time.perf_counter()
        self.total, self.idle = _cpu_jiffies()
        self.pg = _postgres_cpu_s()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.own = ru.ru_utime + ru.ru_stime
        return self

    def __exit__(self, *exc):
        tick = os.sysconf("SC_CLK_TCK")
        total, idle = _cpu_jiffies()
        busy = ((total - self.total) - (idle - self.idle)) / tick
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = ru.ru_utime + ru.ru_stime - self.own
        pg = _postgres_cpu_s() - self.pg
        wall = time.perf_counter() - self.wall
        self.result = {"wall_s": round(wall, 1), "busy_cpu_s": round(busy, 1), "own_cpu_s": round(own, 1),
                       "postgres_cpu_s": round(pg, 1), "others_cpu_s": round(max(busy - own - pg, 0.0), 1),
                       "loadavg_end": os.getloadavg()[0]}
        return False


# --- phases -----------------------------------------------------------------------------------------------------


def run_phase(module: str, args: list[str], env: dict, label: str, timeout: int = 900) -> dict:
    out = OUT_DIR / "phases" / f"{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    print(f"bench: {label} …", file=sys.stderr, flush=True)
    with Gauge() as gauge:
        proc = subprocess.run([PY, "-m", module, *args, str(out)], cwd=ROOT, env=env, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if out.exists():
        result = json.loads(out.read_text())
    else:
        result = {"ok": False, "error": f"exit {proc.returncode}", "output": proc.stdout[-3000:]}
    load = dict(gauge.result)
    ours_in_db = float(result.get("db_backend_cpu_s") or 0.0)  # our PostgreSQL backends: ours, not someone else's
    load["db_backend_cpu_s"] = round(ours_in_db, 1)
    load["others_cpu_s"] = round(max(load["others_cpu_s"] - ours_in_db, 0.0), 1)
    result["machine_load"] = load
    status = "ok" if result.get("ok") else "FAILED: " + str(result.get("error"))[:300]
    print(f"bench: {label} {status} ({load['wall_s']} s; other processes used {load['others_cpu_s']} CPU-s)",
          file=sys.stderr, flush=True)
    return result


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LANDGUARD_VAR_DIR", "PGOPTIONS")}
    env.update({"DJANGO_SETTINGS_MODULE": "landguard.settings", "LANDGUARD_UPLOAD_MAX_MB": UPLOAD_MAX_MB,
                "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def _pg_admin(url: str, statements: list[str], database: str = "postgres") -> None:
    import psycopg

    conninfo = url.replace("postgis://", "postgresql://", 1).rsplit("/", 1)[0] + "/" + database
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def _pg_versions(url: str) -> dict:
    import psycopg

    with psycopg.connect(url.replace("postgis://", "postgresql://", 1)) as conn:
        row = conn.execute("SELECT current_setting('server_version'), postgis_lib_version(), "
                           "current_setting('shared_buffers'), current_setting('max_parallel_workers_per_gather'), "
                           "current_setting('work_mem')").fetchone()
    return {"postgresql": row[0], "postgis": row[1], "shared_buffers": row[2],
            "max_parallel_workers_per_gather": row[3],
            "work_mem": row[4]}


def backend(name: str, env: dict, *, tiles_export_only: bool = False, core_only: bool = False) -> dict:
    out = {}
    out["import"] = run_phase("bench.db_phases", ["import"], env, f"{name}-import")
    if not out["import"].get("ok"):
        return out
    if not tiles_export_only:
        out["overlay"] = run_phase("bench.db_phases", ["overlay"], env, f"{name}-overlay")
        out["classify"] = run_phase("bench.db_phases", ["classify"], env, f"{name}-classify")
        if name == "postgis":
            out["baseline_postgis_sql"] = run_phase("bench.baseline_phases", ["postgis_sql"], env,
                                                    "baseline-postgis_sql")
        out["paired"] = run_phase("bench.baseline_phases", ["paired"], env, f"{name}-paired")
    if core_only:
        return out
    # Issue 10: the densest tile per zoom and the whole-layer export, each in its own process.
    out["tiles"] = run_phase("bench.tiles_export", ["tiles"], env, f"{name}-tiles")
    out["export"] = run_phase("bench.tiles_export", ["export"], env, f"{name}-export")
    # Issue 16 item 5: the province batch on Dask, 1 → 2 workers, on four synthetic counties it adds to this
    # database (under a city of their own, far from the bench county) — last, so no phase above sees them.
    out["dask"] = run_phase("bench.dask_phase", [], env, f"{name}-dask")
    return out


def alarms(name: str, env: dict) -> dict:
    """Issue 4: 1 000 camera alarms over HTTP, none lost — on a fresh database holding the demo county."""
    return run_phase("bench.alarms", [], env, f"{name}-alarms")


def requests(name: str, env: dict) -> dict:
    """Issue 16 item 3: an open-loop mix of pages, lists/APIs and tiles against gunicorn (CPU per request from
    Server-Timing, latency, worker RSS) — on a fresh database holding the demo county, then the bench county's
    layers (in that order: the bench county overlaps 冠县, and the demo places its records by location)."""
    return run_phase("bench.requests_phase", [], env, f"{name}-requests", timeout=2400)


# --- the summary: targets ---------------------------------------------------------------------------------------


def _get(d: dict, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _ratio(a, b):
    return round(a / b, 2) if a and b else None


def compare_outputs(result: dict) -> dict:
    """Every baseline's outputs against LandGuard's (SpatiaLite's, else PostGIS's), then the outputs dropped
    from the result: how many boundaries / patches differ beyond bench.baselines' tolerance, the worst
    difference (m²), and the two databases against each other."""
    from bench.baselines import (ABS_TOL_M2, REL_TOL, REL_TOL_GEOGRAPHY, compare_overlay, compare_patches,
                                 max_abs_diff_overlay)

    def outputs(*path):
        phase = _get(result, *path)
        return phase.pop("outputs", None) if isinstance(phase, dict) else None

    lg_ov = {name: outputs(name, "overlay") for name in ("spatialite", "postgis")}
    lg_cl = {name: outputs(name, "classify", ) for name in ("spatialite", "postgis")}
    ref_ov = lg_ov["spatialite"] or lg_ov["postgis"]
    ref_cl = lg_cl["spatialite"] or lg_cl["postgis"]
    others = {f"baseline_{k}": (outputs("baselines", k, "overlay"), outputs("baselines", k, "classify"))
              for k in BASELINES}
    others["baseline_postgis_sql"] = (outputs("postgis", "baseline_postgis_sql", "overlay"), None)
    others["landguard_postgis"] = (lg_ov["postgis"], lg_cl["postgis"]) if lg_ov["spatialite"] else (None, None)
    out: dict = {"tolerance": f"each area within {ABS_TOL_M2} m² or {REL_TOL:g} of the boundary's (patch's) own "
                              f"area, whichever is larger ({REL_TOL_GEOGRAPHY:g} for plain PostGIS SQL: geodesic "
                              "edges); flags identical",
                 "reference": "landguard_spatialite" if lg_ov["spatialite"] else "landguard_postgis"}
    for name, (ov, cl) in others.items():
        row: dict = {}
        if ov is not None and ref_ov is not None:
            rel = REL_TOL_GEOGRAPHY if name == "baseline_postgis_sql" else REL_TOL
            problems = [compare_overlay(e, g, rel_tol=rel) for e, g in zip(ref_ov, ov, strict=True)]
            row["overlay_boundaries_differing"] = sum(1 for p in problems if p)
            row["overlay_first_difference"] = next((p[:3] for p in problems if p), None)
            row["overlay_max_abs_diff_m2"] = round(max_abs_diff_overlay(ref_ov, ov), 4)
        if cl is not None and ref_cl is not None:
            row["patches_differences"] = compare_patches({k: np.asarray(v) for k, v in ref_cl.items()},
                                                         {k: np.asarray(v) for k, v in cl.items()})
        if row:
            row["same_outputs"] = (not row.get("overlay_boundaries_differing")
                                   and not row.get("patches_differences"))
            out[name] = row
    return out


def summarise(result: dict) -> dict:
    base = {k: _get(result, "baselines", k, default={}) for k in BASELINES}
    base["postgis_sql"] = _get(result, "postgis", "baseline_postgis_sql", default={})
    summary: dict = {"baselines": {}}
    for k, b in base.items():
        ov, cl = _get(b, "overlay", "one_core", default={}), _get(b, "classify", "one_core", default={})
        summary["baselines"][k] = {
            "a_p50_ms": ov.get("p50_ms"), "a_p95_ms": ov.get("p95_ms"), "a_cpu_p50_ms": ov.get("cpu_p50_ms"),
            "a_db_backend_cpu_mean_ms": ov.get("db_backend_cpu_mean_ms"), "a_peak_mb": ov.get("peak_mb"),
            "b_s": cl.get("seconds"), "b_cpu_s": cl.get("cpu_s"), "b_peak_mb": cl.get("peak_mb"),
            "process_peak_mb": b.get("process_peak_mb"),
            "setup_s": {"read": b.get("read_s"), "index": b.get("index_s")}}
    for name in ("spatialite", "postgis"):
        r = result.get(name)
        if not r:
            continue
        ov, cl = r.get("overlay", {}), r.get("classify", {})
        a50, a95 = _get(ov, "one_core", "p50_ms"), _get(ov, "one_core", "p95_ms")
        acpu = _get(ov, "one_core", "cpu_p50_ms")
        two = _get(ov, "two_cores_concurrent", "wall_ms_per_boundary")
        b1, b2 = _get(cl, "one_core", "seconds"), _get(cl, "two_cores", "seconds")
        bpeak = _get(cl, "one_core", "peak_mb")
        geod = _get(ov, "geod_check", default=[])
        row = {
            "a_overlay_p50_ms": a50, "a_overlay_p95_ms": a95, "a_pass_p50_ms": _get(ov, "one_core", "pass_p50_ms"),
            "a_cpu_p50_ms": acpu, "a_cpu_p95_ms": _get(ov, "one_core", "cpu_p95_ms"),
            "a_db_backend_cpu_mean_ms": _get(ov, "one_core", "db_backend_cpu_mean_ms"),
            "a_db_fetch_p50_ms": _get(ov, "one_core", "db_fetch_p50_ms"), "a_peak_mb": _get(ov, "one_core", "peak_mb"),
            "a_two_cores_ms_per_boundary": two,
            "a_two_cores_latency_p50_ms": _get(ov, "two_cores_concurrent", "p50_ms"),
            "a_official_area_vs_geod_ok": bool(geod) and all(g.get("ok") for g in geod),
            "a_official_area_vs_geod_max_abs_m2": max((abs(g["diff_m2"]) for g in geod), default=None),
            "b_classify_one_core_s": b1, "b_classify_two_cores_s": b2,
            "b_cpu_s": _get(cl, "one_core", "cpu_s"),
            "b_db_backend_cpu_s": _get(cl, "one_core", "db_backend_cpu_s"),
            "b_db_fetch_s": _get(cl, "one_core", "db_fetch_s"), "b_peak_mb": bpeak,
            "b_two_cores_peak_mb_total": _get(cl, "two_cores", "peak_mb_total"),
            "b_two_cores_cpu_s": _get(cl, "two_cores", "per_process_cpu_s"),
        }
        # LandGuard's ratio to each baseline, same run: wall p50 and p95, and CPU p50 (on PostGIS LandGuard's CPU
        # includes its database backend's, as the PostGIS SQL baseline's does).
        backend_ms = row["a_db_backend_cpu_mean_ms"] or 0.0
        ratios = {}
        for k, b in summary["baselines"].items():
            if k == "postgis_sql" and name != "postgis":
                continue
            ratios[k] = {"a_p50": _ratio(a50, b["a_p50_ms"]), "a_p95": _ratio(a95, b["a_p95_ms"]),
                         "a_cpu_p50_incl_db": _ratio((acpu or 0) + backend_ms,
                                                     (b["a_cpu_p50_ms"] or 0) + (b["a_db_backend_cpu_mean_ms"] or 0)),
                         "b_one_core": _ratio(b1, b["b_s"])}
        row["ratios"] = ratios
        # The same ratios measured boundary by boundary in one process (bench.baseline_phases paired): robust to
        # a machine whose load changes between phases.
        row["paired_ratio_median"] = _get(r, "paired", "ratio_median")
        row["paired_cpu_p50_ms"] = _get(r, "paired", "cpu_p50_ms")
        imp = _get(r, "import", "layers", "dltb", default={})
        row.update({"c_import_dltb_s": imp.get("total_s"), "c_cpu_s": imp.get("cpu_s"),
                    "c_db_backend_cpu_s": imp.get("db_backend_cpu_s"), "c_read_s": imp.get("read_s"),
                    "c_checks_s": imp.get("checks_s"), "c_write_s": imp.get("write_s"),
                    "c_steps_s": imp.get("steps_s"), "c_import_peak_mb": imp.get("peak_mb")})
        gpd_ratio, shp_ratio = _get(ratios, "geopandas", "a_p50"), _get(ratios, "shapely", "a_p50")
        b_ratio = _get(ratios, "geopandas", "b_one_core")
        met = {
            "a_p50_le_20ms": a50 is not None and a50 <= TARGETS["a_p50_ms"],
            "a_p95_le_40ms": a95 is not None and a95 <= TARGETS["a_p95_ms"],
            "a_le_0.6x_geopandas_clip": gpd_ratio is not None and gpd_ratio <= TARGETS["a_ratio_to_geopandas_clip"],
            "a_le_1.2x_shapely_vectorised": shp_ratio is not None
                and shp_ratio <= TARGETS["a_ratio_to_shapely_vectorised"],
            "a_official_areas_verified": row["a_official_area_vs_geod_ok"],
            "a_stretch_le_10ms_two_cores": two is not None and two <= TARGETS["a_stretch_two_cores_ms"],
            "b_le_1.0x_geopandas_clip_one_core": b_ratio is not None
                and b_ratio <= TARGETS["b_ratio_to_geopandas_clip"],
            "b_le_3s_one_core": b1 is not None and b1 <= TARGETS["b_one_core_s"],
            "b_le_1.5s_two_cores": b2 is not None and b2 <= TARGETS["b_two_cores_s"],
            "b_peak_le_1.5GB": bpeak is not None and bpeak <= TARGETS["b_peak_mb"],
            "c_import_le_15s": row["c_import_dltb_s"] is not None and row["c_import_dltb_s"] <= TARGETS["c_import_s"],
        }
        requests = r.get("requests")
        if requests is not None:
            row["requests"] = _requests_summary(requests)
            met.update(row["requests"]["targets_met"])
        alarms = r.get("alarms")
        if alarms is not None:
            row.update({"alarms_per_second": alarms.get("per_second"), "alarms_seconds": alarms.get("seconds"),
                        "alarms_stored": alarms.get("stored")})
            met["alarms_1000_none_lost"] = bool(alarms.get("ok"))
        row["targets_met"] = met
        summary[name] = row
    summary["same_outputs"] = result.get("same_outputs", {})
    loads = {}
    for k in BASELINES:
        load = _get(result, "baselines", k, "machine_load")
        if load:
            loads[f"baseline-{k}"] = round(load["others_cpu_s"] / max(load["wall_s"], 0.1), 2)
    for name in ("spatialite", "postgis"):
        for phase, r in (result.get(name) or {}).items():
            if isinstance(r, dict) and r.get("machine_load"):
                loads[f"{name}-{phase}"] = round(
                    r["machine_load"]["others_cpu_s"] / max(r["machine_load"]["wall_s"], 0.1), 2)
    summary["other_processes_cpus_busy"] = loads  # average CPUs other people's processes kept busy during each phase
    summary["loadavg_during_run"] = result.get("loadavg")
    return summary


def _requests_summary(phase: dict) -> dict:
    """bench.requests_phase's figures by rate and endpoint, and its targets as flat booleans."""
    met = phase.get("targets_met") or {}
    cpu = met.get("cpu_p50_le_15ms") or {}
    return {"rates": {rate: {"all": r.get("all"), "endpoints": r.get("endpoints"),
                             "db_backend_cpu_ms_per_request": r.get("db_backend_cpu_ms_per_request")}
                      for rate, r in (phase.get("rates") or {}).items()},
            "rss_mb": phase.get("rss_mb"), "ok": phase.get("ok"),
            "targets_met": {"requests_pages_lists_cpu_p50_le_15ms": bool(cpu) and all(cpu.values()),
                            "requests_p95_le_300ms_at_50_per_s": met.get("latency_p95_le_300ms_at_50_per_s"),
                            "requests_worker_rss_flat": met.get("rss_flat_le_10pct")}}


# --- main -------------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.run")
    parser.add_argument("--postgis-url", default=os.environ.get("BENCH_POSTGIS_URL", ""))
    parser.add_argument("--skip-postgis", action="store_true")
    parser.add_argument("--keep-db", action="store_true",
                        help="keep this run's var/bench/runs/<id>/ and its landguard_bench_<id> databases "
                        "(their names are in the JSON; drop them yourself)")
    parser.add_argument("--tiles-export-only", action="store_true",
                        help="issue 10's phase alone: import the (cached) layer, then tiles z6–z14 and the "
                        "whole-layer export")
    parser.add_argument("--core-only", action="store_true",
                        help="the baselines, import, overlay and classification only (no tiles, export, alarms)")
    parser.add_argument("--requests-only", action="store_true",
                        help="issue 16 item 3's phase alone, on a fresh database per backend: the demo county, the "
                        "bench county's layers, then the open-loop request mix against gunicorn "
                        "(bench/requests_phase.py)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    run_dir = OUT_DIR / "runs" / RUN_ID
    result: dict = {"date": dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds"),
                    "run_id": RUN_ID, "machine": machine(), "versions": library_versions(), "targets": TARGETS,
                    "loadavg": {"start": [round(x, 2) for x in os.getloadavg()]}}
    env = base_env()

    gen = run_phase("bench.generate_phase", [], env, "generate")
    result["data"] = {k: gen.get(k)
                      for k in ("params", "counts", "county_km2", "parcel_ha", "farmland_share", "level1_area_share",
                                             "boundary_ha", "patch_ha", "geometry_sha256", "timings", "reused",
                                             "peak_mb")}
    if not gen.get("ok"):
        result["error"] = "data generation failed"
        result["generate"] = gen
        return _finish(result, started)

    if not (args.tiles_export_only or args.requests_only):
        result["baselines"] = {k: run_phase("bench.baseline_phases", [k], env, f"baseline-{k}") for k in BASELINES}

    try:
        _spatialite(result, env, run_dir, args)
        if not args.skip_postgis:
            _postgis(result, env, run_dir, args)
    finally:
        if not args.keep_db:
            shutil.rmtree(run_dir, ignore_errors=True)
    return _finish(result, started)


def _spatialite(result: dict, env: dict, run_dir: Path, args: argparse.Namespace) -> None:
    sl_dir, alarm_dir = run_dir / "spatialite", run_dir / "spatialite-alarms"
    result["spatialite"] = {}
    if not args.requests_only:
        sl_dir.mkdir(parents=True)
        result["spatialite"] = backend("spatialite", {**env, "LANDGUARD_VAR_DIR": str(sl_dir)},
                                       tiles_export_only=args.tiles_export_only, core_only=args.core_only)
    if not (args.tiles_export_only or args.core_only or args.requests_only):
        alarm_dir.mkdir(parents=True)
        result["spatialite"]["alarms"] = alarms("spatialite", {**env, "LANDGUARD_VAR_DIR": str(alarm_dir)})
    if not (args.tiles_export_only or args.core_only):
        (run_dir / "spatialite-requests").mkdir(parents=True)
        result["spatialite"]["requests"] = requests(
            "spatialite", {**env, "LANDGUARD_VAR_DIR": str(run_dir / "spatialite-requests")})


def _postgis(result: dict, env: dict, run_dir: Path, args: argparse.Namespace) -> None:
    if not args.postgis_url:
        result["postgis"] = {"error": "no PostGIS server (pass --postgis-url; scripts/bench.sh does)"}
        return
    server = args.postgis_url
    alarm_db, requests_db = f"{BENCH_DB}_alarms", f"{BENCH_DB}_requests"
    created: list[str] = []
    result["postgis_databases"] = created
    try:
        for name in (BENCH_DB, alarm_db, requests_db):  # names of this run's own: never someone else's database
            _pg_admin(server, [f'CREATE DATABASE "{name}"'])
            created.append(name)
            _pg_admin(server, ["CREATE EXTENSION IF NOT EXISTS postgis"], database=name)
        bench_url = server.rsplit("/", 1)[0] + "/" + BENCH_DB
        result["postgis_server"] = _pg_versions(bench_url)
        pg_env = {**env, "DATABASE_URL": bench_url, "LANDGUARD_VAR_DIR": str(run_dir / "postgis")}
        result["postgis"] = {}
        if not args.requests_only:
            result["postgis"] = backend("postgis", pg_env, tiles_export_only=args.tiles_export_only,
                                        core_only=args.core_only)
        if not (args.tiles_export_only or args.core_only or args.requests_only):
            result["postgis"]["alarms"] = alarms("postgis",
                {**pg_env, "DATABASE_URL": server.rsplit("/", 1)[0] + "/" + alarm_db})
            # Issue 16 item 4a: county partitions vs one plain table, on a database of this run's own.
            partitions_db = f"{BENCH_DB}_partitions"
            _pg_admin(server, [f'CREATE DATABASE "{partitions_db}"'])
            created.append(partitions_db)
            _pg_admin(server, ["CREATE EXTENSION IF NOT EXISTS postgis"], database=partitions_db)
            result["postgis"]["partitions"] = run_phase("bench.partitions_phase", [], {
                **pg_env, "DATABASE_URL": server.rsplit("/", 1)[0] + "/" + partitions_db,
                "LANDGUARD_VAR_DIR": str(run_dir / "postgis-partitions")}, "postgis-partitions", timeout=1200)
        if not (args.tiles_export_only or args.core_only):
            result["postgis"]["requests"] = requests("postgis", {
                **pg_env, "DATABASE_URL": server.rsplit("/", 1)[0] + "/" + requests_db,
                "LANDGUARD_VAR_DIR": str(run_dir / "postgis-requests")})
    finally:
        if not args.keep_db:
            for name in created:
                try:
                    _pg_admin(server, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
                except Exception as exc:  # noqa: BLE001 — report, the numbers are still good
                    result.setdefault("warnings", []).append(f"could not drop {name}: {exc}")


def _finish(result: dict, started: float) -> int:
    result.setdefault("loadavg", {})["end"] = [round(x, 2) for x in os.getloadavg()]
    try:
        result["same_outputs"] = compare_outputs(result)
    except Exception as exc:  # noqa: BLE001 — the timings are still worth printing
        result["same_outputs"] = {"error": f"{type(exc).__name__}: {exc}"}
    result["summary"] = summarise(result)
    result["total_run_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(result, ensure_ascii=False, indent=1, default=str)
    (OUT_DIR / "latest.json").write_text(text)
    print(text)
    ok = all(r.get("ok", True) for r in (result.get("baselines") or {}).values())
    for name in ("spatialite", "postgis"):
        for phase in (result.get(name) or {}).values():
            if isinstance(phase, dict) and phase.get("ok") is False:
                ok = False
    same = "error" not in result["same_outputs"] and all(
        row.get("same_outputs", True) for row in result["same_outputs"].values() if isinstance(row, dict))
    return 0 if ok and same and "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
