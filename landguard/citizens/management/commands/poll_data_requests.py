"""Poll the asynchronous shared-data look-ups of 一证办证 until each answers (run beside the web server)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from landguard.citizens.polling import poll_due


class Command(BaseCommand):
    help = "Poll pending asynchronous shared-data requests (一证办证); --once for one pass."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=10.0, help="seconds between passes")

    def handle(self, *args, **options) -> None:
        while True:
            answered = poll_due()
            if options["once"]:
                self.stdout.write(f"answered={answered}")
                return
            if answered:
                self.stdout.write(f"answered={answered}")
            time.sleep(options["interval"])
