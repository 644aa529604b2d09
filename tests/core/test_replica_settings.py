"""LANDGUARD_DATABASE_REPLICAS: each postgis:// URL becomes a replica alias mirroring the primary's test database,
with the router and its middleware; a SpatiaLite primary or a replica URL of another kind stops start-up. (The
routing itself is tested against real replicas in tests/replicas.)"""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = str(Path(__file__).resolve().parents[2] / "landguard" / "settings.py")
PRIMARY = "postgis://lg@db-primary:5432/landguard"


def load_settings(monkeypatch, **env: str) -> dict:
    for name in ("DATABASE_URL", "LANDGUARD_DATABASE_REPLICAS", "LANDGUARD_REPLICA_STICKY_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS)


def test_without_replicas_there_is_one_database_and_no_router(monkeypatch):
    settings = load_settings(monkeypatch, DATABASE_URL=PRIMARY)
    assert list(settings["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in settings
    assert not any("db_routing" in name for name in settings["MIDDLEWARE"])


def test_each_replica_url_becomes_an_alias_that_mirrors_the_primary_in_tests(monkeypatch):
    settings = load_settings(monkeypatch, DATABASE_URL=PRIMARY, LANDGUARD_REPLICA_STICKY_SECONDS="8",
                             LANDGUARD_DATABASE_REPLICAS="postgis://lg@db-r1:5432/landguard, postgis://lg@db-r2/landguard")
    databases = settings["DATABASES"]
    assert list(databases) == ["default", "replica_0", "replica_1"]
    assert [databases[alias]["HOST"] for alias in ("replica_0", "replica_1")] == ["db-r1", "db-r2"]
    assert all(databases[alias]["TEST"] == {"MIRROR": "default"} for alias in ("replica_0", "replica_1"))
    assert databases["replica_0"]["ENGINE"] == databases["default"]["ENGINE"]
    assert settings["DATABASE_ROUTERS"] == ["landguard.core.db_routing.ReplicaRouter"]
    middleware = settings["MIDDLEWARE"]
    assert middleware.index("landguard.core.db_routing.ReplicaReadsMiddleware") + 1 == middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware")
    assert settings["REPLICA_STICKY_SECONDS"] == 8


def test_replicas_need_a_postgis_primary_and_postgis_urls(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="needs a PostGIS primary"):
        load_settings(monkeypatch, LANDGUARD_DATABASE_REPLICAS="postgis://lg@db-r1/landguard")
    with pytest.raises(ImproperlyConfigured, match="must list postgis:// URLs"):
        load_settings(monkeypatch, DATABASE_URL=PRIMARY, LANDGUARD_DATABASE_REPLICAS="spatialite:///tmp/r.sqlite3")


def test_the_next_request_right_after_a_write_is_pinned_although_the_cookie_rounds_the_window_up():
    from landguard.core.db_routing import _within_window

    wrote_at = 1000.0006
    cookie = f"{wrote_at + 5:.3f}"  # "1005.001": 5.0004 s after the write
    assert _within_window(cookie, wrote_at, 5.0)
    assert _within_window(cookie, wrote_at + 4.9, 5.0)
    assert not _within_window(cookie, wrote_at + 5.01, 5.0)  # the window has ended
    assert not _within_window(f"{wrote_at + 6:.3f}", wrote_at, 5.0)  # a forged far-future end pins nothing
