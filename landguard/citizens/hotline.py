"""12345 work orders (domain-land.md §C.3): the services and the 督办 sweep. Each write is one transaction on the
locked matter, moved only as workflow.MATTER_TRANSITIONS allows, its history and audit entry appended.

- An order about a matter already in 信访 is not accepted (潍坊 第19条): it is filed 不予办理 with that reason.
- 签收 within CITIZENS_HOTLINE_SIGN_HOURS (a city's 考核办法, 待确认), 办结 within CITIZENS_HOTLINE_DONE_WORKING_DAYS
  working days on the holiday calendar (潍坊 第20条).
- 退回 only on the unit's written request naming why the matter is outside its duties, never by a unit designated
  after a dispute (潍坊 第22条); only before it is signed for.
- 回访 is mandatory: 满意/基本满意 closes the order, 不满意 sends it back for 再办 (潍坊 第25条).
- `supervise_overdue`: an order past its 签收 time unsigned, or past its 办结 day unanswered, is escalated to 督办
  once (a conditional UPDATE claims it, so two sweeps never escalate it twice)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.citizens import tunables
from landguard.citizens.models import Matter, MatterStatusChange, WorkOrder
from landguard.citizens.services import _change, _locked, _require_writer
from landguard.citizens.workflow import MatterAction
from landguard.core import clock
from landguard.core.workdays import LimitUnit, current_calendar, due_date
from landguard.inbox import services as inbox
from landguard.people.models import OrgUnit, User
from landguard.regions.models import Region


@transaction.atomic
def receive_order(*, actor: User | None, region: Region, order_no: str, topic: str, summary: str,
                  lead_unit: OrgUnit, assist_units: tuple[OrgUnit, ...] = (), designated: bool = False,
                  petition_no: str = "", handler: User | None = None, is_synthetic: bool = False) -> Matter:
    """A work order dispatched to the bureau. With `petition_no` (the matter is already in 信访) it is recorded as
    不予办理 with the reason, never worked."""
    _require_writer(actor, region.code)
    if topic not in WorkOrder.Topic.values:
        raise ValidationError({"topic": _("请选择工单主题。")})
    if WorkOrder.objects.filter(order_no=order_no.strip()).exists():
        raise ValidationError({"order_no": _("工单编号 %(no)s 已登记。") % {"no": order_no.strip()}})
    now = clock.now()
    matter = Matter.objects.create(kind=Matter.Kind.WORK_ORDER, channel=Matter.Channel.HOTLINE, region=region,
                                   region_code=region.code, title=summary.strip()[:200] or order_no, received_at=now,
                                   handler=handler, is_synthetic=is_synthetic,
                                   limit_on=due_date(timezone.localdate(now),
                                                     int(tunables.get("CITIZENS_HOTLINE_DONE_WORKING_DAYS")),
                                                     LimitUnit.WORKING, current_calendar()))
    order = WorkOrder.objects.create(
        matter=matter, order_no=order_no.strip()[:40], topic=topic, lead_unit=lead_unit, designated=designated,
        sign_by=now + dt.timedelta(hours=float(tunables.get("CITIZENS_HOTLINE_SIGN_HOURS"))))
    order.assist_units.set(assist_units)
    MatterStatusChange.objects.create(matter=matter, to_status=matter.status, at=now, actor=actor, note=_("派单"))
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=matter, region_code=matter.region_code,
                 note=_("12345工单 %(no)s") % {"no": order.order_no})
    if petition_no.strip():
        matter.closed_at = now
        _change(matter, MatterAction.REFUSE, actor,
                _("该事项已进入信访程序（%(no)s），按热线条例不予受理。") % {"no": petition_no.strip()})
    return matter


@transaction.atomic
def sign(*, actor: User | None, matter: Matter) -> Matter:
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    WorkOrder.objects.filter(pk=matter.pk).update(signed_at=clock.now())
    _change(matter, MatterAction.SIGN, actor, _("签收"))
    return matter


@transaction.atomic
def request_return(*, actor: User | None, matter: Matter, reason: str) -> Matter:
    """退回 to the hotline office: only with a written reason, never for a unit designated after a dispute."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if matter.work_order.designated:
        raise ValidationError(_("该工单为争议后指定办理，承办单位不得退回。"))
    if not reason.strip():
        raise ValidationError({"reason": _("申请退回须写明不属于本单位职责的理由。")})
    matter.closed_at = clock.now()
    _change(matter, MatterAction.RETURN, actor, _("申请退回：%(reason)s") % {"reason": reason.strip()})
    return matter


@transaction.atomic
def answer(*, actor: User | None, matter: Matter, text: str) -> Matter:
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if not text.strip():
        raise ValidationError({"text": _("请填写答复内容。")})
    WorkOrder.objects.filter(pk=matter.pk).update(answer=text.strip())
    _change(matter, MatterAction.ANSWER, actor, _("答复"))
    return matter


@transaction.atomic
def record_visit(*, actor: User | None, matter: Matter, satisfaction: str, note: str = "") -> Matter:
    """回访: satisfied closes the order; dissatisfied sends it back to the unit for 再办, with a new 办结 day."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if satisfaction not in WorkOrder.Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择回访满意度。")})
    order = WorkOrder.objects.select_for_update().get(pk=matter.pk)
    now = clock.now()
    order.visits = [*order.visits, {"at": now.isoformat(), "satisfaction": satisfaction, "note": note[:200]}]
    label = WorkOrder.Satisfaction(satisfaction).label
    if satisfaction == WorkOrder.Satisfaction.DISSATISFIED:
        order.redo_count += 1
        order.save(update_fields=["visits", "redo_count"])
        matter.limit_on = due_date(timezone.localdate(now), int(tunables.get("CITIZENS_HOTLINE_DONE_WORKING_DAYS")),
                                   LimitUnit.WORKING, current_calendar())
        _change(matter, MatterAction.REDO, actor, _("回访%(s)s，退回再办") % {"s": label})
    else:
        order.save(update_fields=["visits"])
        matter.closed_at = now
        _change(matter, MatterAction.SATISFIED, actor, _("回访%(s)s，办结") % {"s": label})
    return matter


def _overdue(now: dt.datetime) -> Q:
    today = timezone.localdate(now)
    late_sign = Q(matter__status=Matter.Status.RECEIVED, sign_by__lt=now)
    late_done = Q(matter__status=Matter.Status.ACCEPTED, matter__limit_on__lt=today)
    return Q(supervised_at__isnull=True) & (late_sign | late_done)


def supervise_overdue() -> int:
    """Escalate every late order to 督办 once; returns how many this sweep escalated."""
    now = clock.now()
    escalated = 0
    for pk in list(WorkOrder.objects.filter(_overdue(now)).values_list("pk", flat=True)):
        with transaction.atomic():
            if not WorkOrder.objects.filter(pk=pk, supervised_at__isnull=True).update(supervised_at=now):
                continue  # another sweep took it
            matter = Matter.objects.select_related("handler").get(pk=pk)
            MatterStatusChange.objects.create(matter=matter, from_status=matter.status, to_status=matter.status,
                                              at=now, note=_("超时督办"))
            audit.record(actor=None, action=AuditEntry.Action.STATE, target=matter, region_code=matter.region_code,
                         note=_("超时督办"))
            if matter.handler_id:
                inbox.push(code="citizens.order_supervised", recipients=[matter.handler], subject=matter,
                           region_code=matter.region_code, params={"title": matter.title})
            escalated += 1
    return escalated
