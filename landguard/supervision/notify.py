"""Pushing a message about a task: the in-app inbox of every user concerned (always, in the caller's
transaction) and one delivery per outside channel configured for the task's region (sent by
channels.deliver_due from the supervision loop, so a slow robot never holds up a web request)."""

from __future__ import annotations

from collections.abc import Iterable

from landguard.core import clock
from landguard.regions.models import CODE_LENGTH_LEVEL
from landguard.supervision.models import Channel, Delivery, Notification, Task


def region_prefixes(code: str) -> list[str]:
    """371525001203 → 37, 3715, 371525, 371525001, 371525001203: the regions a channel may be set up for."""
    return [code[:n] for n in sorted(CODE_LENGTH_LEVEL) if n <= len(code)]


def push(*, task: Task, users: Iterable, title: str, text: str) -> tuple[int, int]:
    """Inbox rows for `users` (each once) and pending deliveries for the channels of the task's region.
    Returns (notifications, deliveries)."""
    now = clock.now()
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, task=task, title=title[:200], body=text, created_at=now))
    Notification.objects.bulk_create(rows)
    channels = Channel.objects.filter(is_active=True, region_code__in=region_prefixes(task.region_code))
    deliveries = [Delivery(channel=c, task=task, region_code=task.region_code, title=title[:200], text=text,
                           next_attempt_at=now, created_at=now) for c in channels]
    Delivery.objects.bulk_create(deliveries)
    return len(rows), len(deliveries)
