"""Settings from the environment: a bad value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from landguard.env import database_config, env_bool, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_rejects_a_word_that_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("LANDGUARD_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LANDGUARD_DEBUG must be true or false.*'maybe'"):
        env_bool("LANDGUARD_DEBUG", False)


def test_env_int_names_the_variable_and_the_bound(monkeypatch):
    monkeypatch.setenv("LANDGUARD_UPLOAD_MAX_MB", "lots")
    with pytest.raises(ImproperlyConfigured, match="LANDGUARD_UPLOAD_MAX_MB must be a whole number"):
        env_int("LANDGUARD_UPLOAD_MAX_MB", 200)
    monkeypatch.setenv("LANDGUARD_UPLOAD_MAX_MB", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("LANDGUARD_UPLOAD_MAX_MB", 200, minimum=1)


def test_env_url_requires_a_scheme(monkeypatch):
    monkeypatch.setenv("LANDGUARD_BASEMAP_TILE_URL", "tiles.local/{z}/{x}/{y}.png")
    with pytest.raises(ImproperlyConfigured, match="LANDGUARD_BASEMAP_TILE_URL must be a URL"):
        env_url("LANDGUARD_BASEMAP_TILE_URL", schemes=("http", "https"))


def test_database_url_selects_postgis_or_spatialite():
    assert database_config("", "/tmp/x.sqlite3")["ENGINE"].endswith("spatialite")
    config = database_config("postgis://lg:secret@db.example:5433/landguard", "/tmp/x.sqlite3")
    assert config["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.example", 5433, "landguard", "lg")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with postgis://"):
        database_config("mysql://x@y/z", "/tmp/x.sqlite3")


def test_process_refuses_to_start_with_a_bad_setting():
    env = {**os.environ, "LANDGUARD_DEBUG": "sometimes", "DJANGO_SETTINGS_MODULE": "landguard.settings"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "LANDGUARD_DEBUG must be true or false" in result.stderr


def test_redis_url_switches_the_progress_cache_and_a_wrong_scheme_is_refused():
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "landguard.settings"}
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", show], cwd=ROOT, capture_output=True,
                            text=True,
                            env={**base, "LANDGUARD_REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert result.stdout.strip().splitlines()[-1] == "django.core.cache.backends.redis.RedisCache", result.stderr
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env={**base, "LANDGUARD_REDIS_URL": "http://127.0.0.1:6379"})
    assert result.returncode != 0 and "LANDGUARD_REDIS_URL must be a URL starting with redis://" in result.stderr
