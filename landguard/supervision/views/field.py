"""The field app for phones: my tasks, check-in, resumable hashed photo upload, outcome, restoration,
巡田 (start, track, finish). Pushed notices are read in landguard.inbox."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from landguard.core.access import public, scoped
from landguard.core.scope import RegionScope
from landguard.supervision import forms, patrols, selectors, thumbnails, tunables, verification
from landguard.supervision.models import Photo, Task
from landguard.supervision.views.common import error_text, task_context


SW_CACHE = "landguard-field-v1"  # a new name drops every phone's old copies (the worker deletes other versions)


@scoped
def field_home(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    mine = selectors.my_tasks(scope, request.user)
    open_tasks = mine.exclude(status=Task.Status.CLOSED)[:50]
    context = {"nav": "field", "open_tasks": open_tasks, "closed_count": mine.filter(status=Task.Status.CLOSED).count(),
               "patrols": selectors.patrols(scope).filter(user=request.user)[:10], "sw_cache": SW_CACHE}
    return render(request, "supervision/field_home.html", context)


@public
def field_worker(request: HttpRequest) -> HttpResponse:
    """The field app's service worker (no data: the same script for everyone). Served from the field folder, so
    its scope is the field pages; the browser checks for a new version on each visit (no-cache)."""
    scope = reverse("supervision:field")
    context = {"cache": SW_CACHE, "scope": scope, "static_url": settings.STATIC_URL}
    response = render(request, "supervision/field_sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = scope
    return response


@scoped
def field_session(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The field app's probe: 200 while the session lives. Expired, @scoped redirects to the login page, which
    field.js reads as "log in again, then resume the queued photos, track points and forms"."""
    return JsonResponse({"ok": True}, headers={"Cache-Control": "no-store"})


@scoped
def field_task(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = selectors.get_task(scope, pk)
    clue = task.clue
    context = {**task_context(scope, task), "nav": "field", "outcome_form": forms.OutcomeForm(),
               "acknowledged": task.photos.filter(acknowledged_at__isnull=False).count(),
               "nav_url": f"geo:{clue.location.y:.6f},{clue.location.x:.6f}?q={clue.location.y:.6f},"
               f"{clue.location.x:.6f}",
               "amap_url": f"https://uri.amap.com/marker?position={clue.location.x:.6f},{clue.location.y:.6f}&coordinate=wgs84&callnative=1",
               "checkin_max": tunables.get("SUPERVISION_CHECKIN_MAX_M"),
               "upload": {"start": reverse("supervision:photo-start", args=[task.pk]), "chunk": 256 * 1024},
               "sw_cache": SW_CACHE}
    return render(request, "supervision/field_task.html", context)


def _queued(request: HttpRequest) -> bool:
    """A request replayed by the phone's queue (field.js) wants JSON, not a page: it is sent in the background."""
    return request.headers.get("X-Field-Queue") == "1"


def _answer(request: HttpRequest, task: Task, *, error: str = "", success: str = "") -> HttpResponse:
    if _queued(request):
        if error:
            return JsonResponse({"error": error}, status=400)
        return JsonResponse({"ok": True, "status": task.status, "status_label": task.get_status_display()})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("supervision:field-task", pk=task.pk)


def _field_action(request: HttpRequest, task: Task, action, success: str, **kwargs: Any) -> HttpResponse:
    queued = forms.QueuedForm(request.POST)
    if not queued.is_valid():
        return _answer(request, task, error=_("手机时间或提交编号无效"))
    try:
        task = action(actor=request.user, task=task, key=queued.cleaned_data["key"],
                      device_at=queued.cleaned_data["device_at"], **kwargs)
    except (ValidationError, PermissionDenied) as exc:
        return _answer(request, task, error=error_text(exc))
    return _answer(request, task, success=success)


@scoped
@require_POST
def field_report(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _field_action(request, selectors.get_task(scope, pk), verification.report, _("已签收上报"),
                         note=request.POST.get("note", "")[:300])


@scoped
@require_POST
def field_checkin(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = selectors.get_task(scope, pk)
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        return _answer(request, task, error=_("未取得定位，请允许浏览器使用位置信息后重试"))
    d = form.cleaned_data
    return _field_action(request, task, verification.check_in, _("已到场签到"), lon=d["lon"], lat=d["lat"],
                         accuracy_m=d["accuracy"])


@scoped
@require_POST
def field_outcome(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = selectors.get_task(scope, pk)
    form = forms.OutcomeForm(request.POST)
    if not form.is_valid():
        return _answer(request, task, error=_("请选择核查结论"))
    d = form.cleaned_data
    return _field_action(request, task, verification.submit_outcome, _("核查结论已提交"), outcome=d["outcome"],
                         reason=d["reason"],
                         illegal_area_m2=d["illegal_area_m2"], stopped=d["stopped"])


@scoped
@require_POST
def field_restore(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _field_action(request, selectors.get_task(scope, pk), verification.mark_restored, _("已确认恢复原状"),
                         note=request.POST.get("note", "")[:300])


def _photo_json(photo: Photo, **extra: Any) -> dict[str, Any]:
    return {"id": photo.pk, "received": photo.received, "size": photo.size, "sha256": photo.sha256,
            "acknowledged": photo.acknowledged,
            "url": reverse("supervision:photo-chunk", args=[photo.task_id, photo.pk]), **extra}


@scoped
@require_POST
def photo_start(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    task = selectors.get_task(scope, pk)
    form = forms.PhotoStartForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    d = form.cleaned_data
    try:
        photo = verification.start_photo(actor=request.user, task=task, kind=d["kind"], name=d["name"],
                                         sha256=d["sha256"], size=d["size"],
                                  taken_at=d["taken_at"], lon=d["lon"], lat=d["lat"])
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    return JsonResponse(_photo_json(photo), status=201)


@scoped
@require_http_methods(["GET", "PUT"])
def photo_chunk(request: HttpRequest, scope: RegionScope, pk: int, photo: int) -> HttpResponse:
    """GET: where the upload stands (to resume). PUT with Upload-Offset: write the body at that offset."""
    found = selectors.get_photo(scope, selectors.get_task(scope, pk), photo)
    if request.method == "GET":
        return JsonResponse(_photo_json(found))
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return JsonResponse({"error": "Upload-Offset"}, status=400)
    try:
        result = verification.append_chunk(actor=request.user, photo=found, offset=offset, data=request.body)
    except verification.OffsetMismatch as exc:
        return JsonResponse({**_photo_json(found), "received": exc.expected}, status=409)
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    if result.mismatch:
        return JsonResponse(
            _photo_json(result.photo, error=_("服务器计算的哈希与照片不符，请重新上传"), server_sha256=result.mismatch),
            status=422)
    return JsonResponse(_photo_json(result.photo))


@scoped
@require_GET
def photo_image(request: HttpRequest, scope: RegionScope, pk: int, photo: int,
                size: str) -> HttpResponse | FileResponse:
    """An evidence photo as an image (thumbnail or bounded large view), to whoever may see its task."""
    found = selectors.get_photo(scope, selectors.get_task(scope, pk), photo)
    path = thumbnails.cached(found, size)
    if path is None:
        return HttpResponse(thumbnails.PLACEHOLDER, content_type="image/svg+xml",
                            headers={"Cache-Control": "private, no-cache"})
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


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
        messages.error(request, error_text(exc))
        return redirect("supervision:field")
    return redirect("supervision:patrol", pk=patrol.pk)


@scoped
def patrol_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patrol = selectors.get_patrol(scope, pk)
    context = {"patrol": patrol, "nav": "field", "mine": patrol.user_id == request.user.pk,
               "track_url": reverse("supervision:patrol-track", args=[patrol.pk])}
    return render(request, "supervision/patrol.html", context)


@scoped
@require_POST
def patrol_track(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patrol = selectors.get_patrol(scope, pk)
    try:
        points = json.loads(request.body.decode("utf-8")).get("points", [])
        patrol = patrols.add_points(actor=request.user, patrol=patrol, points=points)
    except (ValueError, AttributeError):
        return JsonResponse({"error": "JSON"}, status=400)
    except (ValidationError, PermissionDenied) as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    return JsonResponse({"points": len(patrol.track), "distance_m": patrol.distance_m})


@scoped
@require_POST
def patrol_finish(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    patrol = selectors.get_patrol(scope, pk)
    form = forms.CheckInForm(request.POST)
    at = (form.cleaned_data["lon"],
          form.cleaned_data["lat"]) if request.POST.get("report") and form.is_valid() else None
    try:
        patrol = patrols.finish(actor=request.user, patrol=patrol, findings=request.POST.get("findings", "")[:2000],
                                finding_at=at)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("supervision:patrol", pk=patrol.pk)
    messages.success(request,
        _("巡田已结束") + (_("，已上报线索 %(clue)s") % {"clue": patrol.clue.number} if patrol.clue else ""))
    return redirect("supervision:field")
