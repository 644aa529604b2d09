"""Writing the inbox: `push` puts a message in each recipient's inbox, `mark_read` marks messages read. Domain
services call `push` inside their own transaction, so a message exists exactly when the change it announces was
committed; nothing else writes a Message.

Reading a message is not audited (the audit trail records changes to the bureau's records, not who read what).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.inbox import registry, selectors
from landguard.inbox.models import Message


def subject_type(subject: Model) -> str:
    return subject._meta.label_lower


@transaction.atomic
def push(*, code: str, recipients: Iterable[Any], params: Mapping[str, Any] | None = None, subject: Model | None = None,
         region_code: str = "", once: bool = False, at: dt.datetime | None = None) -> list[Message]:
    """One message per active recipient (each once, None skipped) with this code and these values, about
    `subject`, filed under `region_code` (the subject's: what decides who may still see it). `once`: at most one
    such message per recipient and subject, ever (the database refuses a second). Returns the rows written."""
    message_type = registry.require(code)
    values = dict(params or {})
    registry.render(code, values, links=False)  # a missing placeholder fails here, in the sender's test, not on a page
    about = subject_type(subject) if subject is not None else ""
    subject_id = subject.pk if subject is not None else None
    once_key = f"{code}:{about}:{subject_id}"[:120] if once else ""
    now = at or clock.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Message(recipient=user, kind=message_type.kind, code=code, params=values, subject_type=about,
                            subject_id=subject_id, region_code=region_code, once_key=once_key, created_at=now))
    return Message.objects.bulk_create(rows)


@transaction.atomic
def mark_read(*, user, scope: RegionScope, pks: Iterable[int] | None = None) -> int:
    """Mark the user's unread messages read — those listed, or all they can see; returns how many changed.
    One conditional UPDATE on the user's own unread rows: nothing to lock, marking a read message again changes
    nothing, and two tabs marking at once both end with the messages read."""
    unread = selectors.unread(scope, user)
    if pks is not None:
        unread = unread.filter(pk__in=list(pks))
    return unread.update(read_at=clock.now())
