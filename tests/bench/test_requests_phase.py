"""bench/requests_phase.py runs apart from the suite, against gunicorn: this keeps its request mix true to the code —
every call it sends (those of the demo county; the 500 000-parcel layer exists only in a bench database) answers
its user with a success and the Server-Timing the phase reads — and its report renders."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from bench import report, requests_phase

pytestmark = pytest.mark.django_db


def test_every_call_of_the_mix_answers_its_user_with_server_timing(client):
    endpoints = requests_phase._endpoints(requests_phase._demo_users())
    names = {e.name for e in endpoints}
    assert {"home field chief", "map", "supervision dashboard", "clue list xlsx", "overlay API, demo county",
            "OGC items 1000, demo county", "DLTB tile z14, demo county"} <= names
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in={c.user for e in endpoints for c in e.calls})}
    for endpoint in endpoints:
        call = endpoint.calls[0]
        client.force_login(users[call.user])
        if call.method == "POST":
            response = client.post(call.path, call.body, content_type=call.content_type)
        else:
            response = client.get(call.path)
        assert 200 <= response.status_code < 300, (endpoint.name, call.path, response.status_code)
        timing = dict(re.findall(r"\b(cpu|app);dur=([0-9.]+)", response["Server-Timing"]))
        assert set(timing) == {"cpu", "app"}, endpoint.name


def test_the_mix_is_sixty_thirty_ten():
    share: dict[str, float] = {}
    for _name, category, part in requests_phase.MIX:
        key = {"page": "pages", "tile": "tiles"}.get(category, "lists and APIs")
        share[key] = share.get(key, 0.0) + part
    assert share == pytest.approx({"pages": 0.60, "lists and APIs": 0.30, "tiles": 0.10})


def test_the_report_renders_a_phase_result():
    summary = {"n": 3, "ok": 3, "statuses": {"200": 3}, "cpu_p50_ms": 4.0, "cpu_p95_ms": 9.5, "app_p50_ms": 6.0,
               "latency_p50_ms": 12.0, "latency_p95_ms": 30.0, "latency_p99_ms": 41.0, "bytes_p50": 900.0}
    rate = {"requests": 3, "sent_s": 0.2, "wall_s": 0.3, "unfinished_after_drain": 0, "all": summary,
            "categories": {"page": summary}, "endpoints": {"map": summary}, "db_backend_cpu_ms_per_request": 1.5,
            "loadavg_start": [1.0, 1.0, 1.0], "loadavg_end": [1.1, 1.0, 1.0], "rss_mb": {"1": 200.0}}
    phase = {"server": "gunicorn -w 2", "backend": "postgresql", "seconds": 20, "rates": {"10": rate},
             "rss_mb": {"after_warmup": {"1": 200.0}}, "targets_met": {"cpu_p50_le_15ms": {"map @ 10/s": True}}}
    text = report.render_requests(phase)
    assert "| map | 4 / 9.5 | 12 / 30 / 41 |" in text and "CPU p50 ≤ 15 ms: ✅" in text
