"""The 三个一 deadline sweep (Healthchecks' sendalerts pattern): find deadlines whose next escalation is due,
claim each step with a conditional UPDATE, escalate the claimed ones.

A missed deadline climbs while it stays unmet: at its due time it is breached and goes one field-chief level
above the task's chiefs (a village chief's task: the township chief) and to the county bureau; after each
further breach period (the step's own duration: 1 h for 上报, 24 h for 恢复原状) it goes one level higher
(the county chief), until no chief is left above. Meeting or waiving the step stops the climb.

1. Read the ids of deadlines with `escalate_at` < now (not met, not waived).
2. For each, in its own transaction: UPDATE … SET escalation_level = k + 1, escalate_at = <next>, breached_at =
   COALESCE(breached_at, now) WHERE id = … AND escalation_level = k AND escalate_at < now AND met_at IS NULL AND
   NOT waived. One row changed: this process won step k + 1; zero: another process did, or the task met it
   meanwhile — skip. The level is the row's version number, so a step cannot be taken twice.
3. The winner escalates in the same transaction: inbox + channels for the chief of that level and the county
   bureau, a TaskEvent, an audit entry and an Escalation row (unique per deadline and level, so even a broken
   claim could not escalate twice). With no chief above, `escalate_at` is cleared: the climb ends. Any error
   rolls the claim back and the next sweep tries again.

A sweep after an outage catches up: a deadline two periods overdue takes both steps in one pass. On
PostgreSQL the second UPDATE waits for the first transaction's row lock and then finds the level moved on; on
SQLite writers are serialised. Either way each step escalates exactly once, however many sweeps run
(tests/supervision/test_sweep_deadlines.py runs two processes at once).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from landguard.audit import notes
from landguard.audit import services as audit
from landguard.audit.notes import Note
from landguard.core import clock
from landguard.people.models import FieldChief, OrgUnit, User
from landguard.supervision import inbox_messages, notify, verification
from landguard.supervision.models import Deadline, Escalation, Recipient, TaskEvent

log = logging.getLogger(__name__)


def due_ids(limit: int = 500) -> list[int]:
    return list(Deadline.objects.filter(met_at__isnull=True, waived=False, escalate_at__lt=clock.now())
                .order_by("escalate_at", "id").values_list("pk", flat=True)[:limit])


def sweep(*, worker: str = "") -> int:
    """Take every escalation step that is due; returns how many steps this process took."""
    taken = 0
    for pk in due_ids():
        while _step(pk, worker=worker):
            taken += 1
    return taken


def escalate_once(pk: int, *, worker: str = "") -> bool:
    """Take the next escalation step of one deadline if it is due (the demo's overdue task)."""
    return _step(pk, worker=worker)


def _step(pk: int, *, worker: str) -> bool:
    """Claim and take the next step of one deadline; False when it is not due or another process took it."""
    deadline = Deadline.objects.select_related("task__clue").filter(pk=pk).first()
    now = clock.now()
    if deadline is None or deadline.escalate_at is None or deadline.escalate_at >= now:
        return False
    level = deadline.escalation_level + 1
    following = deadline.due_at + level * breach_period(deadline)  # level k + 1 falls due k periods after the due time
    with transaction.atomic():
        # The claim is the transaction's first statement: on SQLite it takes the write lock at once (a read
        # first would make two sweeps deadlock upgrading their read locks — "database is locked").
        claimed = Deadline.objects.filter(pk=pk, escalation_level=level - 1, escalate_at__lt=now, met_at__isnull=True,
                                          waived=False).update(
            escalation_level=level, escalate_at=following,
            breached_at=Coalesce("breached_at", Value(now, output_field=DateTimeField())))
        if not claimed:
            return False
        deadline.refresh_from_db()
        chain = ladder(deadline.task)
        escalate(deadline, level=level, chief=chain[level - 1] if level <= len(chain) else None, at=now, worker=worker)
        if level >= len(chain):  # nobody left above: the county bureau has it, the climb ends
            Deadline.objects.filter(pk=pk).update(escalate_at=None)
        return True


def breach_period(deadline: Deadline) -> dt.timedelta:
    """How long each further level waits: the step's own duration under the task's deadline rule."""
    d = verification.durations(deadline.task.clue.kind, deadline.task.severity, deadline.task.region_code)
    return {Deadline.Step.REPORT: d.report, Deadline.Step.ON_SITE: d.onsite,
            Deadline.Step.RESTORE: d.restore}[deadline.step]


def ladder(task) -> list[FieldChief]:
    """The chiefs a breach climbs through, nearest first: the superiors of the highest-ranking field chief the
    task was pushed to (village → township → county); without chief recipients, the township's chief and up."""
    chiefs = [r.field_chief
              for r in Recipient.objects.filter(task=task, field_chief__isnull=False).select_related("field_chief")]
    if chiefs:
        nxt = FieldChief.objects.select_related("user").filter(
            pk=min(chiefs, key=lambda c: c.level).superior_id).first()
    else:
        nxt = FieldChief.objects.select_related("user").filter(level=FieldChief.Level.TOWNSHIP,
                                                               region__code=task.township_code).first()
    chain: list[FieldChief] = []
    while nxt is not None and nxt not in chain:  # `not in`: a miskeyed org chart must not loop
        chain.append(nxt)
        nxt = FieldChief.objects.select_related("user").filter(pk=nxt.superior_id).first() if nxt.superior_id else None
    return chain


def escalate(deadline: Deadline, *, level: int, chief: FieldChief | None, at, worker: str = "") -> Escalation:
    task = deadline.task
    bureau = OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY_BUREAU,
                                    region__code=task.township_code[:6]).order_by("id").first()
    escalation = Escalation.objects.create(deadline=deadline, level=level, at=at, field_chief=chief, org_unit=bureau,
                                           worker=worker[:60])
    names = "、".join(str(x) for x in (chief, bureau) if x is not None) or "—"
    words = {"step": Deadline.Step(deadline.step).label, "names": names, "level": level}
    event_note = notes.stored(Note(gettext_lazy("%(step)s超时，第 %(level)s 次升级至 %(names)s"), words))
    TaskEvent.objects.create(task=task, at=at, actor=None, actor_name="系统", action="escalate",
                             from_status=task.status,
                             to_status=task.status, note=event_note[0], note_msgid=event_note[1],
                             note_params=event_note[2])
    audit.record(actor=None, action="state", target=deadline, region_code=task.region_code,
                 changes={"escalation_level": [level - 1, level]},
                 note=Note(gettext_lazy("超时升级：%(names)s"), words))
    users = [chief.user] if chief is not None else []
    if bureau is not None:
        users += list(User.objects.filter(org_unit=bureau, is_active=True))
    notify.push(task=task, users=users, code=inbox_messages.DEADLINE_ESCALATED.code,
                params={"task": str(task), "step": deadline.step, "place": task.clue.place_name,
                        "due": timezone.localtime(deadline.due_at).strftime("%m-%d %H:%M")})
    log.info("deadline %s (%s %s) escalation %s to %s", deadline.pk, task, deadline.step, level, names)
    return escalation
