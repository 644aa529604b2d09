"""Breakdown of a county plan indicator to its townships: refused whole when the township values do not add up to the
county value (the message names the gap and the townships; nothing is written: no share, no history row, no audit
entry), accepted when they do (shares, an append-only history row per changed township, one audit entry)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from landguard.audit.models import AuditEntry
from landguard.planning import services
from landguard.planning.models import AppendOnly, Breakdown, BreakdownChange, CountyPlan, IndicatorKind

DEADLINE = dt.date(2031, 6, 30)


@pytest.fixture
def indicator(db):
    plan = CountyPlan.objects.get(region__code="371525")
    return plan.indicators.get(kind=IndicatorKind.NEW_CONSTRUCTION)


def _shares(indicator, values):
    townships = services.townships_of(indicator.plan.region)
    return townships, [services.Share(t, v, DEADLINE) for t, v in zip(townships, values, strict=True)]


def _counts(indicator):
    return (Breakdown.objects.filter(indicator=indicator).count(), BreakdownChange.objects.count(),
            AuditEntry.objects.count(), sorted(Breakdown.objects.filter(indicator=indicator)
                                               .values_list("target", flat=True)))


def test_a_breakdown_that_does_not_add_up_is_refused_naming_gap_and_townships_and_nothing_is_written(
        indicator, county_admin):
    townships = services.townships_of(indicator.plan.region)
    values = [Decimal(1000)] * len(townships)  # 18 × 1000 = 18000 ≠ 12000
    before = _counts(indicator)
    with pytest.raises(services.BreakdownMismatch) as refused:
        services.save_breakdown(actor=county_admin, indicator=indicator, shares=_shares(indicator, values)[1])
    message = refused.value.messages[0]
    gap = Decimal(18000) - indicator.county_value
    assert f"{gap:,.4f} 亩" in message and "多分" in message
    assert townships[0].name in message
    assert _counts(indicator) == before


def test_a_township_left_blank_is_named_and_nothing_is_written(indicator, county_admin):
    townships, shares = _shares(indicator, [Decimal(0)] * 18)
    shares[0] = services.Share(townships[0], indicator.county_value, DEADLINE)
    shares[5] = services.Share(townships[5], None, DEADLINE)
    before = _counts(indicator)
    with pytest.raises(services.BreakdownMismatch) as refused:
        services.save_breakdown(actor=county_admin, indicator=indicator, shares=shares)
    assert f"未填写分解值的乡镇：{townships[5].name}" in refused.value.messages[0]
    assert _counts(indicator) == before


def test_a_breakdown_that_adds_up_is_saved_with_history_and_one_audit_entry(indicator, county_admin):
    townships = services.townships_of(indicator.plan.region)
    old = {b.township_id: b.target for b in indicator.breakdowns.all()}
    values = [Decimal("0.0001")] * (len(townships) - 1)
    values.append(indicator.county_value - sum(values))
    changes, audits = BreakdownChange.objects.count(), AuditEntry.objects.count()
    saved = services.save_breakdown(actor=county_admin, indicator=indicator, shares=_shares(indicator, values)[1],
                                    note="调整")
    assert sum(b.target for b in saved) == indicator.county_value
    assert {b.township_id: b.target for b in Breakdown.objects.filter(indicator=indicator)} == {
        t.pk: v for t, v in zip(townships, values, strict=True)}
    assert BreakdownChange.objects.count() == changes + len(townships)
    last = BreakdownChange.objects.filter(indicator=indicator, township=townships[-1]).order_by("-id").first()
    assert (last.old_target, last.new_target, last.changed_by) == (old[townships[-1].pk], values[-1], county_admin)
    assert AuditEntry.objects.count() == audits + 1
    with pytest.raises(AppendOnly):
        last.save()
    with pytest.raises(AppendOnly):
        BreakdownChange.objects.filter(pk=last.pk).update(note="x")


def test_the_database_refuses_to_change_a_breakdown_history_row(indicator):
    row = BreakdownChange.objects.filter(indicator=indicator).first()
    with pytest.raises(DatabaseError), transaction.atomic():  # the trigger, whatever the code path
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("UPDATE planning_breakdownchange SET note = 'x' WHERE id = %s", [row.pk])


def test_only_a_manager_of_the_county_breaks_down(indicator, township_officer, other_county_user):
    shares = _shares(indicator, [indicator.county_value] + [Decimal(0)] * 17)[1]
    for user in (township_officer, other_county_user):
        with pytest.raises(PermissionDenied):
            services.save_breakdown(actor=user, indicator=indicator, shares=shares)


def test_the_breakdown_page_refuses_then_accepts(indicator, county_admin, client_for):
    client = client_for(county_admin)
    townships = services.townships_of(indicator.plan.region)
    url = f"/planning/indicators/{indicator.pk}/breakdown/"
    data = {f"deadline_{t.code}": DEADLINE.isoformat() for t in townships}
    data.update({f"target_{t.code}": "1000" for t in townships})
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "多分" in refused.content.decode() and townships[0].name in refused.content.decode()
    data.update({f"target_{t.code}": "0" for t in townships})
    data[f"target_{townships[3].code}"] = str(indicator.county_value)
    accepted = client.post(url, data)
    assert accepted.status_code == 302
    assert Breakdown.objects.get(indicator=indicator, township=townships[3]).target == indicator.county_value


def test_a_plan_value_is_refused_when_not_a_number_and_the_plan_is_audited(county_admin):
    plan = CountyPlan.objects.get(region__code="371525")
    with pytest.raises(ValidationError):
        services.save_plan(actor=county_admin, county=plan.region, name=plan.name, document_no=plan.document_no,
                           base_year=2020, target_year=2035, values={IndicatorKind.FARMLAND: "abc"})
    audits = AuditEntry.objects.count()
    services.save_plan(actor=county_admin, county=plan.region, name=plan.name, document_no="新文号",
                       base_year=2020, target_year=2035, dev_boundary_factor="1.3",
                       values={i.kind: i.county_value for i in plan.indicators.all()})
    assert AuditEntry.objects.count() == audits + 1
    assert CountyPlan.objects.get(pk=plan.pk).document_no == "新文号"


def test_the_county_indicator_table_exports_its_values(indicator, client_for, county_admin):
    import io

    import openpyxl

    response = client_for(county_admin).get("/planning/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    found = [r for r in rows if "新增建设用地规模" in r]
    assert found and float(indicator.county_value) in found[0]
