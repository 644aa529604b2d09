"""Settings (admins): alarm sources and their keys or device credentials, push channels, deadline rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.supervision import forms, intake, selectors, settings_services, verification
from landguard.supervision.views.common import error_text
from landguard.shell.pages import run_service


def _settings_url() -> str:
    return reverse("supervision:settings")


@scoped(manage=True)
def settings_home(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    context = {"nav": "supervision", "subnav": "settings", "sources": selectors.sources(scope).select_related("region"),
               "channels": selectors.channels(scope), "policies": selectors.policies(scope),
               "default": verification.durations("", "")}
    return render(request, "supervision/settings.html", context)


def _key_once(request: HttpRequest, source, key: str, *, created: bool, device_username: str = "") -> HttpResponse:
    """The key is in this response only (only its SHA-256 is stored); never cached by the browser or a proxy."""
    response = render(request, "supervision/source_key.html", {
        "nav": "supervision", "subnav": "settings", "source": source, "key": key, "created": created,
        "device_username": device_username,
        "push_url": request.build_absolute_uri(reverse("api:supervision-alarms-isapi"))})
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
    source = selectors.get_source(scope, pk)
    try:
        key = intake.rotate_key(actor=request.user, source=source)
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
        return redirect(_settings_url())
    return _key_once(request, source, key, created=False)


@scoped(manage=True)
@require_POST
def source_device(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """A user name and a new password for cameras that push on their own (海康 ISAPI, HTTP Basic)."""
    source = selectors.get_source(scope, pk)
    try:
        username, password = intake.issue_device_credentials(actor=request.user, source=source)
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
        return redirect(_settings_url())
    return _key_once(request, source, password, created=False, device_username=username)


def _channel_page(request: HttpRequest, scope: RegionScope, channel=None) -> HttpResponse:
    initial = {} if channel is None else {"kind": channel.kind, "name": channel.name, "url": channel.url,
                                          "phones": channel.phones,
                                          "region": channel.region_code, "is_active": channel.is_active}
    form = forms.ChannelForm(request.POST or None, initial=initial, scope=scope, editing=channel is not None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, settings_services.save_channel, actor=request.user, channel=channel, kind=d["kind"],
                            name=d["name"],
                            url=d["url"], secret=form.secret_value(), phones=d["phones"], region_code=d["region"].code,
                            is_active=d["is_active"])
        if saved is not None:
            messages.success(request, _("已保存推送渠道“%(name)s”") % {"name": saved.name})
            return redirect(_settings_url())
    title = _("新增推送渠道") if channel is None else _("修改推送渠道“%(name)s”") % {"name": channel.name}
    return render(request, "supervision/form.html",
                  {"form": form, "title": title, "nav": "supervision", "subnav": "settings",
                                                     "cancel_url": _settings_url()})


@scoped(manage=True)
def channel_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _channel_page(request, scope)


@scoped(manage=True)
def channel_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _channel_page(request, scope, selectors.get_channel(scope, pk))


@scoped(manage=True)
@require_POST
def channel_test(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    channel = selectors.get_channel(scope, pk)
    outcome = settings_services.send_test(actor=request.user, channel=channel)
    if outcome.ok:
        messages.success(request,
            _("测试消息已送达“%(name)s”（HTTP %(status)s）") % {"name": channel.name, "status": outcome.status})
    else:
        messages.error(request, _("测试消息发送失败：%(error)s") % {"error": outcome.error or f"HTTP {outcome.status}"})
    return redirect(_settings_url())


def _policy_page(request: HttpRequest, scope: RegionScope, policy=None) -> HttpResponse:
    initial = {} if policy is None else {"region": policy.region_code, "kind": policy.kind, "severity": policy.severity,
                                         "report_minutes": policy.report_minutes,
                                         "onsite_minutes": policy.onsite_minutes,
                                         "restore_minutes": policy.restore_minutes,
                                         "clock_start": policy.clock_start}
    form = forms.PolicyForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, settings_services.save_policy, actor=request.user, policy=policy,
                            region_code=d["region"].code,
                            kind=d["kind"], severity=d["severity"], report_minutes=d["report_minutes"],
                            onsite_minutes=d["onsite_minutes"], restore_minutes=d["restore_minutes"],
                            clock_start=d["clock_start"] or "dispatch")
        if saved is not None:
            messages.success(request, _("已保存时限规则，此后派发的任务按此计时"))
            return redirect(_settings_url())
    title = _("新增时限规则") if policy is None else _("修改时限规则")
    return render(request, "supervision/form.html",
                  {"form": form, "title": title, "nav": "supervision", "subnav": "settings",
                                                     "cancel_url": _settings_url()})


@scoped(manage=True)
def policy_new(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    return _policy_page(request, scope)


@scoped(manage=True)
def policy_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _policy_page(request, scope, selectors.get_policy(scope, pk))


@scoped(manage=True)
@require_POST
def policy_delete(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    policy = selectors.get_policy(scope, pk)
    try:
        settings_services.delete_policy(actor=request.user, policy=policy)
        messages.success(request, _("已删除时限规则"))
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
    return redirect(_settings_url())
