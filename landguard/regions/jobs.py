"""Boundary import as a background job: the upload page submits it, the worker runs it with the submitter's
scope (a feature outside it rejects the file) and the job page shows progress and the import report."""

from __future__ import annotations

from landguard.core.scope import scope_for
from landguard.jobs.models import Job
from landguard.jobs.services import JobFailed, Progress, handler
from landguard.regions.boundary_import import VECTOR_SUFFIXES, import_boundaries
from landguard.regions.importers import RegionImportError


# A loose .shp cannot come alone through a web form (its .dbf/.shx would be missing): zipped shapefiles only.
@handler(Job.Kind.BOUNDARIES, suffixes=VECTOR_SUFFIXES | {".zip"})
def run_boundary_import(job: Job, progress: Progress) -> list[str]:
    options = job.options
    try:
        report = import_boundaries(job.file.path, crs=options.get("crs") or None,
                                   code_field=options.get("code_field") or None,
                                   source=options.get("source") or job.original_name,
                                   repair=bool(options.get("repair")), encoding=options.get("encoding") or None,
                                   scope=scope_for(job.created_by), actor=job.created_by, progress=progress)
    except RegionImportError as exc:
        raise JobFailed(str(exc)) from None
    return report.lines()
