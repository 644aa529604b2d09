"""manage.py import_boundaries PATH [--crs gcj02|wgs84|cgcs2000|epsg:4527] [--code-field adcode] [--only 371525,371522]
[--encoding GBK] [--repair]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from landguard.regions.boundary_import import import_boundaries
from landguard.regions.importers import RegionImportError


class Command(BaseCommand):
    help = "Import region boundaries from GeoJSON, a Shapefile or a zipped Shapefile (converted to CGCS2000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=".json/.geojson, .shp or .zip")
        parser.add_argument("--crs",
                            help="source CRS: gcj02, wgs84, cgcs2000 or epsg:NNNN (default: .prj, then the values)")
        parser.add_argument("--code-field", help="attribute holding the division code (default: adcode/code/XZQDM…)")
        parser.add_argument("--name-field", help="attribute holding the name, checked against the code table")
        parser.add_argument("--only", help="comma-separated codes to import; other features are skipped")
        parser.add_argument("--source", default="", help="boundary source shown to users")
        parser.add_argument("--encoding",
                            help="attribute text encoding (default: .cpg, else GBK; GeoJSON: UTF-8, else GB18030)")
        parser.add_argument("--repair", action="store_true",
                            help="make invalid geometries valid (each repair is reported) "
                                 "instead of rejecting the file")
        parser.add_argument("--synthetic", action="store_true", help="mark the boundaries as synthetic demo data")

    def handle(self, *args, **options) -> None:
        only = {c.strip() for c in options["only"].split(",") if c.strip()} if options["only"] else None
        try:
            report = import_boundaries(options["path"], crs=options["crs"], code_field=options["code_field"],
                                       name_field=options["name_field"], only_codes=only, source=options["source"],
                                       synthetic=options["synthetic"], repair=options["repair"],
                                       encoding=options["encoding"])
        except RegionImportError as exc:
            raise CommandError(_("导入失败：%(error)s") % {"error": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("边界导入完成。")))
        for line in report.lines():
            self.stdout.write(line)
