"""Importing boundaries: GeoJSON quirks, shapefiles with wrong .prj or no .cpg, zip safety, repairs, atomicity."""

import csv
import io
import json
import os
import warnings
import zipfile

import numpy as np
import pyogrio.raw
import pyproj
import pytest
import shapely
from django.core.management import CommandError, call_command
from regions_testdata import MCA_2025, MCA_CSV, REFDATA, write_csv

from landguard.audit.models import AuditEntry
from landguard.core import crs
from landguard.regions.boundary_import import import_boundaries
from landguard.regions.importers import RegionImportError, import_code_table
from landguard.regions.models import Region

GEOD = pyproj.Geod(ellps="GRS80")
JIA = "371525101"  # 贾镇
SANGA = "371525102"  # 桑阿镇


@pytest.fixture(scope="session")
def guanxian_mca_rows(tmp_path_factory):
    """The real MCA rows of 冠县 and its ancestors, cut out once (parsing all 42,000 rows per test is slow)."""
    with open(MCA_CSV, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    keep = [r for r in rows[1:] if r[1].startswith("371525") or "371525".startswith(r[1])]
    return write_csv(tmp_path_factory.mktemp("mca") / "region.csv", rows[0], keep)


@pytest.fixture
def guanxian(db, guanxian_mca_rows) -> Region:
    """冠县 and its townships from the real MCA table (a no-op when the demo already imported that edition)."""
    import_code_table(guanxian_mca_rows, edition="mca-xzqh-20251231", published=MCA_2025, prefix="371525")
    return Region.objects.get(code="371525", retired_in__isnull=True)


def _region(code: str) -> Region:
    return Region.objects.get(code=code, retired_in__isnull=True)


def _feature(code, geometry, **props) -> dict:
    return {"type": "Feature", "properties": {"code": code, **props},
            "geometry": shapely.geometry.mapping(geometry) if not isinstance(geometry, dict) and geometry is not None
                else geometry}


def _geojson(tmp_path, features, name="b.geojson", **top) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **top}, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def _write_shp(path, geoms, props: dict, crs_text=None, encoding="UTF-8") -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "crs was not provided": deliberate, for the no-.prj cases
        pyogrio.raw.write(str(path), shapely.to_wkb(np.asarray(geoms, dtype=object)),
                          [np.asarray(v, dtype=object) for v in props.values()],
                          list(props), driver="ESRI Shapefile", geometry_type="Polygon", crs=crs_text,
                          encoding=encoding)
    return str(path)


def _square(lon, lat, half=0.01):
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


def _has_vertex(geom, lon, lat) -> bool:
    """The projected square's south-west corner was computed from (lon, lat); it must come back there (< 1 mm)."""
    return bool(np.abs(shapely.get_coordinates(geom) - [lon, lat]).max(axis=1).min() < 1e-8)


def _distance_m(a, b) -> float:
    return float(GEOD.inv(a.x, a.y, b.x, b.y)[2])


def _stored(code: str):
    return shapely.from_wkb(bytes(_region(code).geom.wkb))


# --- real reference data ------------------------------------------------------------------------------
def test_guanxian_outline_from_a_bare_array_in_gcj02_lands_a_few_hundred_metres_off_with_the_official_area(guanxian):
    path = REFDATA / "datav-county-2019" / "371525.json"  # a bare JSON array of features, GCJ-02
    raw = shapely.from_geojson(json.dumps(json.loads(path.read_text(encoding="utf-8"))[0]["geometry"]))
    report = import_boundaries(path, crs="gcj02", source="DataV 2019")
    county = _region("371525")
    assert report.boundaries == 1 and county.boundary_source == "DataV 2019" and not county.is_synthetic
    assert 100 < _distance_m(raw.centroid, _stored("371525").centroid) < 700  # the GCJ-02 offset, removed
    assert county.area_m2 == pytest.approx(1_161e6, rel=0.02)  # 冠县 ≈ 1,161 km²
    assert county.geom.srid == 4490 and county.geom.geom_type == "MultiPolygon"


def test_bom_country_file_imports_only_the_requested_province(guanxian):
    path = REFDATA / "datav-geoatlas-2021" / "100000_full.json"
    with pytest.raises(RegionImportError, match="第 15 个要素（代码 370000）：几何无效"):
        import_boundaries(path, crs="gcj02", only_codes={"37"})  # the real file has a self-intersection
    report = import_boundaries(path, crs="gcj02", only_codes={"37"}, repair=True)
    # 370000 (level "province") is stored on region 37
    assert report.boundaries == 1 and all("代码 370000" in line for line in report.repaired)
    assert _region("37").area_m2 == pytest.approx(157_900e6, rel=0.03)  # 山东 ≈ 158,000 km²


def test_city_adcode_is_normalised_using_the_level_property(guanxian):
    import_boundaries(REFDATA / "datav-geoatlas-2021" / "370000_full.json", crs="gcj02", only_codes={"371500"},
                      repair=True)
    assert _region("3715").area_m2 == pytest.approx(8_628e6, rel=0.03)  # 聊城 ≈ 8,628 km²


def test_amap_shapefile_with_a_wgs84_prj_is_converted_when_told_it_is_gcj02(db, tmp_path):
    source = REFDATA / "amap-shp-country-2024" / "country.shp"
    meta, _fids, wkb, fields = pyogrio.raw.read(source)
    china = shapely.from_wkb(wkb[0])
    # The real file's .prj says WGS 84; reuse its geometry for 37 only (a smaller box keeps the test quick).
    shandong_box = shapely.clip_by_rect(china, 115.5, 35.0, 117.0, 36.0)
    path = _write_shp(tmp_path / "amap.shp", [shandong_box], {"code": ["37"]}, crs_text=meta["crs"])
    report = import_boundaries(path, crs="gcj02")
    assert any("wgs84" in w and "gcj02" in w for w in report.warnings)
    offset = _distance_m(shandong_box.centroid, _stored("37").centroid)
    assert 100 < offset < 700


# --- GeoJSON ------------------------------------------------------------------------------------------
def test_geojson_without_crs_but_amap_properties_warns_about_gcj02(guanxian, tmp_path):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5), adcode=JIA, acroutes=[100000])])
    report = import_boundaries(path, code_field="code")
    assert any("GCJ-02" in w for w in report.warnings)
    assert _stored(JIA).equals_exact(shapely.MultiPolygon([_square(115.5, 36.5)]), 1e-9)


def test_gbk_geojson_is_read_like_a_layer(guanxian, tmp_path):
    """Boundaries are read by landguard.formats: a GeoJSON saved as GBK ("ANSI") is no longer refused."""
    body = {"type": "FeatureCollection", "features": [_feature(JIA, _square(115.5, 36.5), name="贾镇")]}
    path = tmp_path / "gbk.geojson"
    path.write_bytes(json.dumps(body, ensure_ascii=False).encode("gbk"))
    report = import_boundaries(path, crs="cgcs2000", name_field="name")
    assert report.boundaries == 1
    assert not any("名称" in w for w in report.warnings)  # 贾镇 decoded correctly, matching the code table
    assert any("不是 UTF-8 编码，已按 GBK 读取" in w for w in report.warnings)
    assert not any("GBK" in w for w in import_boundaries(path, crs="cgcs2000", encoding="GBK", source="再次").warnings)


def test_bare_geometry_is_one_feature_without_attributes(guanxian, tmp_path):
    path = tmp_path / "bare.geojson"
    path.write_text(json.dumps(shapely.geometry.mapping(_square(115.5, 36.5))), encoding="utf-8")
    _assert_rejected(path, "找不到区划代码字段", crs="cgcs2000")  # read as a layer would be; then no code to match


def test_an_unrecognised_declared_crs_is_a_warning_as_for_layers(guanxian, tmp_path):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5))],
                    crs={"type": "name", "properties": {"name": "火星坐标"}})
    report = import_boundaries(path)
    assert any("声明的坐标系“火星坐标”无法识别" in w for w in report.warnings)
    assert _stored(JIA).equals_exact(shapely.MultiPolygon([_square(115.5, 36.5)]), 1e-9)


def test_six_digit_city_code_without_level_matches_the_existing_region(guanxian, tmp_path):
    path = _geojson(tmp_path,
        [{"type": "Feature", "properties": {"adcode": 371500},
          "geometry": shapely.geometry.mapping(_square(115.8, 36.4, 0.2))}])
    import_boundaries(path, crs="cgcs2000")
    assert _region("3715").boundary_source == ""
    assert _stored("3715").equals_exact(shapely.MultiPolygon([_square(115.8, 36.4, 0.2)]), 1e-9)


def test_invalid_geometry_rejects_the_file_naming_the_feature(guanxian, tmp_path):
    bowtie = shapely.Polygon([(115.50, 36.50), (115.52, 36.52), (115.52, 36.50), (115.50, 36.52), (115.50, 36.50)])
    path = _geojson(tmp_path, [_feature(SANGA, _square(115.6, 36.6)), _feature(JIA, bowtie)])
    _assert_rejected(path, "第 2 个要素（代码 371525101）：几何无效（Self-intersection", crs="cgcs2000")


def test_invalid_geometry_is_repaired_on_request_and_every_repair_is_reported(guanxian, tmp_path):
    bowtie = shapely.Polygon([(115.50, 36.50), (115.52, 36.52), (115.52, 36.50), (115.50, 36.52), (115.50, 36.50)])
    path = _geojson(tmp_path, [_feature(JIA, bowtie), _feature(SANGA, _square(115.6, 36.6))])
    report = import_boundaries(path, crs="cgcs2000", repair=True)
    assert len(report.repaired) == 1 and "第 1 个要素（代码 371525101）" in report.repaired[0]
    stored = _stored(JIA)
    assert stored.is_valid and len(stored.geoms) == 2  # the bow-tie became its two triangles
    assert _region(JIA).area_m2 > 0


def test_projected_gk_values_without_prj_are_detected_from_their_magnitude(guanxian, tmp_path):
    x, y = pyproj.Transformer.from_crs(4490, 4527, always_xy=True).transform(115.5, 36.5)
    path = _write_shp(tmp_path / "gk.shp", [shapely.box(x, y, x + 1000, y + 1000)], {"XZQDM": [JIA + "000"]})
    assert not (tmp_path / "gk.prj").exists()
    report = import_boundaries(path)
    assert any("epsg:4527" in w for w in report.warnings)
    assert _region(JIA).area_m2 == pytest.approx(1_000_000, rel=1e-3)  # 12-digit XZQDM 371525101000 → 371525101
    assert _has_vertex(_stored(JIA), 115.5, 36.5)


def test_projected_values_under_a_geographic_prj_and_swapped_axes_are_detected(guanxian, tmp_path):
    x, y = pyproj.Transformer.from_crs(4490, 4527, always_xy=True).transform(115.5, 36.5)
    square = shapely.box(x, y, x + 1000, y + 1000)
    swapped = shapely.transform(square, lambda c: c[:, ::-1])  # survey order: northing first
    path = _write_shp(tmp_path / "swapped.shp", [swapped], {"code": [JIA]}, crs_text="EPSG:4326")
    report = import_boundaries(path)
    assert any("不符" in w for w in report.warnings)  # the .prj (WGS 84) contradicts the values
    assert _has_vertex(_stored(JIA), 115.5, 36.5)
    assert _region(JIA).area_m2 == pytest.approx(1_000_000, rel=1e-3)


def test_shapefile_without_cpg_is_read_as_gbk(guanxian, tmp_path):
    path = _write_shp(tmp_path / "gbk.shp", [_square(115.5, 36.5)], {"code": [JIA], "name": ["贾镇"]},
                      crs_text="EPSG:4490", encoding="GBK")
    (tmp_path / "gbk.cpg").unlink()
    report = import_boundaries(path, name_field="name")
    assert not any("名称" in w for w in report.warnings)  # 贾镇 decoded correctly, matching the code table
    assert any("GBK" in w for w in report.warnings)


def test_zipped_shapefile_is_imported(guanxian, tmp_path):
    (tmp_path / "z").mkdir()
    _write_shp(tmp_path / "z" / "t.shp", [_square(115.5, 36.5)], {"code": [JIA]}, crs_text="EPSG:4490")
    archive = tmp_path / "t.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in (tmp_path / "z").iterdir():
            zf.write(part, f"data/{part.name}")
    progress = []
    report = import_boundaries(archive, progress=lambda done, total: progress.append((done, total)))
    assert report.boundaries == 1 and progress[-1] == (1, 1)


def test_reimporting_the_same_boundary_writes_nothing(guanxian, tmp_path):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5))])
    import_boundaries(path, crs="cgcs2000", source="测试")
    count = AuditEntry.objects.count()
    report = import_boundaries(path, crs="cgcs2000", source="测试")
    assert report.boundaries == 0 and AuditEntry.objects.count() == count


def test_boundary_import_is_audited(guanxian, tmp_path):
    import_boundaries(_geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5))]), crs="cgcs2000", source="测试")
    entry = AuditEntry.objects.filter(region_code=JIA, action="import").first()
    assert entry is not None and "geom" in entry.changes


# --- rejections: message names the feature, nothing is written ------------------------------------------
def _assert_rejected(path, message, **kwargs):
    before = {r.code: (r.geom.wkt if r.geom else None) for r in Region.objects.filter(code__in=[JIA, SANGA])}
    audit = AuditEntry.objects.count()
    with pytest.raises(RegionImportError) as exc:
        import_boundaries(path, **kwargs)
    assert message in str(exc.value), str(exc.value)
    assert {r.code: (r.geom.wkt if r.geom else None) for r in Region.objects.filter(code__in=[JIA, SANGA])} == before
    assert AuditEntry.objects.count() == audit


def test_unknown_code_rejects_the_whole_file(guanxian, tmp_path):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5)), _feature("999999", _square(115.6, 36.6))])
    _assert_rejected(path, "第 2 个要素（代码 999999）：区划代码不存在", crs="cgcs2000")


def test_feature_without_code_is_rejected_unless_filtered_out(guanxian, tmp_path):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5)), _feature("", _square(115.6, 36.6))])
    _assert_rejected(path, "第 2 个要素：区划代码字段 code 为空", crs="cgcs2000")
    assert import_boundaries(path, crs="cgcs2000", only_codes={JIA}).boundaries == 1


def test_empty_and_unrepairable_geometries_are_rejected(guanxian, tmp_path):
    _assert_rejected(_geojson(tmp_path, [_feature(JIA, None)]), "第 1 个要素（代码 371525101）：几何为空",
                     crs="cgcs2000")
    flat = {"type": "Polygon", "coordinates": [[[115.5, 36.5], [115.6, 36.5], [115.7, 36.5], [115.5, 36.5]]]}
    _assert_rejected(_geojson(tmp_path, [_feature(JIA, flat)]), "几何无效且无法修复", crs="cgcs2000", repair=True)
    line = {"type": "LineString", "coordinates": [[115.5, 36.5], [115.6, 36.6]]}
    _assert_rejected(_geojson(tmp_path, [_feature(JIA, line)]), "不是面要素", crs="cgcs2000")


def test_geometry_outside_china_is_rejected(guanxian, tmp_path):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5)), _feature(SANGA, _square(2.35, 48.85))])
    _assert_rejected(path, "第 2 个要素（代码 371525102）：转换后的坐标不在中国范围内", crs="cgcs2000")


def test_files_of_the_wrong_type_or_unreadable_are_rejected(guanxian, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a map", encoding="utf-8")
    _assert_rejected(text, "不支持的文件类型")
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    _assert_rejected(broken, "无法解析为 JSON")
    fake_shp = tmp_path / "fake.shp"
    fake_shp.write_bytes(b"\x00" * 200)
    # Read like a layer now: a lone .shp is refused for its missing parts before GDAL is asked.
    _assert_rejected(fake_shp, "Shapefile fake.shp 缺少 .shx、.dbf 文件")
    for part in ("fake.shx", "fake.dbf"):
        (tmp_path / part).write_bytes(b"\x00" * 200)
    _assert_rejected(fake_shp, "无法读取 Shapefile")
    not_zip = tmp_path / "fake.zip"
    not_zip.write_bytes(b"PK nonsense")
    _assert_rejected(not_zip, "不是有效的 zip 压缩包")


def test_zip_bomb_is_rejected_before_unpacking(guanxian, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t.shp", b"\x00" * 5_000_000)
    _assert_rejected(bomb, "疑似压缩炸弹")


def test_oversize_files_and_archives_are_rejected(guanxian, tmp_path, settings):
    settings.UPLOAD_MAX_MB = 1
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    _assert_rejected(big, "超过 1 MB 上限")
    archive = tmp_path / "big.zip"  # small on disk, over the limit once unpacked, but not a suspicious ratio
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("t.shp", os.urandom(700_000).hex().encode()[:1_400_000])
    assert archive.stat().st_size < 1024 * 1024
    _assert_rejected(archive, "解压后超过 1 MB 上限")


def test_zip_with_unsafe_paths_is_rejected(guanxian, tmp_path):
    for name in ("../evil.shp", "/etc/evil.shp"):
        archive = tmp_path / "evil.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr(zipfile.ZipInfo(name), b"x")
        archive.write_bytes(buffer.getvalue())
        _assert_rejected(archive, "压缩包内路径不安全")


def test_import_boundaries_command_reports_in_chinese_and_fails_with_the_message(guanxian, tmp_path, capsys):
    path = _geojson(tmp_path, [_feature(JIA, _square(115.5, 36.5))])
    call_command("import_boundaries", path, "--crs", "wgs84", "--code-field", "code", "--only", JIA, "--source", "测试")
    assert "边界导入完成" in capsys.readouterr().out
    with pytest.raises(CommandError, match="未知的坐标系"):
        call_command("import_boundaries", path, "--crs", "mars")


def test_conversion_helpers_agree_with_the_importer(guanxian, tmp_path):
    gcj = shapely.transform(_square(115.5, 36.5), lambda c: np.column_stack(crs.wgs84_to_gcj02(c[:, 0], c[:, 1])))
    import_boundaries(_geojson(tmp_path, [_feature(JIA, gcj)]), crs="gcj02")
    assert _stored(JIA).equals_exact(shapely.MultiPolygon([_square(115.5, 36.5)]), 1e-8)
