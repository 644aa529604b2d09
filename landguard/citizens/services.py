"""Every write to a citizen matter: keyword-only services, one transaction each, the matter row locked on updates,
the status moved only as workflow.MATTER_TRANSITIONS allows, each change appended to its history and the audit
trail. Provider calls (which may take seconds) run outside any transaction; each answer is then recorded in its own.

ID numbers arrive in clear only as arguments, are validated into `IdNumber` (masked when printed), stored as the
keyed HMAC + AES-GCM ciphertext + masked text, and come back in clear only through `reveal_id`, which requires the
`citizens.view_full_id` permission and writes an audit entry each time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.citizens import documents, idnumbers, providers, selectors, tunables
from landguard.citizens.idnumbers import IdNumber
from landguard.citizens.models import DataRequest, Matter, MatterStatusChange, Party, Person, Registration
from landguard.citizens.workflow import MatterAction, matter_target
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.core.workdays import LimitUnit, current_calendar, due_date
from landguard.inbox import services as inbox
from landguard.people.models import User
from landguard.projects import selectors as project_selectors
from landguard.projects.models import ServiceRequest
from landguard.projects.services import can_work  # one rule: the roles that work on the bureau's matters
from landguard.regions.models import Region

VIEW_FULL_ID = "citizens.view_full_id"
AUDITED_FIELDS = ["kind", "channel", "title", "status", "region_code", "accepted_on", "limit_on", "target_on",
                  "closed_at", "note"]  # never the applicant's ciphertext or look-up code


def can_view_full_id(user: Any) -> bool:
    """The registration and petition officers who need the full number: a Django permission given per user or group
    (`citizens.view_full_id`, 查看完整身份证号), not a role — a county gives it to its 登记窗口 and 信访 staff."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(VIEW_FULL_ID))


def _require_writer(actor: User | None, region_code: str) -> None:
    if actor is None:  # the system: demo loader, poll loop
        return
    if not can_work(actor):
        raise PermissionDenied(_("您的角色不能办理便民服务事项。"))
    if not scope_for(actor).contains(region_code):
        raise PermissionDenied(_("该事项不在您的数据范围内。"))


def person_for(raw_id: str, name: str, *, is_synthetic: bool = False) -> Person:
    """The person with this ID number (found by its keyed HMAC), created when new. ValidationError for a bad number."""
    number = IdNumber.parse(raw_id)
    person = Person.objects.filter(id_lookup=number.lookup).first()
    if person is None:
        person = Person.objects.create(id_lookup=number.lookup, id_cipher=idnumbers.encrypt(number.value),
                                       id_masked=number.masked, name=name.strip()[:50], is_synthetic=is_synthetic)
    elif name.strip() and not person.name:
        Person.objects.filter(pk=person.pk).update(name=name.strip()[:50])
    return person


def find_person(raw_id: str) -> Person | None:
    """The person with this ID number, if LandGuard has one (the look-up never decrypts anything)."""
    return Person.objects.filter(id_lookup=IdNumber.parse(raw_id).lookup).first()


def _change(matter: Matter, action: str, actor: User | None, note: str = "") -> None:
    target = matter_target(action, matter.status)
    if target is None:
        raise ValidationError(_("事项当前为“%(status)s”，不能执行该操作。") % {"status": matter.get_status_display()})
    before = audit.snapshot(matter, AUDITED_FIELDS)
    previous = matter.status
    matter.status = target
    matter.save()
    MatterStatusChange.objects.create(matter=matter, from_status=previous, to_status=target, at=clock.now(),
                                      actor=actor, note=note)
    audit.record(actor=actor, action=AuditEntry.Action.STATE, target=matter, region_code=matter.region_code,
                 changes=audit.diff(before, audit.snapshot(matter, AUDITED_FIELDS)), note=note)


def _locked(matter: Matter) -> Matter:
    return Matter.objects.select_for_update().get(pk=matter.pk)


@transaction.atomic
def create_registration(*, actor: User | None, region: Region, reg_kind: str, unit_no: str,
                        holders: Sequence[tuple[str, str]], obligors: Sequence[tuple[str, str]] = (),
                        transfer_kind: str = "", contract_no: str = "", documents_brought: Iterable[str] = (),
                        channel: str = Matter.Channel.WINDOW, note: str = "", received_at: dt.datetime | None = None,
                        service_request: ServiceRequest | None = None, is_synthetic: bool = False) -> Matter:
    """A registration application received (接件): its parties found or created by ID number, the unit number checked
    (length and characters refused, finer structure warned about)."""
    _require_writer(actor, region.code)
    if reg_kind not in Registration.RegKind.values:
        raise ValidationError({"reg_kind": _("请选择登记类型。")})
    if service_request is not None and actor is not None and not project_selectors.service_requests(
            scope_for(actor)).filter(pk=service_request.pk).exists():
        raise PermissionDenied(_("该企业服务诉求不在您的数据范围内。"))
    if reg_kind == Registration.RegKind.TRANSFER and transfer_kind not in Registration.TransferKind.values:
        raise ValidationError({"transfer_kind": _("转移登记须选择新建商品房或二手房。")})
    if reg_kind != Registration.RegKind.TRANSFER:
        transfer_kind = ""
    if not holders:
        raise ValidationError({"holders": _("至少需要一名权利人（申请人）。")})
    try:
        unit, warnings = documents.check_unit_no(unit_no)
    except ValidationError as error:
        raise ValidationError({"unit_no": error.messages}) from None
    people: list[tuple[Person, str]] = []
    for role, rows in ((Party.Role.HOLDER, holders), (Party.Role.OBLIGOR, obligors)):
        for index, (raw_id, name) in enumerate(rows, start=1):
            try:
                people.append((person_for(raw_id, name, is_synthetic=is_synthetic), role))
            except ValidationError as error:
                label = _("第%(n)s名%(role)s的身份证号码") % {"n": index, "role": Party.Role(role).label}
                raise ValidationError({"holders" if role == Party.Role.HOLDER else "obligors":
                                       [f"{label}：{m}" for m in error.messages]}) from None
    registration = Registration(reg_kind=reg_kind, transfer_kind=transfer_kind, unit_no=unit,
                                contract_no=contract_no.strip()[:40], unit_warnings=[str(w) for w in warnings],
                                documents_brought=sorted(set(documents_brought)))
    kind_label = registration.get_transfer_kind_display() if transfer_kind else registration.get_reg_kind_display()
    applicant = people[0][0]
    matter = Matter.objects.create(
        kind=Matter.Kind.REGISTRATION, channel=channel, applicant=applicant, region=region, region_code=region.code,
        title=_("%(kind)s · %(name)s · %(unit)s") % {"kind": kind_label, "name": applicant.name, "unit": unit[-12:]},
        received_at=received_at or clock.now(), handler=actor if getattr(actor, "pk", None) else None, note=note,
        service_request=service_request, is_synthetic=is_synthetic)
    registration.matter = matter
    registration.save()
    for person, party_role in people:
        Party.objects.get_or_create(matter=matter, person=person, role=party_role)
    MatterStatusChange.objects.create(matter=matter, to_status=matter.status, at=matter.received_at, actor=actor,
                                      note=_("接件"))
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=matter, region_code=matter.region_code,
                 changes={k: [None, v] for k, v in audit.snapshot(matter, AUDITED_FIELDS).items() if v})
    return matter


def request_documents(*, actor: User | None, matter: Matter, consent: bool, purpose: str = "") -> list[DataRequest]:
    """Fetch every missing material a provider can answer (一证办证). The applicant's consent is required; the
    provider calls run outside any transaction, each result recorded (and audited) in its own."""
    _require_writer(actor, matter.region_code)
    if not consent:
        raise ValidationError(_("查询共享数据须先取得申请人授权。"))
    if not matter.is_open or matter.kind != Matter.Kind.REGISTRATION:
        raise ValidationError(_("该事项已结束，不能再查询。"))
    purpose = purpose or _("不动产登记：%(title)s") % {"title": matter.title}
    made = []
    for state in selectors.needs(matter):
        if state.state != "missing":
            continue
        need = state.need
        subject = Person.objects.get(pk=need.person_id) if need.person_id else None
        reference = matter.registration.contract_no if documents.keyed_on(need.document) == "contract" else \
            matter.registration.unit_no
        provider = providers.provider_for(need.document)
        query = providers.Query(document=need.document, purpose=purpose[:200], reference=reference, consent=True,
                                subject_id=idnumbers.decrypt(subject.id_cipher) if subject else None)
        try:
            outcome: providers.Answer | providers.Pending | providers.ProviderError = provider.request(query)
        except providers.ProviderError as error:
            outcome = error
        made.append(_record_request(actor=actor, matter=matter, need=need, subject=subject, reference=reference,
                                    provider_key=provider.key, purpose=purpose, outcome=outcome))
    return made


@transaction.atomic
def _record_request(*, actor: User | None, matter: Matter, need: documents.Need, subject: Person | None,
                    reference: str, provider_key: str, purpose: str,
                    outcome: providers.Answer | providers.Pending | providers.ProviderError) -> DataRequest:
    now = clock.now()
    row = DataRequest(matter=matter, document=need.document, provider=provider_key, purpose=purpose[:200],
                      subject=subject, reference=reference if documents.keyed_on(need.document) != "person" else "",
                      operator=actor if getattr(actor, "pk", None) else None, consent=True, requested_at=now)
    _apply(row, outcome, now)
    row.save()
    audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=matter, region_code=matter.region_code,
                 note=_("共享数据查询：%(what)s") % {"what": _describe(row)})
    return row


def _describe(row: DataRequest) -> str:
    who = f" · {row.subject.id_masked}" if row.subject is not None else ""
    result = "" if row.matched is None else (_("一致") if row.matched else _("不一致"))
    label = documents.document_label(row.document)
    return f"{label}{who} · {row.provider_label} · {row.get_status_display()} {result}".strip()


def _apply(row: DataRequest, outcome: providers.Answer | providers.Pending | providers.ProviderError,
           now: dt.datetime) -> None:
    if isinstance(outcome, providers.Answer):
        row.status, row.matched, row.result_hash = DataRequest.Status.ANSWERED, outcome.matched, outcome.digest
        row.result, row.answered_at, row.next_poll_at, row.error = outcome.flags, now, None, ""
    elif isinstance(outcome, providers.Pending):
        row.status, row.ticket = DataRequest.Status.REQUESTED, outcome.ticket
        row.next_poll_at = now + dt.timedelta(seconds=float(tunables.get("CITIZENS_POLL_INTERVAL_SECONDS")))
    else:
        row.status, row.error, row.next_poll_at = DataRequest.Status.FAILED, str(outcome)[:300], None


@transaction.atomic
def record_poll(*, request_pk: int, outcome: providers.Answer | providers.Pending | providers.ProviderError) -> \
        DataRequest:
    """The poll loop's result for one claimed request: answered (the handler told through the inbox), still pending
    (asked again later; failed after CITIZENS_POLL_GIVE_UP_HOURS) or failed."""
    row = DataRequest.objects.select_for_update().get(pk=request_pk)  # no outer join under FOR UPDATE (PostgreSQL)
    now = clock.now()
    if isinstance(outcome, (providers.Pending, providers.ProviderError)):
        give_up = row.requested_at + dt.timedelta(hours=float(tunables.get("CITIZENS_POLL_GIVE_UP_HOURS")))
        if now < give_up:
            row.next_poll_at = now + dt.timedelta(seconds=float(tunables.get("CITIZENS_POLL_INTERVAL_SECONDS")))
            row.error = str(outcome)[:300] if isinstance(outcome, providers.ProviderError) else ""
            row.claimed_until = None
            row.save()
            return row
        outcome = providers.ProviderError(_("超过时限未反馈"))
    _apply(row, outcome, now)
    row.claimed_until = None
    row.save()
    matter = row.matter
    audit.record(actor=None, action=AuditEntry.Action.UPDATE, target=matter, region_code=matter.region_code,
                 note=_("共享数据反馈：%(what)s") % {"what": _describe(row)})
    if matter.handler_id:
        inbox.push(code="citizens.data_answered", recipients=[matter.handler], subject=matter,
                   region_code=matter.region_code, params={"title": matter.title,
                                                           "document": row.document})
    return row


def _target_days(matter: Matter) -> int:
    registration = matter.registration
    if registration.reg_kind == Registration.RegKind.TRANSFER:
        return int(tunables.get("CITIZENS_TRANSFER_TARGET_WORKING_DAYS"))
    return int(tunables.get("CITIZENS_REGISTRATION_TARGET_WORKING_DAYS"))


@transaction.atomic
def review(*, actor: User | None, matter: Matter, on: dt.date | None = None) -> Matter:
    """受理审查: with every material present (brought or fetched) the application is accepted and its statutory limit
    and target set on the working-day calendar; otherwise one notice names everything missing at once (一次性告知).
    Refused while an asynchronous look-up is still awaited (the citizen must not be told to bring what is coming)."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    states = selectors.needs(matter)
    pending = [s.need.label for s in states if s.state == "pending"]
    if pending:
        raise ValidationError(_("仍在等待共享数据反馈：%(items)s。请稍后再审查。") % {"items": "、".join(pending)})
    missing = [s for s in states if not s.satisfied]
    if missing:
        labels = [s.need.label + (_("（比对不一致）") if s.state == "refused" else "") for s in missing]
        matter.registration.notice = labels
        matter.registration.save(update_fields=["notice"])
        _change(matter, MatterAction.NOTIFY, actor, _("一次性告知需补正材料：%(items)s") % {"items": "、".join(labels)})
        return matter
    day = clock.business_date(on, label=_("受理日期"))
    calendar = current_calendar()
    matter.accepted_on = day
    matter.limit_on = due_date(day, int(tunables.get("CITIZENS_REGISTRATION_LIMIT_WORKING_DAYS")), LimitUnit.WORKING,
                               calendar)
    matter.target_on = due_date(day, _target_days(matter), LimitUnit.WORKING, calendar)
    matter.registration.notice = []
    matter.registration.save(update_fields=["notice"])
    _change(matter, MatterAction.ACCEPT, actor, _("受理，承诺 %(target)s 前办结，法定期限 %(limit)s") % {
        "target": matter.target_on.isoformat(), "limit": matter.limit_on.isoformat()})
    return matter


@transaction.atomic
def complete(*, actor: User | None, matter: Matter, note: str = "") -> Matter:
    """办结 (登簿): the time it closed kept, and whether within the target and the statutory limit."""
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    matter.closed_at = clock.now()
    _change(matter, MatterAction.COMPLETE, actor, note or _("登簿办结"))
    return matter


@transaction.atomic
def refuse(*, actor: User | None, matter: Matter, reason: str) -> Matter:
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予办理的理由。")})
    matter.closed_at = clock.now()
    _change(matter, MatterAction.REFUSE, actor, reason.strip())
    return matter


@transaction.atomic
def withdraw(*, actor: User | None, matter: Matter, reason: str = "") -> Matter:
    matter = _locked(matter)
    _require_writer(actor, matter.region_code)
    matter.closed_at = clock.now()
    _change(matter, MatterAction.WITHDRAW, actor, reason.strip() or _("申请人撤回"))
    return matter


@transaction.atomic
def reveal_id(*, actor: User, matter: Matter, person: Person) -> str:
    """The full ID number of a party to a matter, for an officer holding `citizens.view_full_id` whose scope holds
    the matter; every call leaves an audit entry (who, whose masked number, which matter)."""
    if not can_view_full_id(actor):
        raise PermissionDenied(_("您没有查看完整身份证号的权限。"))
    if not scope_for(actor).contains(matter.region_code):
        raise PermissionDenied(_("该事项不在您的数据范围内。"))
    if not matter.parties.filter(person=person).exists() and matter.applicant_id != person.pk:
        raise PermissionDenied(_("该人员不是本事项的当事人。"))
    audit.record(actor=actor, action=AuditEntry.Action.VIEW, target=matter, region_code=matter.region_code,
                 note=_("查看完整身份证号：%(who)s") % {"who": str(person)})
    return idnumbers.decrypt(person.id_cipher)


def within_target(matter: Matter) -> bool | None:
    """Whether a closed matter closed by its target date (Beijing time); None while open or without a target."""
    if matter.closed_at is None or matter.target_on is None:
        return None
    return timezone.localtime(matter.closed_at).date() <= matter.target_on


def subject_matters(*, actor: User, raw_id: str) -> tuple[Person | None, list[Matter]]:
    """A data-subject request: every matter of the person with this ID number that the officer's scope holds (as
    applicant or party), for the officer holding `citizens.view_full_id`; the look-up is audited (who asked, whose
    masked number, how many matters), found or not."""
    if not can_view_full_id(actor):
        raise PermissionDenied(_("您没有查询个人全部事项的权限。"))
    try:
        number = IdNumber.parse(raw_id)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    person = Person.objects.filter(id_lookup=number.lookup).first()
    scope = scope_for(actor)
    found: list[Matter] = []
    if person is not None:
        found = list(selectors.matters(scope).filter(Q(applicant=person) | Q(parties__person=person)).distinct()
                     .order_by("received_at"))
    audit.record(actor=actor, action=AuditEntry.Action.VIEW, target=person or actor,
                 region_code=scope.root_code or "",
                 note=_("个人事项查询：%(who)s，%(count)s 件") % {"who": number.masked, "count": len(found)})
    return person, found
