"""卫片 batches: read through read_layer, classified by the overlay engine, one transaction (a bad row names
itself and leaves nothing); judgements with sub-reasons; the occupation ratio with its thresholds."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from django.core.exceptions import ValidationError
from django.test import override_settings
from shapely.geometry import mapping

from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.supervision import patches, selectors
from landguard.supervision.models import Clue, Patch, PatchBatch

pytestmark = pytest.mark.django_db


def write_batch(path, spot, rows):
    features = []
    for i, props in enumerate(rows):
        x, y = spot[0] + 0.002 * i, spot[1]
        geometry = props.pop("geometry", None) or mapping(shapely.box(x - 0.0004, y - 0.0004, x + 0.0004, y + 0.0004))
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def row(n, **extra):
    return {"JCBH": f"P{n:03d}", "TBLX": "20", "QSX": "2025-03", "HSX": "2025-04", "DLBM": "0103", "SFYN": "否",
            "SFHX": "否",
            "MJ": 5000, **extra}


def test_a_batch_imports_in_one_go_with_clues_and_overlay_figures(tmp_path, spot, county, county_admin):
    path = write_batch(tmp_path / "b.geojson", spot, [row(1), row(2, SFYN="是"), row(3, MJ=None)])
    batch = patches.import_batch(path, actor=county_admin, county=county, name="2025年4月", month=dt.date(2025, 4, 15))
    assert batch.patch_count == 3 and batch.month == dt.date(2025, 4, 1)
    p1, p2, p3 = batch.patches.order_by("jcbh")
    assert p1.area_m2 > 0 and p1.farmland_m2 is not None and p1.basic_farmland_m2 is not None
    assert p2.sfyn is True and p3.declared_m2 is None and p1.tblx == "20" and p1.year == 2025
    assert p1.clue.kind == "satellite" and p1.clue.township_code == p1.township_code
    # Added deliberately (issue 11): 卫片 clues are opened by intake.open_clue like every other source's, so each new
    # clue gets its own audit entry (the import used to write only the batch's).
    for patch in (p1, p2, p3):
        (created,) = AuditEntry.objects.filter(target_type="supervision.clue", target_id=str(patch.clue_id),
                                               action="create")
        assert created.actor_id == county_admin.pk and created.region_code == patch.region_code


@pytest.mark.parametrize("rows, message", [
    ([row(1), row(1)], "JCBH P001"),
    ([row(1), {**row(2), "JCBH": ""}], "JCBH 为空"),
    ([row(1), row(2, MJ="很大")], "MJ 不是数字"),
    ([row(1), row(2, SFYN="也许")], "SFYN"),
    ([row(1), row(2, geometry={"type": "Point", "coordinates": [115.4, 36.5]})], "不是面"),
])
def test_a_bad_row_rejects_the_batch_naming_the_row(tmp_path, spot, county, county_admin, rows, message):
    before = (PatchBatch.objects.count(), Patch.objects.count(), Clue.objects.count())
    path = write_batch(tmp_path / "bad.geojson", spot, rows)
    with pytest.raises(patches.PatchImportError) as error:
        patches.import_batch(path, actor=county_admin, county=county, name="坏批次", month=dt.date(2025, 4, 1))
    assert message in str(error.value) and "第 2 个要素" in str(error.value) or message in str(error.value)
    assert (PatchBatch.objects.count(), Patch.objects.count(), Clue.objects.count()) == before


def test_a_patch_outside_the_county_rejects_the_batch(tmp_path, spot, county, county_admin):
    from landguard.regions.models import Region

    shenxian = shapely.point_on_surface(
        shapely.from_wkb(bytes(Region.objects.get(code="371522", retired_in__isnull=True).geom.wkb)))
    far = row(2,
        geometry=mapping(
            shapely.box(shenxian.x - 0.0004, shenxian.y - 0.0004, shenxian.x + 0.0004, shenxian.y + 0.0004)))
    path = write_batch(tmp_path / "out.geojson", spot, [row(1), far])
    with pytest.raises(patches.PatchImportError) as error:
        patches.import_batch(path, actor=county_admin, county=county, name="越界", month=dt.date(2025, 4, 1))
    assert "P002" in str(error.value) or "第 2 个" in str(error.value)
    assert not PatchBatch.objects.filter(name="越界").exists()


def test_judgements_need_a_matching_reason_and_rectification_for_illegal(tmp_path, spot, county, county_admin):
    batch = patches.import_batch(write_batch(tmp_path / "j.geojson", spot, [row(1)]), actor=county_admin, county=county,
                                 name="判定", month=dt.date(2025, 4, 1))
    patch = batch.patches.get()
    with pytest.raises(ValidationError):
        patches.judge(actor=county_admin, patch=patch, judgement="illegal", reason="approved")
    with pytest.raises(ValidationError):
        patches.judge(actor=county_admin, patch=patch, judgement="illegal", reason="unapproved")
    patches.judge(actor=county_admin, patch=patch, judgement="illegal", reason="unapproved", rectification="done",
                  rectification_kind="restored", evidence="照片")
    patch.refresh_from_db()
    assert patch.get_judgement_reason_display() == "未批先建" and patch.rectification == "done"


def _patch(batch, code, judgement, farmland, n):
    square = shapely.box(115.4, 36.5, 115.401, 36.501)
    from django.contrib.gis.geos import GEOSGeometry

    return Patch.objects.create(batch=batch, jcbh=f"R{n}", area_m2=farmland, farmland_m2=farmland, judgement=judgement,
                                year=2025,
                                region_code=code, township_code=code,
                                geom=GEOSGeometry(memoryview(shapely.to_wkb(shapely.multipolygons([square]))),
                                                  srid=4490))


def test_the_ratio_per_township_warns_before_the_line_and_flags_crossing_it(county, county_admin):
    batch = PatchBatch.objects.create(name="比例", month=dt.date(2025, 1, 1), region=county, region_code=county.code,
                                      imported_at=clock.now())
    _patch(batch, "371525001", "illegal", 70, 1)   # 清泉: 70 / 1000 = 7 % ≥ 0.8 × 8 %: warning
    _patch(batch, "371525001", "legal", 930, 2)
    _patch(batch, "371525002", "illegal", 100, 3)  # 崇文: 100 / 1000 = 10 %: over
    _patch(batch, "371525002", "legal", 900, 4)
    _patch(batch, "371525002", "other", 5000, 5)   # pseudo-changes do not count
    from landguard.core.scope import scope_for

    rows, whole = patches.ratios(selectors.patches(scope_for(county_admin)), year=2025,
                                 townships={"371525001": "清泉街道", "371525002": "崇文街道", "371525003": "x"},
                                 county=("371525", "冠县"))
    by = {r.code: r for r in rows}
    assert by["371525001"].percent == 7.0 and by["371525001"].level == "warn"
    assert by["371525002"].percent == 10.0 and by["371525002"].level == "over"
    assert by["371525003"].ratio is None and by["371525003"].level == "ok"
    assert whole.threshold == 0.15 and whole.percent == 8.5 and whole.level == "ok"
    with override_settings(SUPERVISION_RATIO_LOCAL=0.2):
        assert by["371525002"].level == "over"  # threshold frozen in the row
        rows2, _w = patches.ratios(selectors.patches(scope_for(county_admin)), year=2025,
                                   townships={"371525002": "崇文街道"}, county=None)
        assert rows2[0].level == "ok"


def _upload_batch(client, tmp_path, spot, county, rows, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = write_batch(tmp_path / f"{name}.geojson", spot, rows)
    upload = SimpleUploadedFile(f"{name}.geojson", path.read_bytes(), content_type="application/geo+json")
    return client.post("/supervision/patches/import/",
                       {"file": upload, "name": name, "month": "2025-05", "county": county.code})


def test_a_batch_uploaded_on_the_page_is_imported_by_the_worker_with_its_report(
        tmp_path, settings, spot, county, county_admin, client_for, django_capture_on_commit_callbacks):
    from landguard.audit.models import AuditEntry
    from landguard.jobs.models import Job
    from task_worker import run_ready_tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload_batch(client, tmp_path, spot, county, [row(1), row(2, SFYN="是")], "2025年5月卫片")
    job = Job.objects.get(original_name="2025年5月卫片.geojson")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.kind == "patch_batch" and job.status == Job.Status.QUEUED and not PatchBatch.objects.filter(
        name="2025年5月卫片").exists()

    run_ready_tasks()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    batch = PatchBatch.objects.get(name="2025年5月卫片")
    assert batch.patch_count == 2 and batch.month == dt.date(2025, 5, 1) and batch.imported_by == county_admin
    basic = batch.patches.filter(basic_farmland_m2__gt=0).count()  # the overlay's figure wins over SFYN when it exists
    assert "2 个图斑" in job.report[0] and f"涉及永久基本农田 {basic} 个" == job.report[2]
    assert job.result_url == f"/supervision/patches/?batch={batch.pk}"
    listed = client.get(job.result_url).content.decode()
    assert "P001" in listed and "P002" in listed
    assert AuditEntry.objects.filter(target_type="supervision.patchbatch", target_id=str(batch.pk),
                                     actor=county_admin).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "2 个图斑" in page


def test_a_bad_batch_fails_its_job_naming_the_row_and_writes_nothing(
        tmp_path, settings, spot, county, county_admin, client_for, django_capture_on_commit_callbacks):
    from landguard.jobs.models import Job
    from task_worker import run_ready_tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    before = (PatchBatch.objects.count(), Patch.objects.count(), Clue.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        _upload_batch(client_for(county_admin), tmp_path, spot, county, [row(1), row(2, MJ="很大")], "坏批次")
    run_ready_tasks()
    job = Job.objects.get(original_name="坏批次.geojson")
    assert job.status == Job.Status.FAILED and "MJ 不是数字" in job.error
    assert (PatchBatch.objects.count(), Patch.objects.count(), Clue.objects.count()) == before


def test_the_import_reports_progress_as_it_writes(tmp_path, spot, county, county_admin):
    calls = []
    path = write_batch(tmp_path / "p.geojson", spot, [row(n) for n in range(1, 4)])
    patches.import_batch(path, actor=county_admin, county=county, name="进度", month=dt.date(2025, 4, 1),
                         progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)
