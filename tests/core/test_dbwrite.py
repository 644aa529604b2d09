"""Writes on a busy SQLite (core/dbwrite.py): a BEGIN that lost its wait for the write lock gets further turns; any
other error, or a lock met inside a transaction, is raised at once."""

from __future__ import annotations

import pytest
from django.db import OperationalError, transaction

from landguard.core import dbwrite

def test_a_locked_write_is_tried_again_and_succeeds(monkeypatch):
    monkeypatch.setattr(dbwrite.time, "sleep", lambda s: None)
    calls = []

    def write():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return "written"

    assert dbwrite.retry_when_locked(write) == "written" and len(calls) == 3


def test_it_gives_up_after_its_turns_and_never_retries_other_errors(monkeypatch):
    monkeypatch.setattr(dbwrite.time, "sleep", lambda s: None)
    calls = []

    def locked():
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError):
        dbwrite.retry_when_locked(locked, attempts=3)
    assert len(calls) == 3
    calls.clear()

    def broken():
        calls.append(1)
        raise OperationalError("no such table: x")

    with pytest.raises(OperationalError):
        dbwrite.retry_when_locked(broken)
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_transaction_the_lock_is_raised_for_the_caller_to_retry_whole(monkeypatch):
    calls = []

    def locked():
        calls.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(OperationalError), transaction.atomic():
        dbwrite.retry_when_locked(locked)
    assert len(calls) == 1


def test_the_alarm_api_answers_503_with_retry_after_when_the_database_stays_locked(monkeypatch):
    from landguard.supervision import api, intake
    from landguard.supervision.models import AlarmSource

    monkeypatch.setattr(dbwrite.time, "sleep", lambda s: None)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(intake, "ingest_alarm", locked)
    response = api._ingest(AlarmSource(), intake.Alarm.__new__(intake.Alarm))
    assert response.status_code == 503 and response["Retry-After"] == "5"
