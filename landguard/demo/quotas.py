"""Demo quota ledgers (指标台账) for 冠县 and 莘县, through the real services.

冠县's figures are those a 2021 report gives (domain-land.md §A.4, seed 001): the city issued 1,096.996 亩 of
新增建设用地计划指标 in 2021; in 2020 the county reported 8 批次 of 596.151 亩, for which this demo issues 600 亩
(a choice: the report gives the batches, not the quota). Every 文号 is synthetic and says so. No reservation or
settlement is made here: the approvals app reserves and settles from its dossiers.

济阳 (370115) received a 105 亩 reward from the province for its 宅基地 三权分置 pilot (seed 002), but the demo loads
only 聊城's divisions (prefix 3715), so that ledger is left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from landguard.core import clock
from landguard.quotas import services
from landguard.quotas.models import Kind, QuotaAccount, Source
from landguard.regions.models import Region

GUANXIAN, SHENXIAN = "371525", "371522"


def load_demo_quotas() -> int:
    """Load the demo ledgers once (they need the demo's counties). Returns the entries created."""
    guanxian = Region.objects.filter(code=GUANXIAN, retired_in__isnull=True).first()
    shenxian = Region.objects.filter(code=SHENXIAN, retired_in__isnull=True).first()
    if guanxian is None or QuotaAccount.objects.filter(region=guanxian).exists():
        return 0
    today = clock.today()
    plan = [
        (guanxian, 2020, "600", "聊自然资字〔2020〕18号（合成）", dt.date(2020, 4, 10)),
        (guanxian, 2021, "1096.996", "聊自然资字〔2021〕21号（合成）", dt.date(2021, 4, 12)),
        (guanxian, today.year, "300", f"聊自然资字〔{today.year}〕9号（合成）", dt.date(today.year, 1, 1)),
    ]
    if shenxian is not None:
        plan += [(shenxian, 2021, "820", "聊自然资字〔2021〕22号（合成）", dt.date(2021, 4, 12)),
                 (shenxian, today.year, "260", f"聊自然资字〔{today.year}〕10号（合成）", dt.date(today.year, 1, 1))]
    for region, year, amount, document, on in plan:
        services.allocate(actor=None, region=region, year=year, kind=Kind.PLAN, amount=Decimal(amount),
                          source=Source.ISSUED, document_no=document, effective_on=on, note="合成演示数据")
    # A 增减挂钩 周转 allocation whose three-year return deadline falls due soon, so the warning shows.
    issued_on = today.replace(year=today.year - 3) + dt.timedelta(days=45) if not (
        today.month == 2 and today.day == 29) else dt.date(today.year - 3, 3, 1)
    services.allocate(actor=None, region=guanxian, year=issued_on.year, kind=Kind.LINK_TURNOVER, amount=Decimal("85.5"),
                      source=Source.ISSUED, document_no=f"鲁自然资字〔{issued_on.year}〕31号（合成）",
                      effective_on=issued_on, note="合成演示数据：增减挂钩项目区周转指标")
    return len(plan) + 1
