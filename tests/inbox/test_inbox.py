"""The one inbox (landguard.inbox): messages pushed by the domain services, stored as a code and its values and
rendered in the reader's language; a user reads only their own, and only about what lies in their scope; one page
with filters, marking read by POST only, and the unread badge in the shell's top bar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import translation

from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.inbox import registry, selectors, services
from landguard.inbox.models import Message
from landguard.regions.models import Region
from landguard.supervision.inbox_messages import DEADLINE_ESCALATED, TASK_DISPATCHED

pytestmark = pytest.mark.django_db


def _push(users, *, code=TASK_DISPATCHED.code, region="371525001", **values) -> list[Message]:
    """A message about nothing in particular (no link), filed under `region`."""
    params = {"task": "RW000001", "place": "清泉街道某村", "title": "举报：推土", "due": "10:30", **values}
    return services.push(code=code, recipients=users, params=params, region_code=region)


def test_a_message_is_rendered_in_the_readers_language(county_admin):
    (message,) = _push([county_admin], code=DEADLINE_ESCALATED.code, step="report", due="06-01 10:30")
    assert message.params["step"] == "report"  # stored as its code, shown as its label
    assert message.title == "超时督办：RW000001 1小时上报"
    assert message.body == "清泉街道某村 的核查任务 RW000001 未在 06-01 10:30 前完成“1小时上报”，请督促办理。"
    with translation.override("en"):
        assert message.title == "Overdue follow-up: RW000001 Report within 1 hour"
    assert message.kind == Message.Kind.ALERT


def test_a_push_goes_to_each_active_recipient_once_and_refuses_unknown_codes_and_missing_values(county_admin,
                                                                                                township_officer):
    rows = _push([county_admin, township_officer, county_admin, None])
    assert sorted(m.recipient.username for m in rows) == sorted([county_admin.username, township_officer.username])
    township_officer.is_active = False
    assert [m.recipient for m in _push([township_officer])] == []
    with pytest.raises(ImproperlyConfigured):
        services.push(code="nobody.registered_this", recipients=[county_admin])
    with pytest.raises(KeyError):
        services.push(code=TASK_DISPATCHED.code, recipients=[county_admin], params={"task": "RW000001"})


def test_once_means_once_per_recipient_and_subject(county_admin):
    region = Region.objects.get(code="371525", retired_in__isnull=True)
    text = {"title": "t", "body": "b"}
    services.push(code="inbox.text", recipients=[county_admin], params=text, subject=region, once=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.push(code="inbox.text", recipients=[county_admin], params=text, subject=region, once=True)
    services.push(code="inbox.text", recipients=[county_admin], params=text, subject=region)  # not once: no limit


def test_a_user_reads_only_their_own_messages_about_their_scope(county_admin, township_officer, other_county_user,
                                                               client_for):
    mine = _push([township_officer], title="清泉的线索")[0]
    admins = _push([county_admin], title="给县局的线索")[0]
    elsewhere = _push([township_officer], region="371525113", title="万善镇的线索")[0]  # outside the officer's township
    officer = selectors.messages(scope_for(township_officer), township_officer)
    # Not the admin's, not one about another township: the scope decides, not the recipient alone.
    assert list(officer.filter(pk__in=[mine.pk, admins.pk, elsewhere.pk])) == [mine]
    assert elsewhere in selectors.messages(scope_for(county_admin), township_officer)
    page = client_for(township_officer).get("/inbox/").content.decode()
    assert "清泉的线索" in page and "给县局的线索" not in page and "万善镇的线索" not in page
    assert client_for(other_county_user).post(f"/inbox/{mine.pk}/read/").status_code == 404
    assert client_for(county_admin).post(f"/inbox/{mine.pk}/read/").status_code == 404  # someone else's: as if absent
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_page_filters_marks_read_by_post_and_shows_the_badge(county_admin, client_for):
    Message.objects.filter(recipient=county_admin).update(read_at=clock.now())  # the demo's own messages
    first, second = _push([county_admin], title="第一条")[0], _push([county_admin], title="第二条")[0]
    client = client_for(county_admin)
    page = client.get("/").content.decode()
    assert 'id="inbox-badge" class="badge badge-unread">2</span>' in page  # the shell's top bar, on every page
    page = client.get("/inbox/").content.decode()
    assert "2 条未读" in page and "第一条" in page
    assert client.get(f"/inbox/{first.pk}/read/").status_code == 405  # a GET marks nothing read
    response = client.post(f"/inbox/{first.pk}/read/", {"query": "unread=1&kind=todo&evil=1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?unread=1&kind=todo"
    first.refresh_from_db()
    assert first.read_at is not None
    unread_only = client.get("/inbox/?unread=1").content.decode()
    assert "第二条" in unread_only and "第一条" not in unread_only and "1 条未读" in unread_only
    assert "第一条" not in client.get("/inbox/?kind=alert").content.decode()  # a 待办 is not a 督办
    # HTMX: the list fragment, with the badge swapped out of band.
    fragment = client.get("/inbox/?unread=1", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<section id="inbox-results"') and "<html" not in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert client.post("/inbox/read/").status_code == 302
    second.refresh_from_db()
    assert second.read_at is not None
    assert 'id="inbox-badge" class="badge badge-unread" hidden>' in client.get("/").content.decode()
    assert "没有未读消息。" in client.get("/inbox/?unread=1").content.decode()


def test_the_page_links_each_message_to_what_it_is_about(county_admin, client_for):
    import shapely

    from landguard.people.models import Grid
    from landguard.supervision import intake, verification

    county = Region.objects.get(code="371525", retired_in__isnull=True)
    spot = shapely.point_on_surface(shapely.from_wkb(bytes(Grid.objects.filter(village__code__startswith="371525001")
                                                           .order_by("code").first().geom.wkb)))
    clue = intake.report_clue(actor=None, kind="report", lon=spot.x, lat=spot.y, title="举报：挖塘", county=county)
    task = verification.dispatch(actor=county_admin, clue=clue)
    recipient = Message.objects.filter(subject_type="supervision.task", subject_id=task.pk).first().recipient
    page = client_for(recipient).get("/inbox/").content.decode()
    assert f"/supervision/field/tasks/{task.pk}/" in page and f"核查任务 {task}" in page and "举报：挖塘" in page


def test_an_unknown_code_is_shown_not_raised(county_admin, client_for):
    Message.objects.create(recipient=county_admin, code="removed.app_code", params={"n": 1}, region_code="371525",
                           created_at=clock.now() - dt.timedelta(minutes=1))
    assert registry.render("removed.app_code", {"n": 1}).title == "removed.app_code"
    assert "removed.app_code" in client_for(county_admin).get("/inbox/").content.decode()
