"""Reads of jobs, through the caller's RegionScope: a job is visible inside the scope it was submitted from."""

from __future__ import annotations

from django.db.models import QuerySet

from landguard.core.scope import RegionScope, one_or_404
from landguard.jobs.models import Job


def jobs(scope: RegionScope) -> QuerySet[Job]:
    return scope.filter(Job.objects.select_related("created_by"), "scope_code")


def get_job(scope: RegionScope, pk: int) -> Job:
    return one_or_404(jobs(scope), pk=pk)
