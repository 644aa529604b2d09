"""The quota ledger's transactions and refusals: every balance equals what its rows say, after every step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from landguard.audit.models import AuditEntry
from landguard.core.scope import EVERYTHING
from landguard.people.models import Role, User
from landguard.quotas import balances, selectors, services, tunables
from landguard.quotas.models import Action, AppendOnly, Kind, QuotaAccount, QuotaEntry, Source
from landguard.quotas.services import QuotaShortfall

YEAR = 2031  # a year the demo leaves empty (tests/quotas/conftest.py)

D = Decimal
pytestmark = pytest.mark.django_db


def _balance(region, kind=Kind.PLAN, year=YEAR):
    return selectors.balance(EVERYTHING, region, year, kind)


def assert_reproducible(region, kind=Kind.PLAN, year=YEAR):
    """The balance recomputed by hand from the raw rows: Σ amount, and each part from the row kinds."""
    account = QuotaAccount.objects.get(region=region, year=year, kind=kind)
    rows = list(QuotaEntry.objects.filter(account=account))
    b = _balance(region, kind, year)
    assert b.available == sum((r.amount for r in rows), D(0)) - b.lapsed
    closed = {r.refers_to_id: r.action for r in rows if r.action in (Action.SETTLE, Action.RELEASE)}
    corrections = {r.corrects_id: r.amount for r in rows if r.action == Action.CORRECT}
    issued = sum((r.amount + corrections.get(r.id, 0) for r in rows if r.action == Action.ALLOCATE), D(0))
    reserved = -sum((r.amount for r in rows if r.action == Action.RESERVE and r.id not in closed), D(0))
    used = -sum((r.amount for r in rows if r.action == Action.RESERVE and closed.get(r.id) == Action.SETTLE), D(0))
    t_in = sum((r.amount + corrections.get(r.id, 0) for r in rows if r.action == Action.TRANSFER_IN), D(0))
    t_out = -sum((r.amount + corrections.get(r.id, 0) for r in rows if r.action == Action.TRANSFER_OUT), D(0))
    assert (b.issued, b.reserved, b.used, b.transferred_in, b.transferred_out) == (issued, reserved, used, t_in, t_out)
    assert b.available == issued + t_in - t_out - reserved - used - b.lapsed
    assert b.available >= 0
    return b


def _allocate(region, amount, **extra):
    values = {"source": Source.ISSUED, "document_no": "聊自然资字〔2031〕1号（测试）",
              "effective_on": dt.date(2031, 3, 1)}
    return services.allocate(actor=None, region=region, year=extra.pop("year", YEAR), kind=extra.pop("kind", Kind.PLAN),
                             amount=amount, **{**values, **extra})


def test_allocate_reserve_settle_release_each_move_the_balance_and_the_rows_reproduce_it(guanxian, county_admin):
    _allocate(guanxian, "100")
    assert assert_reproducible(guanxian).available == D("100")
    services.reserve(actor=county_admin, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="30.5",
                     holder="test.dossier:1", holder_label="2031年度第1批次", holder_url="/approvals/1/")
    services.reserve(actor=county_admin, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="20",
                     holder="test.dossier:2", holder_label="2031年度第2批次")
    b = assert_reproducible(guanxian)
    assert (b.reserved, b.available) == (D("50.5"), D("49.5"))
    (settled,) = services.settle(actor=county_admin, holder="test.dossier:1")
    assert settled.action == Action.SETTLE and settled.amount == 0
    assert settled.refers_to.holder_key == "test.dossier:1"
    b = assert_reproducible(guanxian)
    assert (b.reserved, b.used, b.available) == (D("20"), D("30.5"), D("49.5"))
    (released,) = services.release(actor=county_admin, holder="test.dossier:2", reason="撤回组卷")
    b = assert_reproducible(guanxian)
    assert (b.reserved, b.used, b.released, b.available) == (D("0"), D("30.5"), D("20"), D("69.5"))
    states = dict(selectors.entries(EVERYTHING, year=YEAR, action=Action.RESERVE).values_list("holder_key", "state"))
    assert states == {"test.dossier:1": "settled", "test.dossier:2": "released"}
    running = list(selectors.entries(EVERYTHING, year=YEAR, kind=Kind.PLAN).values_list("running", flat=True))
    assert running == [D("100"), D("69.5"), D("49.5"), D("49.5"), D("69.5")]
    assert AuditEntry.objects.filter(target_type="quotas.quotaentry").count() >= 5


def test_a_reservation_beyond_the_balance_is_refused_naming_region_kind_year_and_amounts(guanxian, county_admin):
    _allocate(guanxian, "10")
    with pytest.raises(QuotaShortfall) as refused:
        services.reserve(actor=county_admin, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="10.0001",
                         holder="test.dossier:9", holder_label="第9批次")
    message = refused.value.messages[0]
    assert "冠县" in message and "2031" in message and "新增建设用地计划指标" in message
    assert "10.0001 亩" in message and "10.0000 亩" in message
    assert isinstance(refused.value, ValidationError)
    assert assert_reproducible(guanxian).reserved == 0


def test_grain_capacity_is_counted_in_kilograms(guanxian):
    _allocate(guanxian, "500", kind=Kind.OFFSET_CAPACITY)
    with pytest.raises(QuotaShortfall, match="公斤"):
        services.reserve(actor=None, region=guanxian, year=YEAR, kind=Kind.OFFSET_CAPACITY, amount="501",
                         holder="test.dossier:3", holder_label="第3批次")


def test_a_manager_may_override_the_balance_with_a_reason_and_it_is_marked_and_audited(guanxian, county_admin):
    _allocate(guanxian, "10")
    staff = User.objects.filter(role=Role.STAFF, scope_region__code="371525").first() or User.objects.create(
        username="quota_staff", role=Role.STAFF, scope_region=guanxian)
    with pytest.raises(PermissionDenied):
        services.reserve(actor=staff, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="15",
                         holder="test.dossier:4", holder_label="第4批次", override_reason="省重点项目")
    entry = services.reserve(actor=county_admin, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="15",
                             holder="test.dossier:4", holder_label="第4批次", override_reason="省重点项目先行")
    assert entry.is_override and entry.note == "省重点项目先行"
    b = _balance(guanxian)
    assert b.available == D("-5") and b.reserved == D("15")
    audit = AuditEntry.objects.get(target_type="quotas.quotaentry", target_id=str(entry.pk))
    assert "超额预占" in audit.note and "省重点项目先行" in audit.note


def test_releasing_or_settling_nothing_and_settling_twice_are_refused(guanxian, county_admin):
    _allocate(guanxian, "10")
    with pytest.raises(ValidationError, match="没有预占中的指标"):
        services.release(actor=county_admin, holder="test.dossier:77", reason="撤回")
    services.reserve(actor=county_admin, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="5",
                     holder="test.dossier:5", holder_label="第5批次")
    services.settle(actor=county_admin, holder="test.dossier:5")
    with pytest.raises(ValidationError, match="没有预占中的指标"):
        services.settle(actor=county_admin, holder="test.dossier:5")
    with pytest.raises(ValidationError, match="没有预占中的指标"):
        services.release(actor=county_admin, holder="test.dossier:5", reason="驳回")
    with pytest.raises(ValidationError):
        services.release(actor=county_admin, holder="test.dossier:5", reason=" ")
    assert assert_reproducible(guanxian).used == D("5")


def test_a_reservation_closes_once_in_the_database_too(guanxian):
    _allocate(guanxian, "10")
    reservation = services.reserve(actor=None, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="5",
                                   holder="test.dossier:6", holder_label="第6批次")
    services.settle(actor=None, holder="test.dossier:6")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaEntry.objects.create(account=reservation.account, action=Action.RELEASE, amount=D("5"),
                                  refers_to=reservation, effective_on=dt.date(2031, 4, 1))


def test_an_entry_is_never_updated_or_deleted_by_the_model_the_queryset_or_sql(guanxian):
    entry = _allocate(guanxian, "10")
    entry.amount = D("1000")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        QuotaEntry.objects.filter(pk=entry.pk).update(amount=D("1000"))
    with pytest.raises(AppendOnly):
        QuotaEntry.objects.filter(pk=entry.pk).delete()
    for sql in ("UPDATE quotas_quotaentry SET amount = 1000 WHERE id = %s",
                "DELETE FROM quotas_quotaentry WHERE id = %s"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert QuotaEntry.objects.get(pk=entry.pk).amount == D("10")


def test_transfer_moves_quota_between_regions_with_a_price_and_never_overdraws(guanxian, shenxian, liaocheng):
    city_admin = User.objects.get(username="liaocheng_admin")
    _allocate(shenxian, "50", kind=Kind.LINK_SURPLUS)
    out, into = services.transfer(actor=city_admin, source_region=shenxian, target_region=guanxian, year=YEAR,
                                  kind=Kind.LINK_SURPLUS, amount="20", price_wan_yuan_per_mu="30",
                                  document_no="聊自然资字〔2031〕9号（测试）", effective_on=dt.date(2031, 5, 1))
    assert into.refers_to == out and into.price_wan_yuan_per_mu == D("30.00")
    assert assert_reproducible(shenxian, Kind.LINK_SURPLUS).available == D("30")
    b = assert_reproducible(guanxian, Kind.LINK_SURPLUS)
    assert (b.transferred_in, b.available) == (D("20"), D("20"))
    with pytest.raises(QuotaShortfall):
        services.transfer(actor=city_admin, source_region=shenxian, target_region=guanxian, year=YEAR,
                          kind=Kind.LINK_SURPLUS, amount="31", document_no="x", effective_on=dt.date(2031, 5, 2))


def test_a_county_cannot_transfer_into_a_county_outside_its_scope(guanxian, shenxian, county_admin):
    _allocate(guanxian, "50")
    with pytest.raises(PermissionDenied):
        services.transfer(actor=county_admin, source_region=guanxian, target_region=shenxian, year=YEAR,
                          kind=Kind.PLAN, amount="5", document_no="x", effective_on=dt.date(2031, 5, 1))


def test_a_correction_is_a_new_row_carrying_the_difference(guanxian, county_admin):
    entry = _allocate(guanxian, "100")
    services.reserve(actor=None, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="60",
                     holder="test.dossier:8", holder_label="第8批次")
    fix = services.correct(actor=county_admin, entry=entry, amount="90", reason="文号数量录入错误")
    assert (fix.action, fix.amount, fix.corrects) == (Action.CORRECT, D("-10"), entry)
    assert QuotaEntry.objects.get(pk=entry.pk).amount == D("100")  # the corrected row is unchanged
    b = assert_reproducible(guanxian)
    assert (b.issued, b.available) == (D("90"), D("30"))
    with pytest.raises(QuotaShortfall):  # down to 50 would leave −10
        services.correct(actor=county_admin, entry=entry, amount="50", reason="再次更正")
    with pytest.raises(ValidationError):
        services.correct(actor=county_admin, entry=entry, amount="90", reason="相同")
    reservation = QuotaEntry.objects.get(holder_key="test.dossier:8", action=Action.RESERVE)
    with pytest.raises(ValidationError, match="只能更正"):
        services.correct(actor=county_admin, entry=reservation, amount="1", reason="x")


def test_only_managers_allocate_and_correct(guanxian, township_officer):
    with pytest.raises(PermissionDenied):
        services.allocate(actor=township_officer, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="1",
                          source=Source.ISSUED, document_no="x", effective_on=dt.date(2031, 1, 1))
    with pytest.raises(PermissionDenied):  # the township's staff reserves nothing on the county's ledger
        services.reserve(actor=township_officer, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="1",
                         holder="test.dossier:10", holder_label="x")


def test_ledgers_are_kept_at_county_level_or_above(guanxian):
    township = guanxian.children.filter(retired_in__isnull=True).first()
    with pytest.raises(ValidationError):
        _allocate(township, "1")


def test_an_expired_carry_over_cannot_be_reserved_from_the_day_after_its_expiry(guanxian, at):
    expiry = dt.date(2031, 6, 30)
    _allocate(guanxian, "40", source=Source.CARRY_OVER, expires_on=expiry, document_no="结转（测试）")
    _allocate(guanxian, "10")
    at(expiry)
    assert _balance(guanxian).available == D("50")
    services.reserve(actor=None, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="15",
                     holder="test.dossier:11", holder_label="第11批次")  # drawn from the carry-over first
    at(expiry + dt.timedelta(days=1))
    b = assert_reproducible(guanxian)
    assert (b.lapsed, b.available) == (D("25"), D("10"))  # 40 − 15 lapsed; the issued 10 remains
    with pytest.raises(QuotaShortfall):
        services.reserve(actor=None, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="10.5",
                         holder="test.dossier:12", holder_label="第12批次")
    services.reserve(actor=None, region=guanxian, year=YEAR, kind=Kind.PLAN, amount="10",
                     holder="test.dossier:12", holder_label="第12批次")
    assert assert_reproducible(guanxian).available == 0


def test_a_carry_over_needs_an_expiry_and_a_turnover_gets_a_three_year_return_deadline(guanxian):
    with pytest.raises(ValidationError):
        _allocate(guanxian, "1", source=Source.CARRY_OVER)
    entry = _allocate(guanxian, "5", kind=Kind.LINK_TURNOVER, effective_on=dt.date(2031, 2, 1))
    assert entry.expires_on == dt.date(2034, 2, 1)


def test_the_offset_kinds_a_batch_deducts_change_on_2025_01_01():
    assert tunables.offset_kinds(dt.date(2024, 12, 31)) == (Kind.OFFSET_AREA, Kind.OFFSET_PADDY, Kind.OFFSET_CAPACITY)
    assert tunables.offset_kinds(dt.date(2025, 1, 1)) == (Kind.OFFSET_AREA, Kind.OFFSET_CAPACITY)
    assert selectors.offset_kinds is tunables.offset_kinds


def test_balances_compute_is_pure_over_rows():
    rows = [balances.Row(1, Action.ALLOCATE, Source.ISSUED, D("10"), None, None, dt.date(2031, 1, 1), None),
            balances.Row(2, Action.RESERVE, "", D("-4"), None, None, dt.date(2031, 1, 2), None),
            balances.Row(3, Action.SETTLE, "", D("0"), 2, None, dt.date(2031, 1, 3), None)]
    b = balances.compute(rows, dt.date(2031, 2, 1))
    assert (b.issued, b.used, b.reserved, b.available) == (D("10"), D("4"), D("0"), D("6"))
