"""Clues (线索): the list, registering one, its page, triage (valid → a verification task, or a false alarm) and
opening a case."""

from __future__ import annotations

import json
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
from landguard.core.scope import RegionScope
from landguard.supervision import cases as case_services
from landguard.layers.maps import map_data_layers
from landguard.layers.models import LayerKind
from landguard.shell.maps import map_config
from landguard.supervision import forms, geo, intake, selectors, verification
from landguard.supervision.models import Case, Clue, Patch, Task
from landguard.supervision.views.common import (error_text, in_township, local_time, number_or_text, photo_groups,
                                                yes_no)
from landguard.shell.listing import Bulk, BulkAction, Column, Listing, bulk_view, list_views
from landguard.shell.pages import run_service


def _clue_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Clue]:
    qs = in_township(values, selectors.clues(scope))
    if kind := values.get("kind"):
        qs = qs.filter(kind=kind)
    if status := values.get("status"):
        qs = qs.filter(status=status)
    return number_or_text(qs, values.get("q"), "XS", "title", "place_name")


def _clue_url(clue: Clue) -> str:
    return reverse("supervision:clue-detail", args=[clue.pk])


CLUES = Listing(
    key="supervision", title=gettext_lazy("线索"), filename=gettext_lazy("线索列表"),
    columns=(
        Column(gettext_lazy("编号"), lambda c: c.number, link=_clue_url),
        Column(gettext_lazy("标题"), lambda c: c.title, link=_clue_url, badge=True),
        Column(gettext_lazy("来源"), lambda c: c.get_kind_display()),
        Column(gettext_lazy("状态"), lambda c: c.get_status_display()),
        Column(gettext_lazy("坐落"), lambda c: c.place_name),
        Column(gettext_lazy("告警次数"), lambda c: c.detection_count, numeric=True),
        Column(gettext_lazy("涉及耕地"), lambda c: yes_no(c.touches_farmland)),
        Column(gettext_lazy("涉及永久基本农田"), lambda c: yes_no(c.touches_basic_farmland)),
        Column(gettext_lazy("涉及生态保护红线"), lambda c: yes_no(c.touches_eco_redline), html=False),
        Column(gettext_lazy("已批/已供可解释"), lambda c: yes_no(c.explained_by_approval), html=False),
        Column(gettext_lazy("最近发现"), lambda c: local_time(c.last_seen)),
        Column(gettext_lazy("经度"), lambda c: round(c.location.x, 6), html=False),
        Column(gettext_lazy("纬度"), lambda c: round(c.location.y, 6), html=False),
        Column(gettext_lazy("研判意见"), lambda c: c.triage_reason, html=False),
    ),
    form_class=forms.ClueFilterForm, rows=_clue_rows, list_url="supervision:clue-list",
    export_url="supervision:clue-export",
    template="supervision/list.html",
    extra={"subnav": "clues", "links": [(gettext_lazy("登记线索"), reverse_lazy("supervision:clue-new"))]},
    # 研判 many camera clues at once (a morning's alarms): the same services as the clue page, one clue at a time.
    bulk=Bulk("supervision:clue-bulk", (
        BulkAction("prejudge", gettext_lazy("初判，报所长决定"),
                   lambda actor, clue, reason: verification.prejudge(actor=actor, clue=clue, reason=reason)),
        BulkAction("valid", gettext_lazy("研判为疑似违法并派发核查"),
                   lambda actor, clue, reason: verification.dispatch(actor=actor, clue=clue, reason=reason),
                   needs_reason=False),
        BulkAction("false_alarm", gettext_lazy("研判为误报"),
                   lambda actor, clue, reason: verification.mark_false_alarm(actor=actor, clue=clue, reason=reason)),
    ), allowed=verification.can_triage, limit=50),
)


clue_list, clue_export = list_views(CLUES)
clue_bulk = bulk_view(CLUES)


@scoped
def clue_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = forms.ClueEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        clue = run_service(form, intake.report_clue, actor=request.user, kind=d["kind"], lon=d["lon"], lat=d["lat"],
                           title=d["title"], description=d["description"], reporter_name=d["reporter_name"],
                           reporter_phone=d["reporter_phone"])
        if clue is not None:
            messages.success(request, _("已登记线索 %(clue)s") % {"clue": clue.number})
            return redirect(_clue_url(clue))
    return render(request, "supervision/form.html",
                  {"form": form, "title": _("登记线索"), "nav": "supervision", "subnav": "clues",
                                             "cancel_url": reverse("supervision:clue-list")})


@scoped
def clue_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    clue = selectors.get_clue(scope, pk)
    context = {
        "clue": clue, "nav": "supervision",
        "detections": clue.detections.select_related("camera").order_by("observed_at")[:200],
        "task": (task := Task.objects.filter(clue=clue).first()), "case": Case.objects.filter(clue=clue).first(),
        "photo_groups": photo_groups(task),
        "patches": Patch.objects.filter(clue=clue).order_by("pk"), "can_triage": verification.can_triage(request.user),
        "triage_form": forms.TriageForm(),
        "case_form": forms.OpenCaseForm(),
        "history": audit_selectors.history_of(scope, clue),
        "clue_events": clue.events.order_by("at", "id")[:100],
        **_clue_map(scope, clue),
    }
    return render(request, "supervision/clue_detail.html", context)


MAP_MARGIN_DEG = 0.004  # about 350 m around the clue: its parcels and the village around them


def _clue_map(scope: RegionScope, clue: Clue) -> dict[str, Any]:
    """The clue on a map: its point and analysis disc over the township and village outlines, the 地类图斑 on (the
    officer judges the land by it), the other layers of the scope to switch on."""
    if clue.location is None:
        return {}
    x, y = clue.location.x, clue.location.y
    dx, dy = MAP_MARGIN_DEG, MAP_MARGIN_DEG * 0.8
    config = map_config(scope, levels=["township", "village"], visible={"township", "village"},
                        extent=(x - dx, y - dy, x + dx, y + dy))
    layers = map_data_layers(scope)
    dltb = next((layer for layer in layers if layer["layer_kind"] == LayerKind.DLTB), None)
    if dltb is not None:
        dltb["visible"] = True
    config["dataLayers"] = layers
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
                 "properties": {"role": "clue", "name": clue.number}}]
    radius = (clue.enrichment or {}).get("radius_m")
    if radius:
        disc = geo.circle(x, y, float(radius))
        features.append({"type": "Feature", "geometry": json.loads(disc.json), "properties": {"role": "disc"}})
    return {"map_config": config, "clue_features": {"type": "FeatureCollection", "features": features}}


@scoped
@require_POST
def clue_triage(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    clue = selectors.get_clue(scope, pk)
    form = forms.TriageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择研判结论"))
        if form.cleaned_data["decision"] == "prejudge":
            verification.prejudge(actor=request.user, clue=clue, reason=form.cleaned_data["reason"])
            messages.success(request, _("已初判，报所长决定"))
            return redirect(_clue_url(clue))
        if form.cleaned_data["decision"] == "valid":
            task = verification.dispatch(actor=request.user, clue=clue, reason=form.cleaned_data["reason"])
            messages.success(request,
                _("已派发核查任务 %(task)s，推送 %(n)s 个接收方") % {"task": task, "n": task.recipients.count()})
            return redirect("supervision:task-detail", pk=task.pk)
        verification.mark_false_alarm(actor=request.user, clue=clue, reason=form.cleaned_data["reason"])
        messages.success(request, _("已研判为误报"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    return redirect(_clue_url(clue))


@scoped
@require_POST
def clue_open_case(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    clue = selectors.get_clue(scope, pk)
    form = forms.OpenCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写立案号和当事人"))
        return redirect(_clue_url(clue))
    d = form.cleaned_data
    try:
        case = case_services.open_case(actor=request.user, clue=clue, number=d["number"], party=d["party"],
                                       illegal_area_m2=d["illegal_area_m2"] or 0.0, note=d["note"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(_clue_url(clue))
    messages.success(request, _("已立案 %(case)s") % {"case": case})
    return redirect("supervision:case-detail", pk=case.pk)
