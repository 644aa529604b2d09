"""Submitting and running background jobs.

`submit` stores the upload and enqueues the task once the row is committed; `run` (called by the worker
through tasks.run_job) claims the job with a conditional UPDATE — so two workers never run one job — and
hands it to the handler registered for its kind. A handler raises JobFailed with a message for the user;
anything else is logged and reported as an internal error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.core.scope import RegionScope
from landguard.jobs.models import Job
from landguard.layers.readers import LayerReadError, check_upload_size

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Handler = Callable[[Job, Progress], list[str]]


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


def _progress_key(job_id: int) -> str:
    return f"landguard:job-progress:{job_id}"


def progress(job: Job) -> dict[str, int] | None:
    """{"done": n, "total": m} while the job runs and its handler reports progress, else None."""
    return cache.get(_progress_key(job.pk)) if job.status == Job.Status.RUNNING else None


def run(job_id: int) -> Job | None:
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING,
                                                                               started_at=timezone.now())
    if not claimed:  # already taken by another worker, or finished
        return None
    job = Job.objects.select_related("created_by").get(pk=job_id)
    key = _progress_key(job_id)

    def report_progress(done: int, total: int) -> None:
        cache.set(key, {"done": done, "total": total}, timeout=6 * 3600)

    outcome: dict[str, Any]
    try:
        lines = HANDLERS[job.kind].run(job, report_progress)
        outcome = {"status": Job.Status.DONE, "report": lines}
    except JobFailed as exc:
        outcome = {"status": Job.Status.FAILED, "error": str(exc)}
    except Exception:  # a bug, not bad input: keep the traceback in the log, tell the user plainly
        log.exception("job %s failed", job_id)
        outcome = {"status": Job.Status.FAILED, "error": _("内部错误，请联系系统管理员（任务编号 %(id)s）") % {"id": job_id}}
    finally:
        cache.delete(key)
    outcome["finished_at"] = timezone.now()
    Job.objects.filter(pk=job_id).update(**outcome)
    job.refresh_from_db()
    return job
