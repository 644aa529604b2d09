"""Overlay across county lines (issue 10): each county's official layers (官方图层), per-county subtotals and
one total, slivers ignored, ambiguity named; the designation service and its page action.

冠县 (371525) and 莘县 (371522) are neighbours in the demo; both have demo layers imported through the real
import service, each county's first layer of a kind becoming its official one.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from shapely.ops import nearest_points

from landguard.analysis import counties, services
from landguard.audit.models import AuditEntry
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import EVERYTHING
from landguard.layers import services as layer_services
from landguard.layers.models import Feature, Layer, LayerKind
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


def outline(code: str) -> shapely.Geometry:
    return shapely.from_wkb(bytes(Region.objects.get(code=code, retired_in__isnull=True).geom.wkb))


def border_point() -> shapely.Point:
    """A point on 冠县's line with 莘县."""
    shared = shapely.intersection(shapely.boundary(outline("371525")), shapely.buffer(outline("371522"), 1e-3))
    return shared.interpolate(0.5, normalized=True)


def crossing_square(half_deg: float = 0.004) -> shapely.Polygon:
    p = border_point()
    return shapely.box(p.x - half_deg, p.y - half_deg, p.x + half_deg, p.y + half_deg)


def test_a_boundary_crossing_guanxian_border_uses_both_counties_official_layers():
    boundary = crossing_square()
    dltb, controls = services.choose_layers(EVERYTHING, boundaries=np.array([boundary]))
    assert sorted(v.layer.slug for v in dltb) == ["371522-dltb", "371525-dltb"]
    assert {v.layer.region_code for v in controls} == {"371522", "371525"}
    assert all(v.layer.is_official for v in controls)

    (result,) = services.overlay_boundaries(scope=EVERYTHING, boundaries=[boundary], dltb=dltb, controls=controls)
    parts = {p.code: p for p in result.subtotals}
    assert set(parts) == {"371522", "371525"} and parts["371525"].name == "冠县" and parts["371522"].name == "莘县"
    # One total, the sum of the subtotals; the whole boundary counted once (its official ellipsoidal area).
    assert result.gross_m2 == pytest.approx(sum(p.result.gross_m2 for p in result.subtotals))
    assert result.gross_m2 == pytest.approx(ellipsoidal_area_m2(boundary)[0], rel=1e-9)
    assert result.farmland_net_m2 == pytest.approx(sum(p.result.farmland_net_m2 for p in result.subtotals))
    for key, row in result.by_code.items():
        assert row.gross_m2 == pytest.approx(sum(p.result.by_code[key].gross_m2 for p in result.subtotals
                                                 if key in p.result.by_code))
    # 莘县's part is the boundary inside its outline (it comes first by code), 冠县 has the rest; what lies in
    # neither outline (the two sources leave slits along the line) goes to the larger part.
    shen = ellipsoidal_area_m2(shapely.intersection(boundary, outline("371522")))[0]
    gap = ellipsoidal_area_m2(shapely.difference(boundary, shapely.union(outline("371522"), outline("371525"))))[0]
    larger = max(parts.values(), key=lambda p: p.result.gross_m2).code
    assert parts["371522"].result.gross_m2 == pytest.approx(shen + (gap if larger == "371522" else 0), rel=1e-6)
    assert min(p.result.gross_m2 for p in result.subtotals) > 10_000
    # Each part's parcels are its own county's: a 冠县 parcel is never counted in 莘县's part, nor the reverse.
    by_code = {v.layer.region_code: v for v in dltb}
    for code, part in parts.items():
        pks = set(part.result.pieces.dltb_index.tolist())
        assert pks and Feature.objects.filter(pk__in=pks, version=by_code[code]).count() == len(pks)
    assert {c for c in result.controls} == {c for p in result.subtotals for c in p.result.controls}
    # 权属 too: each county's split from its own DLTB's QSXZ, the total their sum, adding up to the DLTB area.
    for table in ("by_ownership", "by_big_class_ownership", "farmland_by_ownership"):
        for key, row in getattr(result, table).items():
            assert row.gross_m2 == pytest.approx(sum(getattr(p.result, table)[key].gross_m2 for p in result.subtotals
                                                     if key in getattr(p.result, table))), (table, key)
    assert sum(r.gross_m2 for r in result.by_ownership.values()) == pytest.approx(result.dltb_m2)
    assert all(p.result.by_ownership for p in result.subtotals)
    body = result.to_dict()
    assert [s["code"] for s in body["subtotals"]] == ["371522", "371525"]
    assert all(s["by_ownership"] for s in body["subtotals"]) and body["by_ownership"]


def test_a_boundary_touching_the_neighbour_with_a_sliver_uses_one_county():
    guan, p = outline("371525"), border_point()
    q = nearest_points(shapely.buffer(guan, -0.006), p)[0]  # well inside 冠县
    inner = shapely.box(q.x - 0.002, q.y - 0.002, q.x + 0.002, q.y + 0.002)
    beyond = shapely.Point(p.x + (p.x - q.x) * 0.05, p.y + (p.y - q.y) * 0.05)
    spike = shapely.buffer(shapely.LineString([q, beyond]), 1e-10, cap_style="flat")
    boundary = shapely.union(inner, spike)
    assert boundary.is_valid and shapely.intersects(boundary, outline("371522"))
    assert 0 < ellipsoidal_area_m2(shapely.intersection(boundary, outline("371522")))[0] < 0.01
    assert [c.code for c in counties.overlapped(EVERYTHING, np.array([boundary]))] == ["371525"]
    dltb, controls = services.choose_layers(EVERYTHING, boundaries=np.array([boundary]))
    assert dltb.layer.slug == "371525-dltb" and {v.layer.region_code for v in controls} == {"371525"}


def _second_dltb(tmp_path) -> Layer:
    """Another 地类图斑 layer of 莘县, imported through the real service (one parcel near the border)."""
    p = border_point()
    parcel = shapely.box(p.x - 0.001, p.y - 0.003, p.x + 0.001, p.y - 0.001)
    path = tmp_path / "莘县补充调查.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"DLBM": "0301", "BSM": "X1"},
         "geometry": shapely.geometry.mapping(parcel)}]}),
        encoding="utf-8")
    layer_services.import_layer(path, kind=LayerKind.DLTB, name="莘县补充调查",
                                region=Region.objects.get(code="371522"))
    return Layer.objects.get(name="莘县补充调查")


def test_two_layers_in_a_county_and_none_official_is_an_error_naming_the_county(tmp_path, county_admin):
    second = _second_dltb(tmp_path)
    assert not second.is_official  # 莘县 already had an official 地类图斑: the import leaves it so
    Layer.objects.filter(slug="371522-dltb").update(is_official=False)
    refused = r"莘县（371522）有多个地类图斑图层且未指定官方图层.*371522-dltb.*设为官方图层"
    with pytest.raises(services.OverlayError, match=refused):
        services.choose_layers(EVERYTHING, boundaries=np.array([crossing_square()]))
    layer_services.designate_official(actor=county_admin, layer=second)
    dltb, _controls = services.choose_layers(EVERYTHING, boundaries=np.array([crossing_square()]))
    assert sorted(v.layer.slug for v in dltb) == sorted(["371525-dltb", second.slug])


def test_explicit_slugs_still_narrow_and_may_span_counties():
    boundary = crossing_square()
    dltb, controls = services.choose_layers(EVERYTHING, slugs=["371525-dltb"], boundaries=np.array([boundary]))
    assert dltb.layer.slug == "371525-dltb" and controls == []
    (alone,) = services.overlay_boundaries(scope=EVERYTHING, boundaries=[boundary], dltb=dltb)
    assert alone.subtotals == () and alone.gross_m2 == pytest.approx(ellipsoidal_area_m2(boundary)[0], rel=1e-9)
    dltb, controls = services.choose_layers(EVERYTHING, slugs=["371525-dltb", "371522-dltb", "371522-basic_farmland"])
    assert sorted(v.layer.slug for v in dltb) == ["371522-dltb", "371525-dltb"]
    (result,) = services.overlay_boundaries(scope=EVERYTHING, boundaries=[boundary], dltb=dltb, controls=controls)
    shen = next(p for p in result.subtotals if p.code == "371522")
    guan = next(p for p in result.subtotals if p.code == "371525")
    assert list(shen.result.controls) == [controls[0].layer.name] and not guan.result.controls


def test_a_county_user_still_analyses_with_their_county_only(county_admin):
    from landguard.core.scope import scope_for

    scope = scope_for(county_admin)
    inside = shapely.intersection(crossing_square(0.002), outline("371525"))
    geoms = services.check_boundaries(scope, np.array([inside]))
    dltb, controls = services.choose_layers(scope, boundaries=geoms)
    assert dltb.layer.slug == "371525-dltb" and all(v.layer.region_code == "371525" for v in controls)


def test_designation_unsets_the_previous_one_and_is_audited(tmp_path, county_admin, other_county_user):
    second = _second_dltb(tmp_path)
    before = Layer.objects.get(slug="371522-dltb")
    assert before.is_official
    layer_services.designate_official(actor=other_county_user, layer=second)
    assert Layer.objects.get(pk=second.pk).is_official and not Layer.objects.get(pk=before.pk).is_official
    notes = list(AuditEntry.objects.filter(target_type="layers.layer", target_id__in=[str(second.pk), str(before.pk)])
                 .order_by("pk").values_list("target_id", "note"))
    assert (str(before.pk), "不再是官方图层：由“莘县补充调查”取代") in notes
    assert any(t == str(second.pk) and n.startswith("设为官方图层") for t, n in notes)
    from landguard.core.scope import scope_for

    with pytest.raises(layer_services.LayerImportError, match="不在您的数据范围内"):
        layer_services.designate_official(actor=county_admin, layer=before, scope=scope_for(county_admin))


def test_the_layer_page_designates_for_managers_of_the_county(tmp_path, client_for, county_admin, other_county_user):
    second = _second_dltb(tmp_path)
    url = f"/layers/{second.slug}/official/"
    assert client_for(county_admin).post(url).status_code == 404  # 莘县's layer, outside 冠县's scope
    client = client_for(other_county_user)
    page = client.get(f"/layers/{second.slug}/").content.decode()
    assert url in page and "设为官方图层" in page
    response = client.post(url)
    assert response.status_code == 302 and Layer.objects.get(pk=second.pk).is_official
    page = client.get(f"/layers/{second.slug}/").content.decode()
    assert "官方图层</span>" in page and url not in page
    assert client.get(url).status_code == 405
    listing = client.get("/layers/").content.decode()
    assert "官方图层" in listing
    api = client.get(f"/api/layers/{second.slug}/").json()
    assert api["is_official"] is True


def test_the_command_prints_county_subtotals_and_layers_narrow_it(tmp_path):
    path = tmp_path / "跨县道路.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {"name": "道路"},
                                "geometry": shapely.geometry.mapping(crossing_square())}), encoding="utf-8")
    out = io.StringIO()
    call_command("overlay", str(path), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "分县小计" in text and "冠县（371525）" in text and "莘县（371522）" in text and "合计" in text
    out = io.StringIO()
    call_command("overlay", str(path), "--json", stdout=out, stderr=io.StringIO())
    (result,) = json.loads(out.getvalue())["results"]
    assert [s["code"] for s in result["subtotals"]] == ["371522", "371525"]
    assert result["gross"]["m2"] == pytest.approx(sum(s["gross"]["m2"] for s in result["subtotals"]), abs=0.02)
    out = io.StringIO()
    call_command("overlay", str(path), "--layers", "371525-dltb", stdout=out, stderr=io.StringIO())
    assert "分县小计" not in out.getvalue()


def test_the_page_and_api_show_the_subtotals(client_for, county_admin):
    from landguard.people.models import User

    client = client_for(User.objects.get(username="liaocheng_admin"))
    geometry = shapely.geometry.mapping(crossing_square())
    page = client.get("/analysis/").content.decode()
    assert 'value="auto"' in page
    response = client.post("/analysis/", {"dltb": "auto", "boundary": json.dumps(geometry)}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "分县小计" in text and 'data-county="371522"' in text and 'data-county="371525"' in text
    body = client.post("/api/overlay/", {"geometry": geometry}, content_type="application/json").json()
    assert [s["name"] for s in body["results"][0]["subtotals"]] == ["莘县", "冠县"]


def test_the_demo_layers_are_their_countys_official_layers():
    demo = Layer.objects.filter(region_code__in=["371525", "371522"])
    assert demo.count() >= 10 and not demo.filter(is_official=False).exists()


def test_the_data_migration_makes_a_countys_sole_layer_of_a_kind_official(tmp_path):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("landguard.layers.migrations.0003_official_layers")
    _second_dltb(tmp_path)
    Layer.objects.update(is_official=False)
    migration.designate_sole_layers(apps, None)
    assert not Layer.objects.filter(region_code="371522", kind=LayerKind.DLTB, is_official=True).exists()  # two: none
    assert Layer.objects.get(slug="371525-dltb").is_official
    assert Layer.objects.filter(region_code="371522", kind=LayerKind.BASIC_FARMLAND, is_official=True).count() == 1


def test_the_database_allows_one_official_layer_per_county_and_kind(tmp_path):
    from django.db import IntegrityError, transaction

    second = _second_dltb(tmp_path)
    with pytest.raises(IntegrityError), transaction.atomic():
        Layer.objects.filter(pk=second.pk).update(is_official=True)


def test_the_reports_carry_the_county_subtotals():
    from openpyxl import load_workbook

    from landguard.analysis import reports

    boundary = crossing_square()
    dltb, controls = services.choose_layers(EVERYTHING, boundaries=np.array([boundary]))
    results = services.overlay_boundaries(scope=EVERYTHING, boundaries=[boundary], dltb=dltb, controls=controls)
    report = reports.OverlayReport(["跨县道路"], results, dltb, controls, "聊城市", "道路.geojson")
    assert {u.slug for u in report.layers} >= {"371522-dltb", "371525-dltb"}
    sheet = load_workbook(io.BytesIO(reports.build_xlsx(report)))["跨县道路"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    title = next(i for i, row in enumerate(rows) if row[0] == "分县小计")
    counties_rows = rows[title + 2:title + 5]
    assert [r[0] for r in counties_rows] == ["莘县（371522）", "冠县（371525）", "合计"]
    assert counties_rows[2][2] == pytest.approx(counties_rows[0][2] + counties_rows[1][2], abs=0.011)  # 亩
    from docx import Document

    doc = Document(io.BytesIO(reports.build_docx(report)))
    assert any(p.text == "分县小计" for p in doc.paragraphs)
    cells = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    assert {"莘县（371522）", "冠县（371525）", "合计"} <= cells


def test_a_control_layer_of_a_county_without_its_dltb_is_refused_not_dropped(tmp_path):
    region = Region.objects.filter(code__startswith="3715", level=3, retired_in__isnull=True).exclude(
        code__in=["371522", "371525"]).first()
    path = tmp_path / "另一县永农.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {"BSM": "Y1"},
                                "geometry": shapely.geometry.mapping(crossing_square(0.001))}), encoding="utf-8")
    layer_services.import_layer(path, kind=LayerKind.BASIC_FARMLAND, name="另一县永久基本农田", region=region)
    dltb, controls = services.choose_layers(EVERYTHING, slugs=["371525-dltb", "371522-dltb",
                                                               Layer.objects.get(name="另一县永久基本农田").slug])
    with pytest.raises(services.OverlayError, match="另一县永久基本农田”所在的县没有选用地类图斑图层"):
        services.overlay_boundaries(scope=EVERYTHING, boundaries=[crossing_square()], dltb=dltb, controls=controls)
