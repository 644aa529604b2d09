"""Triage → the four pushes → report → GPS check-in → photos acknowledged by hash → outcome → restored → closed,
with the 三个一 deadlines met along the way and every step refused when out of order."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from landguard.core import clock
from landguard.people.models import FieldChief, User
from landguard.inbox.models import Message
from landguard.supervision import intake, verification
from landguard.supervision.models import Clue, DeadlinePolicy, Recipient, Task, TaskEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clue(spot, county):
    return intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：耕地上堆土",
                              county=county)


@pytest.fixture
def task(clue, county_admin):
    return verification.dispatch(actor=county_admin, clue=clue, reason="疑似占用耕地")


def upload(task, user, kind="site", data=b"photo-bytes" * 100, chunk=300):
    photo = verification.start_photo(actor=user, task=task, kind=kind, name=f"{kind}.jpg",
                                     sha256=hashlib.sha256(data).hexdigest(),
                              size=len(data), taken_at=clock.now(), lon=task.clue.location.x, lat=task.clue.location.y)
    for offset in range(0, len(data), chunk):
        result = verification.append_chunk(actor=user, photo=photo, offset=offset, data=data[offset:offset + chunk])
    return result.photo


def test_a_valid_clue_is_pushed_to_the_four_recipients_chosen_from_its_place(task, village, township_officer):
    kinds = set(task.recipients.values_list("kind", flat=True))
    assert kinds == {Recipient.Kind.SQUAD, Recipient.Kind.OFFICE, Recipient.Kind.GOVERNMENT, Recipient.Kind.FIELD_CHIEF}
    chiefs = FieldChief.objects.filter(pk__in=task.recipients.values("field_chief"))
    assert {c.level for c in chiefs} == {FieldChief.Level.VILLAGE, FieldChief.Level.GRID}
    assert all(c.region.code == village.code for c in chiefs)
    office = task.recipients.get(kind=Recipient.Kind.OFFICE).org_unit
    assert office.region.code == village.code[:9] and township_officer.org_unit == office
    inboxes = set(Message.objects.filter(subject_type="supervision.task", subject_id=task.pk)
                  .values_list("recipient__username", flat=True))
    assert "qingquan_officer" in inboxes and "guanxian_enforcer" in inboxes
    assert {c.user.username for c in chiefs} <= inboxes
    assert task.clue.status == Clue.Status.VALID
    assert set(task.deadlines.values_list("step", flat=True)) == {"report", "on_site", "restore"}


def test_deadlines_follow_the_policy_most_specific_first(clue, county_admin):
    DeadlinePolicy.objects.create(kind="", severity="", report_minutes=30, onsite_minutes=45, restore_minutes=600)
    DeadlinePolicy.objects.create(kind="report", severity="", report_minutes=20, onsite_minutes=40, restore_minutes=500)
    with clock.frozen(dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.timezone.utc)) as now:
        task = verification.dispatch(actor=county_admin, clue=clue)
    due = {d.step: d.due_at - now for d in task.deadlines.all()}
    assert due == {"report": dt.timedelta(minutes=20), "on_site": dt.timedelta(minutes=60),
                   "restore": dt.timedelta(minutes=500)}


def test_a_false_alarm_needs_a_reason_and_field_chiefs_cannot_triage(clue, county_admin):
    chief = User.objects.get(username=f"chief_{clue.region_code}")
    with pytest.raises(PermissionDenied):
        verification.dispatch(actor=chief, clue=clue)
    with pytest.raises(ValidationError):
        verification.mark_false_alarm(actor=county_admin, clue=clue, reason=" ")
    verification.mark_false_alarm(actor=county_admin, clue=clue, reason="农机耕作")
    clue.refresh_from_db()
    assert clue.status == Clue.Status.FALSE_ALARM and clue.triage_reason == "农机耕作"
    with pytest.raises(ValidationError):
        verification.dispatch(actor=county_admin, clue=clue)  # a settled clue is not reopened


def test_another_county_cannot_touch_the_clue(clue, other_county_user):
    with pytest.raises(PermissionDenied):
        verification.dispatch(actor=other_county_user, clue=clue)


def test_the_whole_field_flow_meets_every_deadline(task, township_officer, county_admin):
    officer = township_officer
    with pytest.raises(ValidationError):
        # report first
        verification.check_in(actor=officer, task=task, lon=task.clue.location.x, lat=task.clue.location.y)
    verification.report(actor=officer, task=task, note="已安排")
    with pytest.raises(ValidationError):  # 2 km away: no check-in from the office
        verification.check_in(actor=officer, task=task, lon=task.clue.location.x + 0.02, lat=task.clue.location.y)
    verification.check_in(actor=officer, task=task, lon=task.clue.location.x + 0.001, lat=task.clue.location.y,
                          accuracy_m=6)
    with pytest.raises(ValidationError):  # no acknowledged photo yet
        verification.submit_outcome(actor=officer, task=task, outcome="illegal", stopped=True)
    upload(task, officer)
    with pytest.raises(ValidationError):  # illegal must be stopped first
        verification.submit_outcome(actor=officer, task=task, outcome="illegal", stopped=False)
    verification.submit_outcome(actor=officer, task=task, outcome="illegal", illegal_area_m2=350, stopped=True)
    with pytest.raises(ValidationError):  # no after photo yet
        verification.mark_restored(actor=officer, task=task)
    with pytest.raises(ValidationError):  # illegal and not restored: cannot close
        verification.close(actor=county_admin, task=task)
    upload(task, officer, kind="after", data=b"after" * 50)
    verification.mark_restored(actor=officer, task=task, note="已复耕")
    verification.close(actor=county_admin, task=task, note="复核通过")
    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED and task.clue.status == Clue.Status.CLOSED
    assert all(d.on_time for d in task.deadlines.all())
    actions = list(TaskEvent.objects.filter(task=task).values_list("action", flat=True))
    assert actions[0] == "dispatch" and actions[-1] == "close" and "photo_ack" in actions


def test_a_legal_outcome_waives_restoration(task, township_officer, county_admin):
    verification.report(actor=township_officer, task=task)
    verification.check_in(actor=township_officer, task=task, lon=task.clue.location.x, lat=task.clue.location.y)
    upload(task, township_officer)
    with pytest.raises(ValidationError):
        verification.submit_outcome(actor=township_officer, task=task, outcome="legal")  # reason required
    verification.submit_outcome(actor=township_officer, task=task, outcome="legal", reason="设施农用地备案")
    assert task.deadlines.get(step="restore").waived
    verification.close(actor=county_admin, task=task)


def test_reporting_early_moves_the_on_site_deadline(task, township_officer):
    on_site = task.deadlines.get(step="on_site").due_at
    with clock.frozen(task.dispatched_at + dt.timedelta(minutes=10)):
        verification.report(actor=township_officer, task=task)
    assert task.deadlines.get(step="on_site").due_at == task.dispatched_at + dt.timedelta(minutes=70) < on_site


def test_chunks_resume_at_the_server_offset_and_a_wrong_hash_restarts(task, township_officer):
    verification.report(actor=township_officer, task=task)
    verification.check_in(actor=township_officer, task=task, lon=task.clue.location.x, lat=task.clue.location.y)
    data = bytes(range(256)) * 10
    photo = verification.start_photo(actor=township_officer, task=task, kind="site", name="a.jpg",
                                     sha256=hashlib.sha256(data).hexdigest(),
                              size=len(data), taken_at=clock.now())
    verification.append_chunk(actor=township_officer, photo=photo, offset=0, data=data[:1000])
    with pytest.raises(verification.OffsetMismatch) as mismatch:
        verification.append_chunk(actor=township_officer, photo=photo, offset=1500, data=data[1500:])
    assert mismatch.value.expected == 1000
    again = verification.start_photo(actor=township_officer, task=task, kind="site", name="a.jpg", sha256=photo.sha256,
                                     size=len(data),
                              taken_at=clock.now())
    assert again.pk == photo.pk and again.received == 1000  # announcing again resumes
    done = verification.append_chunk(actor=township_officer, photo=photo, offset=1000, data=data[1000:])
    assert done.photo.acknowledged and not done.mismatch
    bad = verification.start_photo(actor=township_officer, task=task, kind="site", name="b.jpg", sha256="0" * 64,
                                   size=10, taken_at=clock.now())
    result = verification.append_chunk(actor=township_officer, photo=bad, offset=0, data=b"0123456789")
    assert result.mismatch == hashlib.sha256(
        b"0123456789").hexdigest() and result.photo.received == 0 and not result.photo.acknowledged


@override_settings(SUPERVISION_CHECKIN_MAX_M=5000)
def test_the_check_in_distance_is_configurable(task, township_officer):
    verification.report(actor=township_officer, task=task)
    verification.check_in(actor=township_officer, task=task, lon=task.clue.location.x + 0.02, lat=task.clue.location.y)
