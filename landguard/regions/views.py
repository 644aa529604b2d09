"""Region pages: the scoped list (live filter, xlsx export), a region's page by code, and the boundary upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import RegionScope
from landguard.formats.uploads import ENCODING_CHOICES
from landguard.jobs import selectors as job_selectors
from landguard.jobs import services as job_services
from landguard.jobs.models import Job
from landguard.regions import selectors
from landguard.regions.models import Level, Region
from landguard.regions.services import lineage
from landguard.shell.maps import map_config
from landguard.shell.listing import Column, Listing, ScopedFilterForm, list_views, text_filter
from landguard.shell.pages import paginate, run_service


class RegionFilterForm(ScopedFilterForm):
    level = forms.TypedChoiceField(label=_("级别"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("全部级别")), *Level.choices])
    include_retired = forms.BooleanField(label=_("含已停用代码"), required=False)


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Region]:
    queryset = selectors.regions(scope, include_retired=values.get("include_retired", False))
    queryset = queryset.select_related("retired_in").defer("geom")  # boundaries are heavy and not shown here
    if level := values.get("level"):
        queryset = queryset.filter(level=level)
    if township := values.get("township"):
        queryset = queryset.filter(code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "name", "code")


def _detail_url(region: Region) -> str:
    return reverse("regions:detail", args=[region.code])


def _state(region: Region) -> str:
    return str(_("现行")) if region.is_current else str(_("已停用（%(edition)s）") % {"edition": region.retired_in})


REGIONS = Listing(
    key="regions",
    title=_("行政区"),
    filename=_("行政区列表"),
    columns=(
        Column(_("区划代码"), lambda r: r.code, link=_detail_url),
        Column(_("名称"), lambda r: r.name, link=_detail_url, badge=True),
        Column(_("级别"), lambda r: r.get_level_display()),
        Column(_("类型"), lambda r: r.kind),
        Column(_("上级"), lambda r: r.parent.name if r.parent else None),
        Column(_("面积（公顷）"), lambda r: None if r.area_m2 is None else hectares(r.area_m2), digits=4, numeric=True),
        Column(_("面积（亩）"), lambda r: None if r.area_m2 is None else mu(r.area_m2), digits=2, numeric=True),
        Column(_("面积（平方米）"), lambda r: r.area_m2, digits=2, numeric=True, html=False),
        Column(_("边界来源"), lambda r: r.boundary_source, html=False),
        Column(_("状态"), _state),
    ),
    form_class=RegionFilterForm,
    rows=_rows,
    list_url="regions:list",
    export_url="regions:export",
    manage_actions=((_("导入边界"), "regions:boundary-import"),),
)


region_list, region_export = list_views(REGIONS)


def _ancestors(region: Region) -> list[Region]:
    # The parent chain of an in-scope region: its ancestors' names are part of what the user may see
    # (a township officer knows their county), so they are read through the FK, not a scoped selector.
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain[::-1]


CHILD_LAYER = {Level.PROVINCE: "city", Level.CITY: "county", Level.COUNTY: "township", Level.TOWNSHIP: "village",
               Level.VILLAGE: "grid"}


def _map_config(scope: RegionScope, region: Region) -> dict | None:
    """The small map: the region's outline, with its children (or a village's grids) inside it."""
    if region.geom is None:
        return None
    child = CHILD_LAYER.get(region.level)
    config = map_config(scope, levels=[child] if child and region.is_current else [], code=region.code,
                        visible={child} if child else set(), extent=region.geom.extent)
    config["layers"].insert(0, {"key": "self", "label": region.name, "visible": True,
                                "url": f"{reverse('web:regions-geojson')}?code={region.code}"})
    return config


@scoped
def region_detail(request: HttpRequest, scope: RegionScope, code: str) -> HttpResponse:
    region = selectors.get_region(scope, code)
    lineage_pks = lineage(region)
    changes = (selectors.code_changes(scope).filter(Q(old_region_id__in=lineage_pks) | Q(new_region_id__in=lineage_pks))
               .select_related("old_region", "new_region").order_by(F("edition__published").asc(nulls_first=True),
                                                                    "edition__imported_at", "id"))
    children = selectors.regions(scope).filter(parent=region).defer("geom")
    successor = region.current() if not region.is_current else None
    context = {
        "region": region,
        "nav": "regions",
        "ancestors": [(a, selectors.is_visible(scope, a.code)) for a in _ancestors(region)],
        "children": paginate(request, children),
        "child_level": Level(region.level + 1).label if region.level < Level.VILLAGE else None,
        "successor": successor,
        "successor_visible": successor is not None and selectors.is_visible(scope, successor.code),
        "changes": [(c, selectors.is_visible(scope, c.old_code), selectors.is_visible(scope, c.new_code))
                    for c in changes],
        "history": audit_selectors.history_of(scope, region),
        "has_geom": region.geom is not None,
        "map_config": _map_config(scope, region),
    }
    return render(request, "regions/detail.html", context)


class BoundaryImportForm(forms.Form):
    file = forms.FileField(label=_("边界文件"),
        help_text=_("GeoJSON（.geojson/.json）或压缩的 Shapefile（.zip，含 .shp/.dbf/.shx/.prj/.cpg）"))
    crs = forms.ChoiceField(label=_("坐标系"), required=False, choices=[
        ("", _("自动识别（按 .prj 或坐标数值）")), ("cgcs2000", _("CGCS2000 经纬度")), ("wgs84", _("WGS84 经纬度")),
        ("gcj02", _("GCJ-02（高德、腾讯、DataV 等网络地图）"))])
    code_field = forms.CharField(label=_("区划代码字段"), required=False, max_length=30,
                                 help_text=_("留空时自动识别 adcode、code、XZQDM 等字段"))
    source = forms.CharField(label=_("边界来源"), required=False, max_length=100,
                             help_text=_("显示给用户，例如“县自然资源局 2024 年勘界成果”"))
    encoding = forms.ChoiceField(label=_("属性文本编码"), choices=ENCODING_CHOICES, required=False)
    repair = forms.BooleanField(label=_("自动修复无效几何"), required=False,
                                help_text=_("不勾选时，任何无效几何都会使整个文件被拒绝；勾选后修复并在报告中逐条列出"))


@scoped(manage=True)
def boundary_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = BoundaryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        options = {k: v for k, v in form.cleaned_data.items() if k != "file" and v not in ("", None)}
        job = run_service(form, job_services.submit, actor=request.user, kind=Job.Kind.BOUNDARIES,
                          upload=form.cleaned_data["file"], options=options, scope=scope)
        if job is not None:
            return redirect("jobs:detail", pk=job.pk)
    status = 400 if form.is_bound and form.errors else 200
    recent = job_selectors.jobs(scope).filter(kind=Job.Kind.BOUNDARIES)[:10]
    return render(request, "regions/boundary_import.html", {"form": form, "nav": "regions", "recent": recent,
                                                          "max_mb": settings.UPLOAD_MAX_MB}, status=status)
