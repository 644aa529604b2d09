"""The one clock every deadline rule reads (三个一 timers, procedure-step limits, case clocks).

Production reads the real time. Tests and demos move time with `frozen(...)`, so a rule such as "the
project turns overdue when the clock passes its due date" is tested through the same code path the
pages use, without sleeping and without a `?today=` parameter a user could send.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_override: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, aware (UTC inside; show with timezone.localtime → Asia/Shanghai)."""
    if _override is not None:
        return _override
    if path := os.environ.get("LANDGUARD_CLOCK_FILE"):
        # Browser tests drive a separate server process: they move its clock by writing an ISO time to
        # this file. The variable is set only by the test harness; production never sets it.
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read().strip()
        except FileNotFoundError:
            text = ""
        if text:
            at = dt.datetime.fromisoformat(text)
            return at if timezone.is_aware(at) else timezone.make_aware(at)
    return timezone.now()


def today() -> dt.date:
    """Today's date in Asia/Shanghai (the bureaus' calendar), not UTC."""
    return timezone.localdate(now())


@contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, now() is `at` (aware). For tests and for replaying past data in demos."""
    global _override
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    previous, _override = _override, at
    try:
        yield at
    finally:
        _override = previous
