"""Demo battle map (挂图作战) for 冠县: synthetic key projects (all named 演示) with service groups, steps in
every state — done ahead of time, running in parallel with a 容缺 item, overdue, waiting — a project that
crosses two townships, problems, a service request and a responsibility list imported from xlsx. Everything
goes through the services and importers, relative to the clock's today, so the map always shows each colour.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from landguard.core import clock
from landguard.people.models import OrgUnit, User
from landguard.projects import expropriation, imports, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Problem, Project, ServiceGroup, ServiceRequest
from landguard.regions.models import Level, Region

DEMO_COUNTY = "371525"
GROUPS = (("第一服务组（演示）", "工业项目作战指挥部（演示）", "张立（示例）"),
          ("第二服务组（演示）", "基础设施项目作战指挥部（演示）", "王敏（示例）"),
          ("第三服务组（演示）", "民生项目作战指挥部（演示）", "李强（示例）"))


def _square(region: Region, size_deg: float, shift: tuple[float, float] = (0.0, 0.0)) -> shapely.Geometry:
    """A small square well inside a region (around a point on its surface)."""
    outline = shapely.from_wkb(bytes(region.geom.wkb))
    centre = shapely.point_on_surface(outline)
    x, y = centre.x + shift[0], centre.y + shift[1]
    return shapely.box(x - size_deg / 2, y - size_deg / 2, x + size_deg / 2, y + size_deg / 2)


def _across(a: Region, b: Region) -> shapely.Geometry:
    """A rectangle around a point of the line two neighbouring townships share: part in each."""
    edge = shapely.intersection(shapely.from_wkb(bytes(a.geom.wkb)).boundary,
                                shapely.from_wkb(bytes(b.geom.wkb)).boundary)
    point = shapely.line_interpolate_point(shapely.line_merge(edge), 0.5,
                                           normalized=True) if edge.length else edge.centroid
    return shapely.box(point.x - 0.004, point.y - 0.003, point.x + 0.004, point.y + 0.003)


def _run(project: Project, through: int, *, ahead: bool = True, today: dt.date) -> None:
    """Start and close the steps up to order `through` as their plan says (a day early when `ahead`)."""
    for step in project.steps.order_by("order"):
        if step.order > through:
            return
        start = min(step.planned_start, today)
        services.start_step(actor=None, step=step, on=start)
        step.refresh_from_db()
        finish = min(max(start, step.due_on - dt.timedelta(days=1 if ahead else -2)), today)
        services.complete_step(actor=None, step=step, on=finish)


def load_demo_projects() -> int:
    """Load the demo battle map once (it needs the demo county and its townships). Returns projects created."""
    county = Region.objects.filter(code=DEMO_COUNTY, retired_in__isnull=True).first()
    if county is None or Project.objects.filter(region_code__startswith=DEMO_COUNTY).exists():
        return 0
    today = clock.today()
    townships = list(
        county.children.filter(retired_in__isnull=True, level=Level.TOWNSHIP, geom__isnull=False).order_by("code"))
    team = OrgUnit.objects.filter(region=county, kind=OrgUnit.Kind.SERVICE_TEAM).first()
    groups = [services.create_service_group(actor=None, region=county, name=name, headquarters=hq, leader=leader,
                                            liaison="", org_unit=team, is_synthetic=True) for name, hq,
                                            leader in GROUPS]
    commissioner = User.objects.filter(username="guanxian_staff").first()
    made: list[Project] = []

    def project(name: str, level: str, group: ServiceGroup, boundary: shapely.Geometry, days_ago: int,
                **values: Any) -> Project:
        p = services.create_project(actor=None, name=name, level=level, service_group=group, boundary=boundary,
                                    boundary_source=Project.BoundarySource.EXCHANGE,
                                    start_on=today - dt.timedelta(days=days_ago),
                                    is_synthetic=True, **values)
        made.append(p)
        return p

    done = project("冠县高端装备制造产业园一期项目（演示）", Project.Level.PROVINCIAL, groups[0],
                   _square(townships[0], 0.006), 200,
                   owner="冠县产业投资有限公司（示例）", investment_wan=Decimal("150000"),
                   land_demand_ha=Decimal("12.0000"),
                   planned_start=today - dt.timedelta(days=20), leader="县委常委（示例）",
                   plan="一个项目、一名领导、一个专班、一套方案。")
    _run(done, 8, today=today)
    running = project("冠县新材料产业园配套道路项目（演示）", Project.Level.MUNICIPAL, groups[1],
                      _across(townships[0], townships[1]) if len(townships) > 1 else _square(townships[0], 0.004), 40,
                      owner="冠县交通运输局（示例）", investment_wan=Decimal("32000"), land_demand_ha=Decimal("8.5000"),
                      planned_start=today + dt.timedelta(days=120), leader="副县长（示例）")
    _run(running, 1, today=today)
    services.start_step(actor=None, step=running.steps.get(order=2), on=today - dt.timedelta(days=3))
    third = running.steps.get(order=3)
    services.start_step(actor=None, step=third, on=today - dt.timedelta(days=5))
    services.add_deferred_item(actor=None, step=third, material="社会稳定风险评估报告",
                               promised_on=today + dt.timedelta(days=10),
                               owner="冠县交通运输局（示例）")
    late = project("冠县第二中学新校区建设项目（演示）", Project.Level.COUNTY, groups[2],
                   _square(townships[2 % len(townships)], 0.004), 60,
                   owner="冠县教育和体育局（示例）", investment_wan=Decimal("18000"), land_demand_ha=Decimal("6.6667"),
                   planned_start=today + dt.timedelta(days=30), leader="县政府办主任（示例）")
    first = late.steps.get(order=1)
    services.start_step(actor=None, step=first, on=today - dt.timedelta(days=60))
    soon = project("冠县城乡供水一体化工程（演示）", Project.Level.COUNTY, groups[1],
                   _square(townships[3 % len(townships)], 0.003), 0,
                   owner="冠县水务集团（示例）", investment_wan=Decimal("9000"), land_demand_ha=Decimal("2.0000"),
                   planned_start=today + dt.timedelta(days=200))
    # 20 working days: due soon
    services.start_step(actor=None, step=soon.steps.get(order=1), on=today - dt.timedelta(days=27))
    services.start_step(actor=None, step=soon.steps.get(order=2), on=today - dt.timedelta(days=2))
    services.raise_problem(actor=None, project=late, category=Problem.Category.QUOTA, division="耕地保护科",
                           description="新增建设用地计划指标不足，需申请市级统筹。",
                           deadline=today - dt.timedelta(days=3))
    escalated = services.raise_problem(actor=None, project=running, category=Problem.Category.COMPENSATION,
                                       division="征地服务中心",
                                       description="两户征地补偿标准存在分歧。", deadline=today + dt.timedelta(days=10))
    services.escalate_problem(actor=None, problem=escalated, note="提请领导小组协调补偿标准。")
    if commissioner is not None:
        request = services.create_service_request(
            actor=None, enterprise="冠县产业投资有限公司（示例）", kind=ServiceRequest.Kind.TRANSFER,
            commissioner=commissioner,
            request="希望出让合同与不动产权证同步办理。", received_on=today - dt.timedelta(days=150), project=done)
        services.resolve_service_request(actor=None, item=request, outcome="出让合同签订当日办结不动产权证。",
                                         days_saved=25,
                                         steps=list(done.steps.filter(order__in=(5, 8))))
    taking = project("冠县物流园区土地征收（演示）", Project.Level.COUNTY, groups[0],
                     _square(townships[4 % len(townships)], 0.004), 45, owner="冠县人民政府（示例）",
                     land_demand_ha=Decimal("9.3333"), template=services.expropriation_template(county))
    _expropriation_under_way(taking, today)
    _responsibility_list(county, townships, today)
    _red_flags(county, today)
    # 上门服务: the road's responsible leader has been this year; the school's has not (the home reminds from 11-01)
    services.record_visit(actor=None, project=running, leader="副县长（示例）",
                          visited_on=today - dt.timedelta(days=12), content="施工单位反映临时用地手续进度（示例）",
                          outcome="协调自然资源局三日内办结（示例）",
                          is_synthetic=True)
    return len(made)


def _red_flags(county: Region, today: dt.date) -> None:
    """The past months' 流动红旗 awarded from the ranking, where a month had a group with closed steps."""
    month = today.replace(day=1)
    for _back in range(6):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        try:
            services.award_red_flag(actor=None, region=county, month=month, note="按月度排名授予（示例）",
                                    is_synthetic=True)
        except ValidationError:
            continue  # no group closed a step that month


def _expropriation_under_way(project: Project, today: dt.date) -> None:
    """预公告 closed on the day its 10 working days ran, the survey and the risk assessment done in parallel,
    and the 补偿安置方案公告 posted: its page shows 最早可办结日期, 30 days after the posting."""
    calendar = work_calendar()
    steps = {s.key: s for s in project.steps.all()}
    pre = services.start_step(actor=None, step=steps[expropriation.PRE_NOTICE], on=today - dt.timedelta(days=45))
    posted_until = min(services.earliest_finish(pre, calendar) or today, today)
    services.complete_step(actor=None, step=pre, on=posted_until)
    surveyed = min(posted_until + dt.timedelta(days=5), today)
    for key in (expropriation.SURVEY, expropriation.RISK_ASSESSMENT):
        services.start_step(actor=None, step=steps[key], on=posted_until)
        services.complete_step(actor=None, step=steps[key], on=surveyed)
    services.start_step(actor=None, step=steps[expropriation.PLAN_NOTICE], on=surveyed)


def _responsibility_list(county: Region, townships: list[Region], today: dt.date) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["地区", "责任领导", "责任处室", "用地任务件数", "用地任务面积（万亩）", "省重点项目件数",
               "省重点项目面积（万亩）",
               "合计件数", "合计面积（万亩）"])
    total = [0, Decimal(0), 0, Decimal(0)]
    for index, township in enumerate(townships):
        cases, area = 1 + index % 3, Decimal("0.0150") * (1 + index % 4)
        key_cases, key_area = index % 2, Decimal("0.0120") * (index % 2)
        ws.append([township.name, "分管副县长（示例）", "耕地保护科", cases, float(area), key_cases, float(key_area),
                   cases + key_cases, float(area + key_area)])
        total = [total[0] + cases, total[1] + area, total[2] + key_cases, total[3] + key_area]
    ws.append(["合计", "", "", total[0], float(total[1]), total[2], float(total[3]), total[0] + total[2],
               float(total[1] + total[3])])
    with tempfile.TemporaryDirectory(prefix="landguard-demo-") as tmp:
        path = Path(tmp) / "责任清单.xlsx"
        wb.save(path)
        start = today.replace(month=1, day=1)
        imports.import_target_list(path, actor=None, name=f"冠县{today.year}年度用地保障责任清单（演示）",
                                   region=county,
                                   period_start=start, period_end=start.replace(month=12, day=31),
                                   floor_wan_mu=Decimal("0.3500"), stretch_wan_mu=Decimal("0.4000"),
                                   source_name=path.name,
                                   is_synthetic=True)

