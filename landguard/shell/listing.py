"""One description per list page (columns, filter form, scoped rows) drives both the paginated HTML table
(with its HTMX live filter) and the xlsx export of the filtered list, so the two never disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from landguard.core.access import scoped
from landguard.core.exports import ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.shell.pages import is_htmx, paginate, scope_label
from landguard.shell.regions import directory

Text = str | Promise
View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Column:
    header: Text
    value: Callable[[Any], Any]
    link: Callable[[Any], str | None] | None = None
    digits: int | None = None  # fixed decimals for numbers (公顷 4, 亩 2)
    numeric: bool = False
    badge: bool = False  # show the "合成" badge after this cell for synthetic rows
    html: bool = True  # False: export-only column
    export: bool = True

    def display(self, obj: Any) -> str:
        value = self.value(obj)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return str(_("是") if value else _("否"))
        if self.digits is not None and isinstance(value, (int, float)):
            return f"{value:,.{self.digits}f}"
        return str(value)

    def export_format(self) -> str | None:
        if self.digits is None:
            return None
        return "#,##0" + ("." + "0" * self.digits if self.digits else "")


class ScopedFilterForm(forms.Form):
    """Base of the list filters: free text and a township picker limited to the user's scope."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50,
                        widget=forms.TextInput(
                            attrs={"type": "search", "placeholder": _("名称或代码"), "autocomplete": "off"}))
    township = forms.ModelChoiceField(label=_("乡镇（街道）"), queryset=None, required=False, to_field_name="code",
                                      empty_label=_("全部乡镇"))

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        townships = directory().townships(scope)
        self.fields["township"].queryset = townships
        self.fields["township"].label_from_instance = lambda r: r.name
        if townships.count() <= 1:  # a township officer has nothing to choose
            del self.fields["township"]

    def values(self) -> dict[str, Any]:
        """Valid filter values only: a bad parameter is ignored rather than breaking the page."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


@dataclass(frozen=True)
class Listing:
    key: str  # nav section
    title: Text
    filename: Text
    columns: tuple[Column, ...]
    form_class: type[ScopedFilterForm]
    rows: Callable[[RegionScope, dict[str, Any]], QuerySet]
    list_url: str
    export_url: str
    create_url: str | None = None
    manage_actions: tuple[tuple[Text, str], ...] = ()  # (label, url name) buttons shown to managers
    template: str = "web/list.html"
    extra: dict[str, Any] = field(default_factory=dict)

    def html_columns(self) -> list[Column]:
        return [c for c in self.columns if c.html]

    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]


def text_filter(queryset: QuerySet, text: str | None, *fields: str) -> QuerySet:
    if not text:
        return queryset
    query = Q()
    for name in fields:
        lookup = "startswith" if name.endswith("code") or name.endswith("username") else "contains"
        query |= Q(**{f"{name}__{lookup}": text})
    return queryset.filter(query)


def render_list(request: HttpRequest, scope: RegionScope, listing: Listing) -> HttpResponse:
    form = listing.form_class(request.GET or None, scope=scope)
    page = paginate(request, listing.rows(scope, form.values()))
    columns = listing.html_columns()
    rows = [(obj, [(c, c.display(obj), c.link(obj) if c.link else None) for c in columns]) for obj in page.object_list]
    context = {
        "listing": listing, "form": form, "page": page, "columns": columns, "rows": rows, "nav": listing.key,
        "list_url": reverse(listing.list_url), "export_url": reverse(listing.export_url),
        "create_url": reverse(listing.create_url) if listing.create_url else None,
        "manage_actions": [(label, reverse(name)) for label, name in listing.manage_actions], **listing.extra,
    }
    template = "web/_list_results.html" if is_htmx(request) else listing.template
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def export_list(request: HttpRequest, scope: RegionScope, listing: Listing) -> HttpResponse:
    form = listing.form_class(request.GET or None, scope=scope)
    queryset = listing.rows(scope, form.values())
    columns = listing.export_columns()
    header = [ExportColumn(str(c.header), c.export_format()) for c in columns] + [ExportColumn(str(_("合成演示数据")))]
    # iterator(chunk_size=…) keeps memory flat on a county's ~3,000 users and still honours prefetch_related.
    rows = ([c.value(obj) for c in columns] + [bool(getattr(obj, "is_synthetic", False))]
            for obj in queryset.iterator(chunk_size=1000))
    return xlsx_response(title=str(listing.title), scope_label=scope_label(scope), columns=header, rows=rows,
                         filename=str(listing.filename))



def list_views(listing: Listing, *,
               extra: Callable[[HttpRequest, RegionScope], dict[str, Any]] | None = None) -> tuple[View, View]:
    """The list page and its xlsx twin for `listing`, both @scoped, so a pair is declared once:
    `problem_list, problem_export = list_views(PROBLEMS, extra=...)`. `extra(request, scope)` adds to the
    page what depends on the request (the buttons the user may use, a red flag); the export needs none of it."""

    @scoped
    def list_view(request: HttpRequest, scope: RegionScope) -> HttpResponse:
        shown = listing if extra is None else replace(listing, extra={**listing.extra, **extra(request, scope)})
        return render_list(request, scope, shown)

    @scoped
    def export_view(request: HttpRequest, scope: RegionScope) -> HttpResponse:
        return export_list(request, scope, listing)

    return list_view, export_view
