"""Consultations (咨询) answered by the registration centre's 法治工作室: one service that records a question answered
on any channel — a matter closed on the spot, or sent on to registration, notarisation or 信访 — audited like every
matter. The figures (by topic, channel and who answered) are `selectors.consultation_figures`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.citizens.models import Consultation, Matter, MatterStatusChange, Topic
from landguard.citizens.services import _require_writer
from landguard.core import clock
from landguard.people.models import User
from landguard.regions.models import Region


@transaction.atomic
def record_consultation(*, actor: User | None, region: Region, channel: str, topic: str, question: str,
                        answered_by: str, answerer: str, answer: str, referral: str = "", minutes: int | None = None,
                        received_at: dt.datetime | None = None, is_synthetic: bool = False) -> Matter:
    _require_writer(actor, region.code)
    errors = {}
    if channel not in Matter.Channel.values:
        errors["channel"] = _("请选择咨询渠道。")
    if topic not in Topic.values:
        errors["topic"] = _("请选择咨询主题。")
    if answered_by not in Consultation.AnsweredBy.values:
        errors["answered_by"] = _("请选择答复人类别。")
    if referral not in Consultation.Referral.values:
        errors["referral"] = _("请选择转办去向。")
    for name, text, message in (("question", question, _("请填写咨询问题。")),
                                ("answer", answer, _("请填写答复内容。")), ("answerer", answerer, _("请填写答复人。"))):
        if not text.strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    now = received_at or clock.now()
    matter = Matter.objects.create(kind=Matter.Kind.CONSULTATION, channel=channel, region=region,
                                   region_code=region.code, title=question.strip()[:200], received_at=now,
                                   status=Matter.Status.DONE, closed_at=now,
                                   handler=actor if getattr(actor, "pk", None) else None, is_synthetic=is_synthetic)
    Consultation.objects.create(matter=matter, topic=topic, answered_by=answered_by, answerer=answerer.strip()[:50],
                                answer=answer.strip(), referral=referral, minutes=minutes)
    note = _("咨询答复") if not referral else _("咨询答复，%(referral)s") % {
        "referral": Consultation.Referral(referral).label}
    MatterStatusChange.objects.create(matter=matter, to_status=matter.status, at=now, actor=actor, note=note)
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=matter, region_code=matter.region_code,
                 note=note)
    return matter
