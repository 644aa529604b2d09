"""Features far outside the layer's region (issue 10 item 3): a real Hangzhou parcel in 冠县's layer refuses the
file, naming the feature and where it lies, unless the user allows it — on the service, the upload page, the
API and the command — and then the report lists it. A border overhang within the tolerance stays a note.

Real files (GeoJSON written here, a shapefile through GDAL), the real import on the database."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from landguard.jobs.models import Job
from landguard.layers.models import Feature, Layer, LayerKind, LayerVersion
from landguard.layers.placement import OUTSIDE_TOLERANCE_M
from landguard.layers.services import LayerImportError, import_layer
from landguard.regions.models import Region
from layers_testdata import write_shp
from task_worker import run_ready_tasks as _work

pytestmark = pytest.mark.django_db

HANGZHOU = shapely.box(120.150, 30.280, 120.152, 30.2815)  # a parcel in 杭州市西湖区, ~800 km from 冠县


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county() -> Region:
    return Region.objects.get(code="371525", retired_in__isnull=True)


def _outline(code: str) -> shapely.Geometry:
    return shapely.from_wkb(bytes(Region.objects.get(code=code, retired_in__isnull=True).geom.wkb))


def _inside_parcel(county: Region) -> shapely.Polygon:
    p = shapely.point_on_surface(_outline(county.code))
    return shapely.box(p.x - 0.001, p.y - 0.001, p.x + 0.001, p.y + 0.001)


def _geojson_bytes(geoms, bsms) -> bytes:
    features = [{"type": "Feature", "properties": {"BSM": b}, "geometry": json.loads(shapely.to_geojson(g))}
                for g, b in zip(geoms, bsms, strict=True)]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _file(tmp_path, geoms, bsms, name="parcels.geojson"):
    path = tmp_path / name
    path.write_bytes(_geojson_bytes(geoms, bsms))
    return path


def _counts() -> tuple[int, int, int]:
    return Layer.objects.count(), LayerVersion.objects.count(), Feature.objects.count()


def test_a_hangzhou_parcel_in_a_guanxian_layer_is_refused_naming_it_and_where_it_lies(tmp_path, county):
    path = _file(tmp_path, [_inside_parcel(county), HANGZHOU], ["GX-1", "330106001"])
    before = _counts()
    with pytest.raises(LayerImportError) as exc:
        import_layer(path, kind=LayerKind.APPROVED, name="混入杭州", region=county)
    text = str(exc.value)
    assert exc.value.outside and not exc.value.repairable
    assert "330106001" in text and "GX-1" not in text  # the stray feature named, the good one not
    assert "东经120.15°" in text and "北纬30.28°" in text and "冠县边界" in text
    km = int(text.split("冠县边界约 ")[1].split(" 公里")[0])
    assert 750 < km < 850  # Hangzhou lies ~800 km from 冠县 (its nearest, south-eastern edge)
    assert _counts() == before


def test_a_parcel_in_the_neighbouring_county_is_refused_naming_that_county(tmp_path, county):
    shenxian = shapely.point_on_surface(_outline("371522"))
    parcel = shapely.box(shenxian.x, shenxian.y, shenxian.x + 0.002, shenxian.y + 0.0015)
    shp = write_shp(tmp_path / "shen.shp", [parcel], {"BSM": ["SX-9"]}, crs_text="EPSG:4490")
    with pytest.raises(LayerImportError) as exc:
        import_layer(shp, kind=LayerKind.APPROVED, name="混入莘县", region=county)
    assert "SX-9" in str(exc.value) and "山东省聊城市莘县" in str(exc.value)


def test_many_stray_features_are_listed_up_to_ten_with_a_count_of_the_rest(tmp_path, county):
    strays = [shapely.affinity.translate(HANGZHOU, 0.01 * i, 0) for i in range(13)]
    path = _file(tmp_path, strays, [f"HZ-{i}" for i in range(13)])
    with pytest.raises(LayerImportError) as exc:
        import_layer(path, kind=LayerKind.APPROVED, name="杭州一批", region=county)
    text = str(exc.value)
    assert text.startswith("13 个要素") and "HZ-9" in text and "HZ-10" not in text and "另有 3 个" in text


def test_allow_outside_imports_it_and_the_report_lists_it(tmp_path, county):
    path = _file(tmp_path, [_inside_parcel(county), HANGZHOU], ["GX-1", "330106001"])
    report = import_layer(path, kind=LayerKind.APPROVED, name="允许杭州", region=county, allow_outside=True)
    assert report.features == 2
    lines = [line for line in report.lines() if "330106001" in line]
    assert len(lines) == 1 and lines[0].startswith("注意：") and "东经120.15°" in lines[0]
    assert "允许导入区域外的要素" in lines[0]
    # filed under the layer's own region (no lower region holds it), and not listed a second time as a mere overhang
    assert report.version.features.get(fid="330106001").region_code == county.code
    assert not any("不在任何下级行政区" in line for line in report.lines())


def test_a_parcel_slightly_across_the_border_is_accepted_with_the_note(tmp_path, county):
    outline = _outline(county.code)
    x, y = max(shapely.get_coordinates(outline), key=lambda c: c[0])  # the easternmost vertex: no 冠县 east of it
    step = 500.0 / (111_320.0 * math.cos(math.radians(y)))  # 500 m east, well within the tolerance
    parcel = shapely.box(x + step - 0.0005, y - 0.0005, x + step + 0.0005, y + 0.0005)
    assert OUTSIDE_TOLERANCE_M > 1000
    path = _file(tmp_path, [_inside_parcel(county), parcel], ["GX-1", "EDGE-1"])
    report = import_layer(path, kind=LayerKind.APPROVED, name="边界外一点", region=county)
    assert report.features == 2
    notes = [line for line in report.lines() if "EDGE-1" in line]
    assert len(notes) == 1 and "不在任何下级行政区边界内" in notes[0] and "公里以上" not in notes[0]


def test_a_region_without_outline_is_checked_against_its_nearest_ancestor(tmp_path, county):
    Region.objects.filter(pk=county.pk).update(geom=None)
    county = Region.objects.get(pk=county.pk)
    path = _file(tmp_path, [HANGZHOU], ["330106001"])
    with pytest.raises(LayerImportError) as exc:
        import_layer(path, kind=LayerKind.APPROVED, name="无边界", region=county)
    assert "330106001" in str(exc.value) and "聊城市边界" in str(exc.value)
    report = import_layer(path, kind=LayerKind.APPROVED, name="无边界", region=county, allow_outside=True)
    assert any("冠县没有边界，按聊城市的边界核对" in line for line in report.lines())


def test_with_no_outline_up_the_chain_nothing_is_refused_and_the_report_says_it_was_not_checked(tmp_path, county):
    Region.objects.filter(code__in=["37", "3715", "371525"], retired_in__isnull=True).update(geom=None)
    county = Region.objects.get(pk=county.pk)
    report = import_layer(_file(tmp_path, [HANGZHOU], ["330106001"]), kind=LayerKind.APPROVED, name="无从核对",
                          region=county)
    assert report.features == 1
    assert any("冠县及其上级行政区均没有边界，未能核对" in line for line in report.lines())


def test_the_upload_page_refuses_with_the_checkbox_hint_and_imports_when_it_is_ticked(
        client_for, county_admin, county, django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    form = {"kind": "approved", "name": "页面杭州", "region": "371525", "kcxs_unit": "auto"}
    body = _geojson_bytes([_inside_parcel(county), HANGZHOU], ["GX-1", "330106001"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("layers:import"), {**form, "file": SimpleUploadedFile("杭州.geojson", body)})
    _work()
    job = Job.objects.get(kind=Job.Kind.LAYER)
    assert job.status == Job.Status.FAILED and "330106001" in job.error and "允许导入区域外的要素" in job.error
    assert not Layer.objects.filter(name="页面杭州").exists()
    page = client.get(reverse("layers:import")).content.decode()
    assert "允许导入区域外的要素" in page and "警告" in page  # the checkbox and its warning
    with django_capture_on_commit_callbacks(execute=True):
        upload = SimpleUploadedFile("杭州.geojson", body)
        client.post(reverse("layers:import"), {**form, "allow_outside": "on", "file": upload})
    _work()
    job = Job.objects.filter(kind=Job.Kind.LAYER).latest("pk")
    assert job.status == Job.Status.DONE, job.error
    assert job.options["allow_outside"] is True and any("330106001" in line for line in job.report)


def test_the_api_takes_allow_outside(client_for, county_admin, county, django_capture_on_commit_callbacks):
    client = client_for(county_admin)
    body = _geojson_bytes([HANGZHOU], ["330106001"])
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post("/api/layers/import/", {"file": SimpleUploadedFile("a.geojson", body), "kind": "approved",
                                                      "name": "接口杭州", "region": "371525"})
        allowed = client.post("/api/layers/import/", {"file": SimpleUploadedFile("b.geojson", body), "kind": "approved",
                                                      "name": "接口杭州", "region": "371525", "allow_outside": "true"})
    assert refused.status_code == allowed.status_code == 202
    _work()
    first = client.get(f"/api/jobs/{refused.json()['job']}/").json()
    second = client.get(f"/api/jobs/{allowed.json()['job']}/").json()
    assert first["status"] == "failed" and "allow_outside" in first["error"]
    assert second["status"] == "done" and any("330106001" in line for line in second["report"])


def test_the_command_refuses_and_imports_with_allow_outside(tmp_path, county, capsys):
    path = _file(tmp_path, [HANGZHOU], ["330106001"])
    args = [str(path), "--kind", "approved", "--region", "371525", "--name", "命令杭州"]
    with pytest.raises(CommandError, match="--allow-outside") as exc:
        call_command("import_layer", *args)
    assert "330106001" in str(exc.value)
    call_command("import_layer", *args, "--allow-outside")
    out = capsys.readouterr().out
    assert "330106001" in out and "公里以上" in out
    assert Layer.objects.get(name="命令杭州").versions.get().feature_count == 1
