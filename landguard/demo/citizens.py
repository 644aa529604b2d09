"""A small deterministic set of 不动产登记 applications in 冠县 on synthetic people (ID numbers made up, with a valid
check digit, each name marked 示例): 一证办证 transfers received and closed the same day through the demo providers on
冠县's first days (新建商品房 2021-08-17, 二手房 2021-10-26), one application given a one-time notice (its 网签
contract not filed), one with every material fetched waiting for its review, one mortgage with its materials
brought."""

from __future__ import annotations

import datetime as dt

from landguard.citizens import services
from landguard.citizens.idnumbers import check_char
from landguard.citizens.models import Matter, Registration
from landguard.citizens.polling import poll_due
from landguard.core import clock
from landguard.demo import personas
from landguard.people.models import User
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

    def transfer(day: dt.datetime, n: int, kind: str, contract: str, *, close: bool, seller: bool) -> Matter:
        nonlocal made
        with clock.frozen(day):
            matter = services.create_registration(
                actor=None, region=township, reg_kind=Registration.RegKind.TRANSFER, transfer_kind=kind,
                unit_no=_unit(n), contract_no=contract, holders=[(_id(n), f"示例买受人{n}")],
                obligors=[(_id(n, "19600101"), f"示例出卖人{n}")] if seller else [], is_synthetic=True)
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
    with clock.frozen(dt.datetime(2021, 11, 4, 9, 0)):
        mortgage = services.create_registration(
            actor=None, region=township, reg_kind=Registration.RegKind.MORTGAGE, unit_no=_unit(6),
            holders=[(_id(6), "示例抵押人6")], documents_brought=["identity", "seizure"], is_synthetic=True)
        services.review(actor=None, matter=mortgage)
        made += 1
    return made
