"""Server-Timing on every response (core/server_timing.py): `cpu` is the worker thread's CPU time for the
request, `app` its wall time, both in milliseconds — what make bench's requests phase reads from the workers."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from landguard.core.server_timing import HEADER, ServerTimingMiddleware

METRIC = re.compile(r'(?P<name>[a-z]+);dur=(?P<ms>\d+(?:\.\d+)?)(?:;desc="[^"]*")?')


def timings(response) -> dict[str, float]:
    """{metric name: milliseconds} of a response's Server-Timing header, every entry checked against the syntax."""
    entries = [e.strip() for e in response[HEADER].split(",")]
    out = {}
    for entry in entries:
        match = METRIC.fullmatch(entry)
        assert match, f"not a Server-Timing metric: {entry!r}"
        out[match["name"]] = float(match["ms"])
    return out


def _burn(cpu_seconds: float) -> None:
    start = time.thread_time()
    block = b"x" * 4096
    while time.thread_time() - start < cpu_seconds:
        block = hashlib.sha256(block).digest() * 128


def _timed(view) -> dict[str, float]:
    return timings(ServerTimingMiddleware(view)(RequestFactory().get("/")))


def test_the_middleware_is_outermost_so_every_other_middleware_counts():
    assert settings.MIDDLEWARE[0] == "landguard.core.server_timing.ServerTimingMiddleware"


@pytest.mark.django_db
def test_every_page_carries_numeric_cpu_and_app_times(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    measured = timings(response)
    assert set(measured) == {"cpu", "app"}
    assert 0 <= measured["cpu"] and 0 < measured["app"]


def test_a_cpu_heavy_view_reports_more_cpu_than_a_trivial_one():
    def trivial(request):
        return HttpResponse("ok")

    def heavy(request):
        _burn(0.08)
        return HttpResponse("ok")

    light, busy = _timed(trivial), _timed(heavy)
    assert busy["cpu"] >= 80 and busy["app"] >= busy["cpu"] * 0.9
    assert light["cpu"] < 20 and busy["cpu"] > light["cpu"] + 60


def test_waiting_counts_in_app_time_but_not_in_cpu_time():
    def waiting(request):
        time.sleep(0.1)  # as a view waiting for the database server would
        return HttpResponse("ok")

    measured = _timed(waiting)
    assert measured["app"] >= 100 and measured["cpu"] < 20


def test_an_inner_server_timing_entry_is_kept():
    def with_own(request):
        response = HttpResponse("ok")
        response[HEADER] = "db;dur=3.5"
        return response

    response = ServerTimingMiddleware(with_own)(RequestFactory().get("/"))
    assert response[HEADER].startswith("db;dur=3.5, ") and set(timings(response)) == {"db", "cpu", "app"}
