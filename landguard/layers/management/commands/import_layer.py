"""manage.py import_layer PATH --kind dltb (--region 371525 [--name …] | --layer SLUG) [--year 2023] [--source …]
[--encoding GBK] [--sublayer NAME] [--crs epsg:4527] [--map DLBM=地类编码,KCXS=TKXS]
[--kcxs-unit auto|fraction|percent|per_value] [--repair] [--allow-outside] [--publish]

A new version of an existing layer is a draft until published (its page's button, or --publish here)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from landguard.layers.models import Layer, LayerKind
from landguard.layers.schema import FieldMappingError, parse_mapping
from landguard.layers.services import LayerImportError, import_layer
from landguard.regions.models import Region


class Command(BaseCommand):
    help = ("Import a layer file (shapefile/zip, GeoPackage, GeoJSON, KML/KMZ, CSV/XLSX coordinates, 坐标交换文件) as a"
            " new version.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--kind", required=True, choices=LayerKind.values)
        parser.add_argument("--region", help="code of the owning region, e.g. 371525 (not needed with --layer)")
        parser.add_argument("--layer", help="slug of an existing layer: the file becomes its new version")
        parser.add_argument("--name",
                            help="layer name (default: region name + kind); an existing layer gets a new version")
        parser.add_argument("--year", type=int)
        parser.add_argument("--source", default="")
        parser.add_argument("--encoding",
                            help="attribute text encoding when .cpg is missing or wrong (default GBK for shapefiles)")
        parser.add_argument("--sublayer", help="GeoPackage layer, KML folder, XLSX sheet or the file inside a zip")
        parser.add_argument("--crs",
            help="source CRS when the file's declaration is missing or wrong: epsg:4527, cgcs2000, wgs84, gcj02")
        parser.add_argument("--map", default="", help="field mapping STANDARD=COLUMN[,…], e.g. DLBM=地类编码,KCXS=TKXS")
        parser.add_argument("--kcxs-unit", default="auto", choices=["auto", "fraction", "percent", "per_value"])
        parser.add_argument("--repair", action="store_true",
                            help="make invalid geometries valid (each repair is reported) "
                                 "instead of rejecting the file")
        parser.add_argument("--allow-outside", action="store_true",
                            help="import features lying more than 2 km outside the region (each is reported) "
                                 "instead of rejecting the file")
        parser.add_argument("--publish", action="store_true",
                            help="make a new version of an existing layer current at once (otherwise it is a draft)")

    def handle(self, *args, **o) -> None:
        layer = None
        if o["layer"]:
            layer = Layer.objects.select_related("region").filter(slug=o["layer"]).first()
            if layer is None:
                raise CommandError(_("没有标识为 %(slug)s 的图层") % {"slug": o["layer"]})
            region = layer.region
        elif not o["region"]:
            raise CommandError(_("请用 --region 指定所属行政区，或用 --layer 指定已有图层"))
        else:
            region = Region.objects.filter(code=o["region"], retired_in__isnull=True).first()
            if region is None:
                raise CommandError(_("没有代码为 %(code)s 的现行行政区") % {"code": o["region"]})
        name = layer.name if layer else (o["name"] or f"{region.name}{LayerKind(o['kind']).label}")
        last = [0]

        def progress(done: int, total: int, stage: str = "") -> None:  # jobs.services.Stages: per mille, the stage
            if sys.stderr.isatty() and (done - last[0] >= total / 20 or done == total):
                last[0] = done
                self.stderr.write(f"\r{stage} {done * 100 // max(total, 1)}%", ending="")

        try:
            report = import_layer(o["path"], kind=o["kind"], name=name, region=region, year=o["year"],
                                  source=o["source"],
                                  encoding=o["encoding"], sublayer=o["sublayer"], crs=o["crs"],
                                  field_map=parse_mapping(o["map"]),
                                  kcxs_unit=o["kcxs_unit"], repair=o["repair"], allow_outside=o["allow_outside"],
                                  progress=progress, layer=layer,
                                  publish=o["publish"])
        except LayerImportError as exc:
            hint = _("（几何无效的要素可检查数据后加 --repair 自动修复）") if exc.repairable else ""
            if exc.outside:
                hint = _("（请核对所属行政区和坐标系；确属本图层的，加 --allow-outside 导入）")
            raise CommandError(_("导入失败：%(error)s") % {"error": f"{exc}{hint}"}) from None
        except FieldMappingError as exc:
            raise CommandError(_("导入失败：%(error)s") % {"error": exc}) from None
        self.stdout.write(self.style.SUCCESS(_("图层导入完成。")))
        if report.version.is_draft:
            self.stdout.write(
                self.style.WARNING(
                    _("新版本为草稿，现行版本未变。确认无误后在图层页面发布，或加 --publish 重新导入。")))
        for line in report.lines():
            self.stdout.write(line)
