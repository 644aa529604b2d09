"""信访 cases (信访工作条例 2022, domain-land.md §C.4): the services. Each write is one transaction on the locked
matter; the matter's status moves only as workflow.MATTER_TRANSITIONS allows, the case's stage and its deadline with
it, the history row and the audit entry appended. Days are calendar days (the regulation's 日), from tunables.

登记 → (受理, notice within 15 日) 办理, 60 日, + ≤ 30 日 once with an approval → 处理意见 → 复查 requested
within 30 日 of it, decided within 30 日 → 复核 likewise, 听证 days not counted → 终结. A case not taken further
within its 30 日 is 终结 by `finalize`. A petition repeating a case already 终结 on the same facts is recorded 不予受理
with that reason; 12345 orders about a matter in 信访 are refused by the hotline services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.citizens import tunables
from landguard.citizens.models import Matter, MatterStatusChange, Petition
from landguard.citizens.services import _change, _locked, _require_writer, person_for
from landguard.citizens.workflow import MatterAction
from landguard.core import clock
from landguard.people.models import User
from landguard.regions.models import Region

# The stage an opinion (reply) or a request (request_review) leads to, from the stage it is made in.
NEXT_AFTER_REPLY: dict[str, str] = {Petition.Stage.HANDLING: Petition.Stage.ANSWERED,
                                    Petition.Stage.REVIEW: Petition.Stage.REVIEWED,
                                    Petition.Stage.RECHECK: Petition.Stage.CLOSED}
NEXT_AFTER_REQUEST: dict[str, str] = {Petition.Stage.ANSWERED: Petition.Stage.REVIEW,
                                      Petition.Stage.REVIEWED: Petition.Stage.RECHECK}
PETITION_FIELDS = ["stage", "due_on", "extended", "extension_reason", "extension_approved_by", "opinion",
                   "answered_on", "hearing_days", "lead_leader", "backlog", "settlement"]


def _days(name: str) -> dt.timedelta:
    return dt.timedelta(days=int(tunables.get(name)))


def _petition(matter: Matter) -> Petition:
    return Petition.objects.select_for_update().get(pk=matter.pk)


def _save(actor: User | None, matter: Matter, petition: Petition, before: dict[str, Any], note: str) -> None:
    petition.full_clean(exclude=["matter", "repeats"])
    petition.save()
    audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=matter, region_code=matter.region_code,
                 changes=audit.diff(before, audit.snapshot(petition, PETITION_FIELDS)), note=note)


@transaction.atomic
def register_petition(*, actor: User | None, region: Region, petition_no: str, pclass: str, summary: str,
                      channel: str = Matter.Channel.VISIT, received_on: dt.date | None = None,
                      petitioner: tuple[str, str] | None = None, parcel_ref: str = "",
                      repeats: Petition | None = None, is_synthetic: bool = False) -> Matter:
    """A petition registered (登记), the 受理告知 clock started. One repeating a case already 终结 (复核 decided) on
    the same facts is recorded 不予受理 with that reason, never worked again."""
    _require_writer(actor, region.code)
    if pclass not in Petition.PClass.values:
        raise ValidationError({"pclass": _("请选择信访类别。")})
    if not summary.strip():
        raise ValidationError({"summary": _("请填写信访事项摘要。")})
    number = petition_no.strip()[:40]
    if not number or Petition.objects.filter(petition_no=number).exists():
        raise ValidationError({"petition_no": _("信访件编号 %(no)s 为空或已登记。") % {"no": number}})
    applicant = None
    if petitioner is not None and petitioner[0].strip():
        try:
            applicant = person_for(petitioner[0], petitioner[1], is_synthetic=is_synthetic)
        except ValidationError as error:
            raise ValidationError({"petitioner_id": error.messages}) from None
    received = received_on or clock.today()
    matter = Matter.objects.create(
        kind=Matter.Kind.PETITION, channel=channel, applicant=applicant, region=region, region_code=region.code,
        title=summary.strip()[:200], received_at=timezone.make_aware(dt.datetime.combine(received, dt.time(9))),
        handler=actor if getattr(actor, "pk", None) else None, is_synthetic=is_synthetic)
    petition = Petition.objects.create(matter=matter, petition_no=number, pclass=pclass, repeats=repeats,
                                       parcel_ref=parcel_ref.strip()[:40],
                                       due_on=received + _days("CITIZENS_PETITION_NOTICE_DAYS"))
    MatterStatusChange.objects.create(matter=matter, to_status=matter.status, at=clock.now(), actor=actor,
                                      note=_("登记"))
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=matter, region_code=matter.region_code,
                 note=_("信访件 %(no)s") % {"no": number})
    if repeats is not None and repeats.stage == Petition.Stage.CLOSED:
        petition.stage, petition.due_on = Petition.Stage.NOT_ACCEPTED, None
        petition.save(update_fields=["stage", "due_on"])
        matter.closed_at = clock.now()
        _change(matter, MatterAction.REFUSE, actor, _("原信访件 %(no)s 已复核终结，同一事实和理由不再受理。") % {
            "no": repeats.petition_no})
    return matter


@transaction.atomic
def accept(*, actor: User | None, matter: Matter, on: dt.date | None = None) -> Matter:
    """受理 (the petitioner told in writing): the 60-day 办理 clock starts."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    petition = _petition(matter)
    before = audit.snapshot(petition, PETITION_FIELDS)
    day = on or clock.today()
    matter.accepted_on = day
    _change(matter, MatterAction.ACCEPT, actor, _("受理并书面告知"))
    petition.stage, petition.due_on = Petition.Stage.HANDLING, day + _days("CITIZENS_PETITION_HANDLING_DAYS")
    _save(actor, matter, petition, before, _("受理"))
    return matter


@transaction.atomic
def refuse(*, actor: User | None, matter: Matter, reason: str) -> Matter:
    """不予受理 (诉讼 matters and the like, 诉访分离), with the reason told to the petitioner."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予受理的理由。")})
    petition = _petition(matter)
    before = audit.snapshot(petition, PETITION_FIELDS)
    matter.closed_at = clock.now()
    _change(matter, MatterAction.REFUSE, actor, _("不予受理：%(reason)s") % {"reason": reason.strip()})
    petition.stage, petition.due_on = Petition.Stage.NOT_ACCEPTED, None
    _save(actor, matter, petition, before, _("不予受理"))
    return matter


@transaction.atomic
def extend(*, actor: User | None, matter: Matter, reason: str, approved_by: str) -> Matter:
    """延期: once, while in 办理, with the approving leader and the reason told to the petitioner."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    petition = _petition(matter)
    if petition.stage != Petition.Stage.HANDLING:
        raise ValidationError(_("只有办理阶段可以延期。"))
    if petition.extended:
        raise ValidationError(_("办理期限已延长过一次，不能再次延期。"))
    if not reason.strip() or not approved_by.strip():
        raise ValidationError(_("延期须写明理由和批准人。"))
    before = audit.snapshot(petition, PETITION_FIELDS)
    petition.extended, petition.extension_reason = True, reason.strip()[:200]
    petition.extension_approved_by = approved_by.strip()[:50]
    base = petition.due_on or clock.today()
    petition.due_on = base + _days("CITIZENS_PETITION_EXTENSION_DAYS")
    _save(actor, matter, petition, before, _("延期办理"))
    return matter


@transaction.atomic
def reply(*, actor: User | None, matter: Matter, opinion: str, text: str, on: dt.date | None = None) -> Matter:
    """处理意见书 (办理), 复查意见 (复查) or 复核意见 (复核): the first two open a 30-day window for the next request;
    复核 closes the case (终结)."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if opinion not in Petition.Opinion.values:
        raise ValidationError({"opinion": _("请选择处理意见。")})
    if not text.strip():
        raise ValidationError({"text": _("请填写意见书内容。")})
    petition = _petition(matter)
    following = NEXT_AFTER_REPLY.get(str(petition.stage))
    if following is None:
        raise ValidationError(_("当前阶段“%(stage)s”不能出具意见。") % {"stage": petition.get_stage_display()})
    before = audit.snapshot(petition, PETITION_FIELDS)
    day = on or clock.today()
    label = petition.get_stage_display()
    _change(matter, MatterAction.ANSWER, actor, _("%(stage)s意见：%(opinion)s") % {
        "stage": label, "opinion": Petition.Opinion(opinion).label})
    petition.opinion, petition.answer, petition.answered_on, petition.stage = opinion, text.strip(), day, following
    if following == Petition.Stage.CLOSED:
        petition.due_on = None
        matter.closed_at = clock.now()
        _change(matter, MatterAction.FINALIZE, actor, _("复核终结"))
    else:
        petition.due_on = day + _days("CITIZENS_PETITION_REQUEST_DAYS")
    _save(actor, matter, petition, before, _("出具意见"))
    return matter


@transaction.atomic
def request_review(*, actor: User | None, matter: Matter, on: dt.date | None = None, hearing_days: int = 0) -> Matter:
    """复查 (after the 处理意见) or 复核 (after the 复查意见), requested within 30 日 of the answer; its decision is due
    30 日 later, plus the 听证 days for a 复核."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    petition = _petition(matter)
    day = on or clock.today()
    following = NEXT_AFTER_REQUEST.get(str(petition.stage))
    if following is None:
        raise ValidationError(_("当前阶段“%(stage)s”不能请求复查或复核。") % {"stage": petition.get_stage_display()})
    if petition.due_on is not None and day > petition.due_on:
        raise ValidationError(_("请求期限已于 %(day)s 届满，不再受理复查、复核请求。") % {
            "day": f"{petition.due_on:%Y-%m-%d}"})
    before = audit.snapshot(petition, PETITION_FIELDS)
    label = Petition.Stage(following).label
    _change(matter, MatterAction.REOPEN, actor, _("请求%(stage)s") % {"stage": label})
    petition.stage = following
    petition.hearing_days = max(0, int(hearing_days)) if following == Petition.Stage.RECHECK else 0
    petition.due_on = day + _days("CITIZENS_PETITION_DECISION_DAYS") + dt.timedelta(days=petition.hearing_days)
    _save(actor, matter, petition, before, _("请求%(stage)s") % {"stage": label})
    return matter


@transaction.atomic
def finalize(*, actor: User | None, matter: Matter) -> Matter:
    """终结 a case whose window for 复查 or 复核 ran out without a request."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    petition = _petition(matter)
    if petition.stage not in (Petition.Stage.ANSWERED, Petition.Stage.REVIEWED):
        raise ValidationError(_("当前阶段“%(stage)s”不能终结。") % {"stage": petition.get_stage_display()})
    if petition.due_on is not None and clock.today() <= petition.due_on:
        raise ValidationError(_("请求期限至 %(day)s，届满后方可终结。") % {"day": f"{petition.due_on:%Y-%m-%d}"})
    before = audit.snapshot(petition, PETITION_FIELDS)
    matter.closed_at = clock.now()
    _change(matter, MatterAction.FINALIZE, actor, _("逾期未请求复查、复核，终结"))
    petition.stage, petition.due_on = Petition.Stage.CLOSED, None
    _save(actor, matter, petition, before, _("终结"))
    return matter


@transaction.atomic
def mark_backlog(*, actor: User | None, matter: Matter, backlog: str, lead_leader: str) -> Matter:
    """积案 by one of the three classes, each given to a named leader (领导包案); backlog "" removes the mark."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if backlog not in Petition.Backlog.values:
        raise ValidationError({"backlog": _("请选择积案类别。")})
    if backlog and not lead_leader.strip():
        raise ValidationError({"lead_leader": _("积案须明确包案领导。")})
    petition = _petition(matter)
    before = audit.snapshot(petition, PETITION_FIELDS)
    petition.backlog, petition.lead_leader = backlog, lead_leader.strip()[:50]
    _save(actor, matter, petition, before, _("积案与包案"))
    return matter


@transaction.atomic
def set_settlement(*, actor: User | None, matter: Matter, settlement: str) -> Matter:
    """息访: 已签息访单 (signed), 事实息访 (stopped in fact without signing) or back to 未息访."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if settlement not in Petition.Settlement.values:
        raise ValidationError({"settlement": _("请选择息访情况。")})
    petition = _petition(matter)
    before = audit.snapshot(petition, PETITION_FIELDS)
    petition.settlement = settlement
    _save(actor, matter, petition, before, _("息访情况"))
    return matter
