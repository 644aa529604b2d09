"""The one background task: run a submitted job. The worker (`manage.py db_worker`) picks it up."""

from django_tasks import task

from landguard.jobs import services


@task()
def run_job(job_id: int) -> None:
    services.run(job_id)
