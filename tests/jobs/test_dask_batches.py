"""Province batches on Dask (issue 16 item 5): the 卫片 patches of a year classified county by county, one Dask task
per county, by a real `manage.py db_worker` — on a local cluster of two worker processes it starts itself, and on a
cluster it is pointed at (LANDGUARD_DASK_SCHEDULER) one of whose workers the test SIGKILLs while it runs a county.
Either way every county is classified, the figures equal the single-process classification, and each patch's row
is written exactly once.

The job runs in other processes than the test (the db_worker and its Dask workers), so they share a database the
test's own transaction does not hide: a file copy of the SpatiaLite test database, or the PostGIS test database
itself (the seeded rows are deleted afterwards there; `transactional_db` would flush the session's demo instead).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from worker_processes import POSTGIS, REPO, SharedDatabase, manage

from landguard.demo.counties import CITY_CODE

COUNTIES, PARCELS, PATCHES, YEAR = 4, 3000, 150, 2025

# Seeds the synthetic counties, submits the batch as a manager of their city would from the page, and prints the
# single-process classification of every patch (the county's current layers, analysis.services.classify_patches).
SEED = """
import json, sys
import shapely
from landguard.analysis.services import classify_patches
from landguard.core.scope import RegionScope, scope_for
from landguard.demo.counties import CITY_CODE, load_synthetic_counties
from landguard.jobs import services
from landguard.jobs.models import Job
from landguard.people.models import Role, User
from landguard.regions.models import Region
from landguard.supervision import intake
from landguard.supervision.models import Patch

spec = json.loads(sys.stdin.read())
counties = load_synthetic_counties(count=spec["counties"], parcels=spec["parcels"], patches=spec["patches"],
                                   year=spec["year"])
user = User.objects.create(username="dask_batch_admin", role=Role.ADMIN, full_name="合成市局管理员",
                           scope_region=Region.objects.get(code=CITY_CODE, retired_in__isnull=True))
expected = {}
for county in counties:
    scope = RegionScope(prefixes=(county.code,), root_code=county.code)
    patches = list(Patch.objects.filter(region_code__startswith=county.code, year=spec["year"]).order_by("pk"))
    layers = intake.current_layers(county.code)
    found = classify_patches(scope=scope, patches=shapely.from_wkb([bytes(p.geom.wkb) for p in patches]),
                             dltb=layers["dltb"], basic_farmland=layers["basic_farmland"], approved=layers["approved"])
    for i, p in enumerate(patches):
        expected[p.pk] = [float(found.farmland_gross_m2[i]), float(found.farmland_net_m2[i]),
                          float(found.basic_farmland_m2[i]), float(found.approved_m2[i]),
                          float(found.unapproved_m2[i]), str(found.main_code[i])]
job = services.submit_batch(actor=user, kind=Job.Kind.PROVINCE_BATCH, name="test", options={"year": spec["year"]},
                            scope=scope_for(user))
print(json.dumps({"job": job.pk, "expected": expected}))
"""

# PostGIS only: the test database outlives the test, so what the processes committed goes again.
CLEANUP = """
from landguard.demo.counties import CITY_CODE
from landguard.jobs.models import Job
from landguard.layers.models import Feature, Layer, LayerVersion
from landguard.people.models import User
from landguard.regions.models import Region
from landguard.supervision.models import Patch, PatchBatch

Job.objects.filter(created_by__username="dask_batch_admin").delete()
Patch.objects.filter(region_code__startswith=CITY_CODE).delete()
PatchBatch.objects.filter(region_code__startswith=CITY_CODE).delete()
layers = Layer.objects.filter(region_code__startswith=CITY_CODE)
Feature.objects.filter(version__layer__in=layers).delete()
LayerVersion.objects.filter(layer__in=layers).delete()
layers.delete()
User.objects.filter(username="dask_batch_admin").delete()
Region.objects.filter(code__startswith=CITY_CODE, level=3).delete()
Region.objects.filter(code=CITY_CODE).delete()
"""


@pytest.fixture
def seeded(tmp_path, sqlite_copy):
    """(database, job id, expected figures by patch id): four synthetic counties with their layers and a year's
    patches, and the batch submitted."""
    db = SharedDatabase(tmp_path, sqlite_copy)
    spec = {"counties": COUNTIES, "parcels": PARCELS, "patches": PATCHES, "year": YEAR}
    try:
        out = json.loads(manage(db.env(), "shell", "-c", SEED, stdin=json.dumps(spec)))
        yield db, out["job"], {int(k): v for k, v in out["expected"].items()}
    finally:
        if POSTGIS:
            manage(db.env(), "shell", "-c", CLEANUP + "\nprint('cleaned')")


def _run_worker(env: dict[str, str]) -> subprocess.CompletedProcess:
    """A real job worker: takes the queued batch, runs it to the end, exits."""
    return subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _assert_written_once_and_equal(db: SharedDatabase, job_id: int, expected: dict[int, list]) -> None:
    status, error, report = db.query("select status, error, report from jobs_job where id = ?", [job_id])[0]
    assert (status, error) == ("done", ""), error
    report = json.loads(report) if isinstance(report, str) else report
    assert len(report) == 1 + COUNTIES and all("150 个图斑" in line for line in report[1:])
    counties = db.query("select region_code, patch_count from supervision_provincebatchcounty where job_id = ? "
                        "order by region_code", [job_id])
    assert counties == [(f"{CITY_CODE}{k:02d}", PATCHES) for k in range(1, COUNTIES + 1)]
    rows = db.query("select patch_id, farmland_gross_m2, farmland_net_m2, basic_farmland_m2, approved_m2, "
                    "unapproved_m2, main_code from supervision_provincebatchpatch where job_id = ?", [job_id])
    assert len(rows) == COUNTIES * PATCHES  # once each: the (job, patch) constraint would refuse a second anyway
    got = {pk: list(values) for pk, *values in rows}
    assert got.keys() == expected.keys()
    for pk, want in expected.items():
        assert got[pk][:5] == pytest.approx(want[:5], rel=1e-9, abs=1e-6), pk
        assert got[pk][5] == want[5]
    assert sum(1 for v in expected.values() if v[1] > 0) > PATCHES  # the figures are not trivially zero


@pytest.mark.django_db
def test_the_batch_on_a_local_cluster_of_two_workers_classifies_every_county_as_one_process_does(seeded):
    db, job_id, expected = seeded
    worker = _run_worker(db.env(LANDGUARD_DASK_WORKERS="2"))
    assert worker.returncode == 0, worker.stderr[-3000:]
    _assert_written_once_and_equal(db, job_id, expected)


@pytest.mark.django_db
def test_a_dask_worker_killed_while_it_classifies_a_county_still_completes_the_batch_written_once(seeded):
    from distributed import Client, LocalCluster

    db, job_id, expected = seeded
    prefix = f"landguard-job{job_id}-"
    killed: list[str] = []

    def executing(dask_worker) -> list[str]:  # runs in each worker: the keys it is computing right now
        return [ts.key for ts in dask_worker.state.executing]

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:

        def kill_one_mid_task() -> None:
            end = time.monotonic() + 150
            while time.monotonic() < end and not killed:
                try:
                    busy = client.run(executing)
                except Exception:  # noqa: BLE001  # a worker restarting: ask again
                    busy = {}
                for address, keys in busy.items():
                    if any(str(k).startswith(prefix) for k in keys):
                        pid = client.run(os.getpid, workers=[address])[address]
                        os.kill(pid, signal.SIGKILL)
                        killed.append(str(keys[0]))
                        return
                time.sleep(0.02)

        killer = threading.Thread(target=kill_one_mid_task, daemon=True)
        killer.start()
        worker = _run_worker(db.env(LANDGUARD_DASK_SCHEDULER=cluster.scheduler_address))
        killer.join(timeout=10)
        assert worker.returncode == 0, worker.stderr[-3000:]
    assert killed, "no county task was seen running to kill its worker"
    _assert_written_once_and_equal(db, job_id, expected)


# --- in one process: the page that starts it, and the write that happens once ----------------------------------


@pytest.mark.django_db
def test_a_manager_starts_the_batch_from_the_patch_list_and_lands_on_its_job_page(county_admin, client_for):
    from django.urls import reverse

    from landguard.jobs.models import Job
    from landguard.supervision.models import Patch

    year = Patch.objects.filter(region_code__startswith="371525").values_list("year", flat=True).first()
    client = client_for(county_admin)
    assert reverse("supervision:patch-classify") in client.get(reverse("supervision:patch-list")).content.decode()
    form = client.get(reverse("supervision:patch-classify"))
    assert form.status_code == 200 and f'value="{year}"' in form.content.decode()
    response = client.post(reverse("supervision:patch-classify"), {"year": year})
    job = Job.objects.get(kind=Job.Kind.PROVINCE_BATCH, created_by=county_admin)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.options["year"], job.scope_code, job.status) == (year, "371525", Job.Status.QUEUED)
    assert client.post(reverse("supervision:patch-classify"), {"year": 1999}).status_code == 200  # not offered


@pytest.mark.django_db
def test_only_managers_may_start_a_batch(township_officer, client_for):
    from django.urls import reverse

    client = client_for(township_officer)
    assert client.get(reverse("supervision:patch-classify")).status_code == 403
    assert client.post(reverse("supervision:patch-classify"), {"year": 2025}).status_code == 403


@pytest.mark.django_db
def test_a_county_written_once_is_not_written_again_by_a_retried_run(county_admin):
    from landguard.jobs.models import Job
    from landguard.supervision import batches
    from landguard.supervision.models import Patch, ProvinceBatchCounty, ProvinceBatchPatch

    year = Patch.objects.filter(region_code__startswith="371525").values_list("year", flat=True).first()
    job = Job.objects.create(kind=Job.Kind.PROVINCE_BATCH, original_name="x", scope_code="371525",
                             created_by=county_admin, options={"year": year})
    result = batches.classify_county("371525", year)  # the task itself, here in the test's process
    assert not result.problem and len(result.patch_ids) == Patch.objects.filter(region_code__startswith="371525",
                                                                                year=year).count()
    assert batches.write_county(job, year, result) is True
    assert batches.write_county(job, year, result) is False
    assert ProvinceBatchCounty.objects.filter(job=job).count() == 1
    assert ProvinceBatchPatch.objects.filter(job=job).count() == len(result.patch_ids)
    assert batches.written(job) == {"371525"}
