"""manage.py import_targets FILE [--year Y] [--name …] [--region CODE]: import a responsibility list (责任清单)
as a province or city publishes it, print what was accepted with a warning (totals off by rounding) and the
totals. All or nothing: a real error (unknown region, negative figure, a total beyond rounding) refuses the
file and every problem is printed with its row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from landguard.core.clock import now
from landguard.projects import imports
from landguard.regions.models import Region


class Command(BaseCommand):
    help = "Import a responsibility list (责任清单) xlsx as published; print warnings and totals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="the year the list covers (default: this year)")
        parser.add_argument("--start", type=dt.date.fromisoformat, help="first day of the period (default: 1 January)")
        parser.add_argument("--end", type=dt.date.fromisoformat, help="last day of the period (default: 31 December)")
        parser.add_argument("--name", help="the list's name (default: the file name)")
        parser.add_argument("--region", help="code of the issuing region (default: judged from the rows)")
        parser.add_argument("--floor", type=Decimal, help="保底目标, 万亩")
        parser.add_argument("--stretch", type=Decimal, help="力争目标, 万亩")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        year = options["year"] or timezone.localtime(now()).year  # Asia/Shanghai
        try:
            if options["region"]:
                region = Region.objects.filter(code=options["region"], retired_in__isnull=True).first()
                if region is None:
                    raise CommandError(f"没有区划代码为 {options['region']} 的现行行政区")
            else:
                region = imports.issuing_region(path)
            target_list = imports.import_target_list(
                path, actor=None, name=options["name"] or path.stem, region=region,
                period_start=options["start"] or dt.date(year, 1, 1),
                period_end=options["end"] or dt.date(year, 12, 31),
                floor_wan_mu=options["floor"], stretch_wan_mu=options["stretch"], source_name=path.name)
        except imports.SheetImportError as error:
            raise CommandError("未导入：\n" + "\n".join(error.problems)) from None
        for warning in target_list.import_warnings:
            self.stdout.write(f"提示：{warning}")
        self.stdout.write(f"已导入“{target_list.name}”（{region.name} 下达）：{target_list.targets.count()} 个地区，"
                          f"合计 {target_list.total_cases} 件、{target_list.total_wan_mu} 万亩")
