"""Notes that read in the reader's language. A service that explains a record's change passes a `Note` — a lazy
msgid with its parameters — instead of a sentence already translated into the actor's language; the row keeps the
msgid (the Chinese source text) and the parameters beside the sentence as written, and pages render the msgid in
each reader's language (`text`). Rows written before this keep only the sentence: a sentence that is itself a msgid
(a constant note such as 研判为有效) still translates; any other reads as written.

The same shape serves every history with a note: audit entries, task and case events (their `note_msgid` and
`note_params` fields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


@dataclass(frozen=True)
class Note:
    text: str | Promise  # a gettext_lazy msgid, with %(name)s placeholders filled from params
    params: dict[str, Any] = field(default_factory=dict)


def _source(value: Any) -> Any:
    """A parameter as stored: a lazy label as its msgid (translated again when read), numbers as they are."""
    if isinstance(value, Promise):
        with translation.override(settings.LANGUAGE_CODE):
            return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # a Decimal, a date, a model: as its text (the row keeps JSON)


def stored(note: str | Promise | Note | None, limit: int = 300) -> tuple[str, str | None, dict[str, Any] | None]:
    """(sentence in the platform's language, msgid or None, params or None) for a row's note fields."""
    if note is None or note == "":
        return "", None, None
    if isinstance(note, Note):
        params = {k: _source(v) for k, v in note.params.items()}
        with translation.override(settings.LANGUAGE_CODE):
            msgid = str(note.text)
            sentence = gettext(msgid) % params if params else gettext(msgid)
        return sentence[:limit], msgid, params
    if isinstance(note, Promise):
        with translation.override(settings.LANGUAGE_CODE):
            msgid = str(note)
        return msgid[:limit], msgid, {}
    return str(note)[:limit], None, None


def _param(value: Any) -> Any:
    return gettext(value) if isinstance(value, str) and value else value


def text(sentence: str, msgid: str | None = None, params: dict[str, Any] | None = None) -> str:
    """A stored note in the active language: the msgid rendered with its parameters, or the sentence as written
    (translated when it is itself a msgid)."""
    if msgid:
        try:
            return gettext(msgid) % {k: _param(v) for k, v in params.items()} if params else gettext(msgid)
        except (KeyError, TypeError, ValueError):
            return sentence
    return gettext(sentence) if sentence else ""


def text_of(obj: Any) -> str:
    """The note of any row with `note` (and optionally `note_msgid`, `note_params`) in the active language."""
    return text(getattr(obj, "note", "") or "", getattr(obj, "note_msgid", None), getattr(obj, "note_params", None))
