"""The router against a real primary and its streaming replicas (scripts/replica_cluster.sh): where a read goes
inside a request, inside a transaction, after a write, and that what the primary commits reaches the replicas."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import router, transaction

from landguard.core import db_routing
from landguard.core.db_routing import PRIMARY, ReplicaRouter, replica_reads
from replication import LAGGING, STREAMING, apply_delay, query_one, replicas_configured, wait_for_replay

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(not replicas_configured(), reason="needs LANDGUARD_DATABASE_REPLICAS (replica_cluster.sh)"),
]
both_servers = pytest.mark.django_db(transaction=True, databases="__all__")


def server(alias: str) -> tuple[bool, int]:
    """(standby?, port) of the server behind a connection."""
    return query_one(alias, "SELECT pg_is_in_recovery(), inet_server_port()")


def test_replicas_are_standbys_of_the_primary_on_their_own_ports_mirroring_its_test_database():
    assert settings.DATABASE_ROUTERS == ["landguard.core.db_routing.ReplicaRouter"]
    for alias in (STREAMING, LAGGING):
        assert settings.DATABASES[alias]["TEST"]["MIRROR"] == "default"
        assert settings.DATABASES[alias]["NAME"] == settings.DATABASES["default"]["NAME"]
        assert settings.DATABASES[alias]["PORT"] != settings.DATABASES["default"]["PORT"]
    # Before the session middleware: the session of a pinned request is read on the primary.
    middleware = settings.MIDDLEWARE
    assert middleware.index("landguard.core.db_routing.ReplicaReadsMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware")


@both_servers
def test_the_primary_is_writable_and_each_replica_is_a_standby():
    assert server(PRIMARY) == (False, int(settings.DATABASES["default"]["PORT"]))
    for alias in (STREAMING, LAGGING):
        assert server(alias) == (True, int(settings.DATABASES[alias]["PORT"]))


def test_migrations_run_on_the_primary_only_and_relations_cross_the_aliases():
    from landguard.people.models import User

    router_ = ReplicaRouter()
    assert router_.allow_migrate(PRIMARY, "people")
    assert not router_.allow_migrate(STREAMING, "people")
    assert not router_.allow_migrate(LAGGING, "people", model_name="user")
    on_primary, on_replica = User(), User()
    on_primary._state.db, on_replica._state.db = PRIMARY, STREAMING
    assert router_.allow_relation(on_primary, on_replica)
    elsewhere = User()
    elsewhere._state.db = "archive"
    assert router_.allow_relation(on_primary, elsewhere) is None


def test_outside_a_request_reads_stay_on_the_primary():
    from landguard.people.models import User

    # Workers and commands must find the job or row that was written a moment ago.
    assert router.db_for_read(User) == PRIMARY
    assert User.objects.all().db == PRIMARY


@both_servers
def test_a_committed_write_lands_on_the_primary_and_streams_to_both_replicas(officers):
    from landguard.people.models import User

    with replica_reads(STREAMING) as reads:
        assert User.objects.all().db == STREAMING
        carol = User.objects.create_user(username="carol", password="replica-test-1")
        assert carol._state.db == PRIMARY
        assert reads.wrote
        # This block wrote: its further reads need what it wrote, so they leave the replica.
        assert User.objects.all().db == PRIMARY
    committed = time.monotonic()
    assert User.objects.using(PRIMARY).filter(username="carol").exists()

    wait_for_replay(STREAMING)
    assert User.objects.using(STREAMING).filter(username="carol").exists()
    assert not User.objects.using(LAGGING).filter(username="carol").exists(), "replica_1 applies late"
    wait_for_replay(LAGGING)
    delay = apply_delay()
    assert delay >= 1
    assert time.monotonic() - committed >= delay - 0.5, "recovery_min_apply_delay held the commit back"
    assert User.objects.using(LAGGING).filter(username="carol").exists()


@both_servers
def test_a_plain_read_in_a_request_runs_on_its_replica(officers, read_from):
    from landguard.people.models import User

    read_from(STREAMING)
    wait_for_replay(STREAMING)
    with replica_reads():
        alias = router.db_for_read(User)
        assert alias == STREAMING
        assert server(alias) == (True, int(settings.DATABASES[STREAMING]["PORT"]))
        assert sorted(User.objects.values_list("username", flat=True)) == ["alice", "bob"]


@both_servers
def test_reads_inside_an_atomic_block_go_to_the_primary_and_see_its_writes(officers):
    from landguard.people.models import User

    wait_for_replay(LAGGING)
    with replica_reads(LAGGING):
        with transaction.atomic():
            # Even before writing: a service reads, checks and writes in one transaction, on one server.
            assert router.db_for_read(User) == PRIMARY
            assert server(router.db_for_read(User))[0] is False
            User.objects.filter(username="alice").update(full_name="张三")
            assert User.objects.get(username="alice").full_name == "张三"
        # The lagging replica has not applied it yet; the block's reads could not have come from there.
        assert User.objects.using(LAGGING).get(username="alice").full_name == ""


@both_servers
def test_a_replica_read_block_picks_one_replica_for_all_its_reads(officers, monkeypatch):
    from landguard.people.models import User

    picks = iter([STREAMING, LAGGING])
    monkeypatch.setattr(db_routing, "choose_replica", lambda aliases: next(picks))
    with replica_reads():
        assert {User.objects.all().db for _ in range(5)} == {STREAMING}
    with replica_reads():
        assert {User.objects.all().db for _ in range(5)} == {LAGGING}
