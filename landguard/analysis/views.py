"""叠加分析 pages: draw or upload a boundary, choose layers, see the figures and the intersected pieces,
download the same analysis as xlsx or docx.

The result carries a signed token of what was analysed (boundaries, labels, layer versions, the user),
which the download buttons post back: the server reruns exactly that analysis, so nothing the browser
sends is trusted as a figure, nothing is stored per user, and any number of tabs can download their own.
"""

from __future__ import annotations

import base64
from typing import Any

import shapely
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from landguard.analysis import reports, selectors, services
from landguard.analysis.forms import OverlayForm
from landguard.core.access import scoped
from landguard.core.exports import XLSX_MIME
from landguard.core.scope import RegionScope
from landguard.layers import selectors as layer_selectors
from landguard.layers.models import LayerVersion
from landguard.regions import maps as region_maps
from landguard.shell.pages import is_htmx, scope_label
from landguard.shell.maps import map_config

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TOKEN_SALT = "landguard.analysis.report"
TOKEN_MAX_AGE = 24 * 3600  # seconds: a download is the same day's analysis


@scoped
def overlay_page(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = OverlayForm(request.POST or None, request.FILES or None, versions=list(selectors.overlay_versions(scope)))
    context: dict[str, Any] = {"nav": "analysis", "form": form, "area_note": reports.AREA_NOTE,
                               "ownership_note": reports.OWNERSHIP_NOTE}
    if request.method == "POST" and form.is_valid():
        context.update(_analyse(request, scope, form))
    if is_htmx(request):
        return render(request, "analysis/_results.html", context)
    extent = region_maps.scope_extent(scope)
    context["map_config"] = map_config(scope, levels=region_maps.map_levels(scope), visible={"county", "township"},
                                       extent=extent)
    context["overlay_i18n"] = {
        "idle": _("在地图上绘制边界，或上传边界文件。"), "drawing": _("正在绘制：已添加 %(count)s 个顶点"),
        "drawn": _("已绘制边界（%(count)s 个顶点），可以开始分析"), "needThree": _("至少需要 3 个顶点"),
        "file": _("将分析文件 %(name)s 中的边界"), "legend": _("地类（一级类）"), "controls": _("管控图层"),
        "outside": _("区外 / 未覆盖部分"), "level1": _("一级类"), "area": _("面积"), "net": _("净面积"),
        "hectare": _("公顷"), "mu": _("亩"),
    }
    return render(request, "analysis/overlay.html", context)


def _analyse(request: HttpRequest, scope: RegionScope, form: OverlayForm) -> dict[str, Any]:
    data = form.cleaned_data
    boundaries: services.Boundaries = data["boundaries"]
    dltb: services.DltbChoice | None = data["dltb_version"]
    controls: list[LayerVersion] = data["control_versions"]
    try:
        if dltb is None:  # 自动: each county's official layers, of the control kinds ticked
            geometries = services.check_boundaries(scope, boundaries.geometries)
            dltb, chosen = services.choose_layers(scope, boundaries=geometries)
            controls = [v for v in chosen if v.layer.kind in {c.layer.kind for c in controls}]
        results = services.overlay_boundaries(scope=scope, boundaries=boundaries.geometries, dltb=dltb,
                                              controls=controls)
    except services.OverlayError as exc:
        form.add_error(None, exc.describe(boundaries.labels))
        return {}
    report = reports.OverlayReport(boundaries.labels, results, dltb, controls, scope_label(scope), data["source"])
    pks = [int(pk) for r in results for pk in r.pieces.dltb_index]
    return {
        "report": report,
        "sections": report.sections(),
        "reader_warnings": boundaries.warnings,
        "map_data": reports.map_data(report, boundaries.geometries, selectors.feature_ids(scope, dltb, pks)),
        "token": _sign(request, boundaries, dltb, controls, data["source"]),
    }


def _sign(request: HttpRequest, boundaries: services.Boundaries, dltb: services.DltbChoice,
          controls: list[LayerVersion],
          source: str) -> str:
    return signing.dumps(
        {"user": request.user.pk, "wkb": [base64.b64encode(w).decode() for w in shapely.to_wkb(boundaries.geometries)],
                          "labels": boundaries.labels,
                          "dltb": [v.pk for v in services.dltb_versions(dltb)], "controls": [v.pk for v in controls],
                          "source": source},
                         salt=TOKEN_SALT, compress=True)


def _signed_report(request: HttpRequest, scope: RegionScope) -> reports.OverlayReport | None:
    """The analysis a token names, run again (same boundaries, same layer versions); None for a token that
    is not this user's, altered or older than TOKEN_MAX_AGE."""
    try:
        saved = signing.loads(request.POST.get("analysis", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if saved.get("user") != request.user.pk:
        return None
    geoms = shapely.from_wkb([base64.b64decode(w) for w in saved["wkb"]])
    dltbs = [layer_selectors.get_version(scope, pk) for pk in saved["dltb"]]  # 404 if no longer visible
    dltb = dltbs[0] if len(dltbs) == 1 else tuple(dltbs)
    controls = [layer_selectors.get_version(scope, pk) for pk in saved["controls"]]
    results = services.overlay_boundaries(scope=scope, boundaries=geoms, dltb=dltb, controls=controls)
    return reports.OverlayReport(saved["labels"], results, dltb, controls, scope_label(scope), saved["source"])


def _download(request: HttpRequest, scope: RegionScope, suffix: str) -> HttpResponse:
    report = _signed_report(request, scope)
    if report is None:
        messages.error(request, _("分析结果已过期，请重新分析后再下载"))
        return redirect("analysis:overlay")
    content, mime = (reports.build_xlsx(report), XLSX_MIME) if suffix == "xlsx" else (reports.build_docx(report),
        DOCX_MIME)
    stamp = timezone.localtime(report.created).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = content_disposition_header(True, f"{reports.TITLE}-{stamp}.{suffix}")
    response["Cache-Control"] = "private, no-store"
    return response


@scoped
@require_POST
def report_xlsx(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _download(request, scope, "xlsx")


@scoped
@require_POST
def report_docx(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _download(request, scope, "docx")
