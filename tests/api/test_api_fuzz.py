"""Schemathesis over the OpenAPI schema, in process: every documented operation is called with generated input
(valid and invalid) as the county admin, and every response must be no server error and must match the schema.

The schema is the one `/api/schema/` serves (drf-spectacular's generator, same settings); requests go to
Django's WSGI handler inside the test's transaction, so writes made by the fuzzer are rolled back like any
test's. Runs are deterministic (fixed seed, derandomized Hypothesis, no example database) and bounded:
30 generated examples per operation plus schemathesis's edge cases (about 1.5 minutes per database suite
on this 2-core machine), and a total budget past which the remaining operations are skipped, saying so,
rather than letting a slow machine stretch `make test`.
"""

from __future__ import annotations

import json
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

# Positive and negative generation, the examples, coverage (edge cases: `false`, `null,null`, out-of-range
# offsets…) and fuzzing phases. Stateful testing is off: it chains calls without a bound we can set per run.
CONFIG = schemathesis.Config.from_dict({
    "seed": 20260409,
    "generation": {"max-examples": 30, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
})


def _served_schema() -> dict:
    # What SpectacularAPIView renders, without a request: the schema lists every endpoint (SERVE_PUBLIC).
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_served_schema(), config=CONFIG)
schema.app = WSGIHandler()

# Excluded, and why:
# - POST /api/layers/import/ takes a multipart upload and starts a background job; uploads are tested with
#   real files in tests/layers and tests/jobs (another part of the project owns them).
# - POST /api/auth/token/ is throttled (20/min per address, counted in the shared cache): the fuzzer would
#   spend the allowance and the token tests running after it within the minute would get 429; after a few
#   examples it only answers 429 anyway. tests/api/test_api_auth_schema.py covers it.
schema = schema.exclude(path="/api/layers/import/").exclude(path="/api/auth/token/")


BUDGET_SECONDS = 150
_started: list[float] = []


@pytest.fixture
def within_budget():
    _started[:] = _started or [time.monotonic()]
    if time.monotonic() - _started[0] > BUDGET_SECONDS:
        pytest.skip(f"API fuzzing budget of {BUDGET_SECONDS} s spent; remaining operations not fuzzed in this run")


@pytest.fixture
def in_test_transaction():
    # Django's WSGI handler closes "old" connections around each request, and a connection inside the test's
    # transaction (autocommit off) looks old: PostgreSQL's would be closed mid-test. Django's test client
    # disconnects the same handler for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(county_admin, in_test_transaction, within_budget) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=county_admin)
    return {"Authorization": f"Token {token.key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_without_server_error_and_as_documented(case, auth_header):
    case.call_and_validate(headers=auth_header, checks=[not_a_server_error, response_schema_conformance])
