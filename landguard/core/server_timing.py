"""Each response says what it cost the worker that made it: `Server-Timing: cpu;dur=<ms>, app;dur=<ms>`.

`cpu` is the CPU time of the worker thread between the request entering this middleware and the response
leaving it — every inner middleware, the view, the template rendering (a TemplateResponse is rendered inside
the handler, before the response comes back here), the ORM turning rows into objects, the encoders; `app` is
the wall time of the same span. Both in milliseconds, one decimal.

Why the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID, `time.thread_time_ns`) and not the process's: with
gunicorn's gthread workers or runserver several requests run at once in one process, and the process clock
would charge each with its neighbours' work; with sync workers the two are the same. Why CPU and not only wall
time: a load generator on the same cores (make bench's requests phase) or a busy host stretches wall time while
the work itself is unchanged, so the worker's own accounting is what a budget per request is checked against.

What it does not count: the database server's CPU (PostgreSQL backends are other processes; on PostGIS a
vector tile is encoded there) — the wall time includes waiting for it —, the bytes of a streaming response
(produced after this middleware has returned; the header covers building it), and the WSGI server's own
parsing and writing of the request.

On by default (LANDGUARD_SERVER_TIMING=false turns it off): two clock reads and one header per request, and
it tells the client nothing it cannot already time itself — only more exactly, for its own requests.
Browsers show it in the developer tools' network timing, so an operator sees a slow page's cost at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

HEADER = "Server-Timing"


def metrics(cpu_ns: int, wall_ns: int) -> str:
    """The header's value for a request that took `cpu_ns` of the thread's CPU and `wall_ns` of wall time."""
    return f"cpu;dur={cpu_ns / 1e6:.1f};desc=\"worker CPU\", app;dur={wall_ns / 1e6:.1f};desc=\"worker wall\""


class ServerTimingMiddleware:
    """Outermost middleware (first in settings.MIDDLEWARE), so every other middleware is inside the span."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        cpu, wall = time.thread_time_ns(), time.perf_counter_ns()
        response = self.get_response(request)
        value = metrics(time.thread_time_ns() - cpu, time.perf_counter_ns() - wall)
        # An inner layer may have said something already (Server-Timing is a list): keep it, add ours.
        response[HEADER] = f"{response[HEADER]}, {value}" if response.has_header(HEADER) else value
        return response
