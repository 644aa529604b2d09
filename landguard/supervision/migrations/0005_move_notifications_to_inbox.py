"""Supervision's own inbox (supervision.Notification) becomes messages of the one inbox (inbox.Message).

Each row stored its words already rendered. Where they read back as one of the two messages the code sends (a
task pushed to its recipients, a breached deadline escalated), the message gets the code and values it would be
sent with today, so it shows in the reader's language; otherwise it keeps the stored words under the generic code
inbox.text. The message is about the row's task and filed under the task's region (the old inbox showed a message
only while its task lay in the reader's scope; a row without task was never shown, and is filed under no region,
so it stays hidden). Read or unread and the time carry over.
Reversing recreates the old table empty (the next migration's reverse) and leaves the messages in the inbox.
"""

import re

from django.db import migrations

TASK_TITLE = re.compile(r"^核查任务 (?P<task>RW\d+)：(?P<place>.*)$", re.S)
TASK_BODY = re.compile(r"^(?P<title>.*)。请于 (?P<due>\d{2}:\d{2}) 前签收上报，1 小时内到场制止。$", re.S)
ESCALATION_TITLE = re.compile(r"^超时督办：(?P<task>RW\d+) (?P<step>.+)$", re.S)
ESCALATION_BODY = re.compile(r"^(?P<place>.*) 的核查任务 (?P<task>RW\d+) "
                             r"未在 (?P<due>\d{2}-\d{2} \d{2}:\d{2}) 前完成“(?P<step>.+)”，请督促办理。$", re.S)
STEPS = {"1小时上报": "report", "1小时到场制止": "on_site", "1昼夜恢复原状": "restore"}  # Deadline.Step labels → values


def _code_and_values(title, body):
    if (t := TASK_TITLE.match(title)) and (b := TASK_BODY.match(body)):
        return "todo", "supervision.task_dispatched", {"task": t["task"], "place": t["place"], "title": b["title"],
                                                        "due": b["due"]}
    if ((t := ESCALATION_TITLE.match(title)) and (b := ESCALATION_BODY.match(body)) and t["step"] == b["step"]
            and t["task"] == b["task"] and t["step"] in STEPS):
        values = {"task": t["task"], "step": STEPS[t["step"]], "place": b["place"], "due": b["due"]}
        return "alert", "supervision.deadline_escalated", values
    return "notice", "inbox.text", {"title": title, "body": body}


def forward(apps, schema_editor):
    Notification = apps.get_model("supervision", "Notification")
    Message = apps.get_model("inbox", "Message")
    rows = []
    for notification in Notification.objects.select_related("task").order_by("pk").iterator(chunk_size=2000):
        kind, code, values = _code_and_values(notification.title, notification.body)
        task = notification.task
        rows.append(Message(recipient_id=notification.user_id, kind=kind, code=code, params=values,
                            subject_type="supervision.task" if task else "", subject_id=task.pk if task else None,
                            region_code=task.region_code if task else "", created_at=notification.created_at,
                            read_at=notification.read_at))
        if len(rows) >= 1000:
            Message.objects.bulk_create(rows)
            rows = []
    Message.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0001_initial"),
        ("supervision", "0004_camera_push_and_pending_position"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
