"""Shared test fixtures.

The demo county (landguard.demo) is loaded once per test session into the test database; each test runs
inside a transaction that is rolled back, so tests may change data freely. The three personas every
access test uses come from that demo:

- county_admin      冠县自然资源和规划局 admin, scope 371525 (冠县)
- township_officer  清泉街道自然资源所 staff, scope 371525001 (清泉街道)
- other_county_user 莘县自然资源和规划局 admin, scope 371522 (莘县)
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from landguard.demo.personas import COUNTY_ADMIN, OTHER_COUNTY_USER, TOWNSHIP_OFFICER


def pytest_configure(config) -> None:
    """A cache of this run's own: CI runs the SpatiaLite and the PostGIS suites side by side, and a file cache under
    var/ shared between them lets one suite's cache.clear() or throttle counts (the token endpoint's, per address)
    leak into the other's (and one suite's tiles, cached per layer version id, reach the other's database)."""
    from django.conf import settings

    for alias, cache in settings.CACHES.items():
        if cache["BACKEND"].endswith("FileBasedCache"):
            cache["LOCATION"] = tempfile.mkdtemp(prefix=f"landguard-test-cache-{alias}-")
    # Overview figures are computed on every page here: a test's writes are rolled back, never committed, so the
    # commit that tells the figures cache about a write never comes (tests/core/test_figures_cache.py turns it on
    # and runs the commit callbacks).
    settings.FIGURES_CACHE_SECONDS = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from landguard.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture(scope="session")
def sqlite_snapshot(django_db_setup, django_db_blocker, tmp_path_factory) -> Path | None:
    """A file copy of the in-memory SpatiaLite test database as set up (demo county loaded), for the tests whose
    worker processes need a database file of their own; None on PostgreSQL, where they share the test database.

    Taken once, outside any test: a test's connection holds a write transaction (BEGIN IMMEDIATE), sqlite3's
    backup from a connection that is writing answers SQLITE_LOCKED, and Python's backup() retries that forever.
    Being session-scoped, pytest sets it up before the test's own transaction begins."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    path = tmp_path_factory.mktemp("sqlite") / "snapshot.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        assert not connection.in_atomic_block, "the snapshot must be taken outside a transaction"
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return path


@pytest.fixture
def sqlite_copy(sqlite_snapshot, tmp_path) -> Path | None:
    """This test's own file copy of the SpatiaLite test database (None on PostgreSQL)."""
    if sqlite_snapshot is None:
        return None
    path = tmp_path / "copy.sqlite3"
    shutil.copyfile(sqlite_snapshot, path)
    return path


@pytest.fixture
def county_admin(db):
    from landguard.people.models import User

    return User.objects.get(username=COUNTY_ADMIN)


@pytest.fixture
def township_officer(db):
    from landguard.people.models import User

    return User.objects.get(username=TOWNSHIP_OFFICER)


@pytest.fixture
def other_county_user(db):
    from landguard.people.models import User

    return User.objects.get(username=OTHER_COUNTY_USER)


@pytest.fixture
def personas(county_admin, township_officer, other_county_user):
    return {"county_admin": county_admin, "township_officer": township_officer, "other_county_user": other_county_user}


@pytest.fixture
def client_for(client):
    """client_for(user) → a Django test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
