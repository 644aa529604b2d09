"""Who approves, from the law (土地管理法 第44、46条, domain-land.md §A.1), at its thresholds: exactly 35 公顷 of 耕地
and exactly 70 公顷 of other land are not "超过" and stay with the province; a square metre more goes to the State
Council; any 永农 goes to the State Council unless the province was entrusted (国发〔2020〕4号, configurable)."""

from __future__ import annotations

import pytest
from django.utils import translation

from landguard.approvals.authority import (Authority, Delegation, DossierKind, conversion_authority,
                                           delegation_for, expropriation_authority)
from landguard.approvals.numbers import parse_document_number

HA = 10_000.0


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(("farmland_ha", "expected"), [
    (35.0, Authority.PROVINCE), (35.0001, Authority.STATE_COUNCIL), (34.9999, Authority.PROVINCE)])
def test_expropriating_farmland_goes_to_the_state_council_only_over_35_ha(farmland_ha, expected):
    decision = expropriation_authority(basic_farmland_m2=0, farmland_m2=farmland_ha * HA, other_m2=0)
    assert decision.authority == expected
    assert "第四十六条" in str(decision.article)
    if expected == Authority.STATE_COUNCIL:
        assert "超过 35 公顷" in str(decision.reason) and "35.0001" in str(decision.reason)


@pytest.mark.parametrize(("other_ha", "expected"), [
    (70.0, Authority.PROVINCE), (70.0001, Authority.STATE_COUNCIL)])
def test_expropriating_other_land_goes_to_the_state_council_only_over_70_ha(other_ha, expected):
    assert expropriation_authority(basic_farmland_m2=0, farmland_m2=0, other_m2=other_ha * HA).authority == expected


def test_the_two_limits_are_separate_not_added():
    # 30 ha of 耕地 + 60 ha of other land: neither is over its own limit (90 ha in all is not a rule)
    decision = expropriation_authority(basic_farmland_m2=0, farmland_m2=30 * HA, other_m2=60 * HA)
    assert decision.authority == Authority.PROVINCE


def test_any_basic_farmland_sends_both_approvals_to_the_state_council():
    decision = expropriation_authority(basic_farmland_m2=1.0, farmland_m2=1.0, other_m2=0)
    assert decision.authority == Authority.STATE_COUNCIL
    decision = conversion_authority(DossierKind.BATCH, basic_farmland_m2=1.0)
    assert decision.authority == Authority.STATE_COUNCIL and "第四十四条第二款" in str(decision.article)


def test_an_entrusted_pilot_province_approves_what_the_state_council_entrusted():
    pilot = Delegation(basic_farmland_conversion=True, expropriation_over_limits=True)
    decision = conversion_authority(DossierKind.BATCH, basic_farmland_m2=5 * HA, delegation=pilot)
    assert decision.authority == Authority.PROVINCE
    assert expropriation_authority(basic_farmland_m2=0, farmland_m2=40 * HA, other_m2=0,
                                   delegation=pilot).authority == Authority.PROVINCE
    assert delegation_for("330102", {"33": pilot}) is pilot
    assert delegation_for("371525", {"33": pilot}) == Delegation()  # 山东 is not a pilot by default


def test_conversion_authority_follows_the_route():
    assert conversion_authority(DossierKind.BATCH, basic_farmland_m2=0).authority == Authority.PLAN_APPROVER
    assert conversion_authority(DossierKind.SEPARATE_SITE, basic_farmland_m2=0).authority == Authority.PROVINCE
    no_delegation = Delegation(separate_site=False)
    assert conversion_authority(DossierKind.SEPARATE_SITE, basic_farmland_m2=0,
                                delegation=no_delegation).authority == Authority.STATE_COUNCIL
    assert conversion_authority(DossierKind.CITY_PROJECT, basic_farmland_m2=0).authority == Authority.CITY_COUNTY


def test_nothing_expropriated_needs_no_expropriation_approval():
    assert expropriation_authority(basic_farmland_m2=0, farmland_m2=0, other_m2=0) is None


@pytest.mark.parametrize(("text", "parts"), [
    ("鲁政土字〔2021〕123号", ("鲁政土字", 2021, 123)),
    ("鄂政土批[2023]45号", ("鄂政土批", 2023, 45)),
    ("聊政土（2021）8号", ("聊政土", 2021, 8)),
    (" 鲁政土字 〔2021〕 第 7 号 ", ("鲁政土字", 2021, 7)),
])
def test_approval_numbers_are_parsed_whatever_the_brackets(text, parts):
    parsed = parse_document_number(text)
    assert (parsed.issuer, parsed.year, parsed.sequence) == parts
    assert str(parsed) == f"{parts[0]}〔{parts[1]}〕{parts[2]}号"


def test_a_number_in_another_form_is_kept_as_text_not_parsed():
    assert parse_document_number("省政府批复（见附件）") is None
