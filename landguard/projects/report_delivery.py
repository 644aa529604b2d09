"""Delivery of the scheduled reports (调度报告, `Dispatch` rows): the daily digest and the weekly report,
generated and delivered to every leadership group (领导小组, an OrgUnit of that kind) without anyone
clicking — Healthchecks' sendalerts loop, run by `manage.py send_dispatch`. (Sending a verification task
to the field chiefs, 派发, is landguard.supervision.verification.dispatch: another thing.)

1. plan(): for each leadership group with active members, make sure the row of the latest period whose
   time has come exists — the digest of day D at 08:00 on D+1, the weekly report of a report day
   (settings.WEEKLY_REPORT_WEEKDAY, Thursday by default) at 17:00 that day. The unique constraint on
   (kind, period, group) lets any number of loops plan at once. Only the latest period is planned: a loop
   that was stopped for a week does not flood the inbox with the days it missed.
2. due_ids(): rows waiting (due_at passed), and rows claimed by a worker that has not finished within
   STALE_AFTER (it died).
3. claim(): UPDATE … SET status=sending, worker=me WHERE id=… AND (status=due OR claimed long ago). One row
   changed: this process owns the report; zero: another process does — skip.
4. deliver(): build the report with the group's region as scope (the group sees what its region holds,
   nothing more), store docx and xlsx, then in one transaction — only if the row is still ours — mark it
   sent, put a message in each member's inbox (landguard.inbox, at most once per member) and append the audit
   entry. A failure puts the row back (after RETRY_AFTER) until MAX_ATTEMPTS, then marks it failed with the
   error for the 调度报告 page.

On PostgreSQL the second UPDATE waits for the first's row lock and then finds the row claimed; on SQLite
writers are serialised. Either way each report is generated and announced once, however many loops run
(tests/projects/test_send_dispatch.py runs two processes at once).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.audit.notes import Note
from landguard.core import clock
from landguard.core.scope import RegionScope, scope_codes
from landguard.inbox import registry
from landguard.inbox import services as inbox
from landguard.inbox.registry import MessageType
from landguard.people.models import OrgUnit, User
from landguard.projects import reports
from landguard.projects.calendar import work_calendar
from landguard.projects.inbox_messages import DAILY_DIGEST, DISPATCH_FORMATS, WEEKLY_REPORT
from landguard.projects.models import Dispatch

log = logging.getLogger(__name__)

DAILY_AT = dt.time(8, 0)  # the digest of a day reaches the leaders before the next morning's meeting
WEEKLY_AT = dt.time(17, 0)  # the weekly report closes the report day
STALE_AFTER = dt.timedelta(minutes=30)  # far longer than any report takes: a claim this old has no living worker
RETRY_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def latest_periods(now: dt.datetime) -> dict[str, tuple[dt.date, dt.datetime]]:
    """The period of each kind whose delivery time is the latest one not after `now`, with that time."""
    today = timezone.localdate(now)
    day = today - dt.timedelta(days=1 if now >= _at(today, DAILY_AT) else 2)
    report_day = reports.report_day_for(today)
    if now < _at(report_day, WEEKLY_AT):
        report_day -= dt.timedelta(days=7)
    return {Dispatch.Kind.DAILY: (day, _at(day + dt.timedelta(days=1), DAILY_AT)),
            Dispatch.Kind.WEEKLY: (report_day, _at(report_day, WEEKLY_AT))}


def leadership_groups() -> QuerySet[OrgUnit]:
    """Leadership groups with at least one active member: a group nobody reads gets no report."""
    members = User.objects.filter(is_active=True).values("org_unit")
    return (OrgUnit.objects.filter(kind=OrgUnit.Kind.LEADERSHIP_GROUP, pk__in=members).select_related("region")
            .order_by("region__code", "pk"))


def plan(now: dt.datetime) -> int:
    """Create the rows of the latest periods that do not exist yet; returns how many this call created."""
    rows = [Dispatch(kind=kind, period=period, due_at=due_at, group=group, region_code=group.region.code)
            for group in leadership_groups() for kind, (period, due_at) in latest_periods(now).items()]
    before = Dispatch.objects.count()
    Dispatch.objects.bulk_create(rows, ignore_conflicts=True)
    return Dispatch.objects.count() - before


def due_ids(now: dt.datetime, limit: int = 200) -> list[int]:
    waiting = Q(status=Dispatch.Status.DUE, due_at__lte=now) | Q(status=Dispatch.Status.SENDING,
                                                                 claimed_at__lt=now - STALE_AFTER)
    return list(Dispatch.objects.filter(waiting).order_by("due_at", "pk").values_list("pk", flat=True)[:limit])


def claim(pk: int, *, now: dt.datetime, worker: str) -> bool:
    """The conditional UPDATE: True when this worker now owns the row."""
    waiting = Q(status=Dispatch.Status.DUE, due_at__lte=now) | Q(status=Dispatch.Status.SENDING,
                                                                 claimed_at__lt=now - STALE_AFTER)
    return bool(Dispatch.objects.filter(waiting, pk=pk).update(
        status=Dispatch.Status.SENDING, claimed_at=now, worker=worker[:60], attempts=F("attempts") + 1))


def _group_scope(group: OrgUnit) -> RegionScope:
    return RegionScope(prefixes=scope_codes(group.region), root_code=group.region.current().code)


@dataclass(frozen=True)
class Built:
    title: str
    message: MessageType  # how the members' inbox announces it
    values: dict[str, Any]  # the message's values: the day and the counts
    docx: bytes
    xlsx: bytes

    @property
    def summary(self) -> str:
        return registry.render(self.message.code, self.values).body


def build(dispatch: Dispatch) -> Built:
    """Title, announcement, docx and xlsx of the report, read with the group's scope."""
    group = dispatch.group
    scope, label = _group_scope(group), str(group.region)
    files = list(DISPATCH_FORMATS)
    if dispatch.kind == Dispatch.Kind.WEEKLY:
        report = reports.weekly_report(scope, day=dispatch.period, scope_label=label, calendar=work_calendar())
        values = {"day": dispatch.period.isoformat(), "problems": len(report.problems.rows),
                  "targets": len(report.responsibilities.rows), "tasks": len(report.tasks.rows), "files": files}
        return Built(report.title, WEEKLY_REPORT, values, reports.weekly_docx(report), reports.weekly_xlsx(report))
    digest = reports.daily_digest(scope, day=dispatch.period, scope_label=label)
    values = {"day": dispatch.period.isoformat(), "count": len(digest.changes.rows), "files": files}
    return Built(digest.title, DAILY_DIGEST, values, reports.digest_docx(digest), reports.digest_xlsx(digest))


def deliver(pk: int, *, worker: str) -> bool:
    """Generate, store and announce a claimed row; False when the claim was lost meanwhile."""
    dispatch = Dispatch.objects.select_related("group__region").get(pk=pk)
    built = build(dispatch)
    title, summary = built.title, built.summary
    stem = f"{dispatch.kind}-{dispatch.period:%Y%m%d}-{dispatch.region_code}-{dispatch.pk}"
    dispatch.docx.save(f"{stem}.docx", ContentFile(built.docx), save=False)
    dispatch.xlsx.save(f"{stem}.xlsx", ContentFile(built.xlsx), save=False)
    with transaction.atomic():
        # The transaction opens with the conditional write, so on SQLite it waits for the write lock
        # (busy timeout) instead of failing to upgrade a read lock while another loop writes.
        now = clock.now()
        won = Dispatch.objects.filter(pk=pk, status=Dispatch.Status.SENDING, worker=worker[:60]).update(
            status=Dispatch.Status.SENT, sent_at=now, title=title[:200], summary=summary[:300], error="",
            docx=dispatch.docx.name, xlsx=dispatch.xlsx.name)
        if won:
            members = list(User.objects.filter(org_unit=dispatch.group_id, is_active=True))
            inbox.push(code=built.message.code, recipients=members, params=built.values, subject=dispatch,
                       region_code=dispatch.region_code, once=True, at=now)
            dispatch.title = title[:200]  # the audit entry names the report
            audit.record(actor=None, action=AuditEntry.Action.STATE, target=dispatch, region_code=dispatch.region_code,
                         changes={"status": [Dispatch.Status.DUE, Dispatch.Status.SENT]},
                         note=Note(gettext_lazy("已送达 %(count)s 人"), {"count": len(members)}))
    if not won:  # judged dead and reclaimed: the new owner stores and sends its own copy
        dispatch.docx.delete(save=False)
        dispatch.xlsx.delete(save=False)
    return bool(won)


def _failed(pk: int, worker: str, error: Exception) -> None:
    now = clock.now()
    row = Dispatch.objects.filter(pk=pk, status=Dispatch.Status.SENDING, worker=worker[:60])
    give_up = Q(attempts__gte=MAX_ATTEMPTS)
    row.filter(give_up).update(status=Dispatch.Status.FAILED, error=str(error)[:300])
    row.filter(~give_up).update(status=Dispatch.Status.DUE, due_at=now + RETRY_AFTER, error=str(error)[:300])


def run_once(*, worker: str) -> int:
    """One pass of the loop; returns how many reports this process delivered."""
    plan(clock.now())
    sent = 0
    for pk in due_ids(clock.now()):
        if not claim(pk, now=clock.now(), worker=worker):
            continue
        try:
            sent += deliver(pk, worker=worker)
        except Exception as error:  # one broken report must not stop the others; the row says why
            log.exception("dispatch %s failed", pk)
            _failed(pk, worker, error)
    return sent
