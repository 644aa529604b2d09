"""The read-replica tests run against a private primary and two streaming replicas (scripts/replica_cluster.sh):
`make test` starts them and runs

    env $(bash scripts/replica_cluster.sh start) .venv/bin/pytest --confcutdir=tests/replicas --create-db \
        -m replica tests/replicas

pytest-django creates the test database on the primary; streaming copies it, and its migrations, to the replicas,
whose aliases mirror the primary's test database (settings: TEST MIRROR, which only renames the database, so each
replica alias still talks to its own server). --confcutdir leaves out tests/conftest.py: these tests need none of
the demo county, and every test here commits for real (transaction=True, so a replica can see it), after which
the test database is emptied anyway.

Without LANDGUARD_DATABASE_REPLICAS the tests are skipped.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from landguard.core import db_routing


@pytest.fixture
def read_from(monkeypatch) -> Callable[[str], None]:
    """read_from(alias): every request (and `replica_reads()` block) from now on picks this replica, so a test
    decides whether it reads the streaming or the lagging one."""

    def choose(alias: str) -> None:
        monkeypatch.setattr(db_routing, "choose_replica", lambda aliases: alias)

    return choose


@pytest.fixture
def officers(transactional_db):
    """Two officers of one county, written on the primary (outside any request) and committed."""
    from landguard.people.models import Role, User
    from landguard.regions.models import Level, Region

    county = Region.objects.create(code="371525", name="冠县", level=Level.COUNTY)
    return {name: User.objects.create_user(username=name, password="replica-test-1", role=Role.STAFF,
                                           scope_region=county)
            for name in ("alice", "bob")}
