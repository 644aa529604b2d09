"""The rules of the supply ledger: terms capped by use, the first instalment at least half and the rest within the
period, a parcel outside approved land or over an earlier supply refused naming it (nothing written), 划拨 needing
its legal ground, and a parcel's pieces carrying the ellipsoidal areas of its parts in each dossier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import shapely
from django.core.exceptions import ValidationError
from django.test import override_settings

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.supply.models import Instalment, SupplyRecord, SupplyWatch
from supply.helpers import approved_dossier, square_in, transfer

pytestmark = pytest.mark.django_db


def test_a_term_above_the_cap_for_its_use_is_refused_and_the_cap_itself_accepted():
    land = square_in(approved_dossier())
    with pytest.raises(ValidationError, match="居住用地出让年限最高 70 年"):
        transfer(land, "T-CAP-1", use="residential", term_years=71)
    with pytest.raises(ValidationError, match="商业旅游娱乐用地出让年限最高 40 年"):
        transfer(land, "T-CAP-2", use="commercial", term_years=50)
    assert not SupplyRecord.objects.filter(parcel_no__startswith="T-CAP").exists()
    record = transfer(land, "T-CAP-3", use="residential", term_years=70)
    assert record.term_years == 70


@override_settings(SUPPLY_TERM_CAPS={"residential": 60, "industrial": 50, "public": 50, "commercial": 40,
                                     "mixed": 50})
def test_the_caps_are_configurable():
    with pytest.raises(ValidationError, match="最高 60 年"):
        transfer(square_in(approved_dossier()), "T-CAP-4", use="residential", term_years=70)


def test_a_first_instalment_below_half_is_refused_naming_the_parcel():
    land = square_in(approved_dossier())
    plan = [(dt.date(2024, 3, 20), Decimal("400")), (dt.date(2024, 12, 1), Decimal("600"))]
    with pytest.raises(ValidationError, match="“T-INST-1”：首期 400.00 万元低于出让金的 50%"):
        transfer(land, "T-INST-1", instalments=plan)
    assert not SupplyRecord.objects.filter(parcel_no="T-INST-1").exists()


def test_instalments_beyond_the_period_or_not_adding_up_are_refused():
    land = square_in(approved_dossier())
    late = [(dt.date(2024, 3, 20), Decimal("500")), (dt.date(2025, 6, 1), Decimal("500"))]
    with pytest.raises(ValidationError, match="超出分期期限"):
        transfer(land, "T-INST-2", instalments=late)
    short = [(dt.date(2024, 3, 20), Decimal("500")), (dt.date(2024, 12, 1), Decimal("400"))]
    with pytest.raises(ValidationError, match="分期金额合计 900.00 万元"):
        transfer(land, "T-INST-3", instalments=short)


def test_an_accepted_plan_is_stored_and_watched_and_no_plan_means_sixty_days():
    dossier = approved_dossier()
    record = transfer(square_in(dossier), "T-INST-4", instalments=[
        (dt.date(2024, 3, 20), Decimal("500")), (dt.date(2025, 3, 1), Decimal("500"))])
    assert [(i.number, i.amount_wan_yuan) for i in record.instalments.all()] == [(1, Decimal("500")),
                                                                                  (2, Decimal("500"))]
    keys = set(SupplyWatch.objects.filter(supply=record).values_list("key", flat=True))
    assert {"delivery_late", "idle", "recover", "completion_late", "arrears:1", "arrears:2"} <= keys
    single = transfer(square_in(dossier, shift=0.0), "T-INST-5")
    assert list(Instalment.objects.filter(supply=single).values_list("due_on", "amount_wan_yuan")) == [
        (dt.date(2024, 4, 30), Decimal("1000.00"))]


def test_a_parcel_outside_approved_land_is_refused_naming_it():
    dossier = approved_dossier()
    land = shapely.from_wkb(bytes(dossier.boundary.wkb))
    minx, miny, maxx, maxy = land.bounds
    far = shapely.multipolygons([shapely.box(maxx + 0.01, miny, maxx + 0.011, miny + 0.001)])
    with pytest.raises(ValidationError, match="宗地“T-OUT-1”不在任何已批复的报批卷宗范围内"):
        transfer(far, "T-OUT-1")
    across = shapely.multipolygons([shapely.box(maxx - 0.0005, miny + 0.0005, maxx + 0.0005, miny + 0.0015)])
    with pytest.raises(ValidationError, match=r"宗地“T-OUT-2”有 [\d.]+ 公顷.*不在已批复用地范围内.*"
                                              + dossier.name):
        transfer(across, "T-OUT-2")
    assert not SupplyRecord.objects.filter(parcel_no__startswith="T-OUT").exists()


def test_a_parcel_over_an_earlier_supply_is_refused_naming_that_supply():
    dossier = approved_dossier()
    first = square_in(dossier)
    transfer(first, "T-OVL-1", land_user="先供公司")
    x0, y0, x1, y1 = first.bounds
    shifted = shapely.multipolygons([shapely.box(x0 + (x1 - x0) / 2, y0, x1 + (x1 - x0) / 2, y1)])
    with pytest.raises(ValidationError, match="宗地“T-OVL-2”与已供宗地重叠：“T-OVL-1”（先供公司"):
        transfer(shifted, "T-OVL-2")


def test_allocation_needs_its_legal_ground_and_has_no_term():
    land = square_in(approved_dossier())
    with pytest.raises(ValidationError, match="第五十四条"):
        transfer(land, "T-ALLOC-1", kind=SupplyRecord.Kind.ALLOCATION, method="", term_years=None,
                 price_wan_yuan=Decimal(0))
    record = transfer(land, "T-ALLOC-2", kind=SupplyRecord.Kind.ALLOCATION, method="", term_years=None,
                      price_wan_yuan=Decimal(0), ground=SupplyRecord.Ground.INFRASTRUCTURE, contract_no="划拨决定书1号")
    assert record.instalments.count() == 0


def test_pieces_carry_the_ellipsoidal_area_of_the_parcel_in_its_dossier():
    dossier = approved_dossier()
    land = square_in(dossier)
    record = transfer(land, "T-AREA-1")
    piece = record.pieces.get()
    assert piece.dossier == dossier
    assert piece.area_m2 == pytest.approx(float(ellipsoidal_area_m2(land)[0]), abs=0.01)
    assert record.area_m2 == pytest.approx(piece.area_m2, abs=0.01)
