"""土地征收成片开发方案 (issue 12 item 5) on the demo county's official layers, through the services, pages and API:
each check's threshold exactly (公益性 40 %, consent 2/3, the term, two missed years running), the spatial rules
(inside the 城镇开发边界, no 永农), the demo 方案's published-figure gap, the status table and its history, the
region scope, and the list's xlsx columns."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from landguard.approvals import plan_selectors as selectors, plan_services as services, plans
from landguard.approvals.models import DevelopmentPlan, Dossier
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.demo.approvals import COUNTY, exact_square, free_land
from landguard.engine.kinds import ControlKind

pytestmark = pytest.mark.django_db
YEAR = clock.today().year
UNIONS: dict = {}  # the county's layer unions: the layers do not change between these tests


def _plan(user, *, land=None, area_m2: float = 250_000, after: int = 0, name: str = "测试成片开发方案",
          **values) -> DevelopmentPlan:
    land = free_land(COUNTY, cache=UNIONS) if land is None else land
    return services.create_plan(actor=user, name=name, year=values.pop("year", YEAR),
                                boundary=exact_square(land, area_m2, after=after),
                                source=Dossier.BoundarySource.DRAWN, **values)


def _check(user, plan: DevelopmentPlan, key: str) -> plans.PlanCheck:
    plan = selectors.get_plan(scope_for(user), plan.pk)
    (item,) = [c for c in selectors.checklist(scope_for(user), plan).items if c.key == key]
    return item


def _ready(user, **values) -> DevelopmentPlan:
    """A plan every hard check accepts: 40 % 公益性, 2/3 consent, a two-year implementation plan."""
    plan = _plan(user, public_road_ha=Decimal("6"), public_green_ha=Decimal("4"), consent_yes=40, consent_total=60,
                 expropriation_ha=Decimal("25"), use_industrial_ha=Decimal("15"), **values)
    return services.set_years(actor=user, plan=plan, rows=[(YEAR, Decimal("10"), 3, None, None),
                                                           (YEAR + 1, Decimal("15"), 4, None, None)])


def test_public_share_at_exactly_40_percent_passes_just_below_fails_and_the_setting_moves_it(county_admin):
    plan = _plan(county_admin, public_road_ha=Decimal("10.0000"))
    assert plans.measured_ha(plan) == Decimal("25.0000")
    item = _check(county_admin, plan, "public_share")
    assert item.state == "ok" and "40.00%" in item.detail and "公益性用地 ÷ 片区总面积" in item.formula
    plan = services.update_plan(actor=county_admin, plan=plan, public_road_ha=Decimal("9.9999"))
    item = _check(county_admin, plan, "public_share")
    assert item.state == "fail" and "39.99%" in item.detail and "低于 40%" in item.detail
    with pytest.raises(ValidationError, match="公益性用地比例"):
        services.submit(actor=county_admin, plan=plan)
    with override_settings(PLANS_PUBLIC_SHARE_MIN_PERCENT=30):
        assert _check(county_admin, plan, "public_share").state == "ok"
    with override_settings(PLANS_PUBLIC_SHARE_MIN_PERCENT=Decimal("39.9996")):
        assert _check(county_admin, plan, "public_share").state == "ok"


def test_a_plan_outside_the_development_boundary_fails_the_inside_check(county_admin):
    outside = free_land(COUNTY, inside=None, outside_dev=True, cache=UNIONS)
    plan = _plan(county_admin, land=outside)
    item = _check(county_admin, plan, "inside_town")
    assert item.state == "fail" and "城镇开发边界外" in item.detail and "第四十五条" in item.rule
    assert item.to_confirm  # the 城镇开发边界 stands for the 城镇建设用地范围: an assumption, said so
    inside = _check(county_admin, _plan(county_admin, name="边界内方案"), "inside_town")
    assert inside.state == "ok"


def test_touching_basic_farmland_fails(county_admin):
    farmland = free_land(COUNTY, inside=ControlKind.BASIC_FARMLAND, cache=UNIONS)
    item = _check(county_admin, _plan(county_admin, land=farmland, area_m2=20_000), "protected")
    assert item.state == "fail" and "占用永久基本农田" in item.detail
    clean = _check(county_admin, _plan(county_admin, name="避让永农方案"), "protected")
    assert clean.state == "ok"


def test_consent_of_exactly_two_thirds_passes_and_below_fails(county_admin):
    plan = _plan(county_admin, consent_body=DevelopmentPlan.ConsentBody.REPRESENTATIVES, consent_yes=40,
                 consent_total=60)
    item = _check(county_admin, plan, "consent")
    assert item.state == "ok" and item.to_confirm and "村民代表会议同意 40 人" in item.detail
    plan = services.update_plan(actor=county_admin, plan=plan, consent_yes=39)
    assert _check(county_admin, plan, "consent").state == "fail"
    with override_settings(PLANS_CONSENT_HARD=False):
        assert _check(county_admin, plan, "consent").state == "warn"
    with override_settings(PLANS_CONSENT_SHARE="1/2"):
        assert _check(county_admin, plan, "consent").state == "ok"
    with pytest.raises(ValidationError):
        services.update_plan(actor=county_admin, plan=plan, consent_yes=61)


def _approved_earlier(user, rows, name: str) -> DevelopmentPlan:
    plan = _plan(user, name=name, year=YEAR - 4)
    services.set_years(actor=user, plan=plan, rows=rows)
    return services.record_earlier_approval(actor=user, plan=plan, approved_on=dt.date(YEAR - 4, 3, 1),
                                            approved_by="山东省人民政府")


def test_two_consecutive_missed_years_of_an_earlier_plan_block_a_new_one(county_admin):
    _approved_earlier(county_admin, [(YEAR - 3, Decimal(10), 2, Decimal(5), 2),
                                     (YEAR - 2, Decimal(10), 2, Decimal("9.9999"), 2),
                                     (YEAR, Decimal(10), 2, None, None)], "连续未完成方案")
    plan = _ready(county_admin)
    item = _check(county_admin, plan, "earlier_plans")
    assert item.state == "fail" and "“连续未完成方案”连续 2 年未完成" in item.detail
    assert f"{YEAR - 3} 年 50.00%" in item.detail and f"{YEAR - 2} 年 99.99%" in item.detail
    with pytest.raises(ValidationError, match="已批准方案的实施情况"):
        services.submit(actor=county_admin, plan=plan)
    with override_settings(PLANS_MISSED_YEARS=3):
        assert _check(county_admin, plan, "earlier_plans").state != "fail"


def test_one_missed_year_or_two_apart_do_not_block(county_admin):
    _approved_earlier(county_admin, [(YEAR - 3, Decimal(10), 2, Decimal(5), 2),
                                     (YEAR - 2, Decimal(10), 2, Decimal(10), 2),
                                     (YEAR - 1, Decimal(10), 2, Decimal(1), 0)], "隔年未完成方案")
    plan = _ready(county_admin)
    item = _check(county_admin, plan, "earlier_plans")
    assert item.state == "warn" and "隔年未完成方案" in item.detail
    assert services.submit(actor=county_admin, plan=plan).status == DevelopmentPlan.Status.SUBMITTED


def test_implementation_years_must_fit_the_term(county_admin):
    plan = _plan(county_admin)
    assert _check(county_admin, plan, "term").state == "fail"  # no implementation plan on a draft
    services.set_years(actor=county_admin, plan=plan, rows=[(YEAR + k, Decimal(1), 1, None, None) for k in range(5)])
    item = _check(county_admin, plan, "term")
    assert item.state == "ok" and f"{YEAR}—{YEAR + 4}" in item.detail and item.to_confirm
    services.set_years(actor=county_admin, plan=plan, rows=[(YEAR + k, Decimal(1), 1, None, None) for k in range(6)])
    assert _check(county_admin, plan, "term").state == "fail"
    with override_settings(PLANS_TERM_YEARS=6):
        assert _check(county_admin, plan, "term").state == "ok"
    services.set_years(actor=county_admin, plan=plan, rows=[(YEAR - 1, Decimal(1), 1, None, None)])
    assert _check(county_admin, plan, "term").state == "fail"


def test_the_demo_plan_shows_its_published_gap_of_3_8796_hectares(county_admin, client):
    plan = DevelopmentPlan.objects.get(region_code=COUNTY, name="冠县2021年度土地征收成片开发方案")
    assert plan.is_synthetic and plan.status == DevelopmentPlan.Status.APPROVED
    assert (plan.approved_on, plan.approved_by) == (dt.date(2021, 8, 9), "山东省人民政府")
    assert plans.measured_ha(plan) == Decimal("162.1298") and plan.planned_project_count == 30
    (year,) = plan.years.all()
    assert (year.year, year.planned_projects, year.actual_projects, year.actual_ha) == (2021, 19, 19,
                                                                                       Decimal("92.3996"))
    item = _check(county_admin, plan, "figures")
    assert item.state == "warn"
    assert "用途合计 158.2502 公顷，比拟征收总面积 162.1298 公顷少 3.8796 公顷" in item.detail
    assert _check(county_admin, plan, "inside_town").state == "ok"
    assert _check(county_admin, plan, "protected").state == "ok"
    client.force_login(county_admin)
    page = client.get(reverse("approvals:plan-detail", args=[plan.pk])).content.decode()
    assert "比拟征收总面积 162.1298 公顷少 3.8796 公顷" in page and "待确认" in page and "100.00%" in page


def test_status_moves_only_by_the_table_and_each_change_is_kept(county_admin):
    plan = _ready(county_admin)
    with pytest.raises(ValidationError):
        services.approve(actor=county_admin, plan=plan, approval_no="鲁政字〔2026〕1号", approved_on=clock.today())
    plan = services.submit(actor=county_admin, plan=plan)
    with pytest.raises(ValidationError):
        services.update_plan(actor=county_admin, plan=plan, name="改名")
    plan = services.approve(actor=county_admin, plan=plan, approval_no="鲁政字〔2026〕1号", approved_on=clock.today(),
                            approved_by="山东省人民政府")
    with pytest.raises(ValidationError):
        services.refuse(actor=county_admin, plan=plan, note="已批准后不能再不予批准")
    history = [(h.from_status, h.to_status) for h in selectors.history(plan)]
    assert history == [("", "draft"), ("draft", "submitted"), ("submitted", "approved")]
    # Once approved only the actual figures are recorded; the schedule itself is fixed.
    services.set_years(actor=county_admin, plan=plan, rows=[(YEAR, Decimal(10), 3, Decimal(8), 2),
                                                            (YEAR + 1, Decimal(15), 4, None, None)])
    assert plan.years.get(year=YEAR).actual_ha == Decimal(8)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.set_years(actor=county_admin, plan=plan, rows=[(YEAR, Decimal(11), 3, None, None),
                                                                (YEAR + 1, Decimal(15), 4, None, None)])
    other = services.submit(actor=county_admin, plan=_ready(county_admin, name="不予批准方案"))
    with pytest.raises(ValidationError):
        services.refuse(actor=county_admin, plan=other, note="")
    other = services.refuse(actor=county_admin, plan=other, note="公益性用地论证不足")
    assert other.status == DevelopmentPlan.Status.REFUSED
    assert selectors.history(other).last().note == "公益性用地论证不足"


def test_another_county_cannot_see_or_act_on_a_plan(county_admin, other_county_user, client):
    plan = _ready(county_admin)
    client.force_login(other_county_user)
    for name in ("plan-detail", "plan-edit", "plan-years", "plan-boundary", "plan-geojson"):
        assert client.get(reverse(f"approvals:{name}", args=[plan.pk])).status_code == 404
    assert client.post(reverse("approvals:plan-submit", args=[plan.pk])).status_code == 404
    assert plan.name not in client.get(reverse("approvals:plans")).content.decode()
    assert client.get(f"/api/approvals/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/api/approvals/plans/{plan.pk}/submit/", {}, content_type="application/json"
                       ).status_code == 404
    assert all(p["id"] != plan.pk for p in client.get("/api/approvals/plans/").json()["results"])
    with pytest.raises(PermissionDenied):
        services.submit(actor=other_county_user, plan=plan)
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == DevelopmentPlan.Status.DRAFT


def test_the_owner_works_a_plan_through_the_pages_and_the_api(county_admin, client):
    plan = _ready(county_admin)
    client.force_login(county_admin)
    for name in ("plan-detail", "plan-edit", "plan-years", "plan-boundary"):
        assert client.get(reverse(f"approvals:{name}", args=[plan.pk])).status_code == 200, name
    assert client.get(reverse("approvals:plan-create")).status_code == 200
    listed = client.get(reverse("approvals:plans"), {"year": YEAR, "q": "测试"}).content.decode()
    assert plan.name in listed
    checks = client.get(f"/api/approvals/plans/{plan.pk}/checklist/").json()
    assert not checks["blocking"] and {c["key"] for c in checks["items"]} >= {"public_share", "consent", "term"}
    answer = client.post(f"/api/approvals/plans/{plan.pk}/submit/", {}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "submitted"
    page = client.post(reverse("approvals:plan-approve", args=[plan.pk]),
                       {"approval_no": "鲁政字〔2026〕9号", "approved_on": clock.today().isoformat(),
                        "approved_by": "山东省人民政府"})
    assert page.status_code == 302
    detail = client.get(f"/api/approvals/plans/{plan.pk}/").json()
    assert detail["status"] == "approved" and [h["to_status"] for h in detail["history"]][-1] == "approved"
    filtered = client.get("/api/approvals/plans/", {"status": "approved", "year": 2021}).json()["results"]
    assert [p["name"] for p in filtered] == ["冠县2021年度土地征收成片开发方案"]


def test_the_list_exports_its_columns_to_xlsx(county_admin, client):
    client.force_login(county_admin)
    response = client.get(reverse("approvals:plans-export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    (header_at,) = [i for i, row in enumerate(rows) if "方案名称" in row]
    header = [c for c in rows[header_at] if c]
    assert header[header.index("方案名称"):] == [
        "方案名称", "方案编号", "方案年度", "行政区", "片区总面积（公顷）", "公益性用地（公顷）", "拟征收面积（公顷）",
        "计划项目数", "状态", "批准机关", "批复文号", "批复日期", "合成演示数据"]
    demo = [r for r in rows if "冠县2021年度土地征收成片开发方案" in r]
    assert demo and 162.1298 in demo[0] and "山东省人民政府" in demo[0]


def test_the_implementation_plan_form_saves_its_rows(county_admin, client):
    plan = _plan(county_admin)
    client.force_login(county_admin)
    data = {"years-TOTAL_FORMS": "3", "years-INITIAL_FORMS": "0", "years-MIN_NUM_FORMS": "0",
            "years-MAX_NUM_FORMS": "1000",
            "years-0-year": str(YEAR), "years-0-planned_ha": "12.3456", "years-0-planned_projects": "4",
            "years-1-year": str(YEAR + 1), "years-1-planned_ha": "7", "years-1-planned_projects": "2",
            "years-1-actual_ha": "", "years-1-actual_projects": ""}
    response = client.post(reverse("approvals:plan-years", args=[plan.pk]), data)
    assert response.status_code == 302
    assert [(y.year, y.planned_ha, y.planned_projects) for y in plan.years.order_by("year")] == [
        (YEAR, Decimal("12.3456"), 4), (YEAR + 1, Decimal("7"), 2)]
    page = client.get(reverse("approvals:plan-detail", args=[plan.pk])).content.decode()
    assert "12.3456" in page and "实施中" in page
