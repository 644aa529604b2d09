"""12345 work orders: an order about a matter already in 信访 refused with the reason; 退回 only with a reason and
never by a designated unit; a dissatisfied 回访 sends the order back for 再办 and a satisfied one closes it; an order
answered late escalates to 督办 exactly once, however many sweeps run; 办结 counted in working days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from landguard.citizens import hotline
from landguard.citizens.models import Matter, WorkOrder
from landguard.core import clock
from landguard.inbox.models import Message
from landguard.people.models import OrgUnit
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def township():
    return Region.objects.get(code="371525001", retired_in__isnull=True)


def _order(actor, township, no, **extra):
    unit = OrgUnit.objects.filter(region__code__startswith="371525").order_by("pk").first()
    return hotline.receive_order(actor=actor, region=township, order_no=no, topic=WorkOrder.Topic.INHERITANCE,
                                 summary=f"继承房屋过户咨询 {no}", lead_unit=unit, handler=actor, **extra)


def test_an_order_already_in_petition_is_refused_with_the_reason(county_admin, township):
    matter = _order(county_admin, township, "GX12345-001", petition_no="冠信访〔2026〕12号")
    assert matter.status == Matter.Status.REFUSED
    assert "信访" in matter.status_changes.last().note and "冠信访〔2026〕12号" in matter.status_changes.last().note


def test_return_needs_a_reason_and_is_refused_for_a_designated_unit(county_admin, township):
    designated = _order(county_admin, township, "GX12345-002", designated=True)
    with pytest.raises(ValidationError, match="指定"):
        hotline.request_return(actor=county_admin, matter=designated, reason="不属于本单位职责")
    ordinary = _order(county_admin, township, "GX12345-003")
    with pytest.raises(ValidationError):
        hotline.request_return(actor=county_admin, matter=ordinary, reason=" ")
    assert hotline.request_return(actor=county_admin, matter=ordinary, reason="属住建部门职责").status == \
        Matter.Status.RETURNED
    signed = hotline.sign(actor=county_admin, matter=_order(county_admin, township, "GX12345-004"))
    with pytest.raises(ValidationError):  # once signed for, the unit handles it
        hotline.request_return(actor=county_admin, matter=signed, reason="属住建部门职责")


def test_a_dissatisfied_visit_sends_the_order_back_and_a_satisfied_one_closes_it(county_admin, township):
    matter = hotline.sign(actor=county_admin, matter=_order(county_admin, township, "GX12345-005"))
    matter = hotline.answer(actor=county_admin, matter=matter, text="已告知继承登记所需材料")
    matter = hotline.record_visit(actor=county_admin, matter=matter, satisfaction=WorkOrder.Satisfaction.DISSATISFIED)
    assert matter.status == Matter.Status.ACCEPTED and WorkOrder.objects.get(pk=matter.pk).redo_count == 1
    with pytest.raises(ValidationError):  # no 回访 before a new answer
        hotline.record_visit(actor=county_admin, matter=matter, satisfaction=WorkOrder.Satisfaction.SATISFIED)
    matter = hotline.answer(actor=county_admin, matter=matter, text="已协调公证处免费办理继承公证")
    matter = hotline.record_visit(actor=county_admin, matter=matter, satisfaction=WorkOrder.Satisfaction.SATISFIED)
    assert matter.status == Matter.Status.DONE and len(WorkOrder.objects.get(pk=matter.pk).visits) == 2


def test_a_late_order_escalates_to_supervision_once(county_admin, township):
    with clock.frozen(dt.datetime(2026, 9, 29, 10, 0)):
        late = hotline.sign(actor=county_admin, matter=_order(county_admin, township, "GX12345-006"))
        on_time = hotline.sign(actor=county_admin, matter=_order(county_admin, township, "GX12345-007"))
        unsigned = _order(county_admin, township, "GX12345-008")
    # five working days from 29 Sep over the National Day break: 30 Sep, 8, 9, 10 (Saturday, 调休), 12 Oct
    assert late.limit_on == dt.date(2026, 10, 12)
    with clock.frozen(dt.datetime(2026, 10, 12, 16, 0)):
        hotline.answer(actor=county_admin, matter=on_time, text="已办结")
        assert hotline.supervise_overdue() == 1  # only the unsigned one, past its 2 hours
    with clock.frozen(dt.datetime(2026, 10, 13, 9, 0)):
        assert hotline.supervise_overdue() == 1  # the late one
        assert hotline.supervise_overdue() == 0  # never twice
    assert WorkOrder.objects.get(pk=late.pk).supervised_at is not None
    assert WorkOrder.objects.get(pk=unsigned.pk).supervised_at is not None
    assert WorkOrder.objects.get(pk=on_time.pk).supervised_at is None
    # the order's own message (another app's message may share the id number: its subject type differs)
    assert Message.objects.filter(subject_id=late.pk, recipient=county_admin,
                                  code="citizens.order_supervised").count() == 1
