"""A new version of an existing layer is a draft until a manager publishes it — the page shows it with its
difference from the current version (feature count, official area, area by land class) and a publish button;
the API has a publish endpoint and the command `--publish` — while the map, the overlay and the data services
keep the current version. A township officer sees only their township's share of a county layer's totals,
never the layer-wide import report. Import messages name the user's file and, on the web, offer the repair
checkbox rather than a command flag."""

from __future__ import annotations

import json

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from landguard.audit.models import AuditEntry
from landguard.core.scope import scope_for
from landguard.jobs.models import Job
from landguard.layers import selectors
from landguard.layers.models import Feature, Layer, LayerKind
from task_worker import run_ready_tasks as _work

pytestmark = pytest.mark.django_db

TOWNSHIP = "371525001"  # 清泉街道


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dltb() -> Layer:
    return Layer.objects.get(region_code="371525", kind=LayerKind.DLTB)


def _geojson(*features: tuple[dict, shapely.Geometry]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))} for props,
        geom in features]},
        ensure_ascii=False).encode()


ONE_PARCEL = _geojson(({"BSM": "ONE-1", "DLBM": "0102", "KCXS": 0.05}, shapely.box(115.44, 36.48, 115.445, 36.484)))


def _submit(client, body: bytes, filename: str, callbacks, **fields):
    with callbacks(execute=True):
        return client.post(reverse("layers:import"),
                           {"file": SimpleUploadedFile(filename, body), "kcxs_unit": "auto", **fields})


def test_a_one_feature_file_into_the_county_dltb_is_a_draft_shown_with_its_diff_until_published(
        client_for, county_admin, township_officer, dltb, django_capture_on_commit_callbacks):
    current = dltb.versions.get(is_current=True)
    client = client_for(county_admin)
    response = _submit(client, ONE_PARCEL, "一个图斑.geojson", django_capture_on_commit_callbacks, kind="dltb",
                       layer=dltb.pk)
    assert response.status_code == 302, response.content.decode()[:2000]  # no region chosen: the layer's own
    _work()
    job = Job.objects.get(kind=Job.Kind.LAYER)
    assert job.status == Job.Status.DONE, job.error
    assert "草稿" in job.report[0]
    draft = dltb.versions.get(number=current.number + 1)
    assert draft.is_draft and not draft.is_current and draft.original_name == "一个图斑.geojson"
    assert dltb.versions.get(is_current=True) == current  # still what everything serves
    assert list(selectors.current_versions(scope_for(county_admin), kinds=["dltb"]).filter(layer=dltb)) == [current]
    assert client.get(reverse("layerdata:features", args=[dltb.slug])
                      + "?limit=1").json()["numberMatched"] == current.feature_count

    page = client.get(reverse("layers:detail", args=[dltb.slug]))
    (shown,) = page.context["drafts"]
    diff = shown["diff"]
    assert (diff["count_before"], diff["count"], diff["count_change"]) == (current.feature_count, 1,
        1 - current.feature_count)
    assert diff["area_change"] == pytest.approx(draft.area_m2 - current.area_m2)
    farmland = next(c for c in diff["classes"] if c["code"] == "01")
    assert farmland["new"] == pytest.approx(draft.area_m2) and farmland["old"] > farmland["new"]
    html = page.content.decode()
    assert "发布为现行版本" in html and f"{1 - current.feature_count}" in html

    officer_draft = client_for(township_officer).get(
        reverse("layers:detail", args=[dltb.slug])).context["drafts"][0]["diff"]
    own = Feature.objects.filter(version=current, region_code__startswith=TOWNSHIP).count()
    assert officer_draft["count_before"] == own < current.feature_count  # the township's share, not the county's
    assert client_for(township_officer).post(
        reverse("layers:set-current", args=[dltb.slug, draft.number])).status_code in (403, 404)
    assert client.post(reverse("layers:set-current", args=[dltb.slug, draft.number])).status_code == 302
    draft.refresh_from_db()
    assert draft.is_current and not draft.is_draft
    entry = AuditEntry.objects.filter(target_type="layers.layer", target_id=str(dltb.pk)).latest("id")
    assert entry.actor == county_admin and f"v{draft.number}" in entry.note and "发布" in entry.note


def test_a_first_import_into_a_new_layer_is_current_at_once(client_for, county_admin,
                                                            django_capture_on_commit_callbacks):
    _submit(client_for(county_admin), ONE_PARCEL, "新图层.geojson", django_capture_on_commit_callbacks, kind="dltb",
            name="新图层（测试）", region="371525")
    _work()
    version = Layer.objects.get(name="新图层（测试）").versions.get()
    assert version.is_current and not version.is_draft


def test_a_new_layer_still_needs_a_region(client_for, county_admin):
    response = client_for(county_admin).post(reverse("layers:import"),
                                             {"file": SimpleUploadedFile("a.geojson", ONE_PARCEL),
                                                                         "kind": "dltb", "name": "无区划"})
    assert response.status_code == 400 and "新建图层时请选择所属行政区" in response.content.decode()


def test_web_messages_name_the_users_file_and_offer_the_repair_checkbox_not_a_flag(
        client_for, county_admin, dltb, django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    _submit(client, b'{"type": "FeatureCollection", "features": []}', "empty.geojson",
            django_capture_on_commit_callbacks,
            kind="custom", name="空文件（测试）", region="371525")
    bowtie = shapely.Polygon([(115.40, 36.40), (115.42, 36.42), (115.42, 36.40), (115.40, 36.42)])
    _submit(client, _geojson(({"BSM": "BOWTIE"}, bowtie)), "自相交.geojson", django_capture_on_commit_callbacks,
            kind="custom", name="自相交（测试）", region="371525")
    _work()
    empty, crossed = Job.objects.filter(kind=Job.Kind.LAYER).order_by("pk")
    assert empty.status == Job.Status.FAILED and "empty.geojson" in empty.error
    assert crossed.status == Job.Status.FAILED and "BOWTIE" in crossed.error
    assert "自动修复无效几何" in crossed.error and "--repair" not in crossed.error
    page = client.get(reverse("jobs:detail", args=[crossed.pk])).content.decode()
    assert "--repair" not in page


def test_messages_name_the_original_file_even_when_storage_renamed_the_copy(
        client_for, county_admin, django_capture_on_commit_callbacks, settings, tmp_path):
    # A second upload of the same name is stored as empty_<random>.geojson: the message keeps the user's name.
    client = client_for(county_admin)
    for _ in range(2):
        _submit(client, b'{"type": "FeatureCollection", "features": []}', "empty.geojson",
                django_capture_on_commit_callbacks,
                kind="custom", name="空文件（测试）", region="371525")
    _work()
    second = Job.objects.filter(kind=Job.Kind.LAYER).order_by("pk").last()
    assert second.file.name.rsplit("/", 1)[1] != "empty.geojson"
    assert "empty.geojson" in second.error and second.file.name.rsplit("/", 1)[1] not in second.error


def test_the_command_imports_a_draft_by_layer_slug_without_a_region_and_publishes_with_the_flag(
        tmp_path, dltb, capsys):
    path = tmp_path / "one.geojson"
    path.write_bytes(ONE_PARCEL)
    current = dltb.versions.get(is_current=True)
    call_command("import_layer", str(path), "--kind", "dltb", "--layer", dltb.slug)
    assert "草稿" in capsys.readouterr().out
    assert dltb.versions.get(is_current=True) == current
    call_command("import_layer", str(path), "--kind", "dltb", "--layer", dltb.slug, "--publish")
    assert dltb.versions.get(is_current=True).feature_count == 1


def test_the_command_names_its_own_repair_flag(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bowtie.geojson"
    bowtie = shapely.Polygon([(115.40, 36.40), (115.42, 36.42), (115.42, 36.40), (115.40, 36.42)])
    path.write_bytes(_geojson(({"BSM": "BOWTIE"}, bowtie)))
    with pytest.raises(CommandError, match="--repair"):
        call_command("import_layer", str(path), "--kind", "custom", "--region", "371525", "--name", "自相交")


def test_api_import_over_the_memory_threshold_of_an_existing_layer_is_a_draft_the_publish_endpoint_publishes(
        client_for, county_admin, township_officer, dltb, settings, django_capture_on_commit_callbacks):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the upload goes to a temporary file, as a > 10 MB one does
    body = ONE_PARCEL.replace(b'"ONE-1"', b'"ONE-1", "NOTE": "' + b"x" * 4096 + b'"')
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/layers/import/",
                               {"file": SimpleUploadedFile("大.geojson", body), "layer": dltb.slug})
    assert response.status_code == 202, response.content
    _work()
    draft = dltb.versions.order_by("-number").first()
    assert draft.is_draft
    url = f"/api/layers/{dltb.slug}/versions/{draft.number}/publish/"
    assert client_for(township_officer).post(url).status_code in (403, 404)
    published = client.post(url)
    assert published.status_code == 200 and published.json()["is_current"] and not published.json()["is_draft"]
    again = client.post(url)
    assert again.status_code == 400 and "不是草稿" in again.json()["detail"]

    with django_capture_on_commit_callbacks(execute=True):
        direct = client.post("/api/layers/import/",
                             {"file": SimpleUploadedFile("直接.geojson", ONE_PARCEL), "layer": dltb.slug,
                                                     "publish": "true"})
    assert direct.status_code == 202
    _work()
    assert dltb.versions.order_by("-number").first().is_current


def test_a_township_officer_sees_township_totals_and_no_layer_wide_report(client_for, county_admin, township_officer,
    dltb):
    version = dltb.versions.get(is_current=True)
    own = Feature.objects.filter(version=version, region_code__startswith=TOWNSHIP)
    own_count = own.count()
    assert 0 < own_count < version.feature_count and version.report
    officer = client_for(township_officer)

    page = officer.get(reverse("layers:detail", args=[dltb.slug])).content.decode()
    assert f">{version.feature_count}<" not in page and f">{own_count}<" in page
    assert "导入报告" not in page and not any(line in page for line in version.report)
    admin_page = client_for(county_admin).get(reverse("layers:detail", args=[dltb.slug])).content.decode()
    assert f">{version.feature_count}<" in admin_page and "导入报告" in admin_page  # the owner's view is unchanged

    listed = selectors.layers_with_totals(scope_for(township_officer)).get(pk=dltb.pk)
    assert listed.visible_count == own_count
    assert listed.visible_area == pytest.approx(sum(own.values_list("area_m2", flat=True)))
    assert selectors.layers_with_totals(scope_for(county_admin)).get(pk=dltb.pk).visible_count == version.feature_count
    listing = officer.get(reverse("layers:list")).content.decode()
    assert f"{version.feature_count:,}" not in listing and str(version.feature_count) not in listing

    api_versions = officer.get(f"/api/layers/{dltb.slug}/versions/").json()
    assert api_versions[0]["feature_count"] == own_count and api_versions[0]["report"] == []
    detail = officer.get(f"/api/layers/{dltb.slug}/").json()
    assert detail["current_version"]["feature_count"] == own_count and detail["current_version"]["report"] == []
    assert client_for(county_admin).get(f"/api/layers/{dltb.slug}/versions/").json()[0]["report"] == version.report
