"""Pushing a message about a task: the in-app inbox of every user concerned (landguard.inbox, always, in the
caller's transaction) and one delivery per outside channel configured for the task's region (sent by
channels.deliver_due from the supervision loop, so a slow robot never holds up a web request). The inbox renders
the message in each reader's language when read; a channel gets it rendered now, in the sender's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from landguard.core import clock
from landguard.inbox import registry
from landguard.inbox import services as inbox
from landguard.regions.models import CODE_LENGTH_LEVEL
from landguard.supervision.models import Channel, Delivery, Task


def region_prefixes(code: str) -> list[str]:
    """371525001203 → 37, 3715, 371525, 371525001, 371525001203: the regions a channel may be set up for."""
    return [code[:n] for n in sorted(CODE_LENGTH_LEVEL) if n <= len(code)]


def push(*, task: Task, users: Iterable, code: str, params: Mapping[str, Any]) -> tuple[int, int]:
    """Inbox messages for `users` (each once) and pending deliveries for the channels of the task's region.
    Returns (messages, deliveries)."""
    now = clock.now()
    messages = inbox.push(code=code, recipients=users, params=params, subject=task, region_code=task.region_code,
                          at=now)
    text = registry.render(code, params, links=False)
    channels = Channel.objects.filter(is_active=True, region_code__in=region_prefixes(task.region_code))
    deliveries = [Delivery(channel=c, task=task, region_code=task.region_code, title=text.title[:200], text=text.body,
                           next_attempt_at=now, created_at=now) for c in channels]
    Delivery.objects.bulk_create(deliveries)
    return len(messages), len(deliveries)
