"""The reports of an analysis: xlsx and docx open and hold the page's figures, rounded as the survey rounds
them; the map GeoJSON and the API JSON come from the same results."""

from __future__ import annotations

import io

import docx
import numpy as np
import openpyxl
import pytest
from shapely.geometry import Polygon, box

from landguard.analysis import reports, selectors, services
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import scope_for
from landguard.layers.models import LayerKind

pytestmark = pytest.mark.django_db

BOUNDARIES = [Polygon([(115.44, 36.51), (115.4594, 36.5115), (115.4604, 36.5256), (115.4412, 36.5251)]),
              box(115.520, 36.450, 115.526, 36.455)]
LABELS = ["项目甲（BSM X1）", "项目乙/二期"]


@pytest.fixture
def report(county_admin) -> reports.OverlayReport:
    scope = scope_for(county_admin)
    versions = [v for v in selectors.overlay_versions(scope) if v.layer.region_code == "371525"]
    dltb = next(v for v in versions if v.layer.kind == LayerKind.DLTB)
    controls = [v for v in versions if v.layer.kind != LayerKind.DLTB]
    results = services.overlay_boundaries(scope=scope, boundaries=BOUNDARIES, dltb=dltb, controls=controls)
    return reports.OverlayReport(LABELS, results, dltb, controls, "冠县（371525）", "边界.geojson")


def test_sections_follow_the_results(report):
    sections = report.sections()
    assert [s.label for s in sections] == LABELS
    first = sections[0]
    assert first.summary[0] == ("分析面积", report.results[0].gross_m2)
    assert [c.key for c in first.codes] == sorted(report.results[0].by_code)
    assert {f.severity for f in first.flags} <= {"danger", "warn", "notice"}
    assert [f.label for f in first.flags] == [str(v.label) for v in (f.verdict for f in report.results[0].verdicts)]


def test_xlsx_holds_the_layers_and_every_table(report):
    book = openpyxl.load_workbook(io.BytesIO(reports.build_xlsx(report)))
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 3
    assert book.sheetnames[2] == "2 项目乙二期"  # numbered, without the characters Excel refuses
    summary = [row for row in book["汇总"].iter_rows(values_only=True)]
    cells = {v for row in summary for v in row if v is not None}
    assert "叠加分析报告" in cells and "冠县（371525）" in cells and "边界.geojson" in cells
    assert "冠县地类图斑（演示）" in cells and any("CGCS2000 椭球面积" in str(v) for v in cells)
    r = report.results[0]
    assert hectares(r.gross_m2) in cells and mu(r.gross_m2) in cells
    sheet = [row for row in book[book.sheetnames[1]].iter_rows(values_only=True)]
    by_code = {row[0]: row for row in sheet if row[0] in r.by_code}
    for code, c in r.by_code.items():
        assert by_code[code][2:6] == (hectares(c.gross_m2), mu(c.gross_m2), hectares(c.net_m2), mu(c.net_m2))
    farmland = next(row for row in sheet if row[0] == "耕地净面积（扣除田坎）")
    assert farmland[1:4] == (round(r.farmland_net_m2, 2), hectares(r.farmland_net_m2), mu(r.farmland_net_m2))
    flags = [row[0] for row in sheet if row[0] in {str(f.label) for f in r.verdicts}]
    assert flags == [str(f.label) for f in r.verdicts]


def test_docx_holds_the_title_layers_and_figures(report):
    document = docx.Document(io.BytesIO(reports.build_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "叠加分析报告" in text and "北京时间" in text and "CGCS2000 椭球面积" in text
    assert "1. 项目甲（BSM X1）" in text and "2. 项目乙/二期" in text
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["冠县地类图斑（演示）", "地类图斑", "v1", "2024", "合成演示数据（非官方调查成果）"] in cells
    r = report.results[0]
    code, c = next(iter(r.by_code.items()))
    assert [code, str(c.label), f"{hectares(c.gross_m2):,.4f}", f"{mu(c.gross_m2):,.2f}", f"{hectares(c.net_m2):,.4f}",
            f"{mu(c.net_m2):,.2f}"] in cells
    assert ["分析面积", f"{r.gross_m2:,.2f}", f"{hectares(r.gross_m2):,.4f}", f"{mu(r.gross_m2):,.2f}"] in cells


def test_map_data_has_the_pieces_by_class_and_the_controls(report):
    data = reports.map_data(report, np.array(BOUNDARIES, dtype=object), {})
    assert [f["properties"]["label"] for f in data["boundaries"]["features"]] == LABELS
    assert len(data["pieces"]["features"]) == sum(len(r.pieces) for r in report.results)
    piece = data["pieces"]["features"][0]["properties"]
    assert set(piece) >= {"code", "name", "level1", "level1_name", "gross_ha", "gross_mu", "net_mu", "kcxs", "bsm"}
    assert {f["properties"]["kind"] for f in data["controls"]["features"]} <= {"basic_farmland", "eco_redline",
        "dev_boundary", "approved"}
    x0, y0, x1, y1 = data["bounds"]
    assert x0 == pytest.approx(115.44) and y1 == pytest.approx(36.5256)


def test_as_dict_is_the_api_shape(report):
    body = report.as_dict()
    assert [layer["slug"] for layer in body["layers"]][0] == "371525-dltb"
    first = body["results"][0]
    assert first["label"] == LABELS[0] and first["gross"]["ha"] == hectares(report.results[0].gross_m2)
    assert {row["key"] for row in first["by_code"]} == set(report.results[0].by_code)


def test_the_word_report_is_a4_with_its_title_author_and_a_map_of_each_boundary(report):
    document = docx.Document(io.BytesIO(reports.build_docx(report)))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.core_properties.title == "叠加分析报告"
    assert document.core_properties.author == "冠县（371525）"
    pictures = document.inline_shapes
    assert len(pictures) == len(BOUNDARIES)  # one figure per boundary, across the text width
    assert all(p.width <= section.page_width - section.left_margin - section.right_margin for p in pictures)
    captions = [p.text for p in document.paragraphs if p.text.startswith("图：")]
    assert captions == [f"图：{label} 地类分布（一级类）" for label in LABELS]


def test_the_xlsx_report_prints_on_a4_fitted_to_the_page_width(report):
    workbook = openpyxl.load_workbook(io.BytesIO(reports.build_xlsx(report)))
    for sheet in workbook.worksheets:
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
