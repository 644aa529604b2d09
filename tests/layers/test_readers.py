"""The format readers (landguard.formats): real files written in tmp_path (GDAL via pyogrio, openpyxl, by hand) and the
public refdata.

No test here touches the database.
"""

import codecs
import io
import json
import zipfile

import numpy as np
import openpyxl
import pyogrio.raw
import pytest
import shapely
from layers_testdata import (
    E0,
    N0,
    REFDATA,
    gk_rect,
    gk_to_lonlat,
    max_vertex_distance_m,
    parcel_with_hole_gk,
    to_gk,
    to_lonlat,
    write_shp,
    zip_files,
)

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.formats import read_layer
from landguard.formats.archives import check_zip, unpacked_upload, zip_member_name
from landguard.formats.base import LayerReadError
from landguard.formats.geometry import polygon_from_rings

DLMC = ["水田", "旱地", "农村宅基地"]


def _three_parcels_lonlat():
    return [shapely.Polygon(gk_to_lonlat(gk_rect(E0 + 300 * i, N0, 200, 100))) for i in range(3)]


def _rejected(path, message, **kwargs):
    with pytest.raises(LayerReadError) as exc:
        read_layer(path, **kwargs)
    assert message in str(exc.value), str(exc.value)
    return str(exc.value)


# --- Shapefile ------------------------------------------------------------------------------------------
def test_gbk_shapefile_without_cpg_decodes_chinese_attributes(tmp_path):
    path = write_shp(tmp_path / "dltb.shp", _three_parcels_lonlat(), {"DLMC": DLMC, "DLBM": ["0101", "0103", "0702"]},
                     crs_text="EPSG:4490", encoding="GBK")
    (tmp_path / "dltb.cpg").unlink()  # what ArcGIS 9/10 exports and many 三调 deliveries look like
    layer = read_layer(path)
    assert list(layer.attributes["DLMC"]) == DLMC
    assert layer.encoding_used == "GBK" and any("GBK" in w for w in layer.warnings)
    assert layer.source_crs == "cgcs2000" and layer.invalid == [] and len(layer) == 3
    assert layer.row(2) == {"DLMC": "农村宅基地", "DLBM": "0702"}


def test_encoding_can_be_chosen_when_there_is_no_cpg(tmp_path):
    path = write_shp(tmp_path / "big5.shp", _three_parcels_lonlat()[:1], {"MC": ["臺灣"]}, crs_text="EPSG:4490",
                     encoding="BIG5")
    (tmp_path / "big5.cpg").unlink()
    layer = read_layer(path, encoding="BIG5")
    assert layer.attributes["MC"][0] == "臺灣" and layer.encoding_used == "BIG5" and not layer.warnings


def test_shapefile_with_utf8_cpg_is_read_as_utf8(tmp_path):
    path = write_shp(tmp_path / "u.shp", _three_parcels_lonlat(), {"DLMC": DLMC}, crs_text="EPSG:4490",
                     encoding="UTF-8")
    assert (tmp_path / "u.cpg").read_text().strip().upper() in ("UTF-8", "65001")
    layer = read_layer(path)
    assert list(layer.attributes["DLMC"]) == DLMC and layer.encoding_used == "UTF-8" and not layer.warnings


def test_utf8_cpg_over_gbk_bytes_falls_back_to_gbk_with_a_warning(tmp_path):
    path = write_shp(tmp_path / "mixed.shp", _three_parcels_lonlat(), {"DLMC": DLMC}, crs_text="EPSG:4490",
                     encoding="GBK")
    (tmp_path / "mixed.cpg").write_text("UTF-8")  # ArcGIS's default .cpg over a GBK DBF
    layer = read_layer(path)
    assert list(layer.attributes["DLMC"]) == DLMC and layer.encoding_used == "GBK"
    assert any(".cpg 声明 UTF-8" in w for w in layer.warnings)


def test_unrecognised_cpg_is_treated_as_missing(tmp_path):
    path = write_shp(tmp_path / "ansi.shp", _three_parcels_lonlat(), {"DLMC": DLMC}, crs_text="EPSG:4490",
                     encoding="GBK")
    (tmp_path / "ansi.cpg").write_text("ANSI")
    layer = read_layer(path)
    assert list(layer.attributes["DLMC"]) == DLMC and any("（ANSI）不是可识别的编码" in w for w in layer.warnings)


def test_zipped_shapefile_in_a_folder_is_read(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    write_shp(folder / "DLTB.shp", _three_parcels_lonlat(), {"DLMC": DLMC}, crs_text="EPSG:4490", encoding="GBK")
    archive = zip_files(tmp_path / "dltb.zip", sorted(folder.iterdir()), prefix="三调成果/")
    layer = read_layer(archive)
    assert list(layer.attributes["DLMC"]) == DLMC and layer.source_format == "shapefile" and layer.layer_name == "DLTB"


def test_zip_with_gbk_member_names_and_several_layers_picks_by_name(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    write_shp(folder / "地类图斑.shp", _three_parcels_lonlat(), {"DLMC": DLMC}, crs_text="EPSG:4490")
    write_shp(folder / "行政区.shp", _three_parcels_lonlat()[:1], {"XZQMC": ["冠县"]}, crs_text="EPSG:4490")
    # Chinese Windows zips store GBK names without the UTF-8 flag. zipfile cannot write that, so write ASCII
    # placeholders of the same byte length and patch the GBK bytes in.
    placeholders = {"地类图斑": "dltbdltb", "行政区": "xzqxzq"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.iterdir()):
            zf.writestr(placeholders[part.stem] + part.suffix, part.read_bytes())
    data = buffer.getvalue()
    for chinese, placeholder in placeholders.items():
        assert len(chinese.encode("gbk")) == len(placeholder)
        data = data.replace(placeholder.encode(), chinese.encode("gbk"))
    archive = tmp_path / "成果.zip"
    archive.write_bytes(data)
    with zipfile.ZipFile(archive) as zf:
        assert {zip_member_name(m) for m in zf.infolist()} >= {"地类图斑.shp", "行政区.dbf"}
    message = _rejected(archive, "实际有 2 个")
    assert "地类图斑.shp" in message and "行政区.shp" in message
    assert list(read_layer(archive, layer="行政区").attributes["XZQMC"]) == ["冠县"]


def test_missing_dbf_is_named(tmp_path):
    path = write_shp(tmp_path / "t.shp", _three_parcels_lonlat(), {"DLMC": DLMC}, crs_text="EPSG:4490")
    (tmp_path / "t.dbf").unlink()
    _rejected(path, "缺少 .dbf")


def test_gauss_kruger_zone_39_without_prj_is_detected_as_epsg_4527(tmp_path):
    path = write_shp(tmp_path / "gk.shp", [shapely.Polygon(gk_rect(E0, N0, 100, 200))], {"BSM": ["1"]})
    assert not (tmp_path / "gk.prj").exists()
    layer = read_layer(path)
    assert layer.source_crs == "epsg:4527" and not layer.swap_xy
    assert any("epsg:4527" in w for w in layer.crs_warnings)  # undeclared: the user is told what was assumed
    assert ellipsoidal_area_m2(layer.geometries)[0] == pytest.approx(19999.80197, abs=0.01)  # domain.md §2 test vector


def test_swapped_x_y_are_detected(tmp_path):
    square = shapely.Polygon(gk_rect(E0, N0, 100, 200))
    swapped = shapely.transform(square, lambda c: c[:, ::-1])  # survey order: northing first
    path = write_shp(tmp_path / "swapped.shp", [swapped], {"BSM": ["1"]})
    layer = read_layer(path)
    assert layer.source_crs == "epsg:4527" and layer.swap_xy
    assert any("互换" in w for w in layer.crs_warnings)
    assert max_vertex_distance_m(layer.geometries[0], to_lonlat(square)) < 1e-3


def test_explicit_crs_wins_over_a_wrong_prj(tmp_path):
    path = write_shp(tmp_path / "w.shp", [shapely.Polygon(gk_rect(E0, N0, 100, 100))], {"BSM": ["1"]},
                     crs_text="EPSG:4326")
    layer = read_layer(path, crs="epsg:4527")
    assert layer.source_crs == "epsg:4527" and any("不一致" in w for w in layer.crs_warnings)
    _rejected(path, "未知的坐标系", crs="mars")


def test_six_digit_eastings_need_a_hint_or_a_crs(tmp_path):
    path = write_shp(tmp_path / "cm.shp", [shapely.Polygon(gk_rect(520_000, N0, 100, 100))], {"BSM": ["1"]})
    _rejected(path, "中央经线")
    assert read_layer(path, hint_lon=115.6).source_crs == "epsg:4548"  # 冠县's longitude → CM 117°E, no prefix
    assert read_layer(path, crs="epsg:4548").source_crs == "epsg:4548"


def test_invalid_geometry_is_reported_not_repaired(tmp_path):
    bowtie = shapely.Polygon(gk_to_lonlat([(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100)]))
    good = shapely.Polygon(gk_to_lonlat(gk_rect(E0 + 500, N0, 50, 50)))
    path = write_shp(tmp_path / "bad.shp", [good, bowtie], {"TBBH": ["11", "12"]}, crs_text="EPSG:4490")
    layer = read_layer(path)
    assert [i for i, _reason in layer.invalid] == [1]
    assert "自相交" in layer.invalid[0][1]
    assert layer.geometries[1].equals_exact(bowtie, 1e-9) and not layer.geometries[1].is_valid  # untouched
    assert layer.invalid_messages() == [f"第 2 个要素（TBBH 12）：{layer.invalid[0][1]}"]


def test_outside_china_and_empty_geometries_are_reported(tmp_path):
    features = [
        {"type": "Feature", "properties": {"name": "巴黎"},
         "geometry": shapely.geometry.mapping(shapely.box(2.3, 48.8, 2.4, 48.9))},
                {"type": "Feature", "properties": {"name": "空"}, "geometry": None},
                {"type": "Feature", "properties": {"name": "冠县"},
                 "geometry": shapely.geometry.mapping(shapely.box(115.4, 36.4, 115.5, 36.5))}]
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    layer = read_layer(path, crs="cgcs2000")
    reasons = dict(layer.invalid)
    assert set(reasons) == {0, 1} and "不在中国范围内" in reasons[0] and reasons[1] == "几何为空"
    assert layer.geometries[1] is None and layer.feature_labels[1] == "第 2 个要素（name 空）"


# --- zip safety -----------------------------------------------------------------------------------------
def _zip_with(tmp_path, name: str, data: bytes = b"x", *, symlink: bool = False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = 0o120777 << 16
        zf.writestr(info, data)
    archive = tmp_path / "evil.zip"
    archive.write_bytes(buffer.getvalue())
    return archive


@pytest.mark.parametrize("name", ["../evil.shp", "data/../../evil.shp", "/etc/evil.shp", "C:/evil.shp", "..\\evil.shp"])
def test_zip_with_path_traversal_is_rejected_before_anything_is_unpacked(tmp_path, name):
    archive = _zip_with(tmp_path, name)
    _rejected(archive, "压缩包内路径不安全")
    assert not (tmp_path.parent / "evil.shp").exists() and not (tmp_path / "evil.shp").exists()


def test_zip_with_a_symlink_is_rejected(tmp_path):
    _rejected(_zip_with(tmp_path, "link.shp", b"/etc/passwd", symlink=True), "符号链接")


def test_zip_bomb_and_too_many_members_are_rejected(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t.shp", b"\x00" * 5_000_000)
    _rejected(bomb, "疑似压缩炸弹")
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(201):
            zf.writestr(f"f{i}.txt", b"x")
    _rejected(many, "文件过多")


def test_upload_size_limit_applies_to_files_and_unpacked_archives(tmp_path, settings):
    settings.UPLOAD_MAX_MB = 1
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    _rejected(big, "超过 1 MB 上限")
    archive = tmp_path / "big.zip"  # small on disk, over the limit once unpacked, not a suspicious ratio
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t.shp", np.random.default_rng(1).bytes(700_000).hex().encode()[:1_400_000])
    assert archive.stat().st_size < 1024 * 1024
    _rejected(archive, "解压后超过 1 MB 上限")
    small = tmp_path / "small.geojson"
    small.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    _rejected(small, "small.geojson 超过", max_bytes=10)  # a caller's own limit overrides the setting


def test_unpacked_upload_is_reusable_for_other_importers(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    write_shp(folder / "b.shp", _three_parcels_lonlat(), {"code": ["1", "2", "3"]}, crs_text="EPSG:4490")
    archive = zip_files(tmp_path / "b.zip", sorted(folder.iterdir()))
    with unpacked_upload(archive, data_suffixes={".shp", ".geojson", ".json"}) as data_path:
        assert data_path.name == "b.shp" and data_path.with_suffix(".dbf").exists()
        unpacked_dir = data_path.parent
    assert not unpacked_dir.exists()  # the temporary directory is removed afterwards
    with zipfile.ZipFile(archive) as zf:
        assert len(check_zip(zf, label="b.zip")) == len(list(folder.iterdir()))
    text = tmp_path / "notes.doc"
    text.write_text("x")
    with pytest.raises(LayerReadError, match="不支持的文件类型"):
        with unpacked_upload(text, data_suffixes={".shp"}):
            pass


def test_unreadable_files_are_reported(tmp_path):
    fake = tmp_path / "fake.shp"
    fake.write_bytes(b"\x00" * 200)
    (tmp_path / "fake.shx").write_bytes(b"\x00" * 100)
    (tmp_path / "fake.dbf").write_bytes(b"\x00" * 100)
    _rejected(fake, "无法读取 Shapefile")
    not_zip = tmp_path / "fake.zip"
    not_zip.write_bytes(b"PK nonsense")
    _rejected(not_zip, "不是有效的 zip 压缩包")
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    _rejected(broken, "无法解析为 JSON")
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0")
    _rejected(xls, "另存为 .xlsx")


# --- GeoPackage -----------------------------------------------------------------------------------------
def _gpkg_layer(path, name, geoms, props, crs_text, geometry_type="Polygon"):
    pyogrio.raw.write(str(path), shapely.to_wkb(np.asarray(geoms, dtype=object)),
                      [np.asarray(v, dtype=object) for v in props.values()],
                      list(props), driver="GPKG", geometry_type=geometry_type, crs=crs_text, layer=name)


def test_geopackage_with_two_polygon_layers_asks_which_one(tmp_path):
    path = tmp_path / "两层.gpkg"
    _gpkg_layer(path, "地块", _three_parcels_lonlat(), {"DLMC": DLMC}, "EPSG:4490")
    gk = [shapely.MultiPolygon([shapely.Polygon(gk_rect(E0, N0, 100, 200))])]
    _gpkg_layer(path, "parcels_4527", gk, {"DKBH": ["A-1"]}, "EPSG:4527", "MultiPolygon")
    message = _rejected(path, "有多个图层")
    assert "地块（Polygon）" in message and "parcels_4527（MultiPolygon）" in message
    projected = read_layer(path, layer="parcels_4527")
    assert projected.source_crs == "epsg:4527" and projected.layer_name == "parcels_4527"
    assert ellipsoidal_area_m2(projected.geometries)[0] == pytest.approx(19999.80197, abs=0.01)
    assert list(read_layer(path, layer="地块").attributes["DLMC"]) == DLMC
    _rejected(path, "没有图层“DLTB”", layer="DLTB")


def test_geopackage_defaults_to_its_only_polygon_layer(tmp_path):
    path = tmp_path / "one.gpkg"
    _gpkg_layer(path, "points", [shapely.Point(115.5, 36.5)], {"n": ["p"]}, "EPSG:4490", "Point")
    _gpkg_layer(path, "地块", _three_parcels_lonlat(), {"DLMC": DLMC}, "EPSG:4490")
    layer = read_layer(path)
    assert layer.layer_name == "地块" and layer.encoding_used is None and list(layer.attributes["DLMC"]) == DLMC


# --- GeoJSON --------------------------------------------------------------------------------------------
def test_bom_geojson_bare_array_is_read(tmp_path):
    features = [{"type": "Feature", "properties": {"adcode": 371525, "name": "冠县", "center": [115.44, 36.48]},
                 "geometry": shapely.geometry.mapping(p)} for p in _three_parcels_lonlat()[:2]]
    path = tmp_path / "datav.json"
    path.write_bytes(codecs.BOM_UTF8 + json.dumps(features, ensure_ascii=False).encode("utf-8"))
    layer = read_layer(path)
    assert len(layer) == 2 and layer.fields == ["adcode", "name", "center"]
    assert layer.row(0) == {"adcode": 371525, "name": "冠县", "center": [115.44, 36.48]}
    assert layer.encoding_used == "UTF-8" and layer.source_format == "geojson"
    assert layer.feature_labels[1] == "第 2 个要素（adcode 371525）"


def test_geojson_with_a_declared_projected_crs(tmp_path):
    square = shapely.Polygon(gk_rect(E0, N0, 100, 200))
    data = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
            "features": [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(square)}]}
    path = tmp_path / "gk.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    layer = read_layer(path)
    assert layer.source_crs == "epsg:4527" and layer.crs_warnings == []
    assert ellipsoidal_area_m2(layer.geometries)[0] == pytest.approx(19999.80197, abs=0.01)


def test_gbk_geojson_is_read_with_a_warning(tmp_path):
    data = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"DLMC": "水田"},
                                                       "geometry": shapely.geometry.mapping(
                                                           _three_parcels_lonlat()[0])}]}
    path = tmp_path / "gbk.geojson"
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode("gbk"))
    layer = read_layer(path)
    assert layer.attributes["DLMC"][0] == "水田" and layer.encoding_used == "GB18030" and layer.warnings


# --- KML ------------------------------------------------------------------------------------------------
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>项目红线</name>
<Folder><name>红线</name>
<Placemark><name>地块一</name><description>拟征收</description>
<ExtendedData><Data name="DLBM"><value>0101</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{outer}</coordinates></LinearRing></outerBoundaryIs>
<innerBoundaryIs><LinearRing><coordinates>{hole}</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
<Placemark><name>地块二</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{second}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Folder></Document></kml>"""


def _kml_coords(ring) -> str:
    ring = list(ring) + [ring[0]]
    return " ".join(f"{lon:.9f},{lat:.9f},0" for lon, lat in ring)


def test_kml_polygons_with_a_hole_are_read_as_wgs84(tmp_path):
    parcel = to_lonlat(parcel_with_hole_gk())
    second = shapely.Polygon(gk_to_lonlat(gk_rect(E0 + 400, N0, 100, 100)))
    path = tmp_path / "红线.kml"
    path.write_text(
        KML.format(outer=_kml_coords(parcel.exterior.coords[:-1]), hole=_kml_coords(parcel.interiors[0].coords[:-1]),
                               second=_kml_coords(second.exterior.coords[:-1])), encoding="utf-8")
    layer = read_layer(path)
    assert layer.source_crs == "wgs84" and layer.source_format == "kml" and len(layer) == 2
    assert layer.fields == ["Name", "description", "DLBM"]  # LIBKML's styling columns are dropped
    assert layer.row(0) == {"Name": "地块一", "description": "拟征收", "DLBM": "0101"}
    first = layer.geometries[0]
    assert len(first.interiors) == 1 and first.has_z is False
    assert ellipsoidal_area_m2(first)[0] == pytest.approx(ellipsoidal_area_m2(parcel)[0], abs=0.01)
    kmz = tmp_path / "红线.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "doc.kml")
    assert len(read_layer(kmz)) == 2
    assert read_layer(path, crs="gcj02").source_crs == "gcj02"  # 奥维/91 exports: only the user knows


# --- coordinate tables ----------------------------------------------------------------------------------
def _table_rows_with_hole():
    """地块 A: 200×150 m with a 30×30 m hole (圈号 2); 地块 B: 100×100 m. Survey order: X = north, Y = east."""
    rows = []
    outer = gk_rect(E0, N0, 200, 150)
    hole = gk_rect(E0 + 50, N0 + 50, 30, 30)
    point = 0
    for ring_no, ring in ((1, outer), (2, hole)):
        for e, n in ring + [ring[0]]:  # closing point repeated, as surveyors list it
            point += 1
            rows.append(["A", ring_no, f"J{point}", f"{n:.3f}", f"{e:.3f}", "建设用地"])
    for k, (e, n) in enumerate(gk_rect(E0 + 400, N0, 100, 100), start=1):  # no closing point
        rows.append(["B", 1, f"J{k}", f"{n:.3f}", f"{e:.3f}", ""])
    return rows


def test_csv_coordinate_table_with_a_hole(tmp_path):
    lines = ["地块编号,圈号,点号,X坐标(m),Y坐标(m),用途"] + [",".join(str(v) for v in row)
                                                             for row in _table_rows_with_hole()]
    path = tmp_path / "界址点.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))  # Excel "CSV" on Chinese Windows is GBK
    layer = read_layer(path)
    assert layer.source_crs == "epsg:4527" and not layer.swap_xy and layer.encoding_used == "GB18030"
    assert layer.fields == ["地块编号", "用途"] and layer.row(0) == {"地块编号": "A", "用途": "建设用地"}
    a, b = layer.geometries
    assert len(a.interiors) == 1 and b.geom_type == "Polygon" and layer.invalid == []
    expected = ellipsoidal_area_m2(to_lonlat(parcel_with_hole_gk()))[0]
    assert ellipsoidal_area_m2(a)[0] == pytest.approx(expected, abs=0.01)
    assert layer.feature_labels[1] == "地块 B（第 12 行起）"
    assert any("X 为北坐标" in w for w in layer.warnings)


def test_csv_table_without_parcel_or_ring_columns_splits_rings_on_closure(tmp_path):
    ring1 = gk_rect(E0, N0, 200, 150)
    hole = gk_rect(E0 + 50, N0 + 50, 30, 30)
    lines = ["x,y"] + [f"{e},{n}" for e, n in ring1 + [ring1[0]] + hole + [hole[0]]]  # GIS order here: x = east
    path = tmp_path / "pts.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    layer = read_layer(path)
    # x/y read in survey order, then swapped back
    assert len(layer) == 1 and len(layer.geometries[0].interiors) == 1 and layer.swap_xy
    assert max_vertex_distance_m(layer.geometries[0], to_lonlat(parcel_with_hole_gk())) < 1e-3


def test_a_headerless_point_x_y_list_is_read_with_x_as_the_northing(tmp_path):
    ring = gk_rect(E0, N0, 200, 150)
    lines = [f"J{k},{n:.3f},{e:.3f}" for k, (e, n) in enumerate(ring + [ring[0]], start=1)]  # 点号,X(north),Y(east)
    path = tmp_path / "界址点.txt"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    layer = read_layer(path)
    assert len(layer) == 1 and layer.invalid == [] and layer.source_crs == "epsg:4527"
    expected = ellipsoidal_area_m2(to_lonlat(shapely.Polygon(ring)))[0]
    assert ellipsoidal_area_m2(layer.geometries)[0] == pytest.approx(expected, abs=0.01)


def test_a_headerless_list_that_is_not_point_x_y_is_still_refused_naming_its_first_row(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("甲,1,2,3\n乙,4,5,6\n", encoding="utf-8")
    _rejected(path, "找不到坐标列")


def test_lonlat_table_with_dms_values(tmp_path):
    lines = ["宗地号\t序号\t经度\t纬度", "1\t1\t115°30'00\"\t36°30'00\"", "1\t2\t115°31'00\"\t36°30'00\"",
             "1\t3\t115°31'00\"\t36°31'00\"", "1\t4\t115°30'00\"\t36°31'00\""]
    path = tmp_path / "dms.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    layer = read_layer(path)
    assert layer.source_crs == "cgcs2000" and layer.source_format == "csv"
    assert shapely.get_coordinates(layer.geometries[0])[2] == pytest.approx([115.5 + 1 / 60, 36.5 + 1 / 60])


def _xlsx(path, header, rows, title_rows=()):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "界址点坐标"
    for row in [*title_rows, header, *rows]:
        sheet.append(list(row))
    notes = book.create_sheet("说明")
    notes.append(["本表由测试生成"])
    book.save(path)
    return path


def test_xlsx_bad_x_on_row_12_is_named(tmp_path):
    rows = [[r[0], r[1], r[2], float(r[3]), float(r[4])] for r in _table_rows_with_hole()]
    rows[10][3] = "4040150.O0"  # row 12 in Excel: header is row 1; a letter O typed for a zero
    path = _xlsx(tmp_path / "坐标.xlsx", ["地块编号", "圈号", "点号", "X", "Y"], rows)
    message = _rejected(path, "第 12 行：X 坐标不是数字")
    assert "坐标.xlsx" in message and "4040150.O0" in message


def test_xlsx_table_with_a_title_row_is_read(tmp_path):
    rows = [[r[0], r[1], r[2], float(r[3]), float(r[4])] for r in _table_rows_with_hole()]
    path = _xlsx(tmp_path / "t.xlsx", ["地块编号", "圈号", "点号", "X", "Y"], rows,
                 title_rows=[["某项目界址点坐标成果表"]])
    layer = read_layer(path)
    assert len(layer) == 2 and layer.source_format == "xlsx" and layer.layer_name == "界址点坐标"
    assert layer.feature_labels[0] == "地块 A（第 3 行起）"  # Excel row numbers, the title row counted
    assert len(layer.geometries[0].interiors) == 1


def test_table_ring_with_too_few_points_is_reported(tmp_path):
    path = tmp_path / "short.csv"
    rows = ["地块编号,X,Y", f"A,{N0},{E0}", f"A,{N0},{E0 + 10}", f"B,{N0},{E0 + 100}", f"B,{N0},{E0 + 200}",
            f"B,{N0 + 50},{E0 + 150}"]
    path.write_text("\n".join(rows), encoding="utf-8")
    layer = read_layer(path)
    assert layer.geometries[0] is None and "只有 2 个不同的点" in dict(layer.invalid)[0]
    assert layer.geometries[1] is not None and 1 not in dict(layer.invalid)


def test_table_without_coordinate_columns_is_rejected(tmp_path):
    path = tmp_path / "none.csv"
    path.write_text("名称,面积\n甲,1\n", encoding="utf-8")
    _rejected(path, "找不到坐标列")


# --- rings ----------------------------------------------------------------------------------------------
def test_rings_nest_into_holes_and_separate_parts():
    outer = np.array(gk_rect(0, 0, 100, 100))
    hole = np.array(gk_rect(10, 10, 50, 50))
    island = np.array(gk_rect(20, 20, 10, 10))
    apart = np.array(gk_rect(200, 0, 10, 10))
    geom, problems = polygon_from_rings([outer, hole, island, apart])
    assert problems == [] and geom.geom_type == "MultiPolygon" and len(geom.geoms) == 3
    assert geom.area == pytest.approx(100 * 100 - 50 * 50 + 10 * 10 + 10 * 10)
    crossing, _problems = polygon_from_rings([outer, np.array(gk_rect(90, 10, 50, 50))])
    assert not crossing.is_valid  # overlapping rings are kept as drawn: the validity check reports them


# --- real reference data --------------------------------------------------------------------------------
def test_real_amap_country_shapefile_declares_wgs84_but_is_gcj02(tmp_path):
    source = REFDATA / "amap-shp-country-2024" / "country.shp"
    layer = read_layer(source)
    assert layer.source_crs == "wgs84" and layer.encoding_used == "UTF-8"
    assert layer.row(0)["cn_name"] == "中华人民共和国"
    told = read_layer(source, crs="gcj02")
    assert told.source_crs == "gcj02" and any("wgs84" in w and "gcj02" in w for w in told.crs_warnings)
    shift = max_vertex_distance_m(shapely.Point(shapely.get_coordinates(told.geometries[0])[0]),
                                  shapely.Point(shapely.get_coordinates(layer.geometries[0])[0]))
    assert 1 < shift < 1000  # GCJ-02's offset removed (near zero at the far western border, hundreds of metres inland)


def test_real_datav_bare_array_county_outline():
    path = REFDATA / "datav-county-2019" / "371525.json"
    layer = read_layer(path, crs="gcj02")
    assert layer.source_crs == "gcj02" and layer.row(0)["name"] == "冠县" and layer.invalid == []
    assert ellipsoidal_area_m2(layer.geometries)[0] == pytest.approx(1_161e6, rel=0.02)  # 冠县 ≈ 1,161 km²


def test_real_bom_country_file_reports_the_self_intersecting_province():
    path = REFDATA / "datav-geoatlas-2021" / "100000_full.json"
    layer = read_layer(path, crs="gcj02")
    assert len(layer) == 35 and layer.encoding_used == "UTF-8"
    reasons = dict(layer.invalid)
    assert 14 in reasons and "自相交" in reasons[14]  # 山东 (370000), as the boundary importer found
    assert layer.feature_labels[14] == "第 15 个要素（adcode 370000）"
    assert layer.geometries[14] is not None and not layer.geometries[14].is_valid  # reported, not repaired
    assert to_gk(layer.geometries[0], 4527) is not None
