"""The battle map's messages in the inbox (landguard.inbox): the daily digest and the weekly report announced to
the members of a leadership group (projects.dispatch), with links to the stored Word and Excel files. Registered
at start-up (ProjectsConfig.ready); the wording is rendered in each reader's language."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landguard.inbox.registry import Link, MessageType, register

DISPATCH_FORMATS = {"docx": "Word", "xlsx": "Excel"}


def _files(values: dict[str, Any], subject_id: int | None) -> list[Link]:
    if subject_id is None:
        return []
    return [Link(label, reverse("projects:dispatch-file", args=[subject_id, fmt]))
            for fmt, label in DISPATCH_FORMATS.items() if fmt in values.get("files", ())]


DAILY_DIGEST = register(MessageType(
    code="projects.daily_digest", kind="report", title=_("用地要素保障每日动态（%(day)s）"),
    body=_("变更 %(count)s 条"),
    links=_files))
WEEKLY_REPORT = register(MessageType(
    code="projects.weekly_report", kind="report", title=_("用地要素保障周报（%(day)s）"),
    body=_("问题 %(problems)s 条，责任 %(targets)s 条，任务 %(tasks)s 条"), links=_files))
