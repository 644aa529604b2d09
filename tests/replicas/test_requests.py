"""Real requests through the middleware and real views (the inbox: a list read on every visit, and 全部标为已读, a
write through inbox.services), against the private primary and its replicas: a plain page is read on a replica;
the officer who has just written reads the primary for the sticky window — even while the replica it would have
used still lacks the write — and a replica again afterwards; another officer is never pinned by it."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from landguard.core.db_routing import COOKIE, PRIMARY
from replication import LAGGING, STREAMING, replicas_configured, wait_for_replay

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(not replicas_configured(), reason="needs LANDGUARD_DATABASE_REPLICAS (replica_cluster.sh)"),
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


def send_messages(officers) -> None:
    from landguard.inbox import services
    from landguard.inbox.registry import TEXT

    for name, user in officers.items():
        for n in (1, 2):
            services.push(code=TEXT.code, recipients=[user], params={"title": f"{name}-巡查提醒-{n}", "body": "."},
                          region_code="371525")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Queries:
    """The SQL each server ran while the block ran."""

    def __init__(self, *aliases: str) -> None:
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}

    def __enter__(self) -> Queries:
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for context in self.contexts.values():
            context.__exit__(*exc)

    def count(self, alias: str) -> int:
        return len(self.contexts[alias].captured_queries)


def unread_shown(response) -> int:
    assert response.status_code == 200
    return int(re.search(r'data-unread-total="(\d+)"', response.content.decode()).group(1))


@pytest.fixture
def inbox(officers):
    send_messages(officers)
    clients = {name: signed_in(user) for name, user in officers.items()}
    # The sessions were written on the primary just now: a request's first read (its session) is on a replica.
    # (A test reading the lagging replica waits for it too.)
    wait_for_replay(STREAMING)
    return clients


def test_a_plain_page_is_read_on_the_replica(inbox, read_from):
    read_from(STREAMING)
    with Queries(PRIMARY, STREAMING) as queries:
        response = inbox["bob"].get(reverse("inbox:list"))
    assert unread_shown(response) == 2
    assert "bob-巡查提醒-1" in response.content.decode()
    assert queries.count(STREAMING) >= 3  # session, user, messages
    assert queries.count(PRIMARY) == 0
    assert COOKIE not in response.cookies, "a read pins nobody"


def test_the_writer_reads_its_write_on_the_primary_while_the_lagging_replica_lacks_it(inbox, officers, read_from):
    from landguard.inbox.models import Message

    read_from(LAGGING)
    wait_for_replay(LAGGING)
    with Queries(PRIMARY, LAGGING) as queries:
        response = inbox["alice"].post(reverse("inbox:read-all"))
    assert response.status_code == 302
    assert queries.count(PRIMARY) >= 1  # the UPDATE
    assert COOKIE in response.cookies
    # The page it redirects to, at once: the lagging replica still holds alice's two messages unread…
    unread_on_replica = Message.objects.using(LAGGING).filter(recipient=officers["alice"], read_at__isnull=True)
    assert unread_on_replica.count() == 2
    with Queries(PRIMARY, LAGGING) as queries:
        page = inbox["alice"].get(response["Location"] + "?unread=1")
    # …and yet she sees them read, because her reads went to the primary.
    assert unread_shown(page) == 0
    assert "alice-巡查提醒-1" not in page.content.decode()
    assert queries.count(PRIMARY) >= 3 and queries.count(LAGGING) == 0
    assert unread_on_replica.count() == 2, "the replica lagged throughout: the page cannot have come from it"

    # Another officer, in the same moment, is not pinned by alice's write: his reads stay on the replica.
    with Queries(PRIMARY, LAGGING) as queries:
        other = inbox["bob"].get(reverse("inbox:list"))
    assert unread_shown(other) == 2
    assert queries.count(LAGGING) >= 3 and queries.count(PRIMARY) == 0

    wait_for_replay(LAGGING)
    assert unread_on_replica.count() == 0


@override_settings(REPLICA_STICKY_SECONDS=2)
def test_after_the_sticky_window_the_writer_reads_the_replica_again(inbox, read_from):
    read_from(STREAMING)
    inbox["alice"].post(reverse("inbox:read-all"))
    wrote = time.monotonic()
    with Queries(PRIMARY, STREAMING) as queries:
        inbox["alice"].get(reverse("inbox:list"))
    assert time.monotonic() - wrote < 2, "the machine was too slow to read within the window"
    assert queries.count(STREAMING) == 0

    wait_for_replay(STREAMING)
    time.sleep(max(0.0, 2.05 - (time.monotonic() - wrote)))
    with Queries(PRIMARY, STREAMING) as queries:
        page = inbox["alice"].get(reverse("inbox:list") + "?unread=1")
    assert unread_shown(page) == 0  # the replica has it by now
    assert queries.count(STREAMING) >= 3 and queries.count(PRIMARY) == 0


def test_the_session_a_login_wrote_is_read_on_the_primary_by_the_next_request(inbox, read_from):
    """Logging in writes a new session (and the last login); the next page must find it, which the lagging replica
    cannot yet."""
    read_from(LAGGING)
    wait_for_replay(LAGGING)  # bob's user row
    client = Client()
    response = client.post(reverse("login"), {"username": "bob", "password": "replica-test-1"})
    assert response.status_code == 302, "signed in"
    with Queries(PRIMARY, LAGGING) as queries:
        page = client.get(reverse("inbox:list"))
    # The new session exists only on the primary yet (replica_1 applies its commits late): read there, bob is signed in.
    assert unread_shown(page) == 2
    assert queries.count(LAGGING) == 0


def test_an_api_client_without_cookies_is_pinned_by_its_token(officers, read_from):
    """Scripts calling the API with `Authorization: Token …` often keep no cookies: the token itself marks them."""
    from landguard.people import services
    from landguard.people.models import Role, User

    admin = officers["alice"]
    User.objects.filter(pk=admin.pk).update(role=Role.ADMIN)
    headers = {"HTTP_AUTHORIZATION": f"Token {services.issue_token(user=admin).key}"}
    other_headers = {"HTTP_AUTHORIZATION": f"Token {services.issue_token(user=officers['bob']).key}"}
    bob_url = reverse("api:user-detail", args=[officers["bob"].pk])
    wait_for_replay(LAGGING)
    read_from(LAGGING)

    edited = Client().patch(bob_url, {"full_name": "李四"}, content_type="application/json", **headers)
    assert edited.status_code == 200, edited.content
    assert COOKIE in edited.cookies  # which this client throws away: every request below is a new Client
    assert User.objects.using(LAGGING).get(pk=officers["bob"].pk).full_name == ""
    with Queries(PRIMARY, LAGGING) as queries:
        same_token = Client().get(bob_url, **headers)
    assert same_token.json()["full_name"] == "李四"
    assert queries.count(LAGGING) == 0
    with Queries(PRIMARY, LAGGING) as queries:
        other_token = Client().get(bob_url, **other_headers)
    assert other_token.json()["full_name"] == "", "bob's own token reads the lagging replica"
    assert queries.count(PRIMARY) == 0


@pytest.fixture
def streaming_replica_down():
    """replica_0 as if its server were gone: its alias points at a port nothing listens on (a real refused
    connection), until the test ends; the process's memory of it being down is forgotten afterwards."""
    import socket

    from landguard.core import db_routing

    with socket.socket() as probe:  # a free port, closed again: connecting to it is refused
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    connection = connections[STREAMING]
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = dead_port
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
        db_routing._down_until.clear()


def test_a_replica_that_is_down_is_left_out_and_the_pages_still_answer(inbox, read_from, streaming_replica_down,
                                                                        monkeypatch, caplog):
    from landguard.core import db_routing

    read_from(STREAMING)  # the request picks the replica that is down, and no other: the primary must serve it
    wait_for_replay(LAGGING, timeout=30)
    with Queries(PRIMARY, LAGGING) as queries:
        first = inbox["bob"].get(reverse("inbox:list"))
    assert unread_shown(first) == 2
    assert queries.count(LAGGING) == 0 and queries.count(PRIMARY) > 0
    assert "read replica replica_0 refused a connection" in caplog.text
    assert db_routing.up_replicas() == [LAGGING]
    caplog.clear()
    # Left out for a while: the next request is not sent to it again (no second refusal) and reads the replica
    # that answers.
    monkeypatch.setattr(db_routing, "choose_replica", lambda aliases: aliases[0])
    with Queries(PRIMARY, LAGGING) as queries:
        second = inbox["bob"].get(reverse("inbox:list"))
    assert unread_shown(second) == 2
    assert queries.count(LAGGING) > 0 and queries.count(PRIMARY) == 0
    assert "refused a connection" not in caplog.text
