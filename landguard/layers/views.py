"""Layer registry pages: the scoped list (live filter, xlsx export), a layer's page (versions, land-class
summary, map, features), the upload that runs as a background job, switching the current version, and
exports of features (xlsx, 坐标交换文件)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

import shapely

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.crs import describe_source
from landguard.core.exports import xlsx_file_response
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.formats.exchange import ExchangeParcel, ExchangeWriteError
from landguard.formats.exchange_write import write_exchange
from landguard.engine.landclass import LEVEL1_NAMES, BigClass, UnknownLandClassError, classify
from landguard.jobs import selectors as job_selectors
from landguard.jobs import services as job_services
from landguard.jobs.models import Job
from landguard.layers import exports, selectors, services, tile_keys
from landguard.layers.forms import LayerImportForm
from landguard.layers.maps import data_layer
from landguard.layers.models import Feature, Layer, LayerKind, LayerVersion
from landguard.layers.serving import version_of
from landguard.shell.listing import Column, Listing, ScopedFilterForm, list_views, text_filter
from landguard.shell.pages import paginate, run_service, scope_label

EXCHANGE_MAX_FEATURES = 5000  # a 坐标交换文件 is for parcels of a submission, not a county layer


class LayerFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=_("图层类型"), required=False, choices=[("", _("全部类型")), *LayerKind.choices])

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, scope=scope, **kwargs)
        self.fields.pop("township", None)  # layers belong to counties and townships alike; filter by text instead


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Layer]:
    qs = selectors.layers_with_totals(scope).prefetch_related("versions")
    if kind := values.get("kind"):
        qs = qs.filter(kind=kind)
    return text_filter(qs, values.get("q"), "name", "region_code")


def _current(layer: Layer) -> LayerVersion | None:
    return next((v for v in layer.versions.all() if v.is_current), None)


def _detail_url(layer: Layer) -> str:
    return reverse("layers:detail", args=[layer.slug])


def _of_current(attr: str):
    return lambda layer: getattr(_current(layer), attr, None) if _current(layer) else None


LAYERS = Listing(
    key="layers",
    title=_("图层"),
    filename=_("图层列表"),
    columns=(
        Column(_("名称"), lambda l: l.name, link=_detail_url),
        Column(_("类型"), lambda l: l.get_kind_display()),
        Column(_("官方图层"), lambda l: _("官方图层") if l.is_official else None),
        Column(_("所属行政区"), lambda l: l.region.name),
        Column(_("现行版本"), lambda l: f"v{_current(l).number}" if _current(l) else None),
        Column(_("数据年份"), _of_current("year")),
        # Totals as the user sees them (selectors.layers_with_totals): a township's own share of a county layer.
        Column(_("要素数"), lambda l: l.visible_count if _current(l) else None, digits=0, numeric=True),
        Column(_("面积（公顷）"), lambda l: hectares(l.visible_area) if _current(l) else None, digits=4, numeric=True),
        Column(_("面积（亩）"), lambda l: mu(l.visible_area) if _current(l) else None, digits=2, numeric=True),
        Column(_("原坐标系"), lambda l: describe_source(_of_current("source_crs")(l) or "")),
        Column(_("数据来源"), _of_current("source"), html=False),
        Column(_("导入时间"),
            lambda l: timezone.localtime(_current(l).imported_at).strftime("%Y-%m-%d %H:%M") if _current(l) else None),
    ),
    form_class=LayerFilterForm,
    rows=_rows,
    list_url="layers:list",
    export_url="layers:export",
    manage_actions=((_("导入图层"), "layers:import"),),
)


layer_list, layer_export = list_views(LAYERS)


# --- a layer's page -----------------------------------------------------------------------------------


def class_summary(scope: RegionScope, version: LayerVersion) -> dict[str, list[dict[str, Any]]]:
    """Area of a DLTB version by 三大类, first-level class and code, over the features the user may see:
    gross (图斑面积) and net of 田坎 (Σ area × (1 − KCXS)), from the stored official areas."""
    rows = (selectors.features(scope, version).values("code", "kcxs")
            .annotate(n=Count("id"), gross=Sum("area_m2")).order_by("code"))
    by_code: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = by_code.setdefault(r["code"], {"key": r["code"], "count": 0, "gross": 0.0, "net": 0.0})
        entry["count"] += r["n"]
        entry["gross"] += r["gross"] or 0.0
        entry["net"] += (r["gross"] or 0.0) * (1 - (r["kcxs"] or 0.0))
    big: dict[str, dict[str, Any]] = {}
    level1: dict[str, dict[str, Any]] = {}
    for code, entry in by_code.items():
        try:
            land_class = classify(code)
        except UnknownLandClassError:  # the import refuses unknown codes; an old version may predate a table change
            entry["label"] = code
            continue
        entry["label"] = f"{land_class.code} {land_class.label}"
        for table, key, label in ((big, land_class.big_class.value, land_class.big_class.label),
                                  (level1, land_class.level1_code,
                                   f"{land_class.level1_code} {_(LEVEL1_NAMES[land_class.level1_code])}")):
            agg = table.setdefault(key, {"key": key, "label": label, "count": 0, "gross": 0.0, "net": 0.0})
            for k in ("count", "gross", "net"):
                agg[k] += entry[k]
    big_order = [b.value for b in BigClass]
    return {"big": sorted(big.values(), key=lambda e: big_order.index(e["key"])),
            "level1": sorted(level1.values(), key=lambda e: e["key"]),
            "code": list(by_code.values())}


@scoped
def layer_detail(request: HttpRequest, scope: RegionScope, slug: str) -> HttpResponse:
    layer = selectors.get_layer(scope, slug)
    versions = list(selectors.versions(scope, layer))
    current = next((v for v in versions if v.is_current), None)
    visible = selectors.features(scope, current).aggregate(n=Count("id"), area=Sum("area_m2")) if current else None
    summary = class_summary(scope, current) if current and layer.kind == LayerKind.DLTB else None
    owned = selectors.owns(scope, layer)
    extent = None
    if current and visible and visible["n"]:
        extent = current.extent.extent if owned else _visible_extent(scope, current)
    totals = selectors.version_totals(scope, versions)
    rows = [{"version": v, "count": totals[v.pk][0], "area": totals[v.pk][1], "report": v.report if owned else []}
            for v in versions]
    drafts = [{"version": v, "diff": selectors.diff(scope, v, current)} for v in versions if v.is_draft]
    context = {
        "layer": layer, "nav": "layers", "versions": rows, "current": current, "visible": visible, "summary": summary,
        "drafts": drafts, "owned": owned, "history": audit_selectors.history_of(scope, layer),
        "map_config": _map_config(layer, extent, visible["n"]) if extent else None,
        "exchange_max": EXCHANGE_MAX_FEATURES,
        "gis": _gis_addresses(request, layer) if current else None,
    }
    return render(request, "layers/detail.html", context)


def _gis_addresses(request: HttpRequest, layer: Layer) -> dict[str, Any]:
    """The addresses a GIS client is given for this layer: the OGC API service, the vector-tile template
    (HTTP Basic or token), and the same template with a tile key for clients that can only take a URL."""
    tiles = request.build_absolute_uri(reverse("layerdata:tile", args=[layer.slug, 0, 0, 0])).replace(
        "/tiles/0/0/0.pbf", "/tiles/{z}/{x}/{y}.pbf")
    key = tile_keys.issue(request.user, layer.slug)
    return {"ogc": request.build_absolute_uri(reverse("ogc:landing")), "collection": layer.slug, "tiles": tiles,
            "tiles_keyed": f"{tiles}?{tile_keys.PARAM}={key}", "key_expires": tile_keys.expires()}


def _visible_extent(scope: RegionScope, version: LayerVersion) -> tuple[float, float, float, float] | None:
    from django.contrib.gis.db.models import Extent

    return selectors.features(scope, version).aggregate(e=Extent("geom"))["e"]


def _map_config(layer: Layer, extent: tuple[float, float, float, float], visible_count: int) -> dict[str, Any]:
    from landguard.core.scope import NOTHING
    from landguard.shell.maps import map_config

    config = map_config(NOTHING, levels=[], extent=extent)  # no region overlays: the layer is the subject
    config["layers"].insert(0, data_layer(layer, feature_count=visible_count))
    config["i18n"].update({"featureNo": gettext_now("要素编号"), "landClass": gettext_now("地类编码")})
    return config


# --- features -----------------------------------------------------------------------------------------


class FeatureFilterForm(forms.Form):
    q = forms.CharField(label=_("编号"), required=False, max_length=60,
                        widget=forms.TextInput(
                            attrs={"type": "search", "placeholder": _("要素编号"), "autocomplete": "off"}))
    code = forms.CharField(label=_("地类编码"), required=False, max_length=10)


def _filters(request: HttpRequest) -> dict[str, str]:
    form = FeatureFilterForm(request.GET or None)
    if not form.is_valid():
        return {}
    return {k: form.cleaned_data[k] for k in ("q", "code") if form.cleaned_data.get(k)}


def _features(request: HttpRequest, scope: RegionScope, version: LayerVersion) -> QuerySet[Feature]:
    return exports.select(scope, version, **_filters(request))


@scoped
def feature_list(request: HttpRequest, scope: RegionScope, slug: str) -> HttpResponse:
    layer = selectors.get_layer(scope, slug)
    version = _version_param(request, scope, layer)
    page = paginate(request, _features(request, scope, version))
    return render(request, "layers/features.html", {"layer": layer, "version": version, "page": page, "nav": "layers",
                                                    "form": FeatureFilterForm(request.GET or None)})


def _version_param(request: HttpRequest, scope: RegionScope, layer: Layer) -> LayerVersion:
    """`?v=<number>` on a page; anything else means the current version (the data endpoints refuse it instead)."""
    number = request.GET.get("v")
    return version_of(scope, layer, number if number and number.isdigit() else None)


@scoped
def feature_export(request: HttpRequest, scope: RegionScope, slug: str) -> HttpResponse:
    """xlsx at once up to EXPORT_SYNC_ROWS features; beyond, and for `?format=csv|gpkg`, a background job whose
    page shows progress and then the download; xlsx beyond Excel's row limit is refused, offering the others."""
    layer = selectors.get_layer(scope, slug)
    version = _version_param(request, scope, layer)
    fmt = request.GET.get("format", "xlsx")
    fmt = fmt if fmt in exports.FORMATS else "xlsx"
    features = _features(request, scope, version)
    count = features.count()
    if exports.xlsx_refused(count, fmt):
        query = request.GET.copy()
        links = {}
        for other in ("gpkg", "csv"):
            query["format"] = other
            links[other] = f"{request.path}?{query.urlencode()}"
        return render(request, "layers/export_too_large.html", {"layer": layer, "version": version, "count": count,
                                                                "links": links, "nav": "layers"})
    if exports.needs_job(count, fmt):
        job = exports.submit(actor=request.user, scope=scope, version=version, fmt=fmt, filters=_filters(request))
        messages.info(request, gettext_now("导出较大，正在后台生成…完成后可在本页下载。"))
        return redirect("jobs:detail", job.pk)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xlsx"
        exports.write(path, "xlsx", features, title=f"{layer.name} v{version.number}", scope_label=scope_label(scope),
                      dltb=layer.kind == LayerKind.DLTB)
        return xlsx_file_response(path.read_bytes(), filename=layer.name)


def _exchange_zone(layer: Layer, geoms: Any) -> int:
    """One layer, one zone: the 3° zone of its region's centre, whichever features a filter picked (冠县 straddles
    115.5°E, so zoning each export by its own features put one county's files in zones 38 and 39)."""
    outline = layer.region.geom
    if outline is not None:
        west, _south, east, _north = outline.extent
        return round((west + east) / 2 / 3)
    return round(float(shapely.centroid(shapely.union_all(shapely.envelope(geoms))).x) / 3)


@scoped
def exchange_export(request: HttpRequest, scope: RegionScope, slug: str) -> HttpResponse:
    """The features as a 自然资源部 坐标交换文件 (GBK, CRLF) in the 3° zone of the layer's region."""
    layer = selectors.get_layer(scope, slug)
    version = _version_param(request, scope, layer)
    qs = _features(request, scope, version)
    count = qs.count()
    if count > EXCHANGE_MAX_FEATURES:
        return HttpResponse(
            gettext_now("要素过多（%(count)s 个）：坐标交换文件最多导出 %(max)s 个地块，请先按编号或地类筛选")
                            % {"count": count, "max": EXCHANGE_MAX_FEATURES}, status=400,
                            content_type="text/plain; charset=utf-8")
    rows = list(qs.values_list("fid", "code", "area_m2", "geom"))
    if not rows:
        return HttpResponse(gettext_now("没有可导出的要素"), status=400, content_type="text/plain; charset=utf-8")
    geoms = shapely.from_wkb([bytes(g.wkb) for *_r, g in rows])
    parcels = [ExchangeParcel(geometry=g, number=fid, name=layer.name if len(rows) == 1 else "", land_class=code,
                              area_ha=area / 10_000) for (fid, code, area, _g), g in zip(rows, geoms, strict=True)]
    try:
        text = write_exchange(parcels, zone=_exchange_zone(layer, geoms), producer=str(layer.region.name),
                              produced=timezone.localdate())
    except ExchangeWriteError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text.encode("gbk", errors="replace"), content_type="text/plain; charset=gbk")
    response["Content-Disposition"] = content_disposition_header(True, f"{layer.name}-v{version.number}-坐标.txt")
    response["Cache-Control"] = "private, no-store"
    return response


# --- writes -------------------------------------------------------------------------------------------


@scoped(manage=True)
def layer_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = LayerImportForm(request.POST or None, request.FILES or None, scope=scope,
                           initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        job = run_service(form, job_services.submit, actor=request.user, kind=Job.Kind.LAYER,
                          upload=form.cleaned_data["file"], options=form.job_options(), scope=scope)
        if job is not None:
            return redirect("jobs:detail", pk=job.pk)
    status = 400 if form.is_bound and form.errors else 200
    recent = job_selectors.jobs(scope).filter(kind=Job.Kind.LAYER)[:10]
    return render(request, "layers/import.html", {"form": form, "nav": "layers", "recent": recent,
                                                  "max_mb": settings.UPLOAD_MAX_MB}, status=status)


@require_POST
@scoped(manage=True)
def set_current(request: HttpRequest, scope: RegionScope, slug: str, number: int) -> HttpResponse:
    layer = selectors.get_layer(scope, slug)
    version = selectors.get_owned_version(scope, layer, number)
    try:
        services.set_current(version=version, actor=request.user, scope=scope)
    except services.LayerImportError as exc:
        raise ValidationError(str(exc)) from None
    return redirect("layers:detail", slug=layer.slug)


@require_POST
@scoped(manage=True)
def designate_official(request: HttpRequest, scope: RegionScope, slug: str) -> HttpResponse:
    """Make the layer its county's 官方图层 of its kind (managers of a scope holding the layer only)."""
    layer = selectors.get_layer(scope, slug)
    if not selectors.owns(scope, layer):
        raise Http404
    try:
        services.designate_official(actor=request.user, layer=layer, scope=scope)
    except services.LayerImportError as exc:
        raise ValidationError(str(exc)) from None
    return redirect("layers:detail", slug=layer.slug)
