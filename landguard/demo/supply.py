"""冠县's demo supply ledger: parcels cut from the demo's approved dossiers (demo/approvals.py) through the real
services, so 供地率 and 批而未供 come out of geometry — about 70 % of 2021's approved land supplied, which puts the
county's five-year rate above the 成片开发 gate's 65 % —, a few parcels idle (one for an enterprise cause, one because
the land was never handed over, one past two years), one in arrears and one late to complete, and the sweep run
once so the 两清 board holds one item of each kind with both causes. Deterministic: fixed dates and fractions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import shapely

from landguard.approvals.models import Dossier
from landguard.core.geodesy import SQM_PER_MU
from landguard.demo.approvals import COUNTY
from landguard.projects.models import ServiceRequest
from landguard.supply import services, sweep
from landguard.supply.models import Cause, Disposal, SubCause, SupplyRecord, TwoClearItem

# (use, price per 亩 in 万元): industrial land near the national floor, residential and commercial at county prices.
USES = (("industrial", Decimal(15), 50), ("residential", Decimal(120), 70), ("commercial", Decimal(100), 40),
        ("industrial", Decimal(16), 50), ("mixed", Decimal(40), 50))
METHODS = (SupplyRecord.Method.LISTING, SupplyRecord.Method.AUCTION, SupplyRecord.Method.LISTING,
           SupplyRecord.Method.TENDER, SupplyRecord.Method.AGREEMENT)
USERS = ("冠县新材料科技有限公司", "聊城安居置业有限公司", "冠县商贸物流有限公司", "山东冠宇机械有限公司",
         "冠县城市建设投资有限公司")


def _strip(dossier: Dossier, fraction: float) -> shapely.Geometry:
    """The western `fraction` of the dossier's land (its bounding box cut, so the strip lies inside it)."""
    land = shapely.from_wkb(bytes(dossier.boundary.wkb))
    x0, y0, x1, y1 = land.bounds
    piece = shapely.intersection(land, shapely.box(x0, y0, x0 + (x1 - x0) * fraction, y1))
    return shapely.multipolygons([g for g in shapely.get_parts(piece) if shapely.get_type_id(g) == 3])


def _supply(dossier: Dossier, i: int, fraction: float, signed: dt.date, *, allocation: bool = False,
            request: ServiceRequest | None = None) -> SupplyRecord:
    use, unit, term = USES[i % len(USES)]
    land = _strip(dossier, fraction)
    price = (Decimal(str(dossier.total_m2 * fraction / SQM_PER_MU)) * unit).quantize(Decimal("0.01"))
    common = dict(actor=None, use=use, parcel_no=f"371525{signed.year}{i + 1:04d}", land_user=USERS[i % len(USERS)],
                  boundary=land, signed_on=signed, supervision_no=f"3715252{signed.year}B{i + 1:05d}",
                  location=dossier.name.replace("城镇建设用地", "地块"),
                  agreed_delivery_on=signed + dt.timedelta(days=30), agreed_start_on=signed + dt.timedelta(days=180),
                  agreed_completion_on=signed + dt.timedelta(days=730), service_request=request, is_synthetic=True)
    if allocation:
        return services.create_supply(kind=SupplyRecord.Kind.ALLOCATION, ground=SupplyRecord.Ground.INFRASTRUCTURE,
                                      contract_no=f"冠划拨决定书〔{signed.year}〕{i + 1}号", **common)
    plan = None
    if i % 4 == 1:  # half first, the rest within the year
        half = (price / 2).quantize(Decimal("0.01"))
        plan = [(signed + dt.timedelta(days=20), half), (signed + dt.timedelta(days=300), price - half)]
    return services.create_supply(kind=SupplyRecord.Kind.TRANSFER, method=METHODS[i % len(METHODS)],
                                  term_years=term, price_wan_yuan=price, instalments=plan,
                                  contract_no=f"冠出让合同〔{signed.year}〕{i + 1}号", **common)


def _pay_in_full(record: SupplyRecord) -> None:
    for inst in record.instalments.all():
        services.record_payment(actor=None, supply=record, paid_on=inst.due_on, amount_wan_yuan=inst.amount_wan_yuan,
                                receipt_no=f"非税{record.parcel_no}-{inst.number}")


def _agreed(day: dt.date | None) -> dt.date:
    assert day is not None  # every demo record has its agreed dates
    return day


def _on_schedule(record: SupplyRecord, *, complete: bool = True) -> None:
    services.record_milestone(actor=None, supply=record, action="deliver", on=_agreed(record.agreed_delivery_on))
    services.record_milestone(actor=None, supply=record, action="start", on=_agreed(record.agreed_start_on))
    if complete:
        services.record_milestone(actor=None, supply=record, action="complete",
                                  on=_agreed(record.agreed_completion_on))


def load_demo_supply() -> int:
    """The demo ledger; returns the number of supply records."""
    dossiers = list(Dossier.objects.filter(status=Dossier.Status.APPROVED, region_code__startswith=COUNTY)
                    .order_by("approved_on", "pk"))
    request = ServiceRequest.objects.filter(kind=ServiceRequest.Kind.TRANSFER).order_by("pk").first()
    records: list[SupplyRecord] = []
    for i, dossier in enumerate(dossiers):
        approved_on = _agreed(dossier.approved_on)
        year = approved_on.year
        if (year == 2021 and i % 5 == 4) or (year == 2020 and i % 2 == 1):
            continue  # left unsupplied: 批而未供
        fraction = 0.9 if year == 2021 else 0.6
        signed = approved_on + dt.timedelta(days=120)
        record = _supply(dossier, i, fraction, signed, allocation=dossier.kind == Dossier.Kind.SEPARATE_SITE,
                         request=request if len(records) in (2, 5) else None)
        records.append(record)
    # What happened on each: most paid and built on schedule; the exceptions make the 两清 board.
    transfers = [r for r in records if r.kind == SupplyRecord.Kind.TRANSFER]
    arrears = next(r for r in transfers if r.instalments.count() > 1)
    single = [r for r in transfers if r is not arrears and r.instalments.count() == 1]
    idle, undelivered, late = single[0], single[1], single[2]
    for record in records:
        if record is idle:  # enterprise cause: delivered on time, paid, never started → 闲置费, then 收回
            _pay_in_full(record)
            services.record_milestone(actor=None, supply=record, action="deliver",
                                      on=_agreed(record.agreed_delivery_on))
        elif record is undelivered:  # the land was never handed over: a government-side fault (the township's)
            _pay_in_full(record)
        elif record is arrears:  # the second instalment never paid (清欠)
            first = record.instalments.order_by("number")[0]
            services.record_payment(actor=None, supply=record, paid_on=first.due_on,
                                    amount_wan_yuan=first.amount_wan_yuan, receipt_no="非税首期")
            _on_schedule(record)
        elif record is late:  # started, not finished by the agreed date
            _pay_in_full(record)
            _on_schedule(record, complete=False)
        else:
            _pay_in_full(record)
            _on_schedule(record)
    sweep.sweep(worker="demo")
    _vary_causes()
    return len(records)


def _vary_causes() -> None:
    """Each item kind with a cause a bureau would record: a plan change behind one idle case, funds behind one."""
    recover = TwoClearItem.objects.filter(kind="recover", cause=Cause.ENTERPRISE).order_by("pk").first()
    if recover is not None:
        services.set_item(actor=None, item=recover, cause=Cause.ENTERPRISE, sub_cause=SubCause.ENT_FUNDS,
                          disposal=Disposal.FREE_RECOVERY, note="企业资金链断裂，拟依法无偿收回（示例）")
    idle = TwoClearItem.objects.filter(kind="idle", cause=Cause.GOVERNMENT).order_by("pk").first()
    if idle is not None:
        services.set_item(actor=None, item=idle, cause=Cause.GOVERNMENT, sub_cause=SubCause.GOV_DELIVERY,
                          disposal=Disposal.EXTEND, note="征地拆迁未完成，未按期交地（示例）")
