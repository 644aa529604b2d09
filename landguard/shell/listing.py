"""One description per list page (columns, filter form, scoped rows) drives both the paginated HTML table
(with its HTMX live filter) and the xlsx export of the filtered list, so the two never disagree. A list longer
than EXPORT_SYNC_ROWS exports as a background job (kind `list_export`) that streams the same rows to a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from landguard.core.access import scoped
from landguard.core.exports import XLSX_MAX_DATA_ROWS, ExportColumn, counting, write_workbook, xlsx_response
from landguard.core.scope import RegionScope, scope_for
from landguard.jobs.models import Job
from landguard.jobs.services import JobFailed, Progress, export_target, export_written, handler, submit_export
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
class BulkAction:
    """One thing an officer may do to many rows at once, through the same service as on a row's own page."""

    key: str
    label: Text
    # (actor, row, reason) → None; a refusal raises ValidationError or PermissionDenied, which names the row
    apply: Callable[[Any, Any, str], Any]
    needs_reason: bool = True


@dataclass(frozen=True)
class Bulk:
    """Bulk actions of a list: a checkbox per row and a form under the table. Each row goes through its service in
    its own transaction, so one refusal (named in the answer) leaves the others done and itself untouched."""

    url: str  # URL name of the POST view made by bulk_view()
    actions: tuple[BulkAction, ...]
    allowed: Callable[[Any], bool]  # who sees the checkboxes and may post
    limit: int = 100  # rows per submission: a request's work stays bounded


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
    bulk: Bulk | None = None

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
        "bulk": listing.bulk if listing.bulk is not None and listing.bulk.allowed(request.user) else None,
    }
    template = "web/_list_results.html" if is_htmx(request) else listing.template
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def export_list(request: HttpRequest, scope: RegionScope, listing: Listing) -> HttpResponse:
    """The filtered list as xlsx, written during the request up to EXPORT_SYNC_ROWS rows; a longer list becomes a
    background job (a request must not hold a worker and a whole workbook in memory), whose page shows progress
    and then the download."""
    queryset = _export_rows(listing, scope, request.GET)
    if queryset[:settings.EXPORT_SYNC_ROWS + 1].count() > settings.EXPORT_SYNC_ROWS:  # bounded: never a full count
        stamp = timezone.localtime(timezone.now()).strftime("%Y%m%d-%H%M")
        job = submit_export(actor=request.user, kind=Job.Kind.LIST_EXPORT, scope=scope,
                            name=f"{listing.filename}-{stamp}.xlsx",
                            options={"export_url": listing.export_url, "query": request.GET.urlencode()})
        messages.info(request, gettext("导出较大，正在后台生成…完成后可在本页下载。"))
        return redirect("jobs:detail", job.pk)
    return xlsx_response(title=str(listing.title), scope_label=scope_label(scope), columns=_export_header(listing),
                         rows=_export_values(listing, queryset), filename=str(listing.filename))


def _export_rows(listing: Listing, scope: RegionScope, query: QueryDict) -> QuerySet:
    form = listing.form_class(query or None, scope=scope)
    return listing.rows(scope, form.values())


def _export_header(listing: Listing) -> list[ExportColumn]:
    return [ExportColumn(str(c.header), c.export_format()) for c in listing.export_columns()] + [
        ExportColumn(str(_("合成演示数据")))]


def _export_values(listing: Listing, queryset: QuerySet) -> Iterator[list[Any]]:
    columns = listing.export_columns()
    # iterator(chunk_size=…) keeps memory flat on a county's ~3,000 users and still honours prefetch_related.
    return ([c.value(obj) for c in columns] + [bool(getattr(obj, "is_synthetic", False))]
            for obj in queryset.iterator(chunk_size=1000))


@handler(Job.Kind.LIST_EXPORT, suffixes=())
def run_list_export(job: Job, progress: Progress) -> list[str]:
    """Write a list export with the submitter's scope as it is now (a narrowed scope exports less) and the filter
    the page had. The listing is found through its export URL's view, which carries it (see list_views)."""
    try:
        listing: Listing = resolve(reverse(job.options["export_url"])).func.listing  # type: ignore[attr-defined]
    except (NoReverseMatch, AttributeError):
        raise JobFailed(_("该列表已不存在，请在列表页重新导出")) from None
    scope = scope_for(job.created_by)
    queryset = _export_rows(listing, scope, QueryDict(job.options.get("query", "")))
    total = queryset.count()
    if total > XLSX_MAX_DATA_ROWS:
        raise JobFailed(_("共 %(count)s 行，超过 Excel 单表上限（1,048,574 行），请缩小筛选范围后分批导出")
                        % {"count": f"{total:,}"})
    relative, path = export_target(job)
    count = write_workbook(path, title=str(listing.title), scope_label=scope_label(scope),
                           columns=_export_header(listing),
                           rows=counting(_export_values(listing, queryset), progress, total))
    export_written(job, relative)
    return [_("已导出 %(count)s 行") % {"count": f"{count:,}"}]


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

    export_view.listing = listing  # type: ignore[attr-defined]  # how a background export finds its listing again
    return list_view, export_view


def bulk_view(listing: Listing) -> View:
    """The POST view of a list's bulk actions: the chosen ids are looked up among the list's own scoped rows (an id
    outside the scope is simply not found), at most `limit` of them, and each goes through the action's service.
    The answer says how many were done and names each row refused with its reason; then back to the list."""
    bulk = listing.bulk
    assert bulk is not None

    @scoped
    def view(request: HttpRequest, scope: RegionScope) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not bulk.allowed(request.user):
            raise PermissionDenied
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
            back = reverse(listing.list_url)
        action = next((a for a in bulk.actions if a.key == request.POST.get("action")), None)
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) <= 18]
        reason = request.POST.get("reason", "").strip()[:300]
        if action is None:
            messages.error(request, gettext("请选择批量操作。"))
        elif not ids:
            messages.error(request, gettext("请先勾选要处理的记录。"))
        elif len(ids) > bulk.limit:
            messages.error(request, gettext("一次最多处理 %(limit)s 条，请分批操作。") % {"limit": bulk.limit})
        elif action.needs_reason and not reason:
            messages.error(request, gettext("请填写“%(action)s”的理由。") % {"action": action.label})
        else:
            _apply(request, listing, scope, action, ids, reason)
        return redirect(back)

    view.listing = listing  # type: ignore[attr-defined]
    return view


def _apply(request: HttpRequest, listing: Listing, scope: RegionScope, action: BulkAction, ids: list[int],
           reason: str) -> None:
    found = {obj.pk: obj for obj in listing.rows(scope, {}).filter(pk__in=ids)}
    done, refused = 0, []
    for pk in ids:
        obj = found.get(pk)
        if obj is None:
            refused.append(gettext("第 %(id)s 号记录：不存在或不在您的数据范围内") % {"id": pk})
            continue
        try:
            action.apply(request.user, obj, reason)
            done += 1
        except (ValidationError, PermissionDenied) as error:
            text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
            refused.append(f"{obj}：{text or gettext('无权操作')}")
    if done:
        messages.success(request, gettext("“%(action)s”已处理 %(count)s 条。") % {
            "action": action.label, "count": done})
    if refused:
        shown = refused[:10]
        more = len(refused) - len(shown)
        messages.error(request, gettext("%(count)s 条未处理：%(rows)s") % {
            "count": len(refused), "rows": "；".join(shown) + (gettext(" 等") if more else "")})
