"""Small helpers shared by every page: the scope's label, HTMX detection, pagination, service calls from forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from landguard.core.scope import RegionScope
from landguard.shell.regions import directory

PAGE_SIZE = 25
T = TypeVar("T")


def scope_label(scope: RegionScope) -> str:
    """What the user sees, in words: "冠县（371525）"; used in the nav and in export title rows."""
    if scope.unrestricted:
        return _("全部行政区")
    label = directory().root_label(scope)
    return label if label is not None else _("无数据范围")


def is_htmx(request: HttpRequest) -> bool:
    # A history-restore request wants the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def run_service(form: forms.Form, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Call a write service; its ValidationError / PermissionDenied become form errors instead of a 500/403 page."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("该操作超出您的数据范围。"))
    return None


__all__ = ["NON_FIELD_ERRORS", "PAGE_SIZE", "is_htmx", "paginate", "run_service", "scope_label"]
