"""Overview figures kept for a moment (issue 16 item 3: a page's CPU budget).

The homes and dashboards show figures of a whole scope — clues waiting, the 三个一 rate, each township's
indicators, the organisation's counts. They are the same for every officer of the county, are read on every
home and dashboard visit, and cost most of those pages' time (tens of queries, grouping, templates); the records
under them change far less often than they are looked at. So a page keeps what it computed from them (a section's
rendered HTML, a tile's values) in the "figures" cache — shared by every web worker: a file cache of its own
under var/, or Redis — and the next visit of the same scope reuses it while all of these hold:

- **nothing was written since.** Every saved or deleted row of a LandGuard app (post_save, post_delete,
  m2m_changed) moves one generation token once its transaction commits; the key holds the token, so the first
  page after a write computes afresh, in any worker. Writes that send no signal (QuerySet.update, bulk_create —
  sweeps and imports) are seen within the next two bounds; the audited services also append an audit entry,
  which moves the token.
- **the same minute** of `core.clock` (in the key): figures that run on the clock (overdue at 10:01, "还剩 35 分钟")
  are never more than a minute behind, and a test that moves the clock gets fresh figures;
- **at most FIGURES_CACHE_SECONDS old** (env LANDGUARD_FIGURES_CACHE_SECONDS, 60; 0 turns the cache off — the unit
  tests run inside rolled-back transactions, where no commit ever moves the token).

The key also holds the scope (code prefixes, or everything), the language (the values hold translated labels)
and the caller's own parts (a role, a user id for a per-user section, a period). It is an HMAC keyed by
SECRET_KEY, so it shows no scope. Never a response: pages stay private, and the CSRF token, the user's name and
the inbox badge are rendered per request around the cached parts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import router, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from landguard.core import clock
from landguard.core.scope import RegionScope

T = TypeVar("T")

CACHE_ALIAS = "figures"
GENERATION_KEY = "generation"
_SALT = "landguard.core.figures-cache"
# Apps whose rows no figure reads: background jobs' progress rows change many times a second during a batch.
UNWATCHED_APPS = frozenset({"jobs"})
_MISSING = object()


def cached(name: str, scope: RegionScope, compute: Callable[[], T], *parts: Hashable) -> T:
    """compute(), or what it returned for the same name, scope, parts and language in the same minute with nothing
    written since. `parts` must hold everything else the value depends on (the role, a user id, a period)."""
    ttl = settings.FIGURES_CACHE_SECONDS
    if ttl <= 0:
        return compute()
    cache = caches[CACHE_ALIAS]
    # A token lost to eviction is replaced by a new one, never read as an old one: what was cached before is stale.
    generation = cache.get(GENERATION_KEY) or bump()
    minute = clock.now().replace(second=0, microsecond=0).isoformat()
    parts_of_key = (name, scope.key(), scope.root_code, get_language(), minute, generation, parts)
    digest = salted_hmac(_SALT, repr(parts_of_key)).hexdigest()
    key = f"{name}:{digest[:40]}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, ttl)
    return value  # type: ignore[return-value]


def bump() -> int:
    """A new generation token: every figure cached so far is computed afresh on its next read."""
    token = time.time_ns()
    caches[CACHE_ALIAS].set(GENERATION_KEY, token, None)
    return token


def _watched(model: type[Model]) -> bool:
    return model._meta.app_config.name.startswith("landguard.") and model._meta.app_label not in UNWATCHED_APPS


def _changed(sender: type[Model], using: str | None = None, **kwargs: Any) -> None:
    connection = transaction.get_connection(using or router.db_for_write(sender))
    if not connection.in_atomic_block:
        bump()
        return
    # Once per transaction: a save loop of a thousand rows moves the token once, after the commit (a reader
    # between the write and the commit would otherwise cache the old figures under the new token). Django keeps
    # the pending callbacks as (savepoint ids, callback, robust) and drops those of a rolled-back savepoint.
    if not any(entry[1] is bump for entry in connection.run_on_commit):
        transaction.on_commit(bump, using=connection.alias)


def connect() -> None:
    """Called from CoreConfig.ready: watch every model of LandGuard's apps."""
    for model in apps.get_models():
        if _watched(model):
            uid = f"figures-cache:{model._meta.label}"
            post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save")
            post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="figures-cache:m2m")


def _m2m_changed(sender: type[Model], instance: Model, action: str, using: str | None = None, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and _watched(type(instance)):
        _changed(type(instance), using=using)
