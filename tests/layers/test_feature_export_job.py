"""The features export with a bounded cost (issue 10): above EXPORT_SYNC_ROWS (and for CSV / GeoPackage) it is a
background job whose page shows progress and then a download for its submitter only; the workbook is written
row by row (openpyxl write-only) with the same title row, 序号 and number formats; above Excel's row limit
xlsx is refused and GeoPackage / CSV are offered. Real database, real files, the real job runner."""

from __future__ import annotations

import csv
import io

import openpyxl
import pyogrio
import pytest
from django.urls import reverse

from landguard.jobs import services as job_services
from landguard.jobs.models import Job
from landguard.layers import exports
from landguard.layers.models import Feature

pytestmark = pytest.mark.django_db

SLUG = "371525-dltb"
TOWNSHIP = "371525001"  # 清泉街道


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_SYNC_ROWS = 100


def _export(client, **params):
    return client.get(reverse("layers:features-export", args=[SLUG]), params)


def _run_submitted(client, **params) -> tuple[Job, bytes]:
    response = _export(client, **params)
    job = Job.objects.get(kind=Job.Kind.LAYER_EXPORT)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "导出较大，正在后台生成…" in page  # the queued job's page says what is happening
    done = job_services.run(job.pk)
    assert done.status == Job.Status.DONE, done.error
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("jobs:result", args=[job.pk]) in page
    download = client.get(reverse("jobs:result", args=[job.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    return done, b"".join(download.streaming_content)


def test_a_large_xlsx_export_becomes_a_job_whose_workbook_keeps_the_ledger_layout(client_for, township_officer):
    client = client_for(township_officer)
    job, body = _run_submitted(client)
    expected = Feature.objects.filter(version__layer__slug=SLUG, version__is_current=True,
                                      region_code__startswith=TOWNSHIP).count()
    assert expected > 100 and job.report == [f"已导出 {expected} 个要素"]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert "数据范围" in sheet["A1"].value and sheet["A1"].font.bold
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:L1"]
    assert [c.value for c in sheet[2]][:5] == ["序号", "要素编号", "地类编码", "坐落行政区代码", "坐落行政区"]
    assert [c.value for c in sheet[2]][10:] == ["权属性质", "权属"]
    stored = dict(Feature.objects.filter(version__layer__slug=SLUG, version__is_current=True)
                  .values_list("fid", "qsxz"))
    owned = [(row[1].value, row[10].value, row[11].value) for row in sheet.iter_rows(min_row=3)]
    assert all(code == stored[fid] and label == {"1": "国有", "2": "国有", "3": "集体", "4": "集体"}[code[0]]
               for fid, code, label in owned)
    assert sheet.freeze_panes == "A3" and sheet.max_row == expected + 2
    assert sheet.cell(row=3, column=7).number_format == "#,##0.0000"  # 公顷
    assert sheet.cell(row=3, column=8).number_format == "#,##0.00"  # 亩
    regions = {row[3].value for row in sheet.iter_rows(min_row=3)}
    assert all(code.startswith(TOWNSHIP) for code in regions)


def test_the_download_is_for_the_submitter_only(client_for, township_officer, county_admin):
    job, _body = _run_submitted(client_for(township_officer))
    # the county admin's scope holds the job (it sees the job page) but the file is the officer's
    assert client_for(county_admin).get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client_for(county_admin).get(reverse("jobs:result", args=[job.pk])).status_code == 404


def test_csv_and_geopackage_exports_are_produced_by_the_job(client_for, township_officer, tmp_path):
    client = client_for(township_officer)
    expected = list(Feature.objects.filter(version__layer__slug=SLUG, version__is_current=True,
                                           region_code__startswith=TOWNSHIP, code__startswith="01")
                    .order_by("index").values_list("fid", "area_m2"))
    _job, body = _run_submitted(client, format="csv", code="01")
    assert body.startswith("\ufeff".encode())  # Excel opens the Chinese headers
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "要素编号", "地类编码"] and [r[1] for r in rows[1:]] == [f for f, _a in expected]
    assert rows[0][-2:] == ["权属性质", "权属"] and all(r[-2] and r[-1] in ("国有", "集体") for r in rows[1:])
    Job.objects.all().delete()
    _job, body = _run_submitted(client, format="gpkg", code="01")
    path = tmp_path / "out.gpkg"
    path.write_bytes(body)
    info = pyogrio.read_info(path)
    assert info["features"] == len(expected) and info["crs"] == "EPSG:4490"
    assert list(info["fields"])[:3] == ["index", "feature_no", "code"]
    assert list(info["fields"])[-2:] == ["qsxz", "ownership"]
    meta, _fids, geometry, fields = pyogrio.raw.read(path)
    assert list(fields[1]) == [f for f, _a in expected]
    stored = dict(Feature.objects.filter(version__layer__slug=SLUG, version__is_current=True)
                  .values_list("fid", "qsxz"))
    assert list(fields[-2]) == [stored[f] for f, _a in expected] and set(fields[-1]) <= {"国有", "集体"}
    assert list(fields[5]) == pytest.approx([round(a, 2) for _f, a in expected])
    assert len(geometry) == len(expected) and all(g is not None for g in geometry)


def test_xlsx_above_excels_row_limit_is_refused_offering_geopackage_and_csv(client_for, township_officer,
                                                                            monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_DATA_ROWS", 50)
    response = _export(client_for(township_officer))
    page = response.content.decode()
    assert response.status_code == 200 and "超过 Excel 单表上限" in page
    assert "format=gpkg" in page and "format=csv" in page
    assert not Job.objects.exists()


def test_a_small_selection_is_still_an_xlsx_at_once(client_for, township_officer):
    fid = Feature.objects.filter(version__layer__slug=SLUG, version__is_current=True,
                                 region_code__startswith=TOWNSHIP).order_by("index").values_list("fid", flat=True)[0]
    response = _export(client_for(township_officer), q=fid)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 3 and sheet.cell(row=3, column=2).value.startswith(fid)
    assert not Job.objects.exists()
