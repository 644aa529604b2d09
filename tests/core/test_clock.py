"""The injectable clock: real time by default, frozen inside a block, and a clock file for a test server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from landguard.core import clock


def test_frozen_moves_now_and_today_and_restores_them():
    at = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)  # 07:30 on 2 March in Shanghai
    with clock.frozen(at):
        assert clock.now() == at
        assert clock.today() == dt.date(2026, 3, 2)
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5


def test_clock_file_sets_the_time_of_a_running_process(tmp_path, settings):
    path = tmp_path / "clock.txt"
    settings.CLOCK_FILE = str(path)
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5  # no file yet: real time
    path.write_text("2026-05-04T10:00:00+08:00", encoding="utf-8")
    assert clock.now() == dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.timezone.utc)
    path.write_text("2026-05-04", encoding="utf-8")  # a bare date: 09:00 Shanghai
    assert timezone.localtime(clock.now()).hour == 9 and clock.today() == dt.date(2026, 5, 4)
    path.write_text("next tuesday", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="LANDGUARD_CLOCK_FILE"):
        clock.now()
