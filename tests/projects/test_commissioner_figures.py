"""The land service commissioner's figures (冠县: "191.38 亩 of quota; 6 expropriations, 5 approved, 298.16 亩; 12
transfers, 821.66 亩; 7 registrations") come out of the links from dossiers, supplies and registrations to the
requests, never typed in: each figure equals an independent count over the linked rows, a new link moves it, the
request's page lists what it led to, the xlsx carries the same numbers, and a viewer counts only their scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from citizens.helpers import make_id
from landguard.approvals.models import Dossier, DossierQuota
from landguard.citizens import services as citizen_services
from landguard.citizens.models import Matter, Registration
from landguard.core import clock
from landguard.core.geodesy import SQM_PER_MU
from landguard.core.scope import scope_for
from landguard.people.models import User
from landguard.projects import selectors
from landguard.projects import services as project_services
from landguard.projects.models import ServiceRequest
from landguard.regions.models import Region
from landguard.supply.models import SupplyRecord
from supply.helpers import approved_dossier, square_in, transfer

pytestmark = pytest.mark.django_db
COMMISSIONER = "guanxian_staff"


def _row(user, username: str = COMMISSIONER) -> selectors.CommissionerFigures:
    return next(r for r in selectors.commissioner_figures(scope_for(user))
                if r.commissioner is not None and r.commissioner.username == username)


def _tallies(row: selectors.CommissionerFigures) -> dict[str, object]:
    return {work.key: tally for work, tally in row.tallies}


def _independent(username: str = COMMISSIONER) -> dict[str, tuple]:
    """The same figures counted straight from the linked rows, without the selectors."""
    mine = ServiceRequest.objects.filter(commissioner__username=username)
    quota_dossiers = Dossier.objects.filter(service_request__in=mine.filter(kind=ServiceRequest.Kind.QUOTA))
    other_dossiers = Dossier.objects.filter(service_request__in=mine.exclude(kind=ServiceRequest.Kind.QUOTA))
    approved = Dossier.Status.APPROVED
    quota = sum((q.amount for q in DossierQuota.objects.filter(dossier__in=quota_dossiers.filter(status=approved))
                 if q.kind in ("plan", "link_turnover", "link_surplus")), Decimal(0))
    taken_m2 = sum(d.expropriation_m2 or d.total_m2 for d in other_dossiers.filter(status=approved))
    supplies = SupplyRecord.objects.filter(service_request__in=mine)
    return {
        "approvals.quota": (quota_dossiers.count(), quota_dossiers.filter(status=approved).count(), quota),
        "approvals.expropriation": (other_dossiers.count(), other_dossiers.filter(status=approved).count(),
                                    Decimal(str(round(taken_m2 / SQM_PER_MU, 2)))),
        "supply.records": (supplies.count(), Decimal(str(round(sum(s.area_m2 for s in supplies) / SQM_PER_MU, 2)))),
        "citizens.registrations": (Matter.objects.filter(service_request__in=mine).count(),),
    }


def _as_tuple(key: str, tally) -> tuple:
    if key.startswith("approvals."):
        return (tally.count, tally.approved, tally.amount)
    if key == "supply.records":
        return (tally.count, tally.amount)
    return (tally.count,)


def test_the_demo_commissioners_figures_equal_an_independent_count_of_the_links(county_admin):
    tallies = _tallies(_row(county_admin))
    expected = _independent()
    assert {key: _as_tuple(key, tally) for key, tally in tallies.items()} == expected
    # the demo links something of every kind, so no figure is trivially zero
    assert all(value[0] > 0 for value in expected.values()), expected
    assert expected["approvals.quota"][2] > 0 and expected["supply.records"][1] > 0


def test_a_new_supply_and_a_new_registration_under_a_request_move_the_figures_and_show_on_its_page(
        county_admin, client_for):
    request = project_services.create_service_request(
        actor=county_admin, enterprise="冠县测试企业", kind=ServiceRequest.Kind.TRANSFER, request="出让与登记同步",
        commissioner=User.objects.get(username=COMMISSIONER), received_on=clock.today(),
        region=Region.objects.get(code="371525", retired_in__isnull=True))
    before = _tallies(_row(county_admin))
    parcel = transfer(square_in(approved_dossier(1)), "GX-LINK-01", actor=county_admin, service_request=request)
    client = client_for(county_admin)
    response = client.post(reverse("citizens:create"), {
        "region": "371525001", "reg_kind": Registration.RegKind.FIRST, "unit_no": "371525001001GB00001F00010009",
        "holder_id": make_id(seq=91), "holder_name": "测试企业", "channel": Matter.Channel.WINDOW,
        "service_request": str(request.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]

    after = _tallies(_row(county_admin))
    assert after["supply.records"].count == before["supply.records"].count + 1
    added_mu = Decimal(str(round(parcel.area_m2 / SQM_PER_MU, 2)))
    assert abs(after["supply.records"].amount - before["supply.records"].amount - added_mu) <= Decimal("0.01")
    assert after["citizens.registrations"].count == before["citizens.registrations"].count + 1
    assert {key: _as_tuple(key, tally) for key, tally in after.items()} == _independent()

    page = client.get(reverse("projects:request-detail", args=[request.pk])).content.decode()
    assert "GX-LINK-01" in page and reverse("supply:detail", args=[parcel.pk]) in page
    registration = Matter.objects.get(service_request=request)
    assert reverse("citizens:detail", args=[registration.pk]) in page


def test_the_figures_page_and_its_xlsx_carry_the_same_numbers(county_admin, client_for):
    client = client_for(county_admin)
    page = client.get(reverse("projects:commissioners"))
    assert page.status_code == 200
    html = page.content.decode()
    row = _row(county_admin)
    assert str(row.commissioner) in html and "用地指标" in html and "统计口径" in html
    tallies = _tallies(row)
    assert f"{tallies['approvals.quota'].amount:,.2f}" in html

    export = client.get(reverse("projects:commissioners-export"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = rows[1]  # under the title: 序号, then the columns
    mine = next(r for r in rows if r[1] == str(row.commissioner))
    values = dict(zip(header, mine, strict=False))
    assert values["诉求（件）"] == row.requests
    assert values["土地供应（出让/划拨）（宗）"] == tallies["supply.records"].count
    assert values["供地面积（亩）"] == pytest.approx(float(tallies["supply.records"].amount))
    assert values["已落实指标（亩）"] == pytest.approx(float(tallies["approvals.quota"].amount))
    assert values["不动产登记（件）"] == tallies["citizens.registrations"].count


def test_a_township_officer_counts_only_the_requests_and_links_of_the_township(township_officer, client_for):
    rows = selectors.commissioner_figures(scope_for(township_officer))
    visible = ServiceRequest.objects.filter(pk__in=selectors.service_requests(scope_for(township_officer)).values("pk"))
    assert sum(r.requests for r in rows if r.commissioner is not None) == visible.count()
    html = client_for(township_officer).get(reverse("projects:commissioners")).content.decode()
    assert "冠县经济开发区管委会" not in html  # the county's own requests are outside a township's scope
    for row in rows:
        for work, tally in row.tallies:
            if work.key == "approvals.expropriation":
                assert tally.count <= Dossier.objects.filter(region_code__startswith="371525001",
                                                             service_request__isnull=False).count()


def test_a_registration_cannot_be_filed_under_a_request_outside_the_scope(township_officer):
    county_request = ServiceRequest.objects.filter(region_code="371525").first()
    assert county_request is not None
    with pytest.raises(PermissionDenied):
        citizen_services.create_registration(
            actor=township_officer, region=Region.objects.get(code="371525001", retired_in__isnull=True),
            reg_kind=Registration.RegKind.FIRST, unit_no="371525001001GB00001F00010010",
            holders=[(make_id(seq=92), "测试")], service_request=county_request)
    assert not Matter.objects.filter(registration__unit_no="371525001001GB00001F00010010").exists()
