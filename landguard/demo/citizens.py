"""A deterministic set of 不动产登记 applications in 冠县 on synthetic people (ID numbers made up, with a valid check
digit, each name marked 示例): 冠县's 2021 一证办证 year — 187 新建商品房 transfers from 2021-08-17 and 8 二手房
from 2021-10-26, received and closed the same day through the demo providers —, one application given a one-time
notice (its 网签 contract not filed), one with every material fetched waiting for its review, one mortgage with its
materials brought; a few 12345 work orders (one closed after a dissatisfied 回访 and a 再办, one waiting to be
signed), a small 信访 backlog (积案 given to named leaders, one 息访 signed, one 事实息访, one case past its 办理
day), consultations across the six topics, and one village's 宅基地 资格权 register with its applications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from landguard.citizens import consultations, homestead, hotline, petitions, services
from landguard.citizens.idnumbers import check_char
from landguard.citizens.models import Consultation, Matter, Petition, Registration, Topic, WorkOrder
from landguard.citizens.polling import poll_due
from landguard.core import clock
from landguard.demo import personas
from landguard.people.models import OrgUnit, User
from landguard.projects.models import ServiceRequest
from landguard.regions.models import Region

TOWNSHIP = "371525001"  # 清泉街道
HANDLER = personas.TOWNSHIP_OFFICER  # the home page of the township officer lists the open ones


def _id(seq: int, born: str = "19850312") -> str:
    first17 = f"371525{born}{seq:03d}"
    return first17 + check_char(first17)


def _unit(n: int) -> str:
    return f"371525001001GB{n:05d}F0001{n:04d}"


def load_demo_citizens() -> int:
    township = Region.objects.get(code=TOWNSHIP, retired_in__isnull=True)
    handler = User.objects.filter(username=HANDLER).first()
    made = 0

    # the land service commissioner's transfer request (出让合同与不动产权证同步办理) led to the first registration
    helped = ServiceRequest.objects.filter(kind=ServiceRequest.Kind.TRANSFER).order_by("pk").first()

    def transfer(day: dt.datetime, n: int, kind: str, contract: str, *, close: bool, seller: bool) -> Matter:
        nonlocal made
        with clock.frozen(day):
            matter = services.create_registration(
                actor=None, region=township, reg_kind=Registration.RegKind.TRANSFER, transfer_kind=kind,
                unit_no=_unit(n), contract_no=contract, holders=[(_id(n), f"示例买受人{n}")],
                obligors=[(_id(n, "19600101"), f"示例出卖人{n}")] if seller else [],
                service_request=helped if n == 1 else None, is_synthetic=True)
            Matter.objects.filter(pk=matter.pk).update(handler=handler)
            services.request_documents(actor=None, matter=matter, consent=True)
        made += 1
        with clock.frozen(day + dt.timedelta(minutes=3)):
            poll_due()  # no look-up is left pending: a poll loop run later finds nothing of the demo's
            if not close:
                return matter
            matter = services.review(actor=None, matter=Matter.objects.get(pk=matter.pk))
        with clock.frozen(day + dt.timedelta(hours=4)):
            if matter.status == Matter.Status.ACCEPTED:
                services.complete(actor=None, matter=matter)
        return matter

    transfer(dt.datetime(2021, 8, 17, 9, 30), 1, Registration.TransferKind.NEW_HOME, "GX-XF-2021-0001", close=True,
             seller=False)
    transfer(dt.datetime(2021, 8, 18, 10, 0), 2, Registration.TransferKind.NEW_HOME, "GX-XF-2021-0002", close=True,
             seller=False)
    transfer(dt.datetime(2021, 10, 26, 9, 0), 3, Registration.TransferKind.RESALE, "GX-ES-2021-0003", close=True,
             seller=True)
    transfer(dt.datetime(2021, 11, 2, 9, 0), 4, Registration.TransferKind.RESALE, "GX-ES-2021-0000", close=True,
             seller=True)  # contract not filed: the one-time notice
    transfer(dt.datetime(2021, 11, 3, 15, 0), 5, Registration.TransferKind.NEW_HOME, "GX-XF-2021-0005", close=False,
             seller=False)  # fetched, not yet reviewed
    # The rest of 冠县's 2021 一证办证 year (187 新建商品房 transfers from 17 August, 8 二手房 from 26 October), each
    # fetched and closed the day it was received, on weekdays: the 便民服务统计 page for 2021 shows 187 and 8.
    n = 6
    for kind, first, count, prefix in ((Registration.TransferKind.NEW_HOME, dt.date(2021, 8, 19), 184, "XF"),
                                       (Registration.TransferKind.RESALE, dt.date(2021, 10, 27), 6, "ES")):
        days = [d for d in (first + dt.timedelta(days=i) for i in range((dt.date(2021, 12, 31) - first).days + 1))
                if d.weekday() < 5]
        for i in range(count):
            n += 1
            day = days[i * len(days) // count]
            transfer(dt.datetime.combine(day, dt.time(9 + i % 7, 30)), n, kind, f"GX-{prefix}-2021-{n:04d}",
                     close=True, seller=kind == Registration.TransferKind.RESALE)
    with clock.frozen(dt.datetime(2021, 11, 4, 9, 0)):
        mortgage = services.create_registration(
            actor=None, region=township, reg_kind=Registration.RegKind.MORTGAGE, unit_no=_unit(6),
            holders=[(_id(6), "示例抵押人6")], documents_brought=["identity", "seizure"], is_synthetic=True)
        services.review(actor=None, matter=mortgage)
        made += 1
    return made + _hotline(township, handler) + _petitions(township) + _consultations(township) + _homestead(township)


def _homestead(township: Region) -> int:
    """The 资格权 register of one village (济阳: the ID number is the right's number) and its applications: one
    approved after discussion and notice (the right used), one in its notice period."""
    village = township.children.filter(retired_in__isnull=True).order_by("code").first()
    if village is None:
        return 0
    today = clock.today()
    rights = [homestead.recognise_right(
        actor=None, region=village, id_number=_id(400 + n, "19750601"), name=f"示例资格权人{n}",
        collective=f"{village.name}股份经济合作社（示例）", household=f"第{n}户（示例）",
        recognised_on=today - dt.timedelta(days=400), area_m2=Decimal("140"), is_synthetic=True) for n in (1, 2, 3)]
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=60), dt.time(9))):
        done = homestead.apply(actor=None, right=rights[0], land_type="other", area_m2=Decimal("130"),
                               location=f"{village.name}东侧规划宅基地区（示例）", is_synthetic=True)
        homestead.discuss_and_notice(actor=None, matter=done, discussed_on=today - dt.timedelta(days=55))
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=40), dt.time(9))):
        homestead.decide(actor=None, matter=done, approve=True, decision="同意，按村庄规划建设（示例）")
    waiting = homestead.apply(actor=None, right=rights[1], land_type="other", area_m2=Decimal("120"),
                              location=f"{village.name}北侧（示例）", is_synthetic=True)
    homestead.discuss_and_notice(actor=None, matter=waiting, discussed_on=today - dt.timedelta(days=2))
    return 2


def _consultations(township: Region) -> int:
    """The 法治工作室's answers by topic (冠县 2021: 继承, 赠与, 查封, 离婚财产分配, 宅基地, 企业名下房屋登记)."""
    plan = ((Topic.INHERITANCE, Matter.Channel.WINDOW, "lawyer", Consultation.Referral.NOTARY, 4),
            (Topic.GIFT, Matter.Channel.PHONE, "staff", "", 3), (Topic.SEIZURE, Matter.Channel.WINDOW, "staff", "", 2),
            (Topic.DIVORCE, Matter.Channel.VISIT, "lawyer", Consultation.Referral.REGISTRATION, 2),
            (Topic.HOMESTEAD, Matter.Channel.HOTLINE, "staff", "", 2),
            (Topic.ENTERPRISE, Matter.Channel.MESSAGE, "staff", Consultation.Referral.REGISTRATION, 1))
    made = 0
    for topic, channel, answered_by, referral, count in plan:
        for n in range(count):
            made += 1
            consultations.record_consultation(
                actor=None, region=township, channel=channel, topic=topic,
                question=f"{Topic(topic).label}登记如何办理（示例{made}）", answered_by=answered_by,
                answerer="法治工作室（示例）", answer="已告知所需材料和办理流程（示例）。", referral=referral,
                minutes=10 + n * 5, received_at=clock.now() - dt.timedelta(days=3 * made), is_synthetic=True)
    return made


def _hotline(township: Region, handler: User | None) -> int:
    unit = OrgUnit.objects.filter(region__code=TOWNSHIP[:6], kind=OrgUnit.Kind.COUNTY_BUREAU).first()
    if unit is None:
        return 0
    today = clock.today()
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=20), dt.time(9))):
        redo = hotline.receive_order(actor=None, region=township, order_no="GX12345-DEMO-001",
                                     topic=WorkOrder.Topic.INHERITANCE, summary="继承房屋如何办理转移登记（示例）",
                                     lead_unit=unit, handler=handler, is_synthetic=True)
        hotline.sign(actor=None, matter=redo)
        hotline.answer(actor=None, matter=redo, text="已告知所需材料及办理流程。")
        hotline.record_visit(actor=None, matter=redo, satisfaction=WorkOrder.Satisfaction.DISSATISFIED,
                             note="希望窗口预约办理")
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=18), dt.time(9))):
        hotline.answer(actor=None, matter=redo, text="已预约窗口并当日办结。")
        hotline.record_visit(actor=None, matter=redo, satisfaction=WorkOrder.Satisfaction.SATISFIED)
    hotline.receive_order(actor=None, region=township, order_no="GX12345-DEMO-002", topic=WorkOrder.Topic.HOMESTEAD,
                          summary="宅基地确权登记进度咨询（示例）", lead_unit=unit, handler=handler, is_synthetic=True)
    return 2


def _petitions(township: Region) -> int:
    """A small 信访 backlog: five cases, two of them 积案 with 包案 leaders (one 息访 signed, one 事实息访), one
    past its 办理 day."""
    today = clock.today()
    made = []
    for n, (summary, days_ago) in enumerate((("征地补偿标准异议（示例）", 120), ("宅基地四至争议（示例）", 100),
                                              ("土地承包地被占用（示例）", 80), ("违法建设举报（示例）", 30),
                                              ("不动产登记错误更正诉求（示例）", 10)), start=1):
        received = today - dt.timedelta(days=days_ago)
        with clock.frozen(dt.datetime.combine(received, dt.time(9))):
            matter = petitions.register_petition(
                actor=None, region=township, petition_no=f"冠信访〔{received.year}〕{n:03d}号（示例）",
                pclass=Petition.PClass.ACCUSATION if n == 4 else Petition.PClass.CLAIM, summary=summary,
                received_on=received, petitioner=(_id(300 + n), f"示例信访人{n}"),
                parcel_ref=f"371525001001JC{n:05d}", is_synthetic=True)
            if n <= 4:
                petitions.accept(actor=None, matter=matter)
        made.append(matter)
    for matter, leader, settlement in ((made[0], "王副县长（示例）", Petition.Settlement.SIGNED),
                                       (made[1], "李局长（示例）", Petition.Settlement.DE_FACTO)):
        petitions.mark_backlog(actor=None, matter=matter, backlog=Petition.Backlog.LONG_RUNNING, lead_leader=leader)
        petitions.set_settlement(actor=None, matter=matter, settlement=settlement)
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=40), dt.time(9))):
        petitions.reply(actor=None, matter=made[0], opinion=Petition.Opinion.EXPLAIN,
                        text="补偿标准符合区片综合地价，已解释说明（示例）。")
    return len(made)
