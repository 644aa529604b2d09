"""manage.py sweep_supply [--once] [--interval 300]: the contract-date sweep of the supply ledger — every watched
date that has come raises its item on the 两清 board exactly once, however many copies run (landguard.supply.sweep).
Started by scripts/run.sh beside sweep_deadlines; in production under systemd or cron with --once."""

from __future__ import annotations

import os
import socket
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from landguard.supply import sweep


class Command(BaseCommand):
    help = "Raise the 两清 items of contract dates that have come (交地, 开工, 竣工, instalments), in a loop or --once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit (cron, tests)")
        parser.add_argument("--interval", type=float, default=300.0, help="seconds between passes")

    def handle(self, *args, **options) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}"
        while True:
            raised = sweep.sweep(worker=worker)
            if options["once"]:
                self.stdout.write(f"raised={raised}")
                return
            if raised:
                self.stdout.write(f"raised={raised}")
            close_old_connections()
            time.sleep(options["interval"])
