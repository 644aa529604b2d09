"""Field actions queued on a phone without network (field.js) and replayed later: each is written once, whatever
the number of replays (the idempotency key), and the 三个一 clock counts the phone's time of the action, bounded by
the server's receipt time and by the task's previous step."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError

from landguard.core import clock
from landguard.people.models import User
from landguard.supervision import intake, sweep, verification
from landguard.supervision.models import Deadline, DeadlinePolicy, FieldSubmission, Task, TaskEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def task(spot, county, county_admin):
    DeadlinePolicy.objects.create(kind="", severity="", report_minutes=30, onsite_minutes=60, restore_minutes=600)
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：耕地上建房",
                              county=county)
    with clock.frozen(T0):
        return verification.dispatch(actor=county_admin, clue=clue, reason="疑似占用耕地")


@pytest.fixture
def chief(task) -> User:
    return User.objects.get(username=f"chief_{task.region_code}")


def _here(task) -> dict[str, float]:
    return {"lon": task.clue.location.x, "lat": task.clue.location.y}


def _acknowledged_photo(task, user) -> None:
    data = b"site-photo" * 50
    photo = verification.start_photo(actor=user, task=task, kind="site", name="site.jpg",
                                     sha256=hashlib.sha256(data).hexdigest(), size=len(data), taken_at=clock.now())
    verification.append_chunk(actor=user, photo=photo, offset=0, data=data)


def test_a_replayed_check_in_and_outcome_are_written_once(task, chief):
    with clock.frozen(T0 + dt.timedelta(minutes=10)):
        verification.report(actor=chief, task=task)
    with clock.frozen(T0 + dt.timedelta(minutes=40)):
        for _ in range(3):  # the phone never saw the answer: it sends the same action again
            verification.check_in(actor=chief, task=task, key="k-checkin-1", **_here(task))
        _acknowledged_photo(task, chief)
        for _ in range(2):
            verification.submit_outcome(actor=chief, task=task, outcome="legal", reason="有批准文号", key="k-out-1")
    assert TaskEvent.objects.filter(task=task, action="check_in").count() == 1
    assert TaskEvent.objects.filter(task=task, action="outcome").count() == 1
    assert FieldSubmission.objects.filter(task=task).count() == 2
    assert Task.objects.get(pk=task.pk).status == Task.Status.VERIFIED


def test_without_a_key_a_second_check_in_is_refused_as_out_of_order(task, chief):
    verification.report(actor=chief, task=task)
    verification.check_in(actor=chief, task=task, **_here(task))
    with pytest.raises(ValidationError):
        verification.check_in(actor=chief, task=task, **_here(task))


def test_a_key_reused_for_another_action_is_refused(task, chief):
    verification.report(actor=chief, task=task, key="same-key")
    with pytest.raises(ValidationError) as raised:
        verification.check_in(actor=chief, task=task, key="same-key", **_here(task))
    assert "key" in raised.value.message_dict
    assert Task.objects.get(pk=task.pk).status == Task.Status.REPORTED


def test_the_device_time_is_never_after_the_receipt_nor_before_the_previous_step(task, chief):
    received = T0 + dt.timedelta(minutes=20)
    with clock.frozen(received):  # a phone clock running two hours fast
        verification.report(actor=chief, task=task, key="fast", device_at=received + dt.timedelta(hours=2))
    task.refresh_from_db()
    assert task.reported_at == received
    with clock.frozen(T0 + dt.timedelta(minutes=50)):  # a phone clock running a day slow
        verification.check_in(actor=chief, task=task, key="slow", device_at=T0 - dt.timedelta(days=1), **_here(task))
    task.refresh_from_db()
    assert task.on_site_at == task.reported_at == received  # not before the report it follows
    submission = FieldSubmission.objects.get(key="slow")
    assert submission.device_at == T0 - dt.timedelta(days=1) and submission.effective_at == received
    assert submission.received_at == T0 + dt.timedelta(minutes=50)


def test_the_report_is_never_counted_before_the_dispatch(task, chief):
    with clock.frozen(T0 + dt.timedelta(minutes=5)):
        verification.report(actor=chief, task=task, key="early", device_at=T0 - dt.timedelta(hours=3))
    task.refresh_from_db()
    assert task.reported_at == T0 == task.dispatched_at


def test_the_clock_counts_the_time_the_check_in_was_made_offline(task, chief):
    with clock.frozen(T0 + dt.timedelta(minutes=10)):
        verification.report(actor=chief, task=task)
    on_site = Deadline.objects.get(task=task, step=Deadline.Step.ON_SITE)
    assert on_site.due_at == T0 + dt.timedelta(minutes=70)
    made = T0 + dt.timedelta(minutes=60)  # on site in time, but no network there
    with clock.frozen(T0 + dt.timedelta(minutes=75)):  # the sweep ran before the phone found a network
        sweep.sweep()
    assert Deadline.objects.get(pk=on_site.pk).breached_at is not None
    with clock.frozen(T0 + dt.timedelta(minutes=95)):
        verification.check_in(actor=chief, task=task, key="offline-1", device_at=made, **_here(task))
    on_site.refresh_from_db()
    task.refresh_from_db()
    assert task.on_site_at == made and on_site.met_at == made and on_site.on_time is True
    event = TaskEvent.objects.get(task=task, action="check_in")
    assert event.at == made and "手机时间" in event.note


def test_a_queued_request_is_answered_in_json_and_its_replay_writes_nothing(client, task, chief):
    with clock.frozen(clock.now() - dt.timedelta(minutes=10)):
        verification.report(actor=chief, task=task)
    client.force_login(chief)
    url = f"/supervision/field/tasks/{task.pk}/checkin/"
    made = clock.now() - dt.timedelta(minutes=3)
    body = {**_here(task), "accuracy": "8", "key": "view-key-1", "device_at": made.isoformat()}
    first = client.post(url, body, headers={"X-Field-Queue": "1"})
    again = client.post(url, body, headers={"X-Field-Queue": "1"})
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == again.json()["status"] == Task.Status.ON_SITE
    assert TaskEvent.objects.filter(task=task, action="check_in").count() == 1
    task.refresh_from_db()
    assert abs((task.on_site_at - made).total_seconds()) < 1
    refused = client.post(f"/supervision/field/tasks/{task.pk}/outcome/", {"outcome": "legal", "key": "view-key-2"},
                          headers={"X-Field-Queue": "1"})
    assert refused.status_code == 400 and "照片" in refused.json()["error"]
    assert not FieldSubmission.objects.filter(key="view-key-2").exists()  # refused: a later replay is judged again
