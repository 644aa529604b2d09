"""The quota pages, exports, API and report: region-scoped, the bureau's ledger columns, the ratio formulas."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

import access_walk
from landguard.core.scope import scope_for
from landguard.people.models import User
from landguard.quotas import selectors, services
from landguard.quotas.models import Kind, QuotaAccount, QuotaEntry, Source
from landguard.quotas.tunables import ApprovedBasis, ReportedBasis

pytestmark = pytest.mark.django_db
YEAR = 2033


def _ledger(region, issued="100", reserved=(), settled=(), released=(), year=YEAR):
    services.allocate(actor=None, region=region, year=year, kind=Kind.PLAN, amount=issued, source=Source.ISSUED,
                      document_no=f"{region.name}{year}文号（测试）", effective_on=dt.date(year, 1, 1))
    for i, amount in enumerate((*reserved, *settled, *released)):
        holder = f"test.batch:{region.code}-{year}-{i}"
        services.reserve(actor=None, region=region, year=year, kind=Kind.PLAN, amount=amount, holder=holder,
                         holder_label=f"{region.name}第{i + 1}批次", holder_url=f"/approvals/{i}/")
        if amount in settled and i >= len(reserved) and i < len(reserved) + len(settled):
            services.settle(actor=None, holder=holder)
        elif i >= len(reserved) + len(settled):
            services.release(actor=None, holder=holder, reason="驳回")


def _sheet(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_demo_county_has_its_2021_quota_and_a_turnover_due_soon(county_admin):
    scope = scope_for(county_admin)
    guanxian = QuotaAccount.objects.get(region__code="371525", year=2021, kind=Kind.PLAN).region
    assert selectors.balance(scope, guanxian, 2021, Kind.PLAN).issued == Decimal("1096.996")
    assert selectors.balance(scope, guanxian, 2020, Kind.PLAN).issued == Decimal("600")
    # the demo's dossiers are all approved: every reservation they made is settled, none left open
    assert all(selectors.balance(scope, guanxian, year, kind).reserved == 0 for year in (2020, 2021) for kind in Kind)
    assert selectors.balance(scope, guanxian, 2021, Kind.PLAN).used == Decimal("1096.996")
    assert any(w.kind == "return" for w in selectors.warnings(scope))


def test_ratios_follow_the_default_formulas_and_the_configured_alternatives(guanxian, shenxian, liaocheng):
    _ledger(guanxian, "200", reserved=("20",), settled=("60",), released=("40",))
    _ledger(guanxian, "100", settled=("50",), year=YEAR - 1)
    _ledger(shenxian, "100", settled=("90",))
    city = scope_for(User.objects.get(username="liaocheng_admin"))
    rows = {r.region.code: r for r in selectors.report(city, YEAR)}
    g = rows["371525"]
    assert (g.figures.issued, g.figures.reported, g.figures.used) == (Decimal("200"), Decimal("80"), Decimal("60"))
    assert (g.figures.reported_ratio, g.figures.approved_ratio) == (40.0, 75.0)  # 80/200, 60/80
    assert (g.previous.reported_ratio, g.previous.approved_ratio) == (50.0, 100.0)
    assert g.reported_change == -10.0
    assert (rows["371522"].rank, g.rank) == (1, 2)  # 90 % before 40 % within 聊城
    assert g.city.code == "3715"
    with override_settings(QUOTAS_REPORTED_BASIS=ReportedBasis.ALL_RESERVATIONS,
                           QUOTAS_APPROVED_BASIS=ApprovedBasis.OF_ISSUED):
        g = {r.region.code: r for r in selectors.report(city, YEAR)}["371525"]
        assert (g.figures.reported_ratio, g.figures.approved_ratio) == (60.0, 30.0)  # 120/200, 60/200
        assert "已退回" in selectors.formulas()["reported_area"]


def test_the_report_page_shows_the_formulas_marked_to_confirm_and_exports_them(client_for, county_admin, guanxian):
    _ledger(guanxian, "200", settled=("50",))
    response = client_for(county_admin).get(reverse("quotas:report"), {"year": YEAR})
    text = response.content.decode()
    assert response.status_code == 200 and "上报比例 = 上报面积 ÷ 下达指标 × 100%" in text and "待确认" in text
    assert "25.0%" in text and "100.0%" in text
    rows = _sheet(client_for(county_admin).get(reverse("quotas:report-export"), {"year": YEAR}))
    assert "待确认" in rows[0][0]
    header = rows[1]
    assert header[1:4] == ["行政区", "所属市", "下达指标（亩）"] and "上报比例（%）" in header
    assert rows[2][1] == "冠县" and rows[2][3] == 200


def test_the_ledger_export_has_the_bureau_columns_and_the_states(client_for, county_admin, guanxian):
    _ledger(guanxian, "100", reserved=("10",), settled=("20",), released=("5",))
    response = client_for(county_admin).get(reverse("quotas:entries-export"), {"year": YEAR})
    rows = _sheet(response)
    header = rows[1]
    wanted = ["年度", "指标类型", "来源（下达文号/项目编号）", "数量（+/−）", "关联批次", "状态（预占/核销/退回）",
              "有效期"]
    positions = [header.index(name) for name in wanted]
    assert positions == sorted(positions)
    status = header.index("状态（预占/核销/退回）")
    amount = header.index("数量（+/−）")
    data = rows[2:]
    assert sorted(r[status] for r in data if r[status]) == ["已核销", "已退回", "核销", "退回", "预占中"]
    assert sum(r[amount] for r in data) == pytest.approx(70)
    assert data[0][header.index("来源（下达文号/项目编号）")] == "下达 冠县2033文号（测试）"


def test_the_overview_account_page_and_forms_for_a_manager(client_for, county_admin, guanxian):
    _ledger(guanxian, "100", reserved=("30",))
    client = client_for(county_admin)
    page = client.get(reverse("quotas:overview"), {"year": YEAR}).content.decode()
    assert "quotas_available" in page and "冠县" in page and "下达入账" in page
    account = QuotaAccount.objects.get(region=guanxian, year=YEAR, kind=Kind.PLAN)
    page = client.get(reverse("quotas:account", args=[account.pk])).content.decode()
    assert "冠县第1批次" in page and "70" in page and 'href="/approvals/0/"' in page
    response = client.post(reverse("quotas:allocate"), {
        "region": guanxian.pk, "year": YEAR, "kind": Kind.PLAN, "source": Source.REWARD, "amount": "12.5",
        "document_no": "鲁政字〔2033〕1号（测试）", "effective_on": "2033-05-01"})
    assert response.status_code == 302
    assert selectors.balance(scope_for(county_admin), guanxian, YEAR, Kind.PLAN).available == Decimal("82.5")
    entry = QuotaEntry.objects.get(source=Source.REWARD, account=account)
    response = client.post(reverse("quotas:correct", args=[entry.pk]), {"amount": "10", "reason": "数量有误"})
    assert response.status_code == 302
    response = client.post(reverse("quotas:correct", args=[entry.pk]), {"amount": "0", "reason": "x"})
    assert response.status_code == 302  # back to zero: 80 available, still ≥ 0
    response = client.post(reverse("quotas:transfer"), {
        "source_region": guanxian.pk, "target_region": guanxian.pk, "year": YEAR, "kind": Kind.PLAN, "amount": "1",
        "document_no": "x", "effective_on": "2033-05-01"})
    assert response.status_code == 400 and "不能相同" in response.content.decode()


def test_forms_are_refused_to_non_managers(client_for, township_officer):
    for name in ("quotas:allocate", "quotas:transfer"):
        assert client_for(township_officer).get(reverse(name)).status_code == 403


def test_the_dashboard_shows_the_quota_tile(client_for, county_admin):
    page = client_for(county_admin).get(reverse("web:dashboard")).content.decode()
    assert "指标预警" in page and "quotas_plan_available" in page and "周转指标" in page


def test_the_rules_page_marks_inferred_values_to_confirm(client_for, county_admin):
    page = client_for(county_admin).get(reverse("quotas:rules")).content.decode()
    assert "2025-01-01" in page and "自然资发〔2024〕204号" in page and page.count("待确认") >= 4


def test_the_api_lists_balances_and_managers_allocate_and_correct(client_for, county_admin, township_officer,
                                                                  guanxian):
    _ledger(guanxian, "100", reserved=("30",))
    client = client_for(county_admin)
    body = client.get("/api/quotas/accounts/", {"year": YEAR}).json()
    (row,) = body["results"]
    assert row["region_code"] == "371525" and row["balance"]["available"] == "70.0000"
    response = client.post("/api/quotas/entries/allocate/", {
        "region": "371525", "year": YEAR, "kind": "plan", "source": "issued", "amount": "5",
        "document_no": "API 文号", "effective_on": "2033-02-01"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["running"] == "75.0000"
    pk = response.json()["id"]
    response = client.post(f"/api/quotas/entries/{pk}/correct/", {"amount": "4", "reason": "核对"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["amount"] == "-1.0000"
    response = client.post("/api/quotas/entries/transfer/", {
        "source_region": "371525", "target_region": "371522", "year": YEAR, "kind": "plan", "amount": "1",
        "document_no": "x", "effective_on": "2033-02-01"}, content_type="application/json")
    assert response.status_code == 400  # 莘县 is not a region the county may name
    response = client_for(township_officer).post("/api/quotas/entries/allocate/", {}, content_type="application/json")
    assert response.status_code == 403
    report = client.get("/api/quotas/accounts/report/", {"year": YEAR}).json()
    assert report["rows"][0]["reported_ratio"] == 28.8  # 30 / (100 + 5 − 1)
    assert "上报比例" in report["formulas"]["reported_ratio"]
    assert client.get("/api/quotas/accounts/report/", {"year": "x"}).status_code == 400
    shortfall = client.post("/api/quotas/entries/" + str(pk) + "/correct/", {"amount": "1000000", "reason": "x"},
                            content_type="application/json")
    assert shortfall.status_code == 201  # raising an allocation never overdraws


def test_the_access_walk_reaches_every_quota_page_as_the_county_admin():
    report = access_walk.walk()
    assert not report.failures, str(report)
    for name in ("quotas:overview", "quotas:entries", "quotas:account", "quotas:correct", "quotas:report",
                 "quotas:rules", "quotas:allocate", "quotas:transfer", "api:quota-account-list",
                 "api:quota-entry-list", "api:quota-account-report"):
        assert (name, "county_admin") in report.ok, name
