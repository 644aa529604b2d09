"""Field verification (核查任务): the audited write path of clues and their verification tasks (Signalen style):
triage → dispatch to the four recipients → report → GPS check-in → evidence photos → outcome → restored →
closed. Each function locks its row (select_for_update), checks the transition against workflow.py,
appends a TaskEvent and an audit entry, and meets or waives the 三个一 deadlines — all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import notes
from landguard.audit import services as audit
from landguard.audit.notes import Note
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import FieldChief, Grid, OrgUnit, Role, User
from landguard.supervision import geo, inbox_messages, intake, notify, tunables, workflow
from landguard.supervision.models import (
    ClockStart,
    Clue,
    ClueEvent,
    Deadline,
    DeadlinePolicy,
    FieldSubmission,
    Photo,
    Recipient,
    Task,
    TaskEvent,
)

TRIAGE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.STAFF, Role.ENFORCEMENT})


def can_triage(user) -> bool:
    """Pre-judging clues, dispatching and closing tasks is bureau work; field chiefs report and verify."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in TRIAGE_ROLES))


DECIDE_ROLES = frozenset({Role.ADMIN, Role.LEADER})


def can_decide(user) -> bool:
    """The second stage of triage (所长 decides): under two-stage triage only a leader or admin dispatches a
    clue or rules it a false alarm; otherwise whoever may triage."""
    if not tunables.get("SUPERVISION_TWO_STAGE_TRIAGE"):
        return can_triage(user)
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in DECIDE_ROLES))


def clue_event(clue: Clue, actor, before: str, note: str = "", *, at: dt.datetime | None = None) -> ClueEvent:
    """Append the clue's status change to its history (the caller has saved the new status)."""
    named = getattr(actor, "pk", None)
    return ClueEvent.objects.create(clue=clue, at=at or clock.now(), actor=actor if named else None,
                                    actor_name=(str(actor) if named else "系统")[:80], from_status=before,
                                    to_status=clue.status, note=note[:300])


def _decide(actor, clue: Clue) -> None:
    if not can_decide(actor):
        raise PermissionDenied(_("初判后由所长（领导）决定派发或误报。"))


def _require(actor, code: str, *, triage: bool = False) -> None:
    if not scope_for(actor).contains(code):
        raise PermissionDenied(_("该线索不在您的数据范围内。"))
    if triage and not can_triage(actor):
        raise PermissionDenied(_("只有县局、乡镇所或执法人员可以研判和销号。"))


def _event(task: Task, actor, action: str, before: str, note: str | Promise | Note = "", *,
           at: dt.datetime | None = None) -> None:
    sentence, msgid, params = notes.stored(note)
    TaskEvent.objects.create(task=task, at=at or clock.now(), actor=actor if getattr(actor, "pk", None) else None,
                             actor_name=(str(actor) if getattr(actor, "pk", None) else "系统")[:80], action=action,
                             from_status=before, to_status=task.status, note=sentence, note_msgid=msgid,
                             note_params=params)


def _move(task: Task, target: str) -> str:
    workflow.check(workflow.TASK_TRANSITIONS, Task.Status, task.status, target)
    before, task.status = task.status, target
    return before


# --- triage and dispatch ---------------------------------------------------------------------------------


@transaction.atomic
def mark_false_alarm(*, actor, clue: Clue, reason: str) -> Clue:
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    _require(actor, clue.region_code, triage=True)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写误报原因")})
    workflow.check(workflow.CLUE_TRANSITIONS, Clue.Status, clue.status, Clue.Status.FALSE_ALARM)
    _decide(actor, clue)
    before = audit.snapshot(clue, ["status", "triage_reason"])
    previous = clue.status
    clue.status, clue.triage_reason, clue.triaged_by, clue.triaged_at = (Clue.Status.FALSE_ALARM, reason.strip(), actor,
        clock.now())
    clue.save()
    clue_event(clue, actor, previous, reason.strip())
    audit.record_update(actor=actor, target=clue, before=before, region_code=clue.region_code,
                        note=gettext_lazy("研判为误报"))
    return clue


@transaction.atomic
def prejudge(*, actor, clue: Clue, reason: str) -> Clue:
    """初判: staff judge a new clue a suspected violation and push it to the office head, who decides."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    _require(actor, clue.region_code, triage=True)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写初判意见")})
    workflow.check(workflow.CLUE_TRANSITIONS, Clue.Status, clue.status, Clue.Status.PREJUDGED)
    before = audit.snapshot(clue, ["status", "triage_reason"])
    previous = clue.status
    clue.status, clue.triage_reason = Clue.Status.PREJUDGED, reason.strip()
    clue.save()
    clue_event(clue, actor, previous, reason.strip())
    audit.record_update(actor=actor, target=clue, before=before, region_code=clue.region_code,
                        note=gettext_lazy("初判，报所长决定"))
    return clue


@dataclass(frozen=True)
class Durations:
    report: dt.timedelta
    onsite: dt.timedelta
    restore: dt.timedelta
    clock_start: str = ClockStart.DISPATCH


def durations(kind: str, severity: str, region_code: str = "") -> Durations:
    """The 三个一 durations for a clue: the most specific DeadlinePolicy row (most local region, then kind,
    then severity), else the configured defaults."""
    rows = DeadlinePolicy.objects.filter(Q(kind=kind) | Q(kind=""), Q(severity=severity) | Q(severity=""),
                                         region_code__in=["", *notify.region_prefixes(region_code)] if region_code
                                             else [""])
    best = max(rows, key=lambda p: (len(p.region_code), bool(p.kind), bool(p.severity)), default=None)
    if best is not None:
        return Durations(dt.timedelta(minutes=best.report_minutes), dt.timedelta(minutes=best.onsite_minutes),
                         dt.timedelta(minutes=best.restore_minutes), best.clock_start)
    return Durations(tunables.minutes("SUPERVISION_REPORT_MINUTES"), tunables.minutes("SUPERVISION_ONSITE_MINUTES"),
                     tunables.minutes("SUPERVISION_RESTORE_MINUTES"),
                     ClockStart(tunables.get("SUPERVISION_CLOCK_START")))


@dataclass(frozen=True)
class Chosen:
    kind: str
    label: str
    org_unit: OrgUnit | None = None
    field_chief: FieldChief | None = None


def choose_recipients(clue: Clue) -> list[Chosen]:
    """The 四个推送 from the clue's location: the county's 执法中队, the township's 自然资源所 and government,
    and the field chiefs of the village and of the grid the point lies in. A unit missing from the org
    chart is simply not pushed to (the task page shows who was)."""
    county, township = clue.township_code[:6], clue.township_code
    chosen: list[Chosen] = []
    for kind, unit_kind, code in ((Recipient.Kind.SQUAD, OrgUnit.Kind.ENFORCEMENT_SQUAD, county),
                                  (Recipient.Kind.OFFICE, OrgUnit.Kind.TOWNSHIP_OFFICE, township),
                                  (Recipient.Kind.GOVERNMENT, OrgUnit.Kind.TOWNSHIP_GOVERNMENT, township)):
        unit = OrgUnit.objects.filter(kind=unit_kind, region__code=code).order_by("id").first()
        if unit is not None:
            chosen.append(Chosen(kind, unit.name, org_unit=unit))
    chiefs = list(
        FieldChief.objects.filter(level=FieldChief.Level.VILLAGE, region__code=clue.region_code).select_related("user"))
    grids = Grid.objects.filter(village__code=clue.region_code, geom__intersects=clue.location)
    chiefs += FieldChief.objects.filter(level=FieldChief.Level.GRID, grids__in=grids).select_related("user").distinct()
    if not chiefs:  # not inside a village with chiefs: the township's chief
        chiefs = list(
            FieldChief.objects.filter(level=FieldChief.Level.TOWNSHIP, region__code=township).select_related("user"))
    for chief in chiefs:
        chosen.append(
            Chosen(Recipient.Kind.FIELD_CHIEF, f"{chief.get_level_display()} {chief.user}", field_chief=chief))
    return chosen


def recipient_users(recipients) -> list[User]:
    users: list[User] = []
    for r in recipients:
        if r.org_unit is not None:
            users += list(User.objects.filter(org_unit=r.org_unit, is_active=True))
        if r.field_chief is not None:
            users.append(r.field_chief.user)
    return users


@transaction.atomic
def dispatch(*, actor, clue: Clue, reason: str = "") -> Task:
    """Judge the clue valid and push a verification task to the four recipients, starting the 三个一 clock: now, or —
    where the region's rule counts from discovery — at the clue's first detection (the alarm). Under a discovery
    clock a late triage gives deadlines already past: they are born breached, and the sweep escalates them."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    _require(actor, clue.region_code, triage=True)
    workflow.check(workflow.CLUE_TRANSITIONS, Clue.Status, clue.status, Clue.Status.VALID)
    _decide(actor, clue)
    before = audit.snapshot(clue, ["status", "triage_reason"])
    now = clock.now()
    previous = clue.status
    clue.status, clue.triage_reason = Clue.Status.VALID, reason.strip() or clue.triage_reason
    clue.triaged_by, clue.triaged_at = actor, now
    clue.save()
    clue_event(clue, actor, previous, reason.strip())
    audit.record_update(actor=actor, target=clue, before=before, region_code=clue.region_code,
                        note=gettext_lazy("研判为有效"))

    d = durations(clue.kind, clue.severity, clue.region_code)
    start = min(clue.first_seen, now) if d.clock_start == ClockStart.DISCOVERY else now
    task = Task.objects.create(clue=clue, severity=clue.severity, region_code=clue.region_code,
                               township_code=clue.township_code, dispatched_at=now, dispatched_by=actor,
                               clock_start=d.clock_start, clock_started_at=start, is_synthetic=clue.is_synthetic)
    recipients = [
        Recipient.objects.create(task=task, kind=c.kind, org_unit=c.org_unit, field_chief=c.field_chief,
                                 label=c.label[:120])
                  for c in choose_recipients(clue)]
    Deadline.objects.bulk_create([
        Deadline(task=task, step=step, due_at=due, escalate_at=due, township_code=task.township_code,
                 breached_at=now if due <= now else None)
        for step, due in ((Deadline.Step.REPORT, start + d.report),
                          (Deadline.Step.ON_SITE, start + d.report + d.onsite),
                          (Deadline.Step.RESTORE, start + d.restore))
    ])
    _event(task, actor, "dispatch", "", Note(gettext_lazy("推送：%(names)s"),
                                             {"names": "、".join(r.label for r in recipients) or "—"}))
    audit.record_create(actor=actor, target=task, region_code=task.region_code)
    notify.push(task=task, users=recipient_users(recipients), code=inbox_messages.TASK_DISPATCHED.code,
                params={"task": str(task), "place": clue.place_name, "title": clue.title,
                        "due": timezone.localtime(start + d.report).strftime("%H:%M")})
    return task


# --- field actions -----------------------------------------------------------------------------------------


def _locked(task: Task, actor) -> Task:
    task = Task.objects.select_for_update().select_related("clue").get(pk=task.pk)
    _require(actor, task.region_code)
    return task


def _meet(task: Task, step: str, at: dt.datetime) -> None:
    Deadline.objects.filter(task=task, step=step, met_at__isnull=True, waived=False).update(met_at=at)


# --- field submissions: idempotency keys and the phone's clock ---------------------------------------------


def replayed(task: Task, action: str, key: str) -> bool:
    """True when this key was already applied to this task's action: the replay of a queued action whose first
    answer the phone never saw. A key reused for another task or action is refused (a bug or a forgery)."""
    if not key:
        return False
    found = FieldSubmission.objects.filter(key=key).first()
    if found is None:
        return False
    if found.task_id != task.pk or found.action != action:
        raise ValidationError({"key": _("该提交编号已用于另一项操作，请刷新页面后重试")})
    return True


def field_time(device_at: dt.datetime | None, *, earliest: dt.datetime, received: dt.datetime) -> dt.datetime:
    """The time a field action counts from: the phone's time when it was taken (an action queued offline reaches
    the server later), bounded by the server's receipt time — never after it (a phone clock running fast) — and
    by `earliest`, the task's previous step and never before its dispatch (a phone clock running slow)."""
    if device_at is None:
        return received
    return max(min(device_at, received), earliest)


def _submitted(task: Task, actor, action: str, key: str, device_at: dt.datetime | None,
               earliest: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """(effective time, receipt time) of a field action; records the key so a replay writes nothing again."""
    received = clock.now()
    bound = max(t for t in (task.dispatched_at, earliest) if t is not None)
    at = field_time(device_at, earliest=bound, received=received)
    if key:
        FieldSubmission.objects.create(key=key[:64], task=task, action=action, user=actor, device_at=device_at,
                                       received_at=received, effective_at=at)
    return at, received


# A step taken offline says both times in its note (each note a msgid with parameters, read in the reader's
# language): with the phone's time and the server's receipt when they differ by a minute or more.
_OFFLINE = gettext_lazy("（手机时间 %(at)s，服务器接收 %(received)s）")
_NOTE_OFFLINE = gettext_lazy("%(note)s（手机时间 %(at)s，服务器接收 %(received)s）")
_CHECK_IN = gettext_lazy("距线索 %(away).0f 米，精度 %(acc)s 米")
_CHECK_IN_OFFLINE = gettext_lazy("距线索 %(away).0f 米，精度 %(acc)s 米（手机时间 %(at)s，服务器接收 %(received)s）")
_OUTCOME = gettext_lazy("%(outcome)s %(reason)s")
_OUTCOME_OFFLINE = gettext_lazy("%(outcome)s %(reason)s（手机时间 %(at)s，服务器接收 %(received)s）")


def _offline(at: dt.datetime, received: dt.datetime) -> dict[str, str] | None:
    """The two times of a step sent late from the phone's queue; None when it arrived as it was taken."""
    if received - at < dt.timedelta(minutes=1):
        return None
    return {"at": timezone.localtime(at).strftime("%m-%d %H:%M"),
            "received": timezone.localtime(received).strftime("%m-%d %H:%M")}


def _typed_note(note: str, at: dt.datetime, received: dt.datetime) -> str | Note:
    """A note the user typed, with the two times when the step came late from the queue."""
    late = _offline(at, received)
    if late is None:
        return note
    return Note(_NOTE_OFFLINE, {"note": note, **late}) if note else Note(_OFFLINE, late)


@transaction.atomic
def report(*, actor, task: Task, note: str = "", key: str = "", device_at: dt.datetime | None = None) -> Task:
    """签收上报: a recipient has taken the task and reported it up. `key` and `device_at`: see FieldSubmission."""
    task = _locked(task, actor)
    if replayed(task, FieldSubmission.Action.REPORT, key):
        return task
    before = _move(task, Task.Status.REPORTED)
    now, received = _submitted(task, actor, FieldSubmission.Action.REPORT, key, device_at, None)
    shown = _typed_note(note, now, received)
    task.reported_at = now
    task.save()
    _meet(task, Deadline.Step.REPORT, now)
    # On site within the on-site duration of the report (before it, the provisional due time was the latest
    # allowed report plus that duration); a deadline already breached keeps its time.
    onsite = durations(task.clue.kind, task.severity, task.region_code).onsite
    Deadline.objects.filter(task=task, step=Deadline.Step.ON_SITE, breached_at__isnull=True, met_at__isnull=True,
                            due_at__gt=now + onsite).update(due_at=now + onsite, escalate_at=now + onsite)
    _event(task, actor, "report", before, shown, at=now)
    audit.record(actor=actor, action="state", target=task, region_code=task.region_code,
                 changes={"status": [before, task.status]}, note=shown)
    return task


@transaction.atomic
def check_in(*, actor, task: Task, lon: float, lat: float, accuracy_m: float | None = None, key: str = "",
             device_at: dt.datetime | None = None) -> Task:
    """到场: the phone's GPS fix, which must lie near the clue (a check-in from the office proves nothing). Taken
    offline, it counts from the phone's time (`device_at`, bounded: see field_time); `key` makes a replay harmless."""
    task = _locked(task, actor)
    if replayed(task, FieldSubmission.Action.CHECK_IN, key):
        return task
    clue = Clue.objects.select_for_update().get(pk=task.clue_id)
    limit = float(tunables.get("SUPERVISION_CHECKIN_MAX_M"))
    if clue.position_pending:  # 位置待核: the site is somewhere within the camera's reach
        limit += clue.position_uncertainty_m or 0.0
    away = float(geo.distance_m(lon, lat, clue.location.x, clue.location.y))
    if away > limit:
        raise ValidationError(
            {"location": _("定位距线索位置 %(away).0f 米，超过 %(limit).0f 米，不能签到")
             % {"away": away, "limit": limit}})
    before = _move(task, Task.Status.ON_SITE)
    now, received = _submitted(task, actor, FieldSubmission.Action.CHECK_IN, key, device_at, task.reported_at)
    task.on_site_at, task.checkin_location, task.checkin_accuracy_m = now, geo.point(lon, lat), accuracy_m
    task.save()
    if clue.position_pending:  # the check-in places the clue: its village, land classes and severity from there
        intake.place_clue(clue, lon, lat)
        clue.save()
        audit.record(actor=actor, action="update", target=clue, region_code=clue.region_code,
                     changes={"position_pending": [True, False]}, note=gettext_lazy("到场签到核定位置"))
    _meet(task, Deadline.Step.ON_SITE, now)
    late = _offline(now, received)
    params = {"away": away, "acc": "—" if accuracy_m is None else f"{accuracy_m:.0f}", **(late or {})}
    _event(task, actor, "check_in", before, Note(_CHECK_IN_OFFLINE if late else _CHECK_IN, params), at=now)
    audit.record(actor=actor, action="state", target=task, region_code=task.region_code,
                 changes={"status": [before, task.status]})
    return task


@transaction.atomic
def submit_outcome(*, actor, task: Task, outcome: str, reason: str = "", illegal_area_m2: float | None = None,
                   stopped: bool = False, key: str = "", device_at: dt.datetime | None = None) -> Task:
    """核查结论. Needs at least one site photo the server has acknowledged (hash checked). Taken offline, it counts
    from the phone's time (`device_at`, bounded: see field_time); `key` makes a replay harmless."""
    task = _locked(task, actor)
    if replayed(task, FieldSubmission.Action.OUTCOME, key):
        return task
    if not task.photos.filter(acknowledged_at__isnull=False).exists():
        raise ValidationError({"photos": _("请先上传现场照片，并等待服务器确认照片哈希")})
    if outcome not in Task.Outcome.values:
        raise ValidationError({"outcome": _("请选择核查结论")})
    if outcome != Task.Outcome.ILLEGAL and not reason.strip():
        raise ValidationError({"reason": _("合法或误报须说明理由")})
    if outcome == Task.Outcome.ILLEGAL and not stopped:
        raise ValidationError({"stopped": _("违法行为须当场制止后再提交")})
    before = _move(task, Task.Status.VERIFIED)
    now, received = _submitted(task, actor, FieldSubmission.Action.OUTCOME, key, device_at, task.on_site_at)
    task.outcome, task.outcome_reason, task.verified_at = outcome, reason.strip()[:300], now
    task.illegal_area_m2 = illegal_area_m2 if outcome == Task.Outcome.ILLEGAL else None
    task.stopped_at = now if outcome == Task.Outcome.ILLEGAL else None
    task.save()
    if outcome != Task.Outcome.ILLEGAL:  # nothing to restore
        Deadline.objects.filter(task=task, step=Deadline.Step.RESTORE, met_at__isnull=True,
                                breached_at__isnull=True).update(waived=True)
    late = _offline(now, received)
    _event(task, actor, "outcome", before, Note(_OUTCOME_OFFLINE if late else _OUTCOME, {
        "outcome": Task.Outcome(task.outcome).label, "reason": task.outcome_reason, **(late or {})}), at=now)
    audit.record(actor=actor, action="state", target=task, region_code=task.region_code,
                 changes={"status": [before, task.status], "outcome": [None, task.get_outcome_display()]})
    return task


@transaction.atomic
def mark_restored(*, actor, task: Task, note: str = "", key: str = "", device_at: dt.datetime | None = None) -> Task:
    """恢复原状, proved by acknowledged before-and-after photos. `key` and `device_at`: see FieldSubmission."""
    task = _locked(task, actor)
    if replayed(task, FieldSubmission.Action.RESTORE, key):
        return task
    acked = task.photos.filter(acknowledged_at__isnull=False)
    if not acked.filter(kind=Photo.Kind.AFTER).exists() or not acked.filter(
        kind__in=(Photo.Kind.BEFORE, Photo.Kind.SITE)).exists():
        raise ValidationError({"photos": _("恢复原状须有经确认的整改前（或现场）和恢复后照片")})
    before = _move(task, Task.Status.RESTORED)
    now, received = _submitted(task, actor, FieldSubmission.Action.RESTORE, key, device_at, task.verified_at)
    task.restored_at = now
    task.save()
    _meet(task, Deadline.Step.RESTORE, now)
    _event(task, actor, "restored", before, _typed_note(note, now, received), at=now)
    audit.record(actor=actor, action="state", target=task, region_code=task.region_code,
                 changes={"status": [before, task.status]})
    return task


@transaction.atomic
def close(*, actor, task: Task, note: str = "") -> Task:
    """审核销号 by the bureau: a restored task, or one verified legal / false alarm."""
    task = _locked(task, actor)
    _require(actor, task.region_code, triage=True)
    if task.status == Task.Status.VERIFIED and task.outcome == Task.Outcome.ILLEGAL:
        raise ValidationError(_("违法占地须恢复原状后才能销号"))
    before = _move(task, Task.Status.CLOSED)
    task.closed_at = clock.now()
    task.save()
    clue = Clue.objects.select_for_update().get(pk=task.clue_id)
    workflow.check(workflow.CLUE_TRANSITIONS, Clue.Status, clue.status, Clue.Status.CLOSED)
    clue.status = Clue.Status.CLOSED
    clue.save(update_fields=["status"])
    clue_event(clue, actor, Clue.Status.VALID, note)
    _event(task, actor, "close", before, note)
    audit.record(actor=actor, action="state", target=task, region_code=task.region_code,
                 changes={"status": [before, task.status]}, note=note)
    return task


# --- evidence photos (resumable upload) ------------------------------------------------------------------------


class OffsetMismatch(Exception):
    """The chunk does not start where the upload stands; `expected` is where it does (the client resumes there)."""

    def __init__(self, expected: int) -> None:
        super().__init__(expected)
        self.expected = expected


@transaction.atomic
def start_photo(*, actor, task: Task, kind: str, name: str, sha256: str, size: int, taken_at: dt.datetime,
                lon: float | None = None, lat: float | None = None) -> Photo:
    """Announce a photo (its hash, size, GPS and time from the phone). Announcing the same hash again returns
    the upload in progress, so a phone that lost the answer resumes instead of starting over."""
    task = _locked(task, actor)
    if task.status == Task.Status.CLOSED:
        raise ValidationError(_("任务已销号"))
    sha256 = sha256.strip().lower()
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise ValidationError({"sha256": _("SHA-256 应为 64 位十六进制")})
    if kind not in Photo.Kind.values:
        raise ValidationError({"kind": _("未知的照片类型")})
    if not 0 < size <= int(tunables.get("SUPERVISION_PHOTO_MAX_BYTES")):
        raise ValidationError({"size": _("照片大小超出范围")})
    existing = Photo.objects.filter(task=task, sha256=sha256).first()
    if existing is not None:
        return existing
    photo = Photo.objects.create(task=task, kind=kind, name=name[:200] or f"{sha256[:12]}.jpg", sha256=sha256,
                                 size=size,
                                 location=geo.point(lon, lat) if lon is not None and lat is not None else None,
                                 taken_at=taken_at, uploaded_by=actor, created_at=clock.now())
    _event(task, actor, "photo_start", task.status, Note(gettext_lazy("%(kind)s %(name)s"), {
        "kind": Photo.Kind(photo.kind).label, "name": photo.name}))
    return photo


@dataclass(frozen=True)
class Chunk:
    photo: Photo
    mismatch: str = ""  # the server's hash when it differs from the phone's (the upload was reset to 0)


@transaction.atomic
def append_chunk(*, actor, photo: Photo, offset: int, data: bytes) -> Chunk:
    """Write bytes at `offset`. When the last byte arrives the server hashes the file: equal to the phone's
    hash → acknowledged; different → the upload restarts from 0. Writing at the offset (not appending)
    makes a retried chunk harmless after a lost answer or a rolled-back request."""
    photo = Photo.objects.select_for_update().select_related("task").get(pk=photo.pk)
    _require(actor, photo.task.region_code)
    if photo.acknowledged:
        return Chunk(photo)
    if offset != photo.received:
        raise OffsetMismatch(photo.received)
    if photo.received + len(data) > photo.size:
        raise ValidationError({"chunk": _("数据超过声明的照片大小")})
    if not photo.file:
        photo.file.save(photo.name, ContentFile(b""), save=False)
    with open(photo.file.path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)
        handle.truncate()
    photo.received += len(data)
    if photo.received < photo.size:
        photo.save(update_fields=["received", "file"])
        return Chunk(photo)
    digest = hashlib.sha256()
    with open(photo.file.path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != photo.sha256:
        photo.received = 0
        photo.save(update_fields=["received", "file"])
        _event(photo.task, actor, "photo_mismatch", photo.task.status, gettext_lazy("照片哈希不符，需重新上传"))
        return Chunk(photo, mismatch=digest.hexdigest())
    photo.acknowledged_at = clock.now()
    photo.save(update_fields=["received", "file", "acknowledged_at"])
    _event(photo.task, actor, "photo_ack", photo.task.status,
           Note(gettext_lazy("%(kind)s %(name)s"), {"kind": Photo.Kind(photo.kind).label, "name": photo.name}))
    audit.record(actor=actor, action="create", target=photo, region_code=photo.task.region_code,
                 changes={"sha256": [None, photo.sha256], "size": [None, photo.size]}, note=gettext_lazy("照片已确认"))
    return Chunk(photo)
