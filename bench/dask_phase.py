"""The province batch on Dask, 1 → 2 workers (issue 16 item 5), in its own process:

    python -m bench.dask_phase OUT.json

On the database DATABASE_URL / LANDGUARD_VAR_DIR name (bench/run.py: the backend's bench database, after its other
phases, so none of them sees the extra counties; migrated already), loads four synthetic counties side by side
(landguard.demo.counties: a synthetic 地类图斑, 永久基本农田 and 已批用地 each, imported through the real service, and a
year's 卫片 patches), then runs the real job handler (jobs.services.run → supervision/jobs.run_province_batch: one Dask
task per county on a LocalCluster started for the job, the results written by the job) with one worker, then two.
Reports each run's wall time, the cluster's start-up (measured on its own: the workers' processes and their Django
set-up, paid once per job), the tasks' own wall and CPU seconds (wall well above CPU: the worker waited for a core —
the machine's load is reported beside), and the speed-up. Each run writes its own rows (keyed by job),
checked to be one per patch.
"""

from __future__ import annotations

import sys

from bench.common import single_threaded_env

single_threaded_env()  # numeric libraries at one thread in every process, the Dask workers included (inherited)

import os  # noqa: E402
import time  # noqa: E402

from bench.common import phase_main, peak_mb  # noqa: E402

COUNTIES = 4
PARCELS = 30_000  # per county: 120 000 parcels in all
PATCHES = 5_000  # per county: 20 000 patches in all
YEAR = 2025
WORKERS = (1, 2)


_BURN = ("import time\nc = time.process_time()\nt = time.perf_counter()\n"
         "while time.process_time() - c < 2.0:\n    pass\nprint(time.perf_counter() - t)")


def cpu_control() -> dict:
    """What a second process gains on this machine right now: 2 CPU-seconds of pure Python alone, then two at once.
    On a quiet two-core machine both take ~2 s (gain 2.0); other people's work on a shared one lowers it, and the
    batch cannot scale beyond it."""
    import subprocess

    def burn(n: int) -> list[float]:
        procs = [subprocess.Popen([sys.executable, "-c", _BURN], stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return [float(p.communicate()[0]) for p in procs]

    one = burn(1)[0]
    two = max(burn(2))
    return {"one_s": round(one, 2), "two_at_once_s": round(two, 2), "gain": round(2 * one / two, 2)}


def phase() -> dict:
    from django.conf import settings
    from django.db import connection

    from landguard.demo.counties import CITY_CODE, load_synthetic_counties
    from landguard.jobs import cluster, services
    from landguard.jobs.models import Job
    from landguard.people.models import Role, User
    from landguard.regions.models import Region
    from landguard.supervision.models import ProvinceBatchCounty, ProvinceBatchPatch

    out: dict = {"backend": connection.vendor, "counties": COUNTIES, "parcels_per_county": PARCELS,
                 "patches_per_county": PATCHES}
    t0 = time.perf_counter()
    load_synthetic_counties(count=COUNTIES, parcels=PARCELS, patches=PATCHES, year=YEAR)
    out["seed_s"] = round(time.perf_counter() - t0, 1)
    user, _created = User.objects.get_or_create(
        username="bench_dask", defaults={"role": Role.ADMIN, "full_name": "bench",
                                         "scope_region": Region.objects.get(code=CITY_CODE, retired_in__isnull=True)})
    out["cpu_control"] = cpu_control()
    runs = {}
    for workers in WORKERS:
        settings.DASK_WORKERS = workers
        t0 = time.perf_counter()
        with cluster.dask_client(workers=workers):
            pass
        startup = time.perf_counter() - t0
        job = Job.objects.create(kind=Job.Kind.PROVINCE_BATCH, original_name="bench", scope_code=CITY_CODE,
                                 created_by=user, options={"year": YEAR})
        load_start = os.getloadavg()[0]
        t0 = time.perf_counter()
        job = services.run(job.pk)
        wall = time.perf_counter() - t0
        if job is None or job.status != Job.Status.DONE:
            raise RuntimeError(f"the batch with {workers} worker(s) did not finish: {job and job.error}")
        rows = ProvinceBatchPatch.objects.filter(job=job).count()
        if rows != COUNTIES * PATCHES:
            raise RuntimeError(f"{rows} patch rows written, expected {COUNTIES * PATCHES}")
        tasks = list(ProvinceBatchCounty.objects.filter(job=job).order_by("region_code")
                     .values_list("seconds", "cpu_seconds"))
        runs[str(workers)] = {"wall_s": round(wall, 2), "cluster_startup_s": round(startup, 2),
                              "wall_after_startup_s": round(wall - startup, 2),
                              "task_s": [round(s, 2) for s, _cpu in tasks],
                              "tasks_total_s": round(sum(s for s, _cpu in tasks), 2),
                              "tasks_cpu_s": round(sum(cpu for _s, cpu in tasks), 2), "rows": rows,
                              # the machine is shared: a load above the cores means the workers waited for a core
                              "loadavg_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)]}
    out["runs"] = runs
    one, two = runs["1"], runs["2"]
    out["speedup"] = round(one["wall_s"] / two["wall_s"], 2)
    out["speedup_after_startup"] = round(one["wall_after_startup_s"] / two["wall_after_startup_s"], 2)
    out["peak_mb_driver"] = peak_mb()
    return out


if __name__ == "__main__":
    sys.exit(phase_main({"dask": phase}, ["dask", *sys.argv[1:]]))
