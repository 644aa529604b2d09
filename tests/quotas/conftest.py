"""Fixtures for the quota-ledger tests: the demo's counties and a pinned clock."""

from __future__ import annotations

import datetime as dt

import pytest

from landguard.core import clock
from landguard.regions.models import Region

YEAR = 2031  # a year the demo leaves empty


@pytest.fixture
def guanxian(db):
    return Region.objects.get(code="371525", retired_in__isnull=True)


@pytest.fixture
def shenxian(db):
    return Region.objects.get(code="371522", retired_in__isnull=True)


@pytest.fixture
def liaocheng(db):
    return Region.objects.get(code="3715", retired_in__isnull=True)


@pytest.fixture
def at():
    """at(date) pins the clock to 09:00 Shanghai on that date until the test ends."""
    frozen = []

    def pin(day: dt.date):
        while frozen:
            frozen.pop().__exit__(None, None, None)
        context = clock.frozen(dt.datetime.combine(day, dt.time(9)))
        context.__enter__()
        frozen.append(context)

    yield pin
    while frozen:
        frozen.pop().__exit__(None, None, None)
