"""Issue 12 items 1, 4 and 6 on the demo county: responsibility-list progress counts the land approved by
dossiers (批复日期 inside the list's period, not outside), the same on the page, the xlsx and the API; the 耕地
占补平衡 check requires the kinds of the dossier's date (2024: 数量 + 水田 + 产能; from 2025-01-01, 自然资发〔2024〕
204号: 数量 + 产能) and names the rule; the 征收 figures start from the engine's collective land."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import shapely
from django.urls import reverse

from landguard.approvals import parts, selectors, services
from landguard.approvals.models import Dossier
from landguard.core import clock
from landguard.core.geodesy import SQM_PER_MU, wan_mu
from landguard.core.scope import scope_for
from landguard.demo.approvals import COUNTY, exact_square, free_land
from landguard.layers.models import Feature, Layer, LayerKind
from landguard.projects import selectors as project_selectors
from landguard.projects import services as project_services
from landguard.projects.models import Project, Target, TargetList
from landguard.quotas import services as quota_services
from landguard.quotas.models import Kind, Source
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    return Region.objects.get(code=COUNTY, retired_in__isnull=True)


def _ledgers(county, year: int) -> None:
    for kind, amount in ((Kind.PLAN, 500), (Kind.OFFSET_AREA, 500), (Kind.OFFSET_PADDY, 500),
                         (Kind.OFFSET_CAPACITY, 1_000_000)):
        quota_services.allocate(actor=None, region=county, year=year, kind=kind, amount=Decimal(amount),
                                source=Source.ISSUED, document_no="测试文号", effective_on=dt.date(year, 1, 2))


def _mu4(m2: float) -> Decimal:
    return Decimal(str(round(m2 / SQM_PER_MU, 4))) + Decimal("0.0001")


def _ready(dossier: Dossier, user, year: int, *, paddy: bool = True) -> Dossier:
    lines = [(Kind.PLAN, year, _mu4(dossier.new_construction_m2)), (Kind.OFFSET_AREA, year, _mu4(dossier.farmland_m2)),
             (Kind.OFFSET_CAPACITY, year, Decimal(50_000))]
    if paddy:
        lines.append((Kind.OFFSET_PADDY, year, _mu4(dossier.paddy_m2)))
    services.set_quotas(actor=user, dossier=dossier, lines=lines)
    return services.update_dossier(actor=user, dossier=dossier, parts_done=[p.key for p in parts.applicable(dossier)])


def _target_list(county, name: str, start: dt.date, end: dt.date) -> TargetList:
    target_list = TargetList.objects.create(name=name, region=county, region_code=county.code, period_start=start,
                                            period_end=end, floor_wan_mu=Decimal("1"), stretch_wan_mu=Decimal("2"))
    townships = county.children.filter(retired_in__isnull=True).order_by("code")
    for row, township in enumerate(townships, start=1):
        Target.objects.create(target_list=target_list, row=row, region=township, region_code=township.code,
                              task_cases=1, task_wan_mu=Decimal("0.01"), total_cases=1, total_wan_mu=Decimal("0.01"))
    return target_list


def _done(user, target_list: TargetList) -> tuple[int, float, int]:
    progress = project_selectors.target_progress(scope_for(user), target_list)
    totals = project_selectors.list_totals(target_list, progress)
    return totals.done_cases, totals.done_wan_mu, sum(p.key_cases for p in progress)


def test_target_progress_counts_dossiers_approved_inside_the_period_only(county_admin, county, client):
    with clock.frozen(dt.datetime(2025, 11, 3, 9)):
        _ledgers(county, 2025)
        first_half = _target_list(county, "上半年清单", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
        second_half = _target_list(county, "下半年清单", dt.date(2025, 7, 1), dt.date(2025, 12, 31))
        project = project_services.create_project(
            actor=county_admin, name="省重点保障项目", level=Project.Level.PROVINCIAL,
            region=Region.objects.get(code="371525001", retired_in__isnull=True))
        dossier = services.create_dossier(actor=county_admin, name="目标测试批次", kind=Dossier.Kind.BATCH, year=2025,
                                          boundary=exact_square(free_land(COUNTY, agricultural=True), 30_000, after=7),
                                          source=Dossier.BoundarySource.DRAWN, projects=[project])
        _ready(dossier, county_admin, 2025)
        services.submit(actor=county_admin, dossier=dossier, on=dt.date(2025, 6, 20))
        assert _done(county_admin, second_half) == (0, 0.0, 0)  # submitted is not approved
        services.approve(actor=county_admin, dossier=dossier, approval_no="鲁政土字〔2025〕88号",
                         approved_on=dt.date(2025, 8, 15))
        area = wan_mu(dossier.total_m2)
        cases, done, key_cases = _done(county_admin, second_half)
        assert cases >= 1 and key_cases == cases and done == pytest.approx(area, abs=0.0002)
        assert _done(county_admin, first_half) == (0, 0.0, 0)  # approved after the period
        # The page, its xlsx twin and the API show the same figure (one computation).
        client.force_login(county_admin)
        page = client.get(reverse("projects:target-detail", args=[second_half.pk]))
        assert page.status_code == 200 and "报批卷宗批复" in page.content.decode()
        api = client.get(reverse("api:targetlist-detail", args=[second_half.pk])).json()
        assert api["totals"]["done_wan_mu"] == done and api["totals"]["done_cases"] == cases
        assert api["totals"]["floor_gap_wan_mu"] == round(1 - done, 4)
        before = client.get(reverse("api:targetlist-detail", args=[first_half.pk])).json()
        assert before["totals"]["done_wan_mu"] == 0


def _paddy_square(after: int = 0) -> shapely.Geometry:
    """A square on free 水田 (0101) of the demo county's official survey layer (a 单独选址 may lie outside the
    城镇开发边界)."""
    layer = Layer.objects.get(region_code=COUNTY, kind=LayerKind.DLTB, is_official=True)
    geoms = Feature.objects.filter(version__layer=layer, version__is_current=True, code="0101").values_list(
        "geom", flat=True)
    paddy = shapely.union_all(shapely.from_wkb([bytes(g.wkb) for g in geoms]))
    land = shapely.intersection(free_land(COUNTY, inside=None), paddy)  # 水田 is rare: anywhere in the county
    return exact_square(land, 1_500, after=after)


@pytest.mark.parametrize(("day", "paddy_required", "basis"), [
    (dt.date(2024, 12, 31), True, "国土资规〔2017〕13号"),
    (dt.date(2025, 1, 2), False, "自然资发〔2024〕204号"),
])
def test_the_balance_check_requires_the_kinds_of_the_dossiers_date(county_admin, county, day, paddy_required,
                                                                     basis):
    with clock.frozen(dt.datetime.combine(day, dt.time(9))):
        _ledgers(county, day.year)
        dossier = services.create_dossier(actor=county_admin, name=f"占补测试{day.year}",
                                          kind=Dossier.Kind.SEPARATE_SITE,
                                          year=day.year, boundary=_paddy_square(), source=Dossier.BoundarySource.DRAWN)
        assert dossier.paddy_m2 > 100
        _ready(dossier, county_admin, day.year, paddy=False)  # 数量 and 产能, no 水田规模 line
        (check,) = [c for c in selectors.checklist(scope_for(county_admin), dossier).items if c.key == "balance"]
        assert basis in check.detail and day.isoformat() in check.detail
        assert ("水田规模指标" in check.detail.split("须扣减")[1]) == paddy_required
        assert check.state == ("fail" if paddy_required else "ok")
        if paddy_required:
            assert "尚未落实：水田规模指标" in check.detail
        _ready(dossier, county_admin, day.year, paddy=True)
        (check,) = [c for c in selectors.checklist(scope_for(county_admin), dossier).items if c.key == "balance"]
        assert check.state == "ok"
        dossier = services.submit(actor=county_admin, dossier=dossier)
        (check,) = [c for c in selectors.checklist(scope_for(county_admin), dossier).items if c.key == "balance"]
        assert day.isoformat() in check.detail  # a submitted dossier keeps the rule of its submission date


def test_capacity_is_required_in_both_periods(county_admin, county):
    with clock.frozen(dt.datetime(2025, 3, 3, 9)):
        _ledgers(county, 2025)
        dossier = services.create_dossier(actor=county_admin, name="产能测试", kind=Dossier.Kind.BATCH, year=2025,
                                          boundary=exact_square(free_land(COUNTY, agricultural=True), 20_000, after=9),
                                          source=Dossier.BoundarySource.DRAWN)
        assert dossier.farmland_m2 > 0
        services.set_quotas(actor=county_admin, dossier=dossier, lines=[
            (Kind.PLAN, 2025, _mu4(dossier.new_construction_m2)), (Kind.OFFSET_AREA, 2025, _mu4(dossier.farmland_m2))])
        (check,) = [c for c in selectors.checklist(scope_for(county_admin), dossier).items if c.key == "balance"]
        assert check.state == "fail" and "尚未落实：粮食产能指标" in check.detail


def test_expropriation_figures_are_prefilled_from_the_collective_land(county_admin, client):
    dossier = services.create_dossier(actor=county_admin, name="征收预填", kind=Dossier.Kind.BATCH,
                                      year=clock.today().year,
                                      boundary=exact_square(free_land(COUNTY, agricultural=True), 25_000, after=11),
                                      source=Dossier.BoundarySource.DRAWN)
    collective = selectors.collective_land(scope_for(county_admin), dossier)
    assert collective.area_m2 == pytest.approx(dossier.collective_m2, abs=0.01) and collective.area_m2 > 0
    assert collective.farmland_m2 is not None and collective.farmland_m2 <= dossier.farmland_m2 + 0.01
    client.force_login(county_admin)
    page = client.get(reverse("approvals:edit", args=[dossier.pk])).content.decode()
    ha = f"{round(Decimal(collective.area_m2) / 10_000, 4)}"
    assert f'value="{ha}"' in page and "QSXZ 30–34、40" in page and "已预填，可修改" in page
    detail = client.get(reverse("approvals:detail", args=[dossier.pk])).content.decode()
    assert "集体土地（引擎测算）" in detail and "编辑卷宗时按下方集体土地面积预填" in detail
    # The user overwrites the figure; the form then offers the measured one for comparison, not as the value.
    dossier = services.update_dossier(actor=county_admin, dossier=Dossier.objects.get(pk=dossier.pk),
                                      expropriation_m2=1_000.0, expropriation_farmland_m2=500.0)
    page = client.get(reverse("approvals:edit", args=[dossier.pk])).content.decode()
    assert 'value="0.1000"' in page and "可与已填写的数值对照" in page
