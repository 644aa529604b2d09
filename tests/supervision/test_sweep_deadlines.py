"""The 三个一 sweep: a missed deadline is marked breached and escalated — to the next field-chief level and
the county bureau — then climbs one level per further breach period while unmet, each step exactly once, also
with two sweep processes running at the same moment."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook

from landguard.core import clock
from landguard.people.models import FieldChief, OrgUnit
from landguard.core.scope import scope_for
from landguard.inbox.models import Message
from landguard.supervision import intake, stats, sweep, verification
from landguard.supervision.models import Clue, Deadline, Escalation, Task, TaskEvent

REPO = Path(__file__).resolve().parents[2]


def _dispatch_in_the_past(spot, county, admin, n: int, hours: float = 3.0) -> list[int]:
    """n tasks dispatched `hours` ago (clues kept apart so none fuse): report and on-site are overdue. The demo's
    own overdue deadlines are swept first, so what follows concerns these tasks only."""
    sweep.sweep(worker="backlog")
    ids = []
    with clock.frozen(clock.now() - dt.timedelta(hours=hours)):
        for i in range(n):
            clue = intake.report_clue(actor=None, kind="report", lon=spot[0] + 0.0005 * (i % 5),
                                      lat=spot[1] + 0.0005 * (i // 5),
                                      title=f"测试线索 {i}", county=county)
            Clue.objects.filter(pk=clue.pk).update(last_seen=clock.now() - dt.timedelta(days=30))  # keep them apart
            ids.append(verification.dispatch(actor=admin, clue=clue).pk)
    return ids


def _told(task: Task) -> set[str]:
    """Who got a 超时督办 message about the task in their inbox."""
    told = Message.objects.filter(subject_type="supervision.task", subject_id=task.pk,
                                  code="supervision.deadline_escalated")
    assert all(m.title.startswith("超时督办") for m in told)
    return set(told.values_list("recipient__username", flat=True))


@pytest.mark.django_db
def test_a_breach_is_escalated_once_to_the_next_chief_and_the_county_bureau(spot, county, county_admin,
    township_officer):
    (task_id,) = _dispatch_in_the_past(spot, county, county_admin, 1, hours=1.5)
    task = Task.objects.get(pk=task_id)
    assert sweep.sweep(worker="a") == 1  # report is overdue; on-site (2 h) and restore are not
    assert sweep.sweep(worker="b") == 0
    (escalation,) = Escalation.objects.filter(deadline__task=task)
    assert (escalation.deadline.step, escalation.level) == ("report", 1)
    village_chief = FieldChief.objects.get(
        pk=task.recipients.get(kind="field_chief", field_chief__level=3).field_chief_id)
    assert escalation.field_chief_id == village_chief.superior_id  # the township's chief
    assert escalation.field_chief.level == FieldChief.Level.TOWNSHIP
    assert escalation.org_unit.kind == OrgUnit.Kind.COUNTY_BUREAU
    told = _told(task)
    assert village_chief.superior.user.username in told and "guanxian_admin" in told
    assert TaskEvent.objects.filter(task=task, action="escalate").count() == 1


@pytest.mark.django_db
def test_an_unmet_breach_climbs_one_chief_level_per_breach_period_until_the_county_chief(spot, county, county_admin):
    (task_id,) = _dispatch_in_the_past(spot, county, county_admin, 1, hours=0)
    task = Task.objects.get(pk=task_id)
    start = task.dispatched_at
    village_chief = FieldChief.objects.get(
        pk=task.recipients.get(kind="field_chief", field_chief__level=3).field_chief_id)
    township_chief, county_chief = village_chief.superior, village_chief.superior.superior
    report = Deadline.objects.get(task=task, step="report")

    def sweep_at(minutes: int) -> int:
        """Steps this task took (the demo's own deadlines may fall due in the same sweep)."""
        before = Escalation.objects.filter(deadline__task=task).count()
        with clock.frozen(start + dt.timedelta(minutes=minutes)):
            sweep.sweep(worker="t")
        return Escalation.objects.filter(deadline__task=task).count() - before

    assert sweep_at(59) == 0
    assert sweep_at(61) == 1 and sweep_at(61) == 0  # report breached: level 1, the township chief
    assert sweep_at(119) == 0  # one breach period (the report's 60 min) has not run out again
    assert sweep_at(121) == 2  # report level 2 (the county chief) and on-site level 1
    report.refresh_from_db()
    assert report.escalation_level == 2 and report.escalate_at is None  # no chief above the county's: the climb ends
    assert [(e.level, e.field_chief_id) for e in report.escalations.all()] == [(1, township_chief.pk),
        (2, county_chief.pk)]
    assert all(e.org_unit.kind == OrgUnit.Kind.COUNTY_BUREAU for e in report.escalations.all())
    told = _told(task)
    assert {township_chief.user.username, county_chief.user.username} <= told

    with clock.frozen(start + dt.timedelta(minutes=150)):  # on site before its next level is due: the climb stops
        verification.report(actor=county_admin, task=task)
        verification.check_in(actor=county_admin, task=task, lon=task.clue.location.x, lat=task.clue.location.y)
    assert sweep_at(60 * 30) == 1  # only the restore step (24 h) is left to breach
    on_site = Deadline.objects.get(task=task, step="on_site")
    assert on_site.escalation_level == 1 and on_site.met_at is not None
    assert TaskEvent.objects.filter(task=task, action="escalate").count() == 4


@pytest.mark.django_db
def test_a_sweep_after_an_outage_takes_every_overdue_level_once(spot, county, county_admin):
    (task_id,) = _dispatch_in_the_past(spot, county, county_admin, 1, hours=10)
    sweep.sweep(worker="late")
    sweep.sweep(worker="late")
    levels = sorted(Escalation.objects.filter(deadline__task_id=task_id).values_list("deadline__step", "level"))
    assert levels == [("on_site", 1), ("on_site", 2), ("report", 1), ("report", 2)]


@pytest.mark.django_db
def test_a_met_or_waived_deadline_is_never_breached(spot, county, county_admin, township_officer):
    (task_id,) = _dispatch_in_the_past(spot, county, county_admin, 1, hours=0.5)
    task = Task.objects.get(pk=task_id)
    verification.report(actor=township_officer, task=task)
    with clock.frozen(clock.now() + dt.timedelta(hours=30)):
        sweep.sweep()
    # On-site (two breach periods overdue: both levels) and restore (level 1) climbed; report was met.
    assert sorted(Escalation.objects.filter(deadline__task=task).values_list("deadline__step", "level")) == [
        ("on_site", 1), ("on_site", 2), ("restore", 1)]
    assert not Deadline.objects.get(task=task, step="report").breached_at


@pytest.mark.django_db
def test_compliance_is_counted_per_recipient_unit_on_the_dashboard_and_in_xlsx(spot, county, county_admin,
    township_officer,
                                                                               client_for):
    (task_id,) = _dispatch_in_the_past(spot, county, county_admin, 1, hours=1.5)
    task = Task.objects.get(pk=task_id)
    with clock.frozen(task.dispatched_at + dt.timedelta(minutes=30)):
        verification.report(actor=township_officer, task=task)  # on time
    with clock.frozen(task.dispatched_at + dt.timedelta(hours=3)):
        sweep.sweep()  # on-site breached
    units = {(u.kind, u.name): u for u in stats.unit_compliance(scope_for(township_officer))}
    for r in task.recipients.all():
        unit = units[(r.kind, r.label)]
        assert unit.decided >= 2 and unit.on_time >= 1 and unit.breached >= 1 and unit.escalated >= 1
    assert {k for k, _n in units} == {"squad", "office", "government", "field_chief"}
    page = client_for(township_officer).get("/supervision/").content.decode()
    assert 'id="unit-kind-table"' in page and "执法中队" in page
    sheet = load_workbook(
        io.BytesIO(client_for(township_officer).get("/supervision/compliance-units.xlsx").content)).active
    names = {sheet.cell(row, 3).value for row in range(1, sheet.max_row + 1)}  # after 序号 and the kind
    assert {r.label for r in task.recipients.all()} <= names


SEED = """
import datetime as dt, json
import shapely
from landguard.core import clock
from landguard.people.models import Grid, User
from landguard.regions.models import Region
from landguard.core.scope import scope_for
from landguard.supervision import intake, stats, sweep, verification
from landguard.supervision.models import Clue
sweep.sweep(worker="backlog")
county = Region.objects.get(code="371525", retired_in__isnull=True)
admin = User.objects.get(username="guanxian_admin")
grid = Grid.objects.filter(village__code__startswith="371525001").order_by("code").first()
p = shapely.point_on_surface(shapely.from_wkb(bytes(grid.geom.wkb)))
ids = []
with clock.frozen(clock.now() - dt.timedelta(hours=4)):
    for i in range(20):
        clue = intake.report_clue(actor=None, kind="report", lon=p.x + 0.0005 * (i % 5), lat=p.y + 0.0005 * (i // 5),
                                  title=f"并发测试 {i}", county=county)
        Clue.objects.filter(pk=clue.pk).update(last_seen=clock.now() - dt.timedelta(days=30))
        ids.append(verification.dispatch(actor=admin, clue=clue).pk)
print(json.dumps(ids))
"""

CLEANUP = """
import json, sys
from landguard.inbox.models import Message
from landguard.supervision.models import Clue, ClueEvent, Deadline, Escalation, Task, TaskEvent
ids = json.loads(sys.stdin.read())
clue_ids = list(Task.objects.filter(pk__in=ids).values_list("clue_id", flat=True))
Message.objects.filter(subject_type="supervision.task", subject_id__in=ids).delete()
for model, lookup in ((Escalation, "deadline__task_id__in"), (Delivery, "task_id__in"),
                      (Deadline, "task_id__in"), (Recipient, "task_id__in"), (TaskEvent, "task_id__in"),
                      (Task, "pk__in")):
    model.objects.filter(**{lookup: ids}).delete()
Detection.objects.filter(clue_id__in=clue_ids).delete()
ClueEvent.objects.filter(clue_id__in=clue_ids).delete()
Clue.objects.filter(pk__in=clue_ids).delete()
"""


def _manage(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin, capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _sweep_twice_at_once(env: dict[str, str]) -> list[str]:
    """Two `sweep_deadlines --once` processes started together, each with its own database connection."""
    command = [sys.executable, "manage.py", "sweep_deadlines", "--once", "--no-deliveries"]
    processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        outputs.append(out.strip().splitlines()[-1])
    return outputs


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, LANDGUARD_LOG_LEVEL="WARNING")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _escalated(outputs: list[str]) -> int:
    return sum(int(o.split()[0].split("=")[1]) for o in outputs)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("post"), reason="SpatiaLite variant")
@pytest.mark.django_db
def test_two_sweep_processes_escalate_each_breach_exactly_once_spatialite(sqlite_copy):
    # The test database lives in this process's memory: the processes work on a file copy of it (demo county
    # included), taken before any test wrote to it.
    path = sqlite_copy
    env = _env(f"spatialite://{path}")
    ids = json.loads(_manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    outputs = _sweep_twice_at_once(env)
    with sqlite3.connect(path) as db:
        marks = ",".join("?" * len(ids))
        breached = db.execute(
            f"select count(*) from supervision_deadline where task_id in ({marks}) and breached_at is not null",
            ids).fetchone()[0]
        rows = db.execute(
            "select e.deadline_id, e.level from supervision_escalation e join supervision_deadline d on d.id = "
            "e.deadline_id "
                          f"where d.task_id in ({marks})", ids).fetchall()
        events = db.execute(
            f"select count(*) from supervision_taskevent where action = 'escalate' and task_id in ({marks})",
            ids).fetchone()[0]
    # 20 tasks × (report, on-site) × (township chief, county chief), every step once
    assert breached == 40 and len(rows) == 80 and len(set(rows)) == 80 and events == 80
    assert _escalated(outputs) == 80, outputs  # no step taken by both processes


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("post"), reason="PostgreSQL variant")
@pytest.mark.django_db
def test_two_sweep_processes_escalate_each_breach_exactly_once_postgis():
    """PostgreSQL: the processes share the test database. The seed commits (in its own process) so that they
    see it; this test reads what they committed, then removes the rows (audit entries, append-only, remain)."""
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = _env(url)
    ids = json.loads(_manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    try:
        outputs = _sweep_twice_at_once(env)
        escalations = Escalation.objects.filter(deadline__task_id__in=ids)
        assert escalations.count() == 80 and escalations.values("deadline", "level").distinct().count() == 80
        assert Deadline.objects.filter(task_id__in=ids, breached_at__isnull=False, escalation_level=2).count() == 40
        assert TaskEvent.objects.filter(task_id__in=ids, action="escalate").count() == 80
        assert _escalated(outputs) == 80, outputs
    finally:
        _manage(env, "shell", "-c", CLEANUP, stdin=json.dumps(ids))
