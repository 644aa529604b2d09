"""Fixtures for the battle-map tests: a pinned clock and a few places of the demo county."""

from __future__ import annotations

import datetime as dt

import pytest

from landguard.core import clock


@pytest.fixture
def at():
    """at(date) pins the clock (landguard.core.clock) to 09:00 Shanghai on that date until the test ends."""
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


@pytest.fixture
def qingquan(db):
    from landguard.regions.models import Region

    return Region.objects.get(code="371525001", retired_in__isnull=True)


@pytest.fixture
def guanxian(db):
    from landguard.regions.models import Region

    return Region.objects.get(code="371525", retired_in__isnull=True)
