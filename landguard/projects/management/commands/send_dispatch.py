"""manage.py send_dispatch [--once] [--interval 60]: the dispatch loop — generate the daily digest and the
weekly report for every leadership group when they fall due, store them and notify the members, exactly
once each however many copies run (landguard.projects.report_delivery). Production: docs/architecture.md, "Background
loops"."""

from __future__ import annotations

import os
import socket
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from landguard.projects import report_delivery


class Command(BaseCommand):
    help = "Generate and deliver due dispatch reports (daily digest, weekly report), in a loop (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit (cron, tests)")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes")

    def handle(self, *args, **options) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}"
        while True:
            sent = report_delivery.run_once(worker=worker)
            if options["once"]:
                self.stdout.write(f"sent={sent}")
                return
            if sent:
                self.stdout.write(f"sent={sent}")
            close_old_connections()
            time.sleep(options["interval"])
