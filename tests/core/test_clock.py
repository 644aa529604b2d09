"""The injectable clock: real time by default, frozen inside a block, and a clock file for a test server."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from landguard.core import clock


def test_frozen_moves_now_and_today_and_restores_them():
    at = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)  # 07:30 on 2 March in Shanghai
    with clock.frozen(at):
        assert clock.now() == at
        assert clock.today() == dt.date(2026, 3, 2)
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5


def test_clock_file_sets_the_time_only_when_the_variable_names_it(tmp_path, monkeypatch):
    path = tmp_path / "clock.txt"
    path.write_text("2026-05-04T10:00:00+08:00", encoding="utf-8")
    assert clock.now().year != 2026 or clock.now().month != 5 or clock.now().day != 4
    monkeypatch.setenv("LANDGUARD_CLOCK_FILE", str(path))
    assert clock.now() == dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.timezone.utc)
    path.write_text("", encoding="utf-8")  # an empty file means the real time
    assert abs((clock.now() - timezone.now()).total_seconds()) < 5
