"""The background loop of asynchronous look-ups (申请 now, 反馈 later): pending requests live in the database
(`DataRequest` with status 已申请, its ticket and `next_poll_at`), so a restart loses none. Each due row is claimed
with a conditional UPDATE (a lease in `claimed_until`), so two workers never poll the same request at once and a
worker that died mid-poll leaves the row to be taken again once its lease has run out."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q

from landguard.citizens import providers, services
from landguard.citizens.models import DataRequest
from landguard.core import clock

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=2)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=DataRequest.Status.REQUESTED) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def claim(pk: int, now: dt.datetime | None = None) -> bool:
    """Take one request for polling; False when another worker holds it (or it is no longer pending)."""
    now = now or clock.now()
    return bool(DataRequest.objects.filter(_claimable(now), pk=pk).update(claimed_until=now + LEASE,
                                                                         attempts=F("attempts") + 1))


def due(now: dt.datetime, limit: int) -> list[int]:
    return list(DataRequest.objects.filter(_claimable(now), next_poll_at__lte=now)
                .order_by("next_poll_at", "id").values_list("pk", flat=True)[:limit])


def poll_due(*, limit: int = 50) -> int:
    """Poll every due request this worker can claim; returns how many got their answer."""
    now = clock.now()
    answered = 0
    for pk in due(now, limit):
        if not claim(pk, now):
            continue  # another worker took it
        row = DataRequest.objects.get(pk=pk)
        try:
            outcome: providers.Answer | providers.Pending | providers.ProviderError = \
                providers.provider_for(row.document).poll(row.ticket)
        except providers.ProviderError as error:
            log.warning("data request %s: poll failed: %s", pk, error)
            outcome = error
        row = services.record_poll(request_pk=pk, outcome=outcome)
        answered += row.status == DataRequest.Status.ANSWERED
    return answered
