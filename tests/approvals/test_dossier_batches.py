"""The batch overlay of approved dossiers on Dask (issue 16 item 5 b): every approved dossier in the submitter's scope
measured on the current layers, one Dask task per county, by a real `manage.py db_worker` on a local cluster of two
worker processes; each dossier's figures equal a direct analysis.overlay_boundaries call, written once per
(job, dossier). The page that starts it is the managers', and the dossier page shows the latest batch figures.

Like tests/jobs/test_dask_batches.py, the job runs in other processes than the test, so they share a database the
test's transaction does not hide: a file copy of the SpatiaLite test database, or the PostGIS test database itself
(the job's rows are deleted afterwards there). The demo's approved dossiers of 冠县 are the data.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.urls import reverse
from worker_processes import POSTGIS, REPO, SharedDatabase, manage

COUNTY = "371525"

# Submits the batch as the county's manager would from the page, and prints, per approved dossier in the manager's
# scope, what a direct overlay on the county's current layers says (the layers the dossier's own areas use).
SEED = """
import json
import numpy as np, shapely
from landguard.analysis.services import choose_layers, overlay_boundaries
from landguard.approvals.models import Dossier
from landguard.approvals.spatial import CHECKED_KINDS
from landguard.core.scope import scope_for
from landguard.demo.personas import COUNTY_ADMIN
from landguard.engine.kinds import ControlKind
from landguard.jobs import services
from landguard.jobs.models import Job
from landguard.people.models import User

user = User.objects.get(username=COUNTY_ADMIN)
scope = scope_for(user)
expected = {}
for d in scope.filter(Dossier.objects.filter(status=Dossier.Status.APPROVED), "region_code").order_by("pk"):
    geoms = np.array([shapely.from_wkb(bytes(d.boundary.wkb))], dtype=object)
    dltb, controls = choose_layers(scope, boundaries=geoms, kinds=CHECKED_KINDS)
    (r,) = overlay_boundaries(scope=scope, boundaries=geoms, dltb=dltb, controls=controls)
    basic = sum(c.inside_m2 for c in r.controls.values() if c.kind == ControlKind.BASIC_FARMLAND)
    expected[d.pk] = [r.gross_m2, r.farmland_gross_m2, r.farmland_net_m2, basic, r.uncovered_m2,
                      sorted(v.verdict.value for v in r.verdicts)]
job = services.submit_batch(actor=user, kind=Job.Kind.DOSSIER_OVERLAY, name="test", options={}, scope=scope)
print(json.dumps({"job": job.pk, "expected": expected}))
"""

CLEANUP = """
from landguard.jobs.models import Job
Job.objects.filter(kind=Job.Kind.DOSSIER_OVERLAY).delete()  # its result rows go with it (CASCADE)
print("cleaned")
"""


@pytest.mark.django_db
def test_every_approved_dossier_overlaid_on_two_dask_workers_equals_a_direct_overlay_written_once(tmp_path,
                                                                                                 sqlite_copy):
    db = SharedDatabase(tmp_path, sqlite_copy)
    try:
        out = json.loads(manage(db.env(), "shell", "-c", SEED))
        job_id, expected = out["job"], {int(k): v for k, v in out["expected"].items()}
        assert len(expected) >= 2  # the demo's 2020 and 2021 approved dossiers of 冠县
        worker = subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                                 "--no-reload"], cwd=REPO, env=db.env(LANDGUARD_DASK_WORKERS="2"),
                                capture_output=True, text=True, timeout=300)
        assert worker.returncode == 0, worker.stderr[-3000:]

        status, error, report = db.query("select status, error, report from jobs_job where id = ?", [job_id])[0]
        assert (status, error) == ("done", ""), error
        report = json.loads(report) if isinstance(report, str) else report
        assert report[0] == "已批复的报批卷宗按现行图层分县叠加复核：1 个县（区）"
        assert report[1].startswith(f"冠县：叠加 {len(expected)} 宗，现状占用耕地 ")
        counties = db.query("select region_code, dossier_count, failed_count from approvals_dossieroverlaycounty "
                            "where job_id = ?", [job_id])
        assert counties == [(COUNTY, len(expected), 0)]
        rows = db.query("select dossier_id, total_m2, farmland_gross_m2, farmland_net_m2, basic_farmland_m2, "
                        "uncovered_m2, verdicts, problem, region_code from approvals_dossieroverlayresult "
                        "where job_id = ?", [job_id])
        assert len(rows) == len(expected)  # once each: the (job, dossier) constraint would refuse a second anyway
        for pk, total, gross, net, basic, uncovered, verdicts, problem, county in rows:
            want = expected[pk]
            assert (problem, county) == ("", COUNTY)
            assert [total, gross, net, basic, uncovered] == pytest.approx(want[:5], rel=1e-9, abs=1e-6), pk
            verdicts = json.loads(verdicts) if isinstance(verdicts, str) else verdicts
            assert sorted(verdicts) == want[5]
        assert sum(v[0] for v in expected.values()) > 0
    finally:
        if POSTGIS:
            manage(db.env(), "shell", "-c", CLEANUP)


# --- in one process: the write that happens once, the pages ---------------------------------------------------


def _overlay_job(user, status: str = "queued"):
    from landguard.jobs.models import Job

    return Job.objects.create(kind=Job.Kind.DOSSIER_OVERLAY, original_name="x", scope_code=COUNTY, created_by=user,
                              status=status)


@pytest.mark.django_db
def test_a_county_written_once_is_not_written_again_by_a_retried_run(county_admin):
    from landguard.approvals import batches, selectors
    from landguard.approvals.models import DossierOverlayCounty, DossierOverlayResult
    from landguard.core.scope import scope_for

    scope = scope_for(county_admin)
    assert COUNTY in batches.partitions(scope)
    job = _overlay_job(county_admin)
    result = batches.overlay_county(COUNTY, scope)  # the task itself, here in the test's process
    count = selectors.approved(scope).filter(region_code__startswith=COUNTY).count()
    assert len(result.dossiers) == count and not any(d.problem for d in result.dossiers)
    assert batches.write_county(job, result) is True
    assert batches.write_county(job, result) is False
    assert DossierOverlayCounty.objects.filter(job=job).count() == 1
    assert DossierOverlayResult.objects.filter(job=job).count() == count
    assert batches.written(job) == {COUNTY}


@pytest.mark.django_db
def test_the_dossier_page_shows_the_latest_batch_figures(county_admin, township_officer, client_for):
    from landguard.approvals import batches, selectors
    from landguard.core.scope import scope_for

    scope = scope_for(county_admin)
    job = _overlay_job(county_admin, status="done")
    result = batches.overlay_county(COUNTY, scope)
    batches.write_county(job, result)
    dossier = selectors.approved(scope).order_by("pk").first()
    page = client_for(county_admin).get(reverse("approvals:detail", args=[dossier.pk])).content.decode()
    assert "最近一次批量复核" in page and reverse("jobs:detail", args=[job.pk]) in page
    # Not for a dossier no batch measured: a fresh job that is not done shows nothing either.
    job.status = "running"
    job.save(update_fields=["status"])
    page = client_for(county_admin).get(reverse("approvals:detail", args=[dossier.pk])).content.decode()
    assert "最近一次批量复核" not in page


@pytest.mark.django_db
def test_a_manager_starts_the_batch_overlay_from_the_dossier_list_and_lands_on_its_job_page(county_admin,
                                                                                            client_for):
    from landguard.jobs.models import Job

    client = client_for(county_admin)
    assert reverse("approvals:overlay-batch") in client.get(reverse("approvals:list")).content.decode()
    assert client.get(reverse("approvals:overlay-batch")).status_code == 200
    response = client.post(reverse("approvals:overlay-batch"))
    job = Job.objects.get(kind=Job.Kind.DOSSIER_OVERLAY, created_by=county_admin)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.scope_code, job.status) == (COUNTY, Job.Status.QUEUED)


@pytest.mark.django_db
def test_a_township_officer_may_not_start_the_batch_overlay(township_officer, client_for):
    client = client_for(township_officer)
    assert reverse("approvals:overlay-batch") not in client.get(reverse("approvals:list")).content.decode()
    assert client.get(reverse("approvals:overlay-batch")).status_code == 403
    assert client.post(reverse("approvals:overlay-batch")).status_code == 403
