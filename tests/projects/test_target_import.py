"""Responsibility-list (责任清单) import: an unknown region, a negative number or a total that does not add up is
rejected with a message naming the row and nothing is imported; accepted totals are the sums of the rows;
progress comes from the steps actually completed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from landguard.audit.models import AuditEntry
from landguard.core.scope import scope_for
from landguard.demo.projects import _square
from landguard.projects import selectors, services
from landguard.projects.imports import SheetImportError, import_target_list
from landguard.projects.models import Project, Target, TargetList
from landguard.shell import approved_land

pytestmark = pytest.mark.django_db
HEADER = ["地区", "责任领导", "责任处室", "用地任务件数", "用地任务面积（万亩）", "省重点项目件数",
          "省重点项目面积（万亩）", "合计件数",
          "合计面积（万亩）"]
START, END = dt.date(2025, 11, 1), dt.date(2025, 12, 31)


def xlsx(tmp_path: Path, rows: list[list], header: list | None = None, extra_header: list | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["湖北式责任清单（测试）"])  # a title line above the header is common
    ws.append(header or HEADER)
    if extra_header:
        ws.append(extra_header)
    for row in rows:
        ws.append(row)
    path = tmp_path / "清单.xlsx"
    wb.save(path)
    return path


def do_import(path: Path, actor, region, **kwargs) -> TargetList:
    return import_target_list(path, actor=actor, name="测试清单", region=region, period_start=START, period_end=END,
                              **kwargs)


GOOD = [["清泉街道", "张三", "耕保科", 2, 0.05, 1, 0.02, 3, 0.07],
        ["崇文街道", "李四", "利用科", 1, 0.0125, 0, 0, 1, 0.0125],
        ["合计", "", "", 3, 0.0625, 1, 0.02, 4, 0.0825]]


def test_a_good_list_is_imported_with_totals_equal_to_the_sum_of_its_rows(tmp_path, county_admin, guanxian):
    target_list = do_import(xlsx(tmp_path, GOOD), county_admin, guanxian, floor_wan_mu=Decimal("0.05"))
    rows = list(target_list.targets.order_by("row"))
    assert [(t.region.name, t.leader, t.division, t.total_cases, t.total_wan_mu) for t in rows] == [
        ("清泉街道", "张三", "耕保科", 3, Decimal("0.0700")), ("崇文街道", "李四", "利用科", 1, Decimal("0.0125"))]
    assert target_list.total_cases == sum(t.total_cases for t in rows) == 4
    assert target_list.total_wan_mu == sum(t.total_wan_mu for t in rows) == Decimal("0.0825")
    assert AuditEntry.objects.filter(target_type="projects.targetlist", action="import").exists()


def test_a_region_can_be_given_by_code_and_totals_may_be_left_to_compute(tmp_path, county_admin, guanxian):
    path = xlsx(tmp_path, [["371525001", 2, 0.05]], header=["地区", "用地任务件数", "用地任务面积（万亩）"])
    target_list = do_import(path, county_admin, guanxian)
    (target,) = target_list.targets.all()
    assert (target.region.code, target.total_cases, target.total_wan_mu) == ("371525001", 2, Decimal("0.0500"))


def test_the_two_row_hubei_header_is_understood(tmp_path, county_admin, guanxian):
    path = xlsx(tmp_path, [["清泉街道", "张三", "耕保科", 2, 0.05, 1, 0.02, 3, 0.07]],
                header=["地区", "责任领导", "责任处室", "11-12月用地任务", None, "省重点项目", None, "合计", None],
                extra_header=[None, None, None, "件数", "面积（万亩）", "件数", "面积（万亩）", "件数", "面积（万亩）"])
    (target,) = do_import(path, county_admin, guanxian).targets.all()
    assert (target.task_cases, target.task_wan_mu, target.key_cases, target.key_wan_mu, target.total_wan_mu) == (
        2, Decimal("0.0500"), 1, Decimal("0.0200"), Decimal("0.0700"))


def _rejected(tmp_path, rows, actor, region) -> list[str]:
    before = (TargetList.objects.count(), Target.objects.count())
    with pytest.raises(SheetImportError) as caught:
        do_import(xlsx(tmp_path, rows), actor, region)
    assert (TargetList.objects.count(), Target.objects.count()) == before, "a rejected file must import nothing"
    return caught.value.problems


def test_an_unknown_region_is_rejected_naming_the_row(tmp_path, county_admin, guanxian):
    rows = [GOOD[0], ["不存在镇", "王五", "耕保科", 1, 0.01, 0, 0, 1, 0.01]]
    assert _rejected(tmp_path, rows, county_admin, guanxian) == ["第 4 行：地区“不存在镇”不存在或不在冠县范围内"]


def test_a_region_outside_the_issuing_region_is_rejected(tmp_path, county_admin, guanxian):
    rows = [["莘县", "王五", "耕保科", 1, 0.01, 0, 0, 1, 0.01]]
    assert _rejected(tmp_path, rows, county_admin, guanxian) == ["第 3 行：地区“莘县”不存在或不在冠县范围内"]


def test_a_negative_number_is_rejected_naming_row_and_column(tmp_path, county_admin, guanxian):
    rows = [["清泉街道", "张三", "耕保科", 2, -0.05, 1, 0.02, 3, -0.03]]
    problems = _rejected(tmp_path, rows, county_admin, guanxian)
    assert problems[0] == "第 3 行：用地任务面积不能为负数（-0.05）"


def test_a_row_total_that_does_not_add_up_is_rejected(tmp_path, county_admin, guanxian):
    rows = [["清泉街道", "张三", "耕保科", 2, 0.05, 1, 0.02, 4, 0.07]]
    assert _rejected(tmp_path, rows, county_admin, guanxian) == ["第 3 行：合计件数 4 不等于用地任务与省重点项目之和 3"]


def test_a_total_row_that_does_not_add_up_beyond_rounding_is_rejected(tmp_path, county_admin, guanxian):
    # 0.12 against 0.0825: more than rounding to two decimals can explain (≤ 0.005 × 3).
    rows = [*GOOD[:2], ["合计", "", "", 3, 0.0625, 1, 0.02, 4, 0.12]]
    problems = _rejected(tmp_path, rows, county_admin, guanxian)
    assert problems == ["第 5 行：合计面积 0.1200 不等于用地任务与省重点项目之和 0.0825"]


def test_a_total_printed_to_fewer_decimals_than_its_parts_is_a_warning_and_the_sum_is_kept(tmp_path, county_admin,
                                                                                        guanxian):
    rows = [["清泉街道", "张三", "耕保科", 2, 0.0512, 1, 0.0237, 3, 0.07]]  # 0.0749 printed as 0.07
    target_list = do_import(xlsx(tmp_path, rows), county_admin, guanxian)
    (target,) = target_list.targets.all()
    assert target.total_wan_mu == Decimal("0.0749")
    assert target_list.import_warnings == [
        "第 3 行：合计面积印为 0.07，用地任务与省重点项目之和为 0.0749，相差 0.0049，属四舍五入，按计算值 0.0749 保存"]


def test_a_total_row_that_differs_from_the_rows_is_rejected(tmp_path, county_admin, guanxian):
    rows = [*GOOD[:2], ["合计", "", "", 4, 0.0625, 1, 0.02, 5, 0.0825]]
    problems = _rejected(tmp_path, rows, county_admin, guanxian)
    assert problems == ["第 5 行（合计）：用地任务件数 4 与各行之和 3 不符",
                        "第 5 行（合计）：合计件数 5 与各行之和 4 不符"]


def test_text_where_a_number_belongs_and_a_duplicate_region_are_rejected(tmp_path, county_admin, guanxian):
    rows = [GOOD[0], ["清泉街道", "张三", "耕保科", "两", 0.05, 0, 0, 2, 0.05], GOOD[0]]
    problems = _rejected(tmp_path, rows, county_admin, guanxian)
    assert problems == ["第 4 行：用地任务件数“两”不是数字", "第 5 行：地区“清泉街道”与第 3 行重复"]


def test_only_managers_import_and_only_inside_their_scope(tmp_path, township_officer, other_county_user, guanxian):
    with pytest.raises(PermissionDenied):
        do_import(xlsx(tmp_path, GOOD[:1]), township_officer, guanxian)
    with pytest.raises(PermissionDenied):
        do_import(xlsx(tmp_path, GOOD[:1]), other_county_user, guanxian)


@pytest.fixture
def without_approved_land():
    """No approved-land provider registered (a deployment without the approvals app): the step proxy counts."""
    kept = approved_land.PROVIDERS.all()
    for provider in kept:
        approved_land.PROVIDERS.unregister(provider.key)
    yield
    for provider in kept:
        approved_land.register(provider)


def test_without_approvals_progress_falls_back_to_the_counted_step_closing_in_the_period(
        tmp_path, county_admin, guanxian, qingquan, township_officer, at, without_approved_land):
    at(dt.date(2025, 11, 3))
    assert "组卷报批" in selectors.progress_basis()
    target_list = do_import(xlsx(tmp_path, GOOD[:2]), county_admin, guanxian, floor_wan_mu=Decimal("0.05"),
                            stretch_wan_mu=Decimal("0.2"))
    project = services.create_project(actor=county_admin, name="保障项目", level=Project.Level.PROVINCIAL,
                                      boundary=_square(qingquan, 0.004))
    for order in (1, 3):
        step = project.steps.get(order=order)
        services.start_step(actor=county_admin, step=step)
        services.complete_step(actor=county_admin, step=step)  # 3 = 农转用/征收组卷报批, counted
    scope = scope_for(county_admin)
    progress = {p.target.region.name: p for p in selectors.target_progress(scope, target_list)}
    area_wan_mu = round(project.area_m2 / (2000 / 3) / 10_000, 4)
    assert (progress["清泉街道"].key_cases, progress["清泉街道"].key_wan_mu) == (1, area_wan_mu)
    assert progress["清泉街道"].task_cases == 0 and progress["崇文街道"].total_cases == 0
    totals = selectors.list_totals(target_list, list(progress.values()))
    assert totals.done_wan_mu == area_wan_mu and totals.floor_gap == round(max(0, 0.05 - area_wan_mu), 4)
    # The township officer sees only the row of the township.
    officer_rows = selectors.target_progress(scope_for(township_officer), target_list)
    assert [p.target.region.name for p in officer_rows] == ["清泉街道"]


# --- the list as a province publishes it ----------------------------------------------------------------------
# The shape of 湖北's 用地要素保障包联责任清单: a title line, 序号, 市州 named as printed (恩施州 for the autonomous
# prefecture; 仙桃市, 潜江市, 天门市 and 神农架林区 directly under the province), 宗数 for cases, an area column
# headed only 拟用地面积（万亩） after each count, a period total 11-12月用地总量（万亩） printed to 2 decimals while
# its parts carry 3–4, and a 合计 row.
PUBLISHED_HEADER = ["序号", "市州", "包联厅领导", "责任处室", "市州报送用地任务宗数", "拟用地面积（万亩）",
                    "省级重点项目宗数",
                    "拟用地面积（万亩）", "11-12月用地总量（万亩）"]
PUBLISHED_UNITS = ["武汉市", "黄石市", "十堰市", "宜昌市", "襄阳市", "鄂州市", "荆门市", "孝感市", "荆州市", "黄冈市",
                   "咸宁市", "随州市", "恩施州", "仙桃市", "潜江市", "天门市", "神农架林区"]


@pytest.fixture
def hubei(db):
    from django.conf import settings

    from landguard.regions.importers import import_code_table
    from landguard.regions.models import Region

    import_code_table(Path(settings.REFDATA_DIR) / "mca-xzqh-20251231" / "region.csv", edition="mca-test-42",
                      published=dt.date(2025, 12, 31), prefix="42")
    return Region.objects.get(code="42", retired_in__isnull=True)


def published_list(tmp_path: Path, *, extra_rows: list[list] = (), total_shift: float = 0.0) -> tuple[Path, Decimal]:
    """The published table; returns the file and the exact sum of its areas (what must be stored)."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2025年11-12月全省用地要素保障包联责任清单"])
    ws.append(PUBLISHED_HEADER)
    exact = Decimal(0)
    sums = [0, Decimal(0), 0, Decimal(0)]
    for i, unit in enumerate(PUBLISHED_UNITS, start=1):
        task_cases, task_area = 3 + i % 4, Decimal("0.1234") + Decimal(i) * Decimal("0.0371")
        key_cases, key_area = i % 3, Decimal("0.057") * (i % 3)
        total = task_area + key_area
        exact += total
        for j, v in enumerate((task_cases, task_area, key_cases, key_area)):
            sums[j] += v
        ws.append([i, unit, f"厅领导{i}", "用途管制处", task_cases, float(task_area), key_cases, float(key_area),
                   round(float(total), 2)])
        ws.cell(ws.max_row, 9).number_format = "0.00"
    for row in extra_rows:
        ws.append(row)
    ws.append(["", "合计", "", "", sums[0], float(sums[1]), sums[2], float(sums[3]),
               round(float(exact), 2) + total_shift])
    ws.cell(ws.max_row, 9).number_format = "0.00"
    path = tmp_path / "包联责任清单.xlsx"
    wb.save(path)
    return path, exact


def test_the_published_provincial_list_imports_as_printed_with_rounding_warnings(tmp_path, hubei):
    path, exact = published_list(tmp_path)
    target_list = import_target_list(path, actor=None, name="包联责任清单", region=hubei, period_start=START,
                                     period_end=END)
    targets = {t.region.name: t for t in target_list.targets.select_related("region")}
    assert len(targets) == 17
    assert targets["恩施土家族苗族自治州"].region.code == "4228"
    assert {targets[n].region.code for n in ("仙桃市", "潜江市", "天门市", "神农架林区")} == {"429004", "429005",
        "429006", "429021"}
    assert targets["武汉市"].leader == "厅领导1" and targets["武汉市"].task_cases == 4
    assert target_list.total_wan_mu == exact.quantize(Decimal("0.0001"))  # the computed sums are stored
    assert target_list.import_warnings, "a 2-decimal total over 4-decimal parts is rounding, and it is said so"
    assert all("属四舍五入" in w for w in target_list.import_warnings)
    assert any(w.startswith("第 3 行：合计面积印为 ") for w in target_list.import_warnings)  # row named, both figures


def test_the_published_list_still_refuses_real_errors_naming_the_row(tmp_path, hubei):
    path, _exact = published_list(tmp_path, extra_rows=[["18", "测试州", "", "", 1, 0.1, 0, 0, 0.1]])
    with pytest.raises(SheetImportError) as caught:
        import_target_list(path, actor=None, name="包联责任清单", region=hubei, period_start=START, period_end=END)
    assert caught.value.problems == ["第 20 行：地区“测试州”不存在或不在湖北省范围内"]
    path, _exact = published_list(tmp_path, total_shift=0.5)  # the 合计 row off by half a 万亩
    with pytest.raises(SheetImportError) as caught:
        import_target_list(path, actor=None, name="包联责任清单", region=hubei, period_start=START, period_end=END)
    (problem,) = caught.value.problems
    assert problem.startswith("第 20 行：合计面积 9.3000 不等于用地任务与省重点项目之和 8.80")
    assert not TargetList.objects.filter(name="包联责任清单").exists()


def test_the_import_targets_command_judges_the_issuing_region_and_prints_warnings_and_totals(tmp_path, hubei):
    from io import StringIO

    from django.core.management import call_command

    path, exact = published_list(tmp_path)
    out = StringIO()
    call_command("import_targets", str(path), "--year", "2025", "--name", "湖北包联清单", stdout=out)
    text = out.getvalue()
    target_list = TargetList.objects.get(name="湖北包联清单")
    assert target_list.region.code == "42" and (target_list.period_start, target_list.period_end) == (
        dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert text.count("提示：") == len(target_list.import_warnings) > 0
    assert f"17 个地区，合计 {target_list.total_cases} 件、{exact.quantize(Decimal('0.0001'))} 万亩" in text


def test_the_web_import_says_a_rounding_difference_and_the_list_page_shows_it_to_the_issuer_only(
        tmp_path, client_for, county_admin, township_officer, guanxian):
    from django.urls import reverse

    rows = [["清泉街道", "张三", "耕保科", 2, 0.0512, 1, 0.0237, 3, 0.07]]
    admin = client_for(county_admin)
    with open(xlsx(tmp_path, rows), "rb") as fh:
        response = admin.post(reverse("projects:target-import"), {
            "file": fh, "name": "网页导入清单", "region": guanxian.pk, "period_start": "2025-11-01",
            "period_end": "2025-12-31"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已按计算值保存" in page and "合计面积印为 0.07" in page
    target_list = TargetList.objects.get(name="网页导入清单")
    officer_page = client_for(township_officer).get(
        reverse("projects:target-detail", args=[target_list.pk])).content.decode()
    assert "清泉街道" in officer_page and "合计面积印为" not in officer_page


def test_with_approvals_a_closed_step_alone_does_not_count(tmp_path, county_admin, guanxian, qingquan, at):
    """The approvals app is installed: progress is the dossiers' approved land (tests/approvals), a closed
    组卷报批 step without an approved dossier counts nothing."""
    at(dt.date(2025, 11, 3))
    target_list = do_import(xlsx(tmp_path, GOOD[:2]), county_admin, guanxian)
    project = services.create_project(actor=county_admin, name="保障项目", level=Project.Level.PROVINCIAL,
                                      boundary=_square(qingquan, 0.004))
    for order in (1, 3):
        step = project.steps.get(order=order)
        services.start_step(actor=county_admin, step=step)
        services.complete_step(actor=county_admin, step=step)
    assert "报批卷宗批复" in selectors.progress_basis()
    assert all(p.total_cases == 0 for p in selectors.target_progress(scope_for(county_admin), target_list))



def test_the_list_page_shows_each_goal_as_a_figure_with_its_gap_labelled(county_admin, client_for):
    from django.urls import reverse

    from landguard.core.scope import scope_for as scoped
    from landguard.projects import selectors
    from landguard.projects.models import TargetList

    target_list = TargetList.objects.filter(region_code__startswith="371525", floor_wan_mu__isnull=False).first()
    html = client_for(county_admin).get(reverse("projects:target-detail", args=[target_list.pk])).content.decode()
    totals = selectors.list_totals(target_list, selectors.target_progress(scoped(county_admin), target_list))
    card = html[html.index('data-goal="floor"'):]
    card = card[:card.index("</div></div>") + 12]
    # the goal once as the card's figure, the gap once and labelled, both to 4 places: never "0.3500 … 0.35"
    assert f'<div class="card-value">{target_list.floor_wan_mu:.4f}</div>' in card
    assert f"尚差 {totals.floor_gap:.4f}" in card and card.count("万亩") == 1
