"""What the read-replica tests share: the replicas of scripts/replica_cluster.sh and waiting for them to catch up."""

from __future__ import annotations

import time

from django.db import connections

LAGGING = "replica_1"  # scripts/replica_cluster.sh: recovery_min_apply_delay
STREAMING = "replica_0"


def replicas_configured() -> bool:
    from django.conf import settings

    return {STREAMING, LAGGING} <= set(settings.DATABASES)


def query_one(alias: str, sql: str, params: list | None = None):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


def wait_for_replay(alias: str, timeout: float = 15.0) -> float:
    """Block until `alias` has applied everything the primary has written so far; the seconds it took."""
    (target,) = query_one("default", "SELECT pg_current_wal_lsn()")
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        (done,) = query_one(alias, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)])
        if done:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"{alias} did not replay up to {target} within {timeout} s")


def apply_delay(alias: str = LAGGING) -> float:
    """The replica's recovery_min_apply_delay in seconds."""
    (milliseconds,) = query_one(alias, "SELECT setting::int FROM pg_settings WHERE name = 'recovery_min_apply_delay'")
    return milliseconds / 1000
