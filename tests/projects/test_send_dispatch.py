"""Scheduled dispatch (manage.py send_dispatch): the daily digest and the weekly report fall due on their own,
are generated once per leadership group — also with two loops at the same moment — stored as docx and xlsx
for the 调度报告 page, and announced in the members' inboxes."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from landguard.core import clock
from landguard.people.models import OrgUnit, Role, User
from landguard.inbox.models import Message
from landguard.projects import report_delivery, services
from landguard.projects.models import Dispatch, Problem

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _group() -> OrgUnit:
    return OrgUnit.objects.get(kind=OrgUnit.Kind.LEADERSHIP_GROUP, region__code="371525")


def _announced(dispatch_pks) -> Any:
    """The inbox messages announcing these reports."""
    return Message.objects.filter(subject_type="projects.dispatch", subject_id__in=list(dispatch_pks))


@pytest.mark.django_db
def test_the_latest_digest_and_the_thursday_report_fall_due_at_their_hours(settings):
    at = timezone.make_aware(dt.datetime(2025, 6, 19, 9, 0))  # a Thursday morning
    periods = report_delivery.latest_periods(at)
    assert periods["daily"][0] == dt.date(2025, 6, 18)
    assert periods["weekly"][0] == dt.date(2025, 6, 12)  # this Thursday's report goes out at 17:00
    assert report_delivery.latest_periods(at.replace(hour=17))["weekly"][0] == dt.date(2025, 6, 19)
    assert report_delivery.latest_periods(at.replace(hour=7))["daily"][0] == dt.date(2025, 6, 17)
    settings.WEEKLY_REPORT_WEEKDAY = 1  # Monday
    assert report_delivery.latest_periods(at)["weekly"][0] == dt.date(2025, 6, 16)


@pytest.mark.django_db
def test_one_pass_delivers_both_reports_once_stores_them_and_fills_the_inbox(media, county_admin, guanxian, settings):
    # The audit trail keeps the real time of each change: the digest covers today, read tomorrow evening,
    # which is made the report weekday.
    today = clock.today()
    tomorrow = today + dt.timedelta(days=1)
    settings.WEEKLY_REPORT_WEEKDAY = tomorrow.isoweekday()
    services.raise_problem(actor=county_admin, region=guanxian, category=Problem.Category.QUOTA, division="耕地保护科",
                           description="调度测试问题：指标待统筹", deadline=today + dt.timedelta(days=10))
    with clock.frozen(timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(17, 30)))):
        sent = report_delivery.run_once(worker="test")
        assert report_delivery.run_once(worker="test") == 0  # nothing twice
    rows = {d.kind: d for d in Dispatch.objects.filter(group=_group())}
    assert sent >= 2 and set(rows) == {"daily", "weekly"}
    weekly, daily = rows["weekly"], rows["daily"]
    assert (weekly.period, daily.period) == (tomorrow, today)
    assert weekly.status == daily.status == Dispatch.Status.SENT and weekly.attempts == 1
    document = Document(weekly.docx.open("rb"))
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")][:3] == ["一、问题清单",
        "二、责任清单", "三、任务清单"]
    assert any("调度测试问题" in c.text for t in document.tables for r in t.rows for c in r.cells)
    digest = load_workbook(io.BytesIO(daily.xlsx.open("rb").read()))
    assert "调度测试问题" in " ".join(str(c) for row in digest["变更记录"].iter_rows(values_only=True) for c in row
                                      if c)
    leader = User.objects.get(username="guanxian_leader")
    assert set(_announced([weekly.pk]).values_list("recipient__username", flat=True)) == {
        u.username for u in User.objects.filter(org_unit=_group(), is_active=True)} >= {"guanxian_leader"}
    inbox = _client(leader).get("/inbox/").content.decode()
    assert weekly.title in inbox and "2 条未读" in inbox


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_past_reports_are_listed_and_downloaded_inside_the_scope_only(media, county_admin, township_officer, at):
    at(dt.date(2025, 6, 20))
    report_delivery.run_once(worker="test")
    weekly = Dispatch.objects.get(group=_group(), kind="weekly")
    listing = _client(county_admin).get("/projects/reports/dispatches/").content.decode()
    assert weekly.title in listing and f"/projects/reports/dispatches/{weekly.pk}.docx" in listing
    response = _client(county_admin).get(f"/projects/reports/dispatches/{weekly.pk}.xlsx")
    assert response.status_code == 200 and load_workbook(
        io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "问题清单"
    # The county's report holds the whole county: a township officer does not get it.
    assert _client(township_officer).get(f"/projects/reports/dispatches/{weekly.pk}.xlsx").status_code == 404
    assert weekly.title not in _client(township_officer).get("/projects/reports/dispatches/").content.decode()


@pytest.mark.django_db
def test_a_failed_report_is_retried_later_and_a_dead_workers_claim_is_taken_over(media, at, monkeypatch):
    at(dt.date(2025, 6, 20))
    report_delivery.plan(clock.now())
    row = Dispatch.objects.get(group=_group(), kind="daily")
    Dispatch.objects.exclude(pk=row.pk).update(status=Dispatch.Status.SENT)
    monkeypatch.setattr(report_delivery, "build", lambda d: (_ for _ in ()).throw(RuntimeError("磁盘已满")))
    assert report_delivery.run_once(worker="a") == 0
    row.refresh_from_db()
    assert (row.status, row.error, row.attempts) == (Dispatch.Status.DUE, "磁盘已满", 1) and row.due_at > clock.now()
    monkeypatch.undo()
    assert report_delivery.claim(row.pk, now=row.due_at, worker="dies")  # claimed, then the worker is killed
    assert not report_delivery.claim(row.pk, now=row.due_at, worker="b")
    later = row.due_at + report_delivery.STALE_AFTER + dt.timedelta(seconds=1)
    with clock.frozen(later):
        assert report_delivery.claim(row.pk, now=later, worker="b") and report_delivery.deliver(row.pk, worker="b")
    assert not report_delivery.deliver(row.pk, worker="dies")  # the dead worker's late finish changes nothing
    row.refresh_from_db()
    assert (row.status, row.worker, row.attempts) == (Dispatch.Status.SENT, "b", 3)
    assert _announced([row.pk]).count() == User.objects.filter(org_unit=_group(), is_active=True).count()


def _groups(township_codes: list[str]) -> None:
    """A leadership group with one leader in each township: many reports for two loops to compete for."""
    for code in township_codes:
        group = OrgUnit.objects.create(name=f"{code}领导小组（测试）", kind=OrgUnit.Kind.LEADERSHIP_GROUP,
                                       region_id=_region(code))
        User.objects.create(username=f"leader_{code}", role=Role.LEADER, org_unit=group,
                            scope_region_id=group.region_id)


def _region(code: str) -> int:
    from landguard.regions.models import Region

    return Region.objects.get(code=code, retired_in__isnull=True).pk


def _township_codes() -> list[str]:
    from landguard.regions.models import Level, Region

    return list(Region.objects.filter(level=Level.TOWNSHIP, code__startswith="371525", retired_in__isnull=True)
                .order_by("code").values_list("code", flat=True)[:8])


def _send_twice_at_once(env: dict[str, str]) -> list[int]:
    command = [sys.executable, "manage.py", "send_dispatch", "--once"]
    processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    counts = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
        counts.append(int(out.strip().split("=")[1]))
    return counts


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, LANDGUARD_VAR_DIR=str(var_dir), LANDGUARD_LOG_LEVEL="WARNING")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("LANDGUARD_CLOCK_FILE", None)
    return env


# Run in the copied database before the two loops (SpatiaLite): the copy is of the database as set up, before
# any test wrote to it, so the extra groups are made in the copy itself.
COPY_SETUP = """
from landguard.regions.models import Level, Region
from landguard.people.models import OrgUnit, Role, User
townships = Region.objects.filter(level=Level.TOWNSHIP, code__startswith="371525", retired_in__isnull=True)
for region in townships.order_by("code")[:8]:
    group = OrgUnit.objects.create(name=f"{region.code}领导小组（测试）", kind=OrgUnit.Kind.LEADERSHIP_GROUP,
                                   region=region)
    User.objects.create(username=f"leader_{region.code}", role=Role.LEADER, org_unit=group, scope_region=region)
"""


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("post"), reason="SpatiaLite variant")
@pytest.mark.django_db
def test_two_dispatch_loops_send_each_report_exactly_once_spatialite(sqlite_copy, tmp_path):
    # The test database lives in memory; the two processes share a copy of it in a file.
    path = sqlite_copy
    env = _env(f"spatialite://{path}", tmp_path / "var")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", COPY_SETUP], cwd=REPO, env=env, check=True,
                   capture_output=True)
    counts = _send_twice_at_once(env)
    with sqlite3.connect(path) as db:
        groups = db.execute("select count(*) from people_orgunit where kind = 'leadership_group' and id in "
                            "(select org_unit_id from people_user where is_active)").fetchone()[0]
        sent = db.execute("select count(*) from projects_dispatch where status = 'sent'").fetchone()[0]
        rows = db.execute("select count(*) from projects_dispatch").fetchone()[0]
        errors = db.execute("select status, error from projects_dispatch where status != 'sent'").fetchall()
        doubled = db.execute("select count(*) from (select subject_id, recipient_id from inbox_message "
                             "where subject_type = 'projects.dispatch' group by subject_id, recipient_id "
                             "having count(*) > 1)").fetchone()[0]
        unnotified = db.execute("select count(*) from projects_dispatch d where not exists (select 1 "
                                "from inbox_message n where n.subject_type = 'projects.dispatch' "
                                "and n.subject_id = d.id)").fetchone()[0]
    assert groups >= 9 and rows == sent == 2 * groups, (groups, rows, sent, errors)  # a digest and a report per group
    assert sum(counts) == sent, counts  # each process counts only what it sent itself
    assert doubled == 0 and unnotified == 0
    assert len(list((tmp_path / "var" / "media" / "projects" / "dispatch").rglob("*.docx"))) == sent  # one file each


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("post"), reason="PostgreSQL variant")
def test_two_dispatch_loops_send_each_report_exactly_once_postgis(django_db_blocker, tmp_path):
    """PostgreSQL: the rows must be committed for other processes to see them, so this test writes outside the
    usual rolled-back transaction and removes its rows afterwards (audit entries, append-only, remain)."""
    with django_db_blocker.unblock():
        codes, due = _township_codes(), []
        try:
            _groups(codes)
            report_delivery.plan(clock.now())
            due = list(Dispatch.objects.filter(status=Dispatch.Status.DUE).values_list("pk", flat=True))
            assert len(due) >= 16
            url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
            counts = _send_twice_at_once(_env(url, tmp_path / "var"))
            rows = Dispatch.objects.filter(pk__in=due)
            assert rows.filter(status=Dispatch.Status.SENT).count() == len(due) and sum(counts) == len(due), counts
            for row in rows:
                members = User.objects.filter(org_unit=row.group_id, is_active=True).count()
                assert _announced([row.pk]).count() == members
        finally:
            # No foreign key cascades from a report to its messages any more: they go first, explicitly.
            extra = Dispatch.objects.filter(group__name__endswith="领导小组（测试）").values_list("pk", flat=True)
            _announced([*due, *extra]).delete()
            Dispatch.objects.filter(group__name__endswith="领导小组（测试）").delete()
            Dispatch.objects.filter(pk__in=due).delete()
            User.objects.filter(username__in=[f"leader_{c}" for c in codes]).delete()
            OrgUnit.objects.filter(name__endswith="领导小组（测试）").delete()


@pytest.mark.django_db
def test_the_command_runs_one_pass(media, capsys):
    call_command("send_dispatch", "--once")
    assert capsys.readouterr().out.startswith("sent=")


@pytest.mark.django_db
def test_downloading_an_announced_report_leaves_its_message_unread(media, at):
    # Changed deliberately (issue 11): the download used to mark the member's message read; a GET changes nothing
    # now, the message is marked read by POST from the inbox.
    at(dt.date(2025, 6, 20))
    report_delivery.run_once(worker="test")
    weekly = Dispatch.objects.get(group=_group(), kind="weekly")
    leader = User.objects.get(username="guanxian_leader")
    message = _announced([weekly.pk]).get(recipient=leader)
    page = _client(leader).get("/inbox/").content.decode()
    assert all(f"/projects/reports/dispatches/{weekly.pk}.{fmt}" in page for fmt in ("docx", "xlsx"))
    assert _client(leader).get(f"/projects/reports/dispatches/{weekly.pk}.xlsx").status_code == 200
    message.refresh_from_db()
    assert message.read_at is None
    assert _client(leader).post(f"/inbox/{message.pk}/read/").status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None
