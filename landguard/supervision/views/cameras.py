"""Cameras (监控点位): the list, a camera's page with its coverage, and (admins) adding or moving one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.regions import selectors as region_selectors
from landguard.supervision import forms, selectors, settings_services
from landguard.supervision.models import Camera
from landguard.supervision.views.common import in_township
from landguard.regions import maps as region_maps
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import run_service
from landguard.shell.maps import map_config


def _camera_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Camera]:
    qs = region_selectors.with_region_name(in_township(values, selectors.cameras(scope), "region_code"))
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
        Column(gettext_lazy("巡航周期（分钟）"), lambda c: c.scan_cycle_minutes, numeric=True),
        Column(gettext_lazy("经度"), lambda c: round(c.position.x, 6)),
        Column(gettext_lazy("纬度"), lambda c: round(c.position.y, 6)),
        Column(gettext_lazy("所在乡镇"), lambda c: c.region_name),
        Column(gettext_lazy("所在乡镇代码"), lambda c: c.region_code),
        Column(gettext_lazy("在线"), lambda c: c.is_active),
    ),
    form_class=forms.CameraFilterForm, rows=_camera_rows, list_url="supervision:camera-list",
    export_url="supervision:camera-export",
    manage_actions=((gettext_lazy("新增监控点位"), "supervision:camera-new"),), template="supervision/list.html",
    extra={"subnav": "cameras"},
)


camera_list, camera_export = list_views(CAMERAS)


@scoped
def camera_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    camera = selectors.get_camera(scope, pk)
    covered = list(selectors.covered_regions(scope, camera))
    context = {"camera": camera, "nav": "supervision", "townships": [r for r in covered if len(r.code) == 9],
               "villages": [r for r in covered if len(r.code) == 12],
               "recent": camera.detections.select_related("clue").order_by("-observed_at")[:20]}
    return render(request, "supervision/camera_detail.html", context)


def _camera_form_page(request: HttpRequest, scope: RegionScope, form, *, title: str,
                      camera: Camera | None) -> HttpResponse:
    extent = camera.coverage.extent if camera is not None else region_maps.scope_extent(scope)
    context = {"form": form, "title": title, "nav": "supervision", "subnav": "cameras", "camera": camera,
               "map_config": map_config(scope, levels=["county", "township"], extent=extent,
                                        visible={"county", "township"}),
               "cancel_url": _camera_url(camera) if camera is not None else reverse("supervision:camera-list")}
    return render(request, "supervision/camera_form.html", context)


def _camera_values(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("code", "name", "device_type", "lon", "lat", "height_m", "radius_m",
                              "scan_cycle_minutes")}


@scoped(manage=True)
def camera_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = forms.CameraForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        camera = run_service(form, settings_services.create_camera, actor=request.user, source=d["source"],
                             is_active=d["is_active"],
                             **_camera_values(d))
        if camera is not None:
            messages.success(request, _("已登记监控点位 %(camera)s") % {"camera": camera})
            return redirect(_camera_url(camera))
    return _camera_form_page(request, scope, form, title=_("新增监控点位"), camera=None)


@scoped(manage=True)
def camera_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    camera = selectors.get_camera(scope, pk)
    initial = {"code": camera.code, "name": camera.name, "device_type": camera.device_type,
               "lon": round(camera.position.x, 7),
               "lat": round(camera.position.y, 7), "height_m": camera.height_m, "radius_m": camera.radius_m,
               "is_active": camera.is_active, "scan_cycle_minutes": camera.scan_cycle_minutes}
    form = forms.CameraForm(request.POST or None, initial=initial, scope=scope, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, settings_services.update_camera, actor=request.user, camera=camera,
                            is_active=d["is_active"],
                            **_camera_values(d))
        if saved is not None:
            messages.success(request, _("已保存，覆盖范围已按新位置和半径重新计算"))
            return redirect(_camera_url(saved))
    return _camera_form_page(request, scope, form, title=_("修改监控点位 %(camera)s") % {"camera": camera},
                             camera=camera)
