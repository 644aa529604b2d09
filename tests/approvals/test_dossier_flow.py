"""A dossier's life through the services on the demo county's official layers (issue 12): touching 永农 names
the State Council and asks for 补划 (and blocks until a national key project records it); a clean 批次 submits
(quota reserved), is approved (quota settled, the linked project's 组卷报批 step closed, the approved area counted);
a withdrawn one releases its reservation; a second dossier over approved land is refused as double reporting; the
ledger's balance equals the sum of its rows at every step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import shapely
from django.core.exceptions import PermissionDenied, ValidationError

from landguard.approvals import selectors, services
from landguard.core import clock
from landguard.approvals.authority import Authority
from landguard.approvals.models import Dossier
from landguard.core.geodesy import SQM_PER_MU
from landguard.core.scope import scope_for
from landguard.demo.approvals import COUNTY, exact_square, free_land
from landguard.engine.kinds import ControlKind
from landguard.projects import services as project_services
from landguard.projects.models import Project, Step
from landguard.quotas import selectors as quota_selectors
from landguard.quotas import services as quota_services
from landguard.quotas.models import Kind, QuotaEntry, Source
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def county():
    return Region.objects.get(code=COUNTY, retired_in__isnull=True)


@pytest.fixture
def ledgers(county):
    for kind, amount in ((Kind.PLAN, 500), (Kind.OFFSET_AREA, 500), (Kind.OFFSET_PADDY, 500),
                         (Kind.OFFSET_CAPACITY, 1_000_000)):
        quota_services.allocate(actor=None, region=county, year=YEAR, kind=kind, amount=Decimal(amount),
                                source=Source.ISSUED, document_no="测试文号", effective_on=dt.date(YEAR, 1, 2))
    return county


def _mu4(m2: float) -> Decimal:
    return Decimal(str(round(m2 / SQM_PER_MU, 4))) + Decimal("0.0001")


def _assert_rows_add_up(county, user):
    balance = quota_selectors.balance(scope_for(user), county, YEAR, Kind.PLAN)
    rows = QuotaEntry.objects.filter(account__region=county, account__year=YEAR, account__kind=Kind.PLAN)
    assert balance.available == sum((e.amount for e in rows), Decimal(0))


def _ready(dossier: Dossier, user) -> Dossier:
    services.set_quotas(actor=user, dossier=dossier, lines=[
        (Kind.PLAN, YEAR, _mu4(dossier.new_construction_m2)), (Kind.OFFSET_AREA, YEAR, _mu4(dossier.farmland_m2)),
        (Kind.OFFSET_PADDY, YEAR, _mu4(dossier.paddy_m2)), (Kind.OFFSET_CAPACITY, YEAR, Decimal(50_000))])
    from landguard.approvals import parts

    return services.update_dossier(actor=user, dossier=dossier, parts_done=[p.key for p in parts.applicable(dossier)])


def test_touching_basic_farmland_names_the_state_council_and_asks_for_replenishment(county_admin):
    farmland = free_land(COUNTY, inside=ControlKind.BASIC_FARMLAND)
    dossier = services.create_dossier(actor=county_admin, name="永农测试批次", kind=Dossier.Kind.BATCH, year=YEAR,
                                      boundary=exact_square(farmland, 20_000), source=Dossier.BoundarySource.DRAWN)
    assert dossier.basic_farmland_m2 > 19_000
    checks = selectors.checklist(scope_for(county_admin), dossier)
    assert checks.conversion.authority == Authority.STATE_COUNCIL
    (item,) = [c for c in checks.items if c.key == "basic_farmland"]
    assert item.state == "fail" and "国务院" in item.detail and "国家重点建设项目" in item.detail
    dossier = services.update_dossier(actor=county_admin, dossier=dossier, national_key_project=True)
    (item,) = [c for c in selectors.checklist(scope_for(county_admin), dossier).items if c.key == "basic_farmland"]
    assert item.state == "fail" and "补划" in item.detail
    with pytest.raises(ValidationError, match="永久基本农田"):
        services.submit(actor=county_admin, dossier=dossier)
    dossier = services.update_dossier(actor=county_admin, dossier=dossier, replenish_area_mu=Decimal("31"),
                            replenish_grade="6等", replenish_in_database=True)
    (item,) = [c for c in selectors.checklist(scope_for(county_admin), dossier).items if c.key == "basic_farmland"]
    assert item.state == "warn" and "已落实补划" in item.detail


def test_a_clean_batch_reserves_then_settles_and_closes_the_projects_step(county_admin, ledgers):
    project = project_services.create_project(actor=county_admin, name="测试重点项目", level=Project.Level.COUNTY,
                                              region=Region.objects.get(code="371525001", retired_in__isnull=True))
    site_review = project.steps.get(order=1)  # 用地预审与选址意见书, the 组卷报批 step's predecessor
    project_services.start_step(actor=county_admin, step=site_review)
    project_services.complete_step(actor=county_admin, step=site_review)
    dossier = services.create_dossier(actor=county_admin, name="干净批次", kind=Dossier.Kind.BATCH, year=YEAR,
                                      boundary=exact_square(free_land(COUNTY, agricultural=True), 30_000, after=3),
                                      source=Dossier.BoundarySource.DRAWN, projects=[project])
    _ready(dossier, county_admin)
    before = quota_selectors.balance(scope_for(county_admin), ledgers, YEAR, Kind.PLAN).available
    services.submit(actor=county_admin, dossier=dossier)
    after = quota_selectors.balance(scope_for(county_admin), ledgers, YEAR, Kind.PLAN)
    assert after.reserved == _mu4(dossier.new_construction_m2) and after.available == before - after.reserved
    _assert_rows_add_up(ledgers, county_admin)
    dossier = services.approve(actor=county_admin, dossier=dossier, approval_no="鲁政土字〔2026〕12号",
                               approved_on=clock.today())
    assert (dossier.approval_issuer, dossier.approval_year, dossier.approval_sequence) == ("鲁政土字", 2026, 12)
    settled = quota_selectors.balance(scope_for(county_admin), ledgers, YEAR, Kind.PLAN)
    assert settled.reserved == 0 and settled.used == after.reserved
    _assert_rows_add_up(ledgers, county_admin)
    step = project.steps.get(counts_for_targets=True)
    assert step.status == Step.Status.DONE and step.actual_finish == clock.today()
    figures = {r.region_code: r for r in selectors.year_figures(scope_for(county_admin), YEAR)}
    assert figures[COUNTY].approved_m2 >= dossier.total_m2


def test_a_withdrawn_dossier_releases_its_reservation_and_overlap_is_refused(county_admin, ledgers):
    land = free_land(COUNTY, agricultural=True)
    first = services.create_dossier(actor=county_admin, name="先报批次", kind=Dossier.Kind.BATCH, year=YEAR,
                                    boundary=exact_square(land, 20_000, after=5), source=Dossier.BoundarySource.DRAWN)
    _ready(first, county_admin)
    services.submit(actor=county_admin, dossier=first, on=dt.date(YEAR, 1, 5))
    square = shapely.from_wkb(bytes(first.boundary.wkb))
    second = services.create_dossier(actor=county_admin, name="重叠批次", kind=Dossier.Kind.BATCH, year=YEAR,
                                     boundary=shapely.buffer(square, 0.0003, join_style="mitre"),
                                     source=Dossier.BoundarySource.DRAWN)
    (item,) = [c for c in selectors.checklist(scope_for(county_admin), second).items if c.key == "approved"]
    assert item.state == "fail" and "先报批次" in item.detail
    services.withdraw(actor=county_admin, dossier=first, note="项目取消")
    balance = quota_selectors.balance(scope_for(county_admin), ledgers, YEAR, Kind.PLAN)
    assert balance.reserved == 0 and balance.released > 0
    _assert_rows_add_up(ledgers, county_admin)
    (item,) = [c for c in selectors.checklist(scope_for(county_admin), second).items if c.key == "approved"]
    assert "先报批次" not in item.detail  # a withdrawn dossier holds no land
    assert [h.to_status for h in selectors.history(first)] == [Dossier.Status.DRAFT, Dossier.Status.SUBMITTED,
                                                                Dossier.Status.WITHDRAWN]


def test_a_submission_that_would_overdraw_the_quota_is_refused_and_writes_nothing(county_admin, ledgers):
    dossier = services.create_dossier(actor=county_admin, name="超额批次", kind=Dossier.Kind.BATCH, year=YEAR,
                                      boundary=exact_square(free_land(COUNTY, agricultural=True), 20_000, after=1),
                                      source=Dossier.BoundarySource.DRAWN)
    _ready(dossier, county_admin)
    available = quota_selectors.balance(scope_for(county_admin), ledgers, YEAR, Kind.PLAN).available
    lines = [(q.kind, q.year, available + 1 if q.kind == Kind.PLAN else q.amount) for q in dossier.quotas.all()]
    services.set_quotas(actor=county_admin, dossier=dossier, lines=lines)
    with pytest.raises(ValidationError, match="指标"):
        services.submit(actor=county_admin, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DRAFT and not dossier.history.exclude(from_status="").exists()
    assert quota_selectors.balance(scope_for(county_admin), ledgers, YEAR, Kind.PLAN).reserved == 0


def test_a_viewer_cannot_move_a_dossier_and_another_county_cannot_see_it(county_admin, other_county_user):
    dossier = selectors.dossiers(scope_for(county_admin)).filter(status=Dossier.Status.APPROVED).first()
    assert not selectors.dossiers(scope_for(other_county_user)).filter(pk=dossier.pk).exists()
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=other_county_user, dossier=dossier, note="越权")
