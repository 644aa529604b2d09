"""The citizens app's background loop (run beside the web server): poll the asynchronous shared-data look-ups of
一证办证 until each answers, and escalate late 12345 work orders to 督办 (each claimed once, so two loops never
escalate an order twice)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from landguard.citizens.hotline import supervise_overdue
from landguard.citizens.polling import poll_due


class Command(BaseCommand):
    help = "Poll pending shared-data requests (一证办证) and escalate late 12345 orders; --once for one pass."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between passes")

    def handle(self, *args, **options) -> None:
        while True:
            answered, escalated = poll_due(), supervise_overdue()
            if options["once"]:
                self.stdout.write(f"answered={answered} escalated={escalated}")
                return
            if answered or escalated:
                self.stdout.write(f"answered={answered} escalated={escalated}")
            time.sleep(options["interval"])
