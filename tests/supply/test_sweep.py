"""The contract-date sweep: each due date raises its item on the 两清 board once — a second sweep raises nothing,
and two sweep processes started together on one database raise each item once between them (both databases); a
date met meanwhile raises nothing; the idle item proposes the 20 % fee, a missed instalment becomes arrears, a late
hand-over is a government-side fault counted against the township; the procedure's steps carry their deadlines."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from landguard.core import clock
from landguard.inbox.models import Message
from landguard.supply import services, sweep
from landguard.supply.models import Cause, Disposal, ItemKind, SubCause, TwoClearItem
from supply.helpers import approved_dossier, square_in, transfer

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def _at(day: dt.date):
    return clock.frozen(dt.datetime.combine(day, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=8))))


def test_each_due_date_raises_its_item_once_and_a_second_sweep_nothing():
    record = transfer(square_in(approved_dossier()), "SW-1", price_wan_yuan=Decimal("1000.00"), instalments=[
        (dt.date(2024, 3, 20), Decimal("500")), (dt.date(2024, 12, 1), Decimal("500"))])
    services.record_payment(actor=None, supply=record, paid_on=dt.date(2024, 3, 20), amount_wan_yuan=Decimal(500))
    with _at(dt.date(2025, 6, 2)):  # start date + 1 year, hand-over never recorded, second instalment unpaid
        sweep.sweep(worker="a")
        assert sweep.sweep(worker="b") == 0
    kinds = sorted(TwoClearItem.objects.filter(supply=record).values_list("kind", flat=True))
    assert kinds == sorted([ItemKind.DELIVERY_LATE, ItemKind.IDLE, ItemKind.INSTALMENT_DUE, ItemKind.ARREARS])
    idle = TwoClearItem.objects.get(supply=record, kind=ItemKind.IDLE)
    assert idle.cause == Cause.GOVERNMENT  # the land was never handed over: not the enterprise's fault ...
    assert idle.proposed_fee_wan_yuan is None and idle.disposal == Disposal.EXTEND  # ... so no fee, 延期开工
    arrears = TwoClearItem.objects.get(supply=record, kind=ItemKind.ARREARS)
    assert arrears.arrears_wan_yuan == Decimal("500.00") and arrears.cause == Cause.ENTERPRISE
    delivery = TwoClearItem.objects.get(supply=record, kind=ItemKind.DELIVERY_LATE)
    assert delivery.counts_against_township and delivery.owner_region == record.region
    assert Message.objects.filter(code="supply.item_raised", subject_id=idle.pk).exists()


def test_a_date_met_before_the_sweep_raises_nothing_and_an_enterprise_idle_case_proposes_the_fee():
    record = transfer(square_in(approved_dossier()), "SW-2")
    services.record_payment(actor=None, supply=record, paid_on=dt.date(2024, 4, 1), amount_wan_yuan=Decimal(1000))
    services.record_milestone(actor=None, supply=record, action="deliver", on=dt.date(2024, 4, 1))
    with _at(dt.date(2026, 6, 5)):  # two years past the start date, delivered on time, never started
        sweep.sweep()
    kinds = set(TwoClearItem.objects.filter(supply=record).values_list("kind", flat=True))
    assert kinds == {ItemKind.IDLE, ItemKind.RECOVER, ItemKind.COMPLETION_LATE}
    idle = TwoClearItem.objects.get(supply=record, kind=ItemKind.IDLE)
    assert (idle.cause, idle.sub_cause, idle.disposal) == (Cause.ENTERPRISE, SubCause.ENT_UNSTARTED,
                                                           Disposal.IDLE_FEE)
    assert idle.proposed_fee_wan_yuan == Decimal("200.00")  # 20 % of the 1,000 万元 price, the law's ceiling
    recover = TwoClearItem.objects.get(supply=record, kind=ItemKind.RECOVER)
    assert recover.disposal == Disposal.FREE_RECOVERY


def test_the_procedure_moves_by_its_table_with_deadlines():
    record = transfer(square_in(approved_dossier()), "SW-3")
    with _at(dt.date(2025, 6, 2)):
        sweep.sweep()
        item = TwoClearItem.objects.get(supply=record, kind=ItemKind.IDLE)
        with pytest.raises(ValidationError):
            services.act_on_item(actor=None, item=item, action="decide", on=dt.date(2025, 6, 2))
        item = services.act_on_item(actor=None, item=item, action="notice", on=dt.date(2025, 6, 2),
                                    document_no="冠自然资闲调〔2025〕1号")
        assert item.stage_due_on == dt.date(2025, 7, 2)  # 30 days for the statement (53号令, 待确认)
        item = services.act_on_item(actor=None, item=item, action="determine", on=dt.date(2025, 6, 2))
        with pytest.raises(ValidationError, match="须选定处置方式"):
            item.disposal = ""
            item.save()
            services.act_on_item(actor=None, item=item, action="decide", on=dt.date(2025, 6, 2))
        services.set_item(actor=None, item=item, cause=Cause.GOVERNMENT, sub_cause=SubCause.GOV_PLAN,
                          disposal=Disposal.CHANGE_USE)
        item = services.act_on_item(actor=None, item=item, action="decide", on=dt.date(2025, 6, 2))
        assert item.status == TwoClearItem.Status.DECIDED
        with pytest.raises(ValidationError, match="不属于"):
            services.set_item(actor=None, item=item, cause=Cause.ENTERPRISE, sub_cause=SubCause.GOV_PLAN)


# --- two processes at once ------------------------------------------------------------------------------------

SEED = """
import datetime as dt, json, sys
from decimal import Decimal
sys.path.insert(0, "tests")
from supply.helpers import approved_dossier, square_in, transfer
ids = []
for i in range(6):
    r = transfer(square_in(approved_dossier(i % 3), half=0.0002), f"SWP-{i}", instalments=[
        (dt.date(2024, 3, 20), Decimal("500")), (dt.date(2024, 12, 1), Decimal("500"))])
    ids.append(r.pk)
print(json.dumps(ids))
"""

CLEANUP = """
import json, sys
from landguard.inbox.models import Message
from landguard.supply.models import SupplyRecord, TwoClearItem
ids = json.loads(sys.stdin.read())
items = list(TwoClearItem.objects.filter(supply_id__in=ids).values_list("pk", flat=True))
Message.objects.filter(subject_type="supply.twoclearitem", subject_id__in=items).delete()
for record in SupplyRecord.objects.filter(pk__in=ids):
    for item in record.items.all():
        item.history.all().delete()
        item.delete()
    record.watches.all().delete()
    record.delete()
"""


def _manage(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _env(database_url: str, clock_file: Path) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, LANDGUARD_LOG_LEVEL="WARNING",
               LANDGUARD_CLOCK_FILE=str(clock_file))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _sweep_twice_at_once(env: dict[str, str]) -> int:
    command = [sys.executable, "manage.py", "sweep_supply", "--once"]
    processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    raised = 0
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        raised += int(out.strip().splitlines()[-1].split("=")[1])
    return raised


# 6 records × (交地逾期, 闲置满一年, 应缴提醒 ×2, 欠缴 ×2): 36 items; 竣工 and 满两年 not yet due on 2025-06-10.
EXPECTED = 6 * 6


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("post"), reason="SpatiaLite variant")
def test_two_sweep_processes_raise_each_item_once_spatialite(sqlite_copy, tmp_path):
    clock_file = tmp_path / "clock"
    clock_file.write_text("2025-06-10")
    env = _env(f"spatialite://{sqlite_copy}", clock_file)
    ids = json.loads(_manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    raised = _sweep_twice_at_once(env)
    with sqlite3.connect(sqlite_copy) as db:
        marks = ",".join("?" * len(ids))
        rows = db.execute(f"select watch_id from supply_twoclearitem where supply_id in ({marks})", ids).fetchall()
    assert len(rows) == EXPECTED and len(set(rows)) == EXPECTED
    assert raised == EXPECTED


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("post"), reason="PostgreSQL variant")
def test_two_sweep_processes_raise_each_item_once_postgis(tmp_path):
    clock_file = tmp_path / "clock"
    clock_file.write_text("2025-06-10")
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = _env(url, clock_file)
    ids = json.loads(_manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    try:
        raised = _sweep_twice_at_once(env)
        items = TwoClearItem.objects.filter(supply_id__in=ids)
        assert items.count() == EXPECTED and items.values("watch").distinct().count() == EXPECTED
        assert raised == EXPECTED
    finally:
        _manage(env, "shell", "-c", CLEANUP, stdin=json.dumps(ids))
