"""The demo's 土地征收成片开发方案: 冠县's 2021 方案 as published (domain-land.md §A.5, seed 001) — approved by the
山东省人民政府 on 2021-08-09, 拟征收 162.1298 ha for 30 projects (工矿 81.9365, 居住 48.6031, 商业服务业 8.2560,
仓储 19.4546 ha), 19 projects starting in 2021 on 92.3996 ha. The published uses add up to 158.2502 ha, 3.8796 ha
short of the total, and list no 公益性用地: the plan's checklist shows both, as it would for a real document.

Its 片区 is synthetic (is_synthetic): a square of exactly 162.1298 ha (CGCS2000 ellipsoidal) cut from the county's
land inside the 城镇开发边界 clear of 永农, 生态保护红线, 已批用地 and the demo dossiers (`free_land`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import shapely

from landguard.approvals import plan_services
from landguard.approvals.models import DevelopmentPlan, Dossier
from landguard.demo.approvals import COUNTY, exact_square, free_land

GUANXIAN_PLAN_EXPROPRIATION_HA = Decimal("162.1298")
GUANXIAN_PLAN_USES_HA = {"use_industrial_ha": Decimal("81.9365"), "use_residential_ha": Decimal("48.6031"),
                         "use_commercial_ha": Decimal("8.2560"), "use_storage_ha": Decimal("19.4546")}


def load_demo_plans(cache: dict[tuple[str, str], shapely.Geometry] | None = None) -> DevelopmentPlan:
    """冠县's 2021 方案, entered as approved (补录). `cache` holds the layer unions the dossier demo computed."""
    land = free_land(COUNTY, cache={} if cache is None else cache)
    boundary = exact_square(land, float(GUANXIAN_PLAN_EXPROPRIATION_HA) * 10_000)
    plan = plan_services.create_plan(
        actor=None, name="冠县2021年度土地征收成片开发方案", year=2021, boundary=boundary,
        source=Dossier.BoundarySource.EXCHANGE, is_synthetic=True, expropriation_ha=GUANXIAN_PLAN_EXPROPRIATION_HA,
        planned_project_count=30, note="聊城市首批获批的成片开发方案；片区范围为合成数据。",
        use_industrial_ha=GUANXIAN_PLAN_USES_HA["use_industrial_ha"],
        use_residential_ha=GUANXIAN_PLAN_USES_HA["use_residential_ha"],
        use_commercial_ha=GUANXIAN_PLAN_USES_HA["use_commercial_ha"],
        use_storage_ha=GUANXIAN_PLAN_USES_HA["use_storage_ha"])
    plan_services.set_years(actor=None, plan=plan, rows=[(2021, Decimal("92.3996"), 19, Decimal("92.3996"), 19)])
    return plan_services.record_earlier_approval(actor=None, plan=plan, approved_on=dt.date(2021, 8, 9),
                                                 approved_by="山东省人民政府")
