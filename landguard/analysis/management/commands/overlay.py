"""manage.py overlay FILE [--layers SLUG,SLUG] [--region CODE] [--crs epsg:4527] [--json]

Overlay the boundaries of a file (any format landguard.formats reads) on the current DLTB and control
layers — the official layers (官方图层) of each county the boundaries overlap, within the region given
(which the boundaries must then lie in), with a subtotal per county for a boundary crossing county lines;
`--layers` names them instead — and print the figures as a readable table or as JSON (the API's shape)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from landguard.analysis import reports, services
from landguard.core.exports import display_width
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import EVERYTHING, RegionScope, scope_codes
from landguard.engine.results import ClassArea
from landguard.regions.models import Region


class Command(BaseCommand):
    help = ("Overlay boundaries from a file on the DLTB and control layers: areas by land class, control layers, "
            "verdicts.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file",
                            help="boundary file: GeoJSON, shapefile (zip), KML/KMZ, GeoPackage, 坐标交换文件, CSV/XLSX")
        parser.add_argument("--layers", default="",
                            help="layer slugs, comma-separated: one DLTB and any control layers "
                                                         "(default: the official layers of each county the boundaries "
                                                         "overlap)")
        parser.add_argument("--region", help="region code: use its layers and check the boundaries lie in it")
        parser.add_argument("--crs",
                            help="source CRS when the file's declaration is missing or wrong: epsg:4527, gcj02 …")
        parser.add_argument("--json", action="store_true", help="print JSON (as POST /api/overlay/ answers)")

    def handle(self, *args, **o) -> None:
        scope, label = EVERYTHING, _("全部行政区")
        if o["region"]:
            region = Region.objects.filter(code=o["region"], retired_in__isnull=True).first()
            if region is None:
                raise CommandError(_("没有代码为 %(code)s 的现行行政区") % {"code": o["region"]})
            scope, label = RegionScope(prefixes=scope_codes(region), root_code=region.code), str(region)
        slugs = [s.strip() for s in o["layers"].split(",") if s.strip()] or None
        try:
            boundaries = services.read_boundaries(o["file"], crs=o["crs"])
            geometries = services.check_boundaries(scope, boundaries.geometries)
            dltb, controls = services.choose_layers(scope, slugs=slugs, boundaries=geometries)
            results = services.overlay_boundaries(scope=scope, boundaries=boundaries.geometries, dltb=dltb,
                                                  controls=controls)
        except services.OverlayError as exc:
            labels = boundaries.labels if exc.boundary_indices else None
            raise CommandError(exc.describe(labels)) from None
        report = reports.OverlayReport(boundaries.labels, results, dltb, controls, label, o["file"])
        if o["json"]:
            body = report.as_dict()
            if boundaries.warnings:
                body["warnings"] = boundaries.warnings
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            return
        for warning in boundaries.warnings:
            self.stderr.write(_("注意：%(warning)s") % {"warning": warning})
        self._print(report)

    def _print(self, report: reports.OverlayReport) -> None:
        out = self.stdout.write
        out(_("图层：%(layers)s") % {"layers": "；".join(f"{u.name} v{u.version}" for u in report.layers)})
        for s in report.sections():
            out("")
            out(self.style.MIGRATE_HEADING(s.label))
            self._table([_("项目"), _("平方米"), _("公顷"), _("亩")],
                        [[name, f"{v:,.2f}", f"{hectares(v):,.4f}", f"{mu(v):,.2f}"] for name, v in s.summary])
            if len(s.subtotals) > 1:
                out(_("分县小计"))
                headers, subtotal_rows = reports.subtotal_table(s)
                self._table(headers, [reports.shown_row(row) for row in subtotal_rows])
            for title, rows in ((_("三大类"), s.big), (_("一级类"), s.level1), (_("二级类"), s.codes)):
                out(title)
                self._table([_("地类"), _("毛面积（公顷）"), _("毛面积（亩）"), _("净面积（公顷）"), _("净面积（亩）")],
                            _class_rows(rows))
            headers, owned = s.ownership_shown
            if owned:
                out(_("权属"))
                self._table(headers, owned)
            if s.controls:
                out(_("管控图层"))
                self._table([_("图层"), _("区内（公顷）"), _("区内（亩）"), _("区外（亩）")],
                            [[c.name, f"{hectares(c.inside_m2):,.4f}", f"{mu(c.inside_m2):,.2f}",
                              "—" if c.outside_m2 is None else f"{mu(c.outside_m2):,.2f}"] for c in s.controls])
            out(_("判定：%(flags)s")
                % {"flags": "；".join(f"{f.label} {mu(f.area_m2):,.2f} 亩" for f in s.flags) or _("无")})
            if s.not_evaluated:
                out(_("未评价（未选择相应图层）：%(items)s") % {"items": "、".join(s.not_evaluated)})
            for warning in s.warnings:
                out(_("提示：%(warning)s") % {"warning": warning})
        out("")
        out(str(reports.AREA_NOTE))

    def _table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        widths = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

        def line(cells: Sequence[str]) -> str:
            # First column left-aligned (names), figures right-aligned; padding counts CJK characters double.
            return "  " + "  ".join(c + " " * (w - display_width(c)) if i == 0 else " " * (w - display_width(c)) + c
                                    for i, (c, w) in enumerate(zip(cells, widths, strict=False)))

        self.stdout.write(line(headers))
        for row in rows:
            self.stdout.write(line(row))


def _class_rows(rows: list[ClassArea]) -> list[list[str]]:
    return [[f"{r.key} {r.label}" if r.key[:1].isdigit() else str(r.label), f"{hectares(r.gross_m2):,.4f}",
             f"{mu(r.gross_m2):,.2f}",
             f"{hectares(r.net_m2):,.4f}", f"{mu(r.net_m2):,.2f}"] for r in rows]
