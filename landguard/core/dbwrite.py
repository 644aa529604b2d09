"""Writes that meet a busy embedded database. On SQLite every write transaction begins IMMEDIATE and waits up to the
busy timeout for the write lock (settings); under a burst of writers on saturated CPUs a waiter can still lose that
wait — SQLite's busy handler sleeps and retries, it does not queue — and its BEGIN fails before anything was written.
Such a write gets further turns here instead of a 500; PostgreSQL never raises this."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")
ATTEMPTS = 4


def is_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def retry_when_locked(write: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """`write()` (one whole transaction), run again after a short random pause when the database was locked. Only
    outside a transaction: inside one, the caller's transaction is broken and must be retried as a whole."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except OperationalError as exc:
            if not is_locked(exc) or attempt == attempts or connection.in_atomic_block:
                raise
            time.sleep(random.uniform(0.05, 0.25) * attempt)
    raise AssertionError("unreachable")
