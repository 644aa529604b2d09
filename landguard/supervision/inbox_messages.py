"""Supervision's messages in the inbox (landguard.inbox), about a verification task (supervision.task): the task
pushed to its recipients, and a breached 三个一 deadline escalated to the next field-chief level and the county
bureau. Registered at start-up (SupervisionConfig.ready); rendered in each reader's language, and in the sender's
for the outside channels (supervision.notify)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from landguard.inbox.registry import Link, MessageType, register
from landguard.supervision.models import Deadline


def _task(values: dict[str, Any], subject_id: int | None) -> list[Link]:
    return [Link("", reverse("supervision:field-task", args=[subject_id]))] if subject_id is not None else []


def _step_label(values: dict[str, Any]) -> dict[str, Any]:
    """The step is stored as its code and shown as its label in the reader's language."""
    step = values.get("step", "")
    return {"step": Deadline.Step(step).label if step in Deadline.Step.values else step}


TASK_DISPATCHED = register(MessageType(
    code="supervision.task_dispatched", kind="todo", title=_("核查任务 %(task)s：%(place)s"),
    body=_("%(title)s。请于 %(due)s 前签收上报，1 小时内到场制止。"), links=_task))
DEADLINE_ESCALATED = register(MessageType(
    code="supervision.deadline_escalated", kind="alert", title=_("超时督办：%(task)s %(step)s"),
    body=_("%(place)s 的核查任务 %(task)s 未在 %(due)s 前完成“%(step)s”，请督促办理。"), display=_step_label,
    links=_task))
