"""manage.py db_worker: django_tasks_db's worker, plus the upkeep no other process would do — at start and
then every few seconds (a thread of the worker, so also while a long job runs) it reclaims the jobs of dead
workers and deletes expired uploads (jobs.services.maintain). Same options as django_tasks_db's command;
this one replaces it because landguard.jobs comes first in INSTALLED_APPS."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django_tasks_db.management.commands import db_worker as base

from landguard.jobs import services

log = logging.getLogger(__name__)


def _upkeep_interval() -> float:
    # Often enough that a job of a dead worker is back in the queue soon after its lease ran out.
    return min(60.0, max(1.0, settings.JOB_LEASE_SECONDS / 2))


def _upkeep() -> None:
    try:
        services.maintain()
    except DatabaseError as exc:  # e.g. SQLite busy with a long import: the next round tries again
        log.warning("job upkeep skipped: %s", exc)


class Worker(base.Worker):
    def run(self) -> None:
        _upkeep()  # at start: a restarted worker takes back what it (or another) left running
        stop = threading.Event()

        def loop() -> None:
            try:
                while not stop.wait(_upkeep_interval()):
                    _upkeep()
            finally:
                connection.close()

        thread = threading.Thread(target=loop, name="job-upkeep", daemon=True)
        thread.start()
        try:
            super().run()
        finally:
            stop.set()


class Command(base.Command):
    help = base.Command.help + " (LandGuard: also reclaims jobs of dead workers and deletes expired uploads)"

    def handle(self, *args, **options) -> None:
        base.Worker, original = Worker, base.Worker  # the base command builds its Worker by this module name
        try:
            super().handle(*args, **options)
        finally:
            base.Worker = original
