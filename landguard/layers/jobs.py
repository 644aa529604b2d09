"""Layer import as a background job: the upload page submits it, the worker imports it with the submitter's
scope, and the job page shows progress and the import report. A large features export runs as a job too
(layers/exports.py): the file is written under MEDIA_ROOT and downloaded from the job's page."""

from __future__ import annotations


from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core.scope import scope_for
from landguard.formats.uploads import WEB_UPLOAD_SUFFIXES
from landguard.jobs.models import Job
from landguard.jobs.services import JobFailed, Progress, export_target, export_written, handler
from landguard.layers import exports, selectors
from landguard.layers.models import Layer, LayerKind
from landguard.layers.services import LayerImportError, import_layer
from landguard.regions.models import Region
from landguard.shell.pages import scope_label

@handler(Job.Kind.LAYER, suffixes=WEB_UPLOAD_SUFFIXES)
def run_layer_import(job: Job, progress: Progress) -> list[str]:
    o = job.options
    layer = Layer.objects.filter(pk=o["layer_id"]).first() if o.get("layer_id") else None
    if o.get("layer_id") and layer is None:
        raise JobFailed(_("要更新的图层已不存在"))
    region = layer.region if layer is not None else Region.objects.get(code=o["region_code"], retired_in__isnull=True)
    try:
        report = import_layer(job.file.path, kind=o["kind"], name=o["name"], region=region, year=o.get("year"),
                              source=o.get("source") or "", layer=layer, encoding=o.get("encoding") or None,
                              sublayer=o.get("sublayer") or None, crs=o.get("crs") or None,
                              field_map=o.get("field_map") or None,
                              kcxs_unit=o.get("kcxs_unit") or "auto", repair=bool(o.get("repair")),
                              allow_outside=bool(o.get("allow_outside")), original_name=job.original_name,
                              actor=job.created_by, scope=scope_for(job.created_by), progress=progress,
                              publish=bool(o.get("publish")))
    except LayerImportError as exc:
        # The page's own words for the repair and the outside features (its checkboxes), never the command's flags.
        hint = _("。几何无效的要素可检查数据后，在上传页勾选“自动修复无效几何”重新上传") if exc.repairable else ""
        if exc.outside:
            hint = _("。请核对所属行政区和坐标系；确属本图层的，"
                     "在上传页勾选“允许导入区域外的要素”（接口字段 allow_outside）重新上传")
        raise JobFailed(str(exc) + hint) from None
    Job.objects.filter(pk=job.pk).update(result_url=reverse("layers:detail", args=[report.layer.slug]))
    return report.lines()


@handler(Job.Kind.LAYER_EXPORT, suffixes=())
def run_layer_export(job: Job, progress: Progress) -> list[str]:
    """Write the export with the submitter's scope as it is now (a narrowed scope exports less)."""
    o = job.options
    scope = scope_for(job.created_by)
    version = selectors.versions(scope).filter(layer_id=o["layer_id"], number=o["number"]).first()
    if version is None:
        raise JobFailed(_("要导出的图层版本已不存在，或不在您的数据范围内"))
    features = exports.select(scope, version, **o.get("filters", {}))
    if exports.xlsx_refused(features.count(), o["format"]):
        raise JobFailed(_("要素超过 Excel 单表上限（1,048,574 行），请导出 GeoPackage 或 CSV"))
    relative, path = export_target(job)
    count = exports.write(path, o["format"], features, title=f"{version.layer.name} v{version.number}",
                          scope_label=scope_label(scope), progress=progress,
                          dltb=version.layer.kind == LayerKind.DLTB)
    export_written(job, relative)
    return [_("已导出 %(count)s 个要素") % {"count": count}]
