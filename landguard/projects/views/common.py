"""What the battle-map views share: the form page, the write-permission check, error messages, the
filtered project rows (battle map, list, ledger) and a project's URL."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from landguard.core.scope import RegionScope
from landguard.projects import selectors, services
from landguard.projects.models import Project
from landguard.shell.listing import text_filter


def form_page(request: HttpRequest, form: forms.Form, title: str, subnav: str, cancel_url: str, *,
              template: str = "web/form.html", **extra: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "title": title, "nav": "projects", "subnav": subnav,
                                      "cancel_url": cancel_url, **extra}, status=status)


def require_work(request: HttpRequest) -> None:
    if not services.can_work(request.user):
        raise PermissionDenied


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or _("该操作超出您的数据范围。")


def project_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Project]:
    queryset = selectors.projects(scope).defer("boundary", "region__geom")
    if level := values.get("level"):
        queryset = queryset.filter(level=level)
    if headquarters := values.get("headquarters"):
        queryset = queryset.filter(service_group__headquarters=headquarters)
    if group := values.get("service_group"):
        queryset = queryset.filter(service_group=group)
    if township := values.get("township"):
        queryset = queryset.filter(Q(region_code__startswith=township.code)
                                   | Q(parts__region_code__startswith=township.code)).distinct()
    return text_filter(queryset, values.get("q"), "name", "owner")


def project_url(p: Project) -> str:
    return reverse("projects:detail", args=[p.pk])
