"""Layer registry on the web and in the API: scoped lists and pages, the upload that runs as a background job,
switching the current version, and the feature exports (xlsx, 坐标交换文件)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import shapely
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from landguard.formats.exchange import parse_exchange_bytes
from landguard.jobs.models import Job
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


def test_layer_list_shows_the_county_layers_to_its_users_only(client_for, county_admin, township_officer,
                                                              other_county_user):
    page = client_for(county_admin).get(reverse("layers:list")).content.decode()
    assert "冠县地类图斑（演示）" in page and "莘县" not in page
    assert "冠县永久基本农田（演示）" in client_for(township_officer).get(reverse("layers:list")).content.decode()
    assert "冠县" not in client_for(other_county_user).get(reverse("layers:list")).content.decode().replace("冠县自然",
        "")


def test_layer_export_is_an_xlsx_of_the_listed_layers_counted_by_a_serial_number(client_for, county_admin):
    response = client_for(county_admin).get(reverse("layers:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == "序号"
    rows = list(sheet.iter_rows(min_row=3))
    assert [row[0].value for row in rows] == list(range(1, len(rows) + 1))
    names = [row[1].value for row in rows]
    assert "冠县地类图斑（演示）" in names and not any("莘县" in (n or "") for n in names)


def test_dltb_page_sums_land_classes_over_the_features_the_user_may_see(client_for, county_admin, township_officer,
    dltb):
    version = dltb.versions.get(is_current=True)
    county_page = client_for(county_admin).get(reverse("layers:detail", args=[dltb.slug]))
    assert county_page.status_code == 200
    summary = county_page.context["summary"]
    total = sum(r["gross"] for r in summary["big"])
    assert total == pytest.approx(version.area_m2, rel=1e-9)
    assert sum(r["gross"] for r in summary["code"]) == pytest.approx(total, rel=1e-12)
    farmland = next(r for r in summary["level1"] if r["key"] == "01")
    assert farmland["net"] < farmland["gross"]  # 田坎 deducted

    officer_page = client_for(township_officer).get(reverse("layers:detail", args=[dltb.slug]))
    own = Feature.objects.filter(version=version, region_code__startswith=TOWNSHIP)
    assert officer_page.context["visible"]["n"] == own.count() > 0
    assert sum(r["count"] for r in officer_page.context["summary"]["code"]) == own.count()


def test_other_county_cannot_open_the_layer_or_its_exports(client_for, other_county_user, dltb):
    client = client_for(other_county_user)
    for name in ("layers:detail", "layers:features", "layers:features-export", "layers:exchange-export"):
        assert client.get(reverse(name, args=[dltb.slug])).status_code == 404, name


def test_feature_export_holds_only_the_township_features_for_its_officer(client_for, township_officer, dltb):
    response = client_for(township_officer).get(reverse("layers:features-export", args=[dltb.slug]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][3:5] == ["坐落行政区代码", "坐落行政区"]
    regions = {(row[3].value, row[4].value) for row in sheet.iter_rows(min_row=3)}
    assert regions and all(code.startswith(TOWNSHIP) and name for code, name in regions)  # a name beside every code
    assert sheet.cell(row=3, column=7).number_format == "#,##0.0000"  # 公顷, not General


def test_exchange_export_reads_back_with_the_same_areas(client_for, county_admin, dltb):
    version = dltb.versions.get(is_current=True)
    some = list(Feature.objects.filter(version=version).order_by("index")[:3].values_list("fid", "area_m2"))
    response = client_for(county_admin).get(reverse("layers:exchange-export", args=[dltb.slug]) + f"?q={some[0][0]}")
    assert response.status_code == 200
    data = parse_exchange_bytes(response.content, name="export.txt")
    assert [p.number for p in data.parcels] == [some[0][0]]
    # Coordinates are written to 0.1 mm (4 decimals), which moves a ~4 ha parcel's area by a few hundredths of a m².
    assert data.parcels[0].computed_area_ha * 10_000 == pytest.approx(some[0][1], abs=0.05)
    assert data.parcels[0].area_ha == pytest.approx(some[0][1] / 10_000, abs=0.00005)  # 地块面积 as declared, 公顷 4 dp
    too_many = client_for(county_admin).get(reverse("layers:exchange-export", args=[dltb.slug]))
    assert too_many.status_code == 400 and "最多" in too_many.content.decode()


def test_every_exchange_export_of_one_layer_is_in_one_zone_whichever_features_it_holds(client_for, county_admin, dltb):
    version = dltb.versions.get(is_current=True)
    features = [(shapely.from_wkb(bytes(g.wkb)).centroid.x, fid) for fid, g in
                Feature.objects.filter(version=version).values_list("fid", "geom")]
    west, east = min(features)[1], max(features)[1]
    zones = set()
    for fid in (west, east):
        response = client_for(county_admin).get(reverse("layers:exchange-export", args=[dltb.slug]) + f"?q={fid}")
        zones.add(parse_exchange_bytes(response.content, name="export.txt").header["带号"])
    assert min(features)[0] < 115.5 < max(features)[0]  # the layer does straddle zones 38 and 39
    west_lon, _s, east_lon, _n = dltb.region.geom.extent
    assert zones == {str(round((west_lon + east_lon) / 2 / 3))}  # one zone: that of the county's centre


def _upload(name: str = "已批.geojson", bsm: str = "PZ-1") -> SimpleUploadedFile:
    geom = shapely.box(115.44, 36.48, 115.445, 36.484)
    body = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"BSM": bsm},
                                                       "geometry": json.loads(shapely.to_geojson(geom))}]}
    return SimpleUploadedFile(name, json.dumps(body, ensure_ascii=False).encode(), content_type="application/geo+json")


def test_upload_page_imports_in_the_background_and_reports(client_for, county_admin,
                                                           django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("layers:import"),
                               {"file": _upload(), "kind": "approved", "name": "2026年已批（测试）",
                                                          "region": "371525", "year": 2026, "kcxs_unit": "auto"})
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.LAYER)
    _work()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert any("2026年已批（测试）" in line for line in job.report)
    layer = Layer.objects.get(name="2026年已批（测试）")
    assert layer.versions.get().features.get().fid == "PZ-1"
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "2026年已批（测试）" in page and reverse("layers:detail", args=[layer.slug]) in page


def test_upload_error_names_the_field_and_leaves_nothing(client_for, county_admin, django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("layers:import"), {"file": _upload("图斑.geojson"), "kind": "dltb", "name": "缺字段",
                                               "region": "371525", "kcxs_unit": "auto"})
    _work()
    job = Job.objects.get(kind=Job.Kind.LAYER)
    assert job.status == Job.Status.FAILED and "DLBM" in job.error
    assert not Layer.objects.filter(name="缺字段").exists()


def test_township_officer_cannot_choose_the_county_as_owner(client_for, township_officer):
    client = client_for(township_officer)
    response = client.post(reverse("layers:import"), {"file": _upload(), "kind": "approved", "name": "越权",
                                                      "region": "371525", "kcxs_unit": "auto"})
    assert response.status_code in (400, 403)
    assert not Job.objects.filter(kind=Job.Kind.LAYER).exists()


def test_set_current_switches_versions_for_managers_only(client_for, county_admin, township_officer, dltb):
    from landguard.layers.services import import_layer
    from landguard.regions.models import Region

    layer = Layer.objects.get(region_code="371525", kind=LayerKind.APPROVED)
    assert layer.versions.count() == 1
    # a second version through the service, then switch back on the web
    import tempfile
    with tempfile.NamedTemporaryFile("wb", suffix=".geojson") as f:
        f.write(_upload().read())
        f.flush()
        import_layer(f.name, kind=LayerKind.APPROVED, name=layer.name,
                     region=Region.objects.get(code="371525", retired_in__isnull=True),
                     publish=True)
    url = reverse("layers:set-current", args=[layer.slug, 1])
    assert client_for(township_officer).post(url).status_code in (403, 404)
    assert client_for(county_admin).post(url).status_code == 302
    assert layer.versions.get(is_current=True).number == 1


def test_api_lists_layers_and_versions_in_scope(client_for, county_admin, other_county_user, dltb):
    data = client_for(county_admin).get("/api/layers/").json()
    slugs = {item["slug"] for item in data["results"]}
    assert dltb.slug in slugs and all(s.startswith("371525") for s in slugs)
    versions = client_for(county_admin).get(f"/api/layers/{dltb.slug}/versions/").json()
    assert versions[0]["is_current"] and versions[0]["area_ha"] == round(versions[0]["area_m2"] / 10_000, 4)
    assert client_for(other_county_user).get(f"/api/layers/{dltb.slug}/").status_code == 404


def test_api_import_answers_202_with_the_job(client_for, county_admin, django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/layers/import/",
                               {"file": _upload(bsm="API-1"), "kind": "approved", "name": "API 导入",
                                                       "region": "371525"})
    assert response.status_code == 202, response.content
    job_id = response.json()["job"]
    _work()
    status = client.get(f"/api/jobs/{job_id}/").json()
    assert status["status"] == "done" and any("API 导入" in line for line in status["report"])
    bad = client.post("/api/layers/import/", {"file": _upload(), "kind": "nonsense", "region": "371525"})
    assert bad.status_code == 400 and "kind" in bad.json()
    assert DBTaskResult.objects.count() >= 1


def test_bbox_selector_finds_a_polygon_whose_box_contains_the_query_box(county_admin):
    """A map tile or bbox query inside a large 生态保护红线 polygon must still find it (SpatiaLite's MbrOverlaps
    would not: the selector asks the R*Tree on SpatiaLite and uses && on PostGIS)."""
    from landguard.core.scope import scope_for
    from landguard.layers import selectors

    layer = Layer.objects.get(region_code="371525", kind=LayerKind.ECO_REDLINE)
    version = layer.versions.get(is_current=True)
    feature = Feature.objects.filter(version=version).order_by("-area_m2").first()
    inner = shapely.point_on_surface(shapely.from_wkb(bytes(feature.geom.wkb)))
    bbox = (inner.x - 1e-5, inner.y - 1e-5, inner.x + 1e-5, inner.y + 1e-5)
    found = selectors.features(scope_for(county_admin), version, bbox=bbox)
    assert feature.pk in set(found.values_list("pk", flat=True))
    far = (100.0, 20.0, 100.001, 20.001)
    assert not selectors.features(scope_for(county_admin), version, bbox=far).exists()


def test_feature_export_headers_follow_the_readers_language(client_for, county_admin, dltb):
    client = client_for(county_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("layers:features-export", args=[dltb.slug])).content)).active
    headers = [c.value for c in sheet[2]]
    assert headers[0] == "No." and "Location region code" in headers and headers.count("No.") == 1


def test_layer_page_gives_gis_addresses_and_a_tile_key_that_opens_the_users_tiles(client_for, township_officer, dltb):
    import html
    import re

    page = client_for(township_officer).get(reverse("layers:detail", args=[dltb.slug])).content.decode()
    assert 'value="http://testserver/ogc/"' in page
    keyed = html.unescape(re.search(r'value="([^"]+/tiles/\{z\}/\{x\}/\{y\}\.pbf\?key=[^"]+)"', page).group(1))
    from django.test import Client

    anonymous = Client()
    url = keyed.replace("http://testserver", "").replace("{z}/{x}/{y}", "12/3372/1570")
    assert anonymous.get(url).status_code == 200  # no session, no header: the key alone
    assert anonymous.get(url.split("?")[0]).status_code == 401
