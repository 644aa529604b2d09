"""Registering a project: from a 坐标交换文件 (or any layer file), split by township with each part's official
area, placed in the lowest region that holds it, inside the registrar's scope; and its occupation summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shapely
from django.core.exceptions import PermissionDenied, ValidationError

from landguard.audit.models import AuditEntry
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import scope_for
from landguard.demo.projects import _across, _square
from landguard.formats.exchange import ExchangeParcel
from landguard.formats.exchange_write import write_exchange
from landguard.projects import boundaries, services
from landguard.projects.models import Project, Step
from landguard.projects.occupation import occupation
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


def exchange_file(tmp_path: Path, geometry: shapely.Geometry, name: str = "用地范围.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(write_exchange([ExchangeParcel(geometry, number="1", name="项目用地")], zone=38).encode("gbk"))
    return path


def test_a_project_from_an_exchange_file_lies_in_its_township(tmp_path, qingquan, township_officer):
    square = _square(qingquan, 0.003)
    boundary, source, _warnings = boundaries.read_boundary(exchange_file(tmp_path, square))
    assert source == "exchange"
    assert shapely.hausdorff_distance(boundary, square) < 1e-8  # the file's 0.1 mm coordinates
    project = services.create_project(actor=township_officer, name="交换文件项目", level=Project.Level.COUNTY,
                                      boundary=boundary, boundary_source=source)
    assert project.region_code == qingquan.code and project.boundary_source == "exchange"
    (part,) = project.parts.all()
    assert part.region_code == qingquan.code
    assert part.area_m2 == pytest.approx(float(ellipsoidal_area_m2(square)[0]), rel=1e-6)
    assert project.steps.count() == 8 and project.steps.filter(status=Step.Status.PENDING).count() == 8
    assert AuditEntry.objects.filter(target_type="projects.project", target_id=str(project.pk),
                                     action="create").exists()


def test_a_project_across_two_townships_is_split_and_filed_under_the_county(qingquan, county_admin, township_officer):
    neighbour = next(t
        for t in Region.objects.filter(parent=qingquan.parent, level=4, retired_in__isnull=True).exclude(pk=qingquan.pk)
                     if shapely.intersects(shapely.from_wkb(bytes(t.geom.wkb)),
                                           shapely.from_wkb(bytes(qingquan.geom.wkb))))
    boundary = _across(qingquan, neighbour)
    with pytest.raises(PermissionDenied):  # the township officer cannot register a project that leaves the township
        services.create_project(actor=township_officer, name="跨界项目", level=Project.Level.MUNICIPAL,
                                boundary=boundary)
    project = services.create_project(actor=county_admin, name="跨界项目", level=Project.Level.MUNICIPAL,
                                      boundary=boundary)
    parts = {p.region_code: p.area_m2 for p in project.parts.all()}
    assert set(parts) == {qingquan.code, neighbour.code}
    assert project.region_code == "371525"
    assert sum(parts.values()) == pytest.approx(float(ellipsoidal_area_m2(boundary)[0]), rel=1e-6)
    assert project.area_m2 == pytest.approx(sum(parts.values()))


def test_a_project_outside_the_scope_is_refused(qingquan, other_county_user):
    with pytest.raises(PermissionDenied):
        services.create_project(actor=other_county_user, name="越权项目", level=Project.Level.COUNTY, region=qingquan)


def test_a_project_needs_a_region_or_a_boundary(county_admin):
    with pytest.raises(ValidationError):
        services.create_project(actor=county_admin, name="无处安放", level=Project.Level.COUNTY)


def test_an_invalid_boundary_is_reported_not_repaired(county_admin, qingquan):
    x, y = shapely.point_on_surface(shapely.from_wkb(bytes(qingquan.geom.wkb))).coords[0]
    bowtie = shapely.Polygon([(x, y), (x + 0.002, y + 0.002), (x + 0.002, y), (x, y + 0.002), (x, y)])
    with pytest.raises(ValidationError, match="不是有效的面"):
        services.create_project(actor=county_admin, name="自相交", level=Project.Level.COUNTY, boundary=bowtie)


def test_a_file_without_polygons_is_refused(tmp_path):
    path = tmp_path / "points.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                    '"geometry":{"type":"Point","coordinates":[115.44,36.48]}}]}', encoding="utf-8")
    with pytest.raises(ValidationError, match="没有面"):
        boundaries.read_boundary(path)


def test_replacing_the_boundary_recomputes_the_parts(qingquan, county_admin):
    project = services.create_project(actor=county_admin, name="改范围", level=Project.Level.COUNTY, region=qingquan)
    assert not project.parts.exists()
    services.set_boundary(actor=county_admin, project=project, boundary=_square(qingquan, 0.002), source="upload")
    project.refresh_from_db()
    assert project.parts.count() == 1 and project.area_m2 > 0


def test_the_occupation_summary_adds_up_to_the_boundary(qingquan, county_admin):
    square = _square(qingquan, 0.004)
    project = services.create_project(actor=county_admin, name="占地分析", level=Project.Level.COUNTY, boundary=square)
    summary = occupation(scope_for(county_admin), project)
    assert summary is not None and summary.parts and not summary.errors
    area = float(ellipsoidal_area_m2(square)[0])
    assert summary.gross_m2 == pytest.approx(area, rel=1e-6)
    assert sum(r.gross_m2 for r in summary.big_classes) + summary.uncovered_m2 == pytest.approx(area, rel=1e-4)
    assert summary.farmland_net_m2 <= summary.farmland_gross_m2
    assert any("永久基本农田" in name for name, _area in summary.controls)


def test_the_plan_starts_on_the_registration_date(county_admin, qingquan, at):
    at(dt.date(2025, 6, 3))
    project = services.create_project(actor=county_admin, name="排期", level=Project.Level.COUNTY, region=qingquan)
    assert project.steps.get(order=1).planned_start == dt.date(2025, 6, 3)
