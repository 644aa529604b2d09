"""The inbox page: the signed-in user's messages, newest first, a page at a time, all or only the unread, of one
kind or every kind; one message or all marked read by POST (through services.mark_read — a GET never marks
anything read, downloads included). HTMX requests get the list fragment with the shell's unread badge swapped
out of band; a POST answers with a redirect to the list as it was filtered, which htmx follows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.inbox import selectors, services
from landguard.inbox.models import Message
from landguard.shell.pages import is_htmx, paginate

FILTERS = ("unread", "kind", "page")  # the query a POST carries back to the list


def _query(data: QueryDict) -> str:
    kept = QueryDict(mutable=True)
    for key in FILTERS:
        if value := data.get(key):
            kept[key] = value
    return kept.urlencode()


@scoped
def inbox(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Message.Kind.values else ""
    rows = selectors.messages(scope, request.user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    context = {"nav": "inbox", "page": paginate(request, rows),
               "unread_only": unread_only, "kind": kind, "kinds": Message.Kind.choices,
               "unread_total": selectors.unread_count(scope, request.user), "query": _query(request.GET)}
    htmx = is_htmx(request)
    response = render(request, "inbox/_results.html" if htmx else "inbox/inbox.html", {**context, "oob": htmx})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back(request: HttpRequest) -> HttpResponse:
    query = _query(QueryDict(request.POST.get("query", "")))
    return redirect(f"{reverse('inbox:list')}?{query}" if query else reverse("inbox:list"))


@require_POST
@scoped
def read(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    selectors.message(scope, request.user, pk)  # someone else's message: 404, as if absent
    services.mark_read(user=request.user, scope=scope, pks=[pk])
    return _back(request)


@require_POST
@scoped
def read_all(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    services.mark_read(user=request.user, scope=scope)
    return _back(request)
