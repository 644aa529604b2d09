"""What each message code says. The app that sends a message registers its code once, at start-up (its
AppConfig.ready), with the message's kind and gettext_lazy templates using named placeholders
("核查任务 %(task)s：%(place)s"); a message stores only the code and the values, and is rendered when read, so
each reader sees it in their own language. The inbox itself knows no domain app: a code it does not know (its app
was removed) is shown as the code with its values rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    label: str  # "" for the message's own link (its title)
    url: str


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    links: tuple[Link, ...] = ()

    @property
    def url(self) -> str:
        """Where the title leads: the first link without a label ("" when there is none)."""
        return next((link.url for link in self.links if not link.label), "")

    @property
    def extra_links(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.label)


@dataclass(frozen=True)
class MessageType:
    code: str  # "<app>.<what>", e.g. "supervision.task_dispatched"
    kind: str  # a Message.Kind value
    title: str | Promise
    body: str | Promise = ""
    # Stored values → the values shown, in the active language (a choice stored as its code shows its label).
    display: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # (stored values, subject id) → links: one without a label for the title, labelled ones beside it.
    links: Callable[[dict[str, Any], int | None], list[Link]] | None = None


_TYPES: dict[str, MessageType] = {}


def register(message_type: MessageType) -> MessageType:
    existing = _TYPES.get(message_type.code)
    if existing is not None and existing != message_type:
        raise ImproperlyConfigured(f"message code {message_type.code!r} is registered twice")
    _TYPES[message_type.code] = message_type
    return message_type


def get(code: str) -> MessageType | None:
    return _TYPES.get(code)


def require(code: str) -> MessageType:
    """The type of a code about to be sent: an unknown code is a programming error, caught at the push."""
    message_type = _TYPES.get(code)
    if message_type is None:
        raise ImproperlyConfigured(f"message code {code!r} is not registered with landguard.inbox.registry")
    return message_type


def render(code: str, params: Mapping[str, Any], *, subject_id: int | None = None, links: bool = True) -> Rendered:
    """Title and body in the active language; with the links unless `links` is False (text for an outside
    channel, or the check a push makes — neither needs a URL)."""
    message_type = _TYPES.get(code)
    if message_type is None:
        return Rendered(title=code, body="；".join(f"{key}={value}" for key, value in params.items()))
    values = dict(params)
    if message_type.display is not None:
        values = {**values, **message_type.display(values)}
    found = tuple(message_type.links(dict(params), subject_id)) if links and message_type.links is not None else ()
    body = str(message_type.body) % values if message_type.body else ""
    return Rendered(title=str(message_type.title) % values, body=body, links=found)


# A message whose words were fixed when it was sent: the rows moved from the two inboxes this one replaced, when
# their stored text could not be read back into a code and its values, and tests of the outside channels.
TEXT = register(MessageType(code="inbox.text", kind="notice", title="%(title)s", body="%(body)s"))
