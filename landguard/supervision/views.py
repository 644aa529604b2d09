"""耕地保护 pages: the overview (cards, map, ECharts, per-township table), clues with triage, verification
tasks, the field app for phones (my tasks, check-in, resumable photo upload, outcome, restoration, 巡田),
the inbox, cameras, 卫片 patches with the occupation ratio, enforcement cases, compliance and the delivery log,
and the public report form. Views are thin: selectors to read, services to write."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from landguard.audit import selectors as audit_selectors
from landguard.core import clock
from landguard.core.access import public, scoped
from landguard.core.client import client_ip
from landguard.core.exports import COUNT, MU, PERCENT, ExportColumn, xlsx_response
from landguard.core.geodesy import mu
from landguard.core.scope import RegionScope
from landguard.jobs import services as job_services
from landguard.regions import selectors as region_selectors
from landguard.supervision import cases as case_services
from landguard.supervision import config, configuration, forms, intake, patches, patrols, selectors, stats, tasks
from landguard.supervision import jobs as patch_jobs
from landguard.supervision.models import (
    JUDGEMENT_REASONS, Camera, Case, Clue, Delivery, Patch, Photo, SourceKind, Task,
)
from landguard.supervision.workflow import CASE_TRANSITIONS
from landguard.web import geo as web_geo
from landguard.web.listing import Column, Listing, export_list, render_list, text_filter
from landguard.web.shell import run_service, scope_label
from landguard.web.views import map_config


def _local(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _township(values: dict[str, Any], qs: QuerySet, field: str = "township_code") -> QuerySet:
    if township := values.get("township"):
        qs = qs.filter(**{f"{field}__startswith": township.code})
    return qs


# --- overview ----------------------------------------------------------------------------------------------


@scoped
def overview(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    data = stats.dashboard(scope)
    year = data["year"]
    config_map = map_config(scope, levels=["county", "township"], extent=web_geo.scope_extent(scope), visible={"county", "township"})
    data["charts"]["i18n"] = {"alerts": _("告警"), "empty": _("暂无数据"), "count": _("数量")}
    context = {"nav": "supervision", "cards": data["cards"], "charts": data["charts"], "year": year,
               "table": stats.township_table(scope, year=year), "definitions": stats.DEFINITIONS,
               "unit_kinds": stats.kind_compliance(stats.unit_compliance(scope)),
               "map_config": config_map, "map_data_url": reverse("supervision:map-data"),
               "can_triage": tasks.can_triage(request.user)}
    return render(request, "supervision/overview.html", context)


TOWNSHIP_COLUMNS = [ExportColumn(h, f) for h, f in (
    (gettext_lazy("区划代码"), None), (gettext_lazy("乡镇（街道）"), None), (gettext_lazy("告警接收"), COUNT),
    (gettext_lazy("线索"), COUNT), (gettext_lazy("推送核查"), COUNT), (gettext_lazy("核实违法"), COUNT),
    (gettext_lazy("立案"), COUNT), (gettext_lazy("结案"), COUNT), (gettext_lazy("时限达标率（%）"), PERCENT),
    (gettext_lazy("新增违法占用耕地（亩）"), MU))]


@scoped
def overview_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = clock.today().year
    rows = ([r.code, r.name, r.alerts, r.clues, r.pushed, r.illegal, r.filed, r.closed, r.compliance, mu(r.new_illegal_m2)]
            for r in stats.township_table(scope, year=year))
    return xlsx_response(title=_("耕地保护分乡镇统计"), scope_label=scope_label(scope), columns=TOWNSHIP_COLUMNS, rows=rows,
                         filename=_("耕地保护分乡镇统计"))


@scoped
def map_data(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """Cameras (coverage discs and points) and the clues of the last 90 days, as one GeoJSON collection."""
    features = []
    for camera in selectors.cameras(scope):
        props = {"layer": "coverage", "name": camera.name, "code": camera.code, "radius": camera.radius_m,
                 "url": reverse("supervision:camera-detail", args=[camera.pk])}
        features.append({"type": "Feature", "geometry": json.loads(camera.coverage.geojson), "properties": props})
        features.append({"type": "Feature", "geometry": json.loads(camera.position.geojson), "properties": {**props, "layer": "camera"}})
    since = clock.now() - dt.timedelta(days=90)
    for clue in selectors.clues(scope).filter(last_seen__gte=since).select_related(None).only("id", "title", "status", "kind", "location", "severity")[:5000]:
        features.append({"type": "Feature", "geometry": json.loads(clue.location.geojson), "properties": {
            "layer": "clue", "name": f"{clue.number} {clue.title}", "status": clue.status, "status_label": clue.get_status_display(),
            "kind": clue.get_kind_display(), "serious": clue.severity == "serious",
            "url": reverse("supervision:clue-detail", args=[clue.pk])}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")


# --- clues ---------------------------------------------------------------------------------------------------


def _clue_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Clue]:
    qs = _township(values, selectors.clues(scope))
    if kind := values.get("kind"):
        qs = qs.filter(kind=kind)
    if status := values.get("status"):
        qs = qs.filter(status=status)
    return text_filter(qs, values.get("q"), "title", "place_name")


def _clue_url(clue: Clue) -> str:
    return reverse("supervision:clue-detail", args=[clue.pk])


def _yes(value: bool | None) -> str | None:
    return None if value is None else (_("是") if value else _("否"))


CLUES = Listing(
    key="supervision", title=gettext_lazy("线索"), filename=gettext_lazy("线索列表"),
    columns=(
        Column(gettext_lazy("编号"), lambda c: c.number, link=_clue_url),
        Column(gettext_lazy("标题"), lambda c: c.title, link=_clue_url, badge=True),
        Column(gettext_lazy("来源"), lambda c: c.get_kind_display()),
        Column(gettext_lazy("状态"), lambda c: c.get_status_display()),
        Column(gettext_lazy("坐落"), lambda c: c.place_name),
        Column(gettext_lazy("告警次数"), lambda c: c.detection_count, numeric=True),
        Column(gettext_lazy("涉及耕地"), lambda c: _yes(c.touches_farmland)),
        Column(gettext_lazy("涉及永久基本农田"), lambda c: _yes(c.touches_basic_farmland)),
        Column(gettext_lazy("涉及生态保护红线"), lambda c: _yes(c.touches_eco_redline), html=False),
        Column(gettext_lazy("已批/已供可解释"), lambda c: _yes(c.explained_by_approval), html=False),
        Column(gettext_lazy("最近发现"), lambda c: _local(c.last_seen)),
        Column(gettext_lazy("经度"), lambda c: round(c.location.x, 6), html=False),
        Column(gettext_lazy("纬度"), lambda c: round(c.location.y, 6), html=False),
        Column(gettext_lazy("研判意见"), lambda c: c.triage_reason, html=False),
    ),
    form_class=forms.ClueFilterForm, rows=_clue_rows, list_url="supervision:clue-list", export_url="supervision:clue-export",
    template="supervision/list.html",
    extra={"subnav": "clues", "links": [(gettext_lazy("登记线索"), reverse_lazy("supervision:clue-new"))]},
)


@scoped
def clue_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, CLUES)


@scoped
def clue_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, CLUES)


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
    return render(request, "supervision/form.html", {"form": form, "title": _("登记线索"), "nav": "supervision", "subnav": "clues",
                                             "cancel_url": reverse("supervision:clue-list")})


@scoped
def clue_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    clue = scope.get_or_404(selectors.clues(scope), "region_code", pk=pk)
    context = {
        "clue": clue, "nav": "supervision", "detections": clue.detections.select_related("camera").order_by("observed_at")[:200],
        "task": Task.objects.filter(clue=clue).first(), "case": Case.objects.filter(clue=clue).first(),
        "patches": Patch.objects.filter(clue=clue).order_by("pk"), "can_triage": tasks.can_triage(request.user),
        "triage_form": forms.TriageForm(), "case_form": forms.OpenCaseForm(initial={"illegal_area_m2": clue.farmland_m2}),
        "history": audit_selectors.history_of(scope, clue),
    }
    return render(request, "supervision/clue_detail.html", context)


@scoped
@require_POST
def clue_triage(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    clue = scope.get_or_404(selectors.clues(scope), "region_code", pk=pk)
    form = forms.TriageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择研判结论"))
        if form.cleaned_data["decision"] == "valid":
            task = tasks.dispatch(actor=request.user, clue=clue, reason=form.cleaned_data["reason"])
            messages.success(request, _("已派发核查任务 %(task)s，推送 %(n)s 个接收方") % {"task": task, "n": task.recipients.count()})
            return redirect("supervision:task-detail", pk=task.pk)
        tasks.mark_false_alarm(actor=request.user, clue=clue, reason=form.cleaned_data["reason"])
        messages.success(request, _("已研判为误报"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect(_clue_url(clue))


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc) or _("该操作超出您的权限。")


@scoped
@require_POST
def clue_open_case(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    clue = scope.get_or_404(selectors.clues(scope), "region_code", pk=pk)
    form = forms.OpenCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写立案号和当事人"))
        return redirect(_clue_url(clue))
    d = form.cleaned_data
    try:
        case = case_services.open_case(actor=request.user, clue=clue, number=d["number"], party=d["party"],
                                       illegal_area_m2=d["illegal_area_m2"] or 0.0, note=d["note"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect(_clue_url(clue))
    messages.success(request, _("已立案 %(case)s") % {"case": case})
    return redirect("supervision:case-detail", pk=case.pk)


# --- tasks ---------------------------------------------------------------------------------------------------


def _task_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Task]:
    qs = _township(values, selectors.tasks(scope))
    if status := values.get("status"):
        qs = qs.filter(status=status)
    if outcome := values.get("outcome"):
        qs = qs.filter(outcome=outcome)
    return qs


def _task_url(task: Task) -> str:
    return reverse("supervision:task-detail", args=[task.pk])


TASKS = Listing(
    key="supervision", title=gettext_lazy("核查任务"), filename=gettext_lazy("核查任务列表"),
    columns=(
        Column(gettext_lazy("编号"), lambda t: t.number, link=_task_url, badge=True),
        Column(gettext_lazy("线索"), lambda t: t.clue.title),
        Column(gettext_lazy("坐落"), lambda t: t.clue.place_name),
        Column(gettext_lazy("状态"), lambda t: t.get_status_display()),
        Column(gettext_lazy("核查结论"), lambda t: t.get_outcome_display() or None),
        Column(gettext_lazy("派发时间"), lambda t: _local(t.dispatched_at)),
        Column(gettext_lazy("签收上报"), lambda t: _local(t.reported_at)),
        Column(gettext_lazy("到场"), lambda t: _local(t.on_site_at)),
        Column(gettext_lazy("恢复原状"), lambda t: _local(t.restored_at), html=False),
        Column(gettext_lazy("销号"), lambda t: _local(t.closed_at), html=False),
        Column(gettext_lazy("违法占地（平方米）"), lambda t: t.illegal_area_m2, digits=2, numeric=True, html=False),
    ),
    form_class=forms.TaskFilterForm, rows=_task_rows, list_url="supervision:task-list", export_url="supervision:task-export",
    template="supervision/list.html", extra={"subnav": "tasks"},
)


@scoped
def task_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, TASKS)


@scoped
def task_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, TASKS)


def _task_context(scope: RegionScope, task: Task) -> dict[str, Any]:
    return {"task": task, "clue": task.clue, "recipients": task.recipients.select_related("org_unit", "field_chief__user"),
            "deadlines": task.deadlines.prefetch_related("escalations__field_chief__user").order_by("due_at"), "events": task.events.all(),
            "photos": task.photos.order_by("created_at"), "deliveries": task.deliveries.select_related("channel")[:50],
            "history": audit_selectors.history_of(scope, task)}


@scoped
def task_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = scope.get_or_404(selectors.tasks(scope), "region_code", pk=pk)
    context = {**_task_context(scope, task), "nav": "supervision", "can_triage": tasks.can_triage(request.user),
               "field_url": reverse("supervision:field-task", args=[task.pk])}
    return render(request, "supervision/task_detail.html", context)


@scoped
@require_POST
def task_close(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = scope.get_or_404(selectors.tasks(scope), "region_code", pk=pk)
    try:
        tasks.close(actor=request.user, task=task, note=request.POST.get("note", "")[:300])
        messages.success(request, _("任务已销号"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect(_task_url(task))


# --- field app (phones) ----------------------------------------------------------------------------------------


@scoped
def field_home(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    mine = selectors.my_tasks(scope, request.user)
    open_tasks = mine.exclude(status=Task.Status.CLOSED)[:50]
    context = {"nav": "field", "open_tasks": open_tasks, "closed_count": mine.filter(status=Task.Status.CLOSED).count(),
               "patrols": selectors.patrols(scope).filter(user=request.user)[:10]}
    return render(request, "supervision/field_home.html", context)


@scoped
def field_session(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The field app's probe: 200 while the session lives. Expired, @scoped redirects to the login page, which
    field.js reads as "log in again, then resume the queued photos, track points and forms"."""
    return JsonResponse({"ok": True}, headers={"Cache-Control": "no-store"})


def _field_task(scope: RegionScope, pk: int) -> Task:
    return scope.get_or_404(selectors.tasks(scope), "region_code", pk=pk)


@scoped
def field_task(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = _field_task(scope, pk)
    clue = task.clue
    context = {**_task_context(scope, task), "nav": "field", "outcome_form": forms.OutcomeForm(),
               "acknowledged": task.photos.filter(acknowledged_at__isnull=False).count(),
               "nav_url": f"geo:{clue.location.y:.6f},{clue.location.x:.6f}?q={clue.location.y:.6f},{clue.location.x:.6f}",
               "amap_url": f"https://uri.amap.com/marker?position={clue.location.x:.6f},{clue.location.y:.6f}&coordinate=wgs84&callnative=1",
               "checkin_max": config.get("SUPERVISION_CHECKIN_MAX_M"),
               "upload": {"start": reverse("supervision:photo-start", args=[task.pk]), "chunk": 256 * 1024}}
    return render(request, "supervision/field_task.html", context)


def _field_action(request: HttpRequest, task: Task, action, success: str, **kwargs: Any) -> HttpResponse:
    try:
        action(actor=request.user, task=task, **kwargs)
        messages.success(request, success)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect("supervision:field-task", pk=task.pk)


@scoped
@require_POST
def field_report(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _field_action(request, _field_task(scope, pk), tasks.report, _("已签收上报"), note=request.POST.get("note", "")[:300])


@scoped
@require_POST
def field_checkin(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = _field_task(scope, pk)
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未取得定位，请允许浏览器使用位置信息后重试"))
        return redirect("supervision:field-task", pk=task.pk)
    d = form.cleaned_data
    return _field_action(request, task, tasks.check_in, _("已到场签到"), lon=d["lon"], lat=d["lat"], accuracy_m=d["accuracy"])


@scoped
@require_POST
def field_outcome(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = _field_task(scope, pk)
    form = forms.OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择核查结论"))
        return redirect("supervision:field-task", pk=task.pk)
    d = form.cleaned_data
    return _field_action(request, task, tasks.submit_outcome, _("核查结论已提交"), outcome=d["outcome"], reason=d["reason"],
                         illegal_area_m2=d["illegal_area_m2"], stopped=d["stopped"])


@scoped
@require_POST
def field_restore(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _field_action(request, _field_task(scope, pk), tasks.mark_restored, _("已确认恢复原状"), note=request.POST.get("note", "")[:300])


def _photo_json(photo: Photo, **extra: Any) -> dict[str, Any]:
    return {"id": photo.pk, "received": photo.received, "size": photo.size, "sha256": photo.sha256,
            "acknowledged": photo.acknowledged, "url": reverse("supervision:photo-chunk", args=[photo.task_id, photo.pk]), **extra}


@scoped
@require_POST
def photo_start(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = _field_task(scope, pk)
    form = forms.PhotoStartForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    d = form.cleaned_data
    try:
        photo = tasks.start_photo(actor=request.user, task=task, kind=d["kind"], name=d["name"], sha256=d["sha256"], size=d["size"],
                                  taken_at=d["taken_at"], lon=d["lon"], lat=d["lat"])
    except ValidationError as exc:
        return JsonResponse({"error": _errors(exc)}, status=400)
    return JsonResponse(_photo_json(photo), status=201)


@scoped
@require_http_methods(["GET", "PUT"])
def photo_chunk(request: HttpRequest, scope: RegionScope, pk: int, photo: int) -> HttpResponse:
    """GET: where the upload stands (to resume). PUT with Upload-Offset: write the body at that offset."""
    task = _field_task(scope, pk)
    found = Photo.objects.filter(task=task, pk=photo).first()
    if found is None:
        raise Http404
    if request.method == "GET":
        return JsonResponse(_photo_json(found))
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return JsonResponse({"error": "Upload-Offset"}, status=400)
    try:
        result = tasks.append_chunk(actor=request.user, photo=found, offset=offset, data=request.body)
    except tasks.OffsetMismatch as exc:
        return JsonResponse({**_photo_json(found), "received": exc.expected}, status=409)
    except ValidationError as exc:
        return JsonResponse({"error": _errors(exc)}, status=400)
    if result.mismatch:
        return JsonResponse(_photo_json(result.photo, error=_("服务器计算的哈希与照片不符，请重新上传"), server_sha256=result.mismatch), status=422)
    return JsonResponse(_photo_json(result.photo))


@scoped
@require_POST
def patrol_start(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未取得定位，请允许浏览器使用位置信息后重试"))
        return redirect("supervision:field")
    try:
        patrol = patrols.start(actor=request.user, lon=form.cleaned_data["lon"], lat=form.cleaned_data["lat"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect("supervision:field")
    return redirect("supervision:patrol", pk=patrol.pk)


@scoped
def patrol_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patrol = scope.get_or_404(selectors.patrols(scope), "region_code", pk=pk)
    context = {"patrol": patrol, "nav": "field", "mine": patrol.user_id == request.user.pk,
               "track_url": reverse("supervision:patrol-track", args=[patrol.pk])}
    return render(request, "supervision/patrol.html", context)


@scoped
@require_POST
def patrol_track(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patrol = scope.get_or_404(selectors.patrols(scope), "region_code", pk=pk)
    try:
        points = json.loads(request.body.decode("utf-8")).get("points", [])
        patrol = patrols.add_points(actor=request.user, patrol=patrol, points=points)
    except (ValueError, AttributeError):
        return JsonResponse({"error": "JSON"}, status=400)
    except (ValidationError, PermissionDenied) as exc:
        return JsonResponse({"error": _errors(exc)}, status=400)
    return JsonResponse({"points": len(patrol.track), "distance_m": patrol.distance_m})


@scoped
@require_POST
def patrol_finish(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patrol = scope.get_or_404(selectors.patrols(scope), "region_code", pk=pk)
    form = forms.CheckInForm(request.POST)
    at = (form.cleaned_data["lon"], form.cleaned_data["lat"]) if request.POST.get("report") and form.is_valid() else None
    try:
        patrol = patrols.finish(actor=request.user, patrol=patrol, findings=request.POST.get("findings", "")[:2000], finding_at=at)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect("supervision:patrol", pk=patrol.pk)
    messages.success(request, _("巡田已结束") + (_("，已上报线索 %(clue)s") % {"clue": patrol.clue.number} if patrol.clue else ""))
    return redirect("supervision:field")


# --- cameras ---------------------------------------------------------------------------------------------------------


def _camera_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Camera]:
    qs = region_selectors.with_region_name(_township(values, selectors.cameras(scope), "region_code"))
    if values.get("device_type") is not None:
        qs = qs.filter(device_type=values["device_type"])
    return text_filter(qs, values.get("q"), "code", "name")


def _camera_url(camera: Camera) -> str:
    return reverse("supervision:camera-detail", args=[camera.pk])


CAMERAS = Listing(
    key="supervision", title=gettext_lazy("监控点位"), filename=gettext_lazy("监控点位列表"),
    columns=(
        Column(gettext_lazy("设备编号"), lambda c: c.code, link=_camera_url),
        Column(gettext_lazy("名称"), lambda c: c.name, link=_camera_url, badge=True),
        Column(gettext_lazy("设备类型"), lambda c: c.get_device_type_display()),
        Column(gettext_lazy("架设高度（米）"), lambda c: c.height_m, digits=0, numeric=True),
        Column(gettext_lazy("监控半径（米）"), lambda c: c.radius_m, digits=0, numeric=True),
        Column(gettext_lazy("经度"), lambda c: round(c.position.x, 6)),
        Column(gettext_lazy("纬度"), lambda c: round(c.position.y, 6)),
        Column(gettext_lazy("所在乡镇"), lambda c: c.region_name),
        Column(gettext_lazy("所在乡镇代码"), lambda c: c.region_code),
        Column(gettext_lazy("在线"), lambda c: c.is_active),
    ),
    form_class=forms.CameraFilterForm, rows=_camera_rows, list_url="supervision:camera-list", export_url="supervision:camera-export",
    manage_actions=((gettext_lazy("新增监控点位"), "supervision:camera-new"),), template="supervision/list.html",
    extra={"subnav": "cameras"},
)


@scoped
def camera_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, CAMERAS)


@scoped
def camera_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, CAMERAS)


@scoped
def camera_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    camera = scope.get_or_404(selectors.cameras(scope), "region_code", pk=pk)
    covered = list(selectors.covered_regions(scope, camera))
    context = {"camera": camera, "nav": "supervision", "townships": [r for r in covered if len(r.code) == 9],
               "villages": [r for r in covered if len(r.code) == 12],
               "recent": camera.detections.select_related("clue").order_by("-observed_at")[:20]}
    return render(request, "supervision/camera_detail.html", context)


# --- 卫片 patches and the occupation ratio --------------------------------------------------------------------------


def _patch_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Patch]:
    qs = _township(values, selectors.patches(scope)).defer("geom")
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
        Column(gettext_lazy("原地类"), lambda p: p.dlbm),
        Column(gettext_lazy("面积（亩）"), lambda p: mu(p.area_m2), digits=2, numeric=True),
        Column(gettext_lazy("占用耕地（亩）"), lambda p: None if p.farmland_m2 is None else mu(p.farmland_m2), digits=2, numeric=True),
        Column(gettext_lazy("涉及永久基本农田"), lambda p: _yes(p.sfyn if p.basic_farmland_m2 is None else p.basic_farmland_m2 > 0)),
        Column(gettext_lazy("判定"), lambda p: p.get_judgement_display() or None),
        Column(gettext_lazy("判定依据"), lambda p: p.get_judgement_reason_display() or None, html=False),
        Column(gettext_lazy("整改状态"), lambda p: p.get_rectification_display() or None),
        Column(gettext_lazy("前时相"), lambda p: p.qsx, html=False),
        Column(gettext_lazy("后时相"), lambda p: p.hsx, html=False),
        Column(gettext_lazy("坐落代码"), lambda p: p.region_code, html=False),
    ),
    form_class=forms.PatchFilterForm, rows=_patch_rows, list_url="supervision:patch-list", export_url="supervision:patch-export",
    manage_actions=((gettext_lazy("导入卫片批次"), "supervision:patch-import"),), template="supervision/list.html",
    extra={"subnav": "patches", "links": [(gettext_lazy("违法占用耕地比例"), reverse_lazy("supervision:ratio"))]},
)


@scoped
def patch_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, PATCHES)


@scoped
def patch_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, PATCHES)


@scoped(manage=True)
def patch_import(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The upload is stored and imported by the background worker (classifying every patch against the county's
    layers takes longer than a request should); the job page shows progress and the import report."""
    form = forms.PatchImportForm(request.POST or None, request.FILES or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        options = {"county": d["county"].code, "name": d["name"].strip(), "month": d["month"].replace(day=1).isoformat(),
                   "encoding": d["encoding"]}
        job = run_service(form, job_services.submit, actor=request.user, kind=patch_jobs.PATCH_BATCH, upload=d["file"],
                          options=options, scope=scope)
        if job is not None:
            messages.success(request, _("已提交导入，正在后台处理"))
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("导入卫片批次"), "nav": "supervision", "subnav": "patches",
                                                     "multipart": True, "submit_label": _("提交导入"),
                                                     "cancel_url": reverse("supervision:patch-list")})


@scoped
def patch_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patch = scope.get_or_404(selectors.patches(scope), "region_code", pk=pk)
    initial = {"judgement": patch.judgement, "judgement_reason": patch.judgement_reason, "rectification": patch.rectification,
               "rectification_kind": patch.rectification_kind, "evidence": patch.evidence}
    context = {"patch": patch, "nav": "supervision", "form": forms.JudgeForm(initial=initial),
               "geojson": patch.geom.geojson, "reasons": {j: [(k, str(v)) for k, v in r] for j, r in JUDGEMENT_REASONS.items()},
               "history": audit_selectors.history_of(scope, patch), "map_config": map_config(scope, levels=["township"], visible={"township"},
                                                                                             extent=patch.geom.extent)}
    return render(request, "supervision/patch_detail.html", context)


@scoped
@require_POST
def patch_judge(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patch = scope.get_or_404(selectors.patches(scope), "region_code", pk=pk)
    form = forms.JudgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写判定"))
        return redirect(_patch_url(patch))
    d = form.cleaned_data
    try:
        patches.judge(actor=request.user, patch=patch, judgement=d["judgement"], reason=d["judgement_reason"],
                      rectification=d["rectification"], rectification_kind=d["rectification_kind"], evidence=d["evidence"])
        messages.success(request, _("已保存判定"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect(_patch_url(patch))


def _ratio_year(request: HttpRequest) -> int:
    try:
        return max(2000, min(2100, int(request.GET.get("year") or clock.today().year)))
    except ValueError:
        return clock.today().year


def _ratios(scope: RegionScope, year: int):
    root = region_selectors.scope_root(scope)
    county = (root.code, root.name) if root is not None and len(root.code) == 6 else None
    return patches.ratios(selectors.patches(scope), year=year, townships=selectors.townships(scope), county=county)


@scoped
def ratio(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = _ratio_year(request)
    rows, county = _ratios(scope, year)
    context = {"nav": "supervision", "subnav": "patches", "year": year, "rows": rows, "county": county, "formula": patches.FORMULA,
               "local": config.get("SUPERVISION_RATIO_LOCAL") * 100, "national": config.get("SUPERVISION_RATIO_NATIONAL") * 100,
               "warning": config.get("SUPERVISION_RATIO_WARNING_SHARE") * 100}
    return render(request, "supervision/ratio.html", context)


@scoped
def ratio_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = _ratio_year(request)
    rows, county = _ratios(scope, year)
    labels = {"ok": _("正常"), "warn": _("预警"), "over": _("超过阈值")}
    data = ([r.code, r.name, mu(r.illegal_m2), mu(r.total_m2), r.percent, r.threshold * 100, str(labels[r.level])]
            for r in rows + ([county] if county else []))
    columns = [ExportColumn(str(h), f) for h, f in ((_("区划代码"), None), (_("名称"), None), (_("违法占用耕地（亩）"), MU),
                                                     (_("新增建设用地占用耕地（亩）"), MU), (_("比例（%）"), "0.00"),
                                                     (_("阈值（%）"), PERCENT), (_("状态"), None))]
    return xlsx_response(title=_("%(year)s年违法占用耕地比例") % {"year": year}, scope_label=scope_label(scope), columns=columns,
                         rows=data, filename=_("违法占用耕地比例"))


# --- enforcement cases -------------------------------------------------------------------------------------------------


def _case_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Case]:
    qs = _township(values, selectors.cases(scope))
    if status := values.get("status"):
        qs = qs.filter(status=status)
    return text_filter(qs, values.get("q"), "number", "party")


def _case_url(case: Case) -> str:
    return reverse("supervision:case-detail", args=[case.pk])


CASES = Listing(
    key="supervision", title=gettext_lazy("执法案件"), filename=gettext_lazy("执法案件列表"),
    columns=(
        Column(gettext_lazy("立案号"), lambda c: c.number, link=_case_url, badge=True),
        Column(gettext_lazy("当事人"), lambda c: c.party),
        Column(gettext_lazy("状态"), lambda c: c.get_status_display()),
        Column(gettext_lazy("立案时间"), lambda c: _local(c.filed_at)),
        Column(gettext_lazy("办案期限"), lambda c: _local(c.due_at)),
        Column(gettext_lazy("违法占地（平方米）"), lambda c: c.illegal_area_m2, digits=2, numeric=True),
        Column(gettext_lazy("没收（平方米）"), lambda c: c.confiscated_m2, digits=2, numeric=True, html=False),
        Column(gettext_lazy("拆除（平方米）"), lambda c: c.demolished_m2, digits=2, numeric=True, html=False),
        Column(gettext_lazy("罚款（元）"), lambda c: float(c.fine_yuan), digits=2, numeric=True),
        Column(gettext_lazy("复耕（平方米）"), lambda c: c.restored_m2, digits=2, numeric=True, html=False),
        Column(gettext_lazy("移送纪检监察（人）"), lambda c: c.referrals, numeric=True, html=False),
        Column(gettext_lazy("结案时间"), lambda c: _local(c.closed_at), html=False),
    ),
    form_class=forms.CaseFilterForm, rows=_case_rows, list_url="supervision:case-list", export_url="supervision:case-export",
    template="supervision/list.html",
    extra={"subnav": "cases", "links": [(gettext_lazy("案件统计"), reverse_lazy("supervision:case-stats"))]},
)


@scoped
def case_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, CASES)


@scoped
def case_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, CASES)


@scoped
def case_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = scope.get_or_404(selectors.cases(scope), "region_code", pk=pk)
    nexts = [(s, Case.Status(s).label) for s in Case.Status.values if s in CASE_TRANSITIONS[case.status]]
    form = forms.CaseStepForm(initial={"to": nexts[0][0] if nexts else ""})
    form.fields["to"].choices = nexts
    window_end = case.notice_served_at + dt.timedelta(days=int(config.get("SUPERVISION_NOTICE_DAYS"))) if case.notice_served_at else None
    pauses = list(case.pauses.all())
    context = {"case": case, "nav": "supervision", "events": case.events.all(), "form": form, "next_steps": nexts,
               "clock": case_services.clock_of(case), "pauses": pauses, "open_pause": next((p for p in pauses if p.ended_at is None), None),
               "pause_form": forms.CasePauseForm(), "resume_form": forms.CaseResumeForm(), "window_end": window_end,
               "can_triage": tasks.can_triage(request.user), "history": audit_selectors.history_of(scope, case)}
    return render(request, "supervision/case_detail.html", context)


@scoped
@require_POST
def case_step(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = scope.get_or_404(selectors.cases(scope), "region_code", pk=pk)
    form = forms.CaseStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写内容"))
        return redirect(_case_url(case))
    d = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    to, note = d.pop("to"), d.pop("note", "")
    try:
        case_services.advance(actor=request.user, case=case, to=to, note=note, **d)
        messages.success(request, _("已办理至“%(status)s”") % {"status": Case.Status(to).label})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect(_case_url(case))


@scoped
@require_POST
def case_pause(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = scope.get_or_404(selectors.cases(scope), "region_code", pk=pk)
    form = forms.CasePauseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择不计入期间并填写理由"))
        period = case_services.pause(actor=request.user, case=case, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"])
        messages.success(request, _("已中止办案期限计时（%(kind)s）") % {"kind": period.get_kind_display()})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect(_case_url(case))


@scoped
@require_POST
def case_resume(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    case = scope.get_or_404(selectors.cases(scope), "region_code", pk=pk)
    form = forms.CaseResumeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请检查填写内容"))
        case_services.resume(actor=request.user, case=case, note=form.cleaned_data["note"])
        messages.success(request, _("已恢复办案期限计时"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect(_case_url(case))


@scoped
def case_stats(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = _ratio_year(request)
    context = {"nav": "supervision", "subnav": "cases", "year": year, "s": stats.case_stats(scope, year=year),
               "all": stats.case_stats(scope), "definitions": stats.DEFINITIONS}
    return render(request, "supervision/case_stats.html", context)


# --- compliance, patrols, deliveries ----------------------------------------------------------------------------------------


@scoped
def compliance(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    rows, total = stats.compliance(scope)
    today = clock.today()
    offices, chiefs = stats.patrol_compliance(scope, year=today.year, month=today.month)
    context = {"nav": "supervision", "subnav": "compliance", "rows": rows, "total": total, "offices": offices,
               "units": stats.unit_compliance(scope), "unit_definition": stats.DEFINITIONS["unit_compliance"],
               "chiefs": chiefs[:200], "chief_count": len(chiefs), "chiefs_ok": sum(1 for c in chiefs if c.ok), "month": today,
               "office_required": config.get("SUPERVISION_OFFICE_PATROLS_PER_MONTH"),
               "definition": stats.DEFINITIONS["compliance"],
               "policy": tasks.durations(SourceKind.CAMERA, "normal")}
    return render(request, "supervision/compliance.html", context)


@scoped
def compliance_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    rows, total = stats.compliance(scope)
    columns = [ExportColumn(str(h), f) for h, f in ((_("乡镇代码"), None), (_("乡镇（街道）"), None), (_("已到期或完成"), COUNT),
                                                     (_("按时完成"), COUNT), (_("进行中"), COUNT), (_("超时"), COUNT),
                                                     (_("已升级"), COUNT), (_("达标率（%）"), PERCENT))]
    data = ([r.code, r.name, r.decided, r.on_time, r.running, r.breached, r.escalated, r.rate] for r in [*rows, total])
    return xlsx_response(title=_("三个一时限达标情况"), scope_label=scope_label(scope), columns=columns, rows=data,
                         filename=_("时限达标情况"))


@scoped
def unit_compliance_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    columns = [ExportColumn(str(h), f) for h, f in ((_("接收方类型"), None), (_("接收单位"), None), (_("已到期或完成"), COUNT),
                                                     (_("按时完成"), COUNT), (_("进行中"), COUNT), (_("超时"), COUNT),
                                                     (_("已升级"), COUNT), (_("达标率（%）"), PERCENT))]
    data = ([u.kind_label, u.name, u.decided, u.on_time, u.running, u.breached, u.escalated, u.rate] for u in stats.unit_compliance(scope))
    return xlsx_response(title=_("三个一时限达标情况（分接收单位）"), scope_label=scope_label(scope), columns=columns, rows=data,
                         filename=_("分接收单位时限达标情况"))


@scoped
def patrol_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    today = clock.today()
    offices, chiefs = stats.patrol_compliance(scope, year=today.year, month=today.month)
    columns = [ExportColumn(str(h), f) for h, f in ((_("巡查主体"), None), (_("区域"), None), (_("本月巡田次数"), COUNT),
                                                     (_("有巡田的周数"), COUNT), (_("要求"), COUNT), (_("达标"), None))]
    data = ([r.label, r.region, r.count, r.weeks, r.required, r.ok] for r in [*offices, *chiefs])
    return xlsx_response(title=_("%(month)s 巡田频次") % {"month": today.strftime("%Y-%m")}, scope_label=scope_label(scope),
                         columns=columns, rows=data, filename=_("巡田频次"))


def _delivery_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Delivery]:
    return _township(values, selectors.deliveries(scope), "region_code")


DELIVERIES = Listing(
    key="supervision", title=gettext_lazy("推送记录"), filename=gettext_lazy("推送记录"),
    columns=(
        Column(gettext_lazy("时间"), lambda d: _local(d.created_at)),
        Column(gettext_lazy("渠道"), lambda d: f"{d.channel.get_kind_display()} · {d.channel.name}"),
        Column(gettext_lazy("任务"), lambda d: str(d.task) if d.task_id else None,
               link=lambda d: reverse("supervision:task-detail", args=[d.task_id]) if d.task_id else None),
        Column(gettext_lazy("标题"), lambda d: d.title),
        Column(gettext_lazy("状态"), lambda d: d.get_status_display()),
        Column(gettext_lazy("尝试次数"), lambda d: d.attempts, numeric=True),
        Column(gettext_lazy("响应码"), lambda d: d.response_status),
        Column(gettext_lazy("最近错误"), lambda d: d.last_error),
        Column(gettext_lazy("送达时间"), lambda d: _local(d.sent_at)),
    ),
    form_class=forms.PlainFilterForm, rows=_delivery_rows, list_url="supervision:delivery-list",
    export_url="supervision:delivery-export", template="supervision/list.html", extra={"subnav": "deliveries"},
)


@scoped
def delivery_list(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return render_list(request, scope, DELIVERIES)


@scoped
def delivery_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return export_list(request, scope, DELIVERIES)


# --- the public report form ------------------------------------------------------------------------------------------------


@public
def public_report(request: HttpRequest) -> HttpResponse:
    """举报 without an account. Shows no data (not even which counties exist): the county is found from the
    point. Limited per client address and hour; a filled honeypot field is accepted silently and dropped."""
    form = forms.PublicReportForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        key = f"landguard:public-report:{client_ip(request)}:{clock.now():%Y%m%d%H}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > int(config.get("SUPERVISION_PUBLIC_REPORTS_PER_HOUR")):
            return render(request, "supervision/public_report.html", {"form": form, "limited": True}, status=429)
        d = form.cleaned_data
        if d["website"]:
            done = True
        else:
            county = intake.county_at(None, intake.geo.point(d["lon"], d["lat"]))
            if county is None:
                form.add_error("lon", _("该位置不在本平台受理范围内"))
            else:
                clue = run_service(form, intake.report_clue, actor=None, kind=SourceKind.REPORT, lon=d["lon"], lat=d["lat"],
                                   title=d["title"], description=d["description"], reporter_name=d["reporter_name"],
                                   reporter_phone=d["reporter_phone"], county=county)
                done = clue is not None
    return render(request, "supervision/public_report.html", {"form": form, "done": done, "limited": False})



# --- settings (admins): alarm sources, cameras, channels, deadline rules -------------------------------------------


def _settings_url() -> str:
    return reverse("supervision:settings")


@scoped(manage=True)
def settings_home(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    context = {"nav": "supervision", "subnav": "settings", "sources": selectors.sources(scope).select_related("region"),
               "channels": selectors.channels(scope), "policies": selectors.policies(scope),
               "default": tasks.durations("", "")}
    return render(request, "supervision/settings.html", context)


def _key_once(request: HttpRequest, source, key: str, *, created: bool, device_username: str = "") -> HttpResponse:
    """The key is in this response only (only its SHA-256 is stored); never cached by the browser or a proxy."""
    response = render(request, "supervision/source_key.html", {
        "nav": "supervision", "subnav": "settings", "source": source, "key": key, "created": created,
        "device_username": device_username, "push_url": request.build_absolute_uri(reverse("api:supervision-alarms-isapi"))})
    response["Cache-Control"] = "no-store"
    return response


@scoped(manage=True)
def source_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = forms.SourceForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        created = run_service(form, intake.create_source, actor=request.user, name=form.cleaned_data["name"].strip(),
                              county=form.cleaned_data["county"])
        if created is not None:
            return _key_once(request, created[0], created[1], created=True)
    return render(request, "supervision/form.html", {"form": form, "title": _("新增告警接入源"), "nav": "supervision",
                                                     "subnav": "settings", "cancel_url": _settings_url()})


@scoped(manage=True)
@require_POST
def source_rotate(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    source = scope.get_or_404(selectors.sources(scope), "region_code", pk=pk)
    try:
        key = intake.rotate_key(actor=request.user, source=source)
    except PermissionDenied as exc:
        messages.error(request, _errors(exc))
        return redirect(_settings_url())
    return _key_once(request, source, key, created=False)


@scoped(manage=True)
@require_POST
def source_device(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """A user name and a new password for cameras that push on their own (海康 ISAPI, HTTP Basic)."""
    source = scope.get_or_404(selectors.sources(scope), "region_code", pk=pk)
    try:
        username, password = intake.issue_device_credentials(actor=request.user, source=source)
    except PermissionDenied as exc:
        messages.error(request, _errors(exc))
        return redirect(_settings_url())
    return _key_once(request, source, password, created=False, device_username=username)


def _camera_form_page(request: HttpRequest, scope: RegionScope, form, *, title: str, camera: Camera | None) -> HttpResponse:
    extent = camera.coverage.extent if camera is not None else web_geo.scope_extent(scope)
    context = {"form": form, "title": title, "nav": "supervision", "subnav": "cameras", "camera": camera,
               "map_config": map_config(scope, levels=["county", "township"], extent=extent, visible={"county", "township"}),
               "cancel_url": _camera_url(camera) if camera is not None else reverse("supervision:camera-list")}
    return render(request, "supervision/camera_form.html", context)


def _camera_values(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("code", "name", "device_type", "lon", "lat", "height_m", "radius_m")}


@scoped(manage=True)
def camera_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = forms.CameraForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        camera = run_service(form, configuration.create_camera, actor=request.user, source=d["source"], is_active=d["is_active"],
                             **_camera_values(d))
        if camera is not None:
            messages.success(request, _("已登记监控点位 %(camera)s") % {"camera": camera})
            return redirect(_camera_url(camera))
    return _camera_form_page(request, scope, form, title=_("新增监控点位"), camera=None)


@scoped(manage=True)
def camera_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    camera = scope.get_or_404(selectors.cameras(scope), "region_code", pk=pk)
    initial = {"code": camera.code, "name": camera.name, "device_type": camera.device_type, "lon": round(camera.position.x, 7),
               "lat": round(camera.position.y, 7), "height_m": camera.height_m, "radius_m": camera.radius_m, "is_active": camera.is_active}
    form = forms.CameraForm(request.POST or None, initial=initial, scope=scope, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, configuration.update_camera, actor=request.user, camera=camera, is_active=d["is_active"],
                            **_camera_values(d))
        if saved is not None:
            messages.success(request, _("已保存，覆盖范围已按新位置和半径重新计算"))
            return redirect(_camera_url(saved))
    return _camera_form_page(request, scope, form, title=_("修改监控点位 %(camera)s") % {"camera": camera}, camera=camera)


def _channel_page(request: HttpRequest, scope: RegionScope, channel=None) -> HttpResponse:
    initial = {} if channel is None else {"kind": channel.kind, "name": channel.name, "url": channel.url, "phones": channel.phones,
                                          "region": channel.region_code, "is_active": channel.is_active}
    form = forms.ChannelForm(request.POST or None, initial=initial, scope=scope, editing=channel is not None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, configuration.save_channel, actor=request.user, channel=channel, kind=d["kind"], name=d["name"],
                            url=d["url"], secret=form.secret_value(), phones=d["phones"], region_code=d["region"].code,
                            is_active=d["is_active"])
        if saved is not None:
            messages.success(request, _("已保存推送渠道“%(name)s”") % {"name": saved.name})
            return redirect(_settings_url())
    title = _("新增推送渠道") if channel is None else _("修改推送渠道“%(name)s”") % {"name": channel.name}
    return render(request, "supervision/form.html", {"form": form, "title": title, "nav": "supervision", "subnav": "settings",
                                                     "cancel_url": _settings_url()})


@scoped(manage=True)
def channel_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _channel_page(request, scope)


@scoped(manage=True)
def channel_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _channel_page(request, scope, scope.get_or_404(selectors.channels(scope), "region_code", pk=pk))


@scoped(manage=True)
@require_POST
def channel_test(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    channel = scope.get_or_404(selectors.channels(scope), "region_code", pk=pk)
    outcome = configuration.send_test(actor=request.user, channel=channel)
    if outcome.ok:
        messages.success(request, _("测试消息已送达“%(name)s”（HTTP %(status)s）") % {"name": channel.name, "status": outcome.status})
    else:
        messages.error(request, _("测试消息发送失败：%(error)s") % {"error": outcome.error or f"HTTP {outcome.status}"})
    return redirect(_settings_url())


def _policy_page(request: HttpRequest, scope: RegionScope, policy=None) -> HttpResponse:
    initial = {} if policy is None else {"region": policy.region_code, "kind": policy.kind, "severity": policy.severity,
                                         "report_minutes": policy.report_minutes, "onsite_minutes": policy.onsite_minutes,
                                         "restore_minutes": policy.restore_minutes}
    form = forms.PolicyForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, configuration.save_policy, actor=request.user, policy=policy, region_code=d["region"].code,
                            kind=d["kind"], severity=d["severity"], report_minutes=d["report_minutes"],
                            onsite_minutes=d["onsite_minutes"], restore_minutes=d["restore_minutes"])
        if saved is not None:
            messages.success(request, _("已保存时限规则，此后派发的任务按此计时"))
            return redirect(_settings_url())
    title = _("新增时限规则") if policy is None else _("修改时限规则")
    return render(request, "supervision/form.html", {"form": form, "title": title, "nav": "supervision", "subnav": "settings",
                                                     "cancel_url": _settings_url()})


@scoped(manage=True)
def policy_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _policy_page(request, scope)


@scoped(manage=True)
def policy_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _policy_page(request, scope, scope.get_or_404(selectors.policies(scope), "region_code", pk=pk))


@scoped(manage=True)
@require_POST
def policy_delete(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    policy = scope.get_or_404(selectors.policies(scope), "region_code", pk=pk)
    try:
        configuration.delete_policy(actor=request.user, policy=policy)
        messages.success(request, _("已删除时限规则"))
    except PermissionDenied as exc:
        messages.error(request, _errors(exc))
    return redirect(_settings_url())
