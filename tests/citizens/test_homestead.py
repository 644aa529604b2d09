"""宅基地 资格权 and applications: a right recognised once per person by ID number (kept as a keyed hash and a cipher,
shown masked); an application discussed by the collective, publicly noticed and approved by the township only after
the notice, using the right; 一户一宅 refusing a second application of the household and any application on a used
right; the province's area cap by land type and the right's own area refused naming the figure; the register's list
and xlsx."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from citizens.helpers import make_id
from landguard.citizens import homestead
from landguard.citizens.models import HomesteadApplication, HomesteadRight, Matter
from landguard.core import clock
from landguard.regions.models import Level, Region

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 11)


@pytest.fixture
def village():
    return Region.objects.filter(code__startswith="371525001", level=Level.VILLAGE,
                                 retired_in__isnull=True).order_by("code").first()


def _right(actor, village, seq, household="王家", area="150"):
    return homestead.recognise_right(actor=actor, region=village, id_number=make_id(born="19800808", seq=seq),
                                     name=f"王{seq}", collective=f"{village.name}股份经济合作社", household=household,
                                     recognised_on=DAY, area_m2=Decimal(area))


def _at(day: dt.date):
    return clock.frozen(dt.datetime.combine(day, dt.time(10)))


def test_an_application_goes_through_discussion_and_notice_to_approval_and_uses_the_right(county_admin, village):
    right = _right(county_admin, village, 601)
    number = make_id(born="19800808", seq=601)
    assert number not in right.person.id_masked and "*" in right.person.id_masked
    assert number not in right.person.id_cipher and number not in right.person.id_lookup
    with _at(DAY):
        matter = homestead.apply(actor=county_admin, right=right, land_type="other", area_m2=Decimal("130"),
                                 location="村东空地")
        homestead.discuss_and_notice(actor=county_admin, matter=matter, discussed_on=DAY)
        with pytest.raises(ValidationError, match="公示期满"):
            homestead.decide(actor=county_admin, matter=matter, approve=True, decision="同意")
    with _at(DAY + dt.timedelta(days=7)):
        homestead.decide(actor=county_admin, matter=matter, approve=True, decision="同意，按规划建设")
    matter.refresh_from_db()
    assert matter.status == Matter.Status.DONE and matter.homestead.stage == HomesteadApplication.Stage.APPROVED
    assert HomesteadRight.objects.get(pk=right.pk).status == HomesteadRight.Status.USED
    with pytest.raises(ValidationError, match="一户一宅"):
        homestead.apply(actor=county_admin, right=HomesteadRight.objects.get(pk=right.pk), land_type="other",
                        area_m2=Decimal("100"), location="另一处")


def test_one_household_one_homestead_refuses_a_second_member_of_an_approved_household(county_admin, village):
    first, second = _right(county_admin, village, 602, household="李家"), _right(county_admin, village, 603,
                                                                                 household="李家")
    with _at(DAY):
        matter = homestead.apply(actor=county_admin, right=first, land_type="other", area_m2=Decimal("120"),
                                 location="村西")
        homestead.discuss_and_notice(actor=county_admin, matter=matter, discussed_on=DAY)
    with _at(DAY + dt.timedelta(days=8)):
        homestead.decide(actor=county_admin, matter=matter, approve=True, decision="同意")
        with pytest.raises(ValidationError, match="村西"):
            homestead.apply(actor=county_admin, right=second, land_type="other", area_m2=Decimal("100"),
                            location="村北")


def test_the_area_caps_and_a_second_right_for_one_person_are_refused_naming_the_figure(county_admin, village):
    right = _right(county_admin, village, 604, area="150")
    before = Matter.objects.count()
    with pytest.raises(ValidationError, match="125"):
        homestead.apply(actor=county_admin, right=right, land_type="cultivated", area_m2=Decimal("130"),
                        location="耕地上")
    with pytest.raises(ValidationError, match="150"):
        homestead.apply(actor=county_admin, right=right, land_type="mountain", area_m2=Decimal("155"),
                        location="山坡")
    with override_settings(CITIZENS_HOMESTEAD_AREA_CAPS={"cultivated": 100, "other": 100, "mountain": 100}):
        with pytest.raises(ValidationError, match="100"):
            homestead.apply(actor=county_admin, right=right, land_type="other", area_m2=Decimal("110"), location="x")
    assert Matter.objects.count() == before
    with pytest.raises(ValidationError, match="已认定"):
        _right(county_admin, village, 604)


def test_the_register_lists_masked_numbers_and_exports(county_admin, village, client_for):
    number = make_id(born="19800808", seq=605)
    client = client_for(county_admin)
    response = client.post(reverse("citizens:homestead-right-create"), {
        "region": village.code, "id_number": number, "name": "赵五", "collective": "示例合作社", "household": "赵家",
        "recognised_on": DAY.isoformat(), "area_m2": "140"})
    assert response.status_code == 302
    page = client.get(reverse("citizens:homestead-rights"), {"q": "赵家"}).content.decode()
    assert "赵五" in page and number not in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("citizens:homestead-rights-export"),
                                                {"q": "赵家"}).content)).active
    text = str([[c.value for c in r] for r in sheet.iter_rows()])
    assert "赵五" in text and number not in text


def test_a_homestead_on_farmland_waits_for_an_approved_conversion_dossier(county_admin, village, client_for):
    from landguard.approvals.models import Dossier

    right = _right(county_admin, village, 606, household="孙家")
    with _at(DAY):
        matter = homestead.apply(actor=county_admin, right=right, land_type="cultivated", area_m2=Decimal("120"),
                                 location="村南耕地")
        homestead.discuss_and_notice(actor=county_admin, matter=matter, discussed_on=DAY)
    with _at(DAY + dt.timedelta(days=8)):
        with pytest.raises(ValidationError, match="农用地转用"):
            homestead.decide(actor=county_admin, matter=matter, approve=True, decision="同意")
        dossier = Dossier.objects.filter(region_code__startswith="371525", status=Dossier.Status.APPROVED).first()
        response = client_for(county_admin).post(reverse("citizens:homestead-action", args=[matter.pk, "conversion"]),
                                                 {"dossier": dossier.pk})
        assert response.status_code == 302
        homestead.decide(actor=county_admin, matter=matter, approve=True, decision="农转用已批，同意")
    application = HomesteadApplication.objects.get(pk=matter.pk)
    assert application.stage == HomesteadApplication.Stage.APPROVED and application.conversion_id == dossier.pk
