"""The supply pages as the county admin uses them: record a supply from a drawn parcel (its 批而未供 shrinks by the
parcel's area on the 供地率 page), a refusal shown on the form naming the parcel (400, nothing written), a payment
and a hand-over recorded, the 两清 board after the sweep with the item's page and its procedure step, and every
table's xlsx twin."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import shapely
from django.urls import reverse
from openpyxl import load_workbook

from landguard.core import clock
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.supply import rates, sweep
from landguard.supply.models import SupplyRecord, TwoClearItem
from landguard.core.scope import EVERYTHING
from supply.helpers import approved_dossier, square_in

pytestmark = pytest.mark.django_db


def _form(parcel_no: str, geometry: shapely.Geometry, **more: str) -> dict[str, str]:
    values = {"parcel_no": parcel_no, "supervision_no": "3715252024B00001", "kind": "transfer", "method": "listing",
              "use": "industrial", "term_years": "50", "contract_no": f"冠出让合同〔2024〕{parcel_no}号",
              "land_user": "冠县新材料有限公司", "price_wan_yuan": "1000", "signed_on": "2024-03-01",
              "agreed_delivery_on": "2024-04-01", "agreed_start_on": "2024-06-01", "agreed_completion_on": "2026-06-01",
              "plan": "2024-03-20 500\n2024-12-01 500", "boundary_drawn": shapely.to_geojson(geometry)}
    values.update(more)
    return values


def _remainder(dossier) -> float:
    return next(r.remainder_m2 for r in rates.dossier_supply(rates.approved_dossiers(EVERYTHING).filter(pk=dossier.pk)))


def test_supply_recorded_on_the_page_shrinks_the_remainder_and_raises_board_items(client_for, county_admin):
    client = client_for(county_admin)
    dossier = approved_dossier()
    land = square_in(dossier)
    before = _remainder(dossier)
    refused = client.post(reverse("supply:create"), _form("P-REF", land, use="residential", term_years="80"))
    assert refused.status_code == 400 and "P-REF" in refused.content.decode()
    response = client.post(reverse("supply:create"), _form("P-1", land))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = SupplyRecord.objects.get(parcel_no="P-1")
    assert before - _remainder(dossier) == pytest.approx(float(ellipsoidal_area_m2(land)[0]), abs=0.01)
    page = client.get(reverse("supply:detail", args=[record.pk])).content.decode()
    assert "P-1" in page and "冠县新材料有限公司" in page
    assert client.get(reverse("supply:geojson", args=[record.pk])).status_code == 200
    assert client.post(reverse("supply:payment", args=[record.pk]), {
        "paid_on": "2024-03-20", "amount_wan_yuan": "500", "receipt_no": "R1"}).status_code == 302
    assert client.post(reverse("supply:milestone", args=[record.pk]), {
        "action": "deliver", "on": "2024-04-01"}).status_code == 302
    record.refresh_from_db()
    assert record.delivered_on == dt.date(2024, 4, 1) and record.payments.count() == 1
    with clock.frozen(dt.datetime(2025, 6, 5, 10, tzinfo=dt.UTC)):
        sweep.sweep()
        board = client.get(reverse("supply:board")).content.decode()
        assert "P-1" in board and "闲置满一年" in board and "欠缴出让金" in board
        item = TwoClearItem.objects.get(supply=record, kind="idle")
        page = client.get(reverse("supply:item", args=[item.pk])).content.decode()
        assert "200.00" in page  # 20 % of the 1,000 万元 price
        assert client.post(reverse("supply:item-step", args=[item.pk]), {
            "action": "notice", "on": "2025-06-05", "document_no": "闲调1号"}).status_code == 302
        item.refresh_from_db()
        assert item.status == TwoClearItem.Status.NOTICED
        assert client.get(reverse("supply:item-edit", args=[item.pk])).status_code == 200
    rate_page = client.get(reverse("supply:rates")).content.decode()
    assert "供地率 = 已供面积 ÷ 批准面积" in rate_page
    layers = json.loads(client.get(reverse("supply:layers")).content)
    assert {f["properties"]["layer"] for f in layers["features"]} >= {"remainder"}
    for name in ("supply:list-export", "supply:board-export", "supply:rates-export", "supply:tasks-export"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        load_workbook(io.BytesIO(response.content))
    assert client.get(reverse("supply:list") + "?q=P-1").status_code == 200

