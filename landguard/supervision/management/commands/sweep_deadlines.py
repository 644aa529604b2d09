"""manage.py sweep_deadlines [--once] [--interval 30]: the supervision loop — mark 三个一 deadlines past due
and escalate them (exactly once each, however many copies run), then send the pending channel deliveries.
Run one or more beside the web server (see /tmp/supervision_notes.md → docs)."""

from __future__ import annotations

import os
import socket
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from landguard.supervision import channels, sweep


class Command(BaseCommand):
    help = "Escalate breached 三个一 deadlines and send pending notification deliveries, in a loop (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit (cron, tests)")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
        parser.add_argument("--no-deliveries", action="store_true", help="only sweep deadlines")

    def handle(self, *args, **options) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}"
        while True:
            escalated = sweep.sweep(worker=worker)
            sent = 0 if options["no_deliveries"] else channels.deliver_due()
            if options["once"]:
                self.stdout.write(f"escalated={escalated} sent={sent}")
                return
            if escalated or sent:
                self.stdout.write(f"escalated={escalated} sent={sent}")
            close_old_connections()
            time.sleep(options["interval"])
