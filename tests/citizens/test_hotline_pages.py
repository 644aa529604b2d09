"""12345 work orders as the window officer handles them on the pages: received from the form (one in 信访 filed 不予
办理 with the reason), signed, answered, a dissatisfied 回访 sending it back for 再办 and a satisfied one closing it;
a designated order offers no 退回 and refuses one posted anyway; the list filters 督办 orders after the background
loop escalated a late one, and its xlsx carries the same rows."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from landguard.citizens import hotline
from landguard.citizens.models import Matter, WorkOrder
from landguard.core import clock
from landguard.people.models import OrgUnit
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


def _unit() -> OrgUnit:
    return OrgUnit.objects.filter(region__code__startswith="371525").order_by("pk").first()


def _receive(client, no: str, **more: str):
    values = {"order_no": no, "topic": WorkOrder.Topic.INHERITANCE, "summary": f"继承过户咨询 {no}",
              "region": "371525001", "lead_unit": str(_unit().pk), **more}
    return client.post(reverse("citizens:order-create"), values)


def test_an_order_goes_from_receipt_to_a_satisfied_callback_through_a_redo(county_admin, client_for):
    client = client_for(county_admin)
    response = _receive(client, "GX12345-P01")
    assert response.status_code == 302
    matter = Matter.objects.get(work_order__order_no="GX12345-P01")
    url = reverse("citizens:order-detail", args=[matter.pk])
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert reverse("citizens:order-action", args=[matter.pk, "sign"]) in page and "申请退回" in page

    client.post(reverse("citizens:order-action", args=[matter.pk, "sign"]))
    client.post(reverse("citizens:order-action", args=[matter.pk, "answer"]), {"text": "已告知继承登记所需材料"})
    client.post(reverse("citizens:order-action", args=[matter.pk, "callback"]), {"satisfaction": "dissatisfied",
                                                                      "note": "希望上门指导"})
    matter.refresh_from_db()
    assert matter.status == Matter.Status.ACCEPTED and matter.work_order.redo_count == 1
    client.post(reverse("citizens:order-action", args=[matter.pk, "answer"]), {"text": "已上门指导"})
    client.post(reverse("citizens:order-action", args=[matter.pk, "callback"]), {"satisfaction": "satisfied"})
    matter.refresh_from_db()
    assert matter.status == Matter.Status.DONE and matter.closed_at is not None
    page = client.get(url).content.decode()
    assert "回访不满意" in page and "已上门指导" in page and "工单已结束" in page


def test_an_order_already_in_petition_is_filed_refused_from_the_form(county_admin, client_for):
    response = _receive(client_for(county_admin), "GX12345-P02", petition_no="冠信访〔2026〕3号")
    assert response.status_code == 302
    matter = Matter.objects.get(work_order__order_no="GX12345-P02")
    assert matter.status == Matter.Status.REFUSED and "冠信访〔2026〕3号" in matter.status_changes.last().note


def test_a_designated_order_offers_no_return_and_refuses_one_posted(county_admin, client_for):
    client = client_for(county_admin)
    _receive(client, "GX12345-P03", designated="on")
    matter = Matter.objects.get(work_order__order_no="GX12345-P03")
    page = client.get(reverse("citizens:order-detail", args=[matter.pk])).content.decode()
    assert reverse("citizens:order-action", args=[matter.pk, "return"]) not in page
    client.post(reverse("citizens:order-action", args=[matter.pk, "return"]), {"reason": "不属于本单位"})
    assert Matter.objects.get(pk=matter.pk).status == Matter.Status.RECEIVED


def test_a_duplicate_number_is_refused_naming_it_and_nothing_written(county_admin, client_for):
    client = client_for(county_admin)
    _receive(client, "GX12345-P04")
    response = _receive(client, "GX12345-P04")
    assert response.status_code == 400 and "GX12345-P04" in response.content.decode()
    assert Matter.objects.filter(work_order__order_no="GX12345-P04").count() == 1


def test_the_list_shows_supervised_orders_after_the_loop_escalates_a_late_one(county_admin, client_for):
    township_unit = _unit()
    township = Region.objects.get(code="371525001", retired_in__isnull=True)
    with clock.frozen(clock.now() - dt.timedelta(days=1)):
        late = hotline.receive_order(actor=county_admin, region=township, order_no="GX12345-P05", topic="other",
                                     summary="逾期未签收", lead_unit=township_unit)
    assert hotline.supervise_overdue() >= 1 and hotline.supervise_overdue() == 0  # once
    client = client_for(county_admin)
    page = client.get(reverse("citizens:order-list"), {"supervised": "on"}).content.decode()
    assert "GX12345-P05" in page
    export = client.get(reverse("citizens:order-export"), {"supervised": "on"})
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows()]
    assert any("GX12345-P05" in r for r in rows)
    assert Matter.objects.get(pk=late.pk).work_order.supervised_at is not None
