"""Bulk actions on the clue and task lists: a morning's clues ruled false alarms in one submission through the same
service as the clue page (each audited, with its reason); a clue the workflow refuses is named and left as it was
while the others are done; an id outside the scope is "not found"; no reason, no action or too many rows write
nothing; a field chief may not post; the list shows the checkboxes only to those who may use them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from landguard.audit.models import AuditEntry
from landguard.people.models import User
from landguard.supervision import intake, verification
from landguard.supervision.models import Clue, Task

pytestmark = pytest.mark.django_db
URL = reverse("supervision:clue-bulk")


@pytest.fixture
def clues(spot, county) -> list[Clue]:
    # 0.005° apart (≈ 450 m), beyond the 300 m within which reports of one spot fuse into one clue
    made = [intake.report_clue(actor=None, kind="report", lon=spot[0] + dx, lat=spot[1], title=f"举报：堆土 {n}",
                               county=county) for n, dx in enumerate((0.0, 0.005, 0.010))]
    assert len({c.pk for c in made}) == 3
    return made


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_clues_ruled_false_alarms_at_once_each_audited_the_refused_one_named_and_untouched(clues, county_admin,
                                                                                              client_for):
    a, b, done_before = clues
    verification.mark_false_alarm(actor=county_admin, clue=done_before, reason="早先已研判")
    audits = AuditEntry.objects.count()
    back = reverse("supervision:clue-list") + "?status=new"
    response = client_for(county_admin).post(URL, {"action": "false_alarm", "reason": "塑料大棚，误报",
                                                   "ids": [a.pk, b.pk, done_before.pk, 99_999_999], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    said = _said(response)
    assert "已处理 2 条" in said and "2 条未处理" in said
    assert str(Clue.objects.get(pk=done_before.pk)) in said and "99999999" in said
    for clue in (a, b):
        clue.refresh_from_db()
        assert clue.status == Clue.Status.FALSE_ALARM and clue.triage_reason == "塑料大棚，误报"
    assert Clue.objects.get(pk=done_before.pk).triage_reason == "早先已研判"
    assert AuditEntry.objects.count() == audits + 2


@pytest.mark.parametrize("post, error", [
    ({"action": "false_alarm", "reason": ""}, "理由"),
    ({"action": "", "reason": "x"}, "请选择批量操作"),
    ({"action": "no-such-action", "reason": "x"}, "请选择批量操作"),
])
def test_a_bulk_post_without_reason_or_action_writes_nothing(clues, county_admin, client_for, post, error):
    response = client_for(county_admin).post(URL, {**post, "ids": [c.pk for c in clues]})
    assert response.status_code == 302 and error in _said(response)
    assert all(c.status == Clue.Status.NEW for c in Clue.objects.filter(pk__in=[c.pk for c in clues]))


def test_more_rows_than_the_limit_are_refused_whole(clues, county_admin, client_for):
    ids = [clues[0].pk] + list(range(10_000_000, 10_000_060))
    response = client_for(county_admin).post(URL, {"action": "false_alarm", "reason": "x", "ids": ids})
    assert "最多处理 50 条" in _said(response)
    assert Clue.objects.get(pk=clues[0].pk).status == Clue.Status.NEW


def test_a_field_chief_may_not_post_and_sees_no_checkboxes(clues, county_admin, client_for):
    chief = User.objects.get(username="chief_371525001003")
    assert client_for(chief).post(URL, {"action": "false_alarm", "reason": "x", "ids": [clues[0].pk]}
                                  ).status_code == 403
    assert Clue.objects.get(pk=clues[0].pk).status == Clue.Status.NEW
    page = client_for(county_admin).get(reverse("supervision:clue-list")).content.decode()
    assert 'form="bulk-form"' in page and 'id="bulk-form"' in page
    assert "研判为误报" in page


def test_verified_tasks_closed_at_once_with_one_note(clues, county_admin, client_for):
    tasks = [verification.dispatch(actor=county_admin, clue=c, reason="疑似占用耕地") for c in clues[:2]]
    for task in tasks:  # verified as a false alarm on site: the bureau may close it
        Task.objects.filter(pk=task.pk).update(status=Task.Status.VERIFIED, outcome=Task.Outcome.FALSE_ALARM)
    open_task = verification.dispatch(actor=county_admin, clue=clues[2], reason="疑似占用耕地")
    response = client_for(county_admin).post(reverse("supervision:task-bulk"), {
        "action": "close", "reason": "巡田核实为误报，销号", "ids": [t.pk for t in [*tasks, open_task]]})
    said = _said(response)
    assert "已处理 2 条" in said and str(open_task.number) in said
    assert all(t.status == Task.Status.CLOSED for t in Task.objects.filter(pk__in=[t.pk for t in tasks]))
    assert Task.objects.get(pk=open_task.pk).status != Task.Status.CLOSED
