"""Every write to the supply ledger and the 两清 board: one service per action, in one transaction, the record
locked (`select_for_update`) on updates, the status moved only as supply.workflow allows, each change appended to
its history and to the audit trail. Payments are append-only (a correction is a new row referring to the
corrected one). Whenever the contract dates or the instalment plan are written, the dates the sweep watches
(SupplyWatch) are rewritten — those it has not claimed yet."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import EVERYTHING, RegionScope, scope_for
from landguard.people.models import User
from landguard.projects import boundaries
from landguard.projects.models import Project, ServiceRequest
from landguard.projects.services import can_work
from landguard.supply import parcels, tunables
from landguard.supply.models import (
    Cause,
    Disposal,
    Instalment,
    ItemKind,
    LandUse,
    Payment,
    SubCause,
    SupplyPiece,
    SupplyRecord,
    SupplyStatusChange,
    SupplyWatch,
    TwoClearItem,
    TwoClearItemChange,
)
from landguard.supply.workflow import STAGE_DEADLINE, item_target, supply_target

__all__ = ["can_work", "create_supply", "record_payment", "record_milestone", "act_on_item", "set_item",
           "schedule", "add_months"]

CENT = Decimal("0.01")


def _scope(actor: User | None) -> RegionScope:
    return EVERYTHING if actor is None else scope_for(actor)


def _require_writer(actor: User | None, region_code: str) -> None:
    if actor is None:  # the system: the demo loader, the sweep
        return
    if not can_work(actor):
        raise PermissionDenied(_("您的角色不能办理供地事务。"))
    if not scope_for(actor).contains(region_code):
        raise PermissionDenied(_("该宗地不在您的数据范围内。"))


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


# --- checks ------------------------------------------------------------------------------------------------------


def _check_terms(values: dict[str, Any]) -> None:
    kind, no = values["kind"], values["parcel_no"]
    if kind == SupplyRecord.Kind.TRANSFER:
        if not values.get("method"):
            raise ValidationError(_("宗地“%(no)s”：出让须填写出让方式（招标、拍卖、挂牌或协议）。") % {"no": no})
        term, cap = values.get("term_years"), tunables.term_cap(values["use"])
        if not term:
            raise ValidationError(_("宗地“%(no)s”：出让须填写出让年限。") % {"no": no})
        if cap is not None and term > cap:
            raise ValidationError(_("宗地“%(no)s”：%(use)s出让年限最高 %(cap)s 年，填写的是 %(term)s 年。") % {
                "no": no, "use": LandUse(values["use"]).label, "cap": cap, "term": term})
        if not values.get("price_wan_yuan") or values["price_wan_yuan"] <= 0:
            raise ValidationError(_("宗地“%(no)s”：出让须填写成交价（万元）。") % {"no": no})
        if values.get("ground"):
            raise ValidationError(_("宗地“%(no)s”：出让不填写划拨依据。") % {"no": no})
    else:
        if not values.get("ground"):
            raise ValidationError(_("宗地“%(no)s”：划拨须注明《土地管理法》第五十四条规定的划拨依据。") % {"no": no})
        if values.get("method") or values.get("term_years"):
            raise ValidationError(_("宗地“%(no)s”：划拨用地没有出让方式和出让年限。") % {"no": no})
    if not values.get("contract_no"):
        raise ValidationError(_("宗地“%(no)s”：须填写出让合同号或划拨决定书号。") % {"no": no})
    _check_dates(values)


def _check_dates(values: dict[str, Any]) -> None:
    order = [("signed_on", _("签订日期")), ("agreed_delivery_on", _("约定交地日期")),
             ("agreed_start_on", _("约定开工日期")), ("agreed_completion_on", _("约定竣工日期"))]
    given = [(values[k], label) for k, label in order if values.get(k)]
    for (a, la), (b, lb) in zip(given, given[1:], strict=False):
        if b < a:
            raise ValidationError(_("宗地“%(no)s”：%(later)s（%(b)s）早于%(earlier)s（%(a)s）。") % {
                "no": values["parcel_no"], "later": lb, "b": b, "earlier": la, "a": a})


def instalment_plan(*, fee: Decimal, signed_on: dt.date, plan: Sequence[tuple[dt.date, Decimal]] | None,
                    parcel_no: str) -> list[tuple[dt.date, Decimal]]:
    """The instalments (due date, amount): the given plan checked — first ≥ the minimum share, the rest within the
    period, adding up to the fee —, or, with none given, the whole fee within the full-payment days."""
    if not plan:
        return [(signed_on + dt.timedelta(days=int(tunables.get("SUPPLY_FULL_PAYMENT_DAYS"))), fee)] if fee else []
    plan = sorted(((d, Decimal(a).quantize(CENT)) for d, a in plan), key=lambda p: p[0])
    if any(a <= 0 for _d, a in plan):
        raise ValidationError(_("宗地“%(no)s”：分期金额须大于零。") % {"no": parcel_no})
    total = sum((a for _d, a in plan), Decimal(0))
    if total != fee.quantize(CENT):
        raise ValidationError(_("宗地“%(no)s”：分期金额合计 %(total)s 万元，与出让金应缴 %(fee)s 万元不符。") % {
            "no": parcel_no, "total": f"{total:,.2f}", "fee": f"{fee:,.2f}"})
    share = tunables.percent("SUPPLY_FIRST_INSTALMENT_MIN_PERCENT")
    if plan[0][1] * 100 < fee * share:
        raise ValidationError(_("宗地“%(no)s”：首期 %(first)s 万元低于出让金的 %(share)s%%（%(min)s 万元）。") % {
            "no": parcel_no, "first": f"{plan[0][1]:,.2f}", "share": share,
            "min": f"{(fee * share / 100).quantize(CENT):,.2f}"})
    months = int(tunables.get("SUPPLY_INSTALMENT_PERIOD_MONTHS"))
    last = add_months(signed_on, months)
    if plan[-1][0] > last:
        raise ValidationError(_("宗地“%(no)s”：末期应缴日 %(due)s 超出分期期限"
                                "（合同签订后 %(months)s 个月，即 %(last)s）。")
                              % {"no": parcel_no, "due": plan[-1][0], "months": months, "last": last})
    if plan[0][0] < signed_on:
        raise ValidationError(_("宗地“%(no)s”：首期应缴日早于合同签订日期。") % {"no": parcel_no})
    return plan


# --- the supply record ------------------------------------------------------------------------------------------


def _links(actor: User | None, project: Project | None, request: ServiceRequest | None) -> None:
    scope = _scope(actor)
    for obj, label in ((project, _("项目")), (request, _("土地服务专员诉求"))):
        if obj is not None and not scope.contains(obj.region_code):
            raise PermissionDenied(_("所选%(what)s不在您的数据范围内。") % {"what": label})


@transaction.atomic
def create_supply(*, actor: User | None, kind: str, use: str, parcel_no: str, land_user: str,
                  boundary: shapely.Geometry, signed_on: dt.date, contract_no: str, method: str = "", ground: str = "",
                  term_years: int | None = None, price_wan_yuan: Decimal = Decimal(0),
                  fee_due_wan_yuan: Decimal | None = None, supervision_no: str = "", location: str = "",
                  project: Project | None = None, service_request: ServiceRequest | None = None,
                  agreed_delivery_on: dt.date | None = None, agreed_start_on: dt.date | None = None,
                  agreed_completion_on: dt.date | None = None,
                  instalments: Sequence[tuple[dt.date, Decimal]] | None = None, note: str = "",
                  is_synthetic: bool = False) -> SupplyRecord:
    """A supply record (出让 or 划拨) on a parcel cut from approved dossiers; refused, naming the parcel, when part of
    it lies outside approved land or it overlaps an earlier supply, when the term exceeds the cap for its use, or
    when the instalment plan breaks the rules. Nothing is written on a refusal."""
    parcel_no = parcel_no.strip()
    values = {"kind": kind, "use": use, "parcel_no": parcel_no, "method": method, "ground": ground,
              "term_years": term_years, "price_wan_yuan": price_wan_yuan, "contract_no": contract_no.strip(),
              "signed_on": signed_on, "agreed_delivery_on": agreed_delivery_on, "agreed_start_on": agreed_start_on,
              "agreed_completion_on": agreed_completion_on}
    if not parcel_no:
        raise ValidationError(_("须填写宗地号。"))
    if SupplyRecord.objects.filter(parcel_no=parcel_no).exists():
        raise ValidationError(_("宗地号“%(no)s”已登记。") % {"no": parcel_no})
    _check_terms(values)
    boundary = boundaries.checked_boundary(boundary)
    region = boundaries.split_by_region(boundary)[0].region  # the township holding most of it
    _require_writer(actor, region.code)
    _links(actor, project, service_request)
    cuts = parcels.cut(boundary, parcel_no)
    fee = (price_wan_yuan if fee_due_wan_yuan is None else fee_due_wan_yuan) or Decimal(0)
    plan = instalment_plan(fee=Decimal(fee), signed_on=signed_on, plan=instalments, parcel_no=parcel_no)
    record = SupplyRecord(**values, fee_due_wan_yuan=fee, supervision_no=supervision_no.strip(),
                          location=location.strip(), land_user=land_user.strip(), project=project,
                          service_request=service_request, region=region, region_code=region.code,
                          geometry=boundaries.to_geos(boundary), area_m2=parcels.area_m2(boundary), note=note,
                          created_by=actor, is_synthetic=is_synthetic)
    record.full_clean(exclude=["geometry", "created_by", "project", "service_request", "region"])
    record.save()
    SupplyPiece.objects.bulk_create([SupplyPiece(supply=record, dossier=c.dossier, area_m2=c.area_m2,
                                                 geometry=boundaries.to_geos(c.geometry)) for c in cuts])
    Instalment.objects.bulk_create([Instalment(supply=record, number=i + 1, due_on=d, amount_wan_yuan=a)
                                    for i, (d, a) in enumerate(plan)])
    SupplyStatusChange.objects.create(supply=record, to_status=record.status, on=signed_on, actor=actor,
                                      note=_("登记供地"))
    schedule(record)
    audit.record_create(actor=actor, target=record, region_code=record.region_code)
    return record


def schedule(record: SupplyRecord) -> None:
    """Rewrite the dates the sweep watches (the rows it has not claimed)."""
    record.watches.filter(claimed_at__isnull=True).delete()
    claimed = set(record.watches.values_list("key", flat=True))
    rows: list[SupplyWatch] = []

    def watch(kind: str, due: dt.date | None, key: str = "", instalment: Instalment | None = None) -> None:
        key = key or kind
        if due is not None and key not in claimed:
            rows.append(SupplyWatch(supply=record, kind=kind, key=key, due_on=due, instalment=instalment))

    days = dt.timedelta
    if record.agreed_delivery_on and not record.delivered_on:
        watch(ItemKind.DELIVERY_LATE, record.agreed_delivery_on + days(
            days=1 + int(tunables.get("SUPPLY_DELIVERY_GRACE_DAYS"))))
    if record.agreed_start_on and not record.started_on:
        watch(ItemKind.IDLE, add_years(record.agreed_start_on, int(tunables.get("SUPPLY_IDLE_YEARS"))))
        watch(ItemKind.RECOVER, add_years(record.agreed_start_on, int(tunables.get("SUPPLY_RECOVER_YEARS"))))
    if record.agreed_completion_on and not record.completed_on:
        watch(ItemKind.COMPLETION_LATE, record.agreed_completion_on + days(
            days=1 + int(tunables.get("SUPPLY_COMPLETION_GRACE_DAYS"))))
    for inst in record.instalments.all():
        watch(ItemKind.INSTALMENT_DUE, inst.due_on - days(days=int(tunables.get("SUPPLY_INSTALMENT_REMIND_DAYS"))),
              f"{ItemKind.INSTALMENT_DUE}:{inst.number}", inst)
        watch(ItemKind.ARREARS, inst.due_on + days(days=1 + int(tunables.get("SUPPLY_ARREARS_GRACE_DAYS"))),
              f"{ItemKind.ARREARS}:{inst.number}", inst)
    SupplyWatch.objects.bulk_create(rows)


def _locked(record: SupplyRecord) -> SupplyRecord:
    return SupplyRecord.objects.select_for_update().get(pk=record.pk)


@transaction.atomic
def record_payment(*, actor: User | None, supply: SupplyRecord, paid_on: dt.date, amount_wan_yuan: Decimal,
                   receipt_no: str = "", corrects: Payment | None = None) -> Payment:
    """A payment received (append-only); a negative amount only as a correction of an earlier payment."""
    record = _locked(supply)
    _require_writer(actor, record.region_code)
    amount = Decimal(amount_wan_yuan).quantize(CENT)
    if amount == 0 or (amount < 0 and corrects is None):
        raise ValidationError(_("宗地“%(no)s”：缴款金额须大于零（冲减须注明更正的缴款）。") % {"no": record.parcel_no})
    if corrects is not None and corrects.supply_id != record.pk:
        raise ValidationError(_("更正的缴款不属于本宗地。"))
    if paid_on > clock.today():
        raise ValidationError(_("缴款日期不能晚于今天。"))
    payment = Payment.objects.create(supply=record, paid_on=paid_on, amount_wan_yuan=amount,
                                     receipt_no=receipt_no.strip(), corrects=corrects, recorded_by=actor)
    audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=record, region_code=record.region_code,
                 changes={str(_("缴款记录")): [None, f"{paid_on} {amount} 万元 {receipt_no}".strip()]})
    return payment


_MILESTONE_FIELD = {"deliver": "delivered_on", "start": "started_on", "complete": "completed_on"}


@transaction.atomic
def record_milestone(*, actor: User | None, supply: SupplyRecord, action: str, on: dt.date,
                     note: str = "") -> SupplyRecord:
    """The actual 交地 / 开工 / 竣工 date, or 收回 (recover): the status moved as the table allows."""
    record = _locked(supply)
    _require_writer(actor, record.region_code)
    target = supply_target(action, record.status)
    if target is None:
        raise ValidationError(_("宗地“%(no)s”当前为%(status)s，不能办理此项。") % {
            "no": record.parcel_no, "status": record.get_status_display()})
    if on > clock.today():
        raise ValidationError(_("日期不能晚于今天。"))
    if on < record.signed_on:
        raise ValidationError(_("日期不能早于合同签订日期（%(d)s）。") % {"d": record.signed_on})
    before = audit.snapshot(record, ["status", *_MILESTONE_FIELD.values()])
    if field := _MILESTONE_FIELD.get(action):
        setattr(record, field, on)
        if action == "start" and record.delivered_on is None:
            record.delivered_on = on  # building started: the land was handed over by then
    previous, record.status = record.status, target
    record.save()
    SupplyStatusChange.objects.create(supply=record, from_status=previous, to_status=target, on=on, actor=actor,
                                      note=note[:300])
    schedule(record)
    audit.record_update(actor=actor, target=record, before=before, region_code=record.region_code, note=note)
    return record


# --- the 两清 items ---------------------------------------------------------------------------------------------


def _locked_item(item: TwoClearItem) -> TwoClearItem:
    return TwoClearItem.objects.select_for_update().select_related("supply").get(pk=item.pk)


@transaction.atomic
def act_on_item(*, actor: User | None, item: TwoClearItem, action: str, on: dt.date, document_no: str = "",
                note: str = "") -> TwoClearItem:
    """One step of the procedure (调查通知书 → 陈述 → 认定书 → 决定书 → 办结), with its next deadline."""
    item = _locked_item(item)
    _require_writer(actor, item.region_code)
    target = item_target(action, item.status)
    if target is None:
        raise ValidationError(_("事项当前为%(status)s，不能办理此步骤。") % {"status": item.get_status_display()})
    if on > clock.today():
        raise ValidationError(_("日期不能晚于今天。"))
    if action == "decide" and not item.disposal:
        raise ValidationError(_("作出决定书前须选定处置方式。"))
    previous, item.status = item.status, target
    name = STAGE_DEADLINE.get(target)
    item.stage_due_on = on + dt.timedelta(days=int(tunables.get(name))) if name else None
    item.save(update_fields=["status", "stage_due_on"])
    TwoClearItemChange.objects.create(item=item, from_status=previous, to_status=target, on=on, actor=actor,
                                      document_no=document_no.strip()[:60], note=note[:300])
    audit.record(actor=actor, action=AuditEntry.Action.STATE, target=item, region_code=item.region_code,
                 changes={"status": [previous, target]}, note=note)
    return item


@transaction.atomic
def set_item(*, actor: User | None, item: TwoClearItem, cause: str, sub_cause: str, disposal: str = "",
             owner_user: User | None = None, proposed_fee_wan_yuan: Decimal | None = None,
             note: str = "") -> TwoClearItem:
    """The cause (企业原因 / 政府原因 and its coded sub-cause), the owner and the disposal option of an item."""
    item = _locked_item(item)
    _require_writer(actor, item.region_code)
    if (sub_cause.startswith("gov_")) != (cause == Cause.GOVERNMENT) or sub_cause not in SubCause.values:
        raise ValidationError(_("具体原因“%(sub)s”不属于“%(cause)s”。") % {
            "sub": dict(SubCause.choices).get(sub_cause, sub_cause), "cause": dict(Cause.choices).get(cause, cause)})
    if disposal and disposal not in Disposal.values:
        raise ValidationError(_("未知的处置方式。"))
    if owner_user is not None and not scope_for(owner_user).contains(item.region_code):
        raise ValidationError(_("责任人“%(name)s”的数据范围不含该宗地。") % {"name": owner_user})
    if disposal == Disposal.FREE_RECOVERY and cause == Cause.GOVERNMENT:
        raise ValidationError(_("政府原因造成的闲置不能无偿收回（可协议有偿收回、置换等）。"))
    before = audit.snapshot(item, ["cause", "sub_cause", "disposal", "owner_user", "proposed_fee_wan_yuan", "note"])
    item.cause, item.sub_cause, item.disposal, item.owner_user = cause, sub_cause, disposal, owner_user
    if proposed_fee_wan_yuan is not None:
        item.proposed_fee_wan_yuan = proposed_fee_wan_yuan
    item.note = note
    item.save()
    audit.record_update(actor=actor, target=item, before=before, region_code=item.region_code)
    return item
