"""The overview figures kept for a moment (core/figures_cache.py): reused while nothing is written within the minute,
never shared across scopes or, for a per-user section, across users; a committed write shows on the next page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from landguard.core import clock, figures_cache
from landguard.core.scope import RegionScope
from landguard.shell import homes
from landguard.supervision.models import Clue

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures_on(settings):
    """The cache on, at a clock stopped now: the minute is part of the key, and a test that crossed a minute's end
    would see its figures computed afresh (the minute test moves the clock itself)."""
    settings.FIGURES_CACHE_SECONDS = 60
    figures_cache.bump()  # nothing from another test
    with clock.frozen(clock.now()):
        yield settings


def _to_triage(html: str) -> int:
    match = re.search(r"<b>(\d+)</b>\s*待研判线索", html)
    assert match, "the queue section shows the clues waiting for triage"
    return int(match.group(1))


def _commit() -> None:
    """What the commit of the test's transaction would run (it is rolled back instead): the pending callbacks."""
    pending = list(connection.run_on_commit)
    connection.run_on_commit.clear()
    for _sids, callback, _robust in pending:
        callback()


def _queries_on(table: str, captured) -> int:
    return sum(table in q["sql"] for q in captured)


def test_a_second_home_reads_the_queue_from_the_cache_and_shows_the_same_page(client, county_admin, figures_on):
    client.force_login(county_admin)
    first = client.get(reverse("web:home")).content.decode()
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("web:home")).content.decode()
    assert _queries_on("supervision_task", again.captured_queries) == 0
    assert _queries_on("audit_auditentry", again.captured_queries) == 0
    assert _to_triage(second) == _to_triage(first)
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(second) == strip(first)


def test_a_write_shows_on_the_next_home_once_committed_and_not_before(client, county_admin, figures_on):
    client.force_login(county_admin)
    _commit()
    before = _to_triage(client.get(reverse("web:home")).content.decode())
    clue = Clue.objects.filter(status=Clue.Status.NEW, region_code__startswith="371525").first()
    assert clue is not None and before > 0
    clue.status = Clue.Status.FALSE_ALARM
    clue.save(update_fields=["status"])
    # Not yet committed: another worker reading now would see the old figures, so they are still the ones served.
    assert _to_triage(client.get(reverse("web:home")).content.decode()) == before
    _commit()
    assert _to_triage(client.get(reverse("web:home")).content.decode()) == before - 1


def test_a_write_moves_the_token_once_per_transaction_and_only_after_the_commit(county_admin, figures_on):
    token = caches[figures_cache.CACHE_ALIAS].get(figures_cache.GENERATION_KEY)
    with transaction.atomic():
        for clue in Clue.objects.filter(region_code__startswith="371525")[:5]:
            clue.save(update_fields=["title"])
    assert caches[figures_cache.CACHE_ALIAS].get(figures_cache.GENERATION_KEY) == token
    assert [c for _sids, c, _robust in connection.run_on_commit if c is figures_cache.bump] == [figures_cache.bump]
    _commit()
    assert caches[figures_cache.CACHE_ALIAS].get(figures_cache.GENERATION_KEY) != token


def test_scopes_never_share_figures(client, county_admin, township_officer, figures_on, settings):
    client.force_login(county_admin)
    county = _to_triage(client.get(reverse("web:home")).content.decode())
    client.force_login(township_officer)
    township = _to_triage(client.get(reverse("web:home")).content.decode())
    settings.FIGURES_CACHE_SECONDS = 0
    assert _to_triage(client.get(reverse("web:home")).content.decode()) == township
    client.force_login(county_admin)
    assert _to_triage(client.get(reverse("web:home")).content.decode()) == county
    assert county != township


@pytest.fixture
def counting_sections():
    calls: list[tuple[str, int | None]] = []

    def shared(viewer: homes.Viewer) -> dict:
        calls.append(("shared", viewer.user_id))
        return {"text": "shared"}

    def mine(viewer: homes.Viewer) -> dict:
        calls.append(("mine", viewer.user_id))
        return {"text": f"user {viewer.user_id}"}

    sections = [homes.HomeSection("test.shared", "shared", "web/_test_section.html", shared, order=1),
                homes.HomeSection("test.mine", "mine", "web/_test_section.html", mine, order=2, per_user=True)]
    for section in sections:
        homes.register(section)
    yield calls
    for section in sections:
        homes.SECTIONS.unregister(section.key)


@pytest.fixture
def test_section_template(settings, tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "_test_section.html").write_text("<p>{{ section.text }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


def test_a_shared_section_is_computed_once_for_the_scope_and_a_per_user_one_once_per_user(
        counting_sections, test_section_template, figures_on):
    scope = RegionScope(prefixes=("371525",), root_code="371525")
    first, second = homes.Viewer(scope, homes.STAFF, 1), homes.Viewer(scope, homes.STAFF, 2)
    shown = {v.user_id: {s.section.key: str(s.html) for s in homes.sections(v) if s.section.key.startswith("test.")}
             for v in (first, second, first)}
    assert counting_sections == [("shared", 1), ("mine", 1), ("mine", 2)]
    assert shown[1] == {"test.shared": "<p>shared</p>", "test.mine": "<p>user 1</p>"}
    assert shown[2] == {"test.shared": "<p>shared</p>", "test.mine": "<p>user 2</p>"}


def test_figures_follow_the_clock_minute_by_minute(counting_sections, test_section_template, figures_on):
    viewer = homes.Viewer(RegionScope(prefixes=("371525",), root_code="371525"), homes.STAFF, 1)
    start = dt.datetime(2025, 6, 20, 10, 0, 10, tzinfo=dt.UTC)
    for at in (start, start + dt.timedelta(seconds=40), start + dt.timedelta(seconds=55)):
        with clock.frozen(at):
            homes.sections(viewer)
    assert [c for c in counting_sections if c[0] == "shared"] == [("shared", 1), ("shared", 1)]


def test_a_lost_token_never_serves_what_was_cached_before(counting_sections, test_section_template, figures_on):
    viewer = homes.Viewer(RegionScope(prefixes=("371525",), root_code="371525"), homes.STAFF, 1)
    with clock.frozen(dt.datetime(2025, 6, 20, 10, 0, 10, tzinfo=dt.UTC)):
        homes.sections(viewer)
        caches[figures_cache.CACHE_ALIAS].delete(figures_cache.GENERATION_KEY)
        homes.sections(viewer)
    assert [c for c in counting_sections if c[0] == "shared"] == [("shared", 1), ("shared", 1)]


def test_off_computes_every_time(counting_sections, test_section_template, settings):
    settings.FIGURES_CACHE_SECONDS = 0
    viewer = homes.Viewer(RegionScope(prefixes=("371525",), root_code="371525"), homes.STAFF, 1)
    homes.sections(viewer)
    homes.sections(viewer)
    assert [c for c in counting_sections if c[0] == "shared"] == [("shared", 1), ("shared", 1)]
