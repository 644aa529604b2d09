"""Submitting and running background jobs, and keeping them alive across dead workers.

`submit` stores the upload and enqueues the task once the row is committed; `run` (called by the worker
through tasks.run_job) claims the job with a conditional UPDATE — so two workers never run one job — and
hands it to the handler registered for its kind. A handler raises JobFailed with a message for the user;
anything else is logged and reported as an internal error.

The lease: the claim records the worker (`worker_identity`: host, PID namespace, PID, process start) and a
heartbeat, which a thread of the running worker renews every JOB_LEASE_SECONDS / 5 on its own connection
(the import's transaction would hide it otherwise). `reclaim` — run by every worker at start and in its
loop (`manage.py db_worker`, landguard/jobs/management) — takes back a running job whose worker is gone:
on the same machine when its process no longer exists (at once), elsewhere when its heartbeat is older
than the lease. The job goes back to the queue (and the task backend's row back to READY) with a
conditional UPDATE, so two reclaiming workers never both take it; after JOB_MAX_ATTEMPTS runs it fails
with a message instead. A live job is never reclaimed: its own machine sees its process, and other
machines see its heartbeat (on SQLite a long import transaction blocks the heartbeat's write, but SQLite
is one machine, where the process check decides).

`purge_uploads` deletes the stored uploads of jobs finished more than JOB_UPLOAD_RETENTION_DAYS ago (failed
ones and refused archives included) and uploads no job refers to, also from the worker loop.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from landguard.core.scope import RegionScope
from landguard.formats.base import LayerReadError
from landguard.formats.uploads import check_upload_size
from landguard.jobs.models import Job

log = logging.getLogger(__name__)

# progress(done, total) — or progress(done, total, stage) with the stage's name shown beside the bar (Stages).
Progress = Callable[..., None]
Handler = Callable[[Job, Progress], list[str]]


class Stages:
    """One progress bar over the stages of a job, so it moves from the first second: each stage (read the file,
    check it, write it …) a share of the bar by its usual cost, its name shown while it runs, and a stage that
    counts rows (the write) moving the bar through its share as it goes."""

    SCALE = 1000

    def __init__(self, progress: Progress | None, stages: Sequence[tuple[str, float, str]]) -> None:
        self._progress = progress
        total = sum(weight for _key, weight, _label in stages)
        self._spans: dict[str, tuple[int, int, str]] = {}
        start = 0.0
        for key, weight, label in stages:
            end = start + weight / total
            self._spans[key] = (round(start * self.SCALE), round(end * self.SCALE), label)
            start = end

    def begin(self, key: str) -> None:
        """The stage has started: the bar at its start, its name shown."""
        if self._progress:
            start, _end, label = self._spans[key]
            self._progress(start, self.SCALE, label)

    def counter(self, key: str) -> Callable[[int, int], None]:
        """A progress(done, total) for the rows of one stage, moving the bar through the stage's share."""
        start, end, label = self._spans[key]

        def report(done: int, total: int) -> None:
            if self._progress and total:
                self._progress(start + round((end - start) * min(done, total) / total), self.SCALE, label)
        return report


@dataclass(frozen=True)
class Registered:
    run: Handler
    suffixes: frozenset[str]  # the file types the handler's importer reads from a single upload


HANDLERS: dict[str, Registered] = {}


class JobFailed(Exception):
    """The job cannot complete; the message (naming the row, feature or field) is shown to the user."""


def handler(kind: str, *, suffixes: Collection[str]) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = Registered(func, frozenset(suffixes))
        return func

    return register


def submit(*, actor, kind: str, upload: UploadedFile, options: dict[str, Any], scope: RegionScope) -> Job:
    suffix = Path(upload.name or "").suffix.lower()
    accepted = HANDLERS[kind].suffixes
    if suffix not in accepted:
        raise ValidationError({"file": _("不支持的文件类型 %(suffix)s，可上传：%(allowed)s")
                               % {"suffix": suffix or "—", "allowed": "、".join(sorted(accepted))}})
    try:
        check_upload_size(upload.name or "", size=upload.size)
    except LayerReadError as exc:
        raise ValidationError({"file": str(exc)}) from None
    from landguard.jobs.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, file=upload, original_name=(upload.name or "")[:255], options=options,
                                 scope_code=scope.root_code, created_by=actor)
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def submit_export(*, actor, kind: str, name: str, options: dict[str, Any], scope: RegionScope) -> Job:
    """Queue an export of the submitter's scope (no upload: the job's `file` becomes its result, which only the
    submitter downloads). The request's language goes with it, so the file's headers read as the page did."""
    from landguard.jobs.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, original_name=name[:255], scope_code=scope.root_code, created_by=actor,
                                 options={**options, "language": translation.get_language()})
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def submit_batch(*, actor, kind: str, name: str, options: dict[str, Any], scope: RegionScope) -> Job:
    """Queue a batch over the submitter's scope (no upload, no file: the report lines are its result), in the
    request's language."""
    from landguard.jobs.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, original_name=name[:255], scope_code=scope.root_code, created_by=actor,
                                 options={**options, "language": translation.get_language()})
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


EXPORT_DIR = "jobs/exports"  # under MEDIA_ROOT/jobs: never served directly; the upload retention purges it too


def export_target(job: Job) -> tuple[str, Path]:
    """Where an export job writes its file: (the name stored on the job, the path to write)."""
    relative = f"{EXPORT_DIR}/{job.pk}/{job.original_name}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return relative, path


def export_written(job: Job, relative: str) -> None:
    """Record the written file as the job's result, downloaded from the job's page."""
    Job.objects.filter(pk=job.pk).update(file=relative, result_url=reverse("jobs:result", args=[job.pk]))


def _progress_key(job_id: int) -> str:
    return f"landguard:job-progress:{job_id}"


def progress(job: Job) -> dict[str, int] | None:
    """{"done": n, "total": m} while the job runs and its handler reports progress, else None."""
    return cache.get(_progress_key(job.pk)) if job.status == Job.Status.RUNNING else None


# --- the lease -----------------------------------------------------------------------------------------


def _proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc), None when the process does not exist.
    With the PID it identifies a process: a PID reused after a restart has another start time."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22; the command name (field 2) may contain spaces


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")  # containers sharing a host name still have their own PIDs
    except OSError:
        return ""


@functools.cache
def _machine() -> str:
    return f"{socket.gethostname()}|{_pid_namespace()}"


def worker_identity() -> str:
    """This process as a job's `worker`: host|pid namespace|pid|start."""
    pid = os.getpid()
    return f"{_machine()}|{pid}|{_proc_start(pid) or ''}"


def _alive(identity: str) -> bool | None:
    """Whether the worker process named by `identity` still runs: True/False when it ran on this machine and
    /proc can tell, None otherwise (another machine: only its heartbeat can tell)."""
    parts = identity.split("|")
    if len(parts) != 4 or f"{parts[0]}|{parts[1]}" != _machine() or not parts[1] or not parts[2].isdigit():
        return None
    start = _proc_start(int(parts[2]))
    if start is None:
        return False
    return start == parts[3] if start and parts[3] else None


def _heartbeat_seconds() -> float:
    return max(1.0, settings.JOB_LEASE_SECONDS / 5)


class _Heartbeat(threading.Thread):
    """Renews the running job's heartbeat on its own database connection until stopped."""

    def __init__(self, job_id: int, attempt: int, worker: str) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.attempt, self.worker = job_id, attempt, worker
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(_heartbeat_seconds()):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING, attempts=self.attempt,
                                       worker=self.worker).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # SQLite busy with the import's write: the next beat tries again
                    log.debug("heartbeat of job %s skipped: %s", self.job_id, exc)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=30)


def run(job_id: int) -> Job | None:
    worker = worker_identity()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker, attempts=F("attempts") + 1)
    if not claimed:  # already taken by another worker, or finished
        return None
    job = Job.objects.select_related("created_by").get(pk=job_id)
    key = _progress_key(job_id)
    heartbeat = _Heartbeat(job_id, job.attempts, worker)
    heartbeat.start()

    def report_progress(done: int, total: int, stage: str = "") -> None:
        cache.set(key, {"done": done, "total": total, "stage": str(stage)}, timeout=6 * 3600)

    outcome: dict[str, Any]
    try:
        with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
            lines = HANDLERS[job.kind].run(job, report_progress)
        outcome = {"status": Job.Status.DONE, "report": [_as_uploaded(line, job) for line in lines]}
    except JobFailed as exc:
        outcome = {"status": Job.Status.FAILED, "error": _as_uploaded(str(exc), job)}
    except Exception:  # a bug, not bad input: keep the traceback in the log, tell the user plainly
        log.exception("job %s failed", job_id)
        outcome = {"status": Job.Status.FAILED,
                   "error": _("内部错误，请联系系统管理员（任务编号 %(id)s）") % {"id": job_id}}
    finally:
        heartbeat.stop()
        cache.delete(key)
    outcome["finished_at"] = timezone.now()
    # Only while the lease is still ours: a run taken back as dead (it was stuck past the lease) must not
    # overwrite the outcome of the run that replaced it.
    if not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts=job.attempts,
                              worker=worker).update(**outcome):
        log.warning("job %s: lease lost while running (attempt %s); outcome dropped", job_id, job.attempts)
    job.refresh_from_db()
    return job


def _as_uploaded(text: str, job: Job) -> str:
    """The user's own file name where an importer named the stored copy (storage may rename it, e.g.
    empty_a5H0van.geojson for a second empty.geojson)."""
    stored = Path(job.file.name or "").name
    return text.replace(stored,
                        job.original_name) if stored and job.original_name and stored != job.original_name else text


def _task_rows(job_id: int):
    """The task backend's rows that run this job."""
    from django_tasks_db.models import DBTaskResult

    from landguard.jobs.tasks import run_job

    return DBTaskResult.objects.filter(task_path=run_job.module_path, args_kwargs__args=[job_id])


def _worker_lost_message(job: Job) -> str:
    return _("后台处理进程中断，已尝试 %(n)s 次仍未完成。"
             "请稍后重新提交，如仍失败请联系系统管理员（任务编号 %(id)s）") % {"n": job.attempts, "id": job.pk}


def reclaim(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Take back the running jobs whose worker is gone: queued again (the task backend's row READY again), or
    failed with a message after JOB_MAX_ATTEMPTS runs. Returns (job id, "retry" | "failed") for each taken."""
    from django_tasks_db.compat import TaskResultStatus

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    taken: list[tuple[int, str]] = []
    for job in Job.objects.filter(status=Job.Status.RUNNING).only("pk", "attempts", "worker", "heartbeat_at",
                                                                  "started_at"):
        alive = _alive(job.worker) if job.worker else None
        last_sign = job.heartbeat_at or job.started_at
        if alive or (alive is None and last_sign is not None and last_sign >= cutoff):
            continue
        mine = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts, worker=job.worker)
        with transaction.atomic():
            if job.attempts < settings.JOB_MAX_ATTEMPTS:
                if not mine.update(status=Job.Status.QUEUED, worker="", heartbeat_at=None):
                    continue  # another worker took it back first
                rows = _task_rows(job.pk).exclude(status=TaskResultStatus.READY)
                reset = rows.update(status=TaskResultStatus.READY, started_at=None, finished_at=None,
                                    exception_class_path="", traceback="")
                if not reset and not _task_rows(job.pk).filter(status=TaskResultStatus.READY).exists():
                    from landguard.jobs.tasks import run_job

                    transaction.on_commit(functools.partial(run_job.enqueue, job.pk))  # its task row is gone
                taken.append((job.pk, "retry"))
            else:
                message = _worker_lost_message(job)
                if not mine.update(status=Job.Status.FAILED, finished_at=now, error=message):
                    continue
                _task_rows(job.pk).filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).update(
                    status=TaskResultStatus.FAILED, finished_at=now,
                    exception_class_path="landguard.jobs.services.WorkerLost",
                    traceback=message)
                taken.append((job.pk, "failed"))
        log.warning("reclaimed job %s (attempt %s, worker %s): %s", job.pk, job.attempts, job.worker or "?",
                    taken[-1][1])
    # A worker that died between taking the task row and claiming the job leaves the job queued and the row
    # running: put the row back (the claim above would have moved the job on within milliseconds).
    from django_tasks_db.models import DBTaskResult

    from landguard.jobs.tasks import run_job

    stale = DBTaskResult.objects.filter(task_path=run_job.module_path, status=TaskResultStatus.RUNNING,
                                        started_at__lt=cutoff)
    for row in stale.only("pk", "args_kwargs"):
        job_id = (row.args_kwargs.get("args") or [None])[0]
        if Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).exists():
            if DBTaskResult.objects.filter(pk=row.pk,
                                           status=TaskResultStatus.RUNNING).update(status=TaskResultStatus.READY,
                                                                                               started_at=None):
                log.warning("task of job %s put back in the queue (its worker died before starting it)", job_id)
    return taken


# --- retention of uploads ------------------------------------------------------------------------------


UPLOAD_DIR = "jobs"


def purge_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete the stored uploads of jobs finished more than JOB_UPLOAD_RETENTION_DAYS ago, and files under
    media/jobs/ older than that which no job refers to (a submit whose transaction rolled back). Returns the
    number of files deleted. The row keeps its original file name and records when the file went."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.JOB_UPLOAD_RETENTION_DAYS)
    deleted = 0
    finished = (Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=cutoff)
                .exclude(file="").only("pk", "file"))
    for job in finished:
        name = job.file.name
        # Claim first (conditional UPDATE): two workers never both delete, and the row never points at nothing.
        if Job.objects.filter(pk=job.pk, file=name).update(file="", upload_deleted_at=now):
            try:
                default_storage.delete(name)
                deleted += 1
            except OSError as exc:
                log.warning("could not delete upload %s of job %s: %s", name, job.pk, exc)
    root = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    if root.is_dir():
        old = [p for p in root.rglob("*") if p.is_file()
               and dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC) < cutoff]
        if old:
            referenced = set(Job.objects.exclude(file="").values_list("file", flat=True))
            for path in old:
                if path.relative_to(settings.MEDIA_ROOT).as_posix() not in referenced:
                    path.unlink(missing_ok=True)
                    deleted += 1
    if deleted:
        log.info("deleted %s stored uploads older than %s days", deleted, settings.JOB_UPLOAD_RETENTION_DAYS)
    return deleted


def maintain() -> None:
    """What a worker does at start and in its loop: reclaim jobs of dead workers, delete expired uploads."""
    reclaim()
    purge_uploads()
