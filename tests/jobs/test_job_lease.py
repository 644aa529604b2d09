"""Jobs survive a dead worker: a running job's worker renews a lease; a job whose worker is gone (its process
vanished on this machine, or its heartbeat ran out elsewhere) is taken back by the next worker — queued
again with the task backend's row reset, or failed with a message after the last attempt — with a
conditional UPDATE, so two workers never both take one. Stored uploads of finished jobs go after the
retention period. The end-to-end tests run real `manage.py db_worker` processes and SIGKILL one mid-job."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from worker_processes import POSTGIS, REPO, SharedDatabase, manage

from landguard.jobs import services
from landguard.jobs.models import Job
from landguard.jobs.tasks import run_job

NO_SUCH_PID = 9_999_999  # above Linux's largest pid_max (2²²): never a live process


def _machine() -> str:
    return services.worker_identity().rsplit("|", 2)[0]


def _running_job(county_admin, *, worker: str, heartbeat_age_s: float, attempts: int = 1) -> tuple[Job, DBTaskResult]:
    """A job as a worker leaves it when it dies mid-run: the job running, its task row running."""
    job = Job.objects.create(kind=Job.Kind.LAYER, file="jobs/x.geojson", original_name="图斑.geojson",
                             scope_code="371525",
                             created_by=county_admin, status=Job.Status.RUNNING, attempts=attempts, worker=worker,
                             started_at=timezone.now() - dt.timedelta(seconds=heartbeat_age_s),
                             heartbeat_at=timezone.now() - dt.timedelta(seconds=heartbeat_age_s))
    result = run_job.enqueue(job.pk)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")
    return job, row


# --- the lease, in one process ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_whose_worker_process_is_gone_is_queued_again_at_once_with_its_task_row(county_admin, settings):
    settings.JOB_LEASE_SECONDS = 300
    job, row = _running_job(county_admin, worker=f"{_machine()}|{NO_SUCH_PID}|123", heartbeat_age_s=1)
    assert services.reclaim() == [(job.pk, "retry")]  # fresh heartbeat, but the process is gone from this machine
    job.refresh_from_db()
    row.refresh_from_db()
    assert (job.status, job.worker, job.heartbeat_at, job.attempts) == (Job.Status.QUEUED, "", None, 1)
    assert row.status == TaskResultStatus.READY and row.started_at is None
    assert services.reclaim() == []  # taken once


@pytest.mark.django_db
def test_a_live_job_is_never_reclaimed_even_with_an_old_heartbeat_on_its_own_machine(county_admin, settings):
    settings.JOB_LEASE_SECONDS = 2
    job, row = _running_job(county_admin, worker=services.worker_identity(), heartbeat_age_s=3600)
    assert services.reclaim() == []
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and row.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_job_on_another_machine_is_reclaimed_only_when_its_heartbeat_is_older_than_the_lease(county_admin, settings):
    settings.JOB_LEASE_SECONDS = 60
    fresh, _ = _running_job(county_admin, worker="other-host|pid:[1]|42|777", heartbeat_age_s=30)
    stale, stale_row = _running_job(county_admin, worker="other-host|pid:[1]|43|778", heartbeat_age_s=61)
    assert services.reclaim() == [(stale.pk, "retry")]
    fresh.refresh_from_db()
    stale_row.refresh_from_db()
    assert fresh.status == Job.Status.RUNNING and stale_row.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_after_the_last_attempt_the_job_fails_with_a_message_and_its_task_row_fails_too(county_admin, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job, row = _running_job(county_admin, worker=f"{_machine()}|{NO_SUCH_PID}|1", heartbeat_age_s=1, attempts=2)
    assert services.reclaim() == [(job.pk, "failed")]
    job.refresh_from_db()
    row.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert "后台处理进程中断，已尝试 2 次仍未完成" in job.error and f"任务编号 {job.pk}" in job.error
    assert row.status == TaskResultStatus.FAILED and "后台处理进程中断" in row.traceback


@pytest.mark.django_db
def test_a_run_records_its_worker_attempt_and_heartbeat(county_admin):
    job = Job.objects.create(kind=Job.Kind.BOUNDARIES, file="jobs/none.geojson", original_name="none.geojson",
                             scope_code="371525", created_by=county_admin)
    done = services.run(job.pk)
    assert done.status == Job.Status.FAILED and done.attempts == 1
    assert done.worker == services.worker_identity() and done.heartbeat_at is not None


# --- retention of uploads -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_uploads_of_jobs_finished_before_the_retention_period_are_deleted(county_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_UPLOAD_RETENTION_DAYS = 30
    folder = tmp_path / "media" / "jobs" / "202601"
    folder.mkdir(parents=True)
    now = timezone.now()
    old_time = (now - dt.timedelta(days=31)).timestamp()

    def job(name: str, status: str, finished_days_ago: float | None) -> Job:
        (folder / name).write_bytes(b"PK\x03\x04" + b"\0" * 100)  # e.g. a refused zip bomb
        os.utime(folder / name, (old_time, old_time))
        finished = now - dt.timedelta(days=finished_days_ago) if finished_days_ago is not None else None
        return Job.objects.create(kind=Job.Kind.LAYER, file=f"jobs/202601/{name}", original_name=name,
                                  scope_code="371525",
                                  created_by=county_admin, status=status, finished_at=finished)

    failed_old = job("bomb.zip", Job.Status.FAILED, 31)
    done_old = job("old.geojson", Job.Status.DONE, 40)
    done_recent = job("recent.geojson", Job.Status.DONE, 29)
    running = job("running.geojson", Job.Status.RUNNING, None)
    (folder / "orphan_old.zip").write_bytes(b"x")
    os.utime(folder / "orphan_old.zip", (old_time, old_time))
    (folder / "orphan_new.zip").write_bytes(b"x")

    assert services.purge_uploads() == 3
    assert sorted(p.name for p in folder.iterdir()) == ["orphan_new.zip", "recent.geojson", "running.geojson"]
    for gone in (failed_old, done_old):
        gone.refresh_from_db()
        assert not gone.file and gone.upload_deleted_at is not None and gone.original_name  # the record stays
    for kept in (done_recent, running):
        kept.refresh_from_db()
        assert kept.file and kept.upload_deleted_at is None
    assert services.purge_uploads() == 0


# --- real worker processes --------------------------------------------------------------------------------

# Run inside the copy / the shared test database before the workers (a separate process, so it commits).
SEED = """
import json, sys
from pathlib import Path
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from landguard.jobs.models import Job
from landguard.jobs.services import worker_identity
from landguard.jobs.tasks import run_job
from landguard.people.models import User
from landguard.regions.models import Region
spec = json.loads(sys.stdin.read())
admin = User.objects.get(username="guanxian_admin")
folder = Path(settings.MEDIA_ROOT) / "jobs" / "test"
folder.mkdir(parents=True, exist_ok=True)
out = {"big": None, "queued": [], "dead": []}
if spec.get("big"):
    x0, y0, x1, y1 = Region.objects.get(code="371525", retired_in__isnull=True).geom.extent
    side = int(spec["big"] ** 0.5) + 1
    step = min(x1 - x0, y1 - y0) / side
    size = step * 0.6
    features = []
    for i in range(spec["big"]):
        x, y = x0 + (i % side) * step, y0 + (i // side) * step
        ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
        features.append({"type": "Feature", "properties": {"BH": f"T{i}"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (folder / "big_x7Kq.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    # a grid over the county's box: its corners lie outside the outline, so the import allows outside features
    job = Job.objects.create(kind="layer", file="jobs/test/big_x7Kq.geojson", original_name="大文件.geojson",
                             scope_code="371525", created_by=admin,
                             options={"kind": "custom", "name": "回收测试图层", "region_code": "371525",
                                      "allow_outside": True})
    run_job.enqueue(job.pk)
    out["big"] = job.pk
machine = worker_identity().rsplit("|", 2)[0]
for i in range(spec.get("small", 0)):
    (folder / f"empty_{i}_a5H0van.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    for group in ("queued", "dead"):
        job = Job.objects.create(kind="layer", file=f"jobs/test/empty_{i}_a5H0van.geojson",
                                 original_name=f"空图层{i}.geojson",
                                 scope_code="371525", created_by=admin,
                                 options={"kind": "custom", "name": f"空 {group} {i}", "region_code": "371525"})
        result = run_job.enqueue(job.pk)
        if group == "dead":  # as a worker leaves it when killed mid-run
            Job.objects.filter(pk=job.pk).update(status="running", attempts=1, worker=f"{machine}|9999999|1",
                                                 started_at=timezone.now(), heartbeat_at=timezone.now())
            DBTaskResult.objects.get(pk=result.id).claim("killed-worker")
        out[group].append(job.pk)
print(json.dumps(out))
"""

CLEANUP = """
import json, sys
from django_tasks_db.models import DBTaskResult
from landguard.jobs.models import Job
from landguard.layers.models import Feature, Layer, LayerVersion
ids = json.loads(sys.stdin.read())
for job_id in ids:
    DBTaskResult.objects.filter(args_kwargs__args=[job_id]).delete()
Job.objects.filter(pk__in=ids).delete()
layers = Layer.objects.filter(name__in=["回收测试图层"])
Feature.objects.filter(version__layer__in=layers).delete()
LayerVersion.objects.filter(layer__in=layers).delete()
layers.delete()
"""


class Database(SharedDatabase):
    """The shared database, with what these tests read of jobs and task rows."""

    def job(self, job_id: int) -> tuple:
        return self.query("select status, attempts, error from jobs_job where id = ?", [job_id])[0]

    def task_rows(self, job_id: int) -> list[tuple[str, list]]:
        rows = self.query("select status, worker_ids, args_kwargs from django_tasks_database_dbtaskresult", [])
        out = []
        for status, workers, args in rows:
            args = json.loads(args) if isinstance(args, str) else args
            if args["args"] == [job_id]:
                out.append((status, json.loads(workers) if isinstance(workers, str) else workers))
        return out


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2",
                             *extra], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db
def test_a_worker_killed_mid_job_leaves_a_job_the_next_worker_reclaims_and_finishes(tmp_path, sqlite_copy):
    db = Database(tmp_path, sqlite_copy)
    env = db.env(LANDGUARD_JOB_LEASE_SECONDS="600")  # the lease cannot be what frees it here: the process check does
    ids = json.loads(manage(env, "shell", "-c", SEED, stdin=json.dumps({"big": 40_000})))
    job_id = ids["big"]
    try:
        first = _worker(env)
        _wait_for(lambda: db.job(job_id)[0] == "running", 120, "the first worker to start the job")
        time.sleep(0.3)  # inside the import (reading 40 000 features, checking): it takes seconds
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        assert db.job(job_id)[:2] == ("running", 1)  # nothing finished it: 处理中 until someone takes it back
        assert [status for status, _w in db.task_rows(job_id)] == ["RUNNING"]

        second = _worker(env)
        try:
            _wait_for(lambda: db.job(job_id)[0] in ("done", "failed"), 300, "the second worker to finish the job")
        finally:
            second.send_signal(signal.SIGTERM)
            _out, err = second.communicate(timeout=60)
        status, attempts, error = db.job(job_id)
        assert (status, attempts) == ("done", 2), error
        assert f"reclaimed job {job_id} (attempt 1" in err
        ((task_status, workers),) = db.task_rows(job_id)  # the same task row, reset and run again
        assert task_status == "SUCCESSFUL" and len(workers) == 2 and workers[0] != workers[1]
        layers = db.query(
            "select v.feature_count, v.original_name from layers_layerversion v join layers_layer l on l.id = "
            "v.layer_id "
                          "where l.name = ?", ["回收测试图层"])
        assert layers == [(40_000, "大文件.geojson")]  # imported once, under the user's file name
    finally:
        if POSTGIS:
            manage(env, "shell", "-c", CLEANUP, stdin=json.dumps([job_id]))


@pytest.mark.django_db
def test_two_workers_at_once_claim_and_reclaim_each_job_exactly_once(tmp_path, sqlite_copy):
    db = Database(tmp_path, sqlite_copy)
    env = db.env()
    ids = json.loads(manage(env, "shell", "-c", SEED, stdin=json.dumps({"small": 6})))
    everything = ids["queued"] + ids["dead"]
    try:
        workers = [_worker(env, "--batch") for _ in range(2)]
        errors = []
        for worker in workers:
            _out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-3000:]
            errors.append(err)
        reclaimed = [int(line.split("reclaimed job ")[1].split()[0]) for err in errors for line in err.splitlines()
                     if "reclaimed job " in line]
        assert sorted(reclaimed) == sorted(ids["dead"])  # each dead job taken back by one worker, once
        for job_id in everything:
            status, attempts, error = db.job(job_id)
            assert status == "failed" and "空图层" in error and "a5H0van" not in error, error  # the user's file name
            assert attempts == (2 if job_id in ids["dead"] else 1)  # run once after the (re)queue, by one worker
            assert [s for s, _w in db.task_rows(job_id)] == ["SUCCESSFUL"]
    finally:
        if POSTGIS:
            manage(env, "shell", "-c", CLEANUP, stdin=json.dumps(everything))


@pytest.mark.django_db
def test_a_live_long_job_is_not_taken_by_a_second_worker_even_with_a_short_lease(tmp_path, sqlite_copy):
    """Lease 2 s, heartbeat every second, upkeep every second: the second worker sees the job's process alive
    on this machine (on SQLite the import's write lock holds the heartbeat back for longer than the lease)."""
    db = Database(tmp_path, sqlite_copy)
    env = db.env(LANDGUARD_JOB_LEASE_SECONDS="2")
    ids = json.loads(manage(env, "shell", "-c", SEED, stdin=json.dumps({"big": 40_000})))
    job_id = ids["big"]
    try:
        first = _worker(env)
        _wait_for(lambda: db.job(job_id)[0] == "running", 120, "the first worker to start the job")
        second = _worker(env)
        beats = set()

        def finished() -> bool:
            if POSTGIS:
                beats.update(db.query("select heartbeat_at from jobs_job where id = ?", [job_id]))
            return db.job(job_id)[0] in ("done", "failed")

        _wait_for(finished, 300, "the first worker to finish the job")
        outputs = []
        for worker in (first, second):
            worker.send_signal(signal.SIGTERM)
            outputs.append(worker.communicate(timeout=60)[1])
        status, attempts, error = db.job(job_id)
        assert (status, attempts) == ("done", 1), error
        assert not any("reclaimed job" in err for err in outputs), outputs
        if POSTGIS:  # PostgreSQL lets the heartbeat through during the import's transaction: seen renewed
            assert len(beats - {(None,)}) >= 2, beats
    finally:
        if POSTGIS:
            manage(env, "shell", "-c", CLEANUP, stdin=json.dumps([job_id]))
