"""A list page's export with a bounded cost (issue 10): up to EXPORT_SYNC_ROWS rows it is an xlsx at once; a longer
list becomes a background job that streams the very same rows (same filter, same scope, same columns) to a
write-only workbook, in the submitter's language, downloadable by the submitter only. Real database, real files,
the real job runner."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from landguard.jobs import services as job_services
from landguard.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _rows(body: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def _at_once(client, params) -> bytes:
    response = client.get(reverse("regions:export"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _through_a_job(client, params) -> tuple[Job, bytes]:
    response = client.get(reverse("regions:export"), params)
    job = Job.objects.get(kind=Job.Kind.LIST_EXPORT)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    done = job_services.run(job.pk)
    assert done.status == Job.Status.DONE, done.error
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("jobs:result", args=[job.pk]) in page
    download = client.get(reverse("jobs:result", args=[job.pk]))
    assert download.status_code == 200 and download.filename.endswith(".xlsx")
    return done, b"".join(download.streaming_content)


def test_a_long_list_exports_through_a_job_with_the_same_rows_as_at_once(client_for, county_admin, settings):
    client = client_for(county_admin)
    params = {"q": "3715250"}  # the filter goes with the job: 冠县's townships, not the county itself
    settings.EXPORT_SYNC_ROWS = 10_000
    direct = _rows(_at_once(client, params))
    assert len(direct) > 3 and all(row[1].startswith("3715250") for row in direct[1:])
    settings.EXPORT_SYNC_ROWS = 2
    job, body = _through_a_job(client, params)
    assert _rows(body) == direct
    assert job.report == [f"已导出 {len(direct) - 1} 行"]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert "数据范围" in sheet["A1"].value and sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["C"].width >= 10  # names measured, not left at the default width


def test_the_job_writes_in_the_submitters_language(client_for, county_admin, settings):
    client = client_for(county_admin)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.EXPORT_SYNC_ROWS = 2
    _job, body = _through_a_job(client, {"q": "3715250"})
    header = _rows(body)[0]
    assert header[:3] == ["No.", "Division code", "Name"], header


def test_a_list_job_exports_the_submitters_scope_only_and_only_they_download_it(client_for, township_officer,
                                                                                county_admin, settings):
    settings.EXPORT_SYNC_ROWS = 1
    officer = client_for(township_officer)
    job, body = _through_a_job(officer, {})
    codes = [row[1] for row in _rows(body)[1:]]
    assert codes and all(code.startswith(township_officer.scope_region.code) for code in codes)
    assert client_for(county_admin).get(reverse("jobs:result", args=[job.pk])).status_code == 404


def test_a_short_list_is_still_an_xlsx_at_once(client_for, county_admin, settings):
    settings.EXPORT_SYNC_ROWS = 10_000
    assert _rows(_at_once(client_for(county_admin), {}))
    assert not Job.objects.exists()
