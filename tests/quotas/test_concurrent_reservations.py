"""Two reservations that together would overdraw a ledger, made at the same moment by two processes with their own
database connections: exactly one wins, the other is refused with the shortfall, on SpatiaLite and on PostGIS.

Each process reserves inside a transaction it keeps open for a second after its reservation, so the other one —
started together — reads the balance while the first has not committed: without the account lock
(`select_for_update`; on SQLite the IMMEDIATE transaction) both would see 10 亩 free and both would take 7."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from landguard.quotas.models import Action, QuotaEntry

REPO = Path(__file__).resolve().parents[2]

# Seeds a ledger of 10 亩 in a year nobody uses, commits, prints the year.
SEED = """
import datetime as dt
from landguard.quotas import services
from landguard.quotas.models import Kind, QuotaAccount, Source
from landguard.regions.models import Region
county = Region.objects.get(code="371525", retired_in__isnull=True)
used = set(QuotaAccount.objects.filter(region=county, kind=Kind.PLAN).values_list("year", flat=True))
year = next(y for y in range(2099, 2039, -1) if y not in used)
services.allocate(actor=None, region=county, year=year, kind=Kind.PLAN, amount="10", source=Source.ISSUED,
                  document_no="并发测试", effective_on=dt.date(year, 1, 1))
print(year)
"""

RACER = """
import time
from django.db import transaction
from landguard.quotas import services
from landguard.quotas.models import Kind
from landguard.regions.models import Region
county = Region.objects.get(code="371525", retired_in__isnull=True)
while time.time() < {start}:
    time.sleep(0.005)
try:
    with transaction.atomic():
        services.reserve(actor=None, region=county, year={year}, kind=Kind.PLAN, amount="7",
                         holder="race:{year}:{n}", holder_label="并发测试 {n}")
        time.sleep(1.0)
    print("won")
except services.QuotaShortfall as refused:
    print("refused", refused.messages[0])
"""


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, LANDGUARD_LOG_LEVEL="WARNING")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _manage(env: dict[str, str], code: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def _race(env: dict[str, str], year: int) -> list[str]:
    start = time.time() + 6  # both processes have started Django by then and wait for the same instant
    processes = [subprocess.Popen([sys.executable, "manage.py", "shell", "-c",
                                   RACER.format(start=start, year=year, n=n)], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n in range(2)]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        outcomes.append(out.strip().splitlines()[-1])
    return outcomes


def _check(outcomes: list[str]) -> None:
    assert sorted(o.split()[0] for o in outcomes) == ["refused", "won"], outcomes
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert "需要 7.0000 亩" in refusal and "可用 3.0000 亩" in refusal  # it saw the winner's reservation


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("post"), reason="SpatiaLite variant")
@pytest.mark.django_db
def test_two_processes_reserving_at_once_exactly_one_wins_spatialite(sqlite_copy):
    env = _env(f"spatialite://{sqlite_copy}")
    year = int(_manage(env, SEED))
    outcomes = _race(env, year)
    _check(outcomes)
    with sqlite3.connect(sqlite_copy) as db:
        amounts = [Decimal(str(a)) for (a,) in db.execute(
            "select e.amount from quotas_quotaentry e join quotas_quotaaccount a on a.id = e.account_id "
            "where a.year = ? and a.kind = 'plan'", [year])]
    assert sorted(amounts) == [Decimal("-7"), Decimal("10")]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("post"), reason="PostgreSQL variant")
@pytest.mark.django_db
def test_two_processes_reserving_at_once_exactly_one_wins_postgis():
    """The processes share the test database; the seed commits in its own process. The rows stay (entries are
    append-only, the database refuses their deletion) in a year no other test uses."""
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = _env(url)
    year = int(_manage(env, SEED))
    outcomes = _race(env, year)
    _check(outcomes)
    rows = QuotaEntry.objects.filter(account__year=year, account__region__code="371525")
    assert sorted(rows.values_list("amount", flat=True)) == [Decimal("-7"), Decimal("10")]
    assert rows.filter(action=Action.RESERVE).count() == 1
