"""The one place where "what may this user see?" is decided.

A user's scope is their scope_region: they see that region and everything below it. Region codes are
hierarchical (371525 ⊃ 371525113 ⊃ 371525113201), so the scope is a set of code prefixes. When a
division was recoded (万善乡 371525209 → 万善镇 371525113) the scope covers the successor and every
predecessor code, so records filed under the old code are neither lost nor leaked.

Selectors in each app call `RegionScope.filter(queryset, "<path to a region code>")`, and their
`get_<thing>(scope, pk)` getters answer 404 outside the scope (`one_or_404`); views never filter by region
or check a region code themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


# core sits below every domain app (docs/architecture.md, "What CI checks"), so it names the region and the user
# by what it reads of them: regions.models.Region and people.models.User satisfy these.
class ScopeRegion(Protocol):
    @property
    def pk(self) -> Any: ...
    @property
    def code(self) -> str: ...
    @property
    def predecessors(self) -> Any: ...  # a related manager of regions

    def current(self) -> Any: ...


class ScopeUser(Protocol):
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_superuser(self) -> bool: ...
    @property
    def scope_region_id(self) -> int | None: ...
    @property
    def scope_region(self) -> Any: ...  # a ScopeRegion whenever scope_region_id is set


@dataclass(frozen=True)
class RegionScope:
    prefixes: tuple[str, ...]
    unrestricted: bool = False
    root_code: str = ""

    def q(self, code_path: str) -> Q:
        """A Q object matching rows whose region code (at `code_path`) lies inside this scope."""
        if self.unrestricted:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{code_path}__startswith": prefix}) for prefix in self.prefixes))

    def filter(self, queryset: QuerySet[M], code_path: str) -> QuerySet[M]:
        return queryset.filter(self.q(code_path))

    def q_reaching(self, code_path: str) -> Q:
        """Rows filed inside this scope or at a region above it: county-wide containers (a county's 地类图斑
        layer) that a township officer may open, whose contents are then filtered with `q` row by row."""
        if self.unrestricted:
            return Q()
        ancestors = {prefix[:length] for prefix in self.prefixes for length in (2, 4, 6, 9) if length < len(prefix)}
        return self.q(code_path) | Q(**{f"{code_path}__in": sorted(ancestors)})

    def key(self) -> str:
        """What a cache of scoped results is keyed by: "*" for everything, else the sorted code prefixes ("" for
        nothing). Two scopes share an entry only when every selector filters them alike."""
        return "*" if self.unrestricted else ",".join(sorted(self.prefixes))

    def contains(self, code: str | None) -> bool:
        if self.unrestricted:
            return True
        return bool(code) and any(code.startswith(prefix) for prefix in self.prefixes)


NOTHING = RegionScope(prefixes=())
EVERYTHING = RegionScope(prefixes=(), unrestricted=True)


def scope_codes(region: ScopeRegion) -> tuple[str, ...]:
    """The code prefixes that stand for `region` today: its current successor and every predecessor."""
    current = region.current()
    codes: list[str] = []
    frontier = [current]
    seen: set[int] = set()
    while frontier:
        node = frontier.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        codes.append(node.code)
        frontier.extend(node.predecessors.defer(*OUTLINE))
    # Drop codes already covered by a shorter prefix in the set.
    codes.sort(key=len)
    kept: list[str] = []
    for code in codes:
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return tuple(kept)


# The region's outline (a county's polygon: most of the row's bytes, and on SpatiaLite its conversion to WKB is most of
# the read): the scope needs codes only, and is worked out on every request.
OUTLINE = ("geom",)


def _scope_region(user: ScopeUser) -> ScopeRegion:
    field = user._meta.get_field("scope_region")  # type: ignore[attr-defined]  # request.user is a lazy proxy
    return field.related_model._base_manager.defer(*OUTLINE).get(pk=user.scope_region_id)


def scope_for(user: ScopeUser) -> RegionScope:
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cached = getattr(user, "_region_scope", None)
    if cached is not None:
        return cached
    if user.scope_region_id is None:
        scope = NOTHING
    else:
        region = _scope_region(user)
        scope = RegionScope(prefixes=scope_codes(region), root_code=region.current().code)
    user._region_scope = scope  # type: ignore[attr-defined]
    return scope


def one_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """The one row of a selector's queryset (the scope already applied) matching `lookup`. Absent and outside
    the scope are the same answer, 404 rather than 403, so a URL never tells whether a record exists. Each app's
    `selectors.get_<thing>(scope, pk)` ends here; views call those, never this."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
