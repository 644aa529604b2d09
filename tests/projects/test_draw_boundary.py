"""A boundary drawn on the map (the project forms' click-to-draw tool) is submitted as GeoJSON and goes
through the same boundary service as an uploaded file: split by township, CGCS2000 ellipsoidal areas."""

from __future__ import annotations

import json

import pytest
import shapely

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.demo.loader import GUANXIAN_SEAT
from landguard.projects.models import Project

pytestmark = pytest.mark.django_db
# Inside 清泉街道 (the demo's first 街道 lies around this offset from the county seat).
X, Y = GUANXIAN_SEAT[0] - 0.02, GUANXIAN_SEAT[1] + 0.005


def _ring(half: float = 0.001, x: float = X, y: float = Y) -> str:
    ring = [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half],
            [x - half, y - half]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _create(client, **extra):
    return client.post("/projects/new/", {"name": "绘制范围测试项目", "level": "county", **extra})


def test_a_drawn_polygon_registers_the_project_split_by_township_with_official_area(client_for, county_admin):
    response = _create(client_for(county_admin), boundary_drawn=_ring())
    assert response.status_code == 302
    project = Project.objects.get(name="绘制范围测试项目")
    assert project.boundary_source == Project.BoundarySource.DRAWN
    assert project.region_code == "371525001"
    expected = float(ellipsoidal_area_m2(shapely.from_geojson(_ring()))[0])
    assert project.area_m2 == pytest.approx(expected, rel=1e-6)
    assert [p.region_code for p in project.parts.all()] == ["371525001"]


def test_a_drawing_across_a_township_line_is_split_into_parts(client_for, county_admin, qingquan):
    # A long thin strip from the township's inside to well beyond its bounding box crosses into a neighbour.
    x0, y0, x1, y1 = qingquan.geom.extent
    strip = shapely.box(X, Y - 0.0005, x1 + 0.01, Y + 0.0005)
    response = _create(client_for(county_admin), boundary_drawn=shapely.to_geojson(strip))
    assert response.status_code == 302
    project = Project.objects.get(name="绘制范围测试项目")
    parts = list(project.parts.all())
    assert len(parts) >= 2 and "371525001" in {p.region_code for p in parts}
    assert project.region_code == "371525"  # the county holds both parts
    assert sum(p.area_m2 for p in parts) == pytest.approx(project.area_m2)


@pytest.mark.parametrize(("drawn", "message"), [
    (json.dumps(
        {"type": "Polygon", "coordinates": [[[X, Y], [X + 0.001, Y + 0.001], [X + 0.001, Y], [X, Y + 0.001], [X, Y]]]}),
     "用地范围不是有效的面"),
    (_ring(x=10.0, y=50.0), "不在我国境内"),
    (json.dumps({"type": "LineString", "coordinates": [[X, Y], [X + 0.001, Y]]}), "必须是面"),
    ("{not json", "无法识别"),
])
def test_a_bad_drawing_is_refused_with_the_reason_and_nothing_is_saved(client_for, county_admin, drawn, message):
    response = _create(client_for(county_admin), boundary_drawn=drawn)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Project.objects.filter(name="绘制范围测试项目").exists()


def test_drawing_and_uploading_at_once_is_refused(client_for, county_admin, tmp_path):
    upload = tmp_path / "范围.geojson"
    upload.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(_ring())}]}), encoding="utf-8")
    with upload.open("rb") as f:
        response = _create(client_for(county_admin), boundary_drawn=_ring(), boundary_file=f)
    assert response.status_code == 400
    assert "请只选择一种方式" in response.content.decode()


def test_the_boundary_page_replaces_a_boundary_with_a_drawing(client_for, county_admin):
    client = client_for(county_admin)
    _create(client, boundary_drawn=_ring())
    project = Project.objects.get(name="绘制范围测试项目")
    page = client.get(f"/projects/{project.pk}/boundary/")
    assert b'data-draw="start"' in page.content and b"draw-config" in page.content
    assert client.post(f"/projects/{project.pk}/boundary/", {"boundary_drawn": ""}).status_code == 400  # neither
    response = client.post(f"/projects/{project.pk}/boundary/", {"boundary_drawn": _ring(half=0.002)})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.area_m2 == pytest.approx(float(ellipsoidal_area_m2(shapely.from_geojson(_ring(half=0.002)))[0]),
                                            rel=1e-6)
