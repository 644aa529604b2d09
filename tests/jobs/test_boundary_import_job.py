"""Boundary upload on the web: stored, queued, run by the database worker's task runner, with the
submitter's scope, one transaction per file, and the report or the error on the job's page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from landguard.audit.models import AuditEntry
from landguard.jobs import services
from landguard.jobs.models import Job
from landguard.regions.models import Region
from task_worker import run_ready_tasks

pytestmark = pytest.mark.django_db(transaction=False)

TOWNSHIP = "371525001"  # 清泉街道


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _square(x: float, y: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def _upload(*features: tuple[str, dict], name: str = "边界.geojson") -> SimpleUploadedFile:
    body = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": geom} for code, geom in features]}
    return SimpleUploadedFile(name, json.dumps(body, ensure_ascii=False).encode(), content_type="application/geo+json")


def _submit(client, upload, **fields):
    return client.post(reverse("regions:boundary-import"), {"file": upload, "crs": "cgcs2000", **fields})


def _work() -> None:
    run_ready_tasks()


def test_uploaded_boundary_is_imported_by_the_worker_and_reported(client_for, county_admin,
                                                                  django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, _upload((TOWNSHIP, _square(115.44, 36.48))), source="勘界成果 2026")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.QUEUED and job.scope_code == "371525"
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).exists()
    queued_page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in queued_page  # the status panel polls while the job is pending

    _work()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    region = Region.objects.get(code=TOWNSHIP)
    assert region.boundary_source == "勘界成果 2026"
    assert region.area_m2 == pytest.approx(1.11e6 * 0.89 * 1.0, rel=0.05)  # 0.01° × 0.01° at 36.5° N ≈ 0.99 km²
    entry = AuditEntry.objects.filter(target_type="regions.region", target_id=str(region.pk)).latest("id")
    assert entry.actor == county_admin and "geom" in entry.changes
    done_page = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in done_page and "已完成" in done_page and "边界 1" in done_page


def test_a_gbk_boundary_file_is_read_with_the_encoding_chosen_on_the_form(client_for, county_admin,
                                                                         django_capture_on_commit_callbacks):
    body = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": TOWNSHIP, "name": "清泉街道"}, "geometry": _square(115.44, 36.48)}]}
    upload = SimpleUploadedFile("边界.geojson", json.dumps(body, ensure_ascii=False).encode("gbk"))
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client_for(county_admin), upload, encoding="GBK")
    _work()
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.error
    assert job.options["encoding"] == "GBK" and not any("GBK" in line for line in job.report)


def test_invalid_geometry_fails_the_job_naming_the_feature_and_writes_nothing(client_for, county_admin,
    django_capture_on_commit_callbacks):
    before = Region.objects.get(code=TOWNSHIP).geom.wkt
    audit = AuditEntry.objects.count()
    bowtie = {"type": "Polygon",
              "coordinates": [[[115.40, 36.40], [115.42, 36.42], [115.42, 36.40], [115.40, 36.42], [115.40, 36.40]]]}
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client_for(county_admin), _upload(("371525002", _square(115.5, 36.5)), (TOWNSHIP, bowtie)))
    _work()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "第 2 个要素（代码 371525001）：几何无效" in job.error
    assert Region.objects.get(code=TOWNSHIP).geom.wkt == before and AuditEntry.objects.count() == audit
    page = client_for(county_admin).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "第 2 个要素（代码 371525001）" in page and "未导入任何数据" in page


def test_a_feature_outside_the_submitters_scope_rejects_the_file(client_for, other_county_user,
                                                                 django_capture_on_commit_callbacks):
    assert other_county_user.can_manage
    before = Region.objects.get(code=TOWNSHIP).geom.wkt
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client_for(other_county_user), _upload((TOWNSHIP, _square(115.44, 36.48))))
    _work()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "代码 371525001）：不在您的数据范围内" in job.error
    assert Region.objects.get(code=TOWNSHIP).geom.wkt == before


def test_wrong_file_type_is_refused_on_the_form_without_a_job(client_for, county_admin):
    upload = SimpleUploadedFile("ledger.xlsx", b"PK\x03\x04 not really", content_type="application/octet-stream")
    response = _submit(client_for(county_admin), upload)
    assert response.status_code == 400 and "不支持的文件类型 .xlsx" in response.content.decode()
    assert not Job.objects.exists()


def test_oversize_upload_is_refused(client_for, county_admin, settings):
    settings.UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("big.geojson", b" " * (1024 * 1024 + 1))
    response = _submit(client_for(county_admin), upload)
    assert response.status_code == 400 and "超过 1 MB 上限" in response.content.decode()
    assert not Job.objects.exists()


def test_only_managers_may_upload(client_for, township_officer):
    assert client_for(township_officer).get(reverse("regions:boundary-import")).status_code == 403


def test_a_job_is_claimed_once(county_admin, django_capture_on_commit_callbacks):
    job = Job.objects.create(kind=Job.Kind.BOUNDARIES, file="jobs/none.geojson", original_name="none.geojson",
                             scope_code="371525", created_by=county_admin)
    first = services.run(job.pk)
    assert first is not None and first.status == Job.Status.FAILED  # the file does not exist: reported, not raised
    assert services.run(job.pk) is None


def test_job_list_is_scoped_and_exports(client_for, county_admin, other_county_user):
    Job.objects.create(kind=Job.Kind.BOUNDARIES, file="jobs/a.geojson", original_name="冠县边界.geojson",
                       scope_code="371525", created_by=county_admin)
    assert "冠县边界.geojson" in client_for(county_admin).get(reverse("jobs:list")).content.decode()
    assert "冠县边界.geojson" not in client_for(other_county_user).get(reverse("jobs:list")).content.decode()
    assert client_for(county_admin).get(reverse("jobs:export")).status_code == 200


def test_a_failure_names_the_users_file_not_the_stored_copy(client_for, county_admin,
                                                            django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    for _ in range(2):  # the second copy of the same name is stored under another name
        with django_capture_on_commit_callbacks(execute=True):
            _submit(client, SimpleUploadedFile("边界.geojson", b"{not json", content_type="application/geo+json"))
    _work_all()
    second = Job.objects.order_by("pk").last()
    stored = second.file.name.rsplit("/", 1)[1]
    assert stored != "边界.geojson" and second.status == Job.Status.FAILED
    assert "边界.geojson" in second.error and stored not in second.error


def _work_all() -> None:
    run_ready_tasks()
