"""The rows of the two inboxes this one replaced (projects.Notification, supervision.Notification) move into
inbox.Message: where their stored words read back as a message the code sends today, with that code and its
values (so they show in the reader's language); otherwise under the generic code with the words kept."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from landguard.inbox import registry
from landguard.inbox.models import Message
from landguard.projects.inbox_messages import DAILY_DIGEST, WEEKLY_REPORT
from landguard.supervision.inbox_messages import DEADLINE_ESCALATED, TASK_DISPATCHED

PROJECTS = importlib.import_module("landguard.projects.migrations.0005_move_notifications_to_inbox")
SUPERVISION = importlib.import_module("landguard.supervision.migrations.0005_move_notifications_to_inbox")
OLD = [("projects", "0004_target_list_import_warnings"), ("supervision", "0004_camera_push_and_pending_position")]
NEW = [("projects", "0006_delete_notification"), ("supervision", "0006_delete_notification")]


@pytest.mark.parametrize("code, values", [
    (TASK_DISPATCHED.code,
     {"task": "RW000012", "place": "清泉街道 石堂村", "title": "举报：耕地上堆土。又一句", "due": "09:05"}),
    (DEADLINE_ESCALATED.code,
     {"task": "RW000012", "step": "on_site", "place": "清泉街道 石堂村", "due": "06-01 09:05"}),
])
def test_supervision_words_as_the_code_wrote_them_read_back_as_code_and_values(code, values):
    with translation.override("zh-hans"):
        words = registry.render(code, values, links=False)
    kind, found, params = SUPERVISION._code_and_values(words.title, words.body)
    assert (kind, found, params) == (registry.get(code).kind, code, values)


def test_other_supervision_words_keep_their_text():
    assert SUPERVISION._code_and_values("核查任务 RW000001：某地", "请尽快处理") == (
        "notice", "inbox.text", {"title": "核查任务 RW000001：某地", "body": "请尽快处理"})


@pytest.mark.parametrize("kind, message, values", [
    ("weekly", WEEKLY_REPORT, {"problems": 3, "targets": 0, "tasks": 12}),
    ("daily", DAILY_DIGEST, {"count": 7}),
])
def test_project_words_as_the_code_wrote_them_read_back_as_code_and_values(kind, message, values):
    dispatch = SimpleNamespace(kind=kind, period=dt.date(2025, 6, 19), docx="a.docx", xlsx="")
    values = {"day": "2025-06-19", **values, "files": ["docx"]}
    with translation.override("zh-hans"):
        words = registry.render(message.code, values, links=False)
    notification = SimpleNamespace(dispatch=dispatch, title=words.title, body=words.body)
    assert PROJECTS._code_and_values(notification) == (message.code, values)
    notification.body = "已手工改写"
    assert PROJECTS._code_and_values(notification) == ("inbox.text", {"title": words.title, "body": "已手工改写"})


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("post"),
                    reason="PostgreSQL: DDL inside the test's transaction")
@pytest.mark.django_db
def test_the_migrations_move_old_rows_into_the_inbox(county_admin, township_officer):
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    old = executor.loader.project_state(OLD).apps
    Dispatch, Task = old.get_model("projects", "Dispatch"), old.get_model("supervision", "Task")
    OrgUnit = old.get_model("people", "OrgUnit")
    group = OrgUnit.objects.get(kind="leadership_group", region__code="371525")
    report = Dispatch.objects.create(kind="weekly", period=dt.date(2025, 6, 19), group=group, region_code="371525",
                                     due_at=dt.datetime(2025, 6, 19, 9, tzinfo=dt.timezone.utc), status="sent",
                                     title="用地要素保障周报（2025-06-19）", docx="r.docx", xlsx="r.xlsx")
    at = dt.datetime(2025, 6, 19, 10, tzinfo=dt.timezone.utc)
    old.get_model("projects", "Notification").objects.create(
        user_id=county_admin.pk, dispatch=report, title=report.title, body="问题 1 条，责任 2 条，任务 3 条",
        created_at=at,
        read_at=at)
    task = Task.objects.order_by("pk").first()
    old.get_model("supervision", "Notification").objects.create(
        user_id=township_officer.pk, task=task, title=f"超时督办：RW{task.pk:06d} 1小时上报", created_at=at,
        body=f"某村 的核查任务 RW{task.pk:06d} 未在 06-19 09:00 前完成“1小时上报”，请督促办理。")
    old.get_model("supervision", "Notification").objects.create(user_id=township_officer.pk, task=None, title="旧消息",
                                                                 body="无关任务", created_at=at)
    with connection.cursor() as cursor:  # the rows' deferred foreign-key checks now, before their table is dropped
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(NEW)

    weekly = Message.objects.get(subject_type="projects.dispatch", subject_id=report.pk)
    assert (weekly.recipient_id, weekly.code, weekly.kind, weekly.region_code, weekly.read_at) == (
        county_admin.pk, WEEKLY_REPORT.code, "report", "371525", at)
    assert weekly.params == {"day": "2025-06-19", "problems": 1, "targets": 2, "tasks": 3, "files": ["docx", "xlsx"]}
    assert weekly.once_key == f"{WEEKLY_REPORT.code}:projects.dispatch:{report.pk}"
    escalated = Message.objects.get(subject_type="supervision.task", subject_id=task.pk,
                                    recipient_id=township_officer.pk, code=DEADLINE_ESCALATED.code)
    assert escalated.params["step"] == "report" and escalated.region_code == task.region_code
    assert escalated.read_at is None
    with translation.override("en"):
        assert escalated.title == f"Overdue follow-up: RW{task.pk:06d} Report within 1 hour"
    orphan = Message.objects.get(recipient_id=township_officer.pk, code="inbox.text", params__title="旧消息")
    assert orphan.region_code == "" and orphan.subject_id is None  # never shown before, hidden still
