"""manage.py import_regions PATH --edition NAME [--format mca|nbs] [--published YYYY-MM-DD] [--prefix 3715]"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from landguard.regions.importers import RegionImportError, import_code_table


class Command(BaseCommand):
    help = "Import one edition of the administrative division code table (MCA region.csv or NBS csv files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="MCA region.csv, an NBS folder, or one NBS csv file")
        parser.add_argument("--format", choices=["mca", "nbs"], dest="fmt", help="detected from the file when omitted")
        parser.add_argument("--edition", required=True, help="edition name, e.g. mca-xzqh-20251231")
        parser.add_argument("--published", type=dt.date.fromisoformat, help="publication date YYYY-MM-DD")
        parser.add_argument("--prefix", default="", help="only this code, its ancestors and everything below it")
        parser.add_argument("--source", default="", help="where the table came from")

    def handle(self, *args, **options) -> None:
        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(_("已处理 %(done)s / %(total)s") % {"done": done, "total": total})

        try:
            report = import_code_table(options["path"], edition=options["edition"], published=options["published"],
                                       source=options["source"], fmt=options["fmt"], prefix=options["prefix"],
                                       progress=progress)
        except RegionImportError as exc:
            raise CommandError(_("导入失败：%(error)s") % {"error": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("区划代码表导入完成。")))
        for line in report.lines():
            self.stdout.write(line)
