"""Read replicas (docs/scaling.md, "Read replicas"): reads go to a streaming replica of the primary, writes and what
must see them go to the primary.

Installed only when `LANDGUARD_DATABASE_REPLICAS` lists replicas (settings: aliases `replica_0`, `replica_1`, …,
`ReplicaRouter` in DATABASE_ROUTERS, `ReplicaReadsMiddleware` before the session middleware). The rules:

- Only a request's reads go to a replica — one replica per request, chosen when it starts and kept to its end, so
  one page never mixes two replicas' points in time. Outside a request (workers, commands, the shell) everything
  reads the primary unless the code asks for `replica_reads()`: a job that has just been queued, or a row its own
  previous step wrote, must be found.
- Every query inside a transaction (an atomic block on the primary) goes to the primary: services read, check and
  write in one transaction, and a read there must see the transaction's own writes and lock what it checks.
- Once a request has written, its further reads go to the primary (read-after-write within the request).
- The same client's requests within `REPLICA_STICKY_SECONDS` after a request that wrote read the primary too
  (read-after-write across requests: the page a form redirects to shows what was just saved, even while a replica
  lags). The marker is a cookie holding the time the window ends, and for clients that send an Authorization
  header (API tokens, which often keep no cookies) a cache entry keyed by a hash of that header. The middleware
  sits before the session middleware, so the session and the user of a request that follows a login are read on
  the primary. The window must exceed the replicas' usual lag; past it, a replica that lags further serves old
  rows (watch `now() - pg_last_xact_replay_timestamp()` on each replica).
- A write is anything routed through `db_for_write` (the ORM's saves, updates, deletes, `select_for_update`) and
  any request with an unsafe method (POST, PUT, PATCH, DELETE): LandGuard's GETs never change data, and a POST may
  write through a raw cursor that no router sees.

A streaming response's rows are read after the middleware has returned, so they are read on the primary.

A replica that is down does not take the site with it: before a request's first read its replica is connected to,
and one that refuses is left out by this process for `DOWN_SECONDS` (one failed connection per worker and period,
logged), the request reading another replica or, with none left, the primary. A replica lost in the middle of a
request fails that request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA_PREFIX = "replica_"
COOKIE = "lg_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# How long a replica that refused a connection is left out by this process.
DOWN_SECONDS = 30.0

logger = logging.getLogger(__name__)
_down_until: dict[str, float] = {}


@dataclass
class Reads:
    """Where the reads of the current request (or `replica_reads()` block) go."""

    replica: str | None  # None: the primary
    wrote: bool = False
    checked: bool = False  # the replica answered (or was replaced) before the first read


_reads: ContextVar[Reads | None] = ContextVar("landguard_replica_reads", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def up_replicas() -> list[str]:
    """The replicas not left out after refusing a connection (DOWN_SECONDS)."""
    now = time.monotonic()
    return [alias for alias in replica_aliases() if _down_until.get(alias, 0.0) <= now]


def _answers(alias: str) -> bool:
    try:
        connections[alias].ensure_connection()
    except DatabaseError as error:
        _down_until[alias] = time.monotonic() + DOWN_SECONDS
        logger.warning("read replica %s refused a connection (%s); its reads go elsewhere for %.0f s",
                       alias, error, DOWN_SECONDS)
        return False
    return True


def _reachable_replica(state: Reads) -> str | None:
    """The request's replica if it answers, else another that does, else None (the primary)."""
    tried: set[str] = set()
    alias = state.replica
    while alias is not None:
        if _answers(alias):
            return alias
        tried.add(alias)
        left = [a for a in up_replicas() if a not in tried]
        alias = choose_replica(left) if left else None
        if alias in tried:  # a chooser that insists on one replica (tests) has no other to give
            return None
    return None


def choose_replica(aliases: Sequence[str]) -> str:
    """The replica one request reads from: random, so the web workers spread their reads without sharing a counter."""
    return random.choice(aliases)


def current_reads() -> Reads | None:
    return _reads.get()


@contextmanager
def replica_reads(alias: str | None = None, *, pinned: bool = False) -> Iterator[Reads]:
    """Inside the block, reads outside a transaction go to one replica (`alias`, else one chosen now) until the
    block writes; `pinned`, or no replica configured: to the primary."""
    aliases = up_replicas()
    replica = None if pinned or not aliases else (alias or choose_replica(aliases))
    state = Reads(replica=replica)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = _reads.get()
        if state is None or state.replica is None or state.wrote:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if not state.checked:
            state.checked = True
            state.replica = _reachable_replica(state)
            if state.replica is None:
                return PRIMARY
        return state.replica

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _reads.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replicas are copies of the primary: a row read from one may point to a row read from another.
        known = {PRIMARY, *replica_aliases()}
        if obj1._state.db in known and obj2._state.db in known:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # Migrations run on the primary and reach the replicas by streaming; a replica refuses writes anyway.
        return db == PRIMARY


def sticky_seconds() -> float:
    return float(settings.REPLICA_STICKY_SECONDS)


def _credential_key(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    return "landguard:primary-until:" + hashlib.sha256(header.encode()).hexdigest()


_COOKIE_ROUNDING_S = 0.001


def _within_window(until: object, now: float, window: float) -> bool:
    try:
        end = float(until)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    # A forged or stale far-future value pins no longer than one window. The cookie holds the end rounded to the
    # millisecond, up as often as down: a request within that millisecond of the write must still be pinned (seen
    # when the next page followed a login at once: 5.0003 s left of a 5 s window, read on the lagging replica).
    return 0 < end - now <= window + _COOKIE_ROUNDING_S


def pinned_to_primary(request: HttpRequest) -> bool:
    """Whether this client wrote within the sticky window (its cookie, or its Authorization header's cache entry)."""
    now, window = time.time(), sticky_seconds()
    if _within_window(request.COOKIES.get(COOKIE), now, window):
        return True
    key = _credential_key(request)
    return key is not None and _within_window(cache.get(key), now, window)


def remember_write(request: HttpRequest, response: HttpResponse) -> None:
    window = sticky_seconds()
    if window <= 0:
        return
    until = time.time() + window
    response.set_cookie(
        COOKIE, f"{until:.3f}", max_age=math.ceil(window), httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE)
    if key := _credential_key(request):
        cache.set(key, until, timeout=math.ceil(window))


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with replica_reads(pinned=pinned_to_primary(request)) as state:
            response = self.get_response(request)
        if state.wrote or request.method not in SAFE_METHODS:
            remember_write(request, response)
        return response
