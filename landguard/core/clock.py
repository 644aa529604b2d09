"""The one clock every deadline reads: `now()` (aware) and `today()` (the date in Asia/Shanghai).

Deadlines, "overdue" flags and report weeks must move when a test (or a rehearsal before a bureau meeting)
moves the clock, including in a separate server process driven by a browser test. Two ways, both through
this module so no page needs a `?today=` a user could send:

- in-process tests: `with frozen(at): …`;
- another process (a browser test's server): settings.CLOCK_FILE (env LANDGUARD_CLOCK_FILE) names a file;
  when it exists and holds an ISO date ("2025-06-20") or date-time ("2025-06-20T09:30"), that is the
  current time. The file is read on every call, so writing it moves the clock of a running server.
  Never set in production; nothing else can change the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_frozen: dt.datetime | None = None


def _aware(value: dt.datetime, text: str = "") -> dt.datetime:
    if timezone.is_aware(value):
        return value
    if text and len(text) <= 10:  # a bare date means the start of the working day in Shanghai (09:00)
        value = value.replace(hour=9)
    return timezone.make_aware(value, timezone.get_default_timezone())


def _pinned() -> dt.datetime | None:
    path = getattr(settings, "CLOCK_FILE", "")
    if not path:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"LANDGUARD_CLOCK_FILE {path} must hold an ISO date or date-time, got {text!r}.") from None
    return _aware(value, text)


def now() -> dt.datetime:
    return _frozen or _pinned() or timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, now() is `at` (a naive value is Shanghai time)."""
    global _frozen
    previous, _frozen = _frozen, _aware(at)
    try:
        yield _frozen
    finally:
        _frozen = previous


def business_date(on: dt.date | None, *, not_before: dt.date | None = None, label: str = "") -> dt.date:
    """The date a user gives an action (办结, 上报, 批复…): today when none, never after today, and not before
    `not_before` when given. ValidationError naming the `label`ed field otherwise. The one rule of every app."""
    today_ = today()
    on = on or today_
    if on > today_:
        raise ValidationError(_("%(label)s不能晚于今天（%(today)s）。") % {"label": label or _("日期"),
                                                                           "today": today_.isoformat()})
    if not_before is not None and on < not_before:
        raise ValidationError(_("%(label)s不能早于 %(day)s。") % {"label": label or _("日期"),
                                                               "day": not_before.isoformat()})
    return on
