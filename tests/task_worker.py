"""Run the background tasks a test enqueued, as `manage.py db_worker` would (shared by the job tests)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_ready_tasks() -> None:
    """What `manage.py db_worker` does for each ready task — claim it, deserialise it, run it, record the
    result — minus its loop, whose close_old_connections() would close the test's transaction on PostgreSQL."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
    ready = list(DBTaskResult.objects.ready())
    assert ready, "nothing was enqueued"
    for result in ready:
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        assert result.status == "SUCCESSFUL", result.traceback
