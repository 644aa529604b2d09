"""The provider adapters of 一证办证: the HTTP provider against a local server (what it sends, an immediate answer, a
ticket answered later, and every malformed answer a 失败 with its reason, never a 500); asynchronous look-ups kept in
the database so a restarted poll loop finds them, and two loops started together answering each exactly once."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from citizens.helpers import make_id
from landguard.citizens import polling, providers, services
from landguard.citizens.models import DataRequest, Matter, Registration
from landguard.core import clock
from landguard.regions.models import Region

REPO = Path(__file__).resolve().parents[2]
UNIT = "371525001001GB00001F00010001"


class _Handler(BaseHTTPRequestHandler):
    received: list[dict] = []
    mode = "normal"

    def log_message(self, *args):  # keep the test output (and any ID number) out of stderr
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.received.append({"path": self.path, **body})
        if _Handler.mode == "broken":
            self._send(200, b"<html>not json</html>")
        elif _Handler.mode == "error":
            self._send(500, b"{}")
        elif self.path.endswith("/poll"):
            self._send(200, json.dumps({"status": "answered", "matched": True, "flags": {"registered": True,
                                                                                         "name": "张三"}}).encode())
        elif body["document"] == "household":
            self._send(200, json.dumps({"status": "pending", "ticket": "HJ-0001"}).encode())
        else:
            self._send(200, json.dumps({"status": "answered", "matched": body["document"] != "tax"}).encode())

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server():
    # port 0: the SpatiaLite and PostGIS suites run side by side in CI, so no fixed port
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.received, _Handler.mode = [], "normal"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/share"
    httpd.shutdown()
    httpd.server_close()


def _every_document_over_http(url: str) -> dict:
    return {"CITIZENS_PROVIDERS": {doc: {"kind": "http", "url": url, "timeout": 3} for doc in (
        "identity", "household", "marriage", "judgment", "death", "tax", "contract_filing", "seizure")}}


def _new_home(actor) -> Matter:
    township = Region.objects.get(code="371525001", retired_in__isnull=True)
    return services.create_registration(actor=actor, region=township, reg_kind=Registration.RegKind.TRANSFER,
                                        transfer_kind=Registration.TransferKind.NEW_HOME, unit_no=UNIT,
                                        contract_no="WQ-77", holders=[(make_id(seq=55), "孙买")])


@pytest.mark.django_db
def test_http_provider_answers_now_and_later_and_keeps_only_the_comparison(server, county_admin):
    with override_settings(**_every_document_over_http(server)):
        matter = _new_home(county_admin)
        rows = services.request_documents(actor=county_admin, matter=matter, consent=True)
        sent = {r["document"]: r for r in _Handler.received}
        assert sent["identity"]["subject_id"] == make_id(seq=55) and sent["identity"]["consent"] is True
        assert sent["tax"]["reference"] == "WQ-77" and sent["seizure"]["reference"] == UNIT
        by_doc = {r.document: r for r in rows}
        assert by_doc["household"].status == DataRequest.Status.REQUESTED and by_doc["household"].ticket == "HJ-0001"
        assert by_doc["tax"].matched is False and by_doc["identity"].matched is True
        port = server.split(":")[2].split("/")[0]
        assert all(r.provider == f"http:127.0.0.1:{port}" for r in rows)
        with clock.frozen(clock.now() + dt.timedelta(minutes=1)):
            assert polling.poll_due() == 1
        household = DataRequest.objects.get(pk=by_doc["household"].pk)
        assert _Handler.received[-1] == {"path": "/share/poll", "ticket": "HJ-0001"}
        # only the yes/no facts are kept: the text value the provider added is dropped
        assert household.matched is True and household.result == {"registered": True}
        assert len(household.result_hash) == 64


@pytest.mark.django_db
@pytest.mark.parametrize("mode, reason", [("broken", "not JSON"), ("error", "HTTP 500")])
def test_a_bad_provider_answer_is_a_failed_lookup_with_its_reason(server, county_admin, mode, reason):
    _Handler.mode = mode
    with override_settings(**_every_document_over_http(server)):
        rows = services.request_documents(actor=county_admin, matter=_new_home(county_admin), consent=True)
    assert rows and all(r.status == DataRequest.Status.FAILED and reason in r.error for r in rows)


@pytest.mark.django_db
def test_an_unreachable_provider_fails_the_lookup(county_admin):
    with socket.socket() as probe:  # a port that was free a moment ago and has nobody listening now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = _every_document_over_http(f"http://127.0.0.1:{port}/none")
    with override_settings(**config):
        rows = services.request_documents(actor=county_admin, matter=_new_home(county_admin), consent=True)
    assert rows and all(r.status == DataRequest.Status.FAILED and r.error for r in rows)


@pytest.mark.django_db
def test_a_claimed_request_is_not_polled_by_a_second_worker_until_its_lease_runs_out(county_admin):
    matter = _new_home(county_admin)
    services.request_documents(actor=county_admin, matter=matter, consent=True)
    pending = DataRequest.objects.get(matter=matter, status=DataRequest.Status.REQUESTED)
    later = clock.now() + dt.timedelta(minutes=5)
    assert polling.claim(pending.pk, later) is True
    assert polling.claim(pending.pk, later) is False  # the second worker
    with clock.frozen(later):
        assert polling.poll_due() == 0  # the first worker "died" holding it
    with clock.frozen(later + polling.LEASE + dt.timedelta(seconds=1)):
        assert polling.poll_due() == 1
    assert DataRequest.objects.get(pk=pending.pk).status == DataRequest.Status.ANSWERED


def test_demo_provider_tickets_carry_no_id_number():
    pending = providers.DemoProvider().request(providers.Query("household", "x", subject_id=make_id(seq=9)))
    assert isinstance(pending, providers.Pending) and make_id(seq=9) not in pending.ticket


# --- across a restart, two loops at once -----------------------------------------------------------------------
SEED = """
import json
from landguard.citizens import services
from landguard.citizens.models import DataRequest, Registration
from landguard.regions.models import Region
from landguard.citizens.idnumbers import check_char
township = Region.objects.get(code="371525001", retired_in__isnull=True)
ids = []
for n in range(12):
    first17 = f"37152519900101{n:03d}"
    matter = services.create_registration(actor=None, region=township, reg_kind="transfer",
        transfer_kind="new_home", unit_no="371525001001GB00001F0001%04d" % n, contract_no=f"SEED-{n}",
        holders=[(first17 + check_char(first17), f"种子{n}")])
    services.request_documents(actor=None, matter=matter, consent=True)
    ids.append(matter.pk)
print(json.dumps(ids))
"""
CLEANUP = """
import json, sys
from landguard.citizens.models import Matter, Person
ids = json.loads(sys.stdin.read())
people = set(Matter.objects.filter(pk__in=ids).values_list("parties__person", flat=True))
Matter.objects.filter(pk__in=ids).delete()
Person.objects.filter(pk__in=people).delete()
"""


def _manage(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _env(database_url: str, clock_file: Path) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, LANDGUARD_LOG_LEVEL="WARNING",
               LANDGUARD_CLOCK_FILE=str(clock_file))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _two_loops_after_a_restart(env: dict[str, str], clock_file: Path) -> tuple[list[int], int]:
    clock_file.write_text("2026-09-30T09:00:00+08:00")
    ids = json.loads(_manage(env, "shell", "-c", SEED).strip().splitlines()[-1])  # the requesting process exits
    clock_file.write_text("2026-09-30T09:05:00+08:00")  # the answers are ready now
    command = [sys.executable, "manage.py", "poll_data_requests", "--once"]
    processes = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    answered = 0
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        figures = dict(part.split("=") for part in out.strip().splitlines()[-1].split())  # answered=… escalated=…
        answered += int(figures["answered"])
    return ids, answered


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("post"), reason="SpatiaLite variant")
@pytest.mark.django_db
def test_pending_lookups_survive_a_restart_and_two_loops_answer_each_once_spatialite(sqlite_copy, tmp_path):
    env = _env(f"spatialite://{sqlite_copy}", tmp_path / "clock")
    ids, answered = _two_loops_after_a_restart(env, tmp_path / "clock")
    with sqlite3.connect(sqlite_copy) as db:
        marks = ",".join("?" * len(ids))
        states = db.execute(f"select status, count(*) from citizens_datarequest where document = 'household' and "
                            f"matter_id in ({marks}) group by status", ids).fetchall()
        notes = db.execute(f"select count(*) from audit_auditentry where note like '共享数据反馈%' and target_type = "
                           f"'citizens.matter' and target_id in ({marks})", [str(i) for i in ids]).fetchone()[0]
    assert states == [("answered", 12)] and notes == 12 and answered == 12


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("post"), reason="PostgreSQL variant")
@pytest.mark.django_db
def test_pending_lookups_survive_a_restart_and_two_loops_answer_each_once_postgis(tmp_path):
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = _env(url, tmp_path / "clock")
    ids: list[int] = []
    try:
        ids, answered = _two_loops_after_a_restart(env, tmp_path / "clock")
        rows = DataRequest.objects.filter(matter_id__in=ids, document="household")
        assert rows.count() == 12 and set(rows.values_list("status", flat=True)) == {"answered"}
        assert answered == 12
    finally:
        if ids:
            _manage(env, "shell", "-c", CLEANUP, stdin=json.dumps(ids))
