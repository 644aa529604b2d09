"""卫片 patches: the list, the batch import (a background job), a patch's page and its judgement, and the
illegal-occupation ratio (违法占用耕地比例) with its export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.exports import MU, PERCENT, ExportColumn, xlsx_response
from landguard.core.geodesy import SQM_PER_MU, mu
from landguard.core.scope import RegionScope
from landguard.engine.landclass import code_and_name
from landguard.jobs import services as job_services
from landguard.jobs.models import Job
from landguard.regions import selectors as region_selectors
from landguard.supervision import forms, patches, selectors, tunables
from landguard.supervision import jobs as patch_jobs
from landguard.supervision.models import JUDGEMENT_REASONS, Patch
from landguard.supervision.views.common import error_text, in_township, year_param, yes_no
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import run_service, scope_label
from landguard.shell.maps import map_config


def _patch_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Patch]:
    qs = in_township(values, selectors.patches(scope)).defer("geom")
    if judgement := values.get("judgement"):
        qs = qs.filter(judgement="" if judgement == "none" else judgement)
    if year := values.get("year"):
        qs = qs.filter(year=year)
    if batch := values.get("batch"):
        qs = qs.filter(batch_id=batch)
    return text_filter(qs, values.get("q"), "jcbh")


def _patch_url(patch: Patch) -> str:
    return reverse("supervision:patch-detail", args=[patch.pk])


PATCHES = Listing(
    key="supervision", title=gettext_lazy("卫片图斑"), filename=gettext_lazy("卫片图斑列表"),
    columns=(
        Column(gettext_lazy("图斑编号"), lambda p: p.jcbh, link=_patch_url, badge=True),
        Column(gettext_lazy("批次"), lambda p: p.batch.name),
        Column(gettext_lazy("图斑类型"), lambda p: p.tblx),
        Column(gettext_lazy("原地类"), lambda p: code_and_name(p.dlbm)),
        Column(gettext_lazy("面积（亩）"), lambda p: mu(p.area_m2), digits=2, numeric=True),
        Column(gettext_lazy("占用耕地（亩）"), lambda p: None if p.farmland_m2 is None else mu(p.farmland_m2), digits=2,
               numeric=True),
        Column(gettext_lazy("涉及永久基本农田"),
               lambda p: yes_no(p.sfyn if p.basic_farmland_m2 is None else p.basic_farmland_m2 > 0)),
        Column(gettext_lazy("判定"), lambda p: p.get_judgement_display() or None),
        Column(gettext_lazy("判定依据"), lambda p: p.get_judgement_reason_display() or None, html=False),
        Column(gettext_lazy("整改状态"), lambda p: p.get_rectification_display() or None),
        Column(gettext_lazy("前时相"), lambda p: p.qsx, html=False),
        Column(gettext_lazy("后时相"), lambda p: p.hsx, html=False),
        Column(gettext_lazy("坐落代码"), lambda p: p.region_code, html=False),
    ),
    form_class=forms.PatchFilterForm, rows=_patch_rows, list_url="supervision:patch-list",
    export_url="supervision:patch-export",
    manage_actions=((gettext_lazy("导入卫片批次"), "supervision:patch-import"),
                    (gettext_lazy("分县批量分类"), "supervision:patch-classify")), template="supervision/list.html",
    extra={"subnav": "patches", "links": [(gettext_lazy("违法占用耕地比例"), reverse_lazy("supervision:ratio"))]},
)


patch_list, patch_export = list_views(PATCHES)


@scoped(manage=True)
def patch_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The upload is stored and imported by the background worker (classifying every patch against the county's
    layers takes longer than a request should); the job page shows progress and the import report."""
    form = forms.PatchImportForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        options = {"county": d["county"].code, "name": d["name"].strip(),
                   "month": d["month"].replace(day=1).isoformat(),
                   "encoding": d["encoding"]}
        job = run_service(form, job_services.submit, actor=request.user, kind=patch_jobs.PATCH_BATCH, upload=d["file"],
                          options=options, scope=scope)
        if job is not None:
            messages.success(request, _("已提交导入，正在后台处理"))
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "supervision/form.html",
                  {"form": form, "title": _("导入卫片批次"), "nav": "supervision", "subnav": "patches",
                                                     "multipart": True, "submit_label": _("提交导入"),
                                                     "cancel_url": reverse("supervision:patch-list")})


@scoped(manage=True)
def patch_classify(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Start the province batch: a year's patches of every county in the scope classified on the current layers by
    the background worker, one Dask task per county (supervision/batches.py); the job page shows the counties done."""
    years = list(selectors.patches(scope).order_by("-year").values_list("year", flat=True).distinct())
    form = forms.ProvinceBatchForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        job = run_service(form, job_services.submit_batch, actor=request.user, kind=Job.Kind.PROVINCE_BATCH,
                          name=_("%(year)s 年度卫片图斑分县分类") % {"year": year}, options={"year": year},
                          scope=scope)
        if job is not None:
            messages.success(request, _("已提交，正在后台分县计算"))
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "supervision/form.html",
                  {"form": form, "title": _("卫片图斑分县批量分类"), "nav": "supervision", "subnav": "patches",
                   "submit_label": _("开始分类"), "cancel_url": reverse("supervision:patch-list")})


@scoped
def patch_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patch = selectors.get_patch(scope, pk)
    initial = {"judgement": patch.judgement, "judgement_reason": patch.judgement_reason,
               "rectification": patch.rectification,
               "rectification_kind": patch.rectification_kind, "evidence": patch.evidence}
    context = {"patch": patch, "nav": "supervision", "form": forms.JudgeForm(initial=initial),
               "geojson": patch.geom.geojson,
               "reasons": {j: [(k, str(v)) for k, v in r] for j, r in JUDGEMENT_REASONS.items()},
               "history": audit_selectors.history_of(scope, patch),
               "map_config": map_config(scope, levels=["township"], visible={"township"},
                                                                                             extent=patch.geom.extent)}
    return render(request, "supervision/patch_detail.html", context)


@scoped
@require_POST
def patch_judge(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patch = selectors.get_patch(scope, pk)
    form = forms.JudgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写判定"))
        return redirect(_patch_url(patch))
    d = form.cleaned_data
    try:
        patches.judge(actor=request.user, patch=patch, judgement=d["judgement"], reason=d["judgement_reason"],
                      rectification=d["rectification"], rectification_kind=d["rectification_kind"],
                      evidence=d["evidence"])
        messages.success(request, _("已保存判定"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_patch_url(patch))


def _county(scope: RegionScope) -> tuple[str, str] | None:
    root = region_selectors.scope_root(scope)
    return (root.code, root.name) if root is not None and len(root.code) == 6 else None


def _ratios(scope: RegionScope, year: int):
    return patches.ratios(selectors.patches(scope), year=year, townships=selectors.townships(scope),
                          county=_county(scope), official=selectors.official_farmland(scope, year))


def _ratio_regions(scope: RegionScope) -> dict[str, str]:
    county = _county(scope)
    return {**({county[0]: county[1]} if county else {}), **selectors.townships(scope)}


@scoped
def ratio(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = year_param(request)
    rows, county = _ratios(scope, year)
    lines = patches.thresholds()
    context = {"nav": "supervision", "subnav": "patches", "year": year, "rows": rows, "county": county,
               "formula": patches.FORMULA,
               "local": lines["local"][0] * 100, "local_strict": lines["local"][1],
               "national": lines["national"][0] * 100, "national_strict": lines["national"][1],
               "warning": tunables.get("SUPERVISION_RATIO_WARNING_SHARE") * 100,
               "official_form": forms.OfficialFarmlandForm(regions=_ratio_regions(scope), initial={"year": year}),
               "can_enter": request.user.is_superuser
                            or getattr(request.user, "role", "") in ("admin", "leader", "staff")}
    return render(request, "supervision/ratio.html", context)


@scoped
@require_POST
def ratio_official(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Enter a region's official 新增建设用地占用耕地 of a year: the ratio's denominator from then on."""
    regions = _ratio_regions(scope)
    form = forms.OfficialFarmlandForm(request.POST, regions=regions)
    if not form.is_valid():
        messages.error(request, _("请完整填写区域、年度、面积和数据来源"))
        return redirect(reverse("supervision:ratio"))
    d = form.cleaned_data
    region = region_selectors.get_region(scope, d["region"])
    try:
        patches.set_official_farmland(actor=request.user, region=region, year=d["year"],
                                      farmland_m2=d["farmland_mu"] * SQM_PER_MU, source=d["source"])
        messages.success(request, _("已保存官方数"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("supervision:ratio") + f"?year={d['year']}")


@scoped
def ratio_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = year_param(request)
    rows, county = _ratios(scope, year)
    labels = {"ok": _("正常"), "warn": _("预警"), "over": _("达到阈值")}
    data = ([r.code, r.name, mu(r.illegal_m2), mu(r.total_m2), r.denominator_label, r.percent, r.threshold * 100,
             str(labels[r.level])]
            for r in rows + ([county] if county else []))
    columns = [ExportColumn(str(h), f) for h,
               f in ((_("区划代码"), None), (_("名称"), None), (_("违法占用耕地（亩）"), MU),
                                                     (_("新增建设用地占用耕地（亩）"), MU), (_("分母口径"), None),
                                                     (_("比例（%）"), "0.00"),
                                                     (_("阈值（%）"), PERCENT), (_("状态"), None))]
    return xlsx_response(title=_("%(year)s年违法占用耕地比例") % {"year": year}, scope_label=scope_label(scope),
                         columns=columns,
                         rows=data, filename=_("违法占用耕地比例"))
