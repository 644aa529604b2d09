"""Citizen matters' messages in the inbox: an asynchronous shared-data answer has arrived for a handler's matter."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landguard.citizens.documents import document_label
from landguard.inbox.registry import Link, MessageType, register


def _matter(values: dict[str, Any], subject_id: int | None) -> list[Link]:
    return [Link("", reverse("citizens:detail", args=[subject_id]))] if subject_id is not None else []


DATA_ANSWERED = register(MessageType(
    code="citizens.data_answered", kind="todo", title=_("共享数据已反馈：%(title)s"),
    body=_("“%(document)s”的查询结果已返回，请继续受理审查。"),
    display=lambda values: {"document": document_label(values.get("document", ""))}, links=_matter))
ORDER_SUPERVISED = register(MessageType(
    code="citizens.order_supervised", kind="alert", title=_("12345工单超时督办：%(title)s"),
    body=_("该工单未在时限内签收或办结，请立即办理。"), links=_matter))
