"""Importing MCA / NBS code tables: subsets, edition changes (the 万善乡 → 万善镇 recode), idempotency, atomicity."""

import csv

import pytest
import shapely
from django.core.management import CommandError, call_command

from landguard.audit.models import AuditEntry
from landguard.core.scope import scope_codes, scope_for
from landguard.people.models import OrgUnit, User
from landguard.regions.importers import RegionImportError, import_code_table, name_stem
from landguard.regions.models import CodeChange, Edition, Level, Region
from landguard.regions.services import region_history, set_boundary

from regions_testdata import MCA_2025, MCA_CSV, NBS_2023, NBS_DIR, write_csv

MCA_HEADER = ["version", "code", "name", "level", "type", "parent_code", "sort_order"]


def _current(code: str) -> Region:
    return Region.objects.get(code=code, retired_in__isnull=True)


def _mca_rows(prefix: str) -> list[dict]:
    with open(MCA_CSV, encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["code"].startswith(prefix) or prefix.startswith(r["code"])]


def test_mca_subset_imports_the_prefix_and_its_ancestors(db):
    report = import_code_table(MCA_CSV, edition="mca-test-3714", published=MCA_2025, prefix="3714")
    expected = {r["code"]: r["name"] for r in _mca_rows("3714")}
    stored = dict(Region.objects.filter(code__in=expected, retired_in__isnull=True).values_list("code", "name"))
    assert stored == expected and "37" in stored and "3714" in stored
    assert not Region.objects.filter(code__startswith="3713").exists()  # nothing outside the prefix
    township = _current("371402001")
    assert (township.level, township.parent.code) == (Level.TOWNSHIP, "371402")
    assert township.kind == next(r["type"] for r in _mca_rows("371402001") if r["code"] == "371402001")
    assert report.created >= len(expected) - 1  # 37 may already exist (demo)
    edition = Edition.objects.get(name="mca-test-3714")
    assert edition.report["coverage"] == [{"prefix": "3714", "levels": [2, 3, 4]}]


def test_nbs_folder_subset_imports_every_level_with_derived_types(db):
    report = import_code_table(NBS_DIR, edition="nbs-test-4201", published=NBS_2023, prefix="4201")
    assert report.created > 150
    assert _current("4201").name == "武汉市"
    assert _current("420102").parent.code == "4201"
    assert {r.kind for r in Region.objects.filter(code__startswith="4201", level=Level.TOWNSHIP)} <= {"街道", "镇",
        "乡", "民族乡", ""}


def test_nbs_single_file_uses_parents_from_the_database(db, tmp_path):
    import_code_table(NBS_DIR, edition="nbs-test-4202", published=NBS_2023, prefix="420202")
    streets = write_csv(tmp_path / "streets.csv", ["code", "name", "areaCode", "provinceCode", "cityCode"],
                        [["420202999", "新设街道", "420202", "42", "4202"]])
    import_code_table(streets, edition="nbs-test-4202-extra", published=NBS_2023, prefix="420202999")
    assert _current("420202999").parent == _current("420202")


def test_wanshan_recode_keeps_old_records_resolvable_and_in_scope(db, test_province_nbs, test_province_mca):
    import_code_table(test_province_nbs, edition="t-nbs-2023", published=NBS_2023, prefix="99")
    wanshan_xiang = _current("991525209")
    assert wanshan_xiang.name == "万善乡"
    set_boundary(wanshan_xiang, shapely.box(115.60, 36.50, 115.66, 36.55), source="测试边界")
    # Records filed under the 2023 code, before the 2025 edition recodes the township.
    officer = User.objects.create(username="wanshan_test", role="staff", scope_region=wanshan_xiang)
    office = OrgUnit.objects.create(name="万善乡自然资源所（测试）", kind=OrgUnit.Kind.TOWNSHIP_OFFICE,
                                    region=wanshan_xiang)
    village = Region.objects.create(code="991525209201", name="测试村", level=Level.VILLAGE, parent=wanshan_xiang)

    report = import_code_table(test_province_mca, edition="t-mca-20251231", published=MCA_2025, prefix="99")

    assert ("991525209", "万善乡", "991525113", "万善镇") in report.recoded
    old = Region.objects.get(code="991525209")
    new = _current("991525113")
    assert (old.retired_in.name, old.successor) == ("t-mca-20251231", new)
    change = CodeChange.objects.get(old_code="991525209")
    assert (change.kind, change.new_code, change.region_code) == (CodeChange.Kind.RECODED, "991525113", "991525113")
    # The successor takes over the boundary, and children the edition does not list follow it.
    assert new.geom is not None and new.area_m2 == pytest.approx(old.area_m2)
    village.refresh_from_db()
    assert village.parent == new
    # Old references still resolve, and the old code's scope covers both codes (and nothing else).
    officer.refresh_from_db()
    office.refresh_from_db()
    assert officer.scope_region.current() == new and office.region.current() == new
    assert set(scope_codes(officer.scope_region)) == {"991525113", "991525209"}
    scope = scope_for(officer)
    assert scope.contains("991525113") and scope.contains("991525209201") and not scope.contains("991525112")
    assert [c.kind for c in region_history(new)] == [CodeChange.Kind.RECODED]
    assert region_history(old) == region_history(new)
    # Every change is in the audit trail under the surviving code.
    assert AuditEntry.objects.filter(action="state", region_code="991525113", target_id=str(old.pk)).exists()


def test_reimporting_the_same_edition_changes_nothing(db, test_province_nbs, test_province_mca):
    import_code_table(test_province_nbs, edition="t-nbs-2023", published=NBS_2023, prefix="99")
    import_code_table(test_province_mca, edition="t-mca-20251231", published=MCA_2025, prefix="99")
    counts = (Region.objects.count(), CodeChange.objects.count(), AuditEntry.objects.count(), Edition.objects.count())
    report = import_code_table(test_province_mca, edition="t-mca-20251231", published=MCA_2025, prefix="99")
    assert (report.created, report.updated, report.retired, report.recoded) == (0, 0, 0, [])
    assert (Region.objects.count(), CodeChange.objects.count(), AuditEntry.objects.count(),
            Edition.objects.count()) == counts
    assert "没有变化" in report.warnings[0]


def test_an_older_edition_after_a_newer_one_is_refused(db, test_province_nbs, test_province_mca):
    import_code_table(test_province_mca, edition="t-mca-20251231", published=MCA_2025, prefix="99")
    with pytest.raises(RegionImportError, match="请按发布时间顺序导入"):
        import_code_table(test_province_nbs, edition="t-nbs-2023", published=NBS_2023, prefix="99")


def test_renamed_created_and_abolished_changes(db, tmp_path):
    base = [["T", "99", "测试省", "1", "省", "", "0"], ["T", "9901", "甲市", "2", "地级市", "99", "0"],
            ["T", "990101", "甲县", "3", "县", "9901", "0"], ["T", "990102", "乙县", "3", "县", "9901", "0"]]
    first = write_csv(tmp_path / "a" / "region.csv", MCA_HEADER, base)
    import_code_table(first, edition="t-1", published=NBS_2023, prefix="99")
    second = write_csv(tmp_path / "b" / "region.csv", MCA_HEADER,
                       base[:2] + [["T", "990101", "丙县", "3", "县", "9901", "0"],
                                   ["T", "990103", "丁县", "3", "县", "9901", "0"]])
    report = import_code_table(second, edition="t-2", published=MCA_2025, prefix="99")
    kinds = {(c.kind, c.old_code, c.new_code) for c in CodeChange.objects.filter(edition__name="t-2")}
    assert kinds == {("renamed", "990101", "990101"), ("created", "", "990103"), ("abolished", "990102", "")}
    assert (report.created, report.updated, report.retired) == (1, 1, 1)
    assert _current("990101").name == "丙县"
    assert not Region.objects.filter(code="990102", retired_in__isnull=True).exists()


def test_name_stem_ignores_type_suffixes():
    assert name_stem("万善乡") == name_stem("万善镇") == "万善"
    assert name_stem("梁水镇镇") == name_stem("梁水镇") == "梁水"
    assert name_stem("张鲁回族镇") == name_stem("张鲁镇") == "张鲁"
    assert name_stem("茌平县") == name_stem("茌平区")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["T", "9901x", "甲市", "2", "地级市", "99", "0"]], "第 3 行：区划代码“9901x”格式错误"),
        ([["T", "99015", "甲市", "2", "地级市", "99", "0"]], "第 3 行：区划代码“99015”格式错误"),
        ([["T", "9901", "", "2", "地级市", "99", "0"]], "第 3 行：名称为空"),
        ([["T", "990201", "甲县", "3", "县", "9902", "0"]], "第 3 行：上级代码 9902 不存在"),
        ([["T", "990101001", "甲镇", "4", "镇", "99", "0"]], "第 3 行：上级代码 99 不是区划代码 990101001 的上一级"),
        ([["T", "9901", "甲市", "3", "地级市", "99", "0"]], "第 3 行：级别“3”与区划代码 9901 的位数不符"),
        ([["T", "9901", "甲市", "2", "地级市", "99", "0"], ["T", "9901", "乙市", "2", "地级市", "99", "0"]],
         "第 4 行：区划代码 9901 重复"),
    ],
    ids=["non-digit", "bad-length", "empty-name", "unknown-parent", "parent-two-levels-up", "level-mismatch",
         "duplicate"],
)
def test_bad_row_is_rejected_with_its_row_and_field_and_nothing_is_written(db, tmp_path, rows, message):
    path = write_csv(tmp_path / "region.csv", MCA_HEADER, [["T", "99", "测试省", "1", "省", "", "0"]] + rows)
    before = (Region.objects.count(), Edition.objects.count(), AuditEntry.objects.count())
    with pytest.raises(RegionImportError) as exc:
        import_code_table(path, edition="t-bad", prefix="99")
    assert message in str(exc.value)
    assert (Region.objects.count(), Edition.objects.count(), AuditEntry.objects.count()) == before


def test_a_row_failing_late_rolls_back_the_whole_edition(db, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "region.csv", MCA_HEADER,
                     [["T", "99", "测试省", "1", "省", "", "0"], ["T", "9901", "甲市", "2", "地级市", "99", "0"]])
    from landguard.regions import importers

    def explode(*args, **kwargs):
        raise RegionImportError("模拟写入失败")

    monkeypatch.setattr(importers._EditionImport, "_finish", explode)
    with pytest.raises(RegionImportError):
        import_code_table(path, edition="t-rollback", prefix="99")
    assert not Region.objects.filter(code__startswith="99").exists()
    assert not Edition.objects.filter(name="t-rollback").exists()


def test_file_of_the_wrong_type_is_rejected(db, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    with pytest.raises(RegionImportError, match="不支持的代码表文件类型"):
        import_code_table(other, edition="t-x")
    unknown = write_csv(tmp_path / "table.csv", ["a", "b"], [["1", "2"]])
    with pytest.raises(RegionImportError, match="无法识别代码表格式"):
        import_code_table(unknown, edition="t-x")
    with pytest.raises(RegionImportError, match="范围代码"):
        import_code_table(MCA_CSV, edition="t-x", prefix="37a")


def test_import_regions_command_prints_the_report_and_fails_with_the_message(db, tmp_path, capsys):
    path = write_csv(tmp_path / "region.csv", MCA_HEADER, [["T", "99", "测试省", "1", "省", "", "0"]])
    call_command("import_regions", str(path), "--edition", "t-cmd", "--published", "2025-12-31", "--prefix", "99")
    assert "区划代码表导入完成" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad" / "region.csv", MCA_HEADER, [["T", "9x", "测试省", "1", "省", "", "0"]])
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("import_regions", str(bad), "--edition", "t-cmd-bad")
