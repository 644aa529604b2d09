"""Dispatch: the weekly report's three lists and progress tables (and their docx and xlsx), the daily digest and
the monthly ranking of service groups."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from landguard.core.scope import scope_for
from landguard.projects import reports, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import Project, ServiceGroup

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_report_day_is_the_latest_configured_weekday():
    assert reports.report_day_for(D(2025, 6, 19)) == D(2025, 6, 19)  # a Thursday
    assert reports.report_day_for(D(2025, 6, 18)) == D(2025, 6, 12)
    with override_settings(WEEKLY_REPORT_WEEKDAY=1):
        assert reports.report_day_for(D(2025, 6, 18)) == D(2025, 6, 16)  # Monday


@pytest.fixture
def week(at, county_admin, qingquan):
    """A project whose 规划条件 is overdue by Thursday 2025-06-19, with a 容缺 item and a problem."""
    at(D(2025, 6, 3))
    project = services.create_project(actor=county_admin, name="周报项目", level=Project.Level.COUNTY, region=qingquan)
    first, second = project.steps.get(order=1), project.steps.get(order=2)
    services.start_step(actor=county_admin, step=first)
    services.start_step(actor=county_admin, step=second)
    services.add_deferred_item(actor=county_admin, step=first, material="权属证明", promised_on=D(2025, 6, 10),
                               owner="业主")
    services.raise_problem(actor=county_admin, project=project, category="quota", description="指标不足",
                           division="耕保科", deadline=D(2025, 6, 12))
    at(D(2025, 6, 20))
    return project


def test_the_three_lists_hold_the_weeks_rows(week, county_admin):
    report = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 20), scope_label="冠县",
                                   calendar=work_calendar())
    assert (report.report_day, report.week_start) == (D(2025, 6, 19), D(2025, 6, 13))
    problem = next(r for r in report.problems.rows if r[1] == "周报项目")
    assert problem[2:] == ["指标", "指标不足", "耕保科", D(2025, 6, 12), "待解决", "是"]
    tasks = {(r[1], r[2], r[6]) for r in report.tasks.rows}
    assert {("周报项目", "规划条件", "超期"), ("周报项目", "用地预审与选址意见书", "正常推进"),
            ("周报项目", "补齐容缺材料：权属证明（用地预审与选址意见书）", "超期")} <= tasks
    assert report.responsibilities.headers[2] == "地区"


def test_a_township_officer_gets_the_report_of_the_township(week, township_officer, county_admin):
    officer = reports.weekly_report(scope_for(township_officer), day=D(2025, 6, 20), scope_label="",
                                    calendar=work_calendar())
    county = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 20), scope_label="",
                                   calendar=work_calendar())
    assert {r[1] for r in officer.tasks.rows} <= {r[1] for r in county.tasks.rows}
    assert any(r[1] == "周报项目" for r in officer.tasks.rows)


def test_the_docx_and_xlsx_carry_the_same_lists(week, client_for, county_admin):
    client = client_for(county_admin)
    xlsx = load_workbook(io.BytesIO(client.get(reverse("projects:weekly-xlsx") + "?date=2025-06-19").content))
    # the four lists, then the sections other apps add in their order (the approvals' week and year to date first;
    # land supply and plan indicators after)
    assert xlsx.sheetnames[:6] == ["问题清单", "责任清单", "任务清单", "推进情况", "本周报批进展",
                                   "2025 年累计批复（截至本周）"]
    assert any(row[1] == "周报项目" and row[2] == "规划条件"
               for row in xlsx["任务清单"].iter_rows(min_row=3, values_only=True))
    response = client.get(reverse("projects:weekly-docx") + "?date=2025-06-19")
    assert response["Content-Type"] == reports.DOCX_MIME
    document = Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "用地要素保障周报（2025-06-19）"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["一、问题清单", "二、责任清单", "三、任务清单"]
    assert any("本周报批进展" in h for h in headings)
    assert any("指标不足" in cell.text for table in document.tables for row in table.rows for cell in row.cells)


def test_the_weekly_page_paginates_each_list(week, client_for, county_admin):
    response = client_for(county_admin).get(reverse("projects:weekly") + "?date=2025-06-19")
    text = response.content.decode()
    assert "1. 问题清单" in text and "2. 责任清单" in text and "3. 任务清单" in text and "周报项目" in text


def test_the_daily_digest_lists_the_days_changes(week, client_for, county_admin):
    # The digest reads the audit trail, stamped with the real time of each change.
    day = timezone.localdate().isoformat()
    text = client_for(county_admin).get(reverse("projects:daily") + f"?day={day}").content.decode()
    assert "周报项目 · 规划条件" in text and "指标：指标不足" in text


def test_the_ranking_orders_groups_by_on_time_rate_then_early_completions(at, county_admin, qingquan, client_for):
    at(D(2025, 3, 3))
    fast = services.create_service_group(actor=county_admin, region=qingquan, name="快组", headquarters="甲指挥部")
    slow = services.create_service_group(actor=county_admin, region=qingquan, name="慢组", headquarters="乙指挥部")
    for group, finish in ((fast, D(2025, 3, 14)), (slow, D(2025, 3, 20))):
        at(D(2025, 3, 3))
        project = services.create_project(actor=county_admin, name=f"{group.name}项目", level="county", region=qingquan,
                                          service_group=group)
        step = project.steps.get(order=2)  # due 17 March
        services.start_step(actor=county_admin, step=step)
        at(finish)
        services.complete_step(actor=county_admin, step=step)
    ranked = [g for g in reports.ranking(scope_for(county_admin), D(2025, 3, 1)) if g.name in ("快组", "慢组")]
    assert [(g.name, g.closed, g.ahead, g.late, g.rate) for g in ranked] == [("快组", 1, 1, 0, 100.0),
        ("慢组", 1, 0, 1, 0.0)]
    client = client_for(county_admin)
    page = client.get(reverse("projects:ranking") + "?month=2025-03").content.decode()
    assert "本月排名第一：快组" in page and reverse("projects:red-flag-award") not in page  # March is still running
    at(D(2025, 4, 1))
    page = client.get(reverse("projects:ranking") + "?month=2025-03").content.decode()
    # the leader is proposed, and a past month's red flag is awarded by a leader or admin, then stored
    assert "本月排名第一：快组" in page and reverse("projects:red-flag-award") in page
    client.post(reverse("projects:red-flag-award"), {"month": "2025-03"})
    page = client.get(reverse("projects:ranking") + "?month=2025-03").content.decode()
    assert "2025-03 流动红旗：快组" in page and reverse("projects:red-flag-award") not in page
    assert ServiceGroup.objects.filter(name="快组").exists()


def test_the_weekly_xlsx_writes_wan_mu_and_rates_with_number_formats_not_general(week, county_admin):
    report = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 20), scope_label="冠县",
                                   calendar=work_calendar())
    table = report.responsibilities
    row = [1, "责任清单", "冠县", "领导", "处室", 3, 1.2345, 1, 0.5, 40.5, 0.7345]
    book = load_workbook(io.BytesIO(reports.weekly_xlsx(dataclasses.replace(report, responsibilities=reports.Table(
        table.title, table.headers, [row], table.formats)))))
    sheet = book["责任清单"]
    formats = {sheet.cell(row=2, column=c).value: sheet.cell(row=3, column=c).number_format
               for c in range(1, len(row) + 1)}
    assert formats["目标面积（万亩）"] == formats["完成面积（万亩）"] == formats["差距（万亩）"] == "#,##0.0000"
    assert formats["面积完成率（%）"] == "0.0" and formats["目标件数"] == "#,##0"


def test_the_weekly_report_is_as_of_its_report_day_not_of_today(week, at, county_admin):
    """Steps and problems closed after the report day were open on it: a report re-read later says the same."""
    first = week.steps.get(order=1)
    problem = week.problems.get()
    services.clear_deferred_item(actor=county_admin, item=first.deferred_items.get())
    services.complete_step(actor=county_admin, step=first)  # today, 2025-06-20: the day after the report day
    services.resolve_problem(actor=county_admin, problem=problem, resolution="已协调")
    services.close_problem(actor=county_admin, problem=problem)
    report = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 20), scope_label="冠县",
                                   calendar=work_calendar())
    assert report.report_day == D(2025, 6, 19)
    row = next(r for r in report.problems.rows if r[1] == "周报项目")
    assert row[6:] == ["待解决", "是"]
    tasks = {(r[1], r[2]): (r[4], r[6]) for r in report.tasks.rows}
    assert tasks[("周报项目", first.name)] == ("办理中", "正常推进")
    status = report.progress[0].rows[-1]  # 合计: the project was overdue on the report day
    assert status[1] == 1 and status[2] == 1


def test_a_project_registered_after_the_report_day_is_not_in_its_figures(week, at, county_admin, qingquan):
    at(D(2025, 6, 21))
    services.create_project(actor=county_admin, name="周六登记的项目", level=Project.Level.COUNTY, region=qingquan)
    report = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 21), scope_label="冠县",
                                   calendar=work_calendar())
    assert report.progress[0].rows[-1][1] == 1


def test_the_weekly_word_file_is_a4_and_puts_the_eleven_column_list_on_landscape_pages(week, county_admin):
    report = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 20), scope_label="冠县",
                                   calendar=work_calendar())
    document = Document(io.BytesIO(reports.weekly_docx(report)))
    first = document.sections[0]
    assert (round(first.page_width.cm, 1), round(first.page_height.cm, 1)) == (21.0, 29.7)
    assert document.core_properties.title == report.title and document.core_properties.author == "冠县"
    wide = [t for t in document.tables if len(t.columns) > 7]
    assert wide, "the 责任清单 has 11 columns"
    landscape = [s for s in document.sections if s.page_width > s.page_height]
    assert landscape and all(round(s.page_width.cm, 1) == 29.7 for s in landscape)
    assert document.sections[-1].page_width < document.sections[-1].page_height or len(document.tables) == 0


def test_the_weekly_xlsx_sheets_print_fitted_to_one_page_wide_with_their_headings_repeated(week, county_admin):
    report = reports.weekly_report(scope_for(county_admin), day=D(2025, 6, 20), scope_label="冠县",
                                   calendar=work_calendar())
    workbook = load_workbook(io.BytesIO(reports.weekly_xlsx(report)))
    sheet = workbook[report.responsibilities.title]
    assert sheet.page_setup.orientation == "landscape"  # 11 columns
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$2"
