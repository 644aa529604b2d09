"""Every URL pattern, as anonymous and as the three personas: marked, sampled, and leaking nothing
(the walk itself is tests/access_walk.py; its docstring says how to register a new route)."""

from __future__ import annotations

import access_walk
import access_walk_fixture_urls as fixture
import pytest
from access_walk import SAMPLES, sentinels_for, walk

pytestmark = pytest.mark.django_db


def test_every_route_is_marked_sampled_and_leaks_nothing():
    report = walk()
    assert not report.failures, str(report)
    # Guard against a vacuous pass (every request redirected to the login page, say).
    assert len(report.routes) > 20
    for persona in access_walk.PERSONAS:
        assert ("api:region-list", persona) in report.ok
    # The land-guarantee pages really open for their county's admin (not only refuse the others): one walk
    # checks them all, as a second walk of every route would cost a minute and a half per database.
    for name in ("quotas:overview", "quotas:entries", "quotas:account", "quotas:correct", "quotas:report",
                 "quotas:rules", "quotas:allocate", "quotas:transfer", "api:quota-account-list",
                 "api:quota-entry-list", "api:quota-account-report"):
        assert (name, "county_admin") in report.ok, name
    stale = set(SAMPLES) - report.used_samples
    assert not stale, f"SAMPLES has entries for routes that no longer exist: {sorted(stale)}"


def test_walker_reports_a_scoped_view_that_skips_the_selector():
    report = walk(fixture.urlconf(fixture.LEAKY))
    leaks = {f.persona: f.hits for f in report.of_kind("leak")}
    assert set(leaks) == {"county_admin", "township_officer", "other_county_user"}
    assert "崇文街道" in leaks["township_officer"]  # a sibling township of 清泉街道
    assert "清泉街道" in leaks["other_county_user"] and "莘县" in leaks["county_admin"]
    assert not report.of_kind("anonymous-access")  # @scoped still turns the anonymous visitor away


def test_walker_reports_a_view_without_access_marker():
    report = walk(fixture.urlconf(fixture.UNMARKED))
    missing = report.of_kind("missing-marker")
    assert [f.route for f in missing] == ["unmarked (unmarked/)"]
    assert report.of_kind("anonymous-access")  # and, unprotected, it answers anonymous visitors


def test_walker_reports_a_parameterised_route_without_sample():
    report = walk(fixture.urlconf(fixture.UNSAMPLED))
    (failure,) = report.of_kind("missing-sample")
    assert "add a sample for route 'region-name'" in failure.detail


def test_walker_checks_out_of_scope_objects_answer_404():
    samples = {"region-name": lambda place: {"code": place.region.code}}
    report = walk(fixture.urlconf(fixture.UNSAMPLED), samples=samples)
    assert not report.failures, str(report)
    assert ("region-name", "township_officer") in report.ok


def test_sentinels_skip_names_the_persona_legitimately_sees(township_officer, other_county_user):
    officer = sentinels_for(township_officer)
    assert "崇文街道" in officer.names and "371525002" in officer.codes
    assert "清泉街道" not in officer.names and "冠县" not in officer.names  # own township, and its county
    assert "莘县" in officer.names
    other = sentinels_for(other_county_user)
    assert "清泉街道" in other.names and "冠县" in other.names and "371525" in other.codes
    # Codes match as whole digit runs only: a coordinate's decimals or a grid code do not count.
    assert other.find("115.371525001, 371525001") == ["371525001"]
    assert other.find("x3715250019999y") == []
