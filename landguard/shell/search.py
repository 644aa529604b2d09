"""Search providers: what the search box of the top bar (`web:search`) finds.

Each app registers providers at start-up (`<app>/extensions.py`). A provider takes the viewer's scope, the query
and a limit and answers at most that many hits (label, kind, url), read through the app's own selectors so the
scope applies; the search page shows one group per provider that found anything, with a "查看全部" link to the
app's list filtered by the same words. Most providers are a list page's `Listing` searched with its own text
filter (`listing_provider`), so the search and the list always agree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise

from landguard.core.scope import RegionScope
from landguard.shell.listing import Listing
from landguard.shell.registry import Registry

LIMIT = 8  # hits per group on the search page; the rest is behind "查看全部"
MAX_QUERY = 50  # as the list filters' own text box


@dataclass(frozen=True)
class Hit:
    label: str
    kind: str  # what the hit is, in words: "重点项目", "线索"
    url: str
    detail: str = ""  # a second line: code, place, region


@dataclass(frozen=True)
class SearchProvider:
    key: str  # "<app>.<what>", e.g. "projects.projects"
    title: str | Promise  # the group's heading
    search: Callable[[RegionScope, str, int], Sequence[Hit]]  # (scope, query, limit) → at most `limit` hits
    more_url: Callable[[str], str] | None = None  # query → the full, filtered list
    order: int = 100


@dataclass(frozen=True)
class Group:
    provider: SearchProvider
    hits: list[Hit]
    more: bool  # there are more hits than shown
    more_url: str | None


PROVIDERS: Registry[SearchProvider] = Registry("search provider", key=lambda p: p.key, order=lambda p: p.order)
register = PROVIDERS.register


def search(scope: RegionScope, query: str, limit: int = LIMIT) -> list[Group]:
    """The groups of every provider that found something for `query` (trimmed; empty finds nothing)."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    groups = []
    for provider in PROVIDERS.all():
        hits = list(provider.search(scope, query, limit + 1))  # one more tells whether there are more
        if hits:
            more_url = provider.more_url(query) if provider.more_url is not None else None
            groups.append(Group(provider, hits[:limit], len(hits) > limit, more_url))
    return groups


def listing_provider(key: str, listing: Listing, *, label: Callable[[Any], str], url: Callable[[Any], str],
                     detail: Callable[[Any], str] | None = None, order: int = 100) -> SearchProvider:
    """A provider that searches a list page's rows with its own text filter (`q`) and links to that list."""
    kind = listing.title

    def run(scope: RegionScope, query: str, limit: int) -> list[Hit]:
        rows = listing.rows(scope, {"q": query})[:limit]
        return [Hit(label(obj), str(kind), url(obj), detail(obj) if detail else "") for obj in rows]

    def more(query: str) -> str:
        return f"{reverse(listing.list_url)}?{urlencode({'q': query})}"

    return SearchProvider(key=key, title=kind, search=run, more_url=more, order=order)
