"""Drop the personal data of closed matters past their retention period (landguard.citizens.retention)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from landguard.citizens.retention import purge


class Command(BaseCommand):
    help = "Clear personal data of closed consultations, 12345 orders and 信访 cases past CITIZENS_RETENTION_YEARS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args, **options) -> None:
        done = purge(dry_run=options["dry_run"])
        verb = "would clear" if options["dry_run"] else "cleared"
        self.stdout.write(f"{verb} matters={done.matters} persons={done.persons}")
