"""Fixtures of the layers tests."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from landguard.layers import tile_cache


@pytest.fixture(autouse=True)
def empty_tile_cache():
    """Each test starts with no tile cached: the database is rolled back after every test (on SQLite a version id
    comes back with it) and several tests change the tile rule for one test with monkeypatch."""
    caches[tile_cache.CACHE_ALIAS].clear()
    yield
