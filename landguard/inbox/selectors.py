"""Reading the inbox: a user's own messages, about subjects inside their scope."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from landguard.core.scope import RegionScope
from landguard.inbox.models import Message


def messages(scope: RegionScope, user) -> QuerySet[Message]:
    """The user's messages (nobody reads another's) whose subject lies inside their scope: a scope narrowed
    later hides the messages about what the user may no longer see."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return scope.filter(Message.objects.filter(recipient=user), "region_code")


def message(scope: RegionScope, user, pk: int) -> Message:
    try:
        return messages(scope, user).get(pk=pk)
    except Message.DoesNotExist:
        raise Http404 from None


def unread(scope: RegionScope, user) -> QuerySet[Message]:
    return messages(scope, user).filter(read_at__isnull=True)


def unread_count(scope: RegionScope, user) -> int:
    return unread(scope, user).count()
