"""The project ledger (项目台账): import with column mapping and a validation report (nothing imported while
anything is wrong, or on a dry run), and export in the same shape, so an exported ledger imports again."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from landguard.projects.imports import import_ledger, ledger_headers
from landguard.projects.models import Project

pytestmark = pytest.mark.django_db


def sheet(tmp_path, rows, name="台账.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


BUREAU = [["项目", "类别", "乡镇", "指挥部", "业主单位", "投资额（万元）", "开工时间", "用地面积（亩）", "责任领导"],
          ["冠县光伏储能项目", "市重点", "清泉街道", "工业项目作战指挥部（演示）", "某能源公司", 52000, "2025/7/1", 45,
           "李副县长"],
          ["冠县物流园项目", "县级", "371525001", "", "某物流公司", "8000", dt.datetime(2025, 9, 1), "30.5", ""]]


def test_a_bureau_ledger_is_recognised_by_its_headers_and_imported(tmp_path, county_admin):
    report = import_ledger(sheet(tmp_path, BUREAU), actor=county_admin)
    assert report.problems == [] and report.created == ["冠县光伏储能项目", "冠县物流园项目"]
    assert report.mapping["项目名称"] == "项目" and report.mapping["用地需求（亩）"] == "用地面积（亩）"
    solar = Project.objects.get(name="冠县光伏储能项目")
    assert (solar.level, solar.region_code, solar.headquarters, solar.planned_start) == (
        "municipal", "371525001", "工业项目作战指挥部（演示）", dt.date(2025, 7, 1))
    assert solar.land_demand_ha == Decimal("3.0000") and solar.investment_wan == Decimal("52000.00")
    assert solar.steps.count() == 8


def test_a_dry_run_reports_and_imports_nothing(tmp_path, county_admin):
    report = import_ledger(sheet(tmp_path, BUREAU), actor=county_admin, dry_run=True)
    assert report.rows == 2 and not report.problems and not report.imported
    assert not Project.objects.filter(name="冠县光伏储能项目").exists()


def test_every_bad_row_is_reported_and_nothing_is_imported(tmp_path, county_admin):
    rows = [*BUREAU, ["", "省重点", "清泉街道"], ["坏项目", "特级", "莘县", "", "", "很多", "下个月", -3]]
    report = import_ledger(sheet(tmp_path, rows), actor=county_admin)
    assert report.problems == [
        "第 4 行：缺少项目名称",
        "第 5 行：项目级别“特级”无法识别（国家/省/市/县重点项目）",
        "第 5 行：地区“莘县”不存在或不在您的数据范围内",
        "第 5 行：总投资“很多”不是数字",
        "第 5 行：用地需求不能为负数",
        "第 5 行：计划开工日期“下个月”不是日期（如 2025-06-30）",
    ]
    assert not Project.objects.filter(name="冠县光伏储能项目").exists()


def test_columns_with_other_names_are_mapped_by_the_user(tmp_path, county_admin):
    rows = [["名", "等级", "位置"], ["映射项目", "县重点", "清泉街道"]]
    missing = import_ledger(sheet(tmp_path, rows), actor=county_admin)
    assert "缺少必填列“项目名称”：请在列对应中指定" in missing.problems
    report = import_ledger(sheet(tmp_path, rows), actor=county_admin,
                           mapping={"name": "名", "level": "等级", "region": "位置"})
    assert report.created == ["映射项目"]


def test_the_export_has_the_import_shape_and_imports_again_as_updates(tmp_path, client_for, county_admin):
    import_ledger(sheet(tmp_path, BUREAU), actor=county_admin)
    response = client_for(county_admin).get(reverse("projects:ledger-export") + "?q=冠县光伏")
    wb = load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in wb.active.iter_rows(min_row=2, values_only=True)]
    assert rows[0] == ["序号", *ledger_headers()]  # counted like a bureau's ledger; the import skips 序号
    assert rows[1][:4] == [1, "冠县光伏储能项目", "市重点项目", "371525001"] and rows[1][10] == 45
    rows[1][7] = "规划调整后的业主"
    report = import_ledger(sheet(tmp_path, rows, "exported.xlsx"), actor=county_admin)
    assert report.updated == ["冠县光伏储能项目"] and not report.created
    assert Project.objects.get(name="冠县光伏储能项目").owner == "规划调整后的业主"


def test_the_import_page_shows_the_validation_report(tmp_path, client_for, county_admin):
    with open(sheet(tmp_path, BUREAU), "rb") as upload:
        response = client_for(county_admin).post(reverse("projects:ledger-import"), {"file": upload, "dry_run": "on"})
    text = response.content.decode()
    assert response.status_code == 200 and "共 2 行，校验通过" in text


def test_township_staff_import_only_inside_their_township(tmp_path, township_officer):
    rows = [BUREAU[0], ["外镇项目", "县重点", "371525113"]]
    report = import_ledger(sheet(tmp_path, rows), actor=township_officer)
    assert report.problems == ["第 2 行：地区“371525113”不存在或不在您的数据范围内"]


def test_a_spreadsheet_is_opened_only_after_the_archive_checks(tmp_path, county_admin, settings):
    """An .xlsx is a zip: landguard.formats checks it (here its unpacked size) before openpyxl inflates anything."""
    settings.UPLOAD_MAX_MB = 1
    import zipfile

    from landguard.projects.imports import SheetImportError

    bomb = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * 1_500_000)
    with pytest.raises(SheetImportError) as exc:
        import_ledger(bomb, actor=county_admin)
    assert (exc.value.problems[0] == "无法读取文件：请上传 Excel（.xlsx）文件"
            and "解压后超过 1 MB 上限" in exc.value.problems[1])
    not_xlsx = tmp_path / "notes.xlsx"
    not_xlsx.write_text("项目,类别", encoding="utf-8")
    with pytest.raises(SheetImportError) as exc:
        import_ledger(not_xlsx, actor=county_admin)
    assert exc.value.problems[0] == "无法读取文件：请上传 Excel（.xlsx）文件"
