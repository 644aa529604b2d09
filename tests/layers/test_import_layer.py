"""Layer import into the registry (landguard.layers.services.import_layer), on the real database.

What it proves: one parcel yields the same official area from a 坐标交换文件, a shapefile in EPSG:4527 and a
GeoJSON in EPSG:4490; every kind of bad input is refused with a message naming the feature, field or file
part, and leaves nothing behind; invalid geometry is repaired only when asked, with a report; versions,
the current version and the region of each feature are kept right.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.management import CommandError, call_command

from landguard.audit.models import AuditEntry
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import scope_for
from landguard.formats.exchange import ExchangeParcel
from landguard.formats.exchange_write import write_exchange
from landguard.layers.models import Feature, Layer, LayerKind, LayerVersion
from landguard.layers.services import LayerImportError, import_layer, set_current
from landguard.regions.models import Region
from layers_testdata import E0, N0, gk_rect, to_gk, to_lonlat, write_shp, zip_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db) -> Region:
    return Region.objects.get(code="371525", retired_in__isnull=True)


def _counts() -> tuple[int, int, int]:
    return Layer.objects.count(), LayerVersion.objects.count(), Feature.objects.count()


def _county_parcel(county: Region, size_m: float = 120.0) -> shapely.Polygon:
    """A GK-zone-39 rectangle with a hole, placed inside 冠县 (zone 38 actually covers 冠县; 4527 is zone 39 — use
    4526)."""
    centre = shapely.centroid(shapely.from_wkb(bytes(county.geom.wkb)))
    e, n = to_gk(centre, 4526).coords[0]
    outer = gk_rect(e, n, size_m, size_m * 0.75)
    hole = gk_rect(e + 30, n + 20, 25, 25)
    return to_lonlat(shapely.Polygon(outer, [hole]), 4526)


def _geojson(path, geoms, props: list[dict] | None = None):
    features = [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
         "properties": (props or [{}] * len(geoms))[i]}
                for i, g in enumerate(geoms)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


# --- the same parcel in three formats -------------------------------------------------------------------


def test_one_parcel_has_the_same_official_area_from_exchange_file_shapefile_4527_and_geojson_4490(tmp_path, county):
    lonlat = _county_parcel(county)
    expected = float(ellipsoidal_area_m2(np.array([lonlat], dtype=object))[0])

    txt = tmp_path / "parcel.txt"
    txt.write_bytes(
        write_exchange([ExchangeParcel(lonlat, number="D1", name="试验地块", land_class="0102")],
                       zone=38).encode("gbk"))
    # EPSG:4527 (zone 39, CM 117°E) as the issue asks, although 冠县 lies in zone 38: survey files are often
    # delivered in the neighbouring zone, and the area must not depend on it.
    shp = write_shp(tmp_path / "parcel.shp", [to_gk(lonlat, 4527)], {"BSM": ["D1"], "DLBM": ["0102"]},
                    crs_text="EPSG:4527", encoding="GBK")
    shp_zip = zip_files(tmp_path / "parcel.zip", [shp.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")])
    geojson = _geojson(tmp_path / "parcel.geojson", [lonlat], [{"BSM": "D1", "DLBM": "0102"}])

    areas = {}
    for path in (txt, shp_zip, geojson):
        report = import_layer(path, kind=LayerKind.PROJECT, name=f"试验 {path.suffix}", region=county)
        feature = report.version.features.get()
        areas[path.suffix] = feature.area_m2
        assert feature.region_code.startswith("371525")
    for suffix, area in areas.items():
        assert area == pytest.approx(expected, abs=0.01), suffix
    assert max(areas.values()) - min(areas.values()) < 0.01
    assert LayerVersion.objects.get(layer__name="试验 .zip").source_crs == "epsg:4527"


def test_an_exchange_files_area_in_hectares_is_stored_in_square_metres_and_not_warned_of_falsely(tmp_path, county):
    lonlat = _county_parcel(county)
    expected = float(ellipsoidal_area_m2(np.array([lonlat], dtype=object))[0])
    txt = tmp_path / "parcel.txt"
    # Written as LandGuard's own export writes it: 地块面积 in 公顷 to 4 places.
    txt.write_bytes(
        write_exchange([ExchangeParcel(lonlat, number="D1", name="试验地块", land_class="0102")],
                       zone=38).encode("gbk"))
    report = import_layer(txt, kind=LayerKind.PROJECT, name="交换文件面积", region=county)
    feature = report.version.features.get()
    assert feature.stored_area_m2 == pytest.approx(expected, abs=0.5)  # 公顷 × 10 000, to the 4th decimal's rounding
    assert not [w for w in report.warnings if "面积" in w], report.warnings

    wrong = tmp_path / "wrong.txt"
    wrong.write_bytes(
        write_exchange([ExchangeParcel(lonlat, number="D2", area_ha=expected / 10_000 * 1.5, land_class="0102")],
                                     zone=38).encode("gbk"))
    warned = import_layer(wrong, kind=LayerKind.PROJECT, name="交换文件面积不符", region=county).warnings
    assert len([w for w in warned if "地块面积" in w and "公顷" in w]) == 1, warned  # said once, in 公顷, by the reader


def test_domain_rectangle_in_epsg_4527_imports_with_the_test_vector_area(tmp_path):
    rect = shapely.Polygon(gk_rect(E0, N0, 100, 200))  # domain.md §2.1: 19 999.80197 m²
    shp = write_shp(tmp_path / "rect.shp", [rect], {"BSM": ["R1"]}, crs_text="EPSG:4527")
    # The test vector lies near 117.2°E, 130 km east of 冠县: imported into 山东省, which holds it (a layer of
    # 冠县 would refuse it as far outside its region).
    shandong = Region.objects.get(code="37", retired_in__isnull=True)
    report = import_layer(shp, kind=LayerKind.CUSTOM, name="测试矩形", region=shandong)
    assert report.version.features.get().area_m2 == pytest.approx(19999.80197, abs=0.01)


# --- DLTB rules -------------------------------------------------------------------------------------------


def _dltb_file(tmp_path, county, codes, kcxs, tbmj=None, name="dltb.geojson", extra=None):
    base = _county_parcel(county, 400)
    cells = [shapely.intersection(base, shapely.box(*b)) for b in _split_bounds(shapely.bounds(base), len(codes))]
    props = [{"BSM": f"B{i + 1}", "DLBM": c, "KCXS": k, **({"TBMJ": tbmj[i]} if tbmj else {}),
              **(extra[i] if extra else {})} for i, (c, k) in enumerate(zip(codes, kcxs, strict=True))]
    return _geojson(tmp_path / name, cells, props), cells


def _split_bounds(b, n):
    xs = np.linspace(b[0], b[2], n + 1)
    return [(xs[i], b[1], xs[i + 1], b[3]) for i in range(n)]


def test_dltb_import_stores_codes_fractional_kcxs_official_areas_and_regions(tmp_path, county):
    path, cells = _dltb_file(tmp_path, county, ["0101", "0102", "0702"], [8, 5.5, None])
    report = import_layer(path, kind=LayerKind.DLTB, name="测试地类图斑", region=county, year=2023, source="测试")
    rows = list(report.version.features.order_by("index").values_list("fid", "code", "kcxs", "area_m2", "region_code"))
    assert [r[0] for r in rows] == ["B1", "B2", "B3"]
    assert [r[1] for r in rows] == ["0101", "0102", "0702"]
    assert [r[2] for r in rows] == pytest.approx([0.08, 0.055, 0.0])  # percent → fraction, non-耕地 missing → 0
    assert [r[3] for r in rows] == pytest.approx(list(ellipsoidal_area_m2(np.array(cells, dtype=object))), abs=1e-6)
    assert all(len(r[4]) == 12 and r[4].startswith("371525") for r in rows)  # a village of 冠县
    assert report.version.field_mapping["KCXS"] == "KCXS"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT, target_repr__contains="测试地类图斑").exists()


def test_unknown_land_class_names_the_feature_and_writes_nothing(tmp_path, county):
    path, _cells = _dltb_file(tmp_path, county, ["0101", "9999"], [0.08, 0])
    before = _counts()
    with pytest.raises(LayerImportError, match="9999") as exc:
        import_layer(path, kind=LayerKind.DLTB, name="坏地类", region=county)
    assert "B2" in str(exc.value)
    assert _counts() == before


def test_gb_21010_finer_codes_import_as_their_sandiao_class_keeping_the_source_code(tmp_path, county):
    path, _cells = _dltb_file(tmp_path, county, ["0501", "0604", "0803", "0905"], [None] * 4)
    report = import_layer(path, kind=LayerKind.DLTB, name="国标细类", region=county)
    rows = list(report.version.features.order_by("index").values_list("code", "properties"))
    assert [code for code, _props in rows] == ["05H1", "0508", "08H2", "09"]
    assert [props.get("DLBM") for _code, props in rows] == ["0501", "0604", "0803", "0905"]  # as surveyed, kept


def test_farmland_without_kcxs_and_mixed_kcxs_units_are_refused(tmp_path, county):
    path, _ = _dltb_file(tmp_path, county, ["0101", "0103"], [None, 0.08])
    with pytest.raises(LayerImportError, match="KCXS"):
        import_layer(path, kind=LayerKind.DLTB, name="缺系数", region=county)
    path, _ = _dltb_file(tmp_path, county, ["0101", "0103", "0102"], [8, 0.08, 9], name="mixed.geojson")
    with pytest.raises(LayerImportError, match="B2"):
        import_layer(path, kind=LayerKind.DLTB, name="混合单位", region=county)
    assert not Layer.objects.filter(name__in=["缺系数", "混合单位"]).exists()


def test_tbmj_differing_from_the_ellipsoidal_area_is_reported(tmp_path, county):
    base, _ = _dltb_file(tmp_path, county, ["0102", "0102"], [0.05, 0.05])
    cells = [shapely.from_geojson(json.dumps(f["geometry"])) for f in json.loads(base.read_text())["features"]]
    true = ellipsoidal_area_m2(np.array(cells, dtype=object))
    path, _ = _dltb_file(tmp_path, county, ["0102", "0102"], [0.05, 0.05],
                         tbmj=[round(true[0], 2), round(true[1] * 1.001, 2)],
                         name="tbmj.geojson")
    report = import_layer(path, kind=LayerKind.DLTB, name="面积核对", region=county)
    text = "\n".join(report.lines())
    assert "1 个要素的TBMJ" in text and "B2" in text
    assert report.version.features.get(fid="B2").stored_area_m2 == pytest.approx(round(true[1] * 1.001, 2))


def test_qsxz_under_its_chinese_header_is_read_from_numbers_and_text_and_stored_as_its_code(tmp_path, county):
    path, _ = _dltb_file(tmp_path, county, ["0702", "0101", "0101", "1003"], [None, 0.05, 0.05, None],
                         extra=[{"权属性质": 30}, {"权属性质": "31"}, {"权属性质": "32.0"}, {"权属性质": None}])
    report = import_layer(path, kind=LayerKind.DLTB, name="权属", region=county)
    assert report.version.field_mapping["QSXZ"] == "权属性质"
    rows = list(report.version.features.order_by("index").values_list("fid", "qsxz"))
    assert rows == [("B1", "30"), ("B2", "31"), ("B3", "32"), ("B4", "")]
    assert any("1 个图斑没有权属性质" in line and "B4" in line for line in report.lines())


def test_qsxz_from_a_float_column_of_a_geopackage_is_stored_as_its_code(tmp_path, county):
    cells = [shapely.intersection(_county_parcel(county, 400), shapely.box(*b))
             for b in _split_bounds(shapely.bounds(_county_parcel(county, 400)), 2)]
    path = tmp_path / "qsxz.gpkg"
    pyogrio.raw.write(str(path), shapely.to_wkb(np.array(cells, dtype=object)),
                      [np.array(["G1", "G2"], dtype=object), np.array(["0701", "1003"], dtype=object),
                       np.array([20.0, 10.0])], ["BSM", "DLBM", "QSXZ"], driver="GPKG", geometry_type="Polygon",
                      crs="EPSG:4490")
    report = import_layer(path, kind=LayerKind.DLTB, name="浮点权属", region=county)
    assert list(report.version.features.order_by("index").values_list("qsxz", flat=True)) == ["20", "10"]


def test_a_qsxz_outside_the_code_list_is_refused_naming_the_feature_and_writes_nothing(tmp_path, county):
    path, _ = _dltb_file(tmp_path, county, ["0702", "0702", "0702"], [None] * 3,
                         extra=[{"QSXZ": "30"}, {"QSXZ": "55"}, {"QSXZ": 10}])
    before = _counts()
    with pytest.raises(LayerImportError) as exc:
        import_layer(path, kind=LayerKind.DLTB, name="坏权属", region=county)
    assert "QSXZ" in str(exc.value) and "55" in str(exc.value) and "B2" in str(exc.value)
    assert "B1" not in str(exc.value) and "B3" not in str(exc.value)
    assert _counts() == before


def test_a_dltb_without_qsxz_imports_with_blank_codes_and_says_so(tmp_path, county):
    path, _ = _dltb_file(tmp_path, county, ["0702", "0101"], [None, 0.05])
    report = import_layer(path, kind=LayerKind.DLTB, name="无权属", region=county)
    assert set(report.version.features.values_list("qsxz", flat=True)) == {""}
    assert "QSXZ" not in report.version.field_mapping
    assert any("没有权属性质字段" in line for line in report.lines())


def test_missing_dlbm_field_is_named_and_a_field_mapping_fixes_it(tmp_path, county):
    lonlat = _county_parcel(county)
    path = _geojson(tmp_path / "m.geojson", [lonlat], [{"编号": "X1", "地类代码": "0102", "TKXS": 0.05}])
    with pytest.raises(LayerImportError, match="DLBM"):
        import_layer(path, kind=LayerKind.DLTB, name="映射", region=county)
    report = import_layer(path, kind=LayerKind.DLTB, name="映射", region=county,
                          field_map={"DLBM": "地类代码", "BSM": "编号"})
    f = report.version.features.get()
    assert (f.fid, f.code, f.kcxs) == ("X1", "0102", pytest.approx(0.05))  # TKXS recognised as the 二调 alias of KCXS
    with pytest.raises(LayerImportError, match="不存在|没有字段"):
        import_layer(path, kind=LayerKind.DLTB, name="映射", region=county, field_map={"DLBM": "无此字段"})


# --- bad files leave nothing behind ------------------------------------------------------------------------


def _shapefile_parts(tmp_path, county):
    shp = write_shp(tmp_path / "p.shp", [to_gk(_county_parcel(county), 4526)], {"BSM": ["P1"]}, crs_text="EPSG:4526")
    return [shp.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj")]


@pytest.mark.parametrize("missing, expected", [(".shx", ".shx"), (".dbf", ".dbf")])
def test_zip_missing_a_shapefile_part_is_named(tmp_path, county, missing, expected):
    parts = [p for p in _shapefile_parts(tmp_path, county) if p.suffix != missing]
    archive = zip_files(tmp_path / "parts.zip", parts)
    before = _counts()
    with pytest.raises(LayerImportError, match=expected.replace(".", r"\.")):
        import_layer(archive, kind=LayerKind.CUSTOM, name="缺文件", region=county)
    assert _counts() == before


def test_corrupt_zip_and_zip_bomb_are_refused(tmp_path, county, settings):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    before = _counts()
    with pytest.raises(LayerImportError):
        import_layer(bad, kind=LayerKind.CUSTOM, name="坏压缩包", region=county)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.geojson", b" " * 50_000_000)
    with pytest.raises(LayerImportError, match="压缩"):
        import_layer(bomb, kind=LayerKind.CUSTOM, name="炸弹", region=county)
    settings.UPLOAD_MAX_MB = 1
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.geojson", b" " * 2_000_000)
    with pytest.raises(LayerImportError, match="MB"):
        import_layer(big, kind=LayerKind.CUSTOM, name="超限", region=county)
    assert _counts() == before


def test_no_crs_on_local_coordinates_asks_for_one(tmp_path, county):
    # No .prj and coordinates of a local (独立) system: neither lon/lat nor any CGCS2000 Gauss-Krüger zone.
    geom = shapely.Polygon(gk_rect(1_000, 2_000, 100, 100))
    shp = write_shp(tmp_path / "nocrs.shp", [geom], {"BSM": ["N1"]})
    before = _counts()
    with pytest.raises(LayerImportError, match="坐标系"):
        import_layer(shp, kind=LayerKind.CUSTOM, name="无坐标系", region=county)
    assert _counts() == before


def test_mixed_geometry_types_are_refused_naming_the_odd_feature(tmp_path, county):
    lonlat = _county_parcel(county)
    path = _geojson(tmp_path / "mixed.geojson", [lonlat, lonlat.buffer(0.001), shapely.centroid(lonlat)],
                    [{"BSM": "A"}, {"BSM": "B"}, {"BSM": "PT"}])
    before = _counts()
    with pytest.raises(LayerImportError, match="PT"):
        import_layer(path, kind=LayerKind.CUSTOM, name="混杂", region=county)
    assert _counts() == before


def test_points_are_refused_for_a_control_layer_but_accepted_for_a_custom_layer(tmp_path, county):
    pts = [shapely.centroid(_county_parcel(county))]
    path = _geojson(tmp_path / "pts.geojson", pts, [{"BSM": "PT1"}])
    with pytest.raises(LayerImportError, match="面要素"):
        import_layer(path, kind=LayerKind.BASIC_FARMLAND, name="点永农", region=county)
    report = import_layer(path, kind=LayerKind.CUSTOM, name="监控点位", region=county)
    assert report.version.geometry_kind == "point" and report.version.features.get().area_m2 == 0


def test_empty_and_out_of_china_geometries_are_named(tmp_path, county):
    lonlat = _county_parcel(county)
    text = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(lonlat)), "properties": {"BSM": "OK"}},
        {"type": "Feature", "geometry": None, "properties": {"BSM": "EMPTY"}},
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(shapely.box(2.0, 48.0, 2.01, 48.01))),
         "properties": {"BSM": "PARIS"}},
    ]}
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(text), encoding="utf-8")
    before = _counts()
    with pytest.raises(LayerImportError) as exc:
        import_layer(path, kind=LayerKind.CUSTOM, name="坏几何", region=county)
    assert "EMPTY" in str(exc.value) and "PARIS" in str(exc.value) and "中国" in str(exc.value)
    assert _counts() == before


def test_wrong_encoding_choice_is_refused_and_the_right_one_reads_chinese(tmp_path, county):
    shp = write_shp(tmp_path / "gbk.shp", [to_gk(_county_parcel(county), 4526)], {"BSM": ["地块一"], "DLBM": ["0102"]},
                    crs_text="EPSG:4526", encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    parts = [shp.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj")]
    archive = zip_files(tmp_path / "gbk.zip", parts)
    report = import_layer(archive, kind=LayerKind.CUSTOM, name="编码", region=county)  # no .cpg → GBK assumed
    assert report.version.features.get().fid == "地块一"
    with pytest.raises(LayerImportError, match="编码"):
        import_layer(archive, kind=LayerKind.CUSTOM, name="编码", region=county, encoding="no-such-codec")


def test_self_intersection_is_refused_unless_repair_and_then_reported(tmp_path, county):
    lonlat = _county_parcel(county)
    x0, y0, x1, y1 = shapely.bounds(lonlat)
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    path = _geojson(tmp_path / "bowtie.geojson", [lonlat, bowtie], [{"BSM": "GOOD"}, {"BSM": "BOWTIE"}])
    before = _counts()
    with pytest.raises(LayerImportError, match="BOWTIE") as exc:
        import_layer(path, kind=LayerKind.CUSTOM, name="自相交", region=county)
    assert exc.value.repairable and "--repair" not in str(exc.value)  # each interface words the repair its own way
    assert _counts() == before
    report = import_layer(path, kind=LayerKind.CUSTOM, name="自相交", region=county, repair=True)
    assert any("BOWTIE" in line and "修复" in line for line in report.lines())
    fixed = shapely.from_wkb(bytes(report.version.features.get(fid="BOWTIE").geom.wkb))
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2


# --- versions, scope, command --------------------------------------------------------------------------------


def test_a_second_import_is_a_new_current_version_and_the_old_one_can_be_restored(tmp_path, county, county_admin):
    path = _geojson(tmp_path / "v.geojson", [_county_parcel(county)], [{"BSM": "V1"}])
    first = import_layer(path, kind=LayerKind.APPROVED, name="已批（测试）", region=county, year=2023,
                         actor=county_admin)
    second = import_layer(path, kind=LayerKind.APPROVED, name="已批（测试）", region=county, year=2024,
                          actor=county_admin,
                          publish=True)
    assert second.layer == first.layer and (first.version.number, second.version.number) == (1, 2)
    assert list(first.layer.versions.filter(is_current=True).values_list("number", flat=True)) == [2]
    set_current(version=first.version, actor=county_admin, scope=scope_for(county_admin))
    assert list(first.layer.versions.filter(is_current=True).values_list("number", flat=True)) == [1]
    assert first.layer.versions.get(number=2).features.count() == 1  # kept, not deleted


def test_import_outside_the_scope_is_refused(tmp_path, county, township_officer):
    path = _geojson(tmp_path / "s.geojson", [_county_parcel(county)], [{"BSM": "S1"}])
    with pytest.raises(LayerImportError, match="数据范围"):
        import_layer(path, kind=LayerKind.CUSTOM, name="越权", region=county, scope=scope_for(township_officer))
    assert not Layer.objects.filter(name="越权").exists()


def test_import_layer_command_reports_and_fails_with_a_message(tmp_path, county, capsys):
    path = _geojson(tmp_path / "c.geojson", [_county_parcel(county)], [{"BSM": "C1", "DLBM": "0102", "KCXS": 0.05}])
    call_command("import_layer", str(path), "--kind", "dltb", "--region", "371525", "--name", "命令导入", "--year",
                 "2024")
    out = capsys.readouterr().out
    assert "命令导入" in out and "公顷" in out
    with pytest.raises(CommandError, match="DLBM"):
        call_command("import_layer", str(path), "--kind", "dltb", "--region", "371525", "--map", "DLBM=无此字段")


def test_the_import_bar_moves_through_every_stage_before_the_write_ends(tmp_path, county, monkeypatch):
    """The job page's bar (jobs.services.Stages): each step of an import named as it starts, the bar never going
    back, the write moving it through its share row batch by row batch, and full at the end."""
    from landguard.layers import bulk
    monkeypatch.setattr(bulk, "_PROGRESS_ROWS", 2)  # a few rows stand for a county's thousands
    monkeypatch.setattr(bulk, "_INSERT_BATCH", 2)
    path, _cells = _dltb_file(tmp_path, county, ["0101", "0102", "0702", "0301", "0404", "1001"], [8, 5.5, 0, 0, 0, 0])
    calls = []
    import_layer(path, kind=LayerKind.DLTB, name="进度", region=county, progress=lambda *a: calls.append(a))
    stages = list(dict.fromkeys(stage for _done, _total, stage in calls))
    assert stages == ["读取文件", "检查几何", "检查字段、地类与面积", "确定所在行政区", "写入要素"]
    done = [d for d, _total, _stage in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == calls[-1][1] == 1000
    writes = {d for d, _total, stage in calls if stage == "写入要素"}
    assert len(writes) >= 3  # start, at least one batch in between, the end
