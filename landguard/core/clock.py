"""The one clock every deadline rule reads (三个一 timers, procedure-step limits, case clocks).

Production reads the real time. Tests and demos move time with `frozen(...)`, so a rule such as "the
project turns overdue when the clock passes its due date" is tested through the same code path the
pages use, without sleeping and without a `?today=` parameter a user could send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_override: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, aware (UTC inside; show with timezone.localtime → Asia/Shanghai)."""
    return _override if _override is not None else timezone.now()


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
