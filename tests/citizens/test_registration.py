"""Registration applications (不动产登记): the 不动产单元号 check, 一证办证 with the demo provider (every material
fetched, none demanded), the one-time notice naming everything missing at once, acceptance setting the statutory
30-working-day limit and the target on the holiday calendar, completion within the target, the transition table
refusing the rest, and the look-ups kept as comparison results only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from citizens.helpers import make_id
from landguard.audit.models import AuditEntry
from landguard.citizens import documents, selectors, services
from landguard.citizens.models import DataRequest, Matter, Registration
from landguard.citizens.polling import poll_due
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
UNIT = "371525001001GB00001F00010001"
BUYER, SELLER = make_id(seq=31), make_id(born="19750505", seq=42)


@pytest.fixture
def township():
    return Region.objects.get(code="371525001", retired_in__isnull=True)


def _resale(actor, township, **extra):
    values = {"actor": actor, "region": township, "reg_kind": Registration.RegKind.TRANSFER,
              "transfer_kind": Registration.TransferKind.RESALE, "unit_no": UNIT, "contract_no": "GX2026-1234",
              "holders": [(BUYER, "赵买")], "obligors": [(SELLER, "钱卖")]} | extra
    return services.create_registration(**values)


def test_unit_number_length_and_characters_refused_structure_only_warned():
    with pytest.raises(ValidationError, match="28"):
        documents.check_unit_no("37152500100")
    with pytest.raises(ValidationError, match="数字和大写字母"):
        documents.check_unit_no("371525001001GB00001F0001000-")
    text, warnings = documents.check_unit_no(" 371525001001gb00001f00010001 ")
    assert text == UNIT and warnings == []
    _text, warnings = documents.check_unit_no("371525001001GB00001X00010001")  # X is no 定着物 kind
    assert warnings and "待确认" in warnings[0]


def test_a_bad_id_number_names_the_party_and_writes_nothing(county_admin, township):
    before = Matter.objects.count()
    with pytest.raises(ValidationError) as error:
        _resale(county_admin, township, obligors=[("371525197505050421", "钱卖")])
    assert "义务人" in str(error.value.message_dict) and Matter.objects.count() == before


def test_one_time_notice_names_every_missing_material_at_once(county_admin, township):
    matter = _resale(county_admin, township, contract_no="GX2026-0000")  # demo: not filed, no tax paid
    services.request_documents(actor=county_admin, matter=matter, consent=True)
    with clock.frozen(clock.now() + dt.timedelta(minutes=5)):
        poll_due()
    matter = services.review(actor=county_admin, matter=matter)
    assert matter.status == Matter.Status.NOTIFIED
    notice = Registration.objects.get(pk=matter.pk).notice
    assert len(notice) == 2 and any("网签" in n for n in notice) and any("完税" in n for n in notice)
    assert "一次性告知" in matter.status_changes.last().note


def test_consent_is_required_before_any_lookup(county_admin, township):
    matter = _resale(county_admin, township)
    with pytest.raises(ValidationError, match="授权"):
        services.request_documents(actor=county_admin, matter=matter, consent=False)
    assert not DataRequest.objects.filter(matter=matter).exists()


def test_one_id_transfer_fetches_everything_and_closes_within_the_target(county_admin, township):
    with clock.frozen(dt.datetime(2026, 9, 30, 9, 0)):
        matter = _resale(county_admin, township)
        rows = services.request_documents(actor=county_admin, matter=matter, consent=True)
        # identity ×2, household (buyer, asynchronous), marriage ×2, 网签, 完税, 查封
        assert len(rows) == 8 and {r.status for r in rows} == {DataRequest.Status.ANSWERED,
                                                                DataRequest.Status.REQUESTED}
        with pytest.raises(ValidationError, match="等待共享数据反馈"):
            services.review(actor=county_admin, matter=matter)
    with clock.frozen(dt.datetime(2026, 9, 30, 9, 2)):
        assert poll_due() == 1
        matter = services.review(actor=county_admin, matter=Matter.objects.get(pk=matter.pk))
        assert matter.status == Matter.Status.ACCEPTED
        assert matter.target_on == dt.date(2026, 9, 30)  # 一证办证 transfers: the same day
        # 30 working days over the National Day break (1–7 Oct) and its adjusted Saturday (10 Oct)
        assert matter.limit_on == dt.date(2026, 11, 17)  # 8–16 Oct: 8 days, then 22 more
    with clock.frozen(dt.datetime(2026, 9, 30, 15, 0)):
        matter = services.complete(actor=county_admin, matter=matter)
    assert services.within_target(matter) is True
    states = selectors.needs(matter)
    assert states and all(s.state == "fetched" for s in states)
    # Each look-up kept as a comparison result and a keyed digest, with who asked, why and with which consent.
    for row in DataRequest.objects.filter(matter=matter):
        assert row.matched is True and len(row.result_hash) == 64 and row.consent and row.operator == county_admin
        assert row.purpose and BUYER not in str(row.result) and BUYER not in row.ticket
    assert AuditEntry.objects.filter(target_id=str(matter.pk), note__startswith="共享数据反馈").count() == 1


@override_settings(CITIZENS_REGISTRATION_TARGET_WORKING_DAYS=5)
def test_the_target_counts_working_days_on_the_holiday_calendar(county_admin, township):
    with clock.frozen(dt.datetime(2026, 9, 30, 10, 0)):
        matter = services.create_registration(actor=county_admin, region=township,
                                              reg_kind=Registration.RegKind.MORTGAGE, unit_no=UNIT,
                                              holders=[(BUYER, "赵买")], documents_brought=["identity", "seizure"])
        matter = services.review(actor=county_admin, matter=matter)
    # 8, 9 Oct, Saturday 10 Oct (调休上班), 12, 13 Oct: the holiday week is skipped.
    assert matter.target_on == dt.date(2026, 10, 13)


def test_transitions_outside_the_table_are_refused(county_admin, township):
    matter = _resale(county_admin, township, documents_brought=list(documents.DOCUMENTS))
    with pytest.raises(ValidationError):
        services.complete(actor=county_admin, matter=matter)
    matter = services.review(actor=county_admin, matter=matter)
    services.complete(actor=county_admin, matter=matter)
    with pytest.raises(ValidationError):
        services.withdraw(actor=county_admin, matter=Matter.objects.get(pk=matter.pk))


def test_other_county_cannot_see_or_write(county_admin, other_county_user, township):
    matter = _resale(county_admin, township)
    assert not selectors.registrations(scope_for(other_county_user)).filter(pk=matter.pk).exists()
    with pytest.raises(PermissionDenied):
        services.refuse(actor=other_county_user, matter=matter, reason="x")


def test_pages_show_masked_numbers_and_export(client_for, county_admin, township):
    matter = _resale(county_admin, township)
    client = client_for(county_admin)
    page = client.get(f"/citizens/{matter.pk}/").content.decode()
    assert matter.applicant.id_masked in page and BUYER not in page and SELLER not in page
    listing = client.get("/citizens/", {"q": matter.applicant.id_masked}).content.decode()
    assert matter.title in listing
    assert client.get("/citizens/export.xlsx").status_code == 200
    wrong = BUYER[:17] + ("0" if BUYER[17] != "0" else "1")  # a wrong check digit
    response = client.post("/citizens/new/", {"region": township.code, "reg_kind": "transfer",
                                              "transfer_kind": "resale", "unit_no": UNIT, "holder_id": wrong,
                                              "holder_name": "甲", "obligor_id": SELLER, "obligor_name": "乙",
                                              "channel": "window"})
    body = response.content.decode()
    assert response.status_code == 400 and "校验位" in body and wrong not in body and SELLER not in body
