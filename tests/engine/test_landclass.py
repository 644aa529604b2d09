"""The 三调 land-class table: every code of domain.md §1.2, its first-level class and its 三大类."""

from __future__ import annotations

import pytest
from django.utils import translation

from landguard.engine.landclass import (
    GB_DETAIL_CODES,
    lookup,
    CHANGE_SURVEY_CODES,
    LAND_CLASSES,
    LEVEL1_NAMES,
    BigClass,
    UnknownLandClassError,
    classify,
    is_farmland,
)

AG, CO, UN = BigClass.AGRICULTURAL, BigClass.CONSTRUCTION, BigClass.UNUSED

# domain.md §1.2, the code table, group by group (copied from the document, not from the module).
DOMAIN_CODES = {
    "00": "0303 0304 0306 0402 0603 1105 1106 1108",
    "01": "0101 0102 0103",
    "02": "0201 0202 0203 0204",
    "03": "0301 0302 0305 0307",
    "04": "0401 0403 0404",
    "05": "05H1 0508",
    "06": "0601 0602",
    "07": "0701 0702",
    "08": "08H1 08H2 0809 0810 0810A",
    "09": "09",
    "10": "1001 1002 1003 1004 1005 1006 1007 1008 1009",
    "11": "1101 1102 1103 1104 1104A 1107 1107A 1109 1110",
    "12": "1201 1202 1203 1204 1205 1206 1207",
}
K_CODES = "0201K 0202K 0203K 0204K 0301K 0302K 0307K 0403K 1104K".split()

# domain.md §1.2 三大类 table (status I there), written out code by code.
DOMAIN_BIG = {
    AG: "0101 0102 0103 0201 0202 0203 0204 0301 0302 0303 0304 0305 0306 0307 0401 0402 0403 1006 1103 "
        "1104 1104A 1104K 1107 1107A 1202 1203",
    CO: "05H1 0508 0601 0602 0603 0701 0702 08H1 08H2 0809 0810 09 1001 1002 1003 1004 1005 1007 1008 1009 "
        "1109 1201",
    UN: "0404 1101 1102 1105 1106 1108 1110 1204 1205 1206 1207",
}


def test_table_holds_exactly_the_domain_codes():
    expected = {code for codes in DOMAIN_CODES.values() for code in codes.split()} | set(K_CODES)
    assert set(LAND_CLASSES) == expected


@pytest.mark.parametrize("level1, codes", DOMAIN_CODES.items())
def test_first_level_class_follows_the_sandiao_grouping(level1, codes):
    for code in codes.split():
        land_class = classify(code)
        assert land_class.level1_code == level1, code
        assert land_class.level1_name == LEVEL1_NAMES[level1]


def test_wetland_codes_keep_their_gb_parent_for_crosswalks():
    assert classify("0303").level1_code == "00" and classify("0303").gb_level1_code == "03"
    assert classify("0603").gb_level1_code == "06"
    assert classify("1108").gb_level1_code == "11"
    assert classify("0101").gb_level1_code == "01"


@pytest.mark.parametrize("big, codes", DOMAIN_BIG.items())
def test_big_class_follows_domain_table(big, codes):
    for code in codes.split():
        assert classify(code).big_class == big, code


def test_every_code_has_a_big_class_and_the_inferred_one_is_its_parent():
    assert all(isinstance(c.big_class, BigClass) for c in LAND_CLASSES.values())
    assert classify("0810A").big_class == classify("0810").big_class == CO  # not in domain.md's table


@pytest.mark.parametrize("code", K_CODES)
def test_k_codes_are_adjustable_classes_of_their_parent_and_not_farmland(code):
    land_class = classify(code)
    parent = classify(code[:-1])
    assert land_class.adjustable and not parent.adjustable
    assert land_class.level1_code == parent.level1_code
    assert land_class.big_class == AG
    assert not land_class.is_farmland


def test_names_are_the_official_ones():
    assert classify("0101").name == "水田"
    assert classify("1207").name == "裸岩石砾地"
    assert classify("05H1").name == "商业服务业设施用地"
    assert classify("1104A").name == "养殖坑塘"
    assert classify("1203").level1_name == "其他土地"


def test_codes_are_normalised_for_blanks_and_case():
    assert classify(" 0201k ").code == "0201K"
    assert classify("05h1").code == "05H1"


@pytest.mark.parametrize("code", ["0100", "0305K", "1300", "", "9999", "0101B", "13"])
def test_unknown_codes_raise_naming_the_code(code):
    with pytest.raises(UnknownLandClassError) as err:
        classify(code)
    assert err.value.code == code


def test_numbers_are_refused_rather_than_guessed():
    with pytest.raises(UnknownLandClassError, match="文本"):
        classify(101)
    with pytest.raises(UnknownLandClassError):
        classify(None)


@pytest.mark.parametrize("code", sorted(CHANGE_SURVEY_CODES))
def test_change_survey_markers_are_refused_with_the_reason(code):
    with pytest.raises(UnknownLandClassError, match="变更调查专用"):
        classify(code)


def test_k_suffix_on_a_code_without_one_says_so():
    with pytest.raises(UnknownLandClassError, match="可调整"):
        classify("0101K")


def test_is_farmland_is_exactly_01xx():
    farmland = {code for code in LAND_CLASSES if is_farmland(code)}
    assert farmland == {"0101", "0102", "0103"}
    with pytest.raises(UnknownLandClassError):
        is_farmland("0100")


def test_labels_translate_lazily():
    land_class = classify("0101")
    with translation.override("zh-hans"):
        assert str(land_class.label) == "水田"
        assert str(BigClass.AGRICULTURAL.label) == "农用地"


GB_DETAIL = {"05H1": ["0501", "0502", "0503", "0504", "0505", "0506", "0507"], "0508": ["0604"],
             "08H1": ["0801", "0802"], "08H2": ["0803", "0804", "0805", "0806", "0807", "0808"],
             "09": ["0901", "0902", "0903", "0904", "0905", "0906"]}


@pytest.mark.parametrize("sandiao,codes", sorted(GB_DETAIL.items()))
def test_gb_21010_finer_codes_are_read_as_the_sandiao_class_that_holds_them(sandiao, codes):
    assert sum(len(c) for c in GB_DETAIL.values()) == len(GB_DETAIL_CODES) == 22
    for code in codes:
        assert classify(code) is LAND_CLASSES[sandiao]
        assert classify(f" {code} ").big_class == BigClass.CONSTRUCTION
        assert lookup(code) is LAND_CLASSES[sandiao]


def test_the_unknown_code_message_is_true_of_both_tables():
    # Every code the message claims is absent from GB/T 21010-2017 really is: the standard's own are accepted.
    with pytest.raises(UnknownLandClassError, match="不在三调工作分类 / GB/T 21010-2017 中"):
        classify("0509")
    assert lookup("1301") is None and lookup(None) is None


def test_a_code_reads_with_its_name_and_an_unknown_code_as_given():
    from django.utils import translation

    from landguard.engine.landclass import code_and_name
    assert code_and_name("0102") == "0102 水浇地"
    assert code_and_name(102) == "102"  # a number is not a DLBM (normalize_code): shown as given, not guessed
    assert code_and_name("9999") == "9999" and code_and_name(None) == "" and code_and_name("") == ""
    with translation.override("en"):
        assert code_and_name("0101") == "0101 Paddy fields"
