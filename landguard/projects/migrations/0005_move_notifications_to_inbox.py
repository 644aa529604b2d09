"""The battle map's own inbox (projects.Notification) becomes messages of the one inbox (inbox.Message).

Each row stored its words already rendered (the report's title and summary); where they read back as the summary
the code wrote, the message gets the code and values it would be sent with today, so it shows in the reader's
language; otherwise it keeps the stored words under the generic code inbox.text. Read or unread, the time, and
"once per member and report" (the old unique constraint, now the message's once_key) carry over.
Reversing recreates the old table empty (the next migration's reverse) and leaves the messages in the inbox.
"""

import re

from django.db import migrations

WEEKLY = re.compile(r"^问题 (\d+) 条，责任 (\d+) 条，任务 (\d+) 条$")
DAILY = re.compile(r"^变更 (\d+) 条$")


def _code_and_values(notification):
    dispatch = notification.dispatch
    files = [fmt for fmt in ("docx", "xlsx") if getattr(dispatch, fmt)]
    day = dispatch.period.isoformat()
    if dispatch.kind == "weekly" and (m := WEEKLY.match(notification.body)):
        return "projects.weekly_report", {"day": day, "problems": int(m[1]), "targets": int(m[2]), "tasks": int(m[3]),
                                          "files": files}
    if dispatch.kind == "daily" and (m := DAILY.match(notification.body)):
        return "projects.daily_digest", {"day": day, "count": int(m[1]), "files": files}
    return "inbox.text", {"title": notification.title, "body": notification.body}


def forward(apps, schema_editor):
    Notification = apps.get_model("projects", "Notification")
    Message = apps.get_model("inbox", "Message")
    rows = []
    for notification in Notification.objects.select_related("dispatch").order_by("pk").iterator(chunk_size=2000):
        code, values = _code_and_values(notification)
        dispatch = notification.dispatch
        rows.append(Message(recipient_id=notification.user_id, kind="report", code=code, params=values,
                            subject_type="projects.dispatch", subject_id=dispatch.pk, region_code=dispatch.region_code,
                            once_key=f"{code}:projects.dispatch:{dispatch.pk}", created_at=notification.created_at,
                            read_at=notification.read_at))
        if len(rows) >= 1000:
            Message.objects.bulk_create(rows)
            rows = []
    Message.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0001_initial"),
        ("projects", "0004_target_list_import_warnings"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
